//! DTOs of parties prenantes (stakeholders of a dossier), PRODUCT.md §4.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Declares a DTO enum with its UPPER_SNAKE_CASE wire names and `as_str`, so the server can hand
/// the name to the domain's parser (the domain crate is not a dependency of this one).
macro_rules! dto_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use dto_enum;

dto_enum! {
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

/// Body of `POST /parties-prenantes` and `PUT /parties-prenantes/{id}` (PUT may add `version`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartyRequest {
    pub dossier_id: Uuid,
    pub role: PartyRole,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Optimistic locking on PUT (`If-Match` wins when both are given); ignored on POST.
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyDto {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub role: PartyRole,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_rejects_unknown_fields_and_defaults_optionals() {
        let ok: Result<PartyRequest, _> = serde_json::from_str(
            r#"{"dossierId":"00000000-0000-0000-0000-000000000001","role":"CO_BORROWER","lastName":"Martin"}"#,
        );
        assert!(matches!(&ok, Ok(r) if r.role == PartyRole::CoBorrower && r.first_name.is_none()));
        let bad: Result<PartyRequest, _> =
            serde_json::from_str(r#"{"dossierId":"00000000-0000-0000-0000-000000000001","role":"BUYER","age":3}"#);
        assert!(bad.is_err());
        assert!(PartyRole::ALL.iter().all(|r| serde_json::to_value(r).ok() == Some(r.as_str().into())));
        assert!(PartyRole::ALL.iter().all(|r| PartyRole::parse(r.as_str()) == Some(*r)));
        assert_eq!(PartyRole::parse("buyer"), None);
    }
}
