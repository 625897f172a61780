//! HTTP handlers for activities.

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
