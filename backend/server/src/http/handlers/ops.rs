//! `GET /api/v1/ops/outbound/metrics` and `GET /api/v1/ops/outbound/health` (PRODUCT.md §10,
//! MANAGER+, the caller's org). Definitions and thresholds: `atlas_domain::usecases::ops`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;

use atlas_domain::identity::Capability;
use atlas_domain::usecases::ops::{self as uc, Health, HealthStatus, Latency, OutboundMetrics, WindowStats};
use atlas_shared_types::ops::{
    ErrorCodeCountDto, HealthReasonDto, LatencyDto, OutboundHealthDto, OutboundMetricsDto, OutboundWindowDto,
    StatusCountsDto,
};

use crate::db::Db;
use crate::http::context::RequestContext;
use crate::http::problem::ApiError;
use crate::http::state::State;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/ops/outbound/metrics").route(web::get().to(metrics)))
        .service(web::resource("/ops/outbound/health").route(web::get().to(health)));
}

fn latency_dto(l: &Latency) -> LatencyDto {
    LatencyDto { count: l.count, p50_seconds: l.p50_seconds, p95_seconds: l.p95_seconds }
}

fn window_dto(w: &WindowStats) -> OutboundWindowDto {
    OutboundWindowDto {
        attempts: w.attempts,
        failed_attempts: w.failed_attempts,
        failure_rate: w.failure_rate,
        delivery_failures: w.delivery_failures,
        dead_letters: w.dead_letters,
        top_error_codes: w
            .top_error_codes
            .iter()
            .map(|(code, count)| ErrorCodeCountDto { code: code.clone(), count: *count })
            .collect(),
        queued_to_sent: latency_dto(&w.queued_to_sent),
        sent_to_delivered: latency_dto(&w.sent_to_delivered),
    }
}

pub fn metrics_dto(m: &OutboundMetrics) -> OutboundMetricsDto {
    let c = &m.counts_by_status;
    OutboundMetricsDto {
        generated_at: m.generated_at,
        counts_by_status: StatusCountsDto {
            queued: c.queued,
            sending: c.sending,
            sent: c.sent,
            delivered: c.delivered,
            read: c.read,
            failed: c.failed,
            cancelled: c.cancelled,
        },
        queue_depth: m.queue_depth,
        oldest_queued_age_seconds: m.oldest_queued_age_seconds,
        dead_letters: m.dead_letters,
        last_hour: window_dto(&m.last_hour),
        last_24_hours: window_dto(&m.last_24_hours),
    }
}

fn health_dto(h: &Health) -> OutboundHealthDto {
    OutboundHealthDto {
        status: h.status.as_str().to_string(),
        reasons: h
            .reasons
            .iter()
            .map(|r| HealthReasonDto { code: r.code.to_string(), message: r.message.clone() })
            .collect(),
    }
}

pub async fn metrics(st: State, ctx: RequestContext) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let m = st.with_conn(move |conn, _| uc::metrics(&mut Db { conn }, &actor, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(metrics_dto(&m)))
}

/// 200 when UP or DEGRADED, 503 when DOWN (so that a plain HTTP monitor alerts), the verdict in
/// the body either way.
pub async fn health(st: State, ctx: RequestContext) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    // The role is checked: any error left is the database's.
    let h = match st.with_conn(move |conn, _| uc::metrics(&mut Db { conn }, &actor, Utc::now())).await {
        Ok(m) => uc::assess(&m),
        Err(e) => {
            tracing::error!(error = %e, "outbound health: the outbox cannot be read");
            uc::down_database()
        }
    };
    let status = if h.status == HealthStatus::Down { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    Ok(HttpResponse::build(status).json(health_dto(&h)))
}
