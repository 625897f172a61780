//! HTTP handlers for dossiers (PRODUCT.md §3).

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use atlas_domain::dossier::{AvailableTransition, DossierStatus, DossierType, Source, TransitionError};
use atlas_domain::identity::Capability;
use atlas_domain::money::Money;
use atlas_domain::phone::PhoneE164;
use atlas_domain::usecases::dossiers::{
    self as uc, Dossier, DossierFilter, DossierInput, DossierListQuery, DossierRefusal, DossierSortField, StatusChange,
    StatusHistoryEntry,
};
use atlas_shared_types::dossier as dto;
use atlas_shared_types::Page;

use crate::db::in_tx;
use crate::http::context::RequestContext;
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::query::path_id;
use crate::http::query::Query;
use crate::http::state::State;
use crate::http::versioning::{created_versioned, expected_version, ok_versioned};

/// Set to `true` on a create answered with an existing open dossier (PRODUCT.md §3).
pub const DEDUPLICATED_HEADER: &str = "x-atlas-deduplicated";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/dossiers").route(web::get().to(list)).route(web::post().to(create)))
        // Before `/dossiers/{id}`: actix matches resources in registration order.
        .service(web::resource("/dossiers/duplicates").route(web::get().to(duplicates)))
        .service(web::resource("/dossiers/export.csv").route(web::get().to(super::csv_transfer::export_dossiers)))
        .service(web::resource("/dossiers/import").route(web::post().to(super::csv_transfer::import_dossiers)))
        .service(
            web::resource("/dossiers/{id}")
                .route(web::get().to(get))
                .route(web::put().to(update))
                .route(web::delete().to(delete)),
        )
        .service(web::resource("/dossiers/{id}/status").route(web::patch().to(change_status)))
        .service(web::resource("/dossiers/{id}/status-history").route(web::get().to(status_history)))
        .service(web::resource("/dossiers/{id}/available-transitions").route(web::get().to(available_transitions)))
        .service(web::resource("/dossiers/{id}/assign").route(web::patch().to(assign)));
}

/// A malformed id is answered like an unknown one (PRODUCT.md §0).
fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().copied().map(name).collect()
}

/// The list filters (PRODUCT.md §3), shared with the CSV export: the raw `q` and the other
/// filters. Bad values are collected in `q` (its `finish` answers them all at once).
pub fn parse_filter(q: &mut Query) -> (Option<String>, DossierFilter) {
    let status = q.enumeration("status", DossierStatus::parse, &names(DossierStatus::ALL, DossierStatus::as_str));
    let source = q.enumeration("source", Source::parse, &names(Source::ALL, Source::as_str));
    let dossier_type = q.enumeration("type", DossierType::parse, &names(DossierType::ALL, DossierType::as_str));
    let assigned_to = q.uuid("assignedToUserId");
    let annonce_id = q.uuid("annonceId");
    let text = q.text("q");
    let created_from = q.date("createdFrom");
    let created_to = q.date("createdTo");
    let filter = DossierFilter {
        status,
        source,
        dossier_type,
        assigned_to,
        annonce_id,
        q: None,
        created_from: created_from.map(|d| d.as_from()),
        created_before: created_to.map(|d| d.as_to_exclusive()),
    };
    (text, filter)
}

pub async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let mut q = Query::parse(req.query_string())?;
    let (text, filter) = parse_filter(&mut q);
    let page = q.page(DossierSortField::NAMES);
    q.finish()?;
    let page = page.ok_or_else(ApiError::internal)?;
    let (sort, descending) = match &page.sort {
        Some(s) => (DossierSortField::parse(&s.field).unwrap_or_default(), s.descending),
        None => (DossierSortField::CreatedAt, true),
    };
    let query = DossierListQuery { text, filter, sort, descending, page: page.page, size: page.size };
    let actor = ctx.actor;
    let (items, total) = st.with_conn(move |conn, _| in_tx(conn, |db| uc::list_dossiers(db, &actor, query))).await?;
    Ok(HttpResponse::Ok().json(Page::new(items.iter().map(dossier_dto).collect(), page.page, page.size, total)))
}

pub async fn create(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let input = create_input(parse_json::<dto::CreateDossierRequest>(&body)?);
    let corr = ctx.correlation_id();
    let outcome = st
        .with_conn(move |conn, _| in_tx(conn, |db| uc::create_dossier(db, &actor, input, Utc::now(), corr)))
        .await?
        .map_err(refusal)?;
    let d = outcome.dossier;
    if outcome.created {
        return Ok(created_versioned(format!("/api/v1/dossiers/{}", d.id), &dossier_dto(&d), d.version));
    }
    let mut res = ok_versioned(&dossier_dto(&d), d.version);
    res.headers_mut().insert(HeaderName::from_static(DEDUPLICATED_HEADER), HeaderValue::from_static("true"));
    Ok(res)
}

pub async fn get(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let actor = ctx.actor;
    let d = st.with_conn(move |conn, _| in_tx(conn, |db| uc::get_dossier(db, &actor, id))).await?;
    Ok(ok_versioned(&dossier_dto(&d), d.version))
}

pub async fn update(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let id = path_id(&path)?;
    let body: dto::UpdateDossierRequest = parse_json(&body)?;
    let expected = expected_version(&req, body.version)?;
    let input = update_input(body);
    let corr = ctx.correlation_id();
    let d = st
        .with_conn(move |conn, _| {
            in_tx(conn, |db| uc::update_dossier(db, &actor, id, input, expected, Utc::now(), corr))
        })
        .await?
        .map_err(refusal)?;
    Ok(ok_versioned(&dossier_dto(&d), d.version))
}

pub async fn delete(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let id = path_id(&path)?;
    let corr = ctx.correlation_id();
    st.with_conn(move |conn, _| in_tx(conn, |db| uc::delete_dossier(db, &actor, id, corr))).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn change_status(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let id = path_id(&path)?;
    let body: dto::ChangeDossierStatusRequest = parse_json(&body)?;
    let expected = expected_version(&req, None)?;
    let change = StatusChange {
        status: status_from_dto(body.status),
        loss_reason: body.loss_reason,
        won_reason: body.won_reason,
        comment: body.comment,
    };
    let to = change.status;
    let corr = ctx.correlation_id();
    let outcome = st
        .with_conn(move |conn, _| {
            in_tx(conn, |db| uc::change_status(db, &actor, id, change, expected, Utc::now(), corr))
        })
        .await?;
    match outcome {
        Ok(d) => Ok(ok_versioned(&dossier_dto(&d), d.version)),
        Err(DossierRefusal::Transition(TransitionError::Invalid { allowed })) => Err(ApiError::invalid_transition(
            format!("this dossier cannot move to {to}"),
            allowed.iter().map(|s| s.as_str().to_string()).collect(),
        )),
        Err(other) => Err(refusal(other)),
    }
}

pub async fn status_history(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let actor = ctx.actor;
    let rows = st.with_conn(move |conn, _| in_tx(conn, |db| uc::status_history(db, &actor, id))).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(history_dto).collect::<Vec<_>>()))
}

pub async fn available_transitions(
    st: State,
    ctx: RequestContext,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let actor = ctx.actor;
    let moves = st.with_conn(move |conn, _| in_tx(conn, |db| uc::available_transitions(db, &actor, id))).await?;
    Ok(HttpResponse::Ok().json(moves.iter().map(transition_dto).collect::<Vec<_>>()))
}

pub async fn assign(
    st: State,
    ctx: RequestContext,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let id = path_id(&path)?;
    let body: dto::AssignDossierRequest = parse_json(&body)?;
    let corr = ctx.correlation_id();
    let d = st
        .with_conn(move |conn, _| in_tx(conn, |db| uc::assign_dossier(db, &actor, id, body.user_id, Utc::now(), corr)))
        .await?
        .map_err(refusal)?;
    Ok(ok_versioned(&dossier_dto(&d), d.version))
}

pub async fn duplicates(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let mut q = Query::parse(req.query_string())?;
    let phone = q.text("phone");
    let email = q.text("email");
    q.finish()?;
    let actor = ctx.actor;
    let found = st.with_conn(move |conn, _| in_tx(conn, |db| uc::find_duplicates(db, &actor, phone, email))).await?;
    Ok(HttpResponse::Ok().json(found.iter().map(dossier_dto).collect::<Vec<_>>()))
}

/// The problem for each refusal of the dossier use cases.
fn refusal(r: DossierRefusal) -> ApiError {
    match r {
        DossierRefusal::UnknownReference { field } => ApiError::reference_not_found(field),
        DossierRefusal::AnnonceNotAvailable { status } => ApiError::annonce_not_available(format!(
            "annonceId: the annonce is {status}; only PUBLISHED or PAUSED annonces take new dossiers"
        )),
        DossierRefusal::Transition(TransitionError::Invalid { allowed }) => ApiError::invalid_transition(
            "this status change is not allowed",
            allowed.iter().map(|s| s.as_str().to_string()).collect(),
        ),
        DossierRefusal::Transition(TransitionError::ReasonRequired { field, message }) => {
            ApiError::reason_required(field, &message)
        }
        DossierRefusal::Transition(TransitionError::Validation(v)) => ApiError::field(&v.field, &v.message),
    }
}

// ---- DTO conversions ------------------------------------------------------------------------

pub fn dossier_dto(d: &Dossier) -> dto::DossierDto {
    dto::DossierDto {
        id: d.id,
        reference: d.reference.clone(),
        annonce_id: d.annonce_id,
        lead_name: d.lead_name.clone(),
        lead_phone: d.lead_phone.as_ref().map(PhoneE164::to_string),
        lead_email: d.lead_email.clone(),
        whatsapp_user_id: d.whatsapp_user_id.clone(),
        source: source_dto(d.source),
        dossier_type: type_dto(d.dossier_type),
        status: status_dto(d.status),
        assigned_to_user_id: d.assigned_to.map(|u| u.0),
        budget_min: d.budget_min.map(Money::to_f64),
        budget_max: d.budget_max.map(Money::to_f64),
        notes: d.notes.clone(),
        loss_reason: d.loss_reason.clone(),
        won_reason: d.won_reason.clone(),
        status_comment: d.status_comment.clone(),
        last_activity_at: d.last_activity_at,
        created_at: d.created_at,
        updated_at: d.updated_at,
        version: d.version,
    }
}

fn history_dto(h: &StatusHistoryEntry) -> dto::StatusHistoryEntryDto {
    dto::StatusHistoryEntryDto {
        from_status: status_dto(h.from_status),
        to_status: status_dto(h.to_status),
        reason: h.reason.clone(),
        comment: h.comment.clone(),
        changed_by_user_id: h.changed_by.map(|u| u.0),
        changed_at: h.changed_at,
    }
}

fn transition_dto(t: &AvailableTransition) -> dto::AvailableTransitionDto {
    dto::AvailableTransitionDto {
        to: status_dto(t.to),
        requires_reason: t.requires_reason,
        reasons: t.reasons.iter().map(|r| r.to_string()).collect(),
    }
}

fn create_input(r: dto::CreateDossierRequest) -> DossierInput {
    DossierInput {
        annonce_id: r.annonce_id,
        lead_name: r.lead_name,
        lead_phone: r.lead_phone,
        lead_email: r.lead_email,
        whatsapp_user_id: None,
        source: r.source.map(source_from_dto),
        dossier_type: r.dossier_type.map(type_from_dto),
        assigned_to: r.assigned_to_user_id,
        budget_min: r.budget_min,
        budget_max: r.budget_max,
        notes: r.notes,
    }
}

fn update_input(r: dto::UpdateDossierRequest) -> DossierInput {
    create_input(dto::CreateDossierRequest {
        annonce_id: r.annonce_id,
        lead_name: r.lead_name,
        lead_phone: r.lead_phone,
        lead_email: r.lead_email,
        source: r.source,
        dossier_type: r.dossier_type,
        assigned_to_user_id: r.assigned_to_user_id,
        budget_min: r.budget_min,
        budget_max: r.budget_max,
        notes: r.notes,
    })
}

/// Generates both directions of a fieldless enum mapping; the compiler checks exhaustiveness.
macro_rules! enum_map {
    ($to_dto:ident, $from_dto:ident, $dom:ty, $dto:ty, [$($v:ident),+ $(,)?]) => {
        pub fn $to_dto(v: $dom) -> $dto {
            match v { $(<$dom>::$v => <$dto>::$v),+ }
        }
        pub fn $from_dto(v: $dto) -> $dom {
            match v { $(<$dto>::$v => <$dom>::$v),+ }
        }
    };
}

enum_map!(
    status_dto,
    status_from_dto,
    DossierStatus,
    dto::DossierStatus,
    [New, Qualifying, Qualified, Appointment, Won, Lost]
);
enum_map!(
    source_dto,
    source_from_dto,
    Source,
    dto::DossierSource,
    [Web, Phone, Whatsapp, Email, WalkIn, Portal, Referral, Import, Other]
);
enum_map!(type_dto, type_from_dto, DossierType, dto::DossierType, [Buy, Rent, Sell, Let]);
