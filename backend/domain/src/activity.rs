//! Timeline activities, PRODUCT.md §8.

use crate::error::FieldViolation;
use crate::validation::check_len;
use crate::wire_enum::wire_enum;

wire_enum! {
    pub enum ActivityType {
        Note => "NOTE",
        StatusChange => "STATUS_CHANGE",
        Message => "MESSAGE",
        Appointment => "APPOINTMENT",
        Consent => "CONSENT",
        Party => "PARTY",
        DossierCreated => "DOSSIER_CREATED",
        DuplicateMerged => "DUPLICATE_MERGED",
        OutboundStatus => "OUTBOUND_STATUS",
        System => "SYSTEM",
    }
}

impl ActivityType {
    /// Only notes are written, edited and deleted by people; every other type is a consequence
    /// of a change and is as immutable as the change itself.
    pub fn is_user_editable(self) -> bool {
        self == ActivityType::Note
    }
}

pub const NOTE_MAX: usize = 10_000;

/// A note's `content`: 1..10 000 characters after trimming.
pub fn validate_note(content: &str) -> Result<(), FieldViolation> {
    let mut out = Vec::new();
    check_len(&mut out, "content", content.trim(), 1, NOTE_MAX);
    out.pop().map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire_enum::assert_wire_enum;

    #[test]
    fn types_round_trip_and_only_notes_are_editable() {
        assert_wire_enum!(ActivityType);
        assert_eq!(ActivityType::ALL.len(), 10);
        let editable: Vec<_> = ActivityType::ALL.iter().filter(|t| t.is_user_editable()).collect();
        assert_eq!(editable, [&ActivityType::Note]);
    }

    #[test]
    fn note_content() {
        assert!(validate_note("Rappeler lundi").is_ok());
        assert!(validate_note(&"n".repeat(NOTE_MAX)).is_ok());
        assert!(matches!(validate_note("  "), Err(v) if v.field == "content"));
        assert!(validate_note(&"n".repeat(NOTE_MAX + 1)).is_err());
    }
}
