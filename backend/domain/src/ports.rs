//! Ports: what the use cases need from the outside world. `atlas-server` implements them (diesel,
//! argon2, jsonwebtoken). Every method is synchronous: a use case runs inside one database
//! transaction on a blocking thread, never on the async executor. The exception is
//! `MessageProvider` (HTTP to the messaging provider), called by the outbox worker.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::error::DomainResult;
use crate::identity::{OrgId, Role, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipView {
    pub org_id: OrgId,
    pub org_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub active: bool,
    pub role: Role,
}

/// One audit event, written in the same transaction as the change it records (PRODUCT.md §9).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEvent {
    pub org_id: OrgId,
    pub actor_user_id: Option<UserId>,
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub correlation_id: Option<String>,
}

impl NewAuditEvent {
    /// An event on `entity_type`/`entity_id` by the acting user, in the actor's org.
    pub fn by(
        actor: &crate::identity::Actor,
        action: &'static str,
        entity_type: &'static str,
        entity_id: Uuid,
        before: Option<Value>,
        after: Option<Value>,
        correlation_id: Option<String>,
    ) -> NewAuditEvent {
        NewAuditEvent {
            org_id: actor.org_id,
            actor_user_id: Some(actor.user_id),
            action,
            entity_type,
            entity_id,
            before,
            after,
            correlation_id,
        }
    }
}

pub trait IdentityStore {
    fn find_user_by_email(&mut self, email: &str) -> DomainResult<Option<UserRecord>>;
    fn find_user(&mut self, id: UserId) -> DomainResult<Option<UserRecord>>;
    /// Memberships of a user, sorted by org name.
    fn memberships_of(&mut self, user: UserId) -> DomainResult<Vec<MembershipView>>;
    fn role_in(&mut self, user: UserId, org: OrgId) -> DomainResult<Option<Role>>;
    fn list_members(&mut self, org: OrgId, page: u32, size: u32) -> DomainResult<(Vec<MemberView>, u64)>;
    fn member(&mut self, org: OrgId, user: UserId) -> DomainResult<Option<MemberView>>;
    fn insert_user(&mut self, user: &UserRecord) -> DomainResult<()>;
    fn set_user_active(&mut self, user: UserId, active: bool) -> DomainResult<()>;
    fn upsert_membership(&mut self, org: OrgId, user: UserId, role: Role) -> DomainResult<()>;
    fn count_admins(&mut self, org: OrgId) -> DomainResult<u64>;
}

pub trait AuditLog {
    fn record(&mut self, event: NewAuditEvent) -> DomainResult<()>;
}

pub trait PasswordHasher {
    fn hash(&self, password: &str) -> DomainResult<String>;
    fn verify(&self, password: &str, hash: &str) -> bool;
    /// A hash of a throw-away password, verified against when the email is unknown so that a wrong
    /// email costs the same time as a wrong password.
    fn dummy_hash(&self) -> &str;
}

pub struct IssuedToken {
    pub token: String,
    pub expires_in_secs: u64,
}

pub trait TokenIssuer {
    fn issue(&self, user: UserId, now: DateTime<Utc>) -> DomainResult<IssuedToken>;
}

/// A timeline entry (PRODUCT.md §8), written in the same transaction as the change it tells of.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    pub org_id: OrgId,
    pub dossier_id: Uuid,
    pub activity_type: crate::activity::ActivityType,
    pub content: String,
    pub metadata: Value,
    pub created_by: Option<UserId>,
    pub occurred_at: DateTime<Utc>,
}

pub trait ActivityLog {
    /// Inserts the activity and moves the dossier's `lastActivityAt` forward; returns its id.
    fn add_activity(&mut self, activity: NewActivity) -> DomainResult<Uuid>;
}

/// Org-wide settings the rules need (PRODUCT.md §1, §6, §11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSettings {
    pub default_country: String,
    pub currency: String,
    pub timezone: String,
    pub block_appointment_overlap: bool,
}

pub trait OrgDirectory {
    fn org_settings(&mut self, org: OrgId) -> DomainResult<OrgSettings>;
    /// Next human reference of a kind for the org, e.g. `next_reference(org, "ANN")` → "ANN-000042".
    fn next_reference(&mut self, org: OrgId, prefix: &str) -> DomainResult<String>;
}

// --- Outbound messaging (PRODUCT.md §10) ---
// The one asynchronous port: the outbox worker calls the provider over HTTP outside any database
// transaction. It returns `impl Future` (no async_trait) and takes plain data, so the domain stays
// free of I/O crates.

/// What to send: a free text (inside the 24-hour window) or an approved template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendContent {
    Text(String),
    Template { code: String, language: String, params: Vec<String> },
}

/// One provider call. `callback_data` is our outbound message id, echoed by the provider in its
/// status callbacks (`biz_opaque_callback_data`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRequest {
    pub to: String,
    pub content: SendContent,
    pub callback_data: String,
}

/// The org's provider account. Debug never prints the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderAccount {
    pub phone_number_id: String,
    pub access_token: String,
}

impl std::fmt::Debug for ProviderAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderAccount").field("phone_number_id", &self.phone_number_id).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAccepted {
    pub provider_message_id: String,
}

/// A failed call: `http_status` None means no response (network error, timeout); the retry policy
/// (`retry::classify_http`) decides from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub http_status: Option<u16>,
    pub code: String,
    pub message: String,
}

pub trait MessageProvider: Send + Sync {
    fn send(
        &self,
        account: &ProviderAccount,
        request: &SendRequest,
    ) -> impl std::future::Future<Output = Result<ProviderAccepted, ProviderError>> + Send;
}

/// The org's WhatsApp credentials, None when the org has not configured WhatsApp.
pub trait ProviderCredentials {
    fn whatsapp_credentials(&mut self, org: OrgId) -> DomainResult<Option<ProviderAccount>>;
}
