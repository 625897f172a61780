//! Parties prenantes (stakeholders of a dossier), PRODUCT.md §4: CRUD inside the caller's org,
//! phones in E.164 and emails lower-cased, a `PARTY` activity when one is added or removed, and an
//! audit event for every write.

use crate::wording::fr;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::activity::ActivityType;
use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{normalize_email, Actor, Capability, OrgId};
use crate::party::{display_name, validate_names, PartyRole};
use crate::phone::normalize_phone;
use crate::ports::{ActivityLog, AuditLog, NewActivity, NewAuditEvent, OrgDirectory};
use crate::validation::{check_opt_len, finish};

/// Whether a dossier exists in an org. Parties, messages and consents all hang off a dossier named
/// in the request body and answer 404 `NOT_FOUND` (naming `dossierId`) when it is not the caller's.
/// Kept to this one question so these modules do not depend on the dossier module's store.
pub trait DossierLookup {
    fn dossier_exists(&mut self, org: OrgId, dossier: Uuid) -> DomainResult<bool>;
}

/// Timestamps as PostgreSQL keeps them (microseconds), so that what a write answers is exactly
/// what a later read returns.
pub fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// 404 naming `dossierId` unless the dossier is in the actor's org.
pub fn require_dossier(store: &mut impl DossierLookup, org: OrgId, dossier: Uuid) -> DomainResult<()> {
    if store.dossier_exists(org, dossier)? {
        Ok(())
    } else {
        Err(DomainError::ReferenceNotFound("dossierId"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRecord {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub role: PartyRole,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl PartyRecord {
    /// The audit snapshot (camelCase, as the API shows it).
    pub fn snapshot(&self) -> Value {
        json!({
            "id": self.id,
            "dossierId": self.dossier_id,
            "role": self.role.as_str(),
            "firstName": self.first_name,
            "lastName": self.last_name,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "notes": self.notes,
            "version": self.version,
        })
    }
}

/// What a client sends on POST and PUT (full representation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyInput {
    pub dossier_id: Uuid,
    pub role: PartyRole,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartySort {
    CreatedAt,
    LastName,
    FirstName,
    Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyQuery {
    pub dossier_id: Option<Uuid>,
    pub page: u32,
    pub size: u32,
    pub sort: PartySort,
    pub descending: bool,
}

pub trait PartyStore {
    fn insert_party(&mut self, org: OrgId, party: &PartyRecord) -> DomainResult<()>;
    fn find_party(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<PartyRecord>>;
    /// Writes `party` (whose `version` is already the new one) if the stored version is still
    /// `party.version - 1`; false when another write got there first.
    fn update_party(&mut self, org: OrgId, party: &PartyRecord) -> DomainResult<bool>;
    fn delete_party(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool>;
    fn list_parties(&mut self, org: OrgId, query: &PartyQuery) -> DomainResult<(Vec<PartyRecord>, u64)>;
}

pub const ADDRESS_MAX: usize = 500;
pub const NOTES_MAX: usize = 10_000;

/// Trimmed, and blank → absent: an empty string in a form means "no value".
fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The validated, normalised fields of a party (all violations at once).
struct CleanParty {
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    notes: Option<String>,
}

fn validate(input: &PartyInput, default_country: &str) -> DomainResult<CleanParty> {
    let first_name = clean(input.first_name.clone());
    let last_name = clean(input.last_name.clone());
    let mut out: Vec<FieldViolation> = validate_names(first_name.as_deref(), last_name.as_deref());
    let phone = match clean(input.phone.clone()) {
        Some(p) => normalize_phone(&p, default_country, "phone").map_err(|v| out.push(v)).ok().map(|p| p.into_string()),
        None => None,
    };
    let email = match clean(input.email.clone()) {
        Some(e) => normalize_email(&e).map_err(|v| out.push(v)).ok(),
        None => None,
    };
    let address = clean(input.address.clone());
    let notes = clean(input.notes.clone());
    check_opt_len(&mut out, "address", address.as_deref(), ADDRESS_MAX);
    check_opt_len(&mut out, "notes", notes.as_deref(), NOTES_MAX);
    finish(out)?;
    Ok(CleanParty { first_name, last_name, phone, email, address, notes })
}

fn party_activity(org: OrgId, actor: &Actor, p: &PartyRecord, added: bool, now: DateTime<Utc>) -> NewActivity {
    let verb = if added { "ajoutée" } else { "retirée" };
    let name = display_name(p.first_name.as_deref(), p.last_name.as_deref());
    NewActivity {
        org_id: org,
        dossier_id: p.dossier_id,
        activity_type: ActivityType::Party,
        content: format!("Partie prenante {verb} : {name} ({})", fr(p.role.as_str())),
        metadata: json!({"partyId": p.id, "role": p.role.as_str(), "action": if added { "ADDED" } else { "REMOVED" }}),
        created_by: Some(actor.user_id),
        occurred_at: now,
    }
}

fn audit(
    actor: &Actor,
    action: &'static str,
    id: Uuid,
    before: Option<Value>,
    after: Option<Value>,
    corr: Option<String>,
) -> NewAuditEvent {
    NewAuditEvent::by(actor, action, "PARTY", id, before, after, corr)
}

pub fn create_party(
    store: &mut (impl PartyStore + DossierLookup + AuditLog + ActivityLog + OrgDirectory),
    actor: &Actor,
    input: PartyInput,
    now: DateTime<Utc>,
    corr: Option<String>,
) -> DomainResult<PartyRecord> {
    actor.require(Capability::Write)?;
    let now = micros(now);
    let settings = store.org_settings(actor.org_id)?;
    let c = validate(&input, &settings.default_country)?;
    require_dossier(store, actor.org_id, input.dossier_id)?;
    let party = PartyRecord {
        id: Uuid::now_v7(),
        dossier_id: input.dossier_id,
        role: input.role,
        first_name: c.first_name,
        last_name: c.last_name,
        phone: c.phone,
        email: c.email,
        address: c.address,
        notes: c.notes,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    store.insert_party(actor.org_id, &party)?;
    store.record(audit(actor, "CREATE", party.id, None, Some(party.snapshot()), corr))?;
    store.add_activity(party_activity(actor.org_id, actor, &party, true, now))?;
    Ok(party)
}

pub fn get_party(store: &mut impl PartyStore, actor: &Actor, id: Uuid) -> DomainResult<PartyRecord> {
    actor.require(Capability::Read)?;
    store.find_party(actor.org_id, id)?.ok_or(DomainError::NotFound)
}

pub fn list_parties(
    store: &mut impl PartyStore,
    actor: &Actor,
    query: &PartyQuery,
) -> DomainResult<(Vec<PartyRecord>, u64)> {
    actor.require(Capability::Read)?;
    store.list_parties(actor.org_id, query)
}

/// PUT: full replacement. The party stays on its dossier (moving it would rewrite two timelines):
/// `dossierId` must name the same dossier, else 400 — or 404 when it names no dossier of the org.
pub fn update_party(
    store: &mut (impl PartyStore + DossierLookup + AuditLog + OrgDirectory),
    actor: &Actor,
    id: Uuid,
    input: PartyInput,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
    corr: Option<String>,
) -> DomainResult<PartyRecord> {
    actor.require(Capability::Write)?;
    let now = micros(now);
    let before = store.find_party(actor.org_id, id)?.ok_or(DomainError::NotFound)?;
    let settings = store.org_settings(actor.org_id)?;
    let c = validate(&input, &settings.default_country)?;
    if input.dossier_id != before.dossier_id {
        require_dossier(store, actor.org_id, input.dossier_id)?;
        return Err(DomainError::invalid(
            "dossierId",
            "cannot be changed: remove the party and add it to the other dossier",
        ));
    }
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(DomainError::VersionConflict);
    }
    let after = PartyRecord {
        role: input.role,
        first_name: c.first_name,
        last_name: c.last_name,
        phone: c.phone,
        email: c.email,
        address: c.address,
        notes: c.notes,
        updated_at: now,
        version: before.version + 1,
        ..before.clone()
    };
    if !store.update_party(actor.org_id, &after)? {
        return Err(DomainError::VersionConflict);
    }
    store.record(audit(actor, "UPDATE", id, Some(before.snapshot()), Some(after.snapshot()), corr))?;
    Ok(after)
}

pub fn delete_party(
    store: &mut (impl PartyStore + AuditLog + ActivityLog),
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
    corr: Option<String>,
) -> DomainResult<()> {
    actor.require(Capability::Manage)?;
    let now = micros(now);
    let before = store.find_party(actor.org_id, id)?.ok_or(DomainError::NotFound)?;
    if !store.delete_party(actor.org_id, id)? {
        return Err(DomainError::NotFound);
    }
    store.record(audit(actor, "DELETE", id, Some(before.snapshot()), None, corr))?;
    store.add_activity(party_activity(actor.org_id, actor, &before, false, now))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PartyInput {
        PartyInput {
            dossier_id: Uuid::nil(),
            role: PartyRole::Buyer,
            first_name: Some("  Léa ".into()),
            last_name: Some("".into()),
            phone: Some("06 12 34 56 78".into()),
            email: Some(" Lea@Example.COM ".into()),
            address: Some("   ".into()),
            notes: None,
        }
    }

    #[test]
    fn normalises_and_blanks_become_absent() {
        let c = validate(&input(), "FR").unwrap_or_else(|_| panic!("valid"));
        assert_eq!(c.first_name.as_deref(), Some("Léa"));
        assert_eq!(c.last_name, None);
        assert_eq!(c.phone.as_deref(), Some("+33612345678"));
        assert_eq!(c.email.as_deref(), Some("lea@example.com"));
        assert_eq!(c.address, None);
    }

    #[test]
    fn collects_every_violation() {
        let bad = PartyInput {
            first_name: None,
            phone: Some("12".into()),
            email: Some("nope".into()),
            notes: Some("n".repeat(NOTES_MAX + 1)),
            ..input()
        };
        match validate(&bad, "FR") {
            Err(DomainError::Validation(v)) => {
                let fields: Vec<_> = v.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(fields, ["lastName", "phone", "email", "notes"]);
            }
            _ => panic!("expected a validation error"),
        }
    }
}
