//! DTOs of timeline activities (PRODUCT.md §8).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivityType {
    Note,
    StatusChange,
    Message,
    Appointment,
    Consent,
    Party,
    DossierCreated,
    DuplicateMerged,
    OutboundStatus,
    System,
}

/// `POST /api/v1/activities`: notes only; `type`, when given, must be `NOTE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateNoteRequest {
    pub dossier_id: Uuid,
    pub content: String,
    /// Defaults to now.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default, rename = "type")]
    pub activity_type: Option<ActivityType>,
}

/// `PUT /api/v1/activities/{id}`: same body as the create plus `version`; a note stays on its
/// dossier, and an absent `occurredAt` keeps the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateNoteRequest {
    #[serde(default)]
    pub dossier_id: Option<Uuid>,
    pub content: String,
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default, rename = "type")]
    pub activity_type: Option<ActivityType>,
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDto {
    pub id: Uuid,
    pub dossier_id: Uuid,
    #[serde(rename = "type")]
    pub activity_type: ActivityType,
    pub content: String,
    pub metadata: Value,
    pub created_by_user_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}
