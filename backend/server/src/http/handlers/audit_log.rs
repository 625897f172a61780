//! HTTP handler for reading the audit trail (PRODUCT.md §9, MANAGER+).

use actix_web::{web, HttpRequest, HttpResponse};

use atlas_domain::audit::AuditAction;
use atlas_domain::identity::Capability;
use atlas_domain::usecases::audit_log::{self as uc, AuditEventRecord, AuditFilter};
use atlas_shared_types::audit::AuditEventDto;
use atlas_shared_types::Page;

use crate::db::Db;
use crate::http::context::RequestContext;
use crate::http::problem::ApiError;
use crate::http::query::{DateOrTime, Query};
use crate::http::state::State;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/audit-events").route(web::get().to(list)));
}

async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    // 403 before any parameter is looked at (PRODUCT.md §0 order)
    actor.require(Capability::Manage)?;
    let mut q = Query::parse(req.query_string())?;
    let actions: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
    // entity types are UPPER_SNAKE_CASE ("DOSSIER"); accept them in any case
    let entity_type = q.text("entityType").map(|t| t.to_ascii_uppercase());
    let entity_id = q.uuid("entityId");
    let actor_user_id = q.uuid("actorUserId");
    let action = q.enumeration("action", AuditAction::parse, &actions);
    let from = q.date("from").map(DateOrTime::as_from);
    let to = q.date("to").map(DateOrTime::as_to_exclusive);
    let page = q.page(&["createdAt"]);
    q.finish()?;
    let page = page.ok_or_else(ApiError::internal)?;
    let filter = AuditFilter {
        entity_type,
        entity_id,
        actor_user_id,
        action,
        from,
        to,
        descending: page.sort.as_ref().is_none_or(|s| s.descending),
        page: page.page,
        size: page.size,
    };
    let (items, total) = st.with_conn(move |conn, _| uc::list_audit_events(&mut Db { conn }, &actor, &filter)).await?;
    Ok(HttpResponse::Ok().json(Page::new(items.into_iter().map(event_dto).collect(), page.page, page.size, total)))
}

fn event_dto(e: AuditEventRecord) -> AuditEventDto {
    AuditEventDto {
        id: e.id,
        actor_user_id: e.actor_user_id,
        action: e.action,
        entity_type: e.entity_type,
        entity_id: e.entity_id,
        before: e.before,
        after: e.after,
        diff: e.diff,
        correlation_id: e.correlation_id,
        created_at: e.created_at,
    }
}
