//! `DashboardStore` over PostgreSQL (PRODUCT.md §11): every number computed live, in SQL, over
//! one org. Definitions: `atlas_domain::usecases::dashboard` (module docs) and docs/dashboard.md.
//!
//! Bind parameters of every statement: $1 org, $2 from (date), $3 to (date), $4 org time zone.
//! The period is `[from 00:00, to + 1 day 00:00)` local time, converted to instants by
//! PostgreSQL (`timestamp AT TIME ZONE zone`), so DST days have their true 23 or 25 hours.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::query_builder::SqlQuery;
use diesel::sql_types::{Array, BigInt, Date, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use atlas_domain::dossier::{DossierStatus, Source};
use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::OrgId;
use atlas_domain::usecases::dashboard::{
    DashboardStore, FunnelStep, Interval, Kpis, Metric, Period, Point, SourceStats, StatusDuration, TopAnnonce,
};

use super::{infra, Db};

/// First instant of the period, and first instant after it.
const START: &str = "($2::date::timestamp AT TIME ZONE $4::text)";
const END: &str = "(($3::date + 1)::timestamp AT TIME ZONE $4::text)";

type Bound = diesel::query_builder::BoxedSqlQuery<'static, diesel::pg::Pg, SqlQuery>;

fn period_query(sql: String, p: &Period) -> Bound {
    diesel::sql_query(sql)
        .into_boxed()
        .bind::<SqlUuid, _>(p.org_id.0)
        .bind::<Date, _>(p.from)
        .bind::<Date, _>(p.to)
        .bind::<Text, _>(p.timezone.clone())
}

fn in_period(col: &str) -> String {
    format!("{col} >= {START} AND {col} < {END}")
}

#[derive(QueryableByName)]
struct Today {
    #[diesel(sql_type = Text)]
    timezone: String,
    #[diesel(sql_type = Date)]
    today: NaiveDate,
}

#[derive(QueryableByName)]
struct KpiRow {
    #[diesel(sql_type = BigInt)]
    new_dossiers: i64,
    #[diesel(sql_type = BigInt)]
    open_dossiers: i64,
    #[diesel(sql_type = BigInt)]
    won_dossiers: i64,
    #[diesel(sql_type = BigInt)]
    lost_dossiers: i64,
    #[diesel(sql_type = BigInt)]
    appointments_scheduled: i64,
    #[diesel(sql_type = BigInt)]
    inbound_messages: i64,
    #[diesel(sql_type = BigInt)]
    outbound_messages: i64,
    #[diesel(sql_type = Nullable<Double>)]
    median_hours: Option<f64>,
    #[diesel(sql_type = BigInt)]
    active_annonces: i64,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    won: i64,
    #[diesel(sql_type = BigInt)]
    lost: i64,
}

#[derive(QueryableByName)]
struct TopRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    reference: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    won: i64,
    #[diesel(sql_type = BigInt)]
    lost: i64,
}

#[derive(QueryableByName)]
struct DurationRow {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Nullable<Double>)]
    mean_hours: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    median_hours: Option<f64>,
}

#[derive(QueryableByName)]
struct PointRow {
    #[diesel(sql_type = Date)]
    day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn names<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| f(*v).to_string()).collect()
}

/// The events a timeseries counts: one timestamp column `ts` per event, already limited to the
/// org and the period (so the period bounds reach the index).
fn metric_source(metric: Metric) -> String {
    let (table, col, filter) = match metric {
        Metric::NewDossiers => ("dossier", "created_at", ""),
        Metric::WonDossiers => ("dossier_status_history", "changed_at", "AND to_status = 'WON'"),
        Metric::LostDossiers => ("dossier_status_history", "changed_at", "AND to_status = 'LOST'"),
        Metric::InboundMessages => ("message", "occurred_at", "AND direction = 'INBOUND'"),
        Metric::OutboundMessages => ("message", "occurred_at", "AND direction = 'OUTBOUND'"),
        Metric::AppointmentsScheduled => ("appointment", "starts_at", "AND status <> 'CANCELLED'"),
    };
    format!("SELECT {col} AS ts FROM {table} WHERE org_id = $1 {filter} AND {}", in_period(col))
}

impl DashboardStore for Db<'_> {
    fn org_today(&mut self, org: OrgId, now: DateTime<Utc>) -> DomainResult<(String, NaiveDate)> {
        let row: Option<Today> = diesel::sql_query(
            "SELECT timezone, ($2::timestamptz AT TIME ZONE timezone)::date AS today FROM organisation WHERE id = $1",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<Timestamptz, _>(now)
        .get_result(self.conn)
        .optional()
        .map_err(infra)?;
        let row = row.ok_or(DomainError::NotFound)?;
        Ok((row.timezone, row.today))
    }

    fn kpis(&mut self, p: &Period) -> DomainResult<Kpis> {
        let sql = format!(
            "SELECT \
               (SELECT count(*) FROM dossier WHERE org_id = $1 AND {created}) AS new_dossiers, \
               (SELECT count(*) FROM dossier d WHERE d.org_id = $1 AND d.created_at < {END} \
                  AND NOT EXISTS (SELECT 1 FROM dossier_status_history h WHERE h.org_id = $1 \
                      AND h.dossier_id = d.id AND h.to_status IN ('WON', 'LOST') AND h.changed_at < {END})) AS open_dossiers, \
               (SELECT count(*) FROM dossier_status_history WHERE org_id = $1 AND to_status = 'WON' AND {changed}) AS won_dossiers, \
               (SELECT count(*) FROM dossier_status_history WHERE org_id = $1 AND to_status = 'LOST' AND {changed}) AS lost_dossiers, \
               (SELECT count(*) FROM appointment WHERE org_id = $1 AND status <> 'CANCELLED' AND {starts}) AS appointments_scheduled, \
               (SELECT count(*) FROM message WHERE org_id = $1 AND direction = 'INBOUND' AND {occurred}) AS inbound_messages, \
               (SELECT count(*) FROM message WHERE org_id = $1 AND direction = 'OUTBOUND' AND {occurred}) AS outbound_messages, \
               (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_out - f.first_in) / 3600.0) \
                  FROM (SELECT m.dossier_id, min(m.occurred_at) AS first_in FROM message m \
                        WHERE m.org_id = $1 AND m.direction = 'INBOUND' AND {m_occurred} \
                          AND NOT EXISTS (SELECT 1 FROM message e WHERE e.org_id = $1 AND e.dossier_id = m.dossier_id \
                                          AND e.direction = 'INBOUND' AND e.occurred_at < {START}) \
                        GROUP BY m.dossier_id) f \
                  CROSS JOIN LATERAL (SELECT min(o.occurred_at) AS first_out FROM message o WHERE o.org_id = $1 \
                        AND o.dossier_id = f.dossier_id AND o.direction = 'OUTBOUND' AND o.occurred_at >= f.first_in) r \
                  WHERE r.first_out IS NOT NULL)::float8 AS median_hours, \
               (SELECT count(*) FROM annonce WHERE org_id = $1 AND status = 'PUBLISHED') AS active_annonces",
            created = in_period("created_at"),
            changed = in_period("changed_at"),
            starts = in_period("starts_at"),
            occurred = in_period("occurred_at"),
            m_occurred = in_period("m.occurred_at"),
        );
        let r: KpiRow = period_query(sql, p).get_result(self.conn).map_err(infra)?;
        Ok(Kpis {
            new_dossiers: r.new_dossiers,
            open_dossiers: r.open_dossiers,
            won_dossiers: r.won_dossiers,
            lost_dossiers: r.lost_dossiers,
            conversion_rate: None,
            appointments_scheduled: r.appointments_scheduled,
            inbound_messages: r.inbound_messages,
            outbound_messages: r.outbound_messages,
            median_hours_to_first_response: r.median_hours,
            active_annonces: r.active_annonces,
        })
    }

    fn funnel(&mut self, p: &Period) -> DomainResult<Vec<FunnelStep>> {
        let sql = format!(
            "WITH cohort AS (SELECT id FROM dossier WHERE org_id = $1 AND {created}), \
                  reached AS (SELECT h.to_status AS status, count(DISTINCT h.dossier_id) AS n \
                              FROM dossier_status_history h JOIN cohort c ON h.dossier_id = c.id \
                              WHERE h.org_id = $1 GROUP BY h.to_status) \
             SELECT s.status AS key, \
                    CASE WHEN s.status = 'NEW' THEN (SELECT count(*) FROM cohort) ELSE coalesce(r.n, 0) END AS n, \
                    0::bigint AS won, 0::bigint AS lost \
             FROM unnest($5::text[]) WITH ORDINALITY AS s(status, ord) LEFT JOIN reached r ON r.status = s.status \
             ORDER BY s.ord",
            created = in_period("created_at"),
        );
        let rows: Vec<Counted> = period_query(sql, p)
            .bind::<Array<Text>, _>(names(DossierStatus::ALL, DossierStatus::as_str))
            .load(self.conn)
            .map_err(infra)?;
        Ok(rows.into_iter().map(|r| FunnelStep { status: r.key, count: r.n }).collect())
    }

    fn sources(&mut self, p: &Period) -> DomainResult<Vec<SourceStats>> {
        let sql = format!(
            "SELECT s.source AS key, count(d.id) AS n, \
                    count(d.id) FILTER (WHERE d.status = 'WON') AS won, \
                    count(d.id) FILTER (WHERE d.status = 'LOST') AS lost \
             FROM unnest($5::text[]) WITH ORDINALITY AS s(source, ord) \
             LEFT JOIN dossier d ON d.org_id = $1 AND d.source = s.source AND {created} \
             GROUP BY s.source, s.ord ORDER BY n DESC, s.ord",
            created = in_period("d.created_at"),
        );
        let rows: Vec<Counted> = period_query(sql, p)
            .bind::<Array<Text>, _>(names(Source::ALL, Source::as_str))
            .load(self.conn)
            .map_err(infra)?;
        Ok(rows.into_iter().map(|r| SourceStats { source: r.key, dossiers: r.n, won: r.won, lost: r.lost }).collect())
    }

    fn top_annonces(&mut self, p: &Period, limit: i64) -> DomainResult<Vec<TopAnnonce>> {
        let sql = format!(
            "SELECT a.id, a.reference, a.title, count(*) AS n, \
                    count(*) FILTER (WHERE d.status = 'WON') AS won, \
                    count(*) FILTER (WHERE d.status = 'LOST') AS lost \
             FROM dossier d JOIN annonce a ON a.org_id = d.org_id AND a.id = d.annonce_id \
             WHERE d.org_id = $1 AND d.annonce_id IS NOT NULL AND {created} \
             GROUP BY a.id, a.reference, a.title \
             ORDER BY n DESC, won DESC, a.reference LIMIT $5",
            created = in_period("d.created_at"),
        );
        let rows: Vec<TopRow> = period_query(sql, p).bind::<BigInt, _>(limit).load(self.conn).map_err(infra)?;
        Ok(rows
            .into_iter()
            .map(|r| TopAnnonce {
                annonce_id: r.id,
                reference: r.reference,
                title: r.title,
                dossiers: r.n,
                won: r.won,
                lost: r.lost,
            })
            .collect())
    }

    fn durations(&mut self, p: &Period) -> DomainResult<Vec<StatusDuration>> {
        // A history row closes the stay in its from_status; the stay began at the previous row of
        // the same dossier, or at the dossier's creation for the first one.
        let sql = format!(
            "WITH stays AS ( \
                SELECT h.from_status AS status, \
                       extract(epoch FROM h.changed_at - coalesce( \
                           (SELECT max(q.changed_at) FROM dossier_status_history q \
                            WHERE q.org_id = $1 AND q.dossier_id = h.dossier_id \
                              AND (q.changed_at, q.id) < (h.changed_at, h.id)), \
                           d.created_at)) / 3600.0 AS hours \
                FROM dossier_status_history h JOIN dossier d ON d.org_id = h.org_id AND d.id = h.dossier_id \
                WHERE h.org_id = $1 AND {changed}) \
             SELECT s.status, count(x.hours) AS n, avg(x.hours)::float8 AS mean_hours, \
                    (percentile_cont(0.5) WITHIN GROUP (ORDER BY x.hours))::float8 AS median_hours \
             FROM unnest($5::text[]) WITH ORDINALITY AS s(status, ord) LEFT JOIN stays x ON x.status = s.status \
             GROUP BY s.status, s.ord ORDER BY s.ord",
            changed = in_period("h.changed_at"),
        );
        let open: Vec<String> =
            DossierStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str().to_string()).collect();
        let rows: Vec<DurationRow> =
            period_query(sql, p).bind::<Array<Text>, _>(open).load(self.conn).map_err(infra)?;
        Ok(rows
            .into_iter()
            .map(|r| StatusDuration {
                status: r.status,
                count: r.n,
                mean_hours: r.mean_hours,
                median_hours: r.median_hours,
            })
            .collect())
    }

    fn timeseries(&mut self, p: &Period, metric: Metric, interval: Interval) -> DomainResult<Vec<Point>> {
        let bucket = |x: &str| match interval {
            Interval::Day => format!("({x})::date"),
            Interval::Week => format!("date_trunc('week', ({x})::date)::date"),
        };
        let sql = format!(
            "WITH ev AS (SELECT {ev_bucket} AS day, count(*) AS n FROM ({source}) t GROUP BY 1), \
                  bk AS (SELECT DISTINCT {g_bucket} AS day FROM generate_series($2::date, $3::date, interval '1 day') g) \
             SELECT bk.day, coalesce(ev.n, 0)::bigint AS n FROM bk LEFT JOIN ev ON ev.day = bk.day ORDER BY bk.day",
            ev_bucket = bucket("t.ts AT TIME ZONE $4::text"),
            source = metric_source(metric),
            g_bucket = bucket("g"),
        );
        let rows: Vec<PointRow> = period_query(sql, p).load(self.conn).map_err(infra)?;
        Ok(rows.into_iter().map(|r| Point { date: r.day, value: r.n }).collect())
    }
}
