//! HTTP handlers for messages (PRODUCT.md §5) and the consent rule on logged outbound messages
//! (§7).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use atlas_domain::consent::{MessageChannel, MessageDirection};
use atlas_domain::error::DomainError;
use atlas_domain::identity::Capability;
use atlas_domain::usecases::messages::{
    self as uc, LogOutcome, MessageInput, MessageQuery, MessageRecord, MessageSort,
};
use atlas_shared_types::message::{
    CreateMessageRequest, MessageChannel as DtoChannel, MessageDirection as DtoDirection, MessageDto,
};
use atlas_shared_types::Page;

use super::parties::same_wire;
use crate::db::{in_tx, Db};
use crate::http::context::RequestContext;
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::query::path_id;
use crate::http::query::Query;
use crate::http::state::State;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/messages").route(web::get().to(list)).route(web::post().to(create)))
        .service(web::resource("/messages/{id}").route(web::get().to(get)).route(web::delete().to(delete)));
}

fn dto(m: &MessageRecord) -> Result<MessageDto, ApiError> {
    Ok(MessageDto {
        id: m.id,
        dossier_id: m.dossier_id,
        channel: same_wire(m.channel.as_str(), DtoChannel::parse)?,
        direction: same_wire(m.direction.as_str(), DtoDirection::parse)?,
        content: m.content.clone(),
        occurred_at: m.occurred_at,
        created_by_user_id: m.created_by.map(|u| u.0),
        external_id: m.external_id.clone(),
        outbound_message_id: m.outbound_message_id,
        created_at: m.created_at,
    })
}

const CHANNELS: &[&str] = &["WHATSAPP", "SMS", "EMAIL", "PHONE", "IN_PERSON"];
const DIRECTIONS: &[&str] = &["INBOUND", "OUTBOUND"];

pub async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    let mut q = Query::parse(req.query_string())?;
    let dossier_id = q.uuid("dossierId");
    let channel = q.enumeration("channel", MessageChannel::parse, CHANNELS);
    let direction = q.enumeration("direction", MessageDirection::parse, DIRECTIONS);
    let page = q.page(&["occurredAt", "createdAt"]);
    q.finish()?;
    let page = page.ok_or_else(ApiError::internal)?;
    // Newest first by default (PRODUCT.md §5).
    let (sort, descending) = match page.sort.as_ref() {
        None => (MessageSort::OccurredAt, true),
        Some(s) if s.field == "createdAt" => (MessageSort::CreatedAt, s.descending),
        Some(s) => (MessageSort::OccurredAt, s.descending),
    };
    let query = MessageQuery { dossier_id, channel, direction, page: page.page, size: page.size, sort, descending };
    let (items, total) = st.with_conn(move |conn, _| uc::list_messages(&mut Db { conn }, &actor, &query)).await?;
    let items = items.iter().map(dto).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page::new(items, page.page, page.size, total)))
}

/// 201 with the message, or 422 `CONSENT_REQUIRED`. The refusal's `BLOCKED_BY_POLICY` audit event
/// is committed with the transaction before the 422 is answered (nothing else is written).
pub async fn create(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let r = parse_json::<CreateMessageRequest>(&body)?;
    let input = MessageInput {
        dossier_id: r.dossier_id,
        channel: same_wire(r.channel.as_str(), MessageChannel::parse)?,
        direction: same_wire(r.direction.as_str(), MessageDirection::parse)?,
        content: r.content,
        occurred_at: r.occurred_at,
        external_id: r.external_id,
    };
    let corr = ctx.correlation_id();
    let outcome =
        st.with_conn(move |conn, _| in_tx(conn, |db| uc::log_message(db, &actor, input, Utc::now(), corr))).await?;
    match outcome {
        LogOutcome::Logged(m) => Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/messages/{}", m.id)))
            .json(dto(&m)?)),
        LogOutcome::Blocked(denial) => Err(DomainError::ConsentRequired(denial.message()).into()),
    }
}

pub async fn get(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    let id = path_id(&path)?;
    let m = st.with_conn(move |conn, _| uc::get_message(&mut Db { conn }, &actor, id)).await?;
    Ok(HttpResponse::Ok().json(dto(&m)?))
}

pub async fn delete(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let id = path_id(&path)?;
    let corr = ctx.correlation_id();
    st.with_conn(move |conn, _| in_tx(conn, |db| uc::delete_message(db, &actor, id, corr))).await?;
    Ok(HttpResponse::NoContent().finish())
}
