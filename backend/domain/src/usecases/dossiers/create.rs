//! Creation with deduplication (PRODUCT.md §3), shared by the REST API, the CSV import and
//! WhatsApp inbound.

use crate::wording::fr;
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::activity::ActivityType;
use crate::dedup::{match_kind, DedupProbe, MatchKind};
use crate::dossier::DossierStatus;
use crate::error::{DomainError, DomainResult};
use crate::identity::{Actor, Capability, OrgId, UserId};
use crate::phone::PhoneE164;
use crate::ports::{ActivityLog, AuditLog, IdentityStore, NewActivity, OrgDirectory};

use super::{audit, parse_input, Dossier, DossierData, DossierInput, DossierRefusal, DossierStore, Refusable};

/// The dossier answered, and whether it was created (false: an open duplicate absorbed the
/// submission, which is recorded on its timeline).
#[derive(Debug, Clone, PartialEq)]
pub struct CreateOutcome {
    pub dossier: Dossier,
    pub created: bool,
}

/// Insert attempts before giving up: a retry is needed only when the holder of a taken key left
/// the dedup indexes (closed or deleted) between our insert and our read, which needs a second
/// concurrent writer on the same lead.
const MAX_ATTEMPTS: usize = 3;

/// `POST /api/v1/dossiers`: AGENT and above.
pub fn create_dossier(
    store: &mut (impl DossierStore + AuditLog + ActivityLog + OrgDirectory + IdentityStore),
    actor: &Actor,
    input: DossierInput,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> Refusable<CreateOutcome> {
    actor.require(Capability::Write)?;
    // The BSUID is learnt from WhatsApp inbound only; the API cannot set it.
    let input = DossierInput { whatsapp_user_id: None, ..input };
    create_or_merge(store, actor.org_id, Some(actor.user_id), input, now, correlation_id)
}

/// Creates the dossier, or merges the submission into the open dossier it duplicates. `by` is the
/// acting user, None for system callers (WhatsApp inbound); role checks are the caller's job.
///
/// Race-proof: the insert is `ON CONFLICT DO NOTHING` against the partial unique indexes, so of
/// two simultaneous identical submissions one inserts and the other waits for it to commit, inserts
/// nothing, and then finds it as the holder.
pub fn create_or_merge(
    store: &mut (impl DossierStore + AuditLog + ActivityLog + OrgDirectory + IdentityStore),
    org: OrgId,
    by: Option<UserId>,
    input: DossierInput,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> Refusable<CreateOutcome> {
    let settings = store.org_settings(org)?;
    let data = parse_input(input, &settings.default_country)?;
    if let Some(annonce) = data.annonce_id {
        match store.annonce_status(org, annonce)? {
            None => return Ok(Err(DossierRefusal::UnknownReference { field: "annonceId" })),
            Some(status) if !status.accepts_new_dossier() => {
                return Ok(Err(DossierRefusal::AnnonceNotAvailable { status }))
            }
            Some(_) => {}
        }
    }
    if let Some(user) = data.assigned_to {
        if store.role_in(user, org)?.is_none() {
            return Ok(Err(DossierRefusal::UnknownReference { field: "assignedToUserId" }));
        }
    }
    let phone = data.draft.lead_phone.as_ref().map(PhoneE164::as_str);
    let email = data.draft.lead_email.as_deref();
    for _ in 0..MAX_ATTEMPTS {
        // Checked first so that the common duplicate costs no reference number.
        if let Some(holder) = store.find_open_duplicate(org, phone, email, data.annonce_id)? {
            return merge(store, org, by, holder, &data, now).map(Ok);
        }
        let dossier = new_dossier(store.next_reference(org, "DOS")?, &data, now);
        if store.insert_dossier_unless_duplicate(org, &dossier)? {
            store.record(audit(org, by, "CREATE", dossier.id, None, Some(&dossier), correlation_id))?;
            store.add_activity(NewActivity {
                org_id: org,
                dossier_id: dossier.id,
                activity_type: ActivityType::DossierCreated,
                content: format!("Dossier {} créé (source : {})", dossier.reference, fr(dossier.source.as_str())),
                metadata: json!({
                    "reference": dossier.reference,
                    "source": dossier.source.as_str(),
                    "type": dossier.dossier_type.as_str(),
                    "annonceId": dossier.annonce_id,
                }),
                created_by: by,
                occurred_at: now,
            })?;
            let stored = store.find_dossier(org, dossier.id)?.ok_or(DomainError::NotFound)?;
            return Ok(Ok(CreateOutcome { dossier: stored, created: true }));
        }
    }
    Err(DomainError::Conflict("a concurrent change on the same lead prevented the creation; retry".into()))
}

fn new_dossier(reference: String, data: &DossierData, now: DateTime<Utc>) -> Dossier {
    let d = data.draft.clone();
    Dossier {
        id: Uuid::now_v7(),
        reference,
        annonce_id: data.annonce_id,
        lead_name: d.lead_name,
        lead_phone: d.lead_phone,
        lead_email: d.lead_email,
        whatsapp_user_id: d.whatsapp_user_id,
        source: data.source,
        dossier_type: data.dossier_type,
        status: DossierStatus::New,
        assigned_to: data.assigned_to,
        budget_min: d.budget_min,
        budget_max: d.budget_max,
        notes: d.notes,
        loss_reason: None,
        won_reason: None,
        status_comment: None,
        last_activity_at: now,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// The duplicate case: the holder is unchanged (hence no audit event); its timeline records the
/// submission so that nothing the lead sent is lost.
fn merge(
    store: &mut (impl DossierStore + ActivityLog),
    org: OrgId,
    by: Option<UserId>,
    holder: Dossier,
    data: &DossierData,
    now: DateTime<Utc>,
) -> DomainResult<CreateOutcome> {
    let candidate = DedupProbe {
        phone: holder.lead_phone.as_ref().map(PhoneE164::as_str),
        email: holder.lead_email.as_deref(),
        annonce: holder.annonce_id,
    };
    let submitted = DedupProbe {
        phone: data.draft.lead_phone.as_ref().map(PhoneE164::as_str),
        email: data.draft.lead_email.as_deref(),
        annonce: data.annonce_id,
    };
    let matched_by = match match_kind(true, &candidate, &submitted) {
        Some(MatchKind::Email) => "EMAIL",
        _ => "PHONE",
    };
    store.add_activity(NewActivity {
        org_id: org,
        dossier_id: holder.id,
        activity_type: ActivityType::DuplicateMerged,
        content: format!(
            "Nouvelle demande de {} (source : {}) fusionnée dans ce dossier",
            data.draft.lead_name,
            fr(data.source.as_str())
        ),
        metadata: json!({ "matchedBy": matched_by, "submitted": data.submitted() }),
        created_by: by,
        occurred_at: now,
    })?;
    let stored = store.find_dossier(org, holder.id)?.ok_or(DomainError::NotFound)?;
    Ok(CreateOutcome { dossier: stored, created: false })
}
