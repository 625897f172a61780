//! Phone numbers: everything is stored and compared in E.164 (PRODUCT.md §0), so the dedup rule,
//! WhatsApp matching and search all see one spelling of a number.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use phonenumber::country;
use serde::{Deserialize, Serialize};

use crate::error::FieldViolation;

/// E.164 has at most 15 digits; below 7 nothing is a real subscriber number.
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;
/// Longest raw input we hand to the parser (spaces, dots, brackets included).
const MAX_RAW_LEN: usize = 40;

/// A phone number in E.164 form (`+33612345678`). Only [`normalize_phone`] and the shape check of
/// `TryFrom<String>` (for values read back from storage) build one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneE164(String);

impl PhoneE164 {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// For logs, which must never carry a full number (PRODUCT.md §12): `+33******78`.
    pub fn redacted(&self) -> String {
        let digits: Vec<char> = self.0.chars().skip(1).collect();
        let keep_head = 2.min(digits.len());
        let keep_tail = 2.min(digits.len().saturating_sub(keep_head));
        let hidden = digits.len() - keep_head - keep_tail;
        let head: String = digits.iter().take(keep_head).collect();
        let tail: String = digits.iter().skip(keep_head + hidden).collect();
        format!("+{head}{}{tail}", "*".repeat(hidden))
    }
}

impl TryFrom<String> for PhoneE164 {
    type Error = String;

    /// Shape check only (`+` then 7..15 digits, no leading zero): for values that were normalised
    /// before being stored.
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let ok = match s.strip_prefix('+') {
            Some(d) => {
                (MIN_DIGITS..=MAX_DIGITS).contains(&d.len())
                    && d.bytes().all(|b| b.is_ascii_digit())
                    && !d.starts_with('0')
            }
            None => false,
        };
        if ok {
            Ok(PhoneE164(s))
        } else {
            Err(format!("not an E.164 phone number: {s:?}"))
        }
    }
}

impl From<PhoneE164> for String {
    fn from(p: PhoneE164) -> String {
        p.0
    }
}

impl std::fmt::Display for PhoneE164 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a phone number as typed by a person or sent by a provider and returns its E.164 form.
///
/// National numbers are read in `default_country` (ISO 3166 alpha-2, the org's setting); an
/// unknown country code only disables that, international forms (`+33…`, `0033…` where `00` is the
/// country's international prefix) still work. Numbers that parse but are not valid for their
/// country (wrong length, unassigned range) are refused, as is anything with letters.
pub fn normalize_phone(raw: &str, default_country: &str, field: &str) -> Result<PhoneE164, FieldViolation> {
    let invalid = || FieldViolation::new(field, "must be a valid phone number");
    let raw = raw.trim();
    if !plausible_input(raw) {
        return Err(invalid());
    }
    let region = country::Id::from_str(&default_country.trim().to_ascii_uppercase()).ok();
    // The parser is third-party code fed with user input; a panic in it must become a 400, not
    // take a worker thread down (DESIGN.md: no panic on any input).
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        phonenumber::parse(region, raw)
            .ok()
            .filter(phonenumber::is_valid)
            .map(|n| n.format().mode(phonenumber::Mode::E164).to_string())
    }))
    .ok()
    .flatten();
    parsed.and_then(|s| PhoneE164::try_from(s).ok()).ok_or_else(invalid)
}

/// Only digits, one leading `+` and the usual separators; bounded length. Keeps letters
/// (vanity numbers, `ext.`) and oversized input away from the parser.
fn plausible_input(raw: &str) -> bool {
    if raw.is_empty() || raw.len() > MAX_RAW_LEN {
        return false;
    }
    let body = raw.strip_prefix('+').unwrap_or(raw);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    (MIN_DIGITS..=MAX_DIGITS + 4).contains(&digits)
        && body.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'))
}

/// Whether `code` is an ISO 3166 alpha-2 country the phone parser knows (org settings check).
pub fn is_known_country(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) && country::Id::from_str(code).is_ok()
}

/// The digits of `s`, in order (partial phone search: `06 12 34` → `061234`).
pub fn digits_only(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(raw: &str) -> Option<String> {
        normalize_phone(raw, "FR", "leadPhone").ok().map(PhoneE164::into_string)
    }

    #[test]
    fn french_spellings_normalise_to_one_e164() {
        for raw in [
            "06 12 34 56 78",
            "0612345678",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "+33 6 12 34 56 78",
            "+33612345678",
            "+33 (0)6 12 34 56 78",
            "0033612345678",
            "0033 6 12 34 56 78",
            "  06 12 34 56 78  ",
        ] {
            assert_eq!(fr(raw).as_deref(), Some("+33612345678"), "{raw}");
        }
        assert_eq!(fr("01 42 68 53 00").as_deref(), Some("+33142685300"));
    }

    #[test]
    fn other_countries() {
        assert_eq!(fr("+44 20 7946 0958").as_deref(), Some("+442079460958"));
        assert_eq!(fr("+1 202-555-0143").as_deref(), Some("+12025550143"));
        let be = normalize_phone("0470 12 34 56", "be", "phone").ok().map(PhoneE164::into_string);
        assert_eq!(be.as_deref(), Some("+32470123456"));
        // With an unknown default country only international forms work.
        assert!(normalize_phone("0612345678", "ZZ", "phone").is_err());
        assert!(normalize_phone("+33612345678", "ZZ", "phone").is_ok());
        assert!(normalize_phone("+33612345678", "", "phone").is_ok());
    }

    #[test]
    fn garbage_and_invalid_numbers_are_refused_with_the_given_field() {
        for raw in [
            "",
            "   ",
            "abc",
            "06 12 34",
            "0612345678901234",
            "06 12 34 56 7",
            "+33 6 12 34 56 78 90",
            "+999 123456789",
            "+",
            "++33612345678",
            "06 12 34 56 78 ext. 12",
            "1-800-FLOWERS",
            "  2 22#:",
            "+33 6 12 34 56 78; DROP TABLE",
            "tel:+33612345678",
            "00000000",
            &"6".repeat(200),
            "٠٦١٢٣٤٥٦٧٨",
        ] {
            match normalize_phone(raw, "FR", "leadPhone") {
                Ok(p) => panic!("{raw:?} accepted as {p}"),
                Err(v) => assert_eq!(v.field, "leadPhone"),
            }
        }
    }

    #[test]
    fn e164_shape_check_and_serde() {
        assert!(PhoneE164::try_from("+33612345678".to_string()).is_ok());
        for bad in ["33612345678", "+0612345678", "+33 612345678", "+123456", "+1234567890123456", ""] {
            assert!(PhoneE164::try_from(bad.to_string()).is_err(), "{bad}");
        }
        let p: Result<PhoneE164, _> = serde_json::from_str("\"+33612345678\"");
        assert!(matches!(&p, Ok(p) if p.as_str() == "+33612345678"));
        assert!(serde_json::from_str::<PhoneE164>("\"0612345678\"").is_err());
        if let Ok(p) = p {
            assert_eq!(serde_json::to_string(&p).ok().as_deref(), Some("\"+33612345678\""));
            assert_eq!(p.redacted(), "+33*******78");
        }
    }

    #[test]
    fn digits_only_keeps_digits_in_order() {
        assert_eq!(digits_only("+33 (0)6 12-34"), "33061234");
        assert_eq!(digits_only("abc"), "");
        assert_eq!(digits_only("٣4"), "4");
    }

    #[test]
    fn known_countries() {
        assert!(is_known_country("FR"));
        assert!(is_known_country("BE"));
        assert!(!is_known_country("fr"));
        assert!(!is_known_country("ZZ"));
        assert!(!is_known_country("FRA"));
    }
}
