//! Read, list, update, delete and the duplicate lookup (PRODUCT.md §3).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{normalize_email, Actor, Capability};
use crate::phone::{digits_only, normalize_phone};
use crate::ports::{AuditLog, IdentityStore, OrgDirectory};
use crate::validation::finish;

use super::{
    audit, check_version, parse_input, Dossier, DossierInput, DossierListQuery, DossierRefusal, DossierStore,
    DossierText, Refusable,
};

/// At most this many dossiers from `GET /dossiers/duplicates`.
pub const DUPLICATES_LIMIT: u32 = 20;

/// Shortest digit run that the free-text search also looks for inside phone numbers.
const MIN_PHONE_DIGITS: usize = 4;

pub fn get_dossier(store: &mut impl DossierStore, actor: &Actor, id: Uuid) -> DomainResult<Dossier> {
    actor.require(Capability::Read)?;
    store.find_dossier(actor.org_id, id)?.ok_or(DomainError::NotFound)
}

pub fn list_dossiers(
    store: &mut (impl DossierStore + OrgDirectory),
    actor: &Actor,
    query: DossierListQuery,
) -> DomainResult<(Vec<Dossier>, u64)> {
    actor.require(Capability::Read)?;
    let mut query = query;
    if let Some(text) = query.text.take() {
        let country = store.org_settings(actor.org_id)?.default_country;
        query.filter.q = Some(search_text(text, &country));
    }
    store.list_dossiers(actor.org_id, &query)
}

/// The list's free-text filter `q` as the store matches it (shared by the list and the CSV export).
pub fn search_text(text: String, default_country: &str) -> DossierText {
    // A national spelling (`06 12 34`) drops its trunk 0 in E.164 (`+33612 34…`).
    let digits = digits_only(&text);
    let digits = match digits.strip_prefix('0') {
        Some(rest) if !text.trim_start().starts_with('+') => rest.to_string(),
        _ => digits,
    };
    DossierText {
        phone: normalize_phone(&text, default_country, "q").ok().map(|p| p.into_string()),
        phone_digits: (digits.len() >= MIN_PHONE_DIGITS).then_some(digits),
        text,
    }
}

/// `PUT /api/v1/dossiers/{id}`: the full editable representation. The status, the reference and
/// the WhatsApp id are not editable here. Linking a different annonce follows the creation rule
/// (PUBLISHED or PAUSED); keeping the current one is always fine. Changing the assignee is a
/// reassignment, MANAGER and above, as `PATCH .../assign`.
pub fn update_dossier(
    store: &mut (impl DossierStore + AuditLog + OrgDirectory + IdentityStore),
    actor: &Actor,
    id: Uuid,
    input: DossierInput,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> Refusable<Dossier> {
    actor.require(Capability::Write)?;
    let org = actor.org_id;
    let settings = store.org_settings(org)?;
    let data = parse_input(DossierInput { whatsapp_user_id: None, ..input }, &settings.default_country)?;
    let current = store.lock_dossier(org, id)?.ok_or(DomainError::NotFound)?;
    check_version(&current, expected_version)?;
    if data.annonce_id != current.annonce_id {
        if let Some(annonce) = data.annonce_id {
            match store.annonce_status(org, annonce)? {
                None => return Ok(Err(DossierRefusal::UnknownReference { field: "annonceId" })),
                Some(status) if !status.accepts_new_dossier() => {
                    return Ok(Err(DossierRefusal::AnnonceNotAvailable { status }))
                }
                Some(_) => {}
            }
        }
    }
    if data.assigned_to != current.assigned_to {
        actor.require(Capability::Manage)?;
        if let Some(user) = data.assigned_to {
            if store.role_in(user, org)?.is_none() {
                return Ok(Err(DossierRefusal::UnknownReference { field: "assignedToUserId" }));
            }
        }
    }
    let d = data.draft;
    let updated = Dossier {
        annonce_id: data.annonce_id,
        lead_name: d.lead_name,
        lead_phone: d.lead_phone,
        lead_email: d.lead_email,
        source: data.source,
        dossier_type: data.dossier_type,
        assigned_to: data.assigned_to,
        budget_min: d.budget_min,
        budget_max: d.budget_max,
        notes: d.notes,
        ..current.clone()
    };
    if updated == current {
        // Nothing to write: no version bump, no empty audit event.
        return Ok(Ok(current));
    }
    let updated = Dossier { version: current.version + 1, updated_at: now, ..updated };
    store.update_dossier(org, &updated)?;
    store.record(audit(org, Some(actor.user_id), "UPDATE", id, Some(&current), Some(&updated), correlation_id))?;
    let stored = store.find_dossier(org, id)?.ok_or(DomainError::NotFound)?;
    Ok(Ok(stored))
}

/// MANAGER and above; parties, messages, appointments, consents, activities and the status history
/// go with it (ON DELETE CASCADE); the audit trail stays.
pub fn delete_dossier(
    store: &mut (impl DossierStore + AuditLog),
    actor: &Actor,
    id: Uuid,
    correlation_id: Option<String>,
) -> DomainResult<()> {
    actor.require(Capability::Manage)?;
    let current = store.lock_dossier(actor.org_id, id)?.ok_or(DomainError::NotFound)?;
    if !store.delete_dossier(actor.org_id, id)? {
        return Err(DomainError::NotFound);
    }
    store.record(audit(actor.org_id, Some(actor.user_id), "DELETE", id, Some(&current), None, correlation_id))
}

/// `GET /api/v1/dossiers/duplicates?phone=&email=`: open dossiers matching by lead or party phone,
/// or by lead or party email. At least one of the two is required.
pub fn find_duplicates(
    store: &mut (impl DossierStore + OrgDirectory),
    actor: &Actor,
    phone: Option<String>,
    email: Option<String>,
) -> DomainResult<Vec<Dossier>> {
    actor.require(Capability::Read)?;
    let phone = phone.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
    let email = email.map(|e| e.trim().to_string()).filter(|e| !e.is_empty());
    if phone.is_none() && email.is_none() {
        return Err(DomainError::Validation(vec![
            FieldViolation::new("phone", "phone or email is required"),
            FieldViolation::new("email", "phone or email is required"),
        ]));
    }
    let mut errors = Vec::new();
    let phone = match phone {
        Some(p) => {
            let country = store.org_settings(actor.org_id)?.default_country;
            normalize_phone(&p, &country, "phone").map_err(|e| errors.push(e)).ok()
        }
        None => None,
    };
    let email = email.and_then(|e| {
        normalize_email(&e).map_err(|_| errors.push(FieldViolation::new("email", "must be a valid email address"))).ok()
    });
    finish(errors)?;
    store.find_dossiers_by_contact(actor.org_id, phone.as_ref().map(|p| p.as_str()), email.as_deref(), DUPLICATES_LIMIT)
}
