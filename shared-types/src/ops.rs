//! `GET /api/v1/ops/outbound/metrics` and `GET /api/v1/ops/outbound/health` (PRODUCT.md §10,
//! MANAGER+, over the caller's org). Definitions of every number and the health thresholds:
//! `atlas_domain::usecases::ops` (module docs) and docs/whatsapp.md.
//!
//! ```json
//! {
//!   "generatedAt": "2026-11-30T10:00:00Z",
//!   "countsByStatus": {"QUEUED": 1, "SENDING": 0, "SENT": 4, "DELIVERED": 2, "READ": 7, "FAILED": 1, "CANCELLED": 0},
//!   "queueDepth": 1,
//!   "oldestQueuedAgeSeconds": 12,
//!   "deadLetters": 1,
//!   "lastHour": {
//!     "attempts": 10, "failedAttempts": 2, "failureRate": 0.2, "deliveryFailures": 0, "deadLetters": 1,
//!     "topErrorCodes": [{"code": "HTTP_500", "count": 2}],
//!     "queuedToSent": {"count": 8, "p50Seconds": 0.4, "p95Seconds": 31.2},
//!     "sentToDelivered": {"count": 6, "p50Seconds": 1.5, "p95Seconds": 3.0}
//!   },
//!   "last24Hours": { "...": "same shape" }
//! }
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Outbound messages per current status; every status is present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct StatusCountsDto {
    pub queued: i64,
    pub sending: i64,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    pub cancelled: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorCodeCountDto {
    pub code: String,
    pub count: i64,
}

/// A latency distribution in seconds (3 decimals); p50/p95 null when `count` is 0.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencyDto {
    pub count: i64,
    pub p50_seconds: Option<f64>,
    pub p95_seconds: Option<f64>,
}

/// One window ending now (`lastHour`, `last24Hours`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundWindowDto {
    /// Provider calls finished in the window.
    pub attempts: i64,
    /// Those whose outcome was not SENT (RETRY, FAILED, DEAD_LETTER).
    pub failed_attempts: i64,
    /// failedAttempts / attempts, 4 decimals; null without attempts.
    pub failure_rate: Option<f64>,
    /// Accepted by the provider, then reported `failed` by a status callback.
    pub delivery_failures: i64,
    /// Messages dead-lettered in the window.
    pub dead_letters: i64,
    /// At most 5, most frequent first (then by code), over failed attempts and delivery failures.
    pub top_error_codes: Vec<ErrorCodeCountDto>,
    /// createdAt → sentAt of the messages sent in the window.
    pub queued_to_sent: LatencyDto,
    /// sentAt → deliveredAt of the messages delivered in the window.
    pub sent_to_delivered: LatencyDto,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundMetricsDto {
    pub generated_at: DateTime<Utc>,
    pub counts_by_status: StatusCountsDto,
    /// QUEUED + SENDING.
    pub queue_depth: i64,
    /// Whole seconds the oldest due QUEUED message has waited; null when none is due.
    pub oldest_queued_age_seconds: Option<i64>,
    /// Messages dead-lettered now.
    pub dead_letters: i64,
    pub last_hour: OutboundWindowDto,
    #[serde(rename = "last24Hours")]
    pub last_24_hours: OutboundWindowDto,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthReasonDto {
    /// `DATABASE_UNAVAILABLE`, `QUEUE_STALLED`, `QUEUE_SLOW`, `HIGH_FAILURE_RATE`, `DEAD_LETTERS`.
    pub code: String,
    pub message: String,
}

/// `{status: "UP"|"DEGRADED"|"DOWN", reasons: [...]}`; HTTP 200 when UP or DEGRADED, 503 when DOWN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundHealthDto {
    pub status: String,
    pub reasons: Vec<HealthReasonDto>,
}
