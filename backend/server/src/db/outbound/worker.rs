//! The outbox worker's queries: claim due rows with a lease (committed before any HTTP call), then
//! record each attempt and its outcome in a short transaction guarded by the lease.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Int4, Jsonb, Nullable, Text, Uuid as SqlUuid};
use serde_json::Value;
use uuid::Uuid;

use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::OrgId;
use atlas_domain::ports::{ActivityLog, AuditLog, NewAuditEvent, ProviderError};
use atlas_domain::usecases::outbound::{audit_json, status_activity, AttemptResult, OutboundStore, ENTITY_TYPE};

use super::super::schema::{message, outbound_attempt, outbound_message};
use super::super::{in_tx, infra};

/// A row a worker now holds (status SENDING, leased to it). `attempt_count` already counts the
/// attempt about to be made.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClaimedRow {
    #[diesel(sql_type = SqlUuid)]
    pub org_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub dossier_id: Uuid,
    #[diesel(sql_type = Text)]
    pub to_phone: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub template_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub template_language: Option<String>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub template_params: Option<Value>,
    #[diesel(sql_type = Nullable<Text>)]
    pub text: Option<String>,
    #[diesel(sql_type = Int4)]
    pub attempt_count: i32,
    #[diesel(sql_type = Int4)]
    pub max_attempts: i32,
    #[diesel(sql_type = Int4)]
    pub budget_start: i32,
}

/// Claims up to `limit` due rows for `worker_id`: QUEUED rows whose time has come and SENDING rows
/// whose lease expired (their worker died). `SKIP LOCKED` lets several workers claim side by side
/// without waiting on each other or taking the same row; the statement commits on its own, so no
/// transaction stays open during the HTTP calls.
pub fn claim(conn: &mut PgConnection, worker_id: Uuid, limit: u32, lease_secs: f64) -> QueryResult<Vec<ClaimedRow>> {
    diesel::sql_query(
        "UPDATE outbound_message o SET status = 'SENDING', lease_until = now() + make_interval(secs => $3), \
             leased_by = $1, attempt_count = o.attempt_count + 1, updated_at = now(), version = o.version + 1 \
         FROM (SELECT org_id, id FROM outbound_message \
               WHERE (status = 'QUEUED' AND next_attempt_at <= now()) \
                  OR (status = 'SENDING' AND lease_until < now()) \
               ORDER BY next_attempt_at \
               LIMIT $2 \
               FOR UPDATE SKIP LOCKED) due \
         WHERE o.org_id = due.org_id AND o.id = due.id \
         RETURNING o.org_id, o.id, o.dossier_id, o.to_phone, o.template_code, o.template_language, \
             o.template_params, o.text, o.attempt_count, o.max_attempts, o.budget_start",
    )
    .bind::<SqlUuid, _>(worker_id)
    .bind::<BigInt, _>(i64::from(limit))
    .bind::<Double, _>(lease_secs)
    .load(conn)
}

/// What the worker decided after one provider call.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Sent { provider_message_id: String },
    RetryAt { at: DateTime<Utc>, error: ProviderError },
    DeadLetter { error: ProviderError },
    Failed { error: ProviderError },
}

impl Decision {
    fn result(&self) -> AttemptResult {
        match self {
            Decision::Sent { .. } => AttemptResult::Sent,
            Decision::RetryAt { .. } => AttemptResult::Retry,
            Decision::DeadLetter { .. } => AttemptResult::DeadLetter,
            Decision::Failed { .. } => AttemptResult::Failed,
        }
    }

    fn error(&self) -> Option<&ProviderError> {
        match self {
            Decision::Sent { .. } => None,
            Decision::RetryAt { error, .. } | Decision::DeadLetter { error } | Decision::Failed { error } => {
                Some(error)
            }
        }
    }
}

pub struct AttemptReport {
    pub org_id: Uuid,
    pub id: Uuid,
    pub worker_id: Uuid,
    pub attempt_no: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub decision: Decision,
}

const ERROR_MESSAGE_MAX: usize = 500;

fn short(s: &str) -> String {
    s.chars().take(ERROR_MESSAGE_MAX).collect()
}

/// Records the attempt and, when this worker still holds the lease, the row's new state with its
/// timeline entry (and audit event for final states). Returns false when the lease was taken over
/// meanwhile: the attempt is kept as a fact, the row is left to its new holder.
pub fn record_attempt(conn: &mut PgConnection, r: &AttemptReport) -> DomainResult<bool> {
    in_tx(conn, |db| {
        let org = OrgId(r.org_id);
        let before = db.find_outbound(org, r.id)?;
        let mine = outbound_message::table
            .find((r.org_id, r.id))
            .filter(outbound_message::leased_by.eq(r.worker_id))
            .filter(outbound_message::status.eq("SENDING"));
        let now = r.finished_at;
        let error = r.decision.error();
        let err_code = error.map(|e| short(&e.code));
        let err_message = error.map(|e| short(&e.message));
        let release = (
            outbound_message::lease_until.eq(None::<DateTime<Utc>>),
            outbound_message::leased_by.eq(None::<Uuid>),
            outbound_message::updated_at.eq(now),
            outbound_message::version.eq(outbound_message::version + 1),
        );
        let updated = match &r.decision {
            Decision::Sent { provider_message_id } => diesel::update(mine)
                .set((
                    outbound_message::status.eq("SENT"),
                    outbound_message::provider_message_id.eq(provider_message_id),
                    outbound_message::sent_at.eq(now),
                    outbound_message::next_attempt_at.eq(None::<DateTime<Utc>>),
                    outbound_message::last_error_code.eq(None::<String>),
                    outbound_message::last_error_message.eq(None::<String>),
                    release,
                ))
                .execute(db.conn),
            Decision::RetryAt { at, .. } => diesel::update(mine)
                .set((
                    outbound_message::status.eq("QUEUED"),
                    outbound_message::next_attempt_at.eq(at),
                    outbound_message::last_error_code.eq(&err_code),
                    outbound_message::last_error_message.eq(&err_message),
                    release,
                ))
                .execute(db.conn),
            Decision::DeadLetter { .. } | Decision::Failed { .. } => diesel::update(mine)
                .set((
                    outbound_message::status.eq("FAILED"),
                    outbound_message::dead_lettered.eq(matches!(r.decision, Decision::DeadLetter { .. })),
                    outbound_message::failed_at.eq(now),
                    outbound_message::next_attempt_at.eq(None::<DateTime<Utc>>),
                    outbound_message::last_error_code.eq(&err_code),
                    outbound_message::last_error_message.eq(&err_message),
                    release,
                ))
                .execute(db.conn),
        }
        .map_err(infra)?;

        diesel::insert_into(outbound_attempt::table)
            .values((
                outbound_attempt::org_id.eq(r.org_id),
                outbound_attempt::id.eq(Uuid::now_v7()),
                outbound_attempt::outbound_message_id.eq(r.id),
                outbound_attempt::attempt_no.eq(r.attempt_no),
                outbound_attempt::worker_id.eq(r.worker_id),
                outbound_attempt::started_at.eq(r.started_at),
                outbound_attempt::finished_at.eq(r.finished_at),
                outbound_attempt::outcome.eq(r.decision.result().as_str()),
                outbound_attempt::http_status.eq(error.and_then(|e| e.http_status).map(i32::from)),
                outbound_attempt::error_code.eq(&err_code),
                outbound_attempt::error_message.eq(&err_message),
            ))
            .execute(db.conn)
            .map_err(infra)?;
        if updated == 0 {
            return Ok(false);
        }

        if let Decision::Sent { provider_message_id } = &r.decision {
            // The conversation entry carries the WhatsApp id, like an inbound one.
            diesel::update(message::table)
                .filter(message::org_id.eq(r.org_id))
                .filter(message::outbound_message_id.eq(r.id))
                .filter(message::external_id.is_null())
                .set(message::external_id.eq(provider_message_id))
                .execute(db.conn)
                .map_err(infra)?;
        }
        if matches!(r.decision, Decision::RetryAt { .. }) {
            // A scheduled retry is told by the attempt row; the timeline gets the final outcome.
            return Ok(true);
        }
        let after = db.find_outbound(org, r.id)?.ok_or(DomainError::NotFound)?;
        db.record(NewAuditEvent {
            org_id: org,
            actor_user_id: None,
            action: "STATUS_CHANGE",
            entity_type: ENTITY_TYPE,
            entity_id: r.id,
            before: before.as_ref().map(audit_json),
            after: Some(audit_json(&after)),
            correlation_id: None,
        })?;
        db.add_activity(status_activity(org, &after, None, now))?;
        Ok(true)
    })
}

/// Count of rows per status (for tests and metrics).
pub fn count_by_status(conn: &mut PgConnection, status: &str) -> QueryResult<i64> {
    outbound_message::table.filter(outbound_message::status.eq(status)).count().get_result(conn)
}
