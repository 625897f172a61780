//! HTTP handlers for consentements (PRODUCT.md §7). Append-only: POST and PUT both record a new
//! state; nothing is ever rewritten.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use atlas_domain::consent::{ConsentChannel, ConsentPurpose, ConsentSource, ConsentStatus};
use atlas_domain::identity::Capability;
use atlas_domain::usecases::consents::{self as uc, ConsentEntry, NewConsent, NextConsent};
use atlas_shared_types::consent::{
    ConsentChannel as DtoChannel, ConsentDto, ConsentOverview, ConsentPurpose as DtoPurpose,
    ConsentSource as DtoSource, ConsentStatus as DtoStatus, CreateConsentRequest, NextConsentRequest,
};

use super::parties::same_wire;
use crate::db::{in_tx, Db};
use crate::http::context::RequestContext;
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::query::path_id;
use crate::http::query::Query;
use crate::http::state::State;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/consentements").route(web::get().to(list)).route(web::post().to(create)))
        .service(web::resource("/consentements/{id}").route(web::get().to(get)).route(web::put().to(next_state)));
}

fn dto(e: &ConsentEntry) -> Result<ConsentDto, ApiError> {
    let r = &e.record;
    Ok(ConsentDto {
        id: r.id,
        dossier_id: e.dossier_id,
        channel: same_wire(r.channel.as_str(), DtoChannel::parse)?,
        purpose: same_wire(r.purpose.as_str(), DtoPurpose::parse)?,
        status: same_wire(r.status.as_str(), DtoStatus::parse)?,
        source: same_wire(e.source.as_str(), DtoSource::parse)?,
        proof: e.proof.clone(),
        captured_at: r.captured_at,
        captured_by_user_id: e.captured_by.map(|u| u.0),
        expires_at: r.expires_at,
        created_at: e.created_at,
    })
}

/// A new record: 201 with its own `Location` (a PUT creates a record too, under a new id).
fn created(e: &ConsentEntry) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/consentements/{}", e.record.id)))
        .json(dto(e)?))
}

pub async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    let mut q = Query::parse(req.query_string())?;
    let dossier_id = q.uuid("dossierId");
    q.finish()?;
    let dossier_id = dossier_id.ok_or_else(|| ApiError::field("dossierId", "is required"))?;
    let o = st.with_conn(move |conn, _| uc::consent_overview(&mut Db { conn }, &actor, dossier_id)).await?;
    let body = ConsentOverview {
        current: o.current.iter().map(dto).collect::<Result<_, _>>()?,
        history: o.history.iter().map(dto).collect::<Result<_, _>>()?,
    };
    Ok(HttpResponse::Ok().json(body))
}

pub async fn create(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let r = parse_json::<CreateConsentRequest>(&body)?;
    let new = NewConsent {
        dossier_id: r.dossier_id,
        channel: same_wire(r.channel.as_str(), ConsentChannel::parse)?,
        purpose: same_wire(r.purpose.as_str(), ConsentPurpose::parse)?,
        status: same_wire(r.status.as_str(), ConsentStatus::parse)?,
        source: same_wire(r.source.as_str(), ConsentSource::parse)?,
        proof: r.proof,
        captured_at: r.captured_at,
        expires_at: r.expires_at,
    };
    let corr = ctx.correlation_id();
    let entry =
        st.with_conn(move |conn, _| in_tx(conn, |db| uc::record_consent(db, &actor, new, Utc::now(), corr))).await?;
    created(&entry)
}

pub async fn next_state(
    st: State,
    ctx: RequestContext,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let id = path_id(&path)?;
    let r = parse_json::<NextConsentRequest>(&body)?;
    let next = NextConsent {
        dossier_id: r.dossier_id,
        channel: r.channel.map(|c| same_wire(c.as_str(), ConsentChannel::parse)).transpose()?,
        purpose: r.purpose.map(|p| same_wire(p.as_str(), ConsentPurpose::parse)).transpose()?,
        status: same_wire(r.status.as_str(), ConsentStatus::parse)?,
        source: same_wire(r.source.as_str(), ConsentSource::parse)?,
        proof: r.proof,
        captured_at: r.captured_at,
        expires_at: r.expires_at,
    };
    let corr = ctx.correlation_id();
    let entry = st
        .with_conn(move |conn, _| in_tx(conn, |db| uc::record_next_state(db, &actor, id, next, Utc::now(), corr)))
        .await?;
    created(&entry)
}

pub async fn get(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    let id = path_id(&path)?;
    let e = st.with_conn(move |conn, _| uc::get_consent(&mut Db { conn }, &actor, id)).await?;
    Ok(HttpResponse::Ok().json(dto(&e)?))
}
