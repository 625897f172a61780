//! `GET|PUT /api/v1/settings/whatsapp` (ADMIN, PRODUCT.md §10). Secrets are write-only: the
//! answer says whether the org is configured, never what with.

use actix_web::{web, HttpResponse};
use chrono::Utc;

use atlas_domain::identity::Capability;
use atlas_domain::usecases::whatsapp_config::{self as uc, SettingsInput, SettingsView};
use atlas_shared_types::whatsapp_config::{WhatsappSettingsDto, WhatsappSettingsRequest};

use crate::db::{in_tx, Db};
use crate::http::context::RequestContext;
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::state::State;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/settings/whatsapp").route(web::get().to(get)).route(web::put().to(put)));
}

fn dto(v: Option<SettingsView>) -> WhatsappSettingsDto {
    match v {
        Some(v) => WhatsappSettingsDto {
            phone_number_id: Some(v.phone_number_id),
            configured: true,
            updated_at: Some(v.updated_at),
        },
        None => WhatsappSettingsDto { phone_number_id: None, configured: false, updated_at: None },
    }
}

pub async fn get(st: State, ctx: RequestContext) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Administer)?;
    let v = st.with_conn(move |conn, _| uc::get_settings(&mut Db { conn }, &actor)).await?;
    Ok(HttpResponse::Ok().json(dto(v)))
}

pub async fn put(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Administer)?;
    let req: WhatsappSettingsRequest = parse_json(&body)?;
    let corr = ctx.correlation_id();
    let input = SettingsInput {
        phone_number_id: req.phone_number_id,
        access_token: req.access_token,
        app_secret: req.app_secret,
        verify_token: req.verify_token,
    };
    let v = st
        .with_conn(move |conn, app| {
            in_tx(conn, |db| uc::put_settings(db, &app.data_key, &actor, input, Utc::now(), corr))
        })
        .await?;
    Ok(HttpResponse::Ok().json(dto(Some(v))))
}
