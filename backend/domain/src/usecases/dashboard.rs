//! Dashboard (PRODUCT.md §11): live numbers over a period of local dates in the org time zone.
//!
//! The period `[from, to]` is inclusive, read in `organisation.timezone`: it starts at `from`
//! 00:00 local time and ends before `to + 1 day` 00:00 local time (DST-correct, computed by
//! PostgreSQL). Default: the 30 local days ending today. Definitions, as the SQL computes them:
//!
//! - `newDossiers`: dossiers whose `createdAt` falls in the period.
//! - `openDossiers`: dossiers existing at the end of the period that were not WON or LOST at that
//!   moment (per status history) — for a period ending today, the dossiers open now.
//! - `wonDossiers` / `lostDossiers`: transitions to WON / LOST (status history) in the period,
//!   whatever the dossier's creation date.
//! - `conversionRate`: won / (won + lost), 4 decimals; null when both are 0.
//! - `appointmentsScheduled`: appointments starting in the period, not CANCELLED.
//! - `inboundMessages` / `outboundMessages`: messages whose `occurredAt` falls in the period.
//! - `medianHoursToFirstResponse`: over dossiers whose first INBOUND message ever falls in the
//!   period, the hours from it to the first OUTBOUND message at or after it; dossiers not answered
//!   yet are left out; 2 decimals; null when there is none.
//! - `activeAnnonces`: annonces PUBLISHED now (annonce status has no history: a snapshot, not
//!   "at the end of the period").
//! - funnel: the cohort of dossiers created in the period; per status, how many reached it — NEW is
//!   the whole cohort, any other status counts a dossier with a history row to it (at any time up
//!   to now). Skipped steps (NEW → QUALIFIED) are not counted as reached.
//! - sources: the same cohort per source (every source listed, zeros included): dossiers, won and
//!   lost (current status), conversionRate = won / (won + lost).
//! - top-annonces: the cohort per linked annonce, top 10 by dossiers, then won, then reference.
//! - durations: per non-terminal status, the completed stays (entry = creation for NEW, else the
//!   history row into it; exit = the next history row) whose exit falls in the period: count, mean
//!   and median hours (2 decimals; null when count is 0).
//! - timeseries: one point per local day or ISO week (Monday) from `from` to `to`, zero-filled;
//!   a week point counts only the days of that week inside the period.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{Actor, Capability, OrgId};
use crate::wire_enum::wire_enum;

/// Default period length, in days, today included.
pub const DEFAULT_DAYS: i64 = 30;
/// Longest period accepted (about 10 years): bounds the timeseries and the work per request.
pub const MAX_DAYS: i64 = 3660;

wire_enum! {
    pub enum Metric {
        NewDossiers => "newDossiers",
        WonDossiers => "wonDossiers",
        LostDossiers => "lostDossiers",
        InboundMessages => "inboundMessages",
        OutboundMessages => "outboundMessages",
        AppointmentsScheduled => "appointmentsScheduled",
    }
}

wire_enum! {
    pub enum Interval {
        Day => "day",
        Week => "week",
    }
}

/// A resolved period: local dates, inclusive, and the zone they are read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub org_id: OrgId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub timezone: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kpis {
    pub new_dossiers: i64,
    pub open_dossiers: i64,
    pub won_dossiers: i64,
    pub lost_dossiers: i64,
    pub conversion_rate: Option<f64>,
    pub appointments_scheduled: i64,
    pub inbound_messages: i64,
    pub outbound_messages: i64,
    pub median_hours_to_first_response: Option<f64>,
    pub active_annonces: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStep {
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceStats {
    pub source: String,
    pub dossiers: i64,
    pub won: i64,
    pub lost: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopAnnonce {
    pub annonce_id: Uuid,
    pub reference: String,
    pub title: String,
    pub dossiers: i64,
    pub won: i64,
    pub lost: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusDuration {
    pub status: String,
    pub count: i64,
    pub mean_hours: Option<f64>,
    pub median_hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub date: NaiveDate,
    pub value: i64,
}

pub trait DashboardStore {
    /// The org's time zone and the local date of `now` in it.
    fn org_today(&mut self, org: OrgId, now: DateTime<Utc>) -> DomainResult<(String, NaiveDate)>;
    fn kpis(&mut self, p: &Period) -> DomainResult<Kpis>;
    fn funnel(&mut self, p: &Period) -> DomainResult<Vec<FunnelStep>>;
    fn sources(&mut self, p: &Period) -> DomainResult<Vec<SourceStats>>;
    fn top_annonces(&mut self, p: &Period, limit: i64) -> DomainResult<Vec<TopAnnonce>>;
    fn durations(&mut self, p: &Period) -> DomainResult<Vec<StatusDuration>>;
    fn timeseries(&mut self, p: &Period, metric: Metric, interval: Interval) -> DomainResult<Vec<Point>>;
}

pub const TOP_ANNONCES_LIMIT: i64 = 10;

/// Checks the role, then resolves the period (defaults in the org time zone).
pub fn period(
    store: &mut impl DashboardStore,
    actor: &Actor,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> DomainResult<Period> {
    actor.require(Capability::Read)?;
    let (timezone, today) = store.org_today(actor.org_id, now)?;
    let (from, to) = resolve_dates(from, to, today)?;
    Ok(Period { org_id: actor.org_id, from, to, timezone })
}

/// `to` defaults to today, `from` to `to` − 29 days; `from` ≤ `to`; at most [`MAX_DAYS`] days.
pub fn resolve_dates(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> DomainResult<(NaiveDate, NaiveDate)> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
    if from > to {
        return Err(DomainError::Validation(vec![FieldViolation::new("from", "must not be after to")]));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(DomainError::Validation(vec![FieldViolation::new(
            "from",
            format!("the period must not exceed {MAX_DAYS} days"),
        )]));
    }
    Ok((from, to))
}

/// won / (won + lost), rounded to 4 decimals; None when nothing was closed.
pub fn conversion_rate(won: i64, lost: i64) -> Option<f64> {
    let closed = won + lost;
    (closed > 0).then(|| round(won as f64 / closed as f64, 4))
}

pub fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// The `from`/`to` query of every dashboard endpoint, as given (None = default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn resolve(store: &mut impl DashboardStore, actor: &Actor, r: DateRange, now: DateTime<Utc>) -> DomainResult<Period> {
    period(store, actor, r.from, r.to, now)
}

pub fn kpis(
    store: &mut impl DashboardStore,
    actor: &Actor,
    r: DateRange,
    now: DateTime<Utc>,
) -> DomainResult<(Period, Kpis)> {
    let p = resolve(store, actor, r, now)?;
    let mut k = store.kpis(&p)?;
    k.conversion_rate = conversion_rate(k.won_dossiers, k.lost_dossiers);
    k.median_hours_to_first_response = k.median_hours_to_first_response.map(|h| round(h, 2));
    Ok((p, k))
}

pub fn funnel(
    store: &mut impl DashboardStore,
    actor: &Actor,
    r: DateRange,
    now: DateTime<Utc>,
) -> DomainResult<(Period, Vec<FunnelStep>)> {
    let p = resolve(store, actor, r, now)?;
    let steps = store.funnel(&p)?;
    Ok((p, steps))
}

pub fn sources(
    store: &mut impl DashboardStore,
    actor: &Actor,
    r: DateRange,
    now: DateTime<Utc>,
) -> DomainResult<(Period, Vec<SourceStats>)> {
    let p = resolve(store, actor, r, now)?;
    let rows = store.sources(&p)?;
    Ok((p, rows))
}

pub fn top_annonces(
    store: &mut impl DashboardStore,
    actor: &Actor,
    r: DateRange,
    now: DateTime<Utc>,
) -> DomainResult<(Period, Vec<TopAnnonce>)> {
    let p = resolve(store, actor, r, now)?;
    let rows = store.top_annonces(&p, TOP_ANNONCES_LIMIT)?;
    Ok((p, rows))
}

pub fn durations(
    store: &mut impl DashboardStore,
    actor: &Actor,
    r: DateRange,
    now: DateTime<Utc>,
) -> DomainResult<(Period, Vec<StatusDuration>)> {
    let p = resolve(store, actor, r, now)?;
    let rows = store
        .durations(&p)?
        .into_iter()
        .map(|d| StatusDuration {
            mean_hours: d.mean_hours.map(|h| round(h, 2)),
            median_hours: d.median_hours.map(|h| round(h, 2)),
            ..d
        })
        .collect();
    Ok((p, rows))
}

pub fn timeseries(
    store: &mut impl DashboardStore,
    actor: &Actor,
    r: DateRange,
    metric: Metric,
    interval: Interval,
    now: DateTime<Utc>,
) -> DomainResult<(Period, Vec<Point>)> {
    let p = resolve(store, actor, r, now)?;
    let points = store.timeseries(&p, metric, interval)?;
    Ok((p, points))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn default_period_is_the_last_thirty_days_including_today() {
        assert_eq!(resolve_dates(None, None, d("2026-03-31")).ok(), Some((d("2026-03-02"), d("2026-03-31"))));
        assert_eq!(
            resolve_dates(None, Some(d("2026-01-30")), d("2026-03-31")).ok(),
            Some((d("2026-01-01"), d("2026-01-30")))
        );
        assert_eq!(
            resolve_dates(Some(d("2026-03-05")), None, d("2026-03-31")).ok(),
            Some((d("2026-03-05"), d("2026-03-31")))
        );
    }

    #[test]
    fn inverted_or_huge_periods_are_refused() {
        assert!(resolve_dates(Some(d("2026-03-02")), Some(d("2026-03-01")), d("2026-03-31")).is_err());
        assert!(resolve_dates(Some(d("2026-03-02")), Some(d("2026-03-02")), d("2026-03-31")).is_ok());
        assert!(resolve_dates(Some(d("2000-01-01")), Some(d("2026-03-02")), d("2026-03-31")).is_err());
    }

    #[test]
    fn conversion_is_null_without_closed_dossiers() {
        assert_eq!(conversion_rate(0, 0), None);
        assert_eq!(conversion_rate(1, 2), Some(0.3333));
        assert_eq!(conversion_rate(2, 0), Some(1.0));
    }

    #[test]
    fn metric_and_interval_names() {
        assert_eq!(Metric::parse("newDossiers"), Some(Metric::NewDossiers));
        assert_eq!(Interval::parse("week"), Some(Interval::Week));
        assert_eq!(Interval::parse("month"), None);
    }
}
