//! `GET|POST /api/v1/webhooks/whatsapp` (PRODUCT.md §10): no bearer token; the subscription
//! handshake proves the verify token, each POST its HMAC signature.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use atlas_domain::usecases::whatsapp_config::verify_token_hash;

use crate::db::whatsapp_inbound::verify_token_known;
use crate::http::middleware::RequestId;
use crate::http::pagination::query_pairs;
use crate::http::problem::ApiError;
use crate::http::state::State;
use crate::whatsapp::inbound::process::{self, Rejection};

pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";
/// Longest `hub.challenge` echoed back (Meta sends a short number).
const CHALLENGE_MAX: usize = 256;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/webhooks/whatsapp").route(web::get().to(verify)).route(web::post().to(receive)));
}

fn forbidden() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", "the verify token does not match")
}

/// Subscription handshake: 200 with the challenge as text/plain when the token is an org's
/// verify token, else 403.
pub async fn verify(st: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let pairs = query_pairs(req.query_string()).map_err(|_| forbidden())?;
    let get = |k: &str| pairs.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (Some(mode), Some(token)) = (get("hub.mode"), get("hub.verify_token")) else {
        return Err(forbidden());
    };
    if mode != "subscribe" || token.is_empty() {
        return Err(forbidden());
    }
    // Only the hash is stored; comparing hashes in SQL leaks nothing usable about the token.
    let hash = verify_token_hash(&token);
    let known = st.with_conn(move |conn, _| verify_token_known(conn, &hash)).await?;
    if !known {
        return Err(forbidden());
    }
    let challenge = get("hub.challenge").unwrap_or_default();
    if challenge.is_empty() || challenge.chars().count() > CHALLENGE_MAX || challenge.chars().any(char::is_control) {
        return Err(ApiError::field("hub.challenge", "must be 1 to 256 printable characters"));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(challenge))
}

/// The raw bytes are what is signed: read as `Bytes` (the app-wide 1 MiB limit answers 413).
pub async fn receive(st: State, req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let signature = req.headers().get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let corr = request_id(&req);
    let outcome = st
        .with_conn(move |conn, app| process::handle(conn, app, &body, signature.as_deref(), Utc::now(), corr))
        .await?;
    match outcome {
        Ok(ack) => Ok(HttpResponse::Ok().json(ack)),
        Err(Rejection::BadRequest(why)) => Err(ApiError::field("body", why)),
        Err(Rejection::Unauthorized) => {
            Err(ApiError::unauthorized("missing or invalid X-Hub-Signature-256 for this phone_number_id"))
        }
        Err(Rejection::RateLimited(e)) => Err(e),
    }
}

fn request_id(req: &HttpRequest) -> Option<String> {
    use actix_web::HttpMessage;
    req.extensions().get::<RequestId>().map(|r| r.0.clone()).filter(|s| !s.is_empty())
}
