//! Reading the audit trail, PRODUCT.md §9 (MANAGER+). Events are written by every other use case
//! through `AuditLog`; nothing here changes them (the table is append-only).

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::error::DomainResult;
use crate::identity::{Actor, Capability, OrgId};

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEventRecord {
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

/// Filters of `GET /audit-events`; `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub action: Option<AuditAction>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// By `createdAt`; newest first by default.
    pub descending: bool,
    pub page: u32,
    pub size: u32,
}

pub trait AuditReader {
    fn list_audit_events(&mut self, org: OrgId, filter: &AuditFilter) -> DomainResult<(Vec<AuditEventRecord>, u64)>;
}

pub fn list_audit_events(
    store: &mut impl AuditReader,
    actor: &Actor,
    filter: &AuditFilter,
) -> DomainResult<(Vec<AuditEventRecord>, u64)> {
    actor.require(Capability::Manage)?;
    store.list_audit_events(actor.org_id, filter)
}
