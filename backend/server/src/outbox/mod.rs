//! The outbound worker (PRODUCT.md §10): settings from the environment and the claim → send →
//! record loop.

pub mod worker;

use std::time::Duration;

use anyhow::Context;

use atlas_domain::retry::{parse_backoff, BackoffSchedule};

use crate::whatsapp::provider::{DEFAULT_API_BASE, DEFAULT_TIMEOUT};

#[derive(Debug, Clone)]
pub struct OutboxSettings {
    /// Delays between attempts (`ATLAS_OUTBOX_BACKOFF`); attempts = delays + 1.
    pub backoff: BackoffSchedule,
    /// Rows claimed per round (`ATLAS_OUTBOX_BATCH`, default 20).
    pub batch_size: u32,
    /// How long a claim holds a row (`ATLAS_OUTBOX_LEASE_SECS`, default 60): longer than a batch
    /// takes, so that only a dead worker's rows are claimed again.
    pub lease: Duration,
    /// Sleep when the queue is empty (`ATLAS_OUTBOX_POLL_MS`, default 500, at most 1000).
    pub poll_interval: Duration,
    /// `ATLAS_OUTBOX_WORKER=off` keeps the worker out of `atlas serve`.
    pub run_in_server: bool,
    /// `ATLAS_WHATSAPP_API_BASE`.
    pub api_base: String,
    /// Per provider call (`ATLAS_WHATSAPP_TIMEOUT_MS`, default 10 000).
    pub send_timeout: Duration,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        OutboxSettings {
            backoff: BackoffSchedule::default(),
            batch_size: 20,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
            run_in_server: true,
            api_base: DEFAULT_API_BASE.to_string(),
            send_timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl OutboxSettings {
    pub fn from_env() -> anyhow::Result<OutboxSettings> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let num = |k: &str, default: u64, min: u64, max: u64| -> anyhow::Result<u64> {
            match var(k) {
                None => Ok(default),
                Some(v) => {
                    let n: u64 = v.trim().parse().with_context(|| format!("{k} must be a whole number"))?;
                    anyhow::ensure!((min..=max).contains(&n), "{k} must be between {min} and {max}");
                    Ok(n)
                }
            }
        };
        let d = OutboxSettings::default();
        let backoff = match var("ATLAS_OUTBOX_BACKOFF") {
            Some(v) => parse_backoff(&v).map_err(|e| anyhow::anyhow!("ATLAS_OUTBOX_BACKOFF: {e}"))?,
            None => d.backoff,
        };
        let run_in_server = match var("ATLAS_OUTBOX_WORKER").map(|v| v.trim().to_ascii_lowercase()) {
            None => true,
            Some(v) if ["on", "true", "1"].contains(&v.as_str()) => true,
            Some(v) if ["off", "false", "0"].contains(&v.as_str()) => false,
            Some(_) => anyhow::bail!("ATLAS_OUTBOX_WORKER must be on or off"),
        };
        Ok(OutboxSettings {
            backoff,
            batch_size: u32::try_from(num("ATLAS_OUTBOX_BATCH", 20, 1, 500)?).unwrap_or(20),
            lease: Duration::from_secs(num("ATLAS_OUTBOX_LEASE_SECS", 60, 1, 3600)?),
            poll_interval: Duration::from_millis(num("ATLAS_OUTBOX_POLL_MS", 500, 10, 1000)?),
            run_in_server,
            api_base: var("ATLAS_WHATSAPP_API_BASE").unwrap_or(d.api_base),
            send_timeout: Duration::from_millis(num("ATLAS_WHATSAPP_TIMEOUT_MS", 10_000, 100, 120_000)?),
        })
    }
}
