//! HTTP handlers for the timeline (PRODUCT.md §8): every activity can be read; people write notes.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use atlas_domain::activity::ActivityType;
use atlas_domain::identity::Capability;
use atlas_domain::usecases::activities::{
    self as uc, ActivityFilter, ActivityRecord, ActivitySort, NewNote, NoteChange,
};
use atlas_shared_types::activity as dto;
use atlas_shared_types::Page;

use crate::db::{in_tx, Db};
use crate::http::context::RequestContext;
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::query::path_id;
use crate::http::query::Query;
use crate::http::state::State;
use crate::http::versioning::{created_versioned, expected_version, ok_versioned};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/activities").route(web::get().to(list)).route(web::post().to(create))).service(
        web::resource("/activities/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    );
}

async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Read)?;
    let mut q = Query::parse(req.query_string())?;
    let names: Vec<&str> = ActivityType::ALL.iter().map(|t| t.as_str()).collect();
    let dossier_id = q.uuid("dossierId");
    let activity_type = q.enumeration("type", ActivityType::parse, &names);
    let page = q.page(ActivitySort::FIELDS);
    q.finish()?;
    let page = page.ok_or_else(ApiError::internal)?;
    let (sort, descending) = match &page.sort {
        Some(s) => (ActivitySort::parse(&s.field).unwrap_or(ActivitySort::OccurredAt), s.descending),
        None => (ActivitySort::OccurredAt, true),
    };
    let filter = ActivityFilter { dossier_id, activity_type, sort, descending, page: page.page, size: page.size };
    let (items, total) = st.with_conn(move |conn, _| uc::list_activities(&mut Db { conn }, &actor, &filter)).await?;
    Ok(HttpResponse::Ok().json(Page::new(items.iter().map(activity_dto).collect(), page.page, page.size, total)))
}

async fn get(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    let id = path_id(&path.into_inner())?;
    let a = st.with_conn(move |conn, _| uc::get_activity(&mut Db { conn }, &actor, id)).await?;
    Ok(ok_versioned(&activity_dto(&a), a.version))
}

/// People write notes only; every other type is the record of a change and comes with it.
fn notes_only(t: Option<dto::ActivityType>) -> Result<(), ApiError> {
    match t {
        None | Some(dto::ActivityType::Note) => Ok(()),
        Some(_) => {
            Err(ApiError::field("type", "only NOTE activities can be written; the others come with their change"))
        }
    }
}

async fn create(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let req: dto::CreateNoteRequest = parse_json(&body)?;
    notes_only(req.activity_type)?;
    let corr = ctx.correlation_id();
    let input = NewNote { dossier_id: req.dossier_id, content: req.content, occurred_at: req.occurred_at };
    let a = st.with_conn(move |conn, _| in_tx(conn, |db| uc::create_note(db, &actor, input, Utc::now(), corr))).await?;
    Ok(created_versioned(format!("/api/v1/activities/{}", a.id), &activity_dto(&a), a.version))
}

async fn update(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let id = path_id(&path.into_inner())?;
    let body: dto::UpdateNoteRequest = parse_json(&body)?;
    notes_only(body.activity_type)?;
    let change = NoteChange {
        dossier_id: body.dossier_id,
        content: body.content,
        occurred_at: body.occurred_at,
        expected_version: expected_version(&req, body.version)?,
    };
    let corr = ctx.correlation_id();
    let a = st
        .with_conn(move |conn, _| in_tx(conn, |db| uc::update_note(db, &actor, id, change, Utc::now(), corr)))
        .await?;
    Ok(ok_versioned(&activity_dto(&a), a.version))
}

async fn delete(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let id = path_id(&path.into_inner())?;
    let expected = expected_version(&req, None)?;
    let corr = ctx.correlation_id();
    st.with_conn(move |conn, _| in_tx(conn, |db| uc::delete_note(db, &actor, id, expected, corr))).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn type_dto(t: ActivityType) -> dto::ActivityType {
    match t {
        ActivityType::Note => dto::ActivityType::Note,
        ActivityType::StatusChange => dto::ActivityType::StatusChange,
        ActivityType::Message => dto::ActivityType::Message,
        ActivityType::Appointment => dto::ActivityType::Appointment,
        ActivityType::Consent => dto::ActivityType::Consent,
        ActivityType::Party => dto::ActivityType::Party,
        ActivityType::DossierCreated => dto::ActivityType::DossierCreated,
        ActivityType::DuplicateMerged => dto::ActivityType::DuplicateMerged,
        ActivityType::OutboundStatus => dto::ActivityType::OutboundStatus,
        ActivityType::System => dto::ActivityType::System,
    }
}

fn activity_dto(a: &ActivityRecord) -> dto::ActivityDto {
    dto::ActivityDto {
        id: a.id,
        dossier_id: a.dossier_id,
        activity_type: type_dto(a.activity_type),
        content: a.content.clone(),
        metadata: a.metadata.clone(),
        created_by_user_id: a.created_by.map(|u| u.0),
        occurred_at: a.occurred_at,
        created_at: a.created_at,
        updated_at: a.updated_at,
        version: a.version,
    }
}
