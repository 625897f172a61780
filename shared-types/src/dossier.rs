//! DTOs of dossiers (cases / leads), PRODUCT.md §3.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DossierStatus {
    New,
    Qualifying,
    Qualified,
    Appointment,
    Won,
    Lost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DossierSource {
    Web,
    Phone,
    Whatsapp,
    Email,
    WalkIn,
    Portal,
    Referral,
    Import,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DossierType {
    Buy,
    Rent,
    Sell,
    Let,
}

/// A dossier as every endpoint returns it. Money is a JSON number (2 decimals at most).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DossierDto {
    pub id: Uuid,
    pub reference: String,
    pub annonce_id: Option<Uuid>,
    pub lead_name: String,
    pub lead_phone: Option<String>,
    pub lead_email: Option<String>,
    /// Read-only: the WhatsApp business-scoped user id learnt from inbound messages (§10).
    pub whatsapp_user_id: Option<String>,
    pub source: DossierSource,
    #[serde(rename = "type")]
    pub dossier_type: DossierType,
    pub status: DossierStatus,
    pub assigned_to_user_id: Option<Uuid>,
    pub budget_min: Option<f64>,
    pub budget_max: Option<f64>,
    pub notes: Option<String>,
    pub loss_reason: Option<String>,
    pub won_reason: Option<String>,
    pub status_comment: Option<String>,
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Body of `POST /api/v1/dossiers`. `leadName`, `source` and `type` are required, and one of
/// `leadPhone`/`leadEmail`; they are optional here so that the server reports every missing field
/// at once. `status`, `reference` and `whatsappUserId` are not accepted (unknown field → 400).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDossierRequest {
    #[serde(default)]
    pub annonce_id: Option<Uuid>,
    #[serde(default)]
    pub lead_name: Option<String>,
    #[serde(default)]
    pub lead_phone: Option<String>,
    #[serde(default)]
    pub lead_email: Option<String>,
    #[serde(default)]
    pub source: Option<DossierSource>,
    #[serde(default, rename = "type")]
    pub dossier_type: Option<DossierType>,
    #[serde(default)]
    pub assigned_to_user_id: Option<Uuid>,
    #[serde(default)]
    pub budget_min: Option<f64>,
    #[serde(default)]
    pub budget_max: Option<f64>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Body of `PUT /api/v1/dossiers/{id}`: the POST body (absent = null) plus the optional expected
/// `version`. The status moves through `PATCH .../status` only.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateDossierRequest {
    #[serde(default)]
    pub annonce_id: Option<Uuid>,
    #[serde(default)]
    pub lead_name: Option<String>,
    #[serde(default)]
    pub lead_phone: Option<String>,
    #[serde(default)]
    pub lead_email: Option<String>,
    #[serde(default)]
    pub source: Option<DossierSource>,
    #[serde(default, rename = "type")]
    pub dossier_type: Option<DossierType>,
    #[serde(default)]
    pub assigned_to_user_id: Option<Uuid>,
    #[serde(default)]
    pub budget_min: Option<f64>,
    #[serde(default)]
    pub budget_max: Option<f64>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub version: Option<i32>,
}

/// Body of `PATCH /api/v1/dossiers/{id}/status`. Reasons are strings so that an unknown value is
/// answered `REASON_REQUIRED` with the accepted list rather than a bare parse error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeDossierStatusRequest {
    pub status: DossierStatus,
    #[serde(default)]
    pub loss_reason: Option<String>,
    #[serde(default)]
    pub won_reason: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// Body of `PATCH /api/v1/dossiers/{id}/assign`; `null` (or absent) unassigns.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignDossierRequest {
    #[serde(default)]
    pub user_id: Option<Uuid>,
}

/// One row of `GET /api/v1/dossiers/{id}/status-history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusHistoryEntryDto {
    pub from_status: DossierStatus,
    pub to_status: DossierStatus,
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub changed_by_user_id: Option<Uuid>,
    pub changed_at: DateTime<Utc>,
}

/// One entry of `GET /api/v1/dossiers/{id}/available-transitions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailableTransitionDto {
    pub to: DossierStatus,
    pub requires_reason: bool,
    pub reasons: Vec<String>,
}

/// `POST /api/v1/dossiers/import` (PRODUCT.md §11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DossierImportResult {
    pub created: u64,
    pub deduplicated: u64,
    pub rejected: Vec<ImportRejectedLine>,
}

/// A line of the file that was not imported; `line` counts the header as line 1 (one line per CSV
/// record, a quoted multi-line cell included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportRejectedLine {
    pub line: u64,
    pub errors: Vec<crate::FieldError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_request_rejects_status_and_unknown_fields() {
        let ok: Result<CreateDossierRequest, _> =
            serde_json::from_str(r#"{"leadName":"Léa","leadPhone":"0612345678","source":"WALK_IN","type":"BUY"}"#);
        assert!(
            matches!(&ok, Ok(r) if r.source == Some(DossierSource::WalkIn) && r.dossier_type == Some(DossierType::Buy))
        );
        for bad in [r#"{"status":"WON"}"#, r#"{"reference":"DOS-1"}"#, r#"{"whatsappUserId":"x"}"#] {
            assert!(serde_json::from_str::<CreateDossierRequest>(bad).is_err(), "{bad}");
            assert!(serde_json::from_str::<UpdateDossierRequest>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dto_uses_type_and_camel_case() {
        let d = DossierDto {
            id: Uuid::nil(),
            reference: "DOS-000001".into(),
            annonce_id: None,
            lead_name: "Léa".into(),
            lead_phone: Some("+33612345678".into()),
            lead_email: None,
            whatsapp_user_id: None,
            source: DossierSource::Web,
            dossier_type: DossierType::Rent,
            status: DossierStatus::New,
            assigned_to_user_id: None,
            budget_min: Some(1200.5),
            budget_max: None,
            notes: None,
            loss_reason: None,
            won_reason: None,
            status_comment: None,
            last_activity_at: DateTime::<Utc>::default(),
            created_at: DateTime::<Utc>::default(),
            updated_at: DateTime::<Utc>::default(),
            version: 1,
        };
        let v = serde_json::to_value(&d).unwrap_or_default();
        assert_eq!(v["type"], "RENT");
        assert_eq!(v["status"], "NEW");
        assert_eq!(v["budgetMin"], 1200.5);
        assert_eq!(v["leadPhone"], "+33612345678");
        assert!(v.get("lastActivityAt").is_some() && v.get("whatsappUserId").is_some());
    }
}
