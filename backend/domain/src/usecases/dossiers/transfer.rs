//! CSV export and import of dossiers (PRODUCT.md §11). The CSV encoding itself is the adapter's
//! job; here: who may, which rows, how an imported line becomes a dossier, and the audit trail.
//!
//! Audit: one `EXPORT` event per export, written when the export STARTS (before the first byte is
//! sent) with the filters in `after`, so that an export cut short by the client is still on record;
//! the row count is not known then and is not recorded. One `IMPORT` event per import, written at
//! the end with the counts. Both carry a fresh id of their own as `entityId` (the export or import
//! is the entity), entityType "DOSSIER".

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::dossier::{DossierType, Source};
use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{Actor, Capability};
use crate::ports::{ActivityLog, AuditLog, IdentityStore, NewAuditEvent, OrgDirectory};

use super::{
    create_or_merge, manage::search_text, Dossier, DossierFilter, DossierInput, DossierRefusal, DossierStore,
    ENTITY_TYPE,
};

/// Rows per keyset-paginated read of an export.
pub const EXPORT_CHUNK: u32 = 1000;

/// The CSV import's header, exactly (PRODUCT.md §11).
pub const IMPORT_COLUMNS: [&str; 7] =
    ["leadName", "leadPhone", "leadEmail", "source", "type", "annonceReference", "notes"];

/// Keyset position of an export: the last row sent, in (createdAt, id) descending order.
pub type ExportCursor = (DateTime<Utc>, Uuid);

pub trait DossierTransferStore {
    /// Up to `limit` dossiers matching `filter`, newest first (createdAt, id descending), strictly
    /// after `after`.
    fn dossier_export_chunk(
        &mut self,
        org: crate::identity::OrgId,
        filter: &DossierFilter,
        after: Option<ExportCursor>,
        limit: u32,
    ) -> DomainResult<Vec<Dossier>>;
    /// The org's annonce with this reference (exact match).
    fn annonce_id_by_reference(&mut self, org: crate::identity::OrgId, reference: &str) -> DomainResult<Option<Uuid>>;
}

fn filter_json(filter: &DossierFilter, text: Option<&str>) -> Value {
    json!({
        "status": filter.status.map(|s| s.as_str()),
        "source": filter.source.map(|s| s.as_str()),
        "type": filter.dossier_type.map(|t| t.as_str()),
        "assignedToUserId": filter.assigned_to,
        "annonceId": filter.annonce_id,
        "q": text,
        "createdFrom": filter.created_from,
        "createdBefore": filter.created_before,
    })
}

/// Starts an export (MANAGER+): resolves the free-text filter like the list does and records the
/// `EXPORT` audit event. Returns the filter to pass to [`export_chunk`].
pub fn start_export(
    store: &mut (impl AuditLog + OrgDirectory),
    actor: &Actor,
    text: Option<String>,
    filter: DossierFilter,
    correlation_id: Option<String>,
) -> DomainResult<DossierFilter> {
    actor.require(Capability::Manage)?;
    store.record(NewAuditEvent {
        org_id: actor.org_id,
        actor_user_id: Some(actor.user_id),
        action: "EXPORT",
        entity_type: ENTITY_TYPE,
        entity_id: Uuid::now_v7(),
        before: None,
        after: Some(json!({ "format": "csv", "filters": filter_json(&filter, text.as_deref()) })),
        correlation_id,
    })?;
    let mut filter = filter;
    if let Some(text) = text {
        let country = store.org_settings(actor.org_id)?.default_country;
        filter.q = Some(search_text(text, &country));
    }
    Ok(filter)
}

/// The next chunk of an export started by [`start_export`].
pub fn export_chunk(
    store: &mut impl DossierTransferStore,
    actor: &Actor,
    filter: &DossierFilter,
    after: Option<ExportCursor>,
) -> DomainResult<Vec<Dossier>> {
    actor.require(Capability::Manage)?;
    store.dossier_export_chunk(actor.org_id, filter, after, EXPORT_CHUNK)
}

/// One data line of an import file; empty cells are None.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportLine {
    pub lead_name: Option<String>,
    pub lead_phone: Option<String>,
    pub lead_email: Option<String>,
    pub source: Option<String>,
    pub dossier_type: Option<String>,
    pub annonce_reference: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOutcome {
    Created,
    Deduplicated,
    /// Nothing was written for this line.
    Rejected(Vec<FieldViolation>),
}

fn one_of(allowed: &[&str]) -> String {
    format!("must be one of {}", allowed.join(", "))
}

/// Imports one line (MANAGER+) through the same validation and deduplication as `POST
/// /dossiers` ([`create_or_merge`]). Errors the line causes come back as [`LineOutcome::Rejected`],
/// with the CSV column names as fields; an `Err` is an infrastructure failure (or a role refusal).
pub fn import_line(
    store: &mut (impl DossierStore + DossierTransferStore + AuditLog + ActivityLog + OrgDirectory + IdentityStore),
    actor: &Actor,
    line: ImportLine,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<LineOutcome> {
    actor.require(Capability::Manage)?;
    let org = actor.org_id;
    let mut errors = Vec::new();
    // Unknown enum names are reported with the other violations; the placeholder values below are
    // never stored because the line is then rejected.
    let source = match line.source.as_deref() {
        None => Some(Source::Import),
        Some(s) => Source::parse(s).or_else(|| {
            let names: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
            errors.push(FieldViolation::new("source", one_of(&names)));
            Some(Source::Import)
        }),
    };
    let dossier_type = match line.dossier_type.as_deref() {
        None => None,
        Some(t) => DossierType::parse(t).or_else(|| {
            let names: Vec<&str> = DossierType::ALL.iter().map(|t| t.as_str()).collect();
            errors.push(FieldViolation::new("type", one_of(&names)));
            Some(DossierType::Buy)
        }),
    };
    let annonce_id = match line.annonce_reference.as_deref() {
        None => None,
        Some(r) => match store.annonce_id_by_reference(org, r)? {
            Some(id) => Some(id),
            None => {
                errors
                    .push(FieldViolation::new("annonceReference", "no annonce of the organisation has this reference"));
                None
            }
        },
    };
    let input = DossierInput {
        annonce_id,
        lead_name: line.lead_name,
        lead_phone: line.lead_phone,
        lead_email: line.lead_email,
        whatsapp_user_id: None,
        source,
        dossier_type,
        assigned_to: None,
        budget_min: None,
        budget_max: None,
        notes: line.notes,
    };
    if !errors.is_empty() {
        // The other violations of the line too, all at once (the common, valid path skips this:
        // create_or_merge validates again).
        let country = store.org_settings(org)?.default_country;
        if let Err(DomainError::Validation(v)) = super::parse_input(input, &country) {
            errors.extend(v);
        }
        return Ok(LineOutcome::Rejected(errors));
    }
    match create_or_merge(store, org, Some(actor.user_id), input, now, correlation_id) {
        Ok(Ok(outcome)) if outcome.created => Ok(LineOutcome::Created),
        Ok(Ok(_)) => Ok(LineOutcome::Deduplicated),
        Ok(Err(refusal)) => Ok(LineOutcome::Rejected(vec![refusal_violation(refusal)])),
        Err(DomainError::Validation(v)) => Ok(LineOutcome::Rejected(v)),
        // The retries against a concurrent writer on the same lead ran out: this line only.
        Err(DomainError::Conflict(message)) => Ok(LineOutcome::Rejected(vec![FieldViolation::new("line", message)])),
        Err(other) => Err(other),
    }
}

fn refusal_violation(r: DossierRefusal) -> FieldViolation {
    match r {
        DossierRefusal::AnnonceNotAvailable { status } => FieldViolation::new(
            "annonceReference",
            format!("the annonce is {status}; only PUBLISHED or PAUSED annonces take new dossiers"),
        ),
        DossierRefusal::UnknownReference { field: "annonceId" } => {
            FieldViolation::new("annonceReference", "no annonce of the organisation has this reference")
        }
        DossierRefusal::UnknownReference { field } => FieldViolation::new(field, "not found"),
        DossierRefusal::Transition(_) => FieldViolation::new("line", "refused"),
    }
}

/// Counts of a finished import, for the `IMPORT` audit event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportCounts {
    pub lines: u64,
    pub created: u64,
    pub deduplicated: u64,
    pub rejected: u64,
}

/// Records the `IMPORT` audit event of a finished import (MANAGER+).
pub fn record_import(
    store: &mut impl AuditLog,
    actor: &Actor,
    counts: ImportCounts,
    correlation_id: Option<String>,
) -> DomainResult<()> {
    actor.require(Capability::Manage)?;
    store.record(NewAuditEvent {
        org_id: actor.org_id,
        actor_user_id: Some(actor.user_id),
        action: "IMPORT",
        entity_type: ENTITY_TYPE,
        entity_id: Uuid::now_v7(),
        before: None,
        after: Some(json!({
            "format": "csv",
            "lines": counts.lines,
            "created": counts.created,
            "deduplicated": counts.deduplicated,
            "rejected": counts.rejected,
        })),
        correlation_id,
    })
}
