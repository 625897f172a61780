//! The webhook POST, from raw bytes to stored rows (PRODUCT.md §10):
//! parse → route by `phone_number_id` → verify the signature with EACH routed org's app secret
//! → process every entry/change/item, each item in its own transaction with a savepoint around
//! the business part, so that a failing item is kept as a FAILED raw event and the others still
//! land. Everything is stored before the 200, so a client reading right after sees it.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::Connection;
use serde_json::{json, Value};
use uuid::Uuid;

use atlas_domain::error::DomainError;
use atlas_domain::identity::OrgId;
use atlas_domain::usecases::whatsapp_inbound::{
    self as uc, message_content, provider_time, sender_phone, ContentParts, InboundMessage, InboundReceipt,
    IngestOutcome, ReceiptOutcome,
};
use atlas_domain::whatsapp::verify_signature;
use atlas_shared_types::whatsapp_config::WebhookAck;

use super::metrics::InboundMetrics;
use super::payload::{self, ChangeValue, Contact, MessageItem, StatusItem};
use crate::db::whatsapp_inbound::{claim_message, finish_event, insert_failed_event, routes, Claim, Route};
use crate::db::{Db, TxError};
use crate::http::problem::ApiError;
use crate::http::state::AppState;

/// Why a POST is refused as a whole (nothing stored).
#[derive(Debug, Clone)]
pub enum Rejection {
    /// Not JSON of the webhook's shape, or no `phone_number_id` anywhere → 400.
    BadRequest(&'static str),
    /// Missing or bad `X-Hub-Signature-256` for one of the routed orgs → 401.
    Unauthorized,
    /// One of the routed orgs spent its webhook budget (PRODUCT.md §12) → 429.
    RateLimited(ApiError),
}

/// Errors here are infrastructure failures before any item was processed (routing query):
/// the caller answers 500 and Meta retries.
pub fn handle(
    conn: &mut PgConnection,
    app: &AppState,
    raw: &[u8],
    signature: Option<&str>,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> Result<Result<WebhookAck, Rejection>, DomainError> {
    let metrics = &app.inbound_metrics;
    let Some(payload) = payload::parse(raw) else {
        return Ok(Err(Rejection::BadRequest("the body is not a WhatsApp webhook JSON document")));
    };
    let ids = payload.phone_number_ids();
    if ids.is_empty() {
        return Ok(Err(Rejection::BadRequest("the body names no metadata.phone_number_id")));
    }
    let routed = routes(conn, &ids)?;
    let unknown = ids.iter().filter(|id| !routed.iter().any(|r| &r.phone_number_id == *id)).count();
    InboundMetrics::add(&metrics.unknown_phone_number_ids, unknown as u64);

    // One POST may route to several orgs only if the signature verifies with each one's secret.
    for route in &routed {
        let secret = route.app_secret_sealed.as_deref().and_then(|s| app.data_key.open(s));
        if !secret.is_some_and(|s| verify_signature(&s, raw, signature)) {
            InboundMetrics::add(&metrics.signature_failures, 1);
            tracing::warn!(org_id = %route.org.0, "webhook signature refused");
            return Ok(Err(Rejection::Unauthorized));
        }
    }

    // Counted once the signature proved the sender, per distinct org, before anything is stored.
    let mut orgs: Vec<OrgId> = routed.iter().map(|r| r.org).collect();
    orgs.sort_by_key(|o| o.0);
    orgs.dedup();
    for org in orgs {
        if let Err(limited) = app.rate_limits.webhook(org.0) {
            tracing::warn!(org_id = %org.0, "webhook rate limited");
            return Ok(Err(Rejection::RateLimited(limited)));
        }
    }

    let mut ack = WebhookAck::default();
    for (_, change) in payload.changes() {
        let route: Option<&Route> =
            change.phone_number_id().and_then(|id| routed.iter().find(|r| r.phone_number_id == id));
        let Some(route) = route else {
            ack.ignored += count(change.messages.len() + change.statuses.len());
            continue;
        };
        for item in &change.messages {
            ack.received += 1;
            process_message(conn, app, route.org, change, item, now, correlation_id.clone(), &mut ack);
        }
        for item in &change.statuses {
            ack.received += 1;
            process_status(conn, app, route.org, item, now, correlation_id.clone(), &mut ack);
        }
    }
    tracing::info!(
        received = ack.received,
        processed = ack.processed,
        duplicates = ack.duplicates,
        failed = ack.failed,
        ignored = ack.ignored,
        unknown_phone_number_ids = unknown,
        "whatsapp webhook processed"
    );
    Ok(Ok(ack))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

enum MessageResult {
    Stored,
    Duplicate,
    Failed,
}

#[allow(clippy::too_many_arguments)]
fn process_message(
    conn: &mut PgConnection,
    app: &AppState,
    org: OrgId,
    change: &ChangeValue,
    raw_item: &Value,
    now: DateTime<Utc>,
    corr: Option<String>,
    ack: &mut WebhookAck,
) {
    let item = serde_json::from_value::<MessageItem>(raw_item.clone()).ok();
    let contact = item.as_ref().and_then(|m| change.contact_for(m));
    let raw = json!({"message": raw_item, "contacts": change.contacts});
    let wa_id = item.as_ref().and_then(|m| m.id.clone()).filter(|id| !id.trim().is_empty());

    let result = conn.transaction::<MessageResult, TxError, _>(|c| {
        let (Some(item), Some(wa_id)) = (item.as_ref(), wa_id.as_deref()) else {
            insert_failed_event(c, org, "MESSAGE", &raw, "unreadable message item or no message id")?;
            return Ok(MessageResult::Failed);
        };
        let event = match claim_message(c, org, wa_id, &raw)? {
            Claim::Done => return Ok(MessageResult::Duplicate),
            Claim::New(id) | Claim::Retry(id) => id,
        };
        let msg = inbound_message(item, contact.as_ref(), wa_id, now);
        // Savepoint: a failure rolls back this item's business rows only; its event stays.
        let outcome = c.transaction::<IngestOutcome, TxError, _>(|c2| {
            uc::ingest_message(&mut Db { conn: c2 }, org, msg, now, corr).map_err(TxError::Domain)
        });
        Ok(match outcome {
            Ok(IngestOutcome::Stored { dossier_id, .. }) => {
                finish_event(c, org, event, "PROCESSED", None, Some(dossier_id))?;
                MessageResult::Stored
            }
            Ok(IngestOutcome::Duplicate) => {
                finish_event(c, org, event, "IGNORED", Some("message already stored"), None)?;
                MessageResult::Duplicate
            }
            Err(e) => {
                let why = describe(&DomainError::from(e));
                tracing::warn!(org_id = %org.0, error = %why, "inbound whatsapp message failed");
                finish_event(c, org, event, "FAILED", Some(&why), None)?;
                MessageResult::Failed
            }
        })
    });
    let m = &app.inbound_metrics;
    match result {
        Ok(MessageResult::Stored) => {
            ack.processed += 1;
            InboundMetrics::add(&m.inbound_messages, 1);
        }
        Ok(MessageResult::Duplicate) => {
            ack.duplicates += 1;
            InboundMetrics::add(&m.duplicate_messages, 1);
        }
        Ok(MessageResult::Failed) => fail(app, ack),
        Err(e) => {
            tracing::error!(org_id = %org.0, error = %describe(&DomainError::from(e)), "inbound item transaction failed");
            fail(app, ack);
        }
    }
}

fn process_status(
    conn: &mut PgConnection,
    app: &AppState,
    org: OrgId,
    raw_item: &Value,
    now: DateTime<Utc>,
    corr: Option<String>,
    ack: &mut WebhookAck,
) {
    let item = serde_json::from_value::<StatusItem>(raw_item.clone()).ok();
    let receipt = item.as_ref().and_then(|s| receipt(s, now));
    let raw = json!({"status": raw_item});
    let result = conn.transaction::<Option<ReceiptOutcome>, TxError, _>(|c| {
        let Some(receipt) = receipt else {
            insert_failed_event(c, org, "STATUS", &raw, "unreadable status item or no id")?;
            return Ok(None);
        };
        let outcome = c.transaction::<ReceiptOutcome, TxError, _>(|c2| {
            uc::apply_receipt(&mut Db { conn: c2 }, org, receipt, corr).map_err(TxError::Domain)
        });
        match outcome {
            Ok(o) => Ok(Some(o)),
            Err(e) => {
                let why = describe(&DomainError::from(e));
                tracing::warn!(org_id = %org.0, error = %why, "whatsapp status receipt failed");
                insert_failed_event(c, org, "STATUS", &raw, &why)?;
                Ok(None)
            }
        }
    });
    let m = &app.inbound_metrics;
    match result {
        Ok(Some(ReceiptOutcome::Applied(_))) => {
            ack.processed += 1;
            InboundMetrics::add(&m.statuses_applied, 1);
        }
        Ok(Some(ReceiptOutcome::UnknownMessage)) => {
            ack.ignored += 1;
            InboundMetrics::add(&m.unknown_status_ids, 1);
        }
        // a late or repeated receipt, or a status value we do not track: nothing to change
        Ok(Some(ReceiptOutcome::Stale | ReceiptOutcome::UnknownStatus)) => ack.ignored += 1,
        Ok(None) => fail(app, ack),
        Err(e) => {
            tracing::error!(org_id = %org.0, error = %describe(&DomainError::from(e)), "status item transaction failed");
            fail(app, ack);
        }
    }
}

fn fail(app: &AppState, ack: &mut WebhookAck) {
    ack.failed += 1;
    InboundMetrics::add(&app.inbound_metrics.failed_items, 1);
}

/// For the event's `error` column and logs: never message contents or phone numbers.
fn describe(e: &DomainError) -> String {
    match e {
        DomainError::Validation(v) => {
            v.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

fn nonblank(s: Option<&String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A `messages[]` item (and its contact) as the use case reads it.
pub fn inbound_message(m: &MessageItem, contact: Option<&Contact>, wa_id: &str, now: DateTime<Utc>) -> InboundMessage {
    let kind = m.kind.clone().unwrap_or_default();
    let media = match kind.as_str() {
        "image" => m.image.as_ref(),
        "video" => m.video.as_ref(),
        "document" => m.document.as_ref(),
        _ => None,
    };
    let text = m
        .text
        .as_ref()
        .and_then(|t| t.body.as_deref())
        .or_else(|| m.button.as_ref().and_then(|b| b.text.as_deref()))
        .or_else(|| {
            m.interactive
                .as_ref()
                .and_then(|i| i.button_reply.as_ref().or(i.list_reply.as_ref()).and_then(|r| r.title.as_deref()))
        });
    let label = match kind.as_str() {
        "location" => m.location.as_ref().and_then(|l| l.name.as_deref().or(l.address.as_deref())),
        "reaction" => m.reaction.as_ref().and_then(|r| r.emoji.as_deref()),
        _ => None,
    };
    let parts = ContentParts {
        text,
        caption: media.and_then(|x| x.caption.as_deref()),
        filename: media.and_then(|x| x.filename.as_deref()),
        label,
    };
    let phone =
        sender_phone(nonblank(m.from.as_ref()).or_else(|| contact.and_then(|c| nonblank(c.wa_id.as_ref()))).as_deref());
    let bsuid = nonblank(m.from_user_id.as_ref()).or_else(|| contact.and_then(|c| nonblank(c.user_id.as_ref())));
    InboundMessage {
        wa_message_id: wa_id.to_string(),
        phone,
        bsuid,
        profile_name: contact.and_then(|c| c.profile.as_ref()).and_then(|p| p.name.clone()),
        content: message_content(&kind, &parts),
        message_type: kind,
        occurred_at: provider_time(m.timestamp.as_deref()).unwrap_or(now),
    }
}

fn receipt(s: &StatusItem, now: DateTime<Utc>) -> Option<InboundReceipt> {
    let id = nonblank(s.id.as_ref())?;
    let first_error = s.errors.first();
    Some(InboundReceipt {
        provider_message_id: id,
        status: s.status.as_deref().unwrap_or_default().trim().to_ascii_lowercase(),
        our_id: s.biz_opaque_callback_data.as_deref().and_then(|d| Uuid::parse_str(d.trim()).ok()),
        occurred_at: provider_time(s.timestamp.as_deref()).unwrap_or(now),
        error_code: first_error.and_then(|e| e.code.clone()),
        error_title: first_error.and_then(|e| e.title.clone().or_else(|| e.message.clone())),
    })
}
