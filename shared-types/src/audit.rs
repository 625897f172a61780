//! DTOs of the audit trail (PRODUCT.md §9).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// One item of `GET /api/v1/audit-events`. `diff` is an RFC 6902 patch from `before` to `after`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventDto {
    pub id: Uuid,
    pub actor_user_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub diff: Option<Value>,
    pub correlation_id: Option<String>,
    pub created_at: DateTime<Utc>,
}
