//! HTTP handlers for parties.

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
