//! Inbound webhook of the WhatsApp Cloud API (PRODUCT.md §10): `payload` reads Meta's JSON,
//! `process` verifies, routes and stores it, `metrics` counts what happened.

pub mod metrics;
pub mod payload;
pub mod process;
