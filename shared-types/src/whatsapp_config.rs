//! DTOs of the WhatsApp configuration (settings, templates) and of the webhook acknowledgement
//! (PRODUCT.md §10).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `PUT /api/v1/settings/whatsapp`. Every field is required: the secrets are write-only, so a
/// client can never send back "what it read".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WhatsappSettingsRequest {
    pub phone_number_id: String,
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
}

/// What `GET|PUT /api/v1/settings/whatsapp` answer: never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatsappSettingsDto {
    pub phone_number_id: Option<String>,
    pub configured: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/whatsapp/templates` and `PUT /api/v1/whatsapp/templates/{code}` (where `code`
/// may be omitted, and must equal the path when given). `category` is UTILITY, MARKETING or
/// AUTHENTICATION; `active` defaults to true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WhatsappTemplateRequest {
    #[serde(default)]
    pub code: Option<String>,
    pub language: String,
    pub category: String,
    pub body: String,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatsappTemplateDto {
    pub id: Uuid,
    pub code: String,
    pub language: String,
    pub category: String,
    pub body: String,
    /// Number of `{{n}}` parameters a send must give.
    pub param_count: u32,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Body of the webhook's 200: what happened to the items of the POST (Meta ignores it; tests
/// and operators read it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAck {
    /// Message and status items of the routed orgs.
    pub received: u32,
    pub processed: u32,
    /// Replays of an already stored message.
    pub duplicates: u32,
    /// Kept as FAILED raw events.
    pub failed: u32,
    /// Unknown phone number ids, unknown status ids, status values we do not track.
    pub ignored: u32,
}
