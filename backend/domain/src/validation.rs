//! Small helpers shared by the field validations of the business modules.

use crate::error::{DomainError, DomainResult, FieldViolation};

/// Length in characters (not bytes): limits are stated to users in characters.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Pushes a violation unless `min <= chars(value) <= max`. The message names the limits so a client
/// can show it as is.
pub fn check_len(out: &mut Vec<FieldViolation>, field: &str, value: &str, min: usize, max: usize) {
    let n = char_len(value);
    if n < min || n > max {
        let message = match (min, max) {
            (0, max) => format!("must be at most {max} characters"),
            (min, usize::MAX) => format!("must be at least {min} characters"),
            (min, max) => format!("must be {min} to {max} characters"),
        };
        out.push(FieldViolation::new(field, message));
    }
}

/// Same as [`check_len`] for an optional value; `None` is always fine.
pub fn check_opt_len(out: &mut Vec<FieldViolation>, field: &str, value: Option<&str>, max: usize) {
    if let Some(v) = value {
        check_len(out, field, v, 0, max);
    }
}

/// `None` or only whitespace.
pub fn is_blank(value: Option<&str>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

/// Turns the collected violations into the use-case result (`VALIDATION_ERROR` when any).
pub fn finish(violations: Vec<FieldViolation>) -> DomainResult<()> {
    if violations.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(violations))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut out = Vec::new();
        check_len(&mut out, "title", "été", 3, 3);
        assert!(out.is_empty());
        check_len(&mut out, "title", "ab", 3, 200);
        check_len(&mut out, "notes", &"x".repeat(11), 0, 10);
        check_opt_len(&mut out, "city", None, 1);
        check_opt_len(&mut out, "city", Some("xy"), 1);
        let fields: Vec<_> = out.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["title", "notes", "city"]);
        assert_eq!(out[0].message, "must be 3 to 200 characters");
        assert_eq!(out[1].message, "must be at most 10 characters");
    }

    #[test]
    fn blank_and_finish() {
        assert!(is_blank(None));
        assert!(is_blank(Some(" \t")));
        assert!(!is_blank(Some(" a ")));
        assert!(finish(vec![]).is_ok());
        assert!(matches!(finish(vec![FieldViolation::new("a", "b")]), Err(DomainError::Validation(v)) if v.len() == 1));
    }
}
