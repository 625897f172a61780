//! Sub-commands of the `atlas` binary other than `serve`.

pub mod demo_data;
pub mod demo_whatsapp;
pub mod seed;
pub mod seed_bench;
