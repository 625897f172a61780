//! Use cases: one function per user intent. Each takes the acting user and its org, checks the
//! role first, and writes the change with its audit event through the ports it is given.

pub mod identity;
pub mod activities;
pub mod annonces;
pub mod appointments;
pub mod audit_log;
pub mod consents;
pub mod dashboard;
pub mod dossiers;
pub mod messages;
pub mod outbound;
pub mod parties;
pub mod retention;
pub mod whatsapp_config;
pub mod whatsapp_inbound;
pub mod ops;
pub mod search;
