//! Users, organisations, memberships and what each role may do (PRODUCT.md §1).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{DomainError, DomainResult, FieldViolation};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrgId(pub Uuid);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserId(pub Uuid);

/// Roles in rising power; `Ord` follows that order so `role >= Role::Manager` reads naturally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    Viewer,
    Agent,
    Manager,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "VIEWER",
            Role::Agent => "AGENT",
            Role::Manager => "MANAGER",
            Role::Admin => "ADMIN",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "VIEWER" => Some(Role::Viewer),
            "AGENT" => Some(Role::Agent),
            "MANAGER" => Some(Role::Manager),
            "ADMIN" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// What a caller wants to do; each use case asks for one capability before touching data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Read the org's business data.
    Read,
    /// Create/update annonces, dossiers, parties, appointments, notes, messages, consents; transitions.
    Write,
    /// Delete, reassign, read audit and ops, retry outbound, export, import.
    Manage,
    /// Users and roles, org settings, WhatsApp config, templates, retention, erasure.
    Administer,
}

impl Capability {
    pub fn minimum_role(self) -> Role {
        match self {
            Capability::Read => Role::Viewer,
            Capability::Write => Role::Agent,
            Capability::Manage => Role::Manager,
            Capability::Administer => Role::Admin,
        }
    }
}

/// The acting user in one org, as established from a verified token and a checked membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub role: Role,
}

impl Actor {
    pub fn can(&self, cap: Capability) -> bool {
        self.role >= cap.minimum_role()
    }

    pub fn require(&self, cap: Capability) -> DomainResult<()> {
        if self.can(cap) {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }
}

/// Emails are trimmed and lower-cased (PRODUCT.md §0); a minimal shape check keeps garbage out
/// without pretending to implement RFC 5322.
pub fn normalize_email(raw: &str) -> Result<String, FieldViolation> {
    let e = raw.trim().to_lowercase();
    let valid = e.len() <= 254
        && !e.chars().any(char::is_whitespace)
        && match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(e)
    } else {
        Err(FieldViolation::new("email", "must be a valid email address"))
    }
}

pub const MIN_PASSWORD_LEN: usize = 8;

pub fn validate_new_password(p: &str) -> Result<(), FieldViolation> {
    if p.chars().count() < MIN_PASSWORD_LEN {
        Err(FieldViolation::new("password", "must be at least 8 characters"))
    } else if p.len() > 256 {
        Err(FieldViolation::new("password", "must be at most 256 bytes"))
    } else {
        Ok(())
    }
}

pub fn validate_display_name(n: &str) -> Result<String, FieldViolation> {
    let t = n.trim();
    let len = t.chars().count();
    if (1..=200).contains(&len) {
        Ok(t.to_string())
    } else {
        Err(FieldViolation::new("displayName", "must be 1 to 200 characters"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor { user_id: UserId(Uuid::nil()), org_id: OrgId(Uuid::nil()), role }
    }

    #[test]
    fn role_matrix() {
        use Capability::*;
        let expect = [
            (Role::Viewer, [true, false, false, false]),
            (Role::Agent, [true, true, false, false]),
            (Role::Manager, [true, true, true, false]),
            (Role::Admin, [true, true, true, true]),
        ];
        for (role, row) in expect {
            for (cap, allowed) in [Read, Write, Manage, Administer].into_iter().zip(row) {
                assert_eq!(actor(role).can(cap), allowed, "{role:?} {cap:?}");
                assert_eq!(actor(role).require(cap).is_ok(), allowed);
            }
        }
    }

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(normalize_email("  Admin@Demo.Atlas ").ok().as_deref(), Some("admin@demo.atlas"));
        for bad in ["", "nope", "a@b", "a b@c.d", "@x.fr", "a@@x.fr", "a@.fr"] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn role_round_trips() {
        for r in [Role::Viewer, Role::Agent, Role::Manager, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("ROOT"), None);
    }

    #[test]
    fn password_rules() {
        assert!(validate_new_password("short").is_err());
        assert!(validate_new_password("long-enough").is_ok());
    }
}
