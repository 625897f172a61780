//! HTTP handlers for audit_log.

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
