//! Request id and problem+json finalisation, the outermost middleware.
//!
//! - `X-Request-Id` is taken from the request when it is sane, else generated, and echoed on every
//!   response; the tracing span and audit events use the same id.
//! - Errors rendered by `ApiError` get `requestId` in their body.
//! - Router 404/405 (empty bodies from actix) become problem+json too.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse};
use uuid::Uuid;

use atlas_shared_types::Problem;

use super::problem::{ApiError, PROBLEM_JSON};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let v = req.headers().get(&REQUEST_ID)?.to_str().ok()?.trim();
    let sane = !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic());
    sane.then(|| v.to_string())
}

pub async fn request_id_and_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = incoming_id(&req).unwrap_or_else(|| Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    // Never clone the HttpRequest before routing: actix needs it uniquely owned to match routes.
    // Inner services answer errors as responses; an Err here is passed on unchanged.
    let res = next.call(req).await?.map_into_boxed_body();

    let problem = res.response().extensions().get::<Problem>().cloned();
    let mut res = match problem {
        Some(mut p) => {
            p.request_id = Some(id.clone());
            let body = serde_json::to_vec(&p).unwrap_or_default();
            res.map_body(|_, _| BoxBody::new(body))
        }
        None if is_bare_error(&res) => {
            let err = problem_for_status(res.status());
            let mut p = err.to_problem();
            p.request_id = Some(id.clone());
            let (req, old) = res.into_parts();
            let mut new = HttpResponse::build(err.status);
            new.insert_header((CONTENT_TYPE, PROBLEM_JSON));
            // keep headers such as Allow
            for (k, v) in old.headers() {
                if k != CONTENT_TYPE && k != actix_web::http::header::CONTENT_LENGTH {
                    new.insert_header((k.clone(), v.clone()));
                }
            }
            ServiceResponse::new(req, new.body(serde_json::to_vec(&p).unwrap_or_default()))
        }
        None => res,
    };
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    Ok(res)
}

/// An error answered by actix itself (router, payload limits) rather than by our code. A JSON
/// body is ours on purpose (`/readyz`, `/api/v1/ops/outbound/health` answer 503 with a verdict).
fn is_bare_error(res: &ServiceResponse<BoxBody>) -> bool {
    res.status().as_u16() >= 400
        && res.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_none_or(|ct| {
            !ct.starts_with(PROBLEM_JSON) && !ct.starts_with("text/html") && !ct.starts_with("application/json")
        })
}

fn problem_for_status(status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::not_found(),
        StatusCode::METHOD_NOT_ALLOWED => {
            ApiError::new(status, "METHOD_NOT_ALLOWED", "this method is not allowed on this path")
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(status, "PAYLOAD_TOO_LARGE", "the request body is larger than the 1 MiB limit")
        }
        s if s.is_client_error() => ApiError::new(s, "VALIDATION_ERROR", "the request could not be read"),
        _ => ApiError::internal(),
    }
}
