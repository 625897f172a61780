//! The WhatsApp Cloud API adapter (DESIGN.md): the inbound webhook (payload parsing, routing,
//! processing) lives in `inbound`.

pub mod inbound;
