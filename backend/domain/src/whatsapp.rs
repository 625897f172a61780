//! The pure parts of WhatsApp, PRODUCT.md §10: webhook signature, the 24-hour customer service
//! window, forward-only delivery statuses, and template placeholders.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::FieldViolation;
use crate::wire_enum::wire_enum;

/// Checks `X-Hub-Signature-256: sha256=<hex>` against HMAC-SHA256(app_secret, raw_body), in
/// constant time. False on a missing or malformed header and on an empty secret (an org without
/// a configured secret must not accept bodies anyone can sign).
pub fn verify_signature(app_secret: &[u8], raw_body: &[u8], header: Option<&str>) -> bool {
    if app_secret.is_empty() {
        return false;
    }
    let Some(hex_sig) = header.map(str::trim).and_then(|h| h.strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret) else {
        return false;
    };
    mac.update(raw_body);
    // verify_slice compares in constant time and refuses a wrong length.
    mac.verify_slice(&sig).is_ok()
}

/// The `sha256=<hex>` header value for a body (the fake provider and tests sign with it).
pub fn sign_body(app_secret: &[u8], raw_body: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(app_secret) {
        Ok(mut mac) => {
            mac.update(raw_body);
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        }
        // HMAC accepts keys of any length; kept total rather than panicking.
        Err(_) => String::new(),
    }
}

/// `hub.verify_token` check of the subscription handshake, in constant time; an empty expected
/// token never matches.
pub fn verify_token_matches(expected: &str, given: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// Length of the customer service window opened by an inbound message.
pub const SESSION_WINDOW_HOURS: i64 = 24;

/// Whether free text may be sent now: the last inbound message is less than 24 h old (the window
/// is closed at exactly 24 h). No inbound yet → closed. An inbound dated slightly after `now`
/// (clock skew between provider and us) counts as open.
pub fn session_window_open(last_inbound_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_inbound_at.is_some_and(|t| now.signed_duration_since(t) < Duration::hours(SESSION_WINDOW_HOURS))
}

/// When the window closes (for the composer to explain why free text is unavailable).
pub fn session_window_closes_at(last_inbound_at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    last_inbound_at.and_then(|t| t.checked_add_signed(Duration::hours(SESSION_WINDOW_HOURS)))
}

wire_enum! {
    /// Lifecycle of an outbound message (outbox row).
    pub enum OutboundStatus {
        Queued => "QUEUED",
        Sending => "SENDING",
        Sent => "SENT",
        Delivered => "DELIVERED",
        Read => "READ",
        Failed => "FAILED",
        Cancelled => "CANCELLED",
    }
}

wire_enum! {
    /// A delivery receipt from the provider (`statuses[].status`).
    pub enum DeliveryStatus {
        Sent => "SENT",
        Delivered => "DELIVERED",
        Read => "READ",
        Failed => "FAILED",
    }
}

wire_enum! {
    pub enum TemplateCategory {
        Utility => "UTILITY",
        Marketing => "MARKETING",
        Authentication => "AUTHENTICATION",
    }
}

impl OutboundStatus {
    /// Only a queued message can be cancelled (§10, else 409).
    pub fn can_cancel(self) -> bool {
        self == OutboundStatus::Queued
    }

    /// Only a failed message can be re-queued by a manager (§10, else 409).
    pub fn can_retry(self) -> bool {
        self == OutboundStatus::Failed
    }

    /// Position on the success path QUEUED < SENDING < SENT < DELIVERED < READ; None off it.
    fn progress(self) -> Option<u8> {
        match self {
            OutboundStatus::Queued => Some(0),
            OutboundStatus::Sending => Some(1),
            OutboundStatus::Sent => Some(2),
            OutboundStatus::Delivered => Some(3),
            OutboundStatus::Read => Some(4),
            OutboundStatus::Failed | OutboundStatus::Cancelled => None,
        }
    }
}

impl DeliveryStatus {
    /// The lower-case value of Meta's webhook (`sent`, `delivered`, `read`, `failed`). Other
    /// values (`deleted`, `warning`, future ones) are None: counted and ignored by the caller.
    pub fn parse_webhook(s: &str) -> Option<DeliveryStatus> {
        match s {
            "sent" => Some(DeliveryStatus::Sent),
            "delivered" => Some(DeliveryStatus::Delivered),
            "read" => Some(DeliveryStatus::Read),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }

    pub fn as_outbound(self) -> OutboundStatus {
        match self {
            DeliveryStatus::Sent => OutboundStatus::Sent,
            DeliveryStatus::Delivered => OutboundStatus::Delivered,
            DeliveryStatus::Read => OutboundStatus::Read,
            DeliveryStatus::Failed => OutboundStatus::Failed,
        }
    }
}

/// The new status after a receipt, or None when the receipt must be ignored. Updates only move
/// forward on QUEUED < SENDING < SENT < DELIVERED < READ (receipts arrive out of order: a late
/// `sent` after `delivered` changes nothing; skipping steps is fine). `failed` applies to a
/// message not yet known delivered (QUEUED, SENDING, SENT). FAILED and CANCELLED are final.
pub fn apply_delivery_status(current: OutboundStatus, incoming: DeliveryStatus) -> Option<OutboundStatus> {
    let cur = current.progress()?;
    match incoming {
        DeliveryStatus::Failed => (cur <= 2).then_some(OutboundStatus::Failed),
        _ => {
            let next = incoming.as_outbound();
            (next.progress()? > cur).then_some(next)
        }
    }
}

/// Highest placeholder number accepted in a template body.
pub const MAX_PLACEHOLDERS: usize = 100;

/// The number of parameters a template body takes: `n` for placeholders `{{1}}`..`{{n}}`, each
/// number used at least once (repeats allowed). Refuses gaps (`{{1}} {{3}}`), `{{0}}`, leading
/// zeros, and any other `{{…}}` (named parameters are not supported), so what is stored can
/// always be rendered.
pub fn count_placeholders(body: &str) -> Result<usize, FieldViolation> {
    let mut used = Vec::new();
    for piece in scan(body) {
        match piece {
            Piece::Placeholder(n) => used.push(n),
            Piece::Malformed => {
                return Err(FieldViolation::new("body", "placeholders must be written {{1}}, {{2}}, … {{n}}"));
            }
            Piece::Text(_) => {}
        }
    }
    used.sort_unstable();
    used.dedup();
    let n = used.len();
    if used.iter().copied().eq(1..=n) {
        Ok(n)
    } else {
        Err(FieldViolation::new("body", "placeholders must be numbered from {{1}} without gaps"))
    }
}

/// Replaces `{{k}}` by `params[k-1]` in one pass (a parameter containing `{{2}}` stays literal).
/// Requires exactly as many parameters as placeholders (§10: else `VALIDATION_ERROR`), none blank
/// and none with a newline or tab (WhatsApp refuses those in template parameters).
pub fn render_template(body: &str, params: &[String]) -> Result<String, FieldViolation> {
    let expected = count_placeholders(body)?;
    if params.len() != expected {
        return Err(FieldViolation::new(
            "templateParams",
            format!("this template takes exactly {expected} parameters, got {}", params.len()),
        ));
    }
    for (i, p) in params.iter().enumerate() {
        if p.trim().is_empty() {
            return Err(FieldViolation::new(format!("templateParams[{i}]"), "must not be blank"));
        }
        if p.contains(['\n', '\r', '\t']) {
            return Err(FieldViolation::new(format!("templateParams[{i}]"), "must not contain newlines or tabs"));
        }
    }
    let mut out = String::with_capacity(body.len());
    for piece in scan(body) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder(n) => {
                if let Some(p) = n.checked_sub(1).and_then(|i| params.get(i)) {
                    out.push_str(p);
                }
            }
            // count_placeholders refused these above.
            Piece::Malformed => {}
        }
    }
    Ok(out)
}

enum Piece<'a> {
    Text(&'a str),
    Placeholder(usize),
    Malformed,
}

/// Splits a body into text and `{{n}}` placeholders; a `{{` that does not open a well-formed
/// placeholder yields `Malformed`. A lone `{` or `}` is text.
fn scan(body: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let (text, tail) = rest.split_at(start);
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        let inner_and_more = tail.strip_prefix("{{").unwrap_or(tail);
        let parsed = inner_and_more.split_once("}}").and_then(|(inner, after)| {
            let well_formed = !inner.is_empty()
                && inner.len() <= 3
                && inner.bytes().all(|b| b.is_ascii_digit())
                && !inner.starts_with('0');
            let n = inner.parse::<usize>().ok().filter(|n| well_formed && *n <= MAX_PLACEHOLDERS)?;
            Some((n, after))
        });
        match parsed {
            Some((n, after)) => {
                pieces.push(Piece::Placeholder(n));
                rest = after;
            }
            None => {
                pieces.push(Piece::Malformed);
                return pieces;
            }
        }
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    pieces
}

#[cfg(test)]
mod tests;
