//! `GET /api/v1/dashboard/*` (PRODUCT.md §11). Every answer names the period it was computed for
//! (`from`, `to`: local dates, inclusive) and the org time zone those dates are read in.
//! Definitions of each number: docs/dashboard.md and `atlas_domain::usecases::dashboard`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KpisDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub timezone: String,
    pub new_dossiers: i64,
    pub open_dossiers: i64,
    pub won_dossiers: i64,
    pub lost_dossiers: i64,
    /// won / (won + lost), 4 decimals; null when nothing was closed in the period.
    pub conversion_rate: Option<f64>,
    pub appointments_scheduled: i64,
    pub inbound_messages: i64,
    pub outbound_messages: i64,
    /// 2 decimals; null when no dossier got its first inbound message answered in the period.
    pub median_hours_to_first_response: Option<f64>,
    pub active_annonces: i64,
}

/// `{from, to, timezone, items: [...]}` — the shape of funnel, sources, top-annonces, durations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardList<T> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub timezone: String,
    pub items: Vec<T>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunnelStepDto {
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceStatsDto {
    pub source: String,
    pub dossiers: i64,
    pub won: i64,
    pub lost: i64,
    pub conversion_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopAnnonceDto {
    pub annonce_id: Uuid,
    pub reference: String,
    pub title: String,
    pub dossiers: i64,
    pub won: i64,
    pub lost: i64,
    pub conversion_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDurationDto {
    pub status: String,
    /// Completed stays in this status that ended in the period.
    pub count: i64,
    pub mean_hours: Option<f64>,
    pub median_hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeseriesDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub timezone: String,
    pub metric: String,
    pub interval: String,
    pub points: Vec<TimeseriesPointDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeseriesPointDto {
    /// First local day of the bucket (a Monday for weeks).
    pub date: NaiveDate,
    pub value: i64,
}
