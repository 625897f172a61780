use thiserror::Error;

/// A field-level validation failure, reported back as `errors: [{field, message}]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub message: String,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldViolation { field: field.into(), message: message.into() }
    }
}

/// Errors of the use cases. The HTTP adapter maps each variant to one problem+json code.
#[derive(Debug, Error)]
pub enum DomainError {
    #[error("validation failed")]
    Validation(Vec<FieldViolation>),
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The token's user no longer exists or was deactivated.
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("not allowed for this role")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A reference in a request body (`dossierId`, …) names nothing in the caller's org: 404 with
    /// a detail naming the field.
    #[error("{0} not found")]
    ReferenceNotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("version conflict")]
    VersionConflict,
    /// PRODUCT.md §7: an outbound message without a valid CONTACT consent (422); the detail says
    /// which consent is missing.
    #[error("consent required: {0}")]
    ConsentRequired(String),
    /// The write would overlap these appointments of the same assignee and the org blocks
    /// overlaps (PRODUCT.md §6) → 409 `APPOINTMENT_CONFLICT`.
    #[error("appointment overlaps {0:?}")]
    AppointmentConflict(Vec<uuid::Uuid>),
    /// Refused by a business policy (422), e.g. `CONSENT_REQUIRED`, `SESSION_WINDOW_CLOSED`,
    /// `TEMPLATE_NOT_FOUND`: `code` is the problem code, `message` its detail.
    #[error("{code}: {message}")]
    PolicyBlocked { code: &'static str, message: String },
    /// A port (database, provider) failed; the message is for logs only, never for clients.
    #[error("infrastructure failure: {0}")]
    Infra(String),
}

impl DomainError {
    pub fn invalid(field: &str, message: &str) -> Self {
        DomainError::Validation(vec![FieldViolation::new(field, message)])
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
