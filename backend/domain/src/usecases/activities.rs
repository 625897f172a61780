//! Timeline, PRODUCT.md §8: reading every activity, and the one kind people write themselves —
//! notes. Other types are written by the use case of the change they tell of and never edited.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::activity::{validate_note, ActivityType};
use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{Actor, Capability, OrgId, UserId};
use crate::ports::{ActivityLog, AuditLog, NewActivity, NewAuditEvent};

const ENTITY: &str = "ACTIVITY";

#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRecord {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub activity_type: ActivityType,
    pub content: String,
    pub metadata: Value,
    pub created_by: Option<UserId>,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivitySort {
    OccurredAt,
    CreatedAt,
}

impl ActivitySort {
    pub const FIELDS: &'static [&'static str] = &["occurredAt", "createdAt"];

    pub fn parse(field: &str) -> Option<ActivitySort> {
        match field {
            "occurredAt" => Some(ActivitySort::OccurredAt),
            "createdAt" => Some(ActivitySort::CreatedAt),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFilter {
    pub dossier_id: Option<Uuid>,
    pub activity_type: Option<ActivityType>,
    pub sort: ActivitySort,
    pub descending: bool,
    pub page: u32,
    pub size: u32,
}

pub trait ActivityStore {
    fn activity_dossier_exists(&mut self, org: OrgId, dossier: Uuid) -> DomainResult<bool>;
    fn find_activity(&mut self, org: OrgId, id: Uuid, for_update: bool) -> DomainResult<Option<ActivityRecord>>;
    fn list_activities(&mut self, org: OrgId, filter: &ActivityFilter) -> DomainResult<(Vec<ActivityRecord>, u64)>;
    /// Stores content, occurredAt, updatedAt and version of `a` only if the stored version is
    /// still `a.version - 1`; false when it moved meanwhile.
    fn update_activity(&mut self, org: OrgId, a: &ActivityRecord) -> DomainResult<bool>;
    fn delete_activity(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool>;
}

pub struct NewNote {
    pub dossier_id: Uuid,
    pub content: String,
    pub occurred_at: Option<DateTime<Utc>>,
}

pub struct NoteChange {
    /// When given, must be the note's own dossier: a note does not move.
    pub dossier_id: Option<Uuid>,
    pub content: String,
    /// `None` keeps the current time of the note.
    pub occurred_at: Option<DateTime<Utc>>,
    pub expected_version: Option<i32>,
}

pub fn get_activity(store: &mut impl ActivityStore, actor: &Actor, id: Uuid) -> DomainResult<ActivityRecord> {
    actor.require(Capability::Read)?;
    store.find_activity(actor.org_id, id, false)?.ok_or(DomainError::NotFound)
}

pub fn list_activities(
    store: &mut impl ActivityStore,
    actor: &Actor,
    filter: &ActivityFilter,
) -> DomainResult<(Vec<ActivityRecord>, u64)> {
    actor.require(Capability::Read)?;
    store.list_activities(actor.org_id, filter)
}

pub fn create_note(
    store: &mut (impl ActivityStore + ActivityLog + AuditLog),
    actor: &Actor,
    input: NewNote,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<ActivityRecord> {
    actor.require(Capability::Write)?;
    validate_note(&input.content).map_err(|v| DomainError::Validation(vec![v]))?;
    if !store.activity_dossier_exists(actor.org_id, input.dossier_id)? {
        return Err(DomainError::ReferenceNotFound("dossierId"));
    }
    let id = store.add_activity(NewActivity {
        org_id: actor.org_id,
        dossier_id: input.dossier_id,
        activity_type: ActivityType::Note,
        content: input.content.trim().to_string(),
        metadata: json!({}),
        created_by: Some(actor.user_id),
        occurred_at: input.occurred_at.unwrap_or(now),
    })?;
    let rec = store
        .find_activity(actor.org_id, id, false)?
        .ok_or_else(|| DomainError::Infra("note vanished right after its insert".into()))?;
    store.record(audit(actor, "CREATE", id, None, Some(snapshot(&rec)), correlation_id))?;
    Ok(rec)
}

pub fn update_note(
    store: &mut (impl ActivityStore + AuditLog),
    actor: &Actor,
    id: Uuid,
    change: NoteChange,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<ActivityRecord> {
    actor.require(Capability::Write)?;
    validate_note(&change.content).map_err(|v| DomainError::Validation(vec![v]))?;
    let current = editable_note(store, actor, id, change.expected_version)?;
    if change.dossier_id.is_some_and(|d| d != current.dossier_id) {
        return Err(DomainError::Validation(vec![FieldViolation::new(
            "dossierId",
            "a note cannot be moved to another dossier",
        )]));
    }
    let next = ActivityRecord {
        content: change.content.trim().to_string(),
        occurred_at: change.occurred_at.unwrap_or(current.occurred_at),
        updated_at: now,
        version: current.version.saturating_add(1),
        ..current.clone()
    };
    if !store.update_activity(actor.org_id, &next)? {
        return Err(DomainError::VersionConflict);
    }
    store.record(audit(actor, "UPDATE", id, Some(snapshot(&current)), Some(snapshot(&next)), correlation_id))?;
    Ok(next)
}

pub fn delete_note(
    store: &mut (impl ActivityStore + AuditLog),
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    correlation_id: Option<String>,
) -> DomainResult<()> {
    actor.require(Capability::Write)?;
    let current = editable_note(store, actor, id, expected_version)?;
    if !store.delete_activity(actor.org_id, id)? {
        return Err(DomainError::NotFound);
    }
    store.record(audit(actor, "DELETE", id, Some(snapshot(&current)), None, correlation_id))?;
    Ok(())
}

/// The note, locked, if this actor may change it: only notes (409 otherwise, the other types
/// being records of changes), only by their author or a MANAGER+ (403), at the expected version.
fn editable_note(
    store: &mut impl ActivityStore,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> DomainResult<ActivityRecord> {
    let current = store.find_activity(actor.org_id, id, true)?.ok_or(DomainError::NotFound)?;
    if !current.activity_type.is_user_editable() {
        return Err(DomainError::Conflict(format!(
            "only NOTE activities can be changed; this one is {}",
            current.activity_type.as_str()
        )));
    }
    if current.created_by != Some(actor.user_id) && !actor.can(Capability::Manage) {
        return Err(DomainError::Forbidden);
    }
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(DomainError::VersionConflict);
    }
    Ok(current)
}

pub fn snapshot(a: &ActivityRecord) -> Value {
    json!({
        "id": a.id,
        "dossierId": a.dossier_id,
        "type": a.activity_type.as_str(),
        "content": a.content,
        "metadata": a.metadata,
        "createdByUserId": a.created_by.map(|u| u.0),
        "occurredAt": a.occurred_at,
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
