//! Rendez-vous, PRODUCT.md §6: CRUD with overlap detection for one assignee (a warning, or a
//! refusal when the org sets `blockAppointmentOverlap`), each write with its audit event and its
//! `APPOINTMENT` timeline activity.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::activity::ActivityType;
use crate::appointment::{find_overlaps, validate_fields, AppointmentSlot, AppointmentStatus};
use crate::error::{DomainError, DomainResult};
use crate::identity::{Actor, Capability, OrgId};
use crate::ports::{ActivityLog, AuditLog, NewActivity, NewAuditEvent, OrgDirectory};
use crate::validation::finish;

const ENTITY: &str = "APPOINTMENT";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRecord {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub annonce_id: Option<Uuid>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: Option<String>,
    pub assigned_to: Option<Uuid>,
    pub status: AppointmentStatus,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl AppointmentRecord {
    fn slot(&self) -> AppointmentSlot {
        AppointmentSlot {
            id: self.id,
            assigned_to: self.assigned_to,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            status: self.status,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentSort {
    StartsAt,
    EndsAt,
    CreatedAt,
    UpdatedAt,
}

impl AppointmentSort {
    pub const FIELDS: &'static [&'static str] = &["startsAt", "endsAt", "createdAt", "updatedAt"];

    pub fn parse(field: &str) -> Option<AppointmentSort> {
        match field {
            "startsAt" => Some(AppointmentSort::StartsAt),
            "endsAt" => Some(AppointmentSort::EndsAt),
            "createdAt" => Some(AppointmentSort::CreatedAt),
            "updatedAt" => Some(AppointmentSort::UpdatedAt),
            _ => None,
        }
    }
}

/// `GET /appointments` filters. `from`/`to` select the appointments overlapping `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentFilter {
    pub dossier_id: Option<Uuid>,
    pub assigned_to: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub status: Option<AppointmentStatus>,
    pub sort: AppointmentSort,
    pub descending: bool,
    pub page: u32,
    pub size: u32,
}

pub trait AppointmentStore {
    fn appointment_dossier_exists(&mut self, org: OrgId, dossier: Uuid) -> DomainResult<bool>;
    fn appointment_annonce_exists(&mut self, org: OrgId, annonce: Uuid) -> DomainResult<bool>;
    /// Whether `user` is a member of the org. The membership row stays locked until the
    /// transaction ends, so that two writes on one assignee's agenda check overlaps one after
    /// the other (otherwise two concurrent creates could both pass a blocking org's check).
    fn lock_assignee(&mut self, org: OrgId, user: Uuid) -> DomainResult<bool>;
    fn find_appointment(&mut self, org: OrgId, id: Uuid, for_update: bool) -> DomainResult<Option<AppointmentRecord>>;
    fn list_appointments(
        &mut self,
        org: OrgId,
        filter: &AppointmentFilter,
    ) -> DomainResult<(Vec<AppointmentRecord>, u64)>;
    /// Non-cancelled appointments of `user` overlapping `[from, to)`, by start time.
    fn assignee_slots(
        &mut self,
        org: OrgId,
        user: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> DomainResult<Vec<AppointmentSlot>>;
    fn insert_appointment(&mut self, org: OrgId, a: &AppointmentRecord) -> DomainResult<()>;
    /// Stores `a` (its version already bumped) only if the stored version is still
    /// `a.version - 1`; false when it moved meanwhile.
    fn update_appointment(&mut self, org: OrgId, a: &AppointmentRecord) -> DomainResult<bool>;
    fn delete_appointment(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool>;
}

/// A create or update body, already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentInput {
    pub dossier_id: Uuid,
    pub annonce_id: Option<Uuid>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: Option<String>,
    pub assigned_to: Option<Uuid>,
    /// `None`: SCHEDULED on create, unchanged on update.
    pub status: Option<AppointmentStatus>,
    pub notes: Option<String>,
}

/// The stored appointment and the ids of the appointments it overlaps (the `warnings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentWrite {
    pub appointment: AppointmentRecord,
    pub overlaps: Vec<Uuid>,
}

pub fn get_appointment(store: &mut impl AppointmentStore, actor: &Actor, id: Uuid) -> DomainResult<AppointmentRecord> {
    actor.require(Capability::Read)?;
    store.find_appointment(actor.org_id, id, false)?.ok_or(DomainError::NotFound)
}

pub fn list_appointments(
    store: &mut impl AppointmentStore,
    actor: &Actor,
    filter: &AppointmentFilter,
) -> DomainResult<(Vec<AppointmentRecord>, u64)> {
    actor.require(Capability::Read)?;
    store.list_appointments(actor.org_id, filter)
}

pub fn create_appointment(
    store: &mut (impl AppointmentStore + AuditLog + ActivityLog + OrgDirectory),
    actor: &Actor,
    input: AppointmentInput,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<AppointmentWrite> {
    actor.require(Capability::Write)?;
    let input = clean(input);
    validate(&input)?;
    check_references(store, actor.org_id, &input)?;
    let rec = AppointmentRecord {
        id: Uuid::now_v7(),
        dossier_id: input.dossier_id,
        annonce_id: input.annonce_id,
        title: input.title,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        location: input.location,
        assigned_to: input.assigned_to,
        status: input.status.unwrap_or(AppointmentStatus::Scheduled),
        notes: input.notes,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let overlaps = overlaps_of(store, actor.org_id, &rec)?;
    store.insert_appointment(actor.org_id, &rec)?;
    store.record(audit(actor, "CREATE", rec.id, None, Some(snapshot(&rec)), correlation_id))?;
    store.add_activity(activity(actor, &rec, "CREATED", now))?;
    Ok(AppointmentWrite { appointment: rec, overlaps })
}

pub fn update_appointment(
    store: &mut (impl AppointmentStore + AuditLog + ActivityLog + OrgDirectory),
    actor: &Actor,
    id: Uuid,
    input: AppointmentInput,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<AppointmentWrite> {
    actor.require(Capability::Write)?;
    let input = clean(input);
    validate(&input)?;
    let current = store.find_appointment(actor.org_id, id, true)?.ok_or(DomainError::NotFound)?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(DomainError::VersionConflict);
    }
    check_references(store, actor.org_id, &input)?;
    let next = AppointmentRecord {
        id: current.id,
        dossier_id: input.dossier_id,
        annonce_id: input.annonce_id,
        title: input.title,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        location: input.location,
        assigned_to: input.assigned_to,
        status: input.status.unwrap_or(current.status),
        notes: input.notes,
        created_at: current.created_at,
        updated_at: now,
        version: current.version.saturating_add(1),
    };
    let overlaps = overlaps_of(store, actor.org_id, &next)?;
    if !store.update_appointment(actor.org_id, &next)? {
        return Err(DomainError::VersionConflict);
    }
    store.record(audit(actor, "UPDATE", id, Some(snapshot(&current)), Some(snapshot(&next)), correlation_id))?;
    let event = if next.status == AppointmentStatus::Cancelled && current.status != AppointmentStatus::Cancelled {
        "CANCELLED"
    } else {
        "UPDATED"
    };
    store.add_activity(activity(actor, &next, event, now))?;
    if current.dossier_id != next.dossier_id {
        // the old dossier's timeline must tell where its appointment went
        store.add_activity(NewActivity { dossier_id: current.dossier_id, ..activity(actor, &next, "MOVED", now) })?;
    }
    Ok(AppointmentWrite { appointment: next, overlaps })
}

pub fn delete_appointment(
    store: &mut (impl AppointmentStore + AuditLog + ActivityLog),
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<()> {
    actor.require(Capability::Manage)?;
    let current = store.find_appointment(actor.org_id, id, true)?.ok_or(DomainError::NotFound)?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(DomainError::VersionConflict);
    }
    if !store.delete_appointment(actor.org_id, id)? {
        return Err(DomainError::NotFound);
    }
    store.record(audit(actor, "DELETE", id, Some(snapshot(&current)), None, correlation_id))?;
    store.add_activity(activity(actor, &current, "DELETED", now))?;
    Ok(())
}

/// Trims the texts; an optional text left empty is no text.
fn clean(mut input: AppointmentInput) -> AppointmentInput {
    fn opt(v: Option<String>) -> Option<String> {
        v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
    }
    input.title = input.title.trim().to_string();
    input.location = opt(input.location);
    input.notes = opt(input.notes);
    input
}

fn validate(input: &AppointmentInput) -> DomainResult<()> {
    finish(validate_fields(
        &input.title,
        input.starts_at,
        input.ends_at,
        input.location.as_deref(),
        input.notes.as_deref(),
    ))
}

/// Every id in the body must name something of the caller's org (404 naming the field).
fn check_references(store: &mut impl AppointmentStore, org: OrgId, input: &AppointmentInput) -> DomainResult<()> {
    if !store.appointment_dossier_exists(org, input.dossier_id)? {
        return Err(DomainError::ReferenceNotFound("dossierId"));
    }
    if let Some(annonce) = input.annonce_id {
        if !store.appointment_annonce_exists(org, annonce)? {
            return Err(DomainError::ReferenceNotFound("annonceId"));
        }
    }
    if let Some(user) = input.assigned_to {
        if !store.lock_assignee(org, user)? {
            return Err(DomainError::ReferenceNotFound("assignedToUserId"));
        }
    }
    Ok(())
}

/// The overlapping appointments of the same assignee; refused when the org blocks overlaps.
fn overlaps_of(
    store: &mut (impl AppointmentStore + OrgDirectory),
    org: OrgId,
    rec: &AppointmentRecord,
) -> DomainResult<Vec<Uuid>> {
    let Some(user) = rec.assigned_to else {
        return Ok(Vec::new());
    };
    if !rec.status.blocks_slot() {
        return Ok(Vec::new());
    }
    let others = store.assignee_slots(org, user, rec.starts_at, rec.ends_at)?;
    let overlaps = find_overlaps(&rec.slot(), &others);
    if !overlaps.is_empty() && store.org_settings(org)?.block_appointment_overlap {
        return Err(DomainError::AppointmentConflict(overlaps));
    }
    Ok(overlaps)
}

/// The audit snapshot: the resource as the API shows it.
pub fn snapshot(a: &AppointmentRecord) -> Value {
    json!({
        "id": a.id,
        "dossierId": a.dossier_id,
        "annonceId": a.annonce_id,
        "title": a.title,
        "startsAt": a.starts_at,
        "endsAt": a.ends_at,
        "location": a.location,
        "assignedToUserId": a.assigned_to,
        "status": a.status.as_str(),
        "notes": a.notes,
        "version": a.version,
    })
}

fn audit(
    actor: &Actor,
    action: &'static str,
    id: Uuid,
    before: Option<Value>,
    after: Option<Value>,
    correlation_id: Option<String>,
) -> NewAuditEvent {
    NewAuditEvent::by(actor, action, ENTITY, id, before, after, correlation_id)
}

/// The timeline entry of a write; `event` is CREATED, UPDATED, CANCELLED, MOVED or DELETED.
fn activity(actor: &Actor, a: &AppointmentRecord, event: &str, now: DateTime<Utc>) -> NewActivity {
    let verb = match event {
        "CREATED" => "planifié",
        "CANCELLED" => "annulé",
        "DELETED" => "supprimé",
        "MOVED" => "déplacé vers un autre dossier",
        _ => "modifié",
    };
    let when = a.starts_at.format("%Y-%m-%d %H:%M UTC");
    NewActivity {
        org_id: actor.org_id,
        dossier_id: a.dossier_id,
        activity_type: ActivityType::Appointment,
        content: format!("Rendez-vous {verb} : {} ({when})", a.title),
        metadata: json!({
            "event": event,
            "appointmentId": a.id,
            "title": a.title,
            "startsAt": a.starts_at,
            "endsAt": a.ends_at,
            "status": a.status.as_str(),
            "assignedToUserId": a.assigned_to,
        }),
        created_by: Some(actor.user_id),
        occurred_at: now,
    }
}
