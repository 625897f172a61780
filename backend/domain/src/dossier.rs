//! Dossiers (cases / leads), PRODUCT.md §3: the status workflow as a table, the reason rules, and
//! field validation. Deduplication lives in [`crate::dedup`].

use serde::Serialize;

use crate::error::FieldViolation;
use crate::identity::normalize_email;
use crate::money::Money;
use crate::phone::PhoneE164;
use crate::validation::{check_len, check_opt_len, is_blank};
use crate::wire_enum::wire_enum;

wire_enum! {
    pub enum DossierStatus {
        New => "NEW",
        Qualifying => "QUALIFYING",
        Qualified => "QUALIFIED",
        Appointment => "APPOINTMENT",
        Won => "WON",
        Lost => "LOST",
    }
}

wire_enum! {
    pub enum LossReason {
        Price => "PRICE",
        NoResponse => "NO_RESPONSE",
        ChoseCompetitor => "CHOSE_COMPETITOR",
        NotEligible => "NOT_ELIGIBLE",
        ProjectAbandoned => "PROJECT_ABANDONED",
        Other => "OTHER",
    }
}

wire_enum! {
    pub enum WonReason {
        Signed => "SIGNED",
        OfferAccepted => "OFFER_ACCEPTED",
        Other => "OTHER",
    }
}

wire_enum! {
    pub enum Source {
        Web => "WEB",
        Phone => "PHONE",
        Whatsapp => "WHATSAPP",
        Email => "EMAIL",
        WalkIn => "WALK_IN",
        Portal => "PORTAL",
        Referral => "REFERRAL",
        Import => "IMPORT",
        Other => "OTHER",
    }
}

wire_enum! {
    pub enum DossierType {
        Buy => "BUY",
        Rent => "RENT",
        Sell => "SELL",
        Let => "LET",
    }
}

impl DossierStatus {
    /// Open = still in the pipeline (dedup, KPIs, WhatsApp attachment).
    pub fn is_open(self) -> bool {
        !self.is_terminal()
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, DossierStatus::Won | DossierStatus::Lost)
    }
}

/// The workflow, exactly as §3 states it. Same-status moves are absent on purpose.
pub fn allowed_targets(from: DossierStatus) -> &'static [DossierStatus] {
    use DossierStatus::*;
    match from {
        New => &[Qualifying, Qualified, Appointment, Lost],
        Qualifying => &[Qualified, Lost],
        Qualified => &[Appointment, Lost],
        Appointment => &[Won, Lost],
        Won | Lost => &[],
    }
}

pub fn can_transition(from: DossierStatus, to: DossierStatus) -> bool {
    allowed_targets(from).contains(&to)
}

/// Longest `comment` kept as `statusComment`.
pub const STATUS_COMMENT_MAX: usize = 2000;

/// A transition that passed every rule; `reason` is the validated lossReason/wonReason wire name
/// (None unless the target is LOST or WON), `comment` trimmed, blank → None.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedTransition {
    pub to: DossierStatus,
    pub reason: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// 409 `INVALID_TRANSITION`, with the statuses reachable from the current one.
    Invalid { allowed: Vec<DossierStatus> },
    /// 400 `REASON_REQUIRED`: reason missing or not one of the listed values, or OTHER without a
    /// comment. `field` is `lossReason`, `wonReason` or `comment`.
    ReasonRequired { field: &'static str, message: String },
    /// 400 `VALIDATION_ERROR` (comment too long).
    Validation(FieldViolation),
}

/// Checks a requested move. Order: the table first (409), then the reason rules (400), so a client
/// sending a reason for an impossible move learns the move is impossible.
///
/// A reason of the other kind (wonReason on a move to LOST, any reason on other moves) is ignored.
/// An unknown reason value (`"price"`, `"CHEAPER"`) is `ReasonRequired`, with a message listing
/// the accepted values: it is a 400 either way and tells the client what to send.
pub fn check_transition(
    from: DossierStatus,
    to: DossierStatus,
    loss_reason: Option<&str>,
    won_reason: Option<&str>,
    comment: Option<&str>,
) -> Result<AcceptedTransition, TransitionError> {
    if !can_transition(from, to) {
        return Err(TransitionError::Invalid { allowed: allowed_targets(from).to_vec() });
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > STATUS_COMMENT_MAX) {
        return Err(TransitionError::Validation(FieldViolation::new(
            "comment",
            format!("must be at most {STATUS_COMMENT_MAX} characters"),
        )));
    }
    let reason = match to {
        DossierStatus::Lost => Some(required_reason("lossReason", loss_reason, loss_reasons())?),
        DossierStatus::Won => Some(required_reason("wonReason", won_reason, won_reasons())?),
        _ => None,
    };
    if reason == Some("OTHER") && comment.is_none() {
        return Err(TransitionError::ReasonRequired {
            field: "comment",
            message: "a comment is required when the reason is OTHER".into(),
        });
    }
    Ok(AcceptedTransition { to, reason: reason.map(str::to_string), comment: comment.map(str::to_string) })
}

fn required_reason(
    field: &'static str,
    given: Option<&str>,
    accepted: Vec<&'static str>,
) -> Result<&'static str, TransitionError> {
    let given = given.map(str::trim).filter(|r| !r.is_empty());
    let found = given.and_then(|g| accepted.iter().copied().find(|a| *a == g));
    found.ok_or_else(|| TransitionError::ReasonRequired {
        field,
        message: match given {
            None => format!("{field} is required, one of {}", accepted.join(", ")),
            Some(_) => format!("{field} must be one of {}", accepted.join(", ")),
        },
    })
}

fn loss_reasons() -> Vec<&'static str> {
    LossReason::ALL.iter().map(|r| r.as_str()).collect()
}

fn won_reasons() -> Vec<&'static str> {
    WonReason::ALL.iter().map(|r| r.as_str()).collect()
}

/// One entry of `GET /dossiers/{id}/available-transitions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailableTransition {
    pub to: DossierStatus,
    pub requires_reason: bool,
    pub reasons: Vec<&'static str>,
}

/// The moves offered from `from`, in table order, with the reasons each one accepts.
pub fn available_transitions(from: DossierStatus) -> Vec<AvailableTransition> {
    allowed_targets(from)
        .iter()
        .map(|&to| {
            let reasons = match to {
                DossierStatus::Lost => loss_reasons(),
                DossierStatus::Won => won_reasons(),
                _ => Vec::new(),
            };
            AvailableTransition { to, requires_reason: !reasons.is_empty(), reasons }
        })
        .collect()
}

pub const LEAD_NAME_MAX: usize = 200;
pub const NOTES_MAX: usize = 10_000;

/// The editable fields of a dossier, after phone normalisation (`normalize_phone` with field
/// `leadPhone`) and email normalisation. `whatsapp_user_id` is only ever set by the WhatsApp
/// inbound path: a BSUID-only sender is the one case allowed without phone nor email.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DossierDraft {
    pub lead_name: String,
    pub lead_phone: Option<PhoneE164>,
    pub lead_email: Option<String>,
    pub whatsapp_user_id: Option<String>,
    pub budget_min: Option<Money>,
    pub budget_max: Option<Money>,
    pub notes: Option<String>,
}

impl DossierDraft {
    /// Every violation, camelCase field names.
    pub fn validate_fields(&self) -> Vec<FieldViolation> {
        let mut out = Vec::new();
        check_len(&mut out, "leadName", self.lead_name.trim(), 1, LEAD_NAME_MAX);
        let has_email = !is_blank(self.lead_email.as_deref());
        if self.lead_phone.is_none() && !has_email && is_blank(self.whatsapp_user_id.as_deref()) {
            out.push(FieldViolation::new("leadPhone", "leadPhone or leadEmail is required"));
        }
        if let Some(e) = self.lead_email.as_deref().filter(|_| has_email) {
            if normalize_email(e).is_err() {
                out.push(FieldViolation::new("leadEmail", "must be a valid email address"));
            }
        }
        if let (Some(min), Some(max)) = (self.budget_min, self.budget_max) {
            if min > max {
                out.push(FieldViolation::new("budgetMin", "must be less than or equal to budgetMax"));
            }
        }
        check_opt_len(&mut out, "notes", self.notes.as_deref(), NOTES_MAX);
        out
    }
}

#[cfg(test)]
mod tests;
