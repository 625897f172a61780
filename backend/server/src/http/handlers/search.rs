//! `GET /api/v1/search` (PRODUCT.md §11).

use actix_web::{web, HttpRequest, HttpResponse};

use atlas_domain::error::DomainError;
use atlas_domain::identity::Capability;
use atlas_domain::usecases::search::{self as uc, render_snippet, SearchHit, SearchRequest};
use atlas_shared_types::search::SearchHitDto;
use atlas_shared_types::{FieldError, Page};

use crate::db::Db;
use crate::http::context::RequestContext;
use crate::http::pagination::{page_request, query_pairs};
use crate::http::problem::ApiError;
use crate::http::state::State;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/search").route(web::get().to(search)));
}

fn dto(h: SearchHit) -> SearchHitDto {
    SearchHitDto {
        hit_type: h.hit_type.as_str().to_string(),
        id: h.id,
        title: h.title,
        snippet: render_snippet(&h.raw_snippet),
        dossier_id: h.dossier_id,
        score: (h.score * 10_000.0).round() / 10_000.0,
    }
}

pub async fn search(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Read)?;
    let pairs = query_pairs(req.query_string())?;
    let get = |k: &str| pairs.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut input = SearchRequest { q: get("q"), types: get("types"), page: 0, size: 20 };
    // Paging and the query are validated together: one 400 listing every bad parameter.
    match page_request(&pairs, &[]) {
        Ok(pr) => {
            input.page = pr.page;
            input.size = pr.size;
        }
        Err(mut e) => {
            if let Err(DomainError::Validation(v)) = uc::plan(actor.org_id, input) {
                let mut errors: Vec<FieldError> =
                    v.into_iter().map(|f| FieldError { field: f.field, message: f.message }).collect();
                errors.extend(e.errors.take().unwrap_or_default());
                return Err(ApiError::validation(errors));
            }
            return Err(e);
        }
    }
    let (page, size) = (input.page, input.size);
    let (hits, total) = st.with_conn(move |conn, _| uc::search(&mut Db { conn }, &actor, input)).await?;
    Ok(HttpResponse::Ok().json(Page::new(hits.into_iter().map(dto).collect(), page, size, total)))
}
