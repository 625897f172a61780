//! Messages (the conversation log of a dossier), PRODUCT.md §5, and the consent rule of §7 for
//! messages logged by hand: an OUTBOUND message on WHATSAPP, SMS or EMAIL needs the dossier's
//! latest CONTACT consent for that channel to be GRANTED and unexpired, exactly like a real send.

use crate::wording::fr;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::activity::ActivityType;
use crate::consent::{
    check_outbound_consent, ConsentDenial, MessageChannel, MessageDirection, CAPTURED_AT_MAX_SKEW_MINUTES,
};
use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{Actor, Capability, OrgId, UserId};
use crate::ports::{ActivityLog, AuditLog, NewActivity, NewAuditEvent};
use crate::usecases::consents::ConsentStore;
use crate::usecases::parties::{micros, require_dossier, DossierLookup};
use crate::validation::{check_len, finish};

pub const CONTENT_MAX: usize = 10_000;
pub const EXTERNAL_ID_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub channel: MessageChannel,
    pub direction: MessageDirection,
    pub content: String,
    pub occurred_at: DateTime<Utc>,
    pub created_by: Option<UserId>,
    pub external_id: Option<String>,
    pub outbound_message_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl MessageRecord {
    pub fn snapshot(&self) -> Value {
        json!({
            "id": self.id,
            "dossierId": self.dossier_id,
            "channel": self.channel.as_str(),
            "direction": self.direction.as_str(),
            "content": self.content,
            "occurredAt": self.occurred_at,
            "createdByUserId": self.created_by.map(|u| u.0),
            "externalId": self.external_id,
            "outboundMessageId": self.outbound_message_id,
        })
    }
}

/// `POST /messages`; `occurred_at` absent means now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageInput {
    pub dossier_id: Uuid,
    pub channel: MessageChannel,
    pub direction: MessageDirection,
    pub content: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub external_id: Option<String>,
}

impl MessageInput {
    /// The refused request, as written in the `BLOCKED_BY_POLICY` audit event.
    fn snapshot(&self) -> Value {
        json!({
            "dossierId": self.dossier_id,
            "channel": self.channel.as_str(),
            "direction": self.direction.as_str(),
            "content": self.content,
            "occurredAt": self.occurred_at,
            "externalId": self.external_id,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageSort {
    OccurredAt,
    CreatedAt,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageQuery {
    pub dossier_id: Option<Uuid>,
    pub channel: Option<MessageChannel>,
    pub direction: Option<MessageDirection>,
    pub page: u32,
    pub size: u32,
    pub sort: MessageSort,
    pub descending: bool,
}

pub trait MessageStore {
    /// Conflict when `external_id` is already used in the org on that channel.
    fn insert_message(&mut self, org: OrgId, message: &MessageRecord) -> DomainResult<()>;
    fn find_message(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<MessageRecord>>;
    fn delete_message(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool>;
    fn list_messages(&mut self, org: OrgId, query: &MessageQuery) -> DomainResult<(Vec<MessageRecord>, u64)>;
}

/// The result of logging a message. A refusal by the consent policy is not an error of the
/// transaction: its `BLOCKED_BY_POLICY` audit event must be committed, so the use case returns it
/// as an outcome and the caller answers 422 `CONSENT_REQUIRED` after the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogOutcome {
    Logged(MessageRecord),
    Blocked(ConsentDenial),
}

/// A logged message has happened: `occurredAt` may not be in the future (beyond the clock skew
/// tolerated for consents), which would also push the dossier's lastActivityAt ahead of time.
fn validate(input: &MessageInput, now: DateTime<Utc>) -> DomainResult<Option<String>> {
    let mut out: Vec<FieldViolation> = Vec::new();
    check_len(&mut out, "content", input.content.trim(), 1, CONTENT_MAX);
    let external_id = input.external_id.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(e) = &external_id {
        check_len(&mut out, "externalId", e, 1, EXTERNAL_ID_MAX);
    }
    if input.occurred_at.is_some_and(|t| t > now + Duration::minutes(CAPTURED_AT_MAX_SKEW_MINUTES)) {
        out.push(FieldViolation::new("occurredAt", "must not be in the future"));
    }
    finish(out)?;
    Ok(external_id)
}

pub fn log_message(
    store: &mut (impl MessageStore + ConsentStore + DossierLookup + AuditLog + ActivityLog),
    actor: &Actor,
    input: MessageInput,
    now: DateTime<Utc>,
    corr: Option<String>,
) -> DomainResult<LogOutcome> {
    actor.require(Capability::Write)?;
    let now = micros(now);
    let external_id = validate(&input, now)?;
    require_dossier(store, actor.org_id, input.dossier_id)?;
    if input.direction == MessageDirection::Outbound {
        let records = store.consent_records(actor.org_id, input.dossier_id)?;
        if let Err(denial) = check_outbound_consent(&records, input.channel, now) {
            let mut after = input.snapshot();
            if let Some(obj) = after.as_object_mut() {
                obj.insert("policy".into(), json!("CONSENT_REQUIRED"));
                obj.insert("reason".into(), json!(denial.reason.as_str()));
            }
            store.record(NewAuditEvent {
                org_id: actor.org_id,
                actor_user_id: Some(actor.user_id),
                action: "BLOCKED_BY_POLICY",
                entity_type: "DOSSIER",
                entity_id: input.dossier_id,
                before: None,
                after: Some(after),
                correlation_id: corr,
            })?;
            return Ok(LogOutcome::Blocked(denial));
        }
    }
    let message = MessageRecord {
        id: Uuid::now_v7(),
        dossier_id: input.dossier_id,
        channel: input.channel,
        direction: input.direction,
        content: input.content,
        occurred_at: input.occurred_at.map_or(now, micros),
        created_by: Some(actor.user_id),
        external_id,
        outbound_message_id: None,
        created_at: now,
    };
    store.insert_message(actor.org_id, &message)?;
    store.record(NewAuditEvent {
        org_id: actor.org_id,
        actor_user_id: Some(actor.user_id),
        action: "CREATE",
        entity_type: "MESSAGE",
        entity_id: message.id,
        before: None,
        after: Some(message.snapshot()),
        correlation_id: corr,
    })?;
    store.add_activity(message_activity(actor, &message))?;
    Ok(LogOutcome::Logged(message))
}

/// The timeline entry of a message. The text of the message stays out of it (it is personal data
/// that retention and erasure purge from `message`); the entry points at the message instead.
fn message_activity(actor: &Actor, m: &MessageRecord) -> NewActivity {
    let way = match m.direction {
        MessageDirection::Inbound => "entrant",
        MessageDirection::Outbound => "sortant",
    };
    NewActivity {
        org_id: actor.org_id,
        dossier_id: m.dossier_id,
        activity_type: ActivityType::Message,
        content: format!("Message {way} ({})", fr(m.channel.as_str())),
        metadata: json!({"messageId": m.id, "channel": m.channel.as_str(), "direction": m.direction.as_str()}),
        created_by: Some(actor.user_id),
        occurred_at: m.occurred_at,
    }
}

pub fn get_message(store: &mut impl MessageStore, actor: &Actor, id: Uuid) -> DomainResult<MessageRecord> {
    actor.require(Capability::Read)?;
    store.find_message(actor.org_id, id)?.ok_or(DomainError::NotFound)
}

pub fn list_messages(
    store: &mut impl MessageStore,
    actor: &Actor,
    query: &MessageQuery,
) -> DomainResult<(Vec<MessageRecord>, u64)> {
    actor.require(Capability::Read)?;
    store.list_messages(actor.org_id, query)
}

pub fn delete_message(
    store: &mut (impl MessageStore + AuditLog),
    actor: &Actor,
    id: Uuid,
    corr: Option<String>,
) -> DomainResult<()> {
    actor.require(Capability::Manage)?;
    let before = store.find_message(actor.org_id, id)?.ok_or(DomainError::NotFound)?;
    if !store.delete_message(actor.org_id, id)? {
        return Err(DomainError::NotFound);
    }
    store.record(NewAuditEvent {
        org_id: actor.org_id,
        actor_user_id: Some(actor.user_id),
        action: "DELETE",
        entity_type: "MESSAGE",
        entity_id: id,
        before: Some(before.snapshot()),
        after: None,
        correlation_id: corr,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(content: &str, external_id: Option<&str>) -> MessageInput {
        MessageInput {
            dossier_id: Uuid::nil(),
            channel: MessageChannel::Email,
            direction: MessageDirection::Inbound,
            content: content.into(),
            occurred_at: None,
            external_id: external_id.map(Into::into),
        }
    }

    fn validate_at(i: &MessageInput) -> DomainResult<Option<String>> {
        validate(i, Utc::now())
    }

    #[test]
    fn occurred_at_not_in_the_future() {
        let now = Utc::now();
        let mut i = input("Bonjour", None);
        i.occurred_at = Some(now + Duration::minutes(4));
        assert!(validate(&i, now).is_ok());
        i.occurred_at = Some(now + Duration::hours(1));
        assert!(matches!(validate(&i, now), Err(DomainError::Validation(v)) if v[0].field == "occurredAt"));
    }

    #[test]
    fn content_and_external_id() {
        assert!(matches!(validate_at(&input("Bonjour", None)), Ok(None)));
        assert!(matches!(validate_at(&input("Bonjour", Some("  "))), Ok(None)));
        assert!(matches!(validate_at(&input("Bonjour", Some(" <a@b> "))), Ok(Some(e)) if e == "<a@b>"));
        assert!(validate_at(&input(&"x".repeat(CONTENT_MAX), None)).is_ok());
        let fields = |r: DomainResult<Option<String>>| match r {
            Err(DomainError::Validation(v)) => v.into_iter().map(|f| f.field).collect::<Vec<_>>(),
            _ => vec![],
        };
        assert_eq!(fields(validate_at(&input("  ", None))), ["content"]);
        assert_eq!(
            fields(validate_at(&input(&"x".repeat(CONTENT_MAX + 1), Some(&"e".repeat(201))))),
            ["content", "externalId"]
        );
    }
}
