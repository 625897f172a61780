//! Watching a dossier's outbound WhatsApp messages move (queued → sent → delivered → read): the
//! Messages and Timeline tabs poll while one of them may still change.

use std::time::Duration;

use atlas_shared_types::outbound::OutboundMessageDto;
use atlas_shared_types::Page;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::format::now;

/// Poll period while something moves.
const EVERY: Duration = Duration::from_secs(2);
/// How long after `sent`/`delivered` a next status is still awaited: a phone may stay off for days,
/// the screen does not poll for ever.
const AWAIT_NEXT_MINUTES: i64 = 5;

/// May this message still change status soon?
pub fn still_moving(m: &OutboundMessageDto, at: DateTime<Utc>) -> bool {
    let recent = |t: Option<DateTime<Utc>>| {
        t.is_some_and(|t| at.signed_duration_since(t) < chrono::Duration::minutes(AWAIT_NEXT_MINUTES))
    };
    match m.status.as_str() {
        "QUEUED" | "SENDING" => true,
        "SENT" => recent(m.sent_at),
        "DELIVERED" => recent(m.delivered_at),
        _ => false,
    }
}

pub type OutboundList = LocalResource<Result<Page<OutboundMessageDto>, ApiError>>;

/// The dossier's outbound messages, refetched (with `also`) every 2 s while one still moves.
pub fn watch_outbound(id: Uuid, also: impl Fn() + 'static) -> OutboundList {
    let outbound: OutboundList = LocalResource::new(move || async move {
        api::get::<Page<OutboundMessageDto>>(&format!("/outbound/messages?dossierId={id}&size=100")).await
    });
    let moving = move || {
        outbound.with(|o| {
            o.as_ref().and_then(|r| r.as_ref().ok()).is_some_and(|p| p.items.iter().any(|m| still_moving(m, now())))
        })
    };
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if moving() {
                outbound.refetch();
                also();
            }
        },
        EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }
    outbound
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_shared_types::outbound::OutboundChannel;

    fn message(status: &str, sent: Option<DateTime<Utc>>, delivered: Option<DateTime<Utc>>) -> OutboundMessageDto {
        OutboundMessageDto {
            id: Uuid::nil(),
            dossier_id: Uuid::nil(),
            channel: OutboundChannel::Whatsapp,
            to: "+33612345678".into(),
            template_code: None,
            template_language: None,
            template_params: None,
            text: Some("Bonjour".into()),
            status: status.into(),
            provider_message_id: None,
            attempts: Vec::new(),
            attempt_count: 0,
            max_attempts: 5,
            next_attempt_at: None,
            dead_lettered: false,
            last_error: None,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            sent_at: sent,
            delivered_at: delivered,
            read_at: None,
            failed_at: None,
        }
    }

    #[test]
    fn polls_until_delivered_then_read_but_not_for_ever() {
        let at = DateTime::<Utc>::from_timestamp(1_764_000_000, 0).unwrap_or_default();
        let minutes = |m| Some(at - chrono::Duration::minutes(m));
        assert!(still_moving(&message("QUEUED", None, None), at));
        assert!(still_moving(&message("SENT", minutes(1), None), at));
        assert!(!still_moving(&message("SENT", minutes(30), None), at));
        assert!(still_moving(&message("DELIVERED", minutes(2), minutes(1)), at));
        assert!(!still_moving(&message("READ", minutes(2), minutes(1)), at));
        assert!(!still_moving(&message("FAILED", None, None), at));
    }
}
