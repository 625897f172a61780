//! atlas-server: the adapters around `atlas-domain` (HTTP, PostgreSQL, security) and the
//! composition root used by the `atlas` binary and by the integration tests.

pub mod cli;
pub mod config;
pub mod db;
pub mod fake_whatsapp;
pub mod http;
pub mod outbox;
pub mod retention;
pub mod security;
pub mod startup;
pub mod telemetry;
pub mod whatsapp;
