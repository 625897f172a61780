//! `GET|PUT /api/v1/settings/retention` (ADMIN, PRODUCT.md §12). The purge itself is the daily
//! job / `atlas retention` (crate::retention).

use actix_web::{web, HttpResponse};
use chrono::Utc;

use atlas_domain::identity::Capability;
use atlas_domain::usecases::retention::{self as uc, RetentionSettings};
use atlas_shared_types::retention::RetentionSettingsDto;

use crate::db::{in_tx, Db};
use crate::http::context::RequestContext;
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::state::State;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/settings/retention").route(web::get().to(get)).route(web::put().to(put)));
}

fn dto(s: RetentionSettings) -> RetentionSettingsDto {
    RetentionSettingsDto {
        message_content_days: s.message_content_days,
        audit_days: s.audit_days,
        closed_dossier_anonymise_days: s.closed_dossier_anonymise_days,
    }
}

pub async fn get(st: State, ctx: RequestContext) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Administer)?;
    let s = st.with_conn(move |conn, _| uc::get_settings(&mut Db { conn }, &actor)).await?;
    Ok(HttpResponse::Ok().json(dto(s)))
}

pub async fn put(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    // role before body (PRODUCT.md §0 order of checks)
    actor.require(Capability::Administer)?;
    let req: RetentionSettingsDto = parse_json(&body)?;
    let corr = ctx.correlation_id();
    let input = RetentionSettings {
        message_content_days: req.message_content_days,
        audit_days: req.audit_days,
        closed_dossier_anonymise_days: req.closed_dossier_anonymise_days,
    };
    let s =
        st.with_conn(move |conn, _| in_tx(conn, |db| uc::put_settings(db, &actor, input, Utc::now(), corr))).await?;
    Ok(HttpResponse::Ok().json(dto(s)))
}
