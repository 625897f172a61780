//! `OutboundOpsStore` over PostgreSQL: the outbox metrics of one org, computed live in SQL.
//! Definitions: `atlas_domain::usecases::ops` (module docs).
//!
//! Bind parameters of every statement: $1 org, $2 now, and for the window statements $3 the start
//! of the window; a window is `(start, now]`.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};

use atlas_domain::error::DomainResult;
use atlas_domain::identity::OrgId;
use atlas_domain::usecases::ops::{
    Latency, OutboundMetrics, OutboundOpsStore, StatusCounts, WindowStats, TOP_ERROR_CODES,
};

use super::{infra, Db};

#[derive(QueryableByName)]
struct StatusRow {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct QueueRow {
    #[diesel(sql_type = Nullable<BigInt>)]
    oldest: Option<i64>,
    #[diesel(sql_type = BigInt)]
    dead: i64,
}

#[derive(QueryableByName)]
struct AttemptRow {
    #[diesel(sql_type = BigInt)]
    attempts: i64,
    #[diesel(sql_type = BigInt)]
    failed: i64,
    #[diesel(sql_type = Nullable<Double>)]
    rate: Option<f64>,
    #[diesel(sql_type = BigInt)]
    dead: i64,
    #[diesel(sql_type = BigInt)]
    delivery_failures: i64,
}

#[derive(QueryableByName)]
struct CodeRow {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct LatencyRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Nullable<Double>)]
    p50: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    p95: Option<f64>,
}

const COUNTS: &str = "SELECT status, count(*) AS n FROM outbound_message WHERE org_id = $1 GROUP BY status";

// A due QUEUED row waits since its next_attempt_at (creation, retry time or manual retry).
const QUEUE: &str = "SELECT \
    (SELECT floor(extract(epoch FROM ($2 - min(COALESCE(next_attempt_at, created_at)))))::int8 \
       FROM outbound_message WHERE org_id = $1 AND status = 'QUEUED' \
       AND COALESCE(next_attempt_at, created_at) <= $2) AS oldest, \
    (SELECT count(*) FROM outbound_message WHERE org_id = $1 AND dead_lettered) AS dead";

/// Provider-reported failures: accepted (sentAt), then a `failed` status callback.
const DELIVERY_FAILED: &str = "status = 'FAILED' AND sent_at IS NOT NULL AND failed_at > $3 AND failed_at <= $2";

fn attempts_sql() -> String {
    format!(
        "SELECT a.attempts, a.failed, round(a.failed::numeric / NULLIF(a.attempts, 0), 4)::float8 AS rate, a.dead, \
           (SELECT count(*) FROM outbound_message WHERE org_id = $1 AND {DELIVERY_FAILED}) AS delivery_failures \
         FROM (SELECT count(*) AS attempts, count(*) FILTER (WHERE outcome <> 'SENT') AS failed, \
                 count(*) FILTER (WHERE outcome = 'DEAD_LETTER') AS dead \
               FROM outbound_attempt WHERE org_id = $1 AND finished_at > $3 AND finished_at <= $2) a"
    )
}

fn codes_sql() -> String {
    format!(
        "SELECT code, count(*) AS n FROM ( \
           SELECT error_code AS code FROM outbound_attempt WHERE org_id = $1 AND outcome <> 'SENT' \
             AND error_code IS NOT NULL AND finished_at > $3 AND finished_at <= $2 \
           UNION ALL \
           SELECT last_error_code FROM outbound_message WHERE org_id = $1 AND {DELIVERY_FAILED} \
             AND last_error_code IS NOT NULL) e \
         GROUP BY code ORDER BY n DESC, code LIMIT {TOP_ERROR_CODES}"
    )
}

/// p50/p95 in seconds of `to - from` over rows whose `to` falls in the window.
fn latency_sql(from: &str, to: &str) -> String {
    let secs = format!("extract(epoch FROM ({to} - {from}))::float8");
    format!(
        "SELECT count(*) AS n, \
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY {secs}))::numeric, 3)::float8 AS p50, \
           round((percentile_cont(0.95) WITHIN GROUP (ORDER BY {secs}))::numeric, 3)::float8 AS p95 \
         FROM outbound_message WHERE org_id = $1 AND {from} IS NOT NULL AND {to} > $3 AND {to} <= $2"
    )
}

impl Db<'_> {
    fn window(&mut self, org: OrgId, now: DateTime<Utc>, since: DateTime<Utc>) -> DomainResult<WindowStats> {
        let bind = |sql: String| {
            diesel::sql_query(sql)
                .into_boxed::<diesel::pg::Pg>()
                .bind::<SqlUuid, _>(org.0)
                .bind::<Timestamptz, _>(now)
                .bind::<Timestamptz, _>(since)
        };
        let a: AttemptRow = bind(attempts_sql()).get_result(self.conn).map_err(infra)?;
        let codes: Vec<CodeRow> = bind(codes_sql()).load(self.conn).map_err(infra)?;
        let latency = |r: LatencyRow| Latency { count: r.n, p50_seconds: r.p50, p95_seconds: r.p95 };
        let q2s: LatencyRow = bind(latency_sql("created_at", "sent_at")).get_result(self.conn).map_err(infra)?;
        let s2d: LatencyRow = bind(latency_sql("sent_at", "delivered_at")).get_result(self.conn).map_err(infra)?;
        Ok(WindowStats {
            attempts: a.attempts,
            failed_attempts: a.failed,
            failure_rate: a.rate,
            delivery_failures: a.delivery_failures,
            dead_letters: a.dead,
            top_error_codes: codes.into_iter().map(|c| (c.code, c.n)).collect(),
            queued_to_sent: latency(q2s),
            sent_to_delivered: latency(s2d),
        })
    }
}

impl OutboundOpsStore for Db<'_> {
    fn outbound_metrics(&mut self, org: OrgId, now: DateTime<Utc>) -> DomainResult<OutboundMetrics> {
        let rows: Vec<StatusRow> =
            diesel::sql_query(COUNTS).bind::<SqlUuid, _>(org.0).load(self.conn).map_err(infra)?;
        let mut c = StatusCounts::default();
        for r in rows {
            let slot = match r.status.as_str() {
                "QUEUED" => &mut c.queued,
                "SENDING" => &mut c.sending,
                "SENT" => &mut c.sent,
                "DELIVERED" => &mut c.delivered,
                "READ" => &mut c.read,
                "FAILED" => &mut c.failed,
                "CANCELLED" => &mut c.cancelled,
                // the CHECK constraint allows no other status
                _ => continue,
            };
            *slot = r.n;
        }
        let q: QueueRow = diesel::sql_query(QUEUE)
            .bind::<SqlUuid, _>(org.0)
            .bind::<Timestamptz, _>(now)
            .get_result(self.conn)
            .map_err(infra)?;
        let last_hour = self.window(org, now, now - Duration::hours(1))?;
        let last_24_hours = self.window(org, now, now - Duration::hours(24))?;
        Ok(OutboundMetrics {
            generated_at: now,
            queue_depth: c.queued + c.sending,
            counts_by_status: c,
            oldest_queued_age_seconds: q.oldest,
            dead_letters: q.dead,
            last_hour,
            last_24_hours,
        })
    }
}
