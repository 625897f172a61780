//! The built SPA (frontend/dist), served from the same origin: hashed assets get a one-year
//! immutable cache, index.html is never cached, and client routes fall back to index.html.

use std::path::PathBuf;

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
use actix_web::{web, HttpResponse};

pub fn configure(static_dir: PathBuf) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let index = static_dir.join("index.html");
        if !index.is_file() {
            tracing::warn!(dir = %static_dir.display(), "SPA not built (run `make web`); serving the API only");
            cfg.default_service(web::to(|| async {
                HttpResponse::NotFound().content_type("text/html; charset=utf-8").body(
                    "<!doctype html><title>Atlas</title><p>The web application is not built: run <code>make web</code>.</p>",
                )
            }));
            return;
        }
        let fallback = index.clone();
        cfg.service(Files::new("/", &static_dir).index_file("index.html").prefer_utf8(true).default_handler(
            fn_service(move |req: ServiceRequest| {
                let index = fallback.clone();
                async move {
                    let (req, _) = req.into_parts();
                    let mut res = NamedFile::open(index)?.into_response(&req);
                    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                    Ok(ServiceResponse::new(req, res))
                }
            }),
        ));
    }
}

/// `app-1a2b3c4d.js` style names are content-addressed: safe to cache forever.
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((_, hash)) => hash.len() >= 8 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        None => false,
    }
}

pub fn cache_control_for(path: &str) -> &'static str {
    if is_hashed_asset(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// Sets Cache-Control on static responses (everything outside /api and the probes).
pub async fn cache_headers(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let path = req.path().to_string();
    let mut res = next.call(req).await?;
    let is_static = !path.starts_with("/api") && path != "/healthz" && path != "/readyz" && path != "/metrics";
    if is_static && res.status().is_success() && !res.headers().contains_key(CACHE_CONTROL) {
        res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(cache_control_for(&path)));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_names_are_immutable() {
        assert!(is_hashed_asset("/app-1a2b3c4d.js"));
        assert!(is_hashed_asset("/app-1a2b3c4d_bg.wasm"));
        assert!(is_hashed_asset("/style-deadbeef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/dossiers/123"));
        assert!(!is_hashed_asset("/app.js"));
    }
}
