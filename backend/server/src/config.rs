//! Configuration from the environment only (secrets never come from files in the repo).

use std::num::NonZeroU32;
use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::http::rate_limit::RateLimitSettings;

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub jwt_secret: Vec<u8>,
    pub token_ttl_secs: u64,
    pub dev_mode: bool,
    pub static_dir: PathBuf,
    pub db_pool_size: u32,
    pub http_workers: usize,
    /// `ATLAS_DATA_KEY` (32 bytes, base64 or hex): the key sealing stored secrets (WhatsApp
    /// credentials). None → derived from the JWT secret (see security/secretbox.rs).
    pub data_key: Option<[u8; 32]>,
    /// `ATLAS_RATE_LIMIT_LOGIN` / `_API` (per minute), `ATLAS_RATE_LIMIT_WEBHOOK` (per second).
    pub rate_limits: RateLimitSettings,
}

// Manual Debug so that a stray `{:?}` can never print the secret or the database password.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("dev_mode", &self.dev_mode)
            .field("static_dir", &self.static_dir)
            .field("db_pool_size", &self.db_pool_size)
            .field("rate_limits", &self.rate_limits)
            .finish_non_exhaustive()
    }
}

/// Used only when `ATLAS_ENV=dev` and no secret is given; refused everywhere else.
const DEV_JWT_SECRET: &str = "atlas-dev-only-secret-do-not-use-in-production";

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let dev_mode = var("ATLAS_ENV").is_some_and(|v| v.eq_ignore_ascii_case("dev"));
        let database_url = var("DATABASE_URL")
            .context("DATABASE_URL is not set (make dev / make test start a local cluster and set it)")?;
        let jwt_secret = match var("ATLAS_JWT_SECRET") {
            Some(s) if s.len() >= 32 => s.into_bytes(),
            Some(_) => bail!("ATLAS_JWT_SECRET must be at least 32 bytes"),
            None if dev_mode => DEV_JWT_SECRET.as_bytes().to_vec(),
            None => bail!("ATLAS_JWT_SECRET is required outside dev mode (set ATLAS_ENV=dev for local use)"),
        };
        let parse_num = |k: &str, default: u64| -> anyhow::Result<u64> {
            match var(k) {
                Some(v) => v.parse().with_context(|| format!("{k} must be a positive integer")),
                None => Ok(default),
            }
        };
        let data_key = match var("ATLAS_DATA_KEY") {
            Some(k) => Some(
                crate::security::secretbox::DataKey::parse(&k)
                    .context("ATLAS_DATA_KEY must be 32 bytes, written in base64 or as 64 hex digits")?,
            ),
            None => None,
        };
        let defaults = RateLimitSettings::default();
        let rate_limits = RateLimitSettings {
            login_per_minute: parse_rate(
                "ATLAS_RATE_LIMIT_LOGIN",
                var("ATLAS_RATE_LIMIT_LOGIN"),
                defaults.login_per_minute,
            )?,
            api_per_minute: parse_rate("ATLAS_RATE_LIMIT_API", var("ATLAS_RATE_LIMIT_API"), defaults.api_per_minute)?,
            webhook_per_second: parse_rate(
                "ATLAS_RATE_LIMIT_WEBHOOK",
                var("ATLAS_RATE_LIMIT_WEBHOOK"),
                defaults.webhook_per_second,
            )?,
        };
        Ok(Config {
            database_url,
            bind: var("ATLAS_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_string()),
            jwt_secret,
            token_ttl_secs: parse_num("ATLAS_TOKEN_TTL_SECS", 3600)?,
            dev_mode,
            static_dir: PathBuf::from(var("ATLAS_STATIC_DIR").unwrap_or_else(|| "frontend/dist".to_string())),
            db_pool_size: u32::try_from(parse_num("ATLAS_DB_POOL_SIZE", 10)?).unwrap_or(10),
            http_workers: usize::try_from(parse_num("ATLAS_HTTP_WORKERS", 0)?).unwrap_or(0),
            data_key,
            rate_limits,
        })
    }
}

/// A rate limit from the environment: absent → `default`; else a whole number ≥ 1 (0 would
/// refuse everything and is an error, as is anything unparsable).
pub fn parse_rate(name: &str, value: Option<String>, default: NonZeroU32) -> anyhow::Result<NonZeroU32> {
    match value {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<NonZeroU32>()
            .ok()
            .with_context(|| format!("{name} must be a whole number of at least 1 (got {v:?})")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TEN: NonZeroU32 = NonZeroU32::new(10).unwrap();

    #[test]
    fn rate_absent_is_the_default() {
        assert_eq!(parse_rate("ATLAS_RATE_LIMIT_LOGIN", None, TEN).unwrap(), TEN);
    }

    #[test]
    fn rate_accepts_positive_whole_numbers() {
        let r = parse_rate("ATLAS_RATE_LIMIT_API", Some(" 600 ".into()), TEN).unwrap();
        assert_eq!(r.get(), 600);
    }

    #[test]
    fn rate_refuses_zero_negative_fractions_and_words() {
        for bad in ["0", "-5", "1.5", "ten", "10/min", "99999999999"] {
            let e = parse_rate("ATLAS_RATE_LIMIT_WEBHOOK", Some(bad.into()), TEN).unwrap_err().to_string();
            assert!(e.contains("ATLAS_RATE_LIMIT_WEBHOOK") && e.contains("at least 1"), "{bad}: {e}");
        }
    }
}
