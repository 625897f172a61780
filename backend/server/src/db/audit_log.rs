//! `AuditReader` over diesel: the org's audit trail, filtered and paged (writes are in `audit.rs`).

use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use atlas_domain::error::DomainResult;
use atlas_domain::identity::OrgId;
use atlas_domain::usecases::audit_log::{AuditEventRecord, AuditFilter, AuditReader};

use super::schema::audit_event;
use super::{infra, Db};

type Row = (
    Uuid,
    Option<Uuid>,
    String,
    String,
    Uuid,
    Option<Value>,
    Option<Value>,
    Option<Value>,
    Option<String>,
    DateTime<Utc>,
);

fn filtered<'a>(org: OrgId, f: &'a AuditFilter) -> audit_event::BoxedQuery<'a, Pg> {
    let mut q = audit_event::table.filter(audit_event::org_id.eq(org.0)).into_boxed();
    if let Some(t) = f.entity_type.as_deref() {
        q = q.filter(audit_event::entity_type.eq(t));
    }
    if let Some(id) = f.entity_id {
        q = q.filter(audit_event::entity_id.eq(id));
    }
    if let Some(u) = f.actor_user_id {
        q = q.filter(audit_event::actor_user_id.eq(u));
    }
    if let Some(a) = f.action {
        q = q.filter(audit_event::action.eq(a.as_str()));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_event::created_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_event::created_at.lt(to));
    }
    q
}

impl AuditReader for Db<'_> {
    fn list_audit_events(&mut self, org: OrgId, f: &AuditFilter) -> DomainResult<(Vec<AuditEventRecord>, u64)> {
        let total: i64 = filtered(org, f).select(count_star()).get_result(self.conn).map_err(infra)?;
        let q = filtered(org, f).select((
            audit_event::id,
            audit_event::actor_user_id,
            audit_event::action,
            audit_event::entity_type,
            audit_event::entity_id,
            audit_event::before,
            audit_event::after,
            audit_event::diff,
            audit_event::correlation_id,
            audit_event::created_at,
        ));
        // events of one transaction share created_at (now()); the v7 id keeps their order
        let q = if f.descending {
            q.order(audit_event::created_at.desc()).then_order_by(audit_event::id.desc())
        } else {
            q.order(audit_event::created_at.asc()).then_order_by(audit_event::id.asc())
        };
        let rows: Vec<Row> =
            q.limit(i64::from(f.size)).offset(i64::from(f.page) * i64::from(f.size)).load(self.conn).map_err(infra)?;
        let items = rows
            .into_iter()
            .map(|r| AuditEventRecord {
                id: r.0,
                actor_user_id: r.1,
                action: r.2,
                entity_type: r.3,
                entity_id: r.4,
                before: r.5,
                after: r.6,
                diff: r.7,
                correlation_id: r.8,
                created_at: r.9,
            })
            .collect();
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }
}
