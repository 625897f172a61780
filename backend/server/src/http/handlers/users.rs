use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use atlas_domain::identity::UserId;
use atlas_domain::usecases::identity as uc;
use atlas_shared_types::{ColleagueDto, CreateUserRequest, Page, UpdateUserRequest};

use crate::db::{in_tx, Db};
use crate::http::context::RequestContext;
use crate::http::convert::{member_dto, role_from_dto};
use crate::http::json::parse_json;
use crate::http::pagination::{page_request, query_pairs};
use crate::http::problem::ApiError;
use crate::http::query::path_id;
use crate::http::state::State;

pub async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let pr = page_request(&query_pairs(req.query_string())?, &[])?;
    let actor = ctx.actor;
    let (items, total) =
        st.with_conn(move |conn, _| uc::list_members(&mut Db { conn }, &actor, pr.page, pr.size)).await?;
    Ok(HttpResponse::Ok().json(Page::new(items.iter().map(member_dto).collect(), pr.page, pr.size, total)))
}

/// `GET /api/v1/members`: id and name of every member, for any role (not paged: see
/// `DIRECTORY_LIMIT`).
pub async fn directory(st: State, ctx: RequestContext) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    let members = st.with_conn(move |conn, _| uc::member_directory(&mut Db { conn }, &actor)).await?;
    let body: Vec<ColleagueDto> = members
        .iter()
        .map(|m| ColleagueDto { id: m.user_id.0, display_name: m.display_name.clone(), active: m.active })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

pub async fn create(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    // role before body (PRODUCT.md §0 order): a VIEWER gets 403 even with a bad body.
    actor.require(atlas_domain::identity::Capability::Administer)?;
    let req: CreateUserRequest = parse_json(&body)?;
    let corr = ctx.correlation_id();
    let member = st
        .with_conn(move |conn, app| {
            in_tx(conn, |db| {
                let input = uc::NewMember {
                    email: req.email,
                    display_name: req.display_name,
                    password: req.password,
                    role: role_from_dto(req.role),
                };
                uc::add_member(db, &app.hasher, &actor, input, corr)
            })
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", member.user_id.0)))
        .json(member_dto(&member)))
}

pub async fn update(
    st: State,
    ctx: RequestContext,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(atlas_domain::identity::Capability::Administer)?;
    let user = UserId(path_id(&path.into_inner())?);
    let req: UpdateUserRequest = parse_json(&body)?;
    let corr = ctx.correlation_id();
    let member = st
        .with_conn(move |conn, _| {
            in_tx(conn, |db| {
                let change = uc::MemberChange { role: req.role.map(role_from_dto), active: req.active };
                uc::update_member(db, &actor, user, change, corr)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(member_dto(&member)))
}
