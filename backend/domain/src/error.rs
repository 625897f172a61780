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
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("version conflict")]
    VersionConflict,
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
