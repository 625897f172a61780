//! CSV export of annonces (PRODUCT.md §11), MANAGER and above. As for dossiers, the `EXPORT`
//! audit event (entityType "ANNONCE", a fresh id for the export, the filters in `after`) is written
//! when the export starts, before any row is sent.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::error::DomainResult;
use crate::identity::{Actor, Capability, OrgId};
use crate::ports::{AuditLog, NewAuditEvent};

use super::{check_filter, Annonce, AnnonceFilter, ENTITY_TYPE};

/// Rows per keyset-paginated read of an export.
pub const EXPORT_CHUNK: u32 = 1000;

/// Keyset position of an export: the last row sent, in (createdAt, id) descending order.
pub type ExportCursor = (DateTime<Utc>, Uuid);

pub trait AnnonceExportStore {
    /// Up to `limit` annonces matching `filter`, newest first (createdAt, id descending), strictly
    /// after `after`.
    fn annonce_export_chunk(
        &mut self,
        org: OrgId,
        filter: &AnnonceFilter,
        after: Option<ExportCursor>,
        limit: u32,
    ) -> DomainResult<Vec<Annonce>>;
}

pub fn start_export(
    store: &mut impl AuditLog,
    actor: &Actor,
    filter: &AnnonceFilter,
    correlation_id: Option<String>,
) -> DomainResult<()> {
    actor.require(Capability::Manage)?;
    check_filter(filter)?;
    let money = |m: Option<crate::money::Money>| m.map(|m| m.to_string());
    store.record(NewAuditEvent {
        org_id: actor.org_id,
        actor_user_id: Some(actor.user_id),
        action: "EXPORT",
        entity_type: ENTITY_TYPE,
        entity_id: Uuid::now_v7(),
        before: None,
        after: Some(json!({
            "format": "csv",
            "filters": {
                "status": filter.status.map(|s| s.as_str()),
                "transactionType": filter.transaction_type.map(|t| t.as_str()),
                "propertyType": filter.property_type.map(|p| p.as_str()),
                "city": filter.city,
                "minPrice": money(filter.min_price),
                "maxPrice": money(filter.max_price),
                "q": filter.q,
            }
        })),
        correlation_id,
    })
}

pub fn export_chunk(
    store: &mut impl AnnonceExportStore,
    actor: &Actor,
    filter: &AnnonceFilter,
    after: Option<ExportCursor>,
) -> DomainResult<Vec<Annonce>> {
    actor.require(Capability::Manage)?;
    store.annonce_export_chunk(actor.org_id, filter, after, EXPORT_CHUNK)
}
