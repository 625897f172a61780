//! Login, current user, and the org's members (PRODUCT.md §1).

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{normalize_email, validate_display_name, validate_new_password, Actor, Capability, Role, UserId};
use crate::ports::{
    AuditLog, IdentityStore, IssuedToken, MemberView, MembershipView, NewAuditEvent, PasswordHasher, TokenIssuer,
    UserRecord,
};

pub struct LoginOutcome {
    pub token: IssuedToken,
    pub user: UserRecord,
    pub memberships: Vec<MembershipView>,
}

/// Wrong email, wrong password and deactivated user all give the same answer, in similar time.
pub fn login(
    store: &mut impl IdentityStore,
    hasher: &impl PasswordHasher,
    issuer: &impl TokenIssuer,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> DomainResult<LoginOutcome> {
    let user = match normalize_email(email) {
        Ok(e) => store.find_user_by_email(&e)?,
        Err(_) => None,
    };
    let Some(user) = user else {
        let _ = hasher.verify(password, hasher.dummy_hash());
        return Err(DomainError::InvalidCredentials);
    };
    if !hasher.verify(password, &user.password_hash) || !user.active {
        return Err(DomainError::InvalidCredentials);
    }
    let memberships = store.memberships_of(user.id)?;
    let token = issuer.issue(user.id, now)?;
    Ok(LoginOutcome { token, user, memberships })
}

pub fn me(store: &mut impl IdentityStore, user: UserId) -> DomainResult<(UserRecord, Vec<MembershipView>)> {
    match store.find_user(user)? {
        Some(u) if u.active => {
            let m = store.memberships_of(u.id)?;
            Ok((u, m))
        }
        _ => Err(DomainError::Unauthenticated),
    }
}

pub fn list_members(
    store: &mut impl IdentityStore,
    actor: &Actor,
    page: u32,
    size: u32,
) -> DomainResult<(Vec<MemberView>, u64)> {
    actor.require(Capability::Manage)?;
    store.list_members(actor.org_id, page, size)
}

/// Most members an org directory returns (an agency has tens of people, not thousands).
pub const DIRECTORY_LIMIT: u32 = 1000;

/// The org's members as every role may see them (name only, for assignee pickers and for the names
/// on dossiers and appointments): the full list with emails and roles stays MANAGER+.
pub fn member_directory(store: &mut impl IdentityStore, actor: &Actor) -> DomainResult<Vec<MemberView>> {
    actor.require(Capability::Read)?;
    store.list_members(actor.org_id, 0, DIRECTORY_LIMIT).map(|(members, _)| members)
}

pub struct NewMember {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
}

/// Creates the user, or adds an existing user (same email) to the org. The password of an existing
/// user is left untouched: an org admin must not be able to take over another org's account.
pub fn add_member(
    store: &mut (impl IdentityStore + AuditLog),
    hasher: &impl PasswordHasher,
    actor: &Actor,
    input: NewMember,
    correlation_id: Option<String>,
) -> DomainResult<MemberView> {
    actor.require(Capability::Administer)?;
    let mut errors: Vec<FieldViolation> = Vec::new();
    let email = normalize_email(&input.email).map_err(|e| errors.push(e)).ok();
    let display_name = validate_display_name(&input.display_name).map_err(|e| errors.push(e)).ok();
    if let Err(e) = validate_new_password(&input.password) {
        errors.push(e);
    }
    let (Some(email), Some(display_name)) = (email, display_name) else {
        return Err(DomainError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }

    let user = match store.find_user_by_email(&email)? {
        Some(existing) => {
            if store.role_in(existing.id, actor.org_id)?.is_some() {
                return Err(DomainError::Conflict("this user is already a member of the organisation".into()));
            }
            existing
        }
        None => {
            let u = UserRecord {
                id: UserId(Uuid::now_v7()),
                email,
                display_name,
                password_hash: hasher.hash(&input.password)?,
                active: true,
            };
            store.insert_user(&u)?;
            u
        }
    };
    store.upsert_membership(actor.org_id, user.id, input.role)?;
    let member = store.member(actor.org_id, user.id)?.ok_or(DomainError::NotFound)?;
    store.record(NewAuditEvent {
        org_id: actor.org_id,
        actor_user_id: Some(actor.user_id),
        action: "CREATE",
        entity_type: "MEMBERSHIP",
        entity_id: user.id.0,
        before: None,
        after: Some(member_json(&member)),
        correlation_id,
    })?;
    Ok(member)
}

pub struct MemberChange {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

pub fn update_member(
    store: &mut (impl IdentityStore + AuditLog),
    actor: &Actor,
    user: UserId,
    change: MemberChange,
    correlation_id: Option<String>,
) -> DomainResult<MemberView> {
    actor.require(Capability::Administer)?;
    let before = store.member(actor.org_id, user)?.ok_or(DomainError::NotFound)?;
    let loses_admin =
        before.role == Role::Admin && (change.role.is_some_and(|r| r != Role::Admin) || change.active == Some(false));
    if loses_admin && store.count_admins(actor.org_id)? <= 1 {
        return Err(DomainError::Conflict("the organisation must keep at least one active ADMIN".into()));
    }
    if let Some(role) = change.role {
        store.upsert_membership(actor.org_id, user, role)?;
    }
    if let Some(active) = change.active {
        store.set_user_active(user, active)?;
    }
    let after = store.member(actor.org_id, user)?.ok_or(DomainError::NotFound)?;
    if after != before {
        store.record(NewAuditEvent {
            org_id: actor.org_id,
            actor_user_id: Some(actor.user_id),
            action: "UPDATE",
            entity_type: "MEMBERSHIP",
            entity_id: user.0,
            before: Some(member_json(&before)),
            after: Some(member_json(&after)),
            correlation_id,
        })?;
    }
    Ok(after)
}

fn member_json(m: &MemberView) -> serde_json::Value {
    json!({
        "id": m.user_id.0,
        "email": m.email,
        "displayName": m.display_name,
        "active": m.active,
        "role": m.role.as_str(),
    })
}
