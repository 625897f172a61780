//! Consentements, PRODUCT.md §7: append-only records. A "change" of consent is a new record; the
//! latest by `(capturedAt, creation order)` is the one the outbound policy reads.

use crate::wording::fr;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::activity::ActivityType;
use crate::consent::{
    current_states, history_newest_first, validate_consent_input, validate_next_state, ConsentChannel, ConsentInput,
    ConsentPurpose, ConsentRecord, ConsentSource, ConsentStatus,
};
use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{Actor, Capability, OrgId, UserId};
use crate::ports::{ActivityLog, AuditLog, NewActivity, NewAuditEvent};
use crate::usecases::parties::{micros, require_dossier, DossierLookup};
use crate::validation::finish;

/// A stored consent: the fields the policy reads (`record`) plus the rest of the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEntry {
    pub record: ConsentRecord,
    pub dossier_id: Uuid,
    pub source: ConsentSource,
    pub proof: Option<String>,
    pub captured_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

impl ConsentEntry {
    pub fn snapshot(&self) -> Value {
        let r = &self.record;
        json!({
            "id": r.id,
            "dossierId": self.dossier_id,
            "channel": r.channel.as_str(),
            "purpose": r.purpose.as_str(),
            "status": r.status.as_str(),
            "source": self.source.as_str(),
            "proof": self.proof,
            "capturedAt": r.captured_at,
            "capturedByUserId": self.captured_by.map(|u| u.0),
            "expiresAt": r.expires_at,
        })
    }
}

pub trait ConsentStore {
    /// Inserts the entry (its `record.seq` is ignored) and returns the creation order the database
    /// gave it.
    fn insert_consent(&mut self, org: OrgId, entry: &ConsentEntry) -> DomainResult<i64>;
    fn find_consent(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<ConsentEntry>>;
    /// Every record of a dossier, in any order.
    fn list_consents(&mut self, org: OrgId, dossier: Uuid) -> DomainResult<Vec<ConsentEntry>>;

    /// What the outbound policy needs of a dossier's consents.
    fn consent_records(&mut self, org: OrgId, dossier: Uuid) -> DomainResult<Vec<ConsentRecord>> {
        Ok(self.list_consents(org, dossier)?.into_iter().map(|e| e.record).collect())
    }
}

/// `POST /consentements`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub dossier_id: Uuid,
    pub channel: ConsentChannel,
    pub purpose: ConsentPurpose,
    pub status: ConsentStatus,
    pub source: ConsentSource,
    pub proof: Option<String>,
    pub captured_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// `PUT /consentements/{id}`: the next state; dossier, channel and purpose default to the
/// record's own and, when given, must equal them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextConsent {
    pub dossier_id: Option<Uuid>,
    pub channel: Option<ConsentChannel>,
    pub purpose: Option<ConsentPurpose>,
    pub status: ConsentStatus,
    pub source: ConsentSource,
    pub proof: Option<String>,
    pub captured_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentOverview {
    pub current: Vec<ConsentEntry>,
    pub history: Vec<ConsentEntry>,
}

fn to_input(n: &NewConsent, now: DateTime<Utc>) -> ConsentInput {
    ConsentInput {
        channel: n.channel,
        purpose: n.purpose,
        status: n.status,
        source: n.source,
        proof: n.proof.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string),
        captured_at: n.captured_at.map_or(now, micros),
        expires_at: n.expires_at.map(micros),
    }
}

pub fn record_consent(
    store: &mut (impl ConsentStore + DossierLookup + AuditLog + ActivityLog),
    actor: &Actor,
    new: NewConsent,
    now: DateTime<Utc>,
    corr: Option<String>,
) -> DomainResult<ConsentEntry> {
    actor.require(Capability::Write)?;
    let now = micros(now);
    let input = to_input(&new, now);
    finish(validate_consent_input(&input, now))?;
    require_dossier(store, actor.org_id, new.dossier_id)?;
    write(store, actor, new.dossier_id, input, None, now, corr)
}

pub fn record_next_state(
    store: &mut (impl ConsentStore + DossierLookup + AuditLog + ActivityLog),
    actor: &Actor,
    previous_id: Uuid,
    next: NextConsent,
    now: DateTime<Utc>,
    corr: Option<String>,
) -> DomainResult<ConsentEntry> {
    actor.require(Capability::Write)?;
    let now = micros(now);
    let previous = store.find_consent(actor.org_id, previous_id)?.ok_or(DomainError::NotFound)?;
    let new = NewConsent {
        dossier_id: previous.dossier_id,
        channel: next.channel.unwrap_or(previous.record.channel),
        purpose: next.purpose.unwrap_or(previous.record.purpose),
        status: next.status,
        source: next.source,
        proof: next.proof,
        captured_at: next.captured_at,
        expires_at: next.expires_at,
    };
    let input = to_input(&new, now);
    let mut out: Vec<FieldViolation> = Vec::new();
    if let Some(d) = next.dossier_id.filter(|d| *d != previous.dossier_id) {
        // A dossier of another org is still a 404, like any reference in a body.
        require_dossier(store, actor.org_id, d)?;
        out.push(FieldViolation::new("dossierId", "must be the dossier of the consent being updated"));
    }
    out.extend(validate_next_state(&previous.record, &input));
    out.extend(validate_consent_input(&input, now));
    finish(out)?;
    write(store, actor, previous.dossier_id, input, Some(previous_id), now, corr)
}

/// Inserts the record with its CREATE audit event and its `CONSENT` activity.
fn write(
    store: &mut (impl ConsentStore + AuditLog + ActivityLog),
    actor: &Actor,
    dossier_id: Uuid,
    input: ConsentInput,
    previous_id: Option<Uuid>,
    now: DateTime<Utc>,
    corr: Option<String>,
) -> DomainResult<ConsentEntry> {
    let mut entry = ConsentEntry {
        record: ConsentRecord {
            id: Uuid::now_v7(),
            channel: input.channel,
            purpose: input.purpose,
            status: input.status,
            captured_at: input.captured_at,
            seq: 0,
            expires_at: input.expires_at,
        },
        dossier_id,
        source: input.source,
        proof: input.proof,
        captured_by: Some(actor.user_id),
        created_at: now,
    };
    entry.record.seq = store.insert_consent(actor.org_id, &entry)?;
    let mut after = entry.snapshot();
    if let (Some(p), Some(obj)) = (previous_id, after.as_object_mut()) {
        obj.insert("previousId".into(), json!(p));
    }
    store.record(NewAuditEvent {
        org_id: actor.org_id,
        actor_user_id: Some(actor.user_id),
        action: "CREATE",
        entity_type: "CONSENT",
        entity_id: entry.record.id,
        before: None,
        after: Some(after),
        correlation_id: corr,
    })?;
    let r = &entry.record;
    store.add_activity(NewActivity {
        org_id: actor.org_id,
        dossier_id,
        activity_type: ActivityType::Consent,
        content: format!(
            "Consentement {} ({}) : {}",
            fr(r.channel.as_str()),
            fr(r.purpose.as_str()),
            fr(r.status.as_str())
        ),
        metadata: json!({
            "consentId": r.id,
            "channel": r.channel.as_str(),
            "purpose": r.purpose.as_str(),
            "status": r.status.as_str(),
            "source": entry.source.as_str(),
        }),
        created_by: Some(actor.user_id),
        occurred_at: now,
    })?;
    Ok(entry)
}

pub fn get_consent(store: &mut impl ConsentStore, actor: &Actor, id: Uuid) -> DomainResult<ConsentEntry> {
    actor.require(Capability::Read)?;
    store.find_consent(actor.org_id, id)?.ok_or(DomainError::NotFound)
}

/// The consents of a dossier (404 when it is not one of the org's).
pub fn consent_overview(
    store: &mut (impl ConsentStore + DossierLookup),
    actor: &Actor,
    dossier_id: Uuid,
) -> DomainResult<ConsentOverview> {
    actor.require(Capability::Read)?;
    require_dossier(store, actor.org_id, dossier_id)?;
    let entries = store.list_consents(actor.org_id, dossier_id)?;
    let records: Vec<ConsentRecord> = entries.iter().map(|e| e.record.clone()).collect();
    let pick = |rs: Vec<&ConsentRecord>| -> Vec<ConsentEntry> {
        rs.into_iter().filter_map(|r| entries.iter().find(|e| e.record.id == r.id).cloned()).collect()
    };
    Ok(ConsentOverview { current: pick(current_states(&records)), history: pick(history_newest_first(&records)) })
}
