use actix_web::HttpResponse;
use serde_json::json;

use crate::db::has_pending_migrations;
use crate::http::state::State;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "UP"}))
}

/// The database answers and every migration is applied.
pub async fn readyz(st: State) -> HttpResponse {
    let ready = st
        .with_conn(|conn, _| {
            has_pending_migrations(conn).map_err(|e| atlas_domain::error::DomainError::Infra(e.to_string()))
        })
        .await;
    match ready {
        Ok(false) => HttpResponse::Ok().json(json!({"status": "UP", "database": "UP", "migrations": "APPLIED"})),
        Ok(true) => HttpResponse::ServiceUnavailable()
            .json(json!({"status": "DOWN", "database": "UP", "migrations": "PENDING"})),
        Err(_) => HttpResponse::ServiceUnavailable().json(json!({"status": "DOWN", "database": "DOWN"})),
    }
}
