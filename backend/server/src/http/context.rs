//! `AuthUser` (token only) and `RequestContext` (token + org + role) extractors. Order of checks
//! as PRODUCT.md §0: 401 token, then 400 `ORG_HEADER_REQUIRED`, then 403 membership.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use uuid::Uuid;

use atlas_domain::error::DomainError;
use atlas_domain::identity::{Actor, OrgId, UserId};
use atlas_domain::ports::IdentityStore;

use crate::db::Db;

use super::middleware::RequestId;
use super::problem::ApiError;
use super::state::AppState;

pub const ORG_HEADER: &str = "x-org-id";

#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: UserId,
    pub request_id: String,
}

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub actor: Actor,
    pub request_id: String,
}

fn state(req: &HttpRequest) -> Result<Arc<AppState>, ApiError> {
    req.app_data::<web::Data<Arc<AppState>>>().map(|d| Arc::clone(d.get_ref())).ok_or_else(ApiError::internal)
}

fn request_id(req: &HttpRequest) -> String {
    req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default()
}

fn bearer_user(req: &HttpRequest, st: &AppState) -> Result<UserId, ApiError> {
    let raw = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer token"))?;
    let token = raw
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or_else(|| ApiError::unauthorized("Authorization must be a Bearer token"))?;
    st.jwt.verify(token).ok_or_else(|| ApiError::unauthorized("invalid or expired token"))
}

fn org_header(req: &HttpRequest) -> Result<OrgId, ApiError> {
    req.headers()
        .get(ORG_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v.trim()).ok())
        .map(OrgId)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "ORG_HEADER_REQUIRED",
                "the X-Org-Id header must name an organisation (UUID)",
            )
        })
}

fn record_span(user: UserId, org: Option<OrgId>) {
    let span = tracing::Span::current();
    span.record("user_id", tracing::field::display(user.0));
    if let Some(o) = org {
        span.record("org_id", tracing::field::display(o.0));
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let st = state(&req)?;
            let user_id = bearer_user(&req, &st)?;
            record_span(user_id, None);
            st.rate_limits.api(user_id.0, None)?;
            Ok(AuthUser { user_id, request_id: request_id(&req) })
        })
    }
}

impl FromRequest for RequestContext {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let st = state(&req)?;
            let user_id = bearer_user(&req, &st)?;
            let org_id = org_header(&req)?;
            record_span(user_id, Some(org_id));
            let role = st
                .with_conn(move |conn, _| {
                    let mut db = Db { conn };
                    match db.find_user(user_id)? {
                        Some(u) if u.active => {}
                        _ => return Err(DomainError::Unauthenticated),
                    }
                    db.role_in(user_id, org_id)?.ok_or(DomainError::NotFound)
                })
                .await
                .map_err(|e| {
                    if e.code == "NOT_FOUND" {
                        ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", "you are not a member of this organisation")
                    } else {
                        e
                    }
                })?;
            // Counted only once the token and the membership are known good (PRODUCT.md §12).
            st.rate_limits.api(user_id.0, Some(org_id.0))?;
            Ok(RequestContext { actor: Actor { user_id, org_id, role }, request_id: request_id(&req) })
        })
    }
}

impl RequestContext {
    pub fn correlation_id(&self) -> Option<String> {
        Some(self.request_id.clone()).filter(|s| !s.is_empty())
    }
}
