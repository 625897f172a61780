//! Rate limits of PRODUCT.md §12: login attempts per client IP and per e-mail, API requests per
//! (user, org), webhooks per org. Each is a keyed GCRA limiter of the `governor` crate (state in
//! a DashMap, monotonic clock) held in the `AppState`, so limits are per process: with several
//! `atlas` processes behind a load balancer each one enforces its own budget.
//!
//! Where each is checked (so that junk never consumes someone's budget):
//! - login: in the login handler, by the TCP peer address first (every attempt, even with an
//!   unreadable body), then by the normalised e-mail once the body is read, before the password
//!   hash. `X-Forwarded-For` is NOT trusted: behind a reverse proxy every client shares the
//!   proxy's address, so the per-IP budget becomes a per-proxy one.
//! - API: in the `RequestContext` / `AuthUser` extractors, after the token (and org) are checked;
//!   token-only endpoints (`/me`) count under the user with no org.
//! - webhooks: after the signature of each routed org is verified, before anything is stored.
//!
//! Memory: a keyed limiter keeps one entry per key seen. Every [`PRUNE_EVERY`] checks the
//! entries whose budget is full again (`retain_recent`) are dropped, which bounds the maps by
//! the keys active within one period.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use super::problem::ApiError;

/// Prune the limiters' maps after this many checks (all limiters together).
pub const PRUNE_EVERY: u64 = 4096;

/// The three budgets (config: `ATLAS_RATE_LIMIT_LOGIN`, `_API`, `_WEBHOOK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Login attempts per minute, per client IP and per e-mail.
    pub login_per_minute: NonZeroU32,
    /// Authenticated API requests per minute per (user, org).
    pub api_per_minute: NonZeroU32,
    /// Webhook POSTs per second per org.
    pub webhook_per_second: NonZeroU32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        let n = |v: u32| NonZeroU32::new(v).unwrap_or(NonZeroU32::MIN);
        RateLimitSettings { login_per_minute: n(10), api_per_minute: n(600), webhook_per_second: n(100) }
    }
}

pub struct RateLimits {
    login_ip: DefaultKeyedRateLimiter<IpAddr>,
    login_email: DefaultKeyedRateLimiter<String>,
    api: DefaultKeyedRateLimiter<(Uuid, Option<Uuid>)>,
    webhook: DefaultKeyedRateLimiter<Uuid>,
    checks: AtomicU64,
    /// Requests refused with 429 since the start (all limiters).
    pub rejections: AtomicU64,
}

impl RateLimits {
    pub fn new(s: &RateLimitSettings) -> RateLimits {
        RateLimits {
            login_ip: RateLimiter::keyed(Quota::per_minute(s.login_per_minute)),
            login_email: RateLimiter::keyed(Quota::per_minute(s.login_per_minute)),
            api: RateLimiter::keyed(Quota::per_minute(s.api_per_minute)),
            webhook: RateLimiter::keyed(Quota::per_second(s.webhook_per_second)),
            checks: AtomicU64::new(0),
            rejections: AtomicU64::new(0),
        }
    }

    /// One login attempt from `ip`.
    pub fn login_ip(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.check(&self.login_ip, &ip, "too many login attempts from this address")
    }

    /// One login attempt for `email` (normalised here: trimmed, lower-case).
    pub fn login_email(&self, email: &str) -> Result<(), ApiError> {
        self.check(&self.login_email, &normalise_email(email), "too many login attempts for this account")
    }

    /// One authenticated API request of `user` in `org` (None: an endpoint without org).
    pub fn api(&self, user: Uuid, org: Option<Uuid>) -> Result<(), ApiError> {
        self.check(&self.api, &(user, org), "too many requests for this user in this organisation")
    }

    /// One webhook POST routed to `org`; the caller maps the error to its own rejection.
    pub fn webhook(&self, org: Uuid) -> Result<(), ApiError> {
        self.check(&self.webhook, &org, "too many webhook calls for this organisation")
    }

    fn check<K: Hash + Eq + Clone>(
        &self,
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
        detail: &str,
    ) -> Result<(), ApiError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune();
        }
        match limiter.check_key(key) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                self.rejections.fetch_add(1, Ordering::Relaxed);
                let wait = not_until.wait_time_from(limiter.clock().now());
                Err(rate_limited(detail, wait))
            }
        }
    }

    /// Drops the keys whose budget is full again (they behave exactly like unseen keys).
    pub fn prune(&self) {
        self.login_ip.retain_recent();
        self.login_email.retain_recent();
        self.api.retain_recent();
        self.webhook.retain_recent();
        self.login_ip.shrink_to_fit();
        self.login_email.shrink_to_fit();
        self.api.shrink_to_fit();
        self.webhook.shrink_to_fit();
    }

    /// Keys currently tracked by all limiters (for tests and diagnostics).
    pub fn tracked_keys(&self) -> usize {
        self.login_ip.len() + self.login_email.len() + self.api.len() + self.webhook.len()
    }
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whole seconds to announce in `Retry-After`: the wait rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// 429 `RATE_LIMITED`, `Retry-After` = the wait in whole seconds.
pub fn rate_limited(detail: &str, wait: Duration) -> ApiError {
    let secs = retry_after_secs(wait);
    ApiError::rate_limited(format!("{detail}; retry in {secs} s"), secs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use actix_web::http::StatusCode;

    fn settings(login: u32, api: u32, webhook: u32) -> RateLimitSettings {
        RateLimitSettings {
            login_per_minute: NonZeroU32::new(login).unwrap(),
            api_per_minute: NonZeroU32::new(api).unwrap(),
            webhook_per_second: NonZeroU32::new(webhook).unwrap(),
        }
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up_at_least_one() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(10)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(5_001)), 6);
        assert_eq!(retry_after_secs(Duration::from_secs(6)), 6);
    }

    #[test]
    fn defaults_are_those_of_the_product() {
        assert_eq!(RateLimitSettings::default(), settings(10, 600, 100));
    }

    #[test]
    fn login_email_is_normalised_and_keys_are_independent() {
        let rl = RateLimits::new(&settings(2, 1, 1));
        assert!(rl.login_email("A@x.fr").is_ok());
        assert!(rl.login_email("  a@X.fr ").is_ok());
        let e = rl.login_email("a@x.fr").unwrap_err();
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.code, "RATE_LIMITED");
        assert!(e.retry_after_secs.is_some_and(|s| s >= 1));
        assert!(rl.login_email("b@x.fr").is_ok());
        assert_eq!(rl.rejections.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn api_budget_is_per_user_and_org() {
        let rl = RateLimits::new(&settings(1, 1, 1));
        let (u, o1, o2) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        assert!(rl.api(u, Some(o1)).is_ok());
        assert!(rl.api(u, Some(o1)).is_err());
        assert!(rl.api(u, Some(o2)).is_ok());
        assert!(rl.api(u, None).is_ok());
        assert!(rl.api(Uuid::new_v4(), Some(o1)).is_ok());
    }

    #[test]
    fn prune_keeps_only_keys_still_limited() {
        let rl = RateLimits::new(&settings(1, 1, 1));
        rl.login_ip(IpAddr::from([10, 0, 0, 1])).unwrap();
        rl.api(Uuid::new_v4(), None).unwrap();
        assert_eq!(rl.tracked_keys(), 2);
        rl.prune();
        // Both keys spent their whole budget a moment ago: still tracked (not yet replenished).
        assert_eq!(rl.tracked_keys(), 2);
        assert!(rl.login_ip(IpAddr::from([10, 0, 0, 1])).is_err());
    }
}
