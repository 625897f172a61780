//! Structured logs: JSON outside dev, human-readable in dev. Never tokens, passwords, message
//! contents or full phone numbers (handlers log ids, not bodies).

use tracing_subscriber::{fmt, EnvFilter};

pub fn init(dev_mode: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_target(false);
    // try_init: tests and sub-commands may call this more than once.
    let _ = if dev_mode { builder.try_init() } else { builder.json().flatten_event(true).try_init() };
}
