//! Consents, PRODUCT.md §7: append-only records, "latest wins", and the outbound policy — deny by
//! default on messaging channels.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::error::FieldViolation;
use crate::validation::char_len;
use crate::wire_enum::wire_enum;

wire_enum! {
    pub enum ConsentChannel {
        Whatsapp => "WHATSAPP",
        Sms => "SMS",
        Email => "EMAIL",
        Phone => "PHONE",
    }
}

wire_enum! {
    pub enum ConsentPurpose {
        Contact => "CONTACT",
        Marketing => "MARKETING",
    }
}

wire_enum! {
    pub enum ConsentStatus {
        Granted => "GRANTED",
        Denied => "DENIED",
        Revoked => "REVOKED",
    }
}

wire_enum! {
    pub enum ConsentSource {
        Ui => "UI",
        WebForm => "WEB_FORM",
        WhatsappInbound => "WHATSAPP_INBOUND",
        Import => "IMPORT",
        Api => "API",
    }
}

wire_enum! {
    /// Channel of a logged or sent message (§5).
    pub enum MessageChannel {
        Whatsapp => "WHATSAPP",
        Sms => "SMS",
        Email => "EMAIL",
        Phone => "PHONE",
        InPerson => "IN_PERSON",
    }
}

wire_enum! {
    pub enum MessageDirection {
        Inbound => "INBOUND",
        Outbound => "OUTBOUND",
    }
}

impl MessageChannel {
    /// Written messaging channels need a CONTACT consent for OUTBOUND; a phone call or a meeting
    /// does not.
    pub fn requires_consent(self) -> bool {
        self.consent_channel().is_some()
    }

    /// The consent channel that governs outbound messages on this channel.
    pub fn consent_channel(self) -> Option<ConsentChannel> {
        match self {
            MessageChannel::Whatsapp => Some(ConsentChannel::Whatsapp),
            MessageChannel::Sms => Some(ConsentChannel::Sms),
            MessageChannel::Email => Some(ConsentChannel::Email),
            MessageChannel::Phone | MessageChannel::InPerson => None,
        }
    }
}

/// The fields of a stored consent that the policy needs. `seq` is the creation order (a
/// per-dossier sequence or a bigserial): it breaks ties between equal `captured_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub id: Uuid,
    pub channel: ConsentChannel,
    pub purpose: ConsentPurpose,
    pub status: ConsentStatus,
    pub captured_at: DateTime<Utc>,
    pub seq: i64,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The latest record for (channel, purpose), by `(captured_at, seq)`.
pub fn latest(records: &[ConsentRecord], channel: ConsentChannel, purpose: ConsentPurpose) -> Option<&ConsentRecord> {
    records.iter().filter(|r| r.channel == channel && r.purpose == purpose).max_by_key(|r| (r.captured_at, r.seq))
}

/// The latest record of every (channel, purpose) that has one, in channel then purpose order
/// (the `current` of `GET /consentements`).
pub fn current_states(records: &[ConsentRecord]) -> Vec<&ConsentRecord> {
    ConsentChannel::ALL
        .iter()
        .flat_map(|&c| ConsentPurpose::ALL.iter().map(move |&p| (c, p)))
        .filter_map(|(c, p)| latest(records, c, p))
        .collect()
}

/// Every record newest first, by `(captured_at, seq)` descending (the `history`).
pub fn history_newest_first(records: &[ConsentRecord]) -> Vec<&ConsentRecord> {
    let mut all: Vec<&ConsentRecord> = records.iter().collect();
    all.sort_by_key(|r| std::cmp::Reverse((r.captured_at, r.seq)));
    all
}

wire_enum! {
    pub enum ConsentDenialReason {
        Missing => "MISSING",
        Denied => "DENIED",
        Revoked => "REVOKED",
        Expired => "EXPIRED",
    }
}

/// Why an outbound message is refused (422 `CONSENT_REQUIRED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentDenial {
    pub channel: ConsentChannel,
    pub reason: ConsentDenialReason,
}

impl ConsentDenial {
    /// The problem+json `detail`.
    pub fn message(&self) -> String {
        let c = self.channel.as_str();
        match self.reason {
            ConsentDenialReason::Missing => format!("no CONTACT consent recorded for {c}"),
            ConsentDenialReason::Denied => format!("the CONTACT consent for {c} is DENIED"),
            ConsentDenialReason::Revoked => format!("the CONTACT consent for {c} was REVOKED"),
            ConsentDenialReason::Expired => format!("the CONTACT consent for {c} has expired"),
        }
    }
}

/// The §7 rule for an OUTBOUND message (sent or logged) on `channel`, given the dossier's consent
/// records: on WHATSAPP, SMS and EMAIL the latest CONTACT record must be GRANTED and not expired
/// (`expires_at <= now` is expired); anything else is refused. PHONE and IN_PERSON need none.
///
/// The latest record is taken over all records, even one dated after `now`: a future-dated
/// REVOKED must not let an older GRANTED through (deny by default). Input validation keeps
/// capturedAt from being set in the future.
pub fn check_outbound_consent(
    records: &[ConsentRecord],
    channel: MessageChannel,
    now: DateTime<Utc>,
) -> Result<(), ConsentDenial> {
    let Some(consent_channel) = channel.consent_channel() else {
        return Ok(());
    };
    let deny = |reason| Err(ConsentDenial { channel: consent_channel, reason });
    match latest(records, consent_channel, ConsentPurpose::Contact) {
        None => deny(ConsentDenialReason::Missing),
        Some(r) => match r.status {
            ConsentStatus::Denied => deny(ConsentDenialReason::Denied),
            ConsentStatus::Revoked => deny(ConsentDenialReason::Revoked),
            ConsentStatus::Granted if r.expires_at.is_some_and(|e| e <= now) => deny(ConsentDenialReason::Expired),
            ConsentStatus::Granted => Ok(()),
        },
    }
}

pub const PROOF_MIN_WHEN_GRANTED: usize = 10;
pub const PROOF_MAX: usize = 2000;
/// Clock skew tolerated between a client and the server for a supplied capturedAt.
pub const CAPTURED_AT_MAX_SKEW_MINUTES: i64 = 5;

/// A consent state to record; `captured_at` is already defaulted to now by the caller when absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentInput {
    pub channel: ConsentChannel,
    pub purpose: ConsentPurpose,
    pub status: ConsentStatus,
    pub source: ConsentSource,
    pub proof: Option<String>,
    pub captured_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Field checks of a new consent record: proof ≥ 10 characters (trimmed) when GRANTED and ≤ 2000
/// always, expiresAt after capturedAt, capturedAt not in the future (beyond a small skew).
pub fn validate_consent_input(input: &ConsentInput, now: DateTime<Utc>) -> Vec<FieldViolation> {
    let mut out = Vec::new();
    let proof_len = input.proof.as_deref().map_or(0, |p| char_len(p.trim()));
    if input.status == ConsentStatus::Granted && proof_len < PROOF_MIN_WHEN_GRANTED {
        out.push(FieldViolation::new(
            "proof",
            format!("must be at least {PROOF_MIN_WHEN_GRANTED} characters when status is GRANTED"),
        ));
    }
    if proof_len > PROOF_MAX {
        out.push(FieldViolation::new("proof", format!("must be at most {PROOF_MAX} characters")));
    }
    if input.captured_at > now + Duration::minutes(CAPTURED_AT_MAX_SKEW_MINUTES) {
        out.push(FieldViolation::new("capturedAt", "must not be in the future"));
    }
    if input.expires_at.is_some_and(|e| e <= input.captured_at) {
        out.push(FieldViolation::new("expiresAt", "must be after capturedAt"));
    }
    out
}

/// `PUT /consentements/{id}` records the next state of the same (dossier, channel, purpose): the
/// new state may not switch channel or purpose (the dossier is the caller's check).
pub fn validate_next_state(previous: &ConsentRecord, input: &ConsentInput) -> Vec<FieldViolation> {
    let mut out = Vec::new();
    if input.channel != previous.channel {
        out.push(FieldViolation::new("channel", "must be the channel of the consent being updated"));
    }
    if input.purpose != previous.purpose {
        out.push(FieldViolation::new("purpose", "must be the purpose of the consent being updated"));
    }
    out
}

#[cfg(test)]
mod tests;
