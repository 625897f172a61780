//! RFC 7807 problem+json errors with the stable codes of PRODUCT.md §0.
//!
//! `ApiError::error_response` stores the `Problem` in the response extensions; the request-id
//! middleware then writes the body with the request's id, so every error — from a handler, an
//! extractor or the router — carries `requestId`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use atlas_domain::error::{DomainError, FieldViolation};
use atlas_shared_types::{FieldError, Problem};

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: Option<String>,
    pub errors: Option<Vec<FieldError>>,
    pub allowed: Option<Vec<String>>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, code, detail: Some(detail.into()), errors: None, allowed: None, retry_after_secs: None }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        ApiError { errors: Some(errors), ..ApiError::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", detail) }
    }

    pub fn field(field: &str, message: &str) -> Self {
        ApiError::validation(vec![FieldError { field: field.to_string(), message: message.to_string() }])
    }

    pub fn unauthorized(detail: &str) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", detail)
    }

    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "the requested resource does not exist")
    }

    pub fn internal() -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "an internal error occurred")
    }

    /// 404 for a reference in a request body (`annonceId`, `assignedToUserId`, …) that names
    /// nothing in the caller's org; the detail names the field (PRODUCT.md §0).
    pub fn reference_not_found(field: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", format!("{field}: no such resource in this organisation"))
    }

    /// 409 `INVALID_TRANSITION` with the statuses reachable from the current one in `allowed`.
    pub fn invalid_transition(detail: impl Into<String>, allowed: Vec<String>) -> Self {
        ApiError { allowed: Some(allowed), ..ApiError::new(StatusCode::CONFLICT, "INVALID_TRANSITION", detail) }
    }

    /// 400 `REASON_REQUIRED`: a transition's reason (or the comment an `OTHER` reason needs) is
    /// missing or not an accepted value; `errors` names the field like a validation error.
    pub fn reason_required(field: &str, message: &str) -> Self {
        let errors = vec![FieldError { field: field.to_string(), message: message.to_string() }];
        ApiError {
            errors: Some(errors),
            ..ApiError::new(StatusCode::BAD_REQUEST, "REASON_REQUIRED", format!("{field}: {message}"))
        }
    }

    /// 422 `ANNONCE_NOT_AVAILABLE`: the annonce exists but cannot take new dossiers.
    pub fn annonce_not_available(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "ANNONCE_NOT_AVAILABLE", detail)
    }

    /// 429 `RATE_LIMITED` with `Retry-After: <secs>` (PRODUCT.md §12; at least 1 s).
    pub fn rate_limited(detail: impl Into<String>, retry_after_secs: u64) -> Self {
        ApiError {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", detail)
        }
    }

    pub fn to_problem(&self) -> Problem {
        Problem {
            type_: format!("urn:problem-type:atlas:{}", self.code.to_ascii_lowercase().replace('_', "-")),
            title: self.status.canonical_reason().unwrap_or("Error").to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_string(),
            request_id: None,
            errors: self.errors.clone(),
            allowed: self.allowed.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.to_problem();
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if let Some(secs) = self.retry_after_secs {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        let mut res = res.body(serde_json::to_vec(&problem).unwrap_or_default());
        res.extensions_mut().insert(problem);
        res
    }
}

fn field_errors(v: Vec<FieldViolation>) -> Vec<FieldError> {
    v.into_iter().map(|f| FieldError { field: f.field, message: f.message }).collect()
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation(v) => ApiError::validation(field_errors(v)),
            DomainError::InvalidCredentials => {
                ApiError::new(StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS", "wrong email or password")
            }
            DomainError::Unauthenticated => ApiError::unauthorized("the session is no longer valid"),
            DomainError::Forbidden => {
                ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", "your role does not allow this action")
            }
            DomainError::NotFound => ApiError::not_found(),
            DomainError::ReferenceNotFound(field) => ApiError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("{field} does not name an existing resource of this organisation"),
            ),
            DomainError::AppointmentConflict(ids) => {
                let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
                ApiError::new(
                    StatusCode::CONFLICT,
                    "APPOINTMENT_CONFLICT",
                    format!("the assignee already has an appointment at that time: {}", ids.join(", ")),
                )
            }
            DomainError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "CONFLICT", m),
            DomainError::VersionConflict => ApiError::new(
                StatusCode::CONFLICT,
                "VERSION_CONFLICT",
                "the resource was modified since you read it; reload and retry",
            ),
            DomainError::ConsentRequired(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "CONSENT_REQUIRED", m),
            DomainError::PolicyBlocked { code, message } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            DomainError::Infra(msg) => {
                // Logged with the request's span; the client only learns that it failed.
                tracing::error!(error = %msg, "infrastructure failure");
                ApiError::internal()
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        tracing::error!("blocking pool failure");
        ApiError::internal()
    }
}
