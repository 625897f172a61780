//! HTTP handlers for appointments.

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
