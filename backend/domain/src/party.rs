//! Parties prenantes (stakeholders of a dossier), PRODUCT.md §4.

use crate::error::FieldViolation;
use crate::validation::{check_opt_len, is_blank};
use crate::wire_enum::wire_enum;

wire_enum! {
    pub enum PartyRole {
        Buyer => "BUYER",
        Seller => "SELLER",
        Tenant => "TENANT",
        Landlord => "LANDLORD",
        CoBorrower => "CO_BORROWER",
        Notary => "NOTARY",
        Bank => "BANK",
        Lawyer => "LAWYER",
        Agent => "AGENT",
        Other => "OTHER",
    }
}

pub const NAME_MAX: usize = 100;

/// A party needs a name to be told apart: firstName or lastName (a bank or a notary's office may
/// have only one), each at most 100 characters. When both are blank the violation is reported on
/// `lastName`, the one a single-name party (a bank) fills in.
pub fn validate_names(first_name: Option<&str>, last_name: Option<&str>) -> Vec<FieldViolation> {
    let mut out = Vec::new();
    if is_blank(first_name) && is_blank(last_name) {
        out.push(FieldViolation::new("lastName", "firstName or lastName is required"));
    }
    check_opt_len(&mut out, "firstName", first_name.map(str::trim), NAME_MAX);
    check_opt_len(&mut out, "lastName", last_name.map(str::trim), NAME_MAX);
    out
}

/// "First Last", either alone when the other is blank (timeline and search titles).
pub fn display_name(first_name: Option<&str>, last_name: Option<&str>) -> String {
    [first_name, last_name].into_iter().flatten().map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire_enum::assert_wire_enum;

    fn fields(v: Vec<FieldViolation>) -> Vec<String> {
        v.into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn roles_round_trip() {
        assert_wire_enum!(PartyRole);
        assert_eq!(PartyRole::ALL.len(), 10);
        assert_eq!(PartyRole::CoBorrower.as_str(), "CO_BORROWER");
    }

    #[test]
    fn names() {
        assert!(validate_names(Some("Léa"), Some("Martin")).is_empty());
        assert!(validate_names(None, Some("Crédit Agricole")).is_empty());
        assert!(validate_names(Some("Léa"), Some("  ")).is_empty());
        assert_eq!(fields(validate_names(None, None)), ["lastName"]);
        assert_eq!(fields(validate_names(Some(" "), Some(""))), ["lastName"]);
        let long = "n".repeat(101);
        assert_eq!(fields(validate_names(Some(&long), Some(&long))), ["firstName", "lastName"]);
        assert!(validate_names(Some(&"é".repeat(100)), None).is_empty());
        assert_eq!(validate_names(None, None)[0].message, "firstName or lastName is required");
    }

    #[test]
    fn display_names() {
        assert_eq!(display_name(Some(" Léa "), Some("Martin")), "Léa Martin");
        assert_eq!(display_name(None, Some("BNP")), "BNP");
        assert_eq!(display_name(Some("Léa"), Some(" ")), "Léa");
        assert_eq!(display_name(None, None), "");
    }
}
