//! DTOs of rendez-vous (PRODUCT.md §6).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AppointmentStatus {
    Scheduled,
    Confirmed,
    Done,
    NoShow,
    Cancelled,
}

/// `POST /api/v1/appointments`. `status` defaults to `SCHEDULED`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAppointmentRequest {
    pub dossier_id: Uuid,
    #[serde(default)]
    pub annonce_id: Option<Uuid>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub assigned_to_user_id: Option<Uuid>,
    #[serde(default)]
    pub status: Option<AppointmentStatus>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// `PUT /api/v1/appointments/{id}`: the full representation (absent optional fields become null;
/// an absent `status` keeps the current one) plus the optional expected `version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateAppointmentRequest {
    pub dossier_id: Uuid,
    #[serde(default)]
    pub annonce_id: Option<Uuid>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub assigned_to_user_id: Option<Uuid>,
    #[serde(default)]
    pub status: Option<AppointmentStatus>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub version: Option<i32>,
}

/// A non-blocking remark on a write, e.g. `{code: "OVERLAP", appointmentId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentWarning {
    pub code: String,
    pub appointment_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentDto {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub annonce_id: Option<Uuid>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: Option<String>,
    pub assigned_to_user_id: Option<Uuid>,
    pub status: AppointmentStatus,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// Present (possibly empty) on the answer of a create or update; absent on reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<AppointmentWarning>>,
}
