//! `GET /api/v1/dashboard/*` (PRODUCT.md §11): kpis, funnel, sources, top-annonces, durations,
//! timeseries. Every endpoint takes `from`/`to` (local dates, inclusive, org time zone).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};

use atlas_domain::identity::Capability;
use atlas_domain::usecases::dashboard::{self as uc, conversion_rate, DateRange, Interval, Metric, Period};
use atlas_shared_types::dashboard::{
    DashboardList, FunnelStepDto, KpisDto, SourceStatsDto, StatusDurationDto, TimeseriesDto, TimeseriesPointDto,
    TopAnnonceDto,
};
use atlas_shared_types::FieldError;

use crate::db::Db;
use crate::http::context::RequestContext;
use crate::http::pagination::query_pairs;
use crate::http::problem::ApiError;
use crate::http::state::State;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/dashboard/kpis").route(web::get().to(kpis)))
        .service(web::resource("/dashboard/funnel").route(web::get().to(funnel)))
        .service(web::resource("/dashboard/sources").route(web::get().to(sources)))
        .service(web::resource("/dashboard/top-annonces").route(web::get().to(top_annonces)))
        .service(web::resource("/dashboard/durations").route(web::get().to(durations)))
        .service(web::resource("/dashboard/timeseries").route(web::get().to(timeseries)));
}

/// The parameters of a dashboard call; every bad one is reported at once.
struct Params {
    pairs: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

impl Params {
    fn parse(req: &HttpRequest) -> Result<Params, ApiError> {
        Ok(Params { pairs: query_pairs(req.query_string())?, errors: Vec::new() })
    }

    fn raw(&self, name: &str) -> Option<String> {
        self.pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let v = self.raw(name)?;
        let d = NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok();
        if d.is_none() {
            self.errors.push(FieldError { field: name.into(), message: "must be a date (YYYY-MM-DD)".into() });
        }
        d
    }

    fn range(&mut self) -> DateRange {
        DateRange { from: self.date("from"), to: self.date("to") }
    }

    fn choice<T>(&mut self, name: &str, parse: fn(&str) -> Option<T>, allowed: &[&str], default: T) -> T {
        match self.raw(name) {
            None => default,
            Some(v) => parse(&v).unwrap_or_else(|| {
                self.errors
                    .push(FieldError { field: name.into(), message: format!("must be one of {}", allowed.join(", ")) });
                default
            }),
        }
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.errors))
        }
    }
}

/// Role first (PRODUCT.md §0 order), then the parameters.
fn range_of(ctx: &RequestContext, req: &HttpRequest) -> Result<DateRange, ApiError> {
    ctx.actor.require(Capability::Read)?;
    let mut p = Params::parse(req)?;
    let r = p.range();
    p.finish()?;
    Ok(r)
}

fn list<T>(p: Period, items: Vec<T>) -> DashboardList<T> {
    DashboardList { from: p.from, to: p.to, timezone: p.timezone, items }
}

pub async fn kpis(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = range_of(&ctx, &req)?;
    let actor = ctx.actor;
    let (p, k) = st.with_conn(move |conn, _| uc::kpis(&mut Db { conn }, &actor, r, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(KpisDto {
        from: p.from,
        to: p.to,
        timezone: p.timezone,
        new_dossiers: k.new_dossiers,
        open_dossiers: k.open_dossiers,
        won_dossiers: k.won_dossiers,
        lost_dossiers: k.lost_dossiers,
        conversion_rate: k.conversion_rate,
        appointments_scheduled: k.appointments_scheduled,
        inbound_messages: k.inbound_messages,
        outbound_messages: k.outbound_messages,
        median_hours_to_first_response: k.median_hours_to_first_response,
        active_annonces: k.active_annonces,
    }))
}

pub async fn funnel(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = range_of(&ctx, &req)?;
    let actor = ctx.actor;
    let (p, rows) = st.with_conn(move |conn, _| uc::funnel(&mut Db { conn }, &actor, r, Utc::now())).await?;
    let items = rows.into_iter().map(|s| FunnelStepDto { status: s.status, count: s.count }).collect();
    Ok(HttpResponse::Ok().json(list(p, items)))
}

pub async fn sources(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = range_of(&ctx, &req)?;
    let actor = ctx.actor;
    let (p, rows) = st.with_conn(move |conn, _| uc::sources(&mut Db { conn }, &actor, r, Utc::now())).await?;
    let items = rows
        .into_iter()
        .map(|s| SourceStatsDto {
            conversion_rate: conversion_rate(s.won, s.lost),
            source: s.source,
            dossiers: s.dossiers,
            won: s.won,
            lost: s.lost,
        })
        .collect();
    Ok(HttpResponse::Ok().json(list(p, items)))
}

pub async fn top_annonces(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = range_of(&ctx, &req)?;
    let actor = ctx.actor;
    let (p, rows) = st.with_conn(move |conn, _| uc::top_annonces(&mut Db { conn }, &actor, r, Utc::now())).await?;
    let items = rows
        .into_iter()
        .map(|a| TopAnnonceDto {
            conversion_rate: conversion_rate(a.won, a.lost),
            annonce_id: a.annonce_id,
            reference: a.reference,
            title: a.title,
            dossiers: a.dossiers,
            won: a.won,
            lost: a.lost,
        })
        .collect();
    Ok(HttpResponse::Ok().json(list(p, items)))
}

pub async fn durations(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = range_of(&ctx, &req)?;
    let actor = ctx.actor;
    let (p, rows) = st.with_conn(move |conn, _| uc::durations(&mut Db { conn }, &actor, r, Utc::now())).await?;
    let items = rows
        .into_iter()
        .map(|d| StatusDurationDto {
            status: d.status,
            count: d.count,
            mean_hours: d.mean_hours,
            median_hours: d.median_hours,
        })
        .collect();
    Ok(HttpResponse::Ok().json(list(p, items)))
}

pub async fn timeseries(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    ctx.actor.require(Capability::Read)?;
    let mut params = Params::parse(&req)?;
    let r = params.range();
    let metric_names: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
    let metric = params.choice("metric", Metric::parse, &metric_names, Metric::NewDossiers);
    let interval = params.choice("interval", Interval::parse, &["day", "week"], Interval::Day);
    params.finish()?;
    let actor = ctx.actor;
    let (p, points) =
        st.with_conn(move |conn, _| uc::timeseries(&mut Db { conn }, &actor, r, metric, interval, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(TimeseriesDto {
        from: p.from,
        to: p.to,
        timezone: p.timezone,
        metric: metric.as_str().to_string(),
        interval: interval.as_str().to_string(),
        points: points.into_iter().map(|pt| TimeseriesPointDto { date: pt.date, value: pt.value }).collect(),
    }))
}
