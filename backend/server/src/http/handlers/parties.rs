//! HTTP handlers for parties prenantes (PRODUCT.md §4).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use atlas_domain::identity::Capability;
use atlas_domain::party::PartyRole;
use atlas_domain::usecases::parties::{self as uc, PartyInput, PartyQuery, PartyRecord, PartySort};
use atlas_shared_types::party::{PartyDto, PartyRequest, PartyRole as DtoRole};
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
    cfg.service(web::resource("/parties-prenantes").route(web::get().to(list)).route(web::post().to(create))).service(
        web::resource("/parties-prenantes/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    );
}

/// A DTO enum and its domain twin share their wire names; this crosses from one to the other.
/// A miss would be a programming error (both are tested against the same names): 500, no panic.
pub(crate) fn same_wire<T>(name: &str, parse: fn(&str) -> Option<T>) -> Result<T, ApiError> {
    parse(name).ok_or_else(|| {
        tracing::error!(name, "wire enum mismatch between shared-types and domain");
        ApiError::internal()
    })
}

/// A malformed id in the path is a 404 (PRODUCT.md §0), like an id of another org.
fn dto(p: &PartyRecord) -> Result<PartyDto, ApiError> {
    Ok(PartyDto {
        id: p.id,
        dossier_id: p.dossier_id,
        role: same_wire(p.role.as_str(), DtoRole::parse)?,
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        phone: p.phone.clone(),
        email: p.email.clone(),
        address: p.address.clone(),
        notes: p.notes.clone(),
        created_at: p.created_at,
        updated_at: p.updated_at,
        version: p.version,
    })
}

fn input(r: PartyRequest) -> Result<PartyInput, ApiError> {
    Ok(PartyInput {
        dossier_id: r.dossier_id,
        role: same_wire(r.role.as_str(), PartyRole::parse)?,
        first_name: r.first_name,
        last_name: r.last_name,
        phone: r.phone,
        email: r.email,
        address: r.address,
        notes: r.notes,
    })
}

pub async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    let mut q = Query::parse(req.query_string())?;
    let dossier_id = q.uuid("dossierId");
    let page = q.page(&["createdAt", "lastName", "firstName", "role"]);
    q.finish()?;
    let page = page.ok_or_else(ApiError::internal)?;
    let (sort, descending) = match page.sort.as_ref() {
        None => (PartySort::CreatedAt, true),
        Some(s) => {
            let field = match s.field.as_str() {
                "lastName" => PartySort::LastName,
                "firstName" => PartySort::FirstName,
                "role" => PartySort::Role,
                _ => PartySort::CreatedAt,
            };
            (field, s.descending)
        }
    };
    let query = PartyQuery { dossier_id, page: page.page, size: page.size, sort, descending };
    let (items, total) = st.with_conn(move |conn, _| uc::list_parties(&mut Db { conn }, &actor, &query)).await?;
    let items = items.iter().map(dto).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page::new(items, page.page, page.size, total)))
}

pub async fn create(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let input = input(parse_json::<PartyRequest>(&body)?)?;
    let corr = ctx.correlation_id();
    let party =
        st.with_conn(move |conn, _| in_tx(conn, |db| uc::create_party(db, &actor, input, Utc::now(), corr))).await?;
    Ok(created_versioned(format!("/api/v1/parties-prenantes/{}", party.id), &dto(&party)?, party.version))
}

pub async fn get(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    let id = path_id(&path)?;
    let party = st.with_conn(move |conn, _| uc::get_party(&mut Db { conn }, &actor, id)).await?;
    Ok(ok_versioned(&dto(&party)?, party.version))
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
    let request = parse_json::<PartyRequest>(&body)?;
    let expected = expected_version(&req, request.version)?;
    let input = input(request)?;
    let corr = ctx.correlation_id();
    let party = st
        .with_conn(move |conn, _| in_tx(conn, |db| uc::update_party(db, &actor, id, input, expected, Utc::now(), corr)))
        .await?;
    Ok(ok_versioned(&dto(&party)?, party.version))
}

pub async fn delete(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let id = path_id(&path)?;
    let corr = ctx.correlation_id();
    st.with_conn(move |conn, _| in_tx(conn, |db| uc::delete_party(db, &actor, id, Utc::now(), corr))).await?;
    Ok(HttpResponse::NoContent().finish())
}
