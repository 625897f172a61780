//! Optimistic locking over HTTP (PRODUCT.md §0): `ETag: "<version>"` on single resources, and
//! `If-Match: 3` or `If-Match: "3"` (or `version` in the body) on PUT.

use actix_web::http::header::{HeaderValue, ETAG, IF_MATCH, LOCATION};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::problem::ApiError;

/// The expected version: `If-Match` wins over the body's `version`; `*` means "any".
pub fn expected_version(req: &HttpRequest, body_version: Option<i32>) -> Result<Option<i32>, ApiError> {
    match req.headers().get(IF_MATCH) {
        None => Ok(body_version),
        Some(v) => {
            let raw = v.to_str().unwrap_or("").trim();
            if raw == "*" {
                return Ok(None);
            }
            let bare = raw.strip_prefix("W/").unwrap_or(raw).trim_matches('"');
            bare.parse::<i32>()
                .map(Some)
                .map_err(|_| ApiError::field("If-Match", "must be the resource version, e.g. 3 or \"3\""))
        }
    }
}

pub fn etag_value(version: i32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// 200 with the resource and its ETag.
pub fn ok_versioned<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    let mut res = HttpResponse::Ok().json(body);
    res.headers_mut().insert(ETAG, etag_value(version));
    res
}

/// 201 with `Location` and the ETag.
pub fn created_versioned<T: Serialize>(location: String, body: &T, version: i32) -> HttpResponse {
    let mut res = HttpResponse::Created().json(body);
    res.headers_mut().insert(ETAG, etag_value(version));
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_match_forms() {
        let r = TestRequest::default().insert_header((IF_MATCH, "3")).to_http_request();
        assert_eq!(expected_version(&r, Some(9)).ok().flatten(), Some(3));
        let r = TestRequest::default().insert_header((IF_MATCH, "\"4\"")).to_http_request();
        assert_eq!(expected_version(&r, None).ok().flatten(), Some(4));
        let r = TestRequest::default().insert_header((IF_MATCH, "W/\"5\"")).to_http_request();
        assert_eq!(expected_version(&r, None).ok().flatten(), Some(5));
        let r = TestRequest::default().insert_header((IF_MATCH, "abc")).to_http_request();
        assert!(expected_version(&r, None).is_err());
        let r = TestRequest::default().to_http_request();
        assert_eq!(expected_version(&r, Some(2)).ok().flatten(), Some(2));
    }
}
