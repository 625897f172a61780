//! HTTP handlers for annonces.

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
