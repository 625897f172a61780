//! WhatsApp inbound (PRODUCT.md §10): a received message finds or creates its dossier and is
//! logged with its timeline entry; a delivery receipt moves an outbound message forward.
//!
//! The webhook adapter verifies the signature, routes each item to its org, handles idempotency
//! (raw event table) and gives each item its own savepoint; these use cases are the business part
//! of one item, run inside that savepoint. There is no acting user: audit events carry no actor.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::activity::ActivityType;
use crate::dossier::LEAD_NAME_MAX;
use crate::error::{DomainError, DomainResult};
use crate::identity::OrgId;
use crate::phone::{normalize_phone, PhoneE164};
use crate::ports::{ActivityLog, AuditLog, NewActivity, NewAuditEvent, OrgDirectory};
use crate::whatsapp::{apply_delivery_status, DeliveryStatus, OutboundStatus};

/// Name of a dossier created for a sender with neither profile name nor phone.
pub const DEFAULT_LEAD_NAME: &str = "Contact WhatsApp";
/// Longest message content stored (WhatsApp text is at most 4096 characters).
pub const CONTENT_MAX: usize = 4096;

/// One received message, already read out of the provider's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    pub wa_message_id: String,
    pub phone: Option<PhoneE164>,
    /// Business-scoped user id (BSUID), the identity of username senders.
    pub bsuid: Option<String>,
    pub profile_name: Option<String>,
    pub content: String,
    pub message_type: String,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierRef {
    pub id: Uuid,
    pub whatsapp_user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInboundDossier {
    pub id: Uuid,
    pub reference: String,
    pub lead_name: String,
    pub lead_phone: Option<String>,
    pub whatsapp_user_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInboundMessage {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub content: String,
    pub external_id: String,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundRef {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub status: OutboundStatus,
    /// When its current status was reached (sent, delivered or read), if it was.
    pub last_status_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundStatusUpdate {
    pub id: Uuid,
    pub status: OutboundStatus,
    pub at: DateTime<Utc>,
    /// Learnt when the receipt found the message by our id (`biz_opaque_callback_data`).
    pub provider_message_id: String,
    pub error_code: Option<String>,
    pub error_title: Option<String>,
}

pub trait InboundStore {
    /// Serialises concurrent inbound from one sender of one org until the transaction ends, so
    /// that two first messages never create two dossiers (BSUID senders have no unique index).
    fn lock_sender(&mut self, org: OrgId, sender_key: &str) -> DomainResult<()>;
    /// The oldest open dossier whose lead phone, else one of whose parties' phone, is `phone`.
    fn open_dossier_by_phone(&mut self, org: OrgId, phone: &str) -> DomainResult<Option<DossierRef>>;
    fn open_dossier_by_whatsapp_user(&mut self, org: OrgId, bsuid: &str) -> DomainResult<Option<DossierRef>>;
    /// Inserts unless a dedup unique index refuses it (a twin created concurrently): false then.
    fn insert_inbound_dossier(&mut self, org: OrgId, d: &NewInboundDossier) -> DomainResult<bool>;
    fn set_whatsapp_user_id(&mut self, org: OrgId, dossier: Uuid, bsuid: &str) -> DomainResult<()>;
    /// False when a WHATSAPP message with this external id is already stored.
    fn insert_inbound_message(&mut self, org: OrgId, m: &NewInboundMessage) -> DomainResult<bool>;
    /// `last_inbound_at = max(last_inbound_at, at)`: the 24-hour window.
    fn extend_session_window(&mut self, org: OrgId, dossier: Uuid, at: DateTime<Utc>) -> DomainResult<()>;
    /// The outbound message a receipt is about, locked: by provider id, else by our id.
    fn outbound_for_receipt(
        &mut self,
        org: OrgId,
        provider_message_id: &str,
        our_id: Option<Uuid>,
    ) -> DomainResult<Option<OutboundRef>>;
    fn set_outbound_status(&mut self, org: OrgId, update: &OutboundStatusUpdate) -> DomainResult<()>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    Stored {
        dossier_id: Uuid,
        message_id: Uuid,
        dossier_created: bool,
    },
    /// The message was already stored (replay).
    Duplicate,
}

/// Stores one inbound message on its dossier (found by phone, lead then party, else by BSUID;
/// created when none), with its MESSAGE activity, its audit event and the session window.
pub fn ingest_message(
    store: &mut (impl InboundStore + AuditLog + ActivityLog + OrgDirectory),
    org: OrgId,
    msg: InboundMessage,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<IngestOutcome> {
    if msg.wa_message_id.trim().is_empty() {
        return Err(DomainError::invalid("id", "the message has no id"));
    }
    let phone = msg.phone.as_ref().map(PhoneE164::as_str);
    let bsuid = msg.bsuid.as_deref().filter(|b| !b.trim().is_empty());
    let sender_key = match (phone, bsuid) {
        (Some(p), _) => format!("p:{p}"),
        (None, Some(b)) => format!("u:{b}"),
        (None, None) => {
            return Err(DomainError::invalid("from", "the sender has neither a phone number nor a user id"))
        }
    };
    store.lock_sender(org, &sender_key)?;

    let mut found = match phone {
        Some(p) => store.open_dossier_by_phone(org, p)?,
        None => None,
    };
    if found.is_none() {
        if let Some(b) = bsuid {
            found = store.open_dossier_by_whatsapp_user(org, b)?;
        }
    }
    let (dossier, created) = match found {
        Some(d) => (d, false),
        None => create_dossier(store, org, &msg, phone, bsuid, now, correlation_id.clone())?,
    };

    if let (Some(b), None) = (bsuid, dossier.whatsapp_user_id.as_deref()) {
        store.set_whatsapp_user_id(org, dossier.id, b)?;
        store.record(NewAuditEvent {
            org_id: org,
            actor_user_id: None,
            action: "UPDATE",
            entity_type: "DOSSIER",
            entity_id: dossier.id,
            before: Some(json!({"whatsappUserId": null})),
            after: Some(json!({"whatsappUserId": b})),
            correlation_id: correlation_id.clone(),
        })?;
    }

    let message = NewInboundMessage {
        id: Uuid::now_v7(),
        dossier_id: dossier.id,
        content: truncate(&msg.content, CONTENT_MAX),
        external_id: msg.wa_message_id.clone(),
        occurred_at: msg.occurred_at,
    };
    if !store.insert_inbound_message(org, &message)? {
        return Ok(IngestOutcome::Duplicate);
    }
    let snapshot = json!({
        "id": message.id,
        "dossierId": dossier.id,
        "channel": "WHATSAPP",
        "direction": "INBOUND",
        "content": message.content,
        "occurredAt": message.occurred_at,
        "externalId": message.external_id,
    });
    store.record(NewAuditEvent {
        org_id: org,
        actor_user_id: None,
        action: "CREATE",
        entity_type: "MESSAGE",
        entity_id: message.id,
        before: None,
        after: Some(snapshot),
        correlation_id,
    })?;
    store.add_activity(NewActivity {
        org_id: org,
        dossier_id: dossier.id,
        activity_type: ActivityType::Message,
        content: message.content.clone(),
        metadata: json!({
            "messageId": message.id,
            "channel": "WHATSAPP",
            "direction": "INBOUND",
            "externalId": message.external_id,
            "messageType": msg.message_type,
        }),
        created_by: None,
        occurred_at: message.occurred_at,
    })?;
    store.extend_session_window(org, dossier.id, message.occurred_at)?;
    Ok(IngestOutcome::Stored { dossier_id: dossier.id, message_id: message.id, dossier_created: created })
}

fn create_dossier(
    store: &mut (impl InboundStore + AuditLog + ActivityLog + OrgDirectory),
    org: OrgId,
    msg: &InboundMessage,
    phone: Option<&str>,
    bsuid: Option<&str>,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<(DossierRef, bool)> {
    let d = NewInboundDossier {
        id: Uuid::now_v7(),
        reference: store.next_reference(org, "DOS")?,
        lead_name: lead_name(msg.profile_name.as_deref(), phone),
        lead_phone: phone.map(str::to_string),
        whatsapp_user_id: bsuid.map(str::to_string),
        created_at: now,
    };
    if !store.insert_inbound_dossier(org, &d)? {
        // A twin (same phone, no annonce) was committed meanwhile, e.g. by the API: use it.
        let twin = match phone {
            Some(p) => store.open_dossier_by_phone(org, p)?,
            None => None,
        };
        return twin
            .map(|t| (t, false))
            .ok_or_else(|| DomainError::Infra("dossier insert refused but no open twin found".into()));
    }
    store.record(NewAuditEvent {
        org_id: org,
        actor_user_id: None,
        action: "CREATE",
        entity_type: "DOSSIER",
        entity_id: d.id,
        before: None,
        after: Some(json!({
            "id": d.id,
            "reference": d.reference,
            "leadName": d.lead_name,
            "leadPhone": d.lead_phone,
            "whatsappUserId": d.whatsapp_user_id,
            "source": "WHATSAPP",
            "type": "BUY",
            "status": "NEW",
        })),
        correlation_id,
    })?;
    store.add_activity(NewActivity {
        org_id: org,
        dossier_id: d.id,
        activity_type: ActivityType::DossierCreated,
        content: "Dossier créé à partir d'un message WhatsApp".to_string(),
        metadata: json!({"source": "WHATSAPP", "reference": d.reference, "externalId": msg.wa_message_id}),
        created_by: None,
        occurred_at: now,
    })?;
    Ok((DossierRef { id: d.id, whatsapp_user_id: d.whatsapp_user_id }, true))
}

/// One delivery receipt (`statuses[]` item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundReceipt {
    pub provider_message_id: String,
    /// Meta's lower-case status (`sent`, `delivered`, `read`, `failed`, …).
    pub status: String,
    /// Our outbound id echoed back in `biz_opaque_callback_data`, when it is one.
    pub our_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub error_code: Option<String>,
    pub error_title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptOutcome {
    Applied(OutboundStatus),
    /// Known message, but the receipt would move it backwards (or it is final): ignored.
    Stale,
    UnknownMessage,
    /// A status value we do not track (`deleted`, `warning`, …).
    UnknownStatus,
}

pub fn apply_receipt(
    store: &mut (impl InboundStore + AuditLog + ActivityLog),
    org: OrgId,
    r: InboundReceipt,
    correlation_id: Option<String>,
) -> DomainResult<ReceiptOutcome> {
    let Some(incoming) = DeliveryStatus::parse_webhook(&r.status) else {
        return Ok(ReceiptOutcome::UnknownStatus);
    };
    let Some(out) = store.outbound_for_receipt(org, &r.provider_message_id, r.our_id)? else {
        return Ok(ReceiptOutcome::UnknownMessage);
    };
    let Some(next) = apply_delivery_status(out.status, incoming) else {
        return Ok(ReceiptOutcome::Stale);
    };
    let failed = next == OutboundStatus::Failed;
    let at = receipt_time(r.occurred_at, out.last_status_at);
    let update = OutboundStatusUpdate {
        id: out.id,
        status: next,
        at,
        provider_message_id: r.provider_message_id.clone(),
        error_code: r.error_code.clone().filter(|_| failed),
        error_title: r.error_title.clone().filter(|_| failed),
    };
    store.set_outbound_status(org, &update)?;
    store.record(NewAuditEvent {
        org_id: org,
        actor_user_id: None,
        action: "STATUS_CHANGE",
        entity_type: "OUTBOUND_MESSAGE",
        entity_id: out.id,
        before: Some(json!({"status": out.status.as_str()})),
        after: Some(json!({"status": next.as_str(), "errorCode": update.error_code, "errorTitle": update.error_title})),
        correlation_id,
    })?;
    let content = match next {
        OutboundStatus::Sent => "Message WhatsApp envoyé".to_string(),
        OutboundStatus::Delivered => "Message WhatsApp distribué".to_string(),
        OutboundStatus::Read => "Message WhatsApp lu".to_string(),
        _ => match (&update.error_title, &update.error_code) {
            (Some(t), Some(c)) => format!("Échec d'envoi WhatsApp : {t} ({c})"),
            (Some(t), None) => format!("Échec d'envoi WhatsApp : {t}"),
            (None, Some(c)) => format!("Échec d'envoi WhatsApp ({c})"),
            (None, None) => "Échec d'envoi WhatsApp".to_string(),
        },
    };
    store.add_activity(NewActivity {
        org_id: org,
        dossier_id: out.dossier_id,
        activity_type: ActivityType::OutboundStatus,
        content,
        metadata: json!({
            "outboundMessageId": out.id,
            "providerMessageId": r.provider_message_id,
            "from": out.status.as_str(),
            "status": next.as_str(),
            "errorCode": update.error_code,
            "errorTitle": update.error_title,
        }),
        created_by: None,
        occurred_at: at,
    })?;
    Ok(ReceiptOutcome::Applied(next))
}

/// When a status was reached: the provider's time, but never before the status it follows. Meta
/// stamps receipts in whole seconds while the worker records `sent` to the microsecond, so a
/// `delivered` 300 ms after the send would otherwise read as earlier than it (negative latency,
/// timeline out of order).
pub fn receipt_time(provider: DateTime<Utc>, previous: Option<DateTime<Utc>>) -> DateTime<Utc> {
    match previous {
        Some(p) if p >= provider => p + chrono::Duration::milliseconds(1),
        _ => provider,
    }
}

// ---------------------------------------------------------------------------------------------
// Pure helpers: reading the provider's fields.

/// The sender's number in E.164: Meta sends digits with the country code and no `+`. A number
/// the phone library does not know (new ranges, test numbers) is kept when it has E.164's shape;
/// anything else is no phone (the sender is then known by BSUID only).
pub fn sender_phone(from: Option<&str>) -> Option<PhoneE164> {
    let digits: String = from?.trim().trim_start_matches('+').to_string();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let plus = format!("+{digits}");
    normalize_phone(&plus, "", "from").ok().or_else(|| PhoneE164::try_from(plus).ok())
}

/// The lead name of a dossier created by an inbound message: the profile name, else the phone,
/// else a fixed label.
pub fn lead_name(profile_name: Option<&str>, phone: Option<&str>) -> String {
    profile_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| truncate(n, LEAD_NAME_MAX))
        .or_else(|| phone.map(str::to_string))
        .unwrap_or_else(|| DEFAULT_LEAD_NAME.to_string())
}

/// What a message of each type shows in the conversation log. `text` is the text body (or the
/// reply title of buttons and interactive messages), `caption` of media, `filename` of documents,
/// `label` of locations (name or address) and reactions (the emoji).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentParts<'a> {
    pub text: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub filename: Option<&'a str>,
    pub label: Option<&'a str>,
}

pub fn message_content(message_type: &str, parts: &ContentParts<'_>) -> String {
    let nonblank = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let tagged = |tag: &str, extra: Option<String>| match extra {
        Some(e) => format!("[{tag}] {e}"),
        None => format!("[{tag}]"),
    };
    let t = message_type.trim();
    match t {
        "text" | "button" | "interactive" => nonblank(parts.text).unwrap_or_else(|| format!("[{t}]")),
        "image" | "video" => tagged(t, nonblank(parts.caption)),
        "document" => tagged(t, nonblank(parts.filename).or_else(|| nonblank(parts.caption))),
        "audio" | "voice" => "[audio]".to_string(),
        "location" | "reaction" => tagged(t, nonblank(parts.label)),
        "" => "[unknown]".to_string(),
        other => format!("[{}]", truncate(other, 40)),
    }
}

/// A provider timestamp (seconds since the epoch, as a string); `None` when absent or absurd.
pub fn provider_time(seconds: Option<&str>) -> Option<DateTime<Utc>> {
    let s: i64 = seconds?.trim().parse().ok()?;
    Utc.timestamp_opt(s, 0).single()
}

fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests;
