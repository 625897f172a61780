//! Outbound operations (PRODUCT.md §10 "Ops", MANAGER+): metrics of the org's outbox and a health
//! verdict derived from them. Definitions, as the SQL adapter computes them (all over the caller's
//! org only):
//!
//! - `countsByStatus`: outbound messages per current status (every status listed, zeros included).
//! - `queueDepth`: QUEUED + SENDING.
//! - `oldestQueuedAgeSeconds`: how long the oldest *due* QUEUED message has been waiting for a
//!   worker: now − `next_attempt_at` (set to the creation time, the retry time, or the time of a
//!   manual retry), whole seconds; messages waiting for a future retry are not late and are left
//!   out. Null when no QUEUED message is due.
//! - `deadLetters`: messages dead-lettered now (FAILED after exhausting their attempts).
//! - per window (`lastHour`, `last24Hours`, ending now):
//!   - `attempts`: provider calls finished in the window; `failedAttempts`: those not SENT
//!     (RETRY, FAILED or DEAD_LETTER); `failureRate` = failedAttempts / attempts (4 decimals,
//!     null when there was no attempt);
//!   - `deliveryFailures`: messages the provider accepted and then reported `failed` (status
//!     callback) in the window;
//!   - `deadLetters`: messages dead-lettered in the window (DEAD_LETTER attempts);
//!   - `topErrorCodes`: the 5 most frequent error codes over failed attempts and delivery
//!     failures of the window, count descending then code ascending;
//!   - `queuedToSent`: over messages whose `sentAt` falls in the window, seconds from creation to
//!     sentAt; `sentToDelivered`: over messages whose `deliveredAt` falls in the window, seconds
//!     from sentAt to deliveredAt; p50/p95 by linear interpolation (`percentile_cont`), 3
//!     decimals, null when the count is 0.
//!
//! Health thresholds ([`assess`]):
//! - DOWN: the database cannot be read, or the oldest due QUEUED message has waited more than
//!   15 min ([`DOWN_QUEUE_AGE_SECS`]) — the workers are not running.
//! - DEGRADED: the oldest due QUEUED message has waited more than 2 min
//!   ([`DEGRADED_QUEUE_AGE_SECS`]); or over the last hour the failure rate is above 20 % with at
//!   least 5 attempts; or a message was dead-lettered in the last hour.
//! - UP otherwise. Every reason that applies is listed.

use chrono::{DateTime, Utc};

use crate::error::DomainResult;
use crate::identity::{Actor, Capability, OrgId};
use crate::wire_enum::wire_enum;

pub const DOWN_QUEUE_AGE_SECS: i64 = 15 * 60;
pub const DEGRADED_QUEUE_AGE_SECS: i64 = 2 * 60;
pub const DEGRADED_FAILURE_RATE: f64 = 0.20;
pub const MIN_ATTEMPTS_FOR_RATE: i64 = 5;
/// How many error codes a window lists.
pub const TOP_ERROR_CODES: i64 = 5;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusCounts {
    pub queued: i64,
    pub sending: i64,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    pub cancelled: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Latency {
    pub count: i64,
    pub p50_seconds: Option<f64>,
    pub p95_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowStats {
    pub attempts: i64,
    pub failed_attempts: i64,
    pub failure_rate: Option<f64>,
    pub delivery_failures: i64,
    pub dead_letters: i64,
    /// (code, count), at most [`TOP_ERROR_CODES`].
    pub top_error_codes: Vec<(String, i64)>,
    pub queued_to_sent: Latency,
    pub sent_to_delivered: Latency,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboundMetrics {
    pub generated_at: DateTime<Utc>,
    pub counts_by_status: StatusCounts,
    pub queue_depth: i64,
    pub oldest_queued_age_seconds: Option<i64>,
    pub dead_letters: i64,
    pub last_hour: WindowStats,
    pub last_24_hours: WindowStats,
}

wire_enum! {
    pub enum HealthStatus {
        Up => "UP",
        Degraded => "DEGRADED",
        Down => "DOWN",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthReason {
    /// `DATABASE_UNAVAILABLE`, `QUEUE_STALLED`, `QUEUE_SLOW`, `HIGH_FAILURE_RATE`, `DEAD_LETTERS`.
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub status: HealthStatus,
    pub reasons: Vec<HealthReason>,
}

pub trait OutboundOpsStore {
    /// The metrics of `org`'s outbox at `now` (see the module docs for the definitions).
    fn outbound_metrics(&mut self, org: OrgId, now: DateTime<Utc>) -> DomainResult<OutboundMetrics>;
}

pub fn metrics(store: &mut impl OutboundOpsStore, actor: &Actor, now: DateTime<Utc>) -> DomainResult<OutboundMetrics> {
    actor.require(Capability::Manage)?;
    store.outbound_metrics(actor.org_id, now)
}

/// DOWN because the outbox cannot be read (the handler logs the cause; clients get no SQL text).
pub fn down_database() -> Health {
    Health {
        status: HealthStatus::Down,
        reasons: vec![HealthReason { code: "DATABASE_UNAVAILABLE", message: "the outbox cannot be read".into() }],
    }
}

/// The verdict on metrics that could be read (thresholds in the module docs).
pub fn assess(m: &OutboundMetrics) -> Health {
    let mut reasons = Vec::new();
    let mut status = HealthStatus::Up;
    if let Some(age) = m.oldest_queued_age_seconds {
        if age > DOWN_QUEUE_AGE_SECS {
            status = HealthStatus::Down;
            reasons.push(HealthReason {
                code: "QUEUE_STALLED",
                message: format!(
                    "the oldest due queued message has waited {age} s (more than {DOWN_QUEUE_AGE_SECS} s)"
                ),
            });
        } else if age > DEGRADED_QUEUE_AGE_SECS {
            status = HealthStatus::Degraded;
            reasons.push(HealthReason {
                code: "QUEUE_SLOW",
                message: format!(
                    "the oldest due queued message has waited {age} s (more than {DEGRADED_QUEUE_AGE_SECS} s)"
                ),
            });
        }
    }
    let h = &m.last_hour;
    if h.attempts >= MIN_ATTEMPTS_FOR_RATE {
        if let Some(rate) = h.failure_rate.filter(|r| *r > DEGRADED_FAILURE_RATE) {
            if status == HealthStatus::Up {
                status = HealthStatus::Degraded;
            }
            reasons.push(HealthReason {
                code: "HIGH_FAILURE_RATE",
                message: format!(
                    "{} of {} attempts failed in the last hour ({:.1} %, more than {:.0} %)",
                    h.failed_attempts,
                    h.attempts,
                    rate * 100.0,
                    DEGRADED_FAILURE_RATE * 100.0
                ),
            });
        }
    }
    if h.dead_letters > 0 {
        if status == HealthStatus::Up {
            status = HealthStatus::Degraded;
        }
        reasons.push(HealthReason {
            code: "DEAD_LETTERS",
            message: format!("{} message(s) dead-lettered in the last hour", h.dead_letters),
        });
    }
    Health { status, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(age: Option<i64>, attempts: i64, failed: i64, dead: i64) -> OutboundMetrics {
        let rate = (attempts > 0).then(|| failed as f64 / attempts as f64);
        OutboundMetrics {
            oldest_queued_age_seconds: age,
            last_hour: WindowStats {
                attempts,
                failed_attempts: failed,
                failure_rate: rate,
                dead_letters: dead,
                ..WindowStats::default()
            },
            ..OutboundMetrics::default()
        }
    }

    fn codes(h: &Health) -> Vec<&str> {
        h.reasons.iter().map(|r| r.code).collect()
    }

    #[test]
    fn up_when_nothing_is_wrong() {
        let h = assess(&with(Some(120), 10, 2, 0));
        assert_eq!(h.status, HealthStatus::Up, "120 s and exactly 20 % are still fine");
        assert!(h.reasons.is_empty());
        assert_eq!(assess(&with(None, 0, 0, 0)).status, HealthStatus::Up);
    }

    #[test]
    fn degraded_reasons() {
        assert_eq!(codes(&assess(&with(Some(121), 0, 0, 0))), ["QUEUE_SLOW"]);
        assert_eq!(assess(&with(Some(121), 0, 0, 0)).status, HealthStatus::Degraded);
        let h = assess(&with(None, 5, 2, 1));
        assert_eq!(h.status, HealthStatus::Degraded);
        assert_eq!(codes(&h), ["HIGH_FAILURE_RATE", "DEAD_LETTERS"]);
        // a high rate over fewer than 5 attempts is noise
        assert_eq!(assess(&with(None, 4, 4, 0)).status, HealthStatus::Up);
    }

    #[test]
    fn down_wins_and_keeps_every_reason() {
        let h = assess(&with(Some(901), 10, 9, 2));
        assert_eq!(h.status, HealthStatus::Down);
        assert_eq!(codes(&h), ["QUEUE_STALLED", "HIGH_FAILURE_RATE", "DEAD_LETTERS"]);
        assert_eq!(assess(&with(Some(900), 0, 0, 0)).status, HealthStatus::Degraded);
        assert_eq!(down_database().status, HealthStatus::Down);
    }
}
