//! Rendez-vous, PRODUCT.md §6: time and field checks, and overlap detection for one assignee.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::FieldViolation;
use crate::validation::{check_len, check_opt_len};
use crate::wire_enum::wire_enum;

wire_enum! {
    pub enum AppointmentStatus {
        Scheduled => "SCHEDULED",
        Confirmed => "CONFIRMED",
        Done => "DONE",
        NoShow => "NO_SHOW",
        Cancelled => "CANCELLED",
    }
}

impl AppointmentStatus {
    /// Whether the appointment still occupies its slot in the agenda.
    pub fn blocks_slot(self) -> bool {
        self != AppointmentStatus::Cancelled
    }
}

pub const TITLE_MAX: usize = 200;
pub const LOCATION_MAX: usize = 500;
pub const NOTES_MAX: usize = 10_000;

/// `endsAt` must be strictly after `startsAt`.
pub fn validate_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<(), FieldViolation> {
    if ends_at > starts_at {
        Ok(())
    } else {
        Err(FieldViolation::new("endsAt", "must be after startsAt"))
    }
}

/// Every field violation of a create/update: title 1..200 (trimmed), times, location and notes
/// lengths.
pub fn validate_fields(
    title: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    location: Option<&str>,
    notes: Option<&str>,
) -> Vec<FieldViolation> {
    let mut out = Vec::new();
    check_len(&mut out, "title", title.trim(), 1, TITLE_MAX);
    if let Err(v) = validate_times(starts_at, ends_at) {
        out.push(v);
    }
    check_opt_len(&mut out, "location", location, LOCATION_MAX);
    check_opt_len(&mut out, "notes", notes, NOTES_MAX);
    out
}

/// Half-open intervals `[start, end)`: back-to-back appointments (one ends at 10:00, the next
/// starts at 10:00) do not overlap.
pub fn overlaps(a_start: DateTime<Utc>, a_end: DateTime<Utc>, b_start: DateTime<Utc>, b_end: DateTime<Utc>) -> bool {
    a_start < b_end && b_start < a_end
}

/// What overlap detection needs of an appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentSlot {
    pub id: Uuid,
    pub assigned_to: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: AppointmentStatus,
}

/// Ids of the `others` that overlap `candidate` (the `warnings: [{code: "OVERLAP"}]`, or the 409
/// when the org blocks overlaps), in the order given. Only appointments of the same assignee
/// count; an unassigned appointment is on nobody's agenda and never conflicts. CANCELLED ones
/// (candidate included) and the candidate itself (on update) are ignored.
pub fn find_overlaps(candidate: &AppointmentSlot, others: &[AppointmentSlot]) -> Vec<Uuid> {
    let Some(assignee) = candidate.assigned_to else {
        return Vec::new();
    };
    if !candidate.status.blocks_slot() {
        return Vec::new();
    }
    others
        .iter()
        .filter(|o| o.id != candidate.id && o.assigned_to == Some(assignee) && o.status.blocks_slot())
        .filter(|o| overlaps(candidate.starts_at, candidate.ends_at, o.starts_at, o.ends_at))
        .map(|o| o.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::wire_enum::assert_wire_enum;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).single().unwrap_or_default()
    }

    const AGENT: Uuid = Uuid::from_u128(7);
    const OTHER_AGENT: Uuid = Uuid::from_u128(8);

    fn slot(id: u128, start: (u32, u32), end: (u32, u32), status: AppointmentStatus) -> AppointmentSlot {
        AppointmentSlot {
            id: Uuid::from_u128(id),
            assigned_to: Some(AGENT),
            starts_at: t(start.0, start.1),
            ends_at: t(end.0, end.1),
            status,
        }
    }

    #[test]
    fn status_round_trips() {
        assert_wire_enum!(AppointmentStatus);
        for &s in AppointmentStatus::ALL {
            assert_eq!(s.blocks_slot(), s != AppointmentStatus::Cancelled);
        }
    }

    #[test]
    fn times_and_fields() {
        assert!(validate_times(t(10, 0), t(10, 1)).is_ok());
        assert!(matches!(validate_times(t(10, 0), t(10, 0)), Err(v) if v.field == "endsAt"));
        assert!(validate_times(t(10, 0), t(9, 0)).is_err());
        assert!(validate_fields("Visite", t(10, 0), t(11, 0), Some("12 rue X"), None).is_empty());
        assert!(validate_fields(&"v".repeat(200), t(10, 0), t(11, 0), None, Some("")).is_empty());
        let fields: Vec<_> =
            validate_fields("  ", t(11, 0), t(10, 0), Some(&"l".repeat(501)), Some(&"n".repeat(10_001)))
                .into_iter()
                .map(|v| v.field)
                .collect();
        assert_eq!(fields, ["title", "endsAt", "location", "notes"]);
        assert_eq!(validate_fields(&"v".repeat(201), t(10, 0), t(11, 0), None, None).len(), 1);
    }

    #[test]
    fn half_open_overlap() {
        // (a_start, a_end, b_start, b_end, expected)
        let cases = [
            ((10, 0), (11, 0), (10, 30), (11, 30), true),
            ((10, 0), (11, 0), (11, 0), (12, 0), false),
            ((11, 0), (12, 0), (10, 0), (11, 0), false),
            ((10, 0), (12, 0), (10, 30), (11, 0), true),
            ((10, 30), (11, 0), (10, 0), (12, 0), true),
            ((10, 0), (11, 0), (10, 0), (11, 0), true),
            ((10, 0), (11, 0), (11, 1), (12, 0), false),
            ((10, 0), (10, 1), (10, 0), (10, 1), true),
        ];
        for (a0, a1, b0, b1, expected) in cases {
            let got = overlaps(t(a0.0, a0.1), t(a1.0, a1.1), t(b0.0, b0.1), t(b1.0, b1.1));
            assert_eq!(got, expected, "{a0:?}-{a1:?} vs {b0:?}-{b1:?}");
            let swapped = overlaps(t(b0.0, b0.1), t(b1.0, b1.1), t(a0.0, a0.1), t(a1.0, a1.1));
            assert_eq!(swapped, expected, "symmetric");
        }
    }

    #[test]
    fn find_overlaps_filters_cancelled_self_and_other_assignees() {
        use AppointmentStatus::*;
        let candidate = slot(1, (10, 0), (11, 0), Scheduled);
        let others = [
            slot(1, (10, 0), (11, 0), Confirmed),
            slot(2, (10, 30), (11, 30), Confirmed),
            slot(3, (10, 0), (10, 15), Cancelled),
            slot(4, (11, 0), (12, 0), Scheduled),
            slot(5, (9, 0), (10, 0), Done),
            slot(6, (9, 30), (10, 1), NoShow),
            AppointmentSlot { assigned_to: Some(OTHER_AGENT), ..slot(7, (10, 0), (11, 0), Scheduled) },
            AppointmentSlot { assigned_to: None, ..slot(8, (10, 0), (11, 0), Scheduled) },
            slot(9, (10, 59), (13, 0), Done),
        ];
        let ids: Vec<u128> = find_overlaps(&candidate, &others).iter().map(|u| u.as_u128()).collect();
        assert_eq!(ids, [2, 6, 9]);
        let cancelled = AppointmentSlot { status: Cancelled, ..candidate.clone() };
        assert!(find_overlaps(&cancelled, &others).is_empty());
        let unassigned = AppointmentSlot { assigned_to: None, ..candidate };
        assert!(find_overlaps(&unassigned, &others).is_empty());
        assert!(find_overlaps(&slot(10, (14, 0), (15, 0), Scheduled), &others).is_empty());
    }
}
