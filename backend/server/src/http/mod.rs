//! HTTP adapter: thin handlers that parse, call one use case, and map the result.

pub mod context;
pub mod convert;
pub mod handlers;
pub mod json;
pub mod middleware;
pub mod pagination;
pub mod problem;
pub mod query;
pub mod rate_limit;
pub mod spa;
pub mod span;
pub mod state;
pub mod versioning;

use actix_web::web;

use handlers::{
    activities, annonces, appointments, audit_log, auth, consents, dashboard, dossiers, health, messages, outbound,
    parties, search, users,
};
use problem::ApiError;

/// Every route of the service. Unknown `/api/...` paths answer a 404 problem even without a
/// token; a known path with the wrong method answers 405 (turned into a problem by middleware).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(health::healthz)))
        .service(web::resource("/readyz").route(web::get().to(health::readyz)))
        .service(
            web::scope("/api/v1")
                .service(web::resource("/auth/login").route(web::post().to(auth::login)))
                .service(web::resource("/me").route(web::get().to(auth::me)))
                .service(web::resource("/users").route(web::get().to(users::list)).route(web::post().to(users::create)))
                .service(web::resource("/users/{id}").route(web::patch().to(users::update)))
                .service(web::resource("/members").route(web::get().to(users::directory)))
                .configure(annonces::routes)
                .configure(dossiers::routes)
                .configure(parties::routes)
                .configure(messages::routes)
                .configure(appointments::routes)
                .configure(consents::routes)
                .configure(activities::routes)
                .configure(audit_log::routes)
                .configure(outbound::routes)
                .configure(handlers::ops::routes)
                .configure(handlers::whatsapp_settings::routes)
                .configure(handlers::retention_settings::routes)
                .configure(handlers::whatsapp_templates::routes)
                .configure(handlers::whatsapp_webhook::routes)
                .configure(search::routes)
                .configure(dashboard::routes)
                .default_service(web::to(not_found)),
        )
        .service(web::scope("/api").default_service(web::to(not_found)));
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::not_found())
}
