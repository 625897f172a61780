//! `/api/v1/outbound/messages` (PRODUCT.md §10 "Outbound"): queue, read, list, retry, cancel.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use atlas_domain::identity::Capability;
use atlas_domain::usecases::outbound::{self as uc, OutboundFilter, OutboundRecord, QueueInput, QueueOutcome};
use atlas_domain::whatsapp::OutboundStatus;
use atlas_shared_types::outbound::{
    CreateOutboundMessageRequest, OutboundAttemptDto, OutboundChannel, OutboundErrorDto, OutboundMessageDto,
};
use atlas_shared_types::Page;

use crate::db::{in_tx, Db};
use crate::http::context::RequestContext;
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::query::path_id;
use crate::http::query::Query;
use crate::http::state::State;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/outbound/messages").route(web::post().to(create)).route(web::get().to(list)))
        .service(web::resource("/outbound/messages/{id}").route(web::get().to(get)))
        .service(web::resource("/outbound/messages/{id}/retry").route(web::post().to(retry)))
        .service(web::resource("/outbound/messages/{id}/cancel").route(web::post().to(cancel)));
}

pub fn outbound_dto(r: &OutboundRecord) -> OutboundMessageDto {
    OutboundMessageDto {
        id: r.id,
        dossier_id: r.dossier_id,
        channel: OutboundChannel::Whatsapp,
        to: r.to.clone(),
        template_code: r.template_code.clone(),
        template_language: r.template_language.clone(),
        template_params: r.template_params.clone(),
        text: r.text.clone(),
        status: r.status.as_str().to_string(),
        provider_message_id: r.provider_message_id.clone(),
        attempts: r
            .attempts
            .iter()
            .map(|a| OutboundAttemptDto {
                attempt_no: a.attempt_no,
                started_at: a.started_at,
                finished_at: a.finished_at,
                outcome: a.outcome.as_str().to_string(),
                http_status: a.http_status,
                error_code: a.error_code.clone(),
                error_message: a.error_message.clone(),
            })
            .collect(),
        attempt_count: r.attempt_count,
        max_attempts: r.max_attempts,
        next_attempt_at: r.next_attempt_at,
        dead_lettered: r.dead_lettered,
        last_error: r
            .last_error_code
            .as_ref()
            .map(|code| OutboundErrorDto { code: code.clone(), message: r.last_error_message.clone() }),
        created_at: r.created_at,
        sent_at: r.sent_at,
        delivered_at: r.delivered_at,
        read_at: r.read_at,
        failed_at: r.failed_at,
    }
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.trim().to_string()))
            .map_err(|_| ApiError::field("Idempotency-Key", "must be printable ASCII")),
    }
}

pub async fn create(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let key = idempotency_key(&req)?;
    let dto: CreateOutboundMessageRequest = parse_json(&body)?;
    let input = QueueInput {
        dossier_id: dto.dossier_id,
        to: dto.to,
        template_code: dto.template_code,
        template_params: dto.template_params,
        text: dto.text,
        idempotency_key: key,
    };
    let corr = ctx.correlation_id();
    let outcome = st
        .with_conn(move |conn, app| {
            in_tx(conn, |db| uc::queue_message(db, &actor, input, &app.outbox.backoff, Utc::now(), corr))
        })
        .await?;
    match outcome {
        QueueOutcome::Created(r) => Ok(HttpResponse::build(StatusCode::ACCEPTED)
            .insert_header((header::LOCATION, format!("/api/v1/outbound/messages/{}", r.id)))
            .json(outbound_dto(&r))),
        QueueOutcome::Replayed(r) => Ok(HttpResponse::Ok()
            .insert_header((header::LOCATION, format!("/api/v1/outbound/messages/{}", r.id)))
            .json(outbound_dto(&r))),
        // The audit of the refusal is committed; the client gets the policy error.
        QueueOutcome::Blocked(e) => Err(e.into()),
    }
}

pub async fn get(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Read)?;
    let id = path_id(&path.into_inner())?;
    let r = st.with_conn(move |conn, _| uc::get_message(&mut Db { conn }, &actor, id)).await?;
    Ok(HttpResponse::Ok().json(outbound_dto(&r)))
}

pub async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Read)?;
    let mut q = Query::parse(req.query_string())?;
    let names: Vec<&str> = OutboundStatus::ALL.iter().map(|s| s.as_str()).collect();
    let filter = OutboundFilter {
        dossier_id: q.uuid("dossierId"),
        status: q.enumeration("status", OutboundStatus::parse, &names),
    };
    let page = q.page(&[]);
    q.finish()?;
    let Some(page) = page else { return Err(ApiError::internal()) };
    let (p, s) = (page.page, page.size);
    let (items, total) =
        st.with_conn(move |conn, _| uc::list_messages(&mut Db { conn }, &actor, &filter, p, s)).await?;
    Ok(HttpResponse::Ok().json(Page::new(items.iter().map(outbound_dto).collect(), p, s, total)))
}

pub async fn retry(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let id = path_id(&path.into_inner())?;
    let corr = ctx.correlation_id();
    let r = st
        .with_conn(move |conn, app| {
            in_tx(conn, |db| uc::retry_message(db, &actor, id, &app.outbox.backoff, Utc::now(), corr))
        })
        .await?;
    Ok(HttpResponse::Ok().json(outbound_dto(&r)))
}

pub async fn cancel(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let id = path_id(&path.into_inner())?;
    let corr = ctx.correlation_id();
    let r = st.with_conn(move |conn, _| in_tx(conn, |db| uc::cancel_message(db, &actor, id, Utc::now(), corr))).await?;
    Ok(HttpResponse::Ok().json(outbound_dto(&r)))
}
