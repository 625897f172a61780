//! HTTP handlers for rendez-vous (PRODUCT.md §6).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use uuid::Uuid;

use atlas_domain::appointment::AppointmentStatus;
use atlas_domain::identity::Capability;
use atlas_domain::usecases::appointments::{
    self as uc, AppointmentFilter, AppointmentInput, AppointmentRecord, AppointmentSort,
};
use atlas_shared_types::appointment as dto;
use atlas_shared_types::Page;

use crate::db::{in_tx, Db};
use crate::http::context::RequestContext;
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::query::path_id;
use crate::http::query::{DateOrTime, Query};
use crate::http::state::State;
use crate::http::versioning::{created_versioned, expected_version, ok_versioned};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/appointments").route(web::get().to(list)).route(web::post().to(create))).service(
        web::resource("/appointments/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    );
}

async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Read)?;
    let mut q = Query::parse(req.query_string())?;
    let names: Vec<&str> = AppointmentStatus::ALL.iter().map(|s| s.as_str()).collect();
    let dossier_id = q.uuid("dossierId");
    let assigned_to = q.uuid("assignedToUserId");
    let from = q.date("from").map(DateOrTime::as_from);
    let to = q.date("to").map(DateOrTime::as_to_exclusive);
    let status = q.enumeration("status", AppointmentStatus::parse, &names);
    let page = q.page(AppointmentSort::FIELDS);
    q.finish()?;
    let page = page.ok_or_else(ApiError::internal)?;
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            return Err(ApiError::field("to", "must be after from"));
        }
    }
    let (sort, descending) = match &page.sort {
        Some(s) => (AppointmentSort::parse(&s.field).unwrap_or(AppointmentSort::StartsAt), s.descending),
        None => (AppointmentSort::StartsAt, false),
    };
    let filter = AppointmentFilter {
        dossier_id,
        assigned_to,
        from,
        to,
        status,
        sort,
        descending,
        page: page.page,
        size: page.size,
    };
    let (items, total) = st.with_conn(move |conn, _| uc::list_appointments(&mut Db { conn }, &actor, &filter)).await?;
    let items = items.iter().map(|a| appointment_dto(a, None)).collect();
    Ok(HttpResponse::Ok().json(Page::new(items, page.page, page.size, total)))
}

async fn get(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    let id = path_id(&path.into_inner())?;
    let a = st.with_conn(move |conn, _| uc::get_appointment(&mut Db { conn }, &actor, id)).await?;
    Ok(ok_versioned(&appointment_dto(&a, None), a.version))
}

async fn create(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let req: dto::CreateAppointmentRequest = parse_json(&body)?;
    let corr = ctx.correlation_id();
    let input = AppointmentInput {
        dossier_id: req.dossier_id,
        annonce_id: req.annonce_id,
        title: req.title,
        starts_at: req.starts_at,
        ends_at: req.ends_at,
        location: req.location,
        assigned_to: req.assigned_to_user_id,
        status: req.status.map(status_from_dto),
        notes: req.notes,
    };
    let w = st
        .with_conn(move |conn, _| in_tx(conn, |db| uc::create_appointment(db, &actor, input, Utc::now(), corr)))
        .await?;
    let a = &w.appointment;
    Ok(created_versioned(format!("/api/v1/appointments/{}", a.id), &appointment_dto(a, Some(&w.overlaps)), a.version))
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
    let body: dto::UpdateAppointmentRequest = parse_json(&body)?;
    let expected = expected_version(&req, body.version)?;
    let corr = ctx.correlation_id();
    let input = AppointmentInput {
        dossier_id: body.dossier_id,
        annonce_id: body.annonce_id,
        title: body.title,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        location: body.location,
        assigned_to: body.assigned_to_user_id,
        status: body.status.map(status_from_dto),
        notes: body.notes,
    };
    let w = st
        .with_conn(move |conn, _| {
            in_tx(conn, |db| uc::update_appointment(db, &actor, id, input, expected, Utc::now(), corr))
        })
        .await?;
    let a = &w.appointment;
    Ok(ok_versioned(&appointment_dto(a, Some(&w.overlaps)), a.version))
}

async fn delete(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let id = path_id(&path.into_inner())?;
    let expected = expected_version(&req, None)?;
    let corr = ctx.correlation_id();
    st.with_conn(move |conn, _| in_tx(conn, |db| uc::delete_appointment(db, &actor, id, expected, Utc::now(), corr)))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn status_from_dto(s: dto::AppointmentStatus) -> AppointmentStatus {
    match s {
        dto::AppointmentStatus::Scheduled => AppointmentStatus::Scheduled,
        dto::AppointmentStatus::Confirmed => AppointmentStatus::Confirmed,
        dto::AppointmentStatus::Done => AppointmentStatus::Done,
        dto::AppointmentStatus::NoShow => AppointmentStatus::NoShow,
        dto::AppointmentStatus::Cancelled => AppointmentStatus::Cancelled,
    }
}

fn status_dto(s: AppointmentStatus) -> dto::AppointmentStatus {
    match s {
        AppointmentStatus::Scheduled => dto::AppointmentStatus::Scheduled,
        AppointmentStatus::Confirmed => dto::AppointmentStatus::Confirmed,
        AppointmentStatus::Done => dto::AppointmentStatus::Done,
        AppointmentStatus::NoShow => dto::AppointmentStatus::NoShow,
        AppointmentStatus::Cancelled => dto::AppointmentStatus::Cancelled,
    }
}

/// `overlaps` is given on writes only: their answer always carries `warnings` (maybe empty).
fn appointment_dto(a: &AppointmentRecord, overlaps: Option<&[Uuid]>) -> dto::AppointmentDto {
    dto::AppointmentDto {
        id: a.id,
        dossier_id: a.dossier_id,
        annonce_id: a.annonce_id,
        title: a.title.clone(),
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        location: a.location.clone(),
        assigned_to_user_id: a.assigned_to,
        status: status_dto(a.status),
        notes: a.notes.clone(),
        created_at: a.created_at,
        updated_at: a.updated_at,
        version: a.version,
        warnings: overlaps.map(|ids| {
            ids.iter().map(|&id| dto::AppointmentWarning { code: "OVERLAP".into(), appointment_id: id }).collect()
        }),
    }
}
