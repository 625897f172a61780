//! Sub-commands of the `atlas` binary other than `serve`.

pub mod seed;
