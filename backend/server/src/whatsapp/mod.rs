//! WhatsApp Cloud API adapters: the outbound provider (reqwest) and the inbound webhook
//! (payload parsing, routing, processing).

pub mod inbound;
pub mod provider;
