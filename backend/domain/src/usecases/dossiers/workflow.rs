//! Status workflow and assignment (PRODUCT.md §3): each change writes its audit event and its
//! timeline activity (and, for a status change, its history row) in the caller's transaction.

use crate::wording::fr;
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::activity::ActivityType;
use crate::dossier::{self, AvailableTransition, DossierStatus};
use crate::error::{DomainError, DomainResult};
use crate::identity::{Actor, Capability, UserId};
use crate::ports::{ActivityLog, AuditLog, IdentityStore, NewActivity};

use super::{audit, check_version, Dossier, DossierRefusal, DossierStore, Refusable, StatusHistoryEntry};

/// Body of `PATCH /dossiers/{id}/status`, reasons as submitted (checked by
/// [`dossier::check_transition`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub status: DossierStatus,
    pub loss_reason: Option<String>,
    pub won_reason: Option<String>,
    pub comment: Option<String>,
}

pub fn change_status(
    store: &mut (impl DossierStore + AuditLog + ActivityLog),
    actor: &Actor,
    id: Uuid,
    change: StatusChange,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> Refusable<Dossier> {
    actor.require(Capability::Write)?;
    let org = actor.org_id;
    let current = store.lock_dossier(org, id)?.ok_or(DomainError::NotFound)?;
    check_version(&current, expected_version)?;
    let accepted = match dossier::check_transition(
        current.status,
        change.status,
        change.loss_reason.as_deref(),
        change.won_reason.as_deref(),
        change.comment.as_deref(),
    ) {
        Ok(a) => a,
        Err(e) => return Ok(Err(DossierRefusal::Transition(e))),
    };
    let from = current.status;
    let to = accepted.to;
    let updated = Dossier {
        status: to,
        loss_reason: if to == DossierStatus::Lost { accepted.reason.clone() } else { current.loss_reason.clone() },
        won_reason: if to == DossierStatus::Won { accepted.reason.clone() } else { current.won_reason.clone() },
        status_comment: accepted.comment.clone(),
        version: current.version + 1,
        updated_at: now,
        ..current.clone()
    };
    store.update_dossier(org, &updated)?;
    store.add_status_history(
        org,
        &StatusHistoryEntry {
            id: Uuid::now_v7(),
            dossier_id: id,
            from_status: from,
            to_status: to,
            reason: accepted.reason.clone(),
            comment: accepted.comment.clone(),
            changed_by: Some(actor.user_id),
            changed_at: now,
        },
    )?;
    store.record(audit(
        org,
        Some(actor.user_id),
        "STATUS_CHANGE",
        id,
        Some(&current),
        Some(&updated),
        correlation_id,
    ))?;
    let content = match &accepted.reason {
        Some(r) => format!("Statut : {} → {} (motif : {})", fr(from.as_str()), fr(to.as_str()), fr(r)),
        None => format!("Statut : {} → {}", fr(from.as_str()), fr(to.as_str())),
    };
    store.add_activity(NewActivity {
        org_id: org,
        dossier_id: id,
        activity_type: ActivityType::StatusChange,
        content,
        metadata: json!({
            "fromStatus": from.as_str(),
            "toStatus": to.as_str(),
            "reason": accepted.reason,
            "comment": accepted.comment,
        }),
        created_by: Some(actor.user_id),
        occurred_at: now,
    })?;
    let stored = store.find_dossier(org, id)?.ok_or(DomainError::NotFound)?;
    Ok(Ok(stored))
}

/// Oldest first; creation is not a transition, so a NEW dossier has an empty history.
pub fn status_history(store: &mut impl DossierStore, actor: &Actor, id: Uuid) -> DomainResult<Vec<StatusHistoryEntry>> {
    actor.require(Capability::Read)?;
    store.find_dossier(actor.org_id, id)?.ok_or(DomainError::NotFound)?;
    store.status_history(actor.org_id, id)
}

pub fn available_transitions(
    store: &mut impl DossierStore,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<Vec<AvailableTransition>> {
    actor.require(Capability::Read)?;
    let d = store.find_dossier(actor.org_id, id)?.ok_or(DomainError::NotFound)?;
    Ok(dossier::available_transitions(d.status))
}

/// `PATCH /dossiers/{id}/assign`: MANAGER and above; `None` unassigns. The user must be a member
/// of the org (else 404 naming `userId`). Assigning the current assignee again changes nothing.
pub fn assign_dossier(
    store: &mut (impl DossierStore + AuditLog + ActivityLog + IdentityStore),
    actor: &Actor,
    id: Uuid,
    user: Option<Uuid>,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> Refusable<Dossier> {
    actor.require(Capability::Manage)?;
    let org = actor.org_id;
    let current = store.lock_dossier(org, id)?.ok_or(DomainError::NotFound)?;
    let assignee = match user.map(UserId) {
        Some(u) => match store.member(org, u)? {
            Some(m) => Some(m),
            None => return Ok(Err(DossierRefusal::UnknownReference { field: "userId" })),
        },
        None => None,
    };
    let to = assignee.as_ref().map(|m| m.user_id);
    if to == current.assigned_to {
        return Ok(Ok(current));
    }
    let updated = Dossier { assigned_to: to, version: current.version + 1, updated_at: now, ..current.clone() };
    store.update_dossier(org, &updated)?;
    store.record(audit(org, Some(actor.user_id), "ASSIGN", id, Some(&current), Some(&updated), correlation_id))?;
    let content = match &assignee {
        Some(m) => format!("Dossier attribué à {}", m.display_name),
        None => "Dossier désattribué".to_string(),
    };
    store.add_activity(NewActivity {
        org_id: org,
        dossier_id: id,
        activity_type: ActivityType::System,
        content,
        metadata: json!({
            "event": "ASSIGNED",
            "fromUserId": current.assigned_to.map(|u| u.0),
            "toUserId": to.map(|u| u.0),
        }),
        created_by: Some(actor.user_id),
        occurred_at: now,
    })?;
    let stored = store.find_dossier(org, id)?.ok_or(DomainError::NotFound)?;
    Ok(Ok(stored))
}
