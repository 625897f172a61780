//! `GET|POST /api/v1/whatsapp/templates`, `GET|PUT|DELETE /api/v1/whatsapp/templates/{code}`
//! (PRODUCT.md §10): ADMIN writes, AGENT and above read.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use atlas_domain::identity::Capability;
use atlas_domain::usecases::whatsapp_config::{
    self as uc, TemplateFilter, TemplateInput, TemplateRecord, TemplateSort,
};
use atlas_domain::whatsapp::TemplateCategory;
use atlas_shared_types::whatsapp_config::{WhatsappTemplateDto, WhatsappTemplateRequest};
use atlas_shared_types::Page;

use crate::db::{in_tx, Db};
use crate::http::context::RequestContext;
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::query::Query;
use crate::http::state::State;
use crate::http::versioning::{created_versioned, expected_version, ok_versioned};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/whatsapp/templates").route(web::get().to(list)).route(web::post().to(create))).service(
        web::resource("/whatsapp/templates/{code}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    );
}

fn dto(t: &TemplateRecord) -> WhatsappTemplateDto {
    WhatsappTemplateDto {
        id: t.id,
        code: t.code.clone(),
        language: t.language.clone(),
        category: t.category.as_str().to_string(),
        body: t.body.clone(),
        param_count: t.param_count,
        active: t.active,
        created_at: t.created_at,
        updated_at: t.updated_at,
        version: t.version,
    }
}

fn input(req: WhatsappTemplateRequest) -> TemplateInput {
    TemplateInput { code: req.code, language: req.language, category: req.category, body: req.body, active: req.active }
}

/// A code that cannot exist is simply not found (like a malformed id, PRODUCT.md §0).
fn path_code(path: web::Path<String>) -> Result<String, ApiError> {
    let code = path.into_inner();
    if uc::valid_code(&code) {
        Ok(code)
    } else {
        Err(ApiError::not_found())
    }
}

const CATEGORIES: [&str; 3] = ["UTILITY", "MARKETING", "AUTHENTICATION"];

pub async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let mut q = Query::parse(req.query_string())?;
    let active = q.bool("active");
    let category = q.enumeration("category", TemplateCategory::parse, &CATEGORIES);
    let language = q.text("language");
    let page = q.page(&["createdAt", "updatedAt", "code"]);
    q.finish()?;
    let Some(page) = page else { return Err(ApiError::internal()) };
    let (sort, descending) = match &page.sort {
        Some(s) if s.field == "code" => (TemplateSort::Code, s.descending),
        Some(s) if s.field == "updatedAt" => (TemplateSort::UpdatedAt, s.descending),
        Some(s) => (TemplateSort::CreatedAt, s.descending),
        None => (TemplateSort::CreatedAt, true),
    };
    let filter = TemplateFilter { active, category, language, sort, descending, page: page.page, size: page.size };
    let (items, total) = st.with_conn(move |conn, _| uc::list_templates(&mut Db { conn }, &actor, &filter)).await?;
    Ok(HttpResponse::Ok().json(Page::new(items.iter().map(dto).collect(), page.page, page.size, total)))
}

pub async fn get(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let code = path_code(path)?;
    let t = st.with_conn(move |conn, _| uc::get_template(&mut Db { conn }, &actor, &code)).await?;
    Ok(ok_versioned(&dto(&t), t.version))
}

pub async fn create(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Administer)?;
    let req: WhatsappTemplateRequest = parse_json(&body)?;
    if req.code.is_none() {
        return Err(ApiError::field("code", "is required"));
    }
    let corr = ctx.correlation_id();
    let t = st
        .with_conn(move |conn, _| in_tx(conn, |db| uc::create_template(db, &actor, input(req), Utc::now(), corr)))
        .await?;
    Ok(created_versioned(format!("/api/v1/whatsapp/templates/{}", t.code), &dto(&t), t.version))
}

pub async fn update(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Administer)?;
    let code = path_code(path)?;
    let body: WhatsappTemplateRequest = parse_json(&body)?;
    let expected = expected_version(&req, body.version)?;
    let corr = ctx.correlation_id();
    let t = st
        .with_conn(move |conn, _| {
            in_tx(conn, |db| uc::update_template(db, &actor, &code, input(body), expected, Utc::now(), corr))
        })
        .await?;
    Ok(ok_versioned(&dto(&t), t.version))
}

pub async fn delete(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Administer)?;
    let code = path_code(path)?;
    let corr = ctx.correlation_id();
    st.with_conn(move |conn, _| in_tx(conn, |db| uc::delete_template(db, &actor, &code, corr))).await?;
    Ok(HttpResponse::NoContent().finish())
}
