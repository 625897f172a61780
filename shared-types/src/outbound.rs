//! WhatsApp outbound messages (PRODUCT.md §10 "Outbound").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboundChannel {
    #[serde(rename = "WHATSAPP")]
    Whatsapp,
}

/// `POST /api/v1/outbound/messages` (optional `Idempotency-Key` header): exactly one of
/// `templateCode` (with `templateParams`) or `text`; `to` defaults to the dossier's lead phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateOutboundMessageRequest {
    pub dossier_id: Uuid,
    pub channel: OutboundChannel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_params: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One provider call: `outcome` is SENT, RETRY, FAILED or DEAD_LETTER.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundAttemptDto {
    pub attempt_no: u32,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundErrorDto {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// An outbound message; `status` is QUEUED, SENDING, SENT, DELIVERED, READ, FAILED or CANCELLED.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundMessageDto {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub channel: OutboundChannel,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_params: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    pub attempts: Vec<OutboundAttemptDto>,
    pub attempt_count: u32,
    pub max_attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub dead_lettered: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<OutboundErrorDto>,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<DateTime<Utc>>,
}
