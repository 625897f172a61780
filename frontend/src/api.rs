//! Client of the Atlas REST API (`/api/v1`, same origin).
//!
//! Every body is a type of `atlas-shared-types`; errors answered as `application/problem+json` are
//! parsed into [`Problem`]. Authenticated calls send `Authorization: Bearer <token>` and, when an
//! organisation is selected, `X-Org-Id` (both read from the session in localStorage at call time).

#![allow(dead_code, reason = "the generic calls serve the business screens being built; remove when they all are used")]

use std::fmt;

use atlas_shared_types::{LoginRequest, LoginResponse, MeResponse, Problem};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::auth;

/// Base path of the API, on the origin that served the SPA.
pub const API_BASE: &str = "/api/v1";

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered an error status with a problem+json body.
    Problem(Problem),
    /// The server answered an error status without a problem+json body (a proxy page, say).
    Http { status: u16 },
    /// No answer: network down, server stopped, request blocked.
    Network(String),
    /// A success status whose body is not what the contract says.
    Decode(String),
}

impl ApiError {
    /// HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(p) => Some(p.status),
            ApiError::Http { status } => Some(*status),
            ApiError::Network(_) | ApiError::Decode(_) => None,
        }
    }

    /// Machine code of the problem (`INVALID_CREDENTIALS`, `VALIDATION_ERROR`, …).
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Problem(p) => Some(p.code.as_str()),
            _ => None,
        }
    }

    /// A 401 on an authenticated call: the token is missing, invalid or expired.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }
}

impl fmt::Display for ApiError {
    /// The message shown to the user, in French.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Problem(p) => match p.detail.as_deref().map(str::trim) {
                Some(detail) if !detail.is_empty() && detail != p.title => {
                    write!(f, "{} : {}", p.title, detail)
                }
                _ => f.write_str(&p.title),
            },
            ApiError::Http { status } => {
                write!(f, "Le serveur a répondu par une erreur inattendue (HTTP {status}).")
            }
            ApiError::Network(_) => {
                f.write_str("Impossible de joindre le serveur. Vérifiez votre connexion puis réessayez.")
            }
            ApiError::Decode(_) => f.write_str("Réponse inattendue du serveur."),
        }
    }
}

impl std::error::Error for ApiError {}

/// Parses an error body: a problem+json document, or `None` when it is not one.
pub fn parse_problem(content_type: &str, body: &str) -> Option<Problem> {
    if !content_type.to_ascii_lowercase().contains("json") {
        return None;
    }
    serde_json::from_str::<Problem>(body).ok()
}

fn url(path: &str) -> String {
    format!("{API_BASE}{path}")
}

/// Adds the JSON `Accept` header and, when asked, the session's credentials.
fn prepare(builder: RequestBuilder, bearer: bool, org: bool) -> RequestBuilder {
    let mut builder = builder.header("Accept", "application/json, application/problem+json");
    if bearer {
        if let Some(token) = auth::stored_token() {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
    }
    if org {
        if let Some(org_id) = auth::stored_org_id() {
            builder = builder.header("X-Org-Id", &org_id.to_string());
        }
    }
    builder
}

async fn error_of(response: Response) -> ApiError {
    let status = response.status();
    let content_type = response.headers().get("content-type").unwrap_or_default();
    match response.text().await {
        Ok(body) => match parse_problem(&content_type, &body) {
            Some(problem) => ApiError::Problem(problem),
            None => ApiError::Http { status },
        },
        Err(_) => ApiError::Http { status },
    }
}

thread_local! {
    /// What a 401 on an authenticated call does (end the session, back to the login page); set
    /// once by the authenticated shell, so that no screen can leave a dead session on screen.
    static ON_UNAUTHORIZED: std::cell::RefCell<Option<std::rc::Rc<dyn Fn()>>> = const { std::cell::RefCell::new(None) };
}

/// Registers what a 401 on an authenticated call does.
pub fn on_unauthorized(handler: impl Fn() + 'static) {
    ON_UNAUTHORIZED.with(|h| *h.borrow_mut() = Some(std::rc::Rc::new(handler)));
}

/// [`error_of`] for calls made with the session's token: a 401 also ends the session.
async fn authed_error_of(response: Response) -> ApiError {
    let error = error_of(response).await;
    if error.is_unauthorized() {
        if let Some(handler) = ON_UNAUTHORIZED.with(|h| h.borrow().clone()) {
            handler();
        }
    }
    error
}

/// [`decode`] for calls made with the session's token.
async fn decode_authed<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if !response.ok() {
        return Err(authed_error_of(response).await);
    }
    decode(response).await
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if !response.ok() {
        return Err(error_of(response).await);
    }
    response.json::<T>().await.map_err(|e| ApiError::Decode(e.to_string()))
}

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let request = request.map_err(|e| ApiError::Network(e.to_string()))?;
    request.send().await.map_err(|e| ApiError::Network(e.to_string()))
}

/// `GET` of an authenticated resource of the current organisation.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let response = send(prepare(Request::get(&url(path)), true, true).build()).await?;
    decode_authed(response).await
}

/// `GET` whose body is the answer also on one error status (the ops health answers 503 with its
/// verdict when DOWN).
pub async fn get_also_on<T: DeserializeOwned>(path: &str, status: u16) -> Result<T, ApiError> {
    let response = send(prepare(Request::get(&url(path)), true, true).build()).await?;
    if response.status() == status {
        return response.json::<T>().await.map_err(|e| ApiError::Decode(e.to_string()));
    }
    decode_authed(response).await
}

/// HTTP methods with a JSON body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Post,
    Put,
    Patch,
}

/// What a write answered besides its body: the status (201 created, 200 deduplicated, 202
/// queued…) and the headers a screen may need (`X-Atlas-Deduplicated`, `ETag`).
#[derive(Debug, Clone, PartialEq)]
pub struct Written<T> {
    pub body: T,
    pub status: u16,
    pub deduplicated: bool,
    pub etag: Option<String>,
}

/// A JSON write (`POST`, `PUT`, `PATCH`) to the current organisation; `if_match` sends the
/// version for optimistic locking.
pub async fn write<B: Serialize, T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: &B,
    if_match: Option<i32>,
) -> Result<Written<T>, ApiError> {
    let builder = match method {
        Method::Post => Request::post(&url(path)),
        Method::Put => Request::put(&url(path)),
        Method::Patch => Request::patch(&url(path)),
    };
    let mut builder = prepare(builder, true, true);
    if let Some(v) = if_match {
        builder = builder.header("If-Match", &format!("\"{v}\""));
    }
    let response = send(builder.json(body)).await?;
    let status = response.status();
    let deduplicated = response.headers().get("x-atlas-deduplicated").is_some_and(|v| v == "true");
    let etag = response.headers().get("etag");
    let body = decode_authed(response).await?;
    Ok(Written { body, status, deduplicated, etag })
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    write(Method::Post, path, body, None).await.map(|w| w.body)
}

pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B, version: Option<i32>) -> Result<T, ApiError> {
    write(Method::Put, path, body, version).await.map(|w| w.body)
}

pub async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    write(Method::Patch, path, body, None).await.map(|w| w.body)
}

/// `DELETE` of a resource of the current organisation (204 expected).
pub async fn delete(path: &str) -> Result<(), ApiError> {
    let response = send(prepare(Request::delete(&url(path)), true, true).build()).await?;
    if response.ok() {
        Ok(())
    } else {
        Err(authed_error_of(response).await)
    }
}

/// A downloaded file: its bytes, the name the server suggests (`Content-Disposition`) and its type.
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    pub bytes: Vec<u8>,
    pub filename: Option<String>,
    pub content_type: String,
}

/// `GET` of a file of the current organisation (a CSV export): the bytes are fetched with the
/// session's credentials, which a plain link could not send.
pub async fn download(path: &str) -> Result<Download, ApiError> {
    let builder = prepare(Request::get(&url(path)), true, true).header("Accept", "text/csv, application/problem+json");
    let response = send(builder.build()).await?;
    if !response.ok() {
        return Err(authed_error_of(response).await);
    }
    let filename = response.headers().get("content-disposition").as_deref().and_then(attachment_filename);
    let content_type = response.headers().get("content-type").unwrap_or_else(|| "application/octet-stream".to_owned());
    let bytes = response.binary().await.map_err(|e| ApiError::Network(e.to_string()))?;
    Ok(Download { bytes, filename, content_type })
}

/// `POST` of a multipart form (a CSV import) to the current organisation; the browser sets the
/// multipart boundary itself.
pub async fn post_form<T: DeserializeOwned>(path: &str, form: &web_sys::FormData) -> Result<T, ApiError> {
    let builder = prepare(Request::post(&url(path)), true, true);
    let response = send(builder.body(wasm_bindgen::JsValue::from(form.clone()))).await?;
    decode_authed(response).await
}

/// The `filename` of `attachment; filename="dossiers-2026-11-25.csv"`.
pub fn attachment_filename(header: &str) -> Option<String> {
    header.split(';').map(str::trim).find_map(|part| {
        let value = part.strip_prefix("filename=")?.trim_matches('"').trim();
        (!value.is_empty() && !value.contains(['/', '\\'])).then(|| value.to_owned())
    })
}

/// Query string from pairs, skipping empty values (`?status=NEW&page=0`).
pub fn query(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", js_sys::encode_uri_component(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// `POST /api/v1/auth/login`: no token, no organisation.
pub async fn login(body: &LoginRequest) -> Result<LoginResponse, ApiError> {
    let response = send(prepare(Request::post(&url("/auth/login")), false, false).json(body)).await?;
    decode(response).await
}

/// `GET /api/v1/me`: the signed-in user and their memberships (no `X-Org-Id`: it comes before an
/// organisation is chosen).
pub async fn me() -> Result<MeResponse, ApiError> {
    let response = send(prepare(Request::get(&url("/me")), true, false).build()).await?;
    decode_authed(response).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(detail: Option<&str>) -> Problem {
        Problem {
            type_: "about:blank".into(),
            title: "Trop de requêtes".into(),
            status: 429,
            detail: detail.map(Into::into),
            code: "RATE_LIMITED".into(),
            request_id: None,
            errors: None,
            allowed: None,
        }
    }

    #[test]
    fn parses_problem_json_bodies_only() {
        let body = r#"{"type":"about:blank","title":"Unauthorized","status":401,
                       "code":"INVALID_CREDENTIALS","requestId":"r1"}"#;
        let p = parse_problem("application/problem+json; charset=utf-8", body);
        assert_eq!(p.map(|p| p.code), Some("INVALID_CREDENTIALS".to_owned()));
        assert!(parse_problem("text/html", body).is_none());
        assert!(parse_problem("application/json", "<html>").is_none());
    }

    #[test]
    fn parses_field_errors() {
        let body = r#"{"type":"about:blank","title":"Validation","status":400,"code":"VALIDATION_ERROR",
                       "errors":[{"field":"email","message":"obligatoire"}]}"#;
        let errors = parse_problem("application/problem+json", body).and_then(|p| p.errors);
        assert_eq!(errors.map(|e| e.len()), Some(1));
    }

    #[test]
    fn attachment_filename_is_read_and_sanitised() {
        assert_eq!(
            attachment_filename("attachment; filename=\"dossiers-2026-11-25.csv\"").as_deref(),
            Some("dossiers-2026-11-25.csv")
        );
        assert_eq!(attachment_filename("attachment; filename=a.csv").as_deref(), Some("a.csv"));
        assert_eq!(attachment_filename("attachment"), None);
        assert_eq!(attachment_filename("attachment; filename=\"../etc/passwd\""), None);
    }

    #[test]
    fn message_shows_title_and_detail() {
        let e = ApiError::Problem(problem(Some("Réessayez dans 30 s.")));
        assert_eq!(e.to_string(), "Trop de requêtes : Réessayez dans 30 s.");
        assert_eq!(ApiError::Problem(problem(None)).to_string(), "Trop de requêtes");
        assert_eq!(e.status(), Some(429));
        assert!(!e.is_unauthorized());
        assert!(ApiError::Http { status: 401 }.is_unauthorized());
    }
}
