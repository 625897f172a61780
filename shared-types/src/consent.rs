//! DTOs of consentements (consents), PRODUCT.md §7.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::party::dto_enum;

dto_enum! {
    pub enum ConsentChannel {
        Whatsapp => "WHATSAPP",
        Sms => "SMS",
        Email => "EMAIL",
        Phone => "PHONE",
    }
}

dto_enum! {
    pub enum ConsentPurpose {
        Contact => "CONTACT",
        Marketing => "MARKETING",
    }
}

dto_enum! {
    pub enum ConsentStatus {
        Granted => "GRANTED",
        Denied => "DENIED",
        Revoked => "REVOKED",
    }
}

dto_enum! {
    pub enum ConsentSource {
        Ui => "UI",
        WebForm => "WEB_FORM",
        WhatsappInbound => "WHATSAPP_INBOUND",
        Import => "IMPORT",
        Api => "API",
    }
}

/// Body of `POST /consentements`: a new consent state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateConsentRequest {
    pub dossier_id: Uuid,
    pub channel: ConsentChannel,
    pub purpose: ConsentPurpose,
    pub status: ConsentStatus,
    pub source: ConsentSource,
    #[serde(default)]
    pub proof: Option<String>,
    #[serde(default)]
    pub captured_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// Body of `PUT /consentements/{id}`: the next state of the same (dossier, channel, purpose).
/// `dossierId`, `channel` and `purpose` may be repeated (full representation) but must then be
/// those of the record named in the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NextConsentRequest {
    #[serde(default)]
    pub dossier_id: Option<Uuid>,
    #[serde(default)]
    pub channel: Option<ConsentChannel>,
    #[serde(default)]
    pub purpose: Option<ConsentPurpose>,
    pub status: ConsentStatus,
    pub source: ConsentSource,
    #[serde(default)]
    pub proof: Option<String>,
    #[serde(default)]
    pub captured_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentDto {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub channel: ConsentChannel,
    pub purpose: ConsentPurpose,
    pub status: ConsentStatus,
    pub source: ConsentSource,
    pub proof: Option<String>,
    pub captured_at: DateTime<Utc>,
    pub captured_by_user_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// `GET /consentements?dossierId=`: the latest record per (channel, purpose), and every record
/// newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentOverview {
    pub current: Vec<ConsentDto>,
    pub history: Vec<ConsentDto>,
}
