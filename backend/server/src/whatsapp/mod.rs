//! WhatsApp Cloud API adapters.

pub mod provider;
