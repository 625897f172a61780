//! Dossiers use cases (PRODUCT.md §3): create with deduplication, read, list, update, delete,
//! status workflow, assignment, duplicate lookup. Every write records its audit event (entityType
//! "DOSSIER") and, where §3/§8 name one, its timeline activity, in the caller's transaction.
//!
//! Refusals that are not a [`DomainError`] (a body reference that does not exist, an annonce that
//! cannot take new dossiers, a refused transition) come back as `Ok(Err(DossierRefusal))`: each one
//! is decided before anything is written, so committing the (read-only) transaction is harmless.

mod create;
mod manage;
pub mod transfer;
mod workflow;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::annonce::AnnonceStatus;
use crate::dossier::{DossierDraft, DossierStatus, DossierType, Source, TransitionError};
use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{normalize_email, OrgId, UserId};
use crate::money::Money;
use crate::phone::{normalize_phone, PhoneE164};
use crate::ports::NewAuditEvent;
use crate::validation::finish;

pub use create::{create_dossier, create_or_merge, CreateOutcome};
pub use manage::{
    delete_dossier, find_duplicates, get_dossier, list_dossiers, search_text, update_dossier, DUPLICATES_LIMIT,
};
pub use workflow::{assign_dossier, available_transitions, change_status, status_history, StatusChange};

pub const ENTITY_TYPE: &str = "DOSSIER";

/// A stored dossier.
#[derive(Debug, Clone, PartialEq)]
pub struct Dossier {
    pub id: Uuid,
    pub reference: String,
    pub annonce_id: Option<Uuid>,
    pub lead_name: String,
    pub lead_phone: Option<PhoneE164>,
    pub lead_email: Option<String>,
    pub whatsapp_user_id: Option<String>,
    pub source: Source,
    pub dossier_type: DossierType,
    pub status: DossierStatus,
    pub assigned_to: Option<UserId>,
    pub budget_min: Option<Money>,
    pub budget_max: Option<Money>,
    pub notes: Option<String>,
    pub loss_reason: Option<String>,
    pub won_reason: Option<String>,
    pub status_comment: Option<String>,
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl Dossier {
    /// Audit snapshot in the API representation (same camelCase names), so that the diff reads
    /// like the resource a client sees.
    pub fn snapshot(&self) -> Value {
        let money = |m: Option<Money>| m.map(Money::to_f64);
        json!({
            "id": self.id,
            "reference": self.reference,
            "annonceId": self.annonce_id,
            "leadName": self.lead_name,
            "leadPhone": self.lead_phone.as_ref().map(PhoneE164::as_str),
            "leadEmail": self.lead_email,
            "whatsappUserId": self.whatsapp_user_id,
            "source": self.source.as_str(),
            "type": self.dossier_type.as_str(),
            "status": self.status.as_str(),
            "assignedToUserId": self.assigned_to.map(|u| u.0),
            "budgetMin": money(self.budget_min),
            "budgetMax": money(self.budget_max),
            "notes": self.notes,
            "lossReason": self.loss_reason,
            "wonReason": self.won_reason,
            "statusComment": self.status_comment,
            "version": self.version,
        })
    }
}

/// What a client (or the CSV import, or WhatsApp inbound) submits: raw values, validated and
/// normalised by [`parse_input`]. `whatsapp_user_id` is never taken from the REST API.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DossierInput {
    pub annonce_id: Option<Uuid>,
    pub lead_name: Option<String>,
    pub lead_phone: Option<String>,
    pub lead_email: Option<String>,
    pub whatsapp_user_id: Option<String>,
    pub source: Option<Source>,
    pub dossier_type: Option<DossierType>,
    pub assigned_to: Option<Uuid>,
    pub budget_min: Option<f64>,
    pub budget_max: Option<f64>,
    pub notes: Option<String>,
}

/// A validated [`DossierInput`].
#[derive(Debug, Clone, PartialEq)]
pub struct DossierData {
    pub annonce_id: Option<Uuid>,
    pub draft: DossierDraft,
    pub source: Source,
    pub dossier_type: DossierType,
    pub assigned_to: Option<UserId>,
}

impl DossierData {
    /// The submitted data, for the `DUPLICATE_MERGED` activity's metadata.
    pub fn submitted(&self) -> Value {
        let d = &self.draft;
        json!({
            "annonceId": self.annonce_id,
            "leadName": d.lead_name,
            "leadPhone": d.lead_phone.as_ref().map(PhoneE164::as_str),
            "leadEmail": d.lead_email,
            "whatsappUserId": d.whatsapp_user_id,
            "source": self.source.as_str(),
            "type": self.dossier_type.as_str(),
            "assignedToUserId": self.assigned_to.map(|u| u.0),
            "budgetMin": d.budget_min.map(Money::to_f64),
            "budgetMax": d.budget_max.map(Money::to_f64),
            "notes": d.notes,
        })
    }
}

/// Why a request was refused without being a [`DomainError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DossierRefusal {
    /// 404 `NOT_FOUND`: a reference in the body (`annonceId`, `assignedToUserId`, `userId`) names
    /// nothing in the caller's org.
    UnknownReference { field: &'static str },
    /// 422 `ANNONCE_NOT_AVAILABLE`: only PUBLISHED or PAUSED annonces take new dossiers.
    AnnonceNotAvailable { status: AnnonceStatus },
    /// 409 `INVALID_TRANSITION` / 400 `REASON_REQUIRED` / 400 `VALIDATION_ERROR`.
    Transition(TransitionError),
}

pub type Refusable<T> = DomainResult<Result<T, DossierRefusal>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DossierSortField {
    #[default]
    CreatedAt,
    UpdatedAt,
    LastActivityAt,
    LeadName,
    Reference,
    Status,
}

impl DossierSortField {
    pub const NAMES: &'static [&'static str] =
        &["createdAt", "updatedAt", "lastActivityAt", "leadName", "reference", "status"];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "createdAt" => DossierSortField::CreatedAt,
            "updatedAt" => DossierSortField::UpdatedAt,
            "lastActivityAt" => DossierSortField::LastActivityAt,
            "leadName" => DossierSortField::LeadName,
            "reference" => DossierSortField::Reference,
            "status" => DossierSortField::Status,
            _ => return None,
        })
    }
}

/// Free-text search: `text` is matched case-insensitively as a substring of name, email, phone and
/// reference; `phone_digits` (≥ 4 digits of the text) and `phone` (the text as an E.164 number in
/// the org's country) let `06 12 34 56 78` find `+33612345678`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DossierText {
    pub text: String,
    pub phone_digits: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DossierFilter {
    pub status: Option<DossierStatus>,
    pub source: Option<Source>,
    pub dossier_type: Option<DossierType>,
    pub assigned_to: Option<Uuid>,
    pub annonce_id: Option<Uuid>,
    pub q: Option<DossierText>,
    /// Inclusive.
    pub created_from: Option<DateTime<Utc>>,
    /// Exclusive (the handler turns an inclusive date into the next day's start).
    pub created_before: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DossierListQuery {
    /// Raw `q`; turned into [`DossierFilter::q`] by [`list_dossiers`].
    pub text: Option<String>,
    pub filter: DossierFilter,
    pub sort: DossierSortField,
    pub descending: bool,
    pub page: u32,
    pub size: u32,
}

/// One status change, as stored and as `status-history` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusHistoryEntry {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub from_status: DossierStatus,
    pub to_status: DossierStatus,
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub changed_by: Option<UserId>,
    pub changed_at: DateTime<Utc>,
}

/// Persistence of dossiers. Every method is scoped to `org`.
pub trait DossierStore {
    /// Inserts the dossier unless an open dossier of the org already holds its phone or email key
    /// for the same annonce (the database's partial unique indexes decide, so concurrent creates
    /// cannot both win). Returns false when nothing was inserted.
    fn insert_dossier_unless_duplicate(&mut self, org: OrgId, dossier: &Dossier) -> DomainResult<bool>;
    /// The open dossier a submission duplicates: oldest same-phone match, else oldest same-email
    /// match, both with the same annonce (null = null). See [`crate::dedup`].
    fn find_open_duplicate(
        &mut self,
        org: OrgId,
        phone: Option<&str>,
        email: Option<&str>,
        annonce: Option<Uuid>,
    ) -> DomainResult<Option<Dossier>>;
    fn find_dossier(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<Dossier>>;
    /// Same, locking the row until the end of the transaction.
    fn lock_dossier(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<Dossier>>;
    /// Writes every field of `dossier` (matched by id). A clash with another open dossier's
    /// phone/email key is `DomainError::Conflict`.
    fn update_dossier(&mut self, org: OrgId, dossier: &Dossier) -> DomainResult<()>;
    fn delete_dossier(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool>;
    fn list_dossiers(&mut self, org: OrgId, query: &DossierListQuery) -> DomainResult<(Vec<Dossier>, u64)>;
    /// Open dossiers whose lead or one of whose parties has this phone or this email, oldest first.
    fn find_dossiers_by_contact(
        &mut self,
        org: OrgId,
        phone: Option<&str>,
        email: Option<&str>,
        limit: u32,
    ) -> DomainResult<Vec<Dossier>>;
    fn add_status_history(&mut self, org: OrgId, entry: &StatusHistoryEntry) -> DomainResult<()>;
    /// Oldest first.
    fn status_history(&mut self, org: OrgId, dossier: Uuid) -> DomainResult<Vec<StatusHistoryEntry>>;
    /// Status of an annonce of the org, None when it does not exist there.
    fn annonce_status(&mut self, org: OrgId, annonce: Uuid) -> DomainResult<Option<AnnonceStatus>>;
}

/// Validates and normalises a submission: every violation at once, camelCase field names. Phones
/// are read in the org's `default_country`; emails trimmed and lower-cased; blank texts → None.
pub fn parse_input(input: DossierInput, default_country: &str) -> DomainResult<DossierData> {
    let mut errors: Vec<FieldViolation> = Vec::new();
    let lead_phone = match clean(input.lead_phone) {
        Some(raw) => match normalize_phone(&raw, default_country, "leadPhone") {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        None => None,
    };
    let phone_invalid = !errors.is_empty();
    let lead_email = clean(input.lead_email);
    let mut budget =
        |v: Option<f64>, field: &str| v.and_then(|v| Money::from_f64(v, field).map_err(|e| errors.push(e)).ok());
    let budget_min = budget(input.budget_min, "budgetMin");
    let budget_max = budget(input.budget_max, "budgetMax");
    let draft = DossierDraft {
        lead_name: input.lead_name.as_deref().map(str::trim).unwrap_or_default().to_string(),
        lead_phone,
        lead_email: lead_email.clone(),
        whatsapp_user_id: clean(input.whatsapp_user_id),
        budget_min,
        budget_max,
        notes: clean(input.notes),
    };
    // An unparseable phone already has its own message; "phone or email required" would be noise.
    errors.extend(draft.validate_fields().into_iter().filter(|v| !(phone_invalid && v.field == "leadPhone")));
    if input.source.is_none() {
        errors.push(FieldViolation::new("source", "source is required"));
    }
    if input.dossier_type.is_none() {
        errors.push(FieldViolation::new("type", "type is required"));
    }
    let (Some(source), Some(dossier_type)) = (input.source, input.dossier_type) else {
        return Err(DomainError::Validation(errors));
    };
    finish(errors)?;
    let lead_email = match lead_email.as_deref().map(normalize_email) {
        Some(Ok(e)) => Some(e),
        Some(Err(_)) => return Err(DomainError::invalid("leadEmail", "must be a valid email address")),
        None => None,
    };
    Ok(DossierData {
        annonce_id: input.annonce_id,
        draft: DossierDraft { lead_email, ..draft },
        source,
        dossier_type,
        assigned_to: input.assigned_to.map(UserId),
    })
}

fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn audit(
    org: OrgId,
    by: Option<UserId>,
    action: &'static str,
    id: Uuid,
    before: Option<&Dossier>,
    after: Option<&Dossier>,
    correlation_id: Option<String>,
) -> NewAuditEvent {
    NewAuditEvent {
        org_id: org,
        actor_user_id: by,
        action,
        entity_type: ENTITY_TYPE,
        entity_id: id,
        before: before.map(Dossier::snapshot),
        after: after.map(Dossier::snapshot),
        correlation_id,
    }
}

/// `If-Match` / body `version` against the stored version.
fn check_version(current: &Dossier, expected: Option<i32>) -> DomainResult<()> {
    match expected {
        Some(v) if v != current.version => Err(DomainError::VersionConflict),
        _ => Ok(()),
    }
}
