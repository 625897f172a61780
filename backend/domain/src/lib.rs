//! atlas-domain — the pure core of Atlas (DESIGN.md "The hexagon").
//!
//! No I/O crate may appear in this crate's dependency tree (checked by `make check-domain` and by
//! `tests/purity.rs`): rules are plain functions, persistence and providers are ports (traits)
//! implemented by `atlas-server`.

pub mod activity;
pub mod annonce;
pub mod appointment;
pub mod audit;
pub mod consent;
pub mod dedup;
pub mod dossier;
pub mod error;
pub mod identity;
pub mod money;
pub mod party;
pub mod phone;
pub mod ports;
pub mod retry;
pub mod usecases;
pub mod validation;
pub mod whatsapp;
mod wire_enum;
pub mod wording;
