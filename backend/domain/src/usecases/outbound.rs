//! WhatsApp outbound messages (PRODUCT.md §10 "Outbound (outbox)"): queueing with the consent,
//! session-window and template rules, idempotency, manager retry and cancel, and the worker's
//! pure decisions (what to send, what to do after a failed attempt).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::activity::ActivityType;
use crate::consent::{check_outbound_consent, ConsentRecord, MessageChannel};
use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{Actor, Capability, OrgId, UserId};
use crate::phone::normalize_phone;
use crate::ports::{ActivityLog, AuditLog, NewActivity, NewAuditEvent, OrgDirectory, SendContent, SendRequest};
use crate::retry::{after_failure, AttemptOutcome, BackoffSchedule, RetryClass};
use crate::validation::char_len;
use crate::whatsapp::{render_template, session_window_open, OutboundStatus};
use crate::wire_enum::wire_enum;

/// WhatsApp refuses longer text bodies.
pub const TEXT_MAX: usize = 4096;
pub const IDEMPOTENCY_KEY_MAX: usize = 255;
pub const ENTITY_TYPE: &str = "OUTBOUND_MESSAGE";

wire_enum! {
    /// How one provider call ended.
    pub enum AttemptResult {
        Sent => "SENT",
        Retry => "RETRY",
        Failed => "FAILED",
        DeadLetter => "DEAD_LETTER",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub attempt_no: u32,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: AttemptResult,
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// An outbox row as the API shows it, with its attempts (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundRecord {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub to: String,
    pub template_code: Option<String>,
    pub template_language: Option<String>,
    pub template_params: Option<Vec<String>>,
    pub text: Option<String>,
    pub status: OutboundStatus,
    pub provider_message_id: Option<String>,
    pub attempt_count: u32,
    pub max_attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub dead_lettered: bool,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub attempts: Vec<AttemptRecord>,
}

/// A template as the outbound rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRecord {
    pub code: String,
    pub language: String,
    pub body: String,
    pub active: bool,
}

/// A new outbox row (status QUEUED, due now).
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbound {
    pub org_id: OrgId,
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub to: String,
    pub template_code: Option<String>,
    pub template_language: Option<String>,
    pub template_params: Option<Vec<String>>,
    pub text: Option<String>,
    pub max_attempts: u32,
    pub idempotency_key: Option<String>,
    pub request_hash: Option<String>,
    pub created_by: UserId,
    pub now: DateTime<Utc>,
}

/// The OUTBOUND conversation entry (§5) that goes with an outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboundLogEntry {
    pub org_id: OrgId,
    pub dossier_id: Uuid,
    pub outbound_message_id: Uuid,
    pub content: String,
    pub created_by: UserId,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundFilter {
    pub dossier_id: Option<Uuid>,
    pub status: Option<OutboundStatus>,
}

pub trait OutboundStore {
    /// None when the dossier does not exist in the org; Some(lead phone) otherwise.
    fn dossier_lead_phone(&mut self, org: OrgId, dossier: Uuid) -> DomainResult<Option<Option<String>>>;
    fn consent_records(&mut self, org: OrgId, dossier: Uuid) -> DomainResult<Vec<ConsentRecord>>;
    /// When the dossier's last INBOUND message on `channel` occurred.
    fn last_inbound_at(
        &mut self,
        org: OrgId,
        dossier: Uuid,
        channel: MessageChannel,
    ) -> DomainResult<Option<DateTime<Utc>>>;
    fn template(&mut self, org: OrgId, code: &str) -> DomainResult<Option<TemplateRecord>>;
    /// The row holding `key` and its request hash.
    fn outbound_by_idempotency_key(&mut self, org: OrgId, key: &str) -> DomainResult<Option<(OutboundRecord, String)>>;
    /// Inserts the row; false (nothing written) when its idempotency key is already taken, even by
    /// a transaction that committed meanwhile.
    fn insert_outbound(&mut self, row: &NewOutbound) -> DomainResult<bool>;
    fn insert_outbound_log_entry(&mut self, entry: &NewOutboundLogEntry) -> DomainResult<Uuid>;
    fn find_outbound(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<OutboundRecord>>;
    fn list_outbound(
        &mut self,
        org: OrgId,
        filter: &OutboundFilter,
        page: u32,
        size: u32,
    ) -> DomainResult<(Vec<OutboundRecord>, u64)>;
    /// FAILED → QUEUED due now with `budget` more attempts; false when the row is not FAILED.
    fn requeue_failed(&mut self, org: OrgId, id: Uuid, budget: u32, now: DateTime<Utc>) -> DomainResult<bool>;
    /// QUEUED → CANCELLED; false when the row is not QUEUED (a worker may just have claimed it).
    fn cancel_queued(&mut self, org: OrgId, id: Uuid, now: DateTime<Utc>) -> DomainResult<bool>;
}

/// `POST /outbound/messages`, after the JSON shape was parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueInput {
    pub dossier_id: Uuid,
    pub to: Option<String>,
    pub template_code: Option<String>,
    pub template_params: Option<Vec<String>>,
    pub text: Option<String>,
    pub idempotency_key: Option<String>,
}

impl QueueInput {
    /// Fingerprint of the request body (not the key): the same key with another body is a 409.
    pub fn request_hash(&self) -> String {
        let canonical = json!({
            "dossierId": self.dossier_id,
            "channel": "WHATSAPP",
            "to": self.to,
            "templateCode": self.template_code,
            "templateParams": self.template_params,
            "text": self.text,
        });
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }

    fn as_json(&self) -> Value {
        json!({
            "dossierId": self.dossier_id,
            "channel": "WHATSAPP",
            "to": self.to,
            "templateCode": self.template_code,
            "templateParams": self.template_params,
            "text": self.text,
        })
    }
}

#[derive(Debug)]
pub enum QueueOutcome {
    /// 202: queued now.
    Created(OutboundRecord),
    /// 200: the same Idempotency-Key and body were seen before; nothing new was written.
    Replayed(OutboundRecord),
    /// Refused by the consent rule: the transaction holds only the BLOCKED_BY_POLICY audit event
    /// and must be committed; the handler then answers the error.
    Blocked(DomainError),
}

fn shape_violations(input: &QueueInput) -> Vec<FieldViolation> {
    let mut out = Vec::new();
    match (&input.template_code, &input.text) {
        (Some(_), Some(_)) => out.push(FieldViolation::new("text", "give either templateCode or text, not both")),
        (None, None) => out.push(FieldViolation::new("templateCode", "templateCode or text is required")),
        _ => {}
    }
    if let Some(t) = &input.text {
        let n = char_len(t.trim());
        if n == 0 {
            out.push(FieldViolation::new("text", "must not be blank"));
        } else if char_len(t) > TEXT_MAX {
            out.push(FieldViolation::new("text", format!("must be at most {TEXT_MAX} characters")));
        }
        if input.template_params.is_some() {
            out.push(FieldViolation::new("templateParams", "only with templateCode"));
        }
    }
    if input.template_code.as_deref().is_some_and(|c| c.trim().is_empty()) {
        out.push(FieldViolation::new("templateCode", "must not be blank"));
    }
    if let Some(k) = &input.idempotency_key {
        let printable = k.bytes().all(|b| (0x21..=0x7e).contains(&b));
        if k.is_empty() || k.len() > IDEMPOTENCY_KEY_MAX || !printable {
            out.push(FieldViolation::new(
                "Idempotency-Key",
                format!("must be 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces"),
            ));
        }
    }
    out
}

/// Queues a WhatsApp message. Order of checks (§10): role, request shape, idempotent replay,
/// dossier, recipient, consent (§7), then session window or template.
pub fn queue_message(
    store: &mut (impl OutboundStore + AuditLog + ActivityLog + OrgDirectory),
    actor: &Actor,
    input: QueueInput,
    schedule: &BackoffSchedule,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<QueueOutcome> {
    actor.require(Capability::Write)?;
    let violations = shape_violations(&input);
    if !violations.is_empty() {
        return Err(DomainError::Validation(violations));
    }
    let org = actor.org_id;
    let request_hash = input.idempotency_key.as_ref().map(|_| input.request_hash());
    if let (Some(key), Some(hash)) = (&input.idempotency_key, &request_hash) {
        if let Some(found) = replay(store, org, key, hash)? {
            return Ok(found);
        }
    }

    let lead_phone = store.dossier_lead_phone(org, input.dossier_id)?.ok_or(DomainError::NotFound)?;
    let to = match (&input.to, lead_phone) {
        (Some(raw), _) => {
            let country = store.org_settings(org)?.default_country;
            normalize_phone(raw, &country, "to").map_err(|v| DomainError::Validation(vec![v]))?
        }
        (None, Some(stored)) => {
            let country = store.org_settings(org)?.default_country;
            normalize_phone(&stored, &country, "to").map_err(|_| {
                DomainError::invalid("to", "the lead phone of the dossier is not a valid number; give `to`")
            })?
        }
        (None, None) => return Err(DomainError::invalid("to", "the dossier has no lead phone; give `to`")),
    };

    let consents = store.consent_records(org, input.dossier_id)?;
    if let Err(denial) = check_outbound_consent(&consents, MessageChannel::Whatsapp, now) {
        let mut refused = input.as_json();
        refused["reason"] = json!(denial.reason.as_str());
        refused["code"] = json!("CONSENT_REQUIRED");
        store.record(NewAuditEvent {
            org_id: org,
            actor_user_id: Some(actor.user_id),
            action: "BLOCKED_BY_POLICY",
            entity_type: "DOSSIER",
            entity_id: input.dossier_id,
            before: None,
            after: Some(refused),
            correlation_id,
        })?;
        return Ok(QueueOutcome::Blocked(DomainError::PolicyBlocked {
            code: "CONSENT_REQUIRED",
            message: denial.message(),
        }));
    }

    let (content, template_language, template_params) = match (&input.template_code, &input.text) {
        (Some(code), _) => {
            let template =
                store.template(org, code.trim())?.filter(|t| t.active).ok_or_else(|| DomainError::PolicyBlocked {
                    code: "TEMPLATE_NOT_FOUND",
                    message: format!("no active WhatsApp template {:?}", code.trim()),
                })?;
            let params = input.template_params.clone().unwrap_or_default();
            let rendered = render_template(&template.body, &params).map_err(|v| DomainError::Validation(vec![v]))?;
            (rendered, Some(template.language), Some(params))
        }
        (None, Some(text)) => {
            let last = store.last_inbound_at(org, input.dossier_id, MessageChannel::Whatsapp)?;
            if !session_window_open(last, now) {
                return Err(DomainError::PolicyBlocked {
                    code: "SESSION_WINDOW_CLOSED",
                    message:
                        "free text can only be sent within 24 hours of the lead's last WhatsApp message; use a template"
                            .into(),
                });
            }
            (text.clone(), None, None)
        }
        (None, None) => return Err(DomainError::invalid("templateCode", "templateCode or text is required")),
    };

    let row = NewOutbound {
        org_id: org,
        id: Uuid::now_v7(),
        dossier_id: input.dossier_id,
        to: to.into_string(),
        template_code: input.template_code.as_deref().map(|c| c.trim().to_string()),
        template_language,
        template_params,
        text: input.text.clone(),
        max_attempts: schedule.max_attempts(),
        idempotency_key: input.idempotency_key.clone(),
        request_hash: request_hash.clone(),
        created_by: actor.user_id,
        now,
    };
    if !store.insert_outbound(&row)? {
        // A concurrent request with the same key committed first.
        if let (Some(key), Some(hash)) = (&input.idempotency_key, &request_hash) {
            if let Some(found) = replay(store, org, key, hash)? {
                return Ok(found);
            }
        }
        return Err(DomainError::Conflict("this Idempotency-Key is already in use".into()));
    }
    let message_id = store.insert_outbound_log_entry(&NewOutboundLogEntry {
        org_id: org,
        dossier_id: row.dossier_id,
        outbound_message_id: row.id,
        content,
        created_by: actor.user_id,
        now,
    })?;
    let record = store.find_outbound(org, row.id)?.ok_or(DomainError::NotFound)?;
    store.record(NewAuditEvent {
        org_id: org,
        actor_user_id: Some(actor.user_id),
        action: "SEND",
        entity_type: ENTITY_TYPE,
        entity_id: row.id,
        before: None,
        after: Some(audit_json(&record)),
        correlation_id,
    })?;
    let what = match &record.template_code {
        Some(code) => format!("Modèle WhatsApp « {code} » mis en file d'envoi"),
        None => "Message WhatsApp mis en file d'envoi".to_string(),
    };
    store.add_activity(NewActivity {
        org_id: org,
        dossier_id: row.dossier_id,
        activity_type: ActivityType::Message,
        content: what,
        metadata: json!({
            "channel": "WHATSAPP",
            "direction": "OUTBOUND",
            "messageId": message_id,
            "outboundMessageId": row.id,
            "status": "QUEUED",
        }),
        created_by: Some(actor.user_id),
        occurred_at: now,
    })?;
    Ok(QueueOutcome::Created(record))
}

fn replay(store: &mut impl OutboundStore, org: OrgId, key: &str, hash: &str) -> DomainResult<Option<QueueOutcome>> {
    match store.outbound_by_idempotency_key(org, key)? {
        Some((record, stored)) if stored == hash => Ok(Some(QueueOutcome::Replayed(record))),
        Some(_) => Err(DomainError::Conflict("this Idempotency-Key was used with a different request body".into())),
        None => Ok(None),
    }
}

pub fn get_message(store: &mut impl OutboundStore, actor: &Actor, id: Uuid) -> DomainResult<OutboundRecord> {
    actor.require(Capability::Read)?;
    store.find_outbound(actor.org_id, id)?.ok_or(DomainError::NotFound)
}

pub fn list_messages(
    store: &mut impl OutboundStore,
    actor: &Actor,
    filter: &OutboundFilter,
    page: u32,
    size: u32,
) -> DomainResult<(Vec<OutboundRecord>, u64)> {
    actor.require(Capability::Read)?;
    store.list_outbound(actor.org_id, filter, page, size)
}

/// MANAGER+: a FAILED message (dead-lettered or not) is queued again with a fresh attempt budget.
pub fn retry_message(
    store: &mut (impl OutboundStore + AuditLog + ActivityLog),
    actor: &Actor,
    id: Uuid,
    schedule: &BackoffSchedule,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<OutboundRecord> {
    actor.require(Capability::Manage)?;
    change_status(store, actor, id, now, correlation_id, OutboundStatus::can_retry, |s, org| {
        s.requeue_failed(org, id, schedule.max_attempts(), now)
    })
}

/// AGENT+: a message still QUEUED is withdrawn.
pub fn cancel_message(
    store: &mut (impl OutboundStore + AuditLog + ActivityLog),
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<OutboundRecord> {
    actor.require(Capability::Write)?;
    change_status(store, actor, id, now, correlation_id, OutboundStatus::can_cancel, |s, org| {
        s.cancel_queued(org, id, now)
    })
}

fn change_status<S: OutboundStore + AuditLog + ActivityLog>(
    store: &mut S,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
    allowed: fn(OutboundStatus) -> bool,
    apply: impl FnOnce(&mut S, OrgId) -> DomainResult<bool>,
) -> DomainResult<OutboundRecord> {
    let org = actor.org_id;
    let before = store.find_outbound(org, id)?.ok_or(DomainError::NotFound)?;
    let conflict = || DomainError::Conflict(format!("not allowed while the message is {}", before.status.as_str()));
    // The guarded update is the real check: a worker may change the status in between.
    if !allowed(before.status) || !apply(store, org)? {
        return Err(conflict());
    }
    let after = store.find_outbound(org, id)?.ok_or(DomainError::NotFound)?;
    store.record(NewAuditEvent {
        org_id: org,
        actor_user_id: Some(actor.user_id),
        action: "STATUS_CHANGE",
        entity_type: ENTITY_TYPE,
        entity_id: id,
        before: Some(audit_json(&before)),
        after: Some(audit_json(&after)),
        correlation_id,
    })?;
    store.add_activity(status_activity(org, &after, Some(actor.user_id), now))?;
    Ok(after)
}

/// The `OUTBOUND_STATUS` timeline entry of a status change.
pub fn status_activity(org: OrgId, r: &OutboundRecord, by: Option<UserId>, now: DateTime<Utc>) -> NewActivity {
    let content = match (r.status, r.dead_lettered) {
        (OutboundStatus::Queued, _) => "Message WhatsApp remis en file d'envoi".to_string(),
        (OutboundStatus::Sent, _) => "Message WhatsApp envoyé".to_string(),
        (OutboundStatus::Cancelled, _) => "Envoi WhatsApp annulé".to_string(),
        (OutboundStatus::Failed, true) => "Échec d'envoi WhatsApp après toutes les tentatives".to_string(),
        (OutboundStatus::Failed, false) => "Échec d'envoi WhatsApp".to_string(),
        (s, _) => format!("Message WhatsApp : {}", s.as_str()),
    };
    NewActivity {
        org_id: org,
        dossier_id: r.dossier_id,
        activity_type: ActivityType::OutboundStatus,
        content,
        metadata: json!({
            "outboundMessageId": r.id,
            "status": r.status.as_str(),
            "providerMessageId": r.provider_message_id,
            "deadLettered": r.dead_lettered,
            "errorCode": r.last_error_code,
        }),
        created_by: by,
        occurred_at: now,
    }
}

/// Audit snapshot: what changed, without the phone number or the message text (§12 logs rule
/// applies to the audit trail's readers too; the message row keeps the content).
pub fn audit_json(r: &OutboundRecord) -> Value {
    json!({
        "id": r.id,
        "dossierId": r.dossier_id,
        "channel": "WHATSAPP",
        "templateCode": r.template_code,
        "status": r.status.as_str(),
        "providerMessageId": r.provider_message_id,
        "attemptCount": r.attempt_count,
        "maxAttempts": r.max_attempts,
        "deadLettered": r.dead_lettered,
        "lastErrorCode": r.last_error_code,
    })
}

// --- The worker's pure decisions ---

/// The provider request of a claimed row.
pub fn send_request(
    id: Uuid,
    to: &str,
    template: Option<(String, String, Vec<String>)>,
    text: Option<String>,
) -> SendRequest {
    let content = match (template, text) {
        (Some((code, language, params)), _) => SendContent::Template { code, language, params },
        (None, t) => SendContent::Text(t.unwrap_or_default()),
    };
    SendRequest { to: to.to_string(), content, callback_data: id.to_string() }
}

/// After attempt number `attempt_count` failed: retry after a delay, dead letter, or final
/// failure. The budget is `max_attempts` attempts in total; delays come from the schedule,
/// counted from `budget_start` (the attempt count when the budget began, non-zero after a manual
/// retry). A schedule shorter than the budget repeats its last delay.
pub fn decide_after_failure(
    schedule: &BackoffSchedule,
    attempt_count: u32,
    budget_start: u32,
    max_attempts: u32,
    class: RetryClass,
    jitter_fraction: f64,
) -> AttemptOutcome {
    if class == RetryClass::Final {
        return AttemptOutcome::Failed;
    }
    if attempt_count >= max_attempts {
        return AttemptOutcome::DeadLetter;
    }
    let relative = attempt_count.saturating_sub(budget_start).max(1);
    match after_failure(schedule, relative, class, jitter_fraction) {
        AttemptOutcome::DeadLetter => {
            let last = u32::try_from(schedule.delays().len()).unwrap_or(u32::MAX);
            after_failure(schedule, last, class, jitter_fraction)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests;
