//! `AuditLog` over diesel. The diff (RFC 6902) is computed here from before/after so that no use
//! case can forget it.

use diesel::prelude::*;
use uuid::Uuid;

use atlas_domain::audit::json_diff;
use atlas_domain::error::DomainResult;
use atlas_domain::ports::{AuditLog, NewAuditEvent};

use super::schema::audit_event;
use super::{infra, Db};

impl AuditLog for Db<'_> {
    fn record(&mut self, e: NewAuditEvent) -> DomainResult<()> {
        let diff = match (&e.before, &e.after) {
            (Some(b), Some(a)) => Some(json_diff(b, a)),
            _ => None,
        };
        diesel::insert_into(audit_event::table)
            .values((
                audit_event::org_id.eq(e.org_id.0),
                audit_event::id.eq(Uuid::now_v7()),
                audit_event::actor_user_id.eq(e.actor_user_id.map(|u| u.0)),
                audit_event::action.eq(e.action),
                audit_event::entity_type.eq(e.entity_type),
                audit_event::entity_id.eq(e.entity_id),
                audit_event::before.eq(e.before),
                audit_event::after.eq(e.after),
                audit_event::diff.eq(diff),
                audit_event::correlation_id.eq(e.correlation_id),
            ))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(())
    }
}
