//! The contract of `/api/v1`: every request and response body is a type here, used by the handlers
//! and by the SPA so that the two cannot drift. Field names are camelCase, enums UPPER_SNAKE_CASE
//! (PRODUCT.md §0). Request bodies reject unknown fields.

pub mod activity;
pub mod annonce;
pub mod appointment;
pub mod audit;
pub mod auth;
pub mod common;
pub mod consent;
pub mod dashboard;
pub mod dossier;
pub mod message;
pub mod ops;
pub mod outbound;
pub mod party;
pub mod retention;
pub mod search;
pub mod whatsapp_config;

pub use auth::*;
pub use common::*;
