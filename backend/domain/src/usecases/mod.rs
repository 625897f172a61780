//! Use cases: one function per user intent. Each takes the acting user and its org, checks the
//! role first, and writes the change with its audit event through the ports it is given.

pub mod activities;
pub mod annonces;
pub mod appointments;
pub mod audit_log;
pub mod consents;
pub mod dashboard;
pub mod dossiers;
pub mod identity;
pub mod messages;
pub mod ops;
pub mod outbound;
pub mod parties;
pub mod retention;
pub mod search;
pub mod whatsapp_config;
pub mod whatsapp_inbound;
