//! `/`: the dashboard — KPI cards and charts (new dossiers over time, funnel, sources, top
//! annonces) for a period of 7, 30 or 90 days or custom dates (PRODUCT.md §11, docs/dashboard.md).

use atlas_shared_types::dashboard::{
    DashboardList, FunnelStepDto, KpisDto, SourceStatsDto, TimeseriesDto, TopAnnonceDto,
};
use atlas_shared_types::dossier::{DossierSource, DossierStatus};
use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::api::{self, ApiError};
use crate::auth::use_session;
use crate::components::charts::geometry::{fr_date, fr_decimal, fr_int, fr_percent};
use crate::components::charts::{
    FunnelChart, FunnelStep, HBarChart, HBarItem, SeriesKind, SeriesPoint, TimeSeriesChart,
};
use crate::components::{EmptyState, ErrorBox, Loading};
use crate::format::{self, from_wire};
use crate::labels::{dossier_source_label, dossier_status_label};

/// The period the dashboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// The last `n` days, today included.
    LastDays(i64),
    Custom {
        from: NaiveDate,
        to: NaiveDate,
    },
}

impl Period {
    /// Inclusive local dates.
    pub fn range(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Period::LastDays(n) => (today - Duration::days(n.max(1) - 1), today),
            Period::Custom { from, to } => (from, to),
        }
    }

    /// `day` up to 31 days, else `week` (at most ~13 bars for 90 days).
    pub fn default_interval(self, today: NaiveDate) -> &'static str {
        let (from, to) = self.range(today);
        if (to - from).num_days() < 31 {
            "day"
        } else {
            "week"
        }
    }
}

/// `?from=2026-01-01&to=2026-01-30` plus extra pairs.
pub fn period_query(period: Period, today: NaiveDate, extra: &[(&str, &str)]) -> String {
    let (from, to) = period.range(today);
    let mut q = format!("?from={from}&to={to}");
    for (k, v) in extra {
        q.push_str(&format!("&{k}={v}"));
    }
    q
}

/// Validates custom dates typed in the form (`YYYY-MM-DD`).
pub fn parse_custom(from: &str, to: &str) -> Result<Period, String> {
    let parse = |s: &str| s.trim().parse::<NaiveDate>().ok();
    match (parse(from), parse(to)) {
        (Some(f), Some(t)) if f > t => Err("La date de début doit précéder la date de fin.".to_owned()),
        (Some(f), Some(t)) if (t - f).num_days() > 3660 => Err("La période ne peut dépasser 10 ans.".to_owned()),
        (Some(f), Some(t)) => Ok(Period::Custom { from: f, to: t }),
        _ => Err("Indiquez une date de début et une date de fin.".to_owned()),
    }
}

/// A GET that follows the period and the organisation (a 401 ends the session in the ErrorBox).
fn dashboard_resource<T: DeserializeOwned + Clone + 'static>(
    path: &'static str,
    query: Memo<String>,
) -> LocalResource<Result<T, ApiError>> {
    let session = use_session();
    LocalResource::new(move || {
        let _org = session.org_id();
        let url = format!("{path}{}", query.get());
        async move { api::get::<T>(&url).await }
    })
}

/// French label of a dossier status or source sent as a wire name; an unknown one as it is.
fn wire_label<T: serde::de::DeserializeOwned>(name: &str, label: fn(T) -> &'static str) -> String {
    from_wire::<T>(name).map_or_else(|| name.to_owned(), |v| label(v).to_owned())
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let today = format::today();
    let period = RwSignal::new(Period::LastDays(30));
    let interval = RwSignal::new(None::<&'static str>);
    let base_query = Memo::new(move |_| period_query(period.get(), today, &[]));
    let effective_interval = Memo::new(move |_| interval.get().unwrap_or_else(|| period.get().default_interval(today)));
    let series_query = Memo::new(move |_| {
        period_query(period.get(), today, &[("metric", "newDossiers"), ("interval", effective_interval.get())])
    });

    let kpis = dashboard_resource::<KpisDto>("/dashboard/kpis", base_query);
    let series = dashboard_resource::<TimeseriesDto>("/dashboard/timeseries", series_query);
    let funnel = dashboard_resource::<DashboardList<FunnelStepDto>>("/dashboard/funnel", base_query);
    let sources = dashboard_resource::<DashboardList<SourceStatsDto>>("/dashboard/sources", base_query);
    let top = dashboard_resource::<DashboardList<TopAnnonceDto>>("/dashboard/top-annonces", base_query);

    view! {
        <div class="page dashboard" data-testid="dashboard">
            <header class="page-header">
                <div>
                    <h1 data-testid="page-title">"Tableau de bord"</h1>
                    <p class="muted" data-testid="dashboard-period-label">
                        {move || {
                            let (from, to) = period.get().range(today);
                            format!("Du {} au {}", fr_date(from), fr_date(to))
                        }}
                    </p>
                </div>
                <PeriodPicker period today />
            </header>

            <section aria-label="Indicateurs clés">
                <Transition fallback=|| view! { <Loading attr:data-testid="kpis-loading" /> }>
                    {move || Suspend::new(async move {
                        match kpis.await {
                            Ok(k) => view! { <KpiCards k /> }.into_any(),
                            Err(error) => view! {
                                <ErrorBox error on_retry=move |_| kpis.refetch() attr:data-testid="kpis-error" />
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>

            <div class="chart-grid">
                <section class="card chart-card chart-card--wide" aria-labelledby="chart-new-title" data-testid="chart-new-dossiers">
                    <div class="chart-card-header">
                        <h2 id="chart-new-title">"Nouveaux dossiers"</h2>
                        <div class="segmented" role="group" aria-label="Intervalle">
                            <button type="button" data-testid="interval-day"
                                class:segmented--on=move || effective_interval.get() == "day"
                                aria-pressed=move || (effective_interval.get() == "day").to_string()
                                on:click=move |_| interval.set(Some("day"))>"Par jour"</button>
                            <button type="button" data-testid="interval-week"
                                class:segmented--on=move || effective_interval.get() == "week"
                                aria-pressed=move || (effective_interval.get() == "week").to_string()
                                on:click=move |_| interval.set(Some("week"))>"Par semaine"</button>
                        </div>
                    </div>
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match series.await {
                                Ok(s) => series_view(s),
                                Err(error) => view! { <ErrorBox error on_retry=move |_| series.refetch() /> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>

                <section class="card chart-card" aria-labelledby="chart-funnel-title" data-testid="chart-funnel">
                    <h2 id="chart-funnel-title">"Entonnoir de conversion"</h2>
                    <p class="muted chart-note">"Dossiers créés sur la période et étapes atteintes."</p>
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match funnel.await {
                                Ok(f) => funnel_view(f),
                                Err(error) => view! { <ErrorBox error on_retry=move |_| funnel.refetch() /> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>

                <section class="card chart-card" aria-labelledby="chart-sources-title" data-testid="chart-sources">
                    <h2 id="chart-sources-title">"Sources des dossiers"</h2>
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match sources.await {
                                Ok(s) => sources_view(s),
                                Err(error) => view! { <ErrorBox error on_retry=move |_| sources.refetch() /> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>

                <section class="card chart-card chart-card--wide" aria-labelledby="chart-top-title" data-testid="chart-top-annonces">
                    <h2 id="chart-top-title">"Annonces les plus demandées"</h2>
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match top.await {
                                Ok(t) => top_view(t),
                                Err(error) => view! { <ErrorBox error on_retry=move |_| top.refetch() /> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </div>
        </div>
    }
}

#[component]
fn PeriodPicker(period: RwSignal<Period>, today: NaiveDate) -> impl IntoView {
    let custom_open = RwSignal::new(false);
    let (from0, to0) = period.get_untracked().range(today);
    let from = RwSignal::new(from0.to_string());
    let to = RwSignal::new(to0.to_string());
    let error = RwSignal::new(None::<String>);
    let preset = move |n: i64| {
        let selected = move || period.get() == Period::LastDays(n) && !custom_open.get();
        view! {
            <button type="button" data-testid=format!("period-{n}")
                class:segmented--on=selected aria-pressed=move || selected().to_string()
                on:click=move |_| { custom_open.set(false); error.set(None); period.set(Period::LastDays(n)); }>
                {format!("{n} jours")}
            </button>
        }
    };
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse_custom(&from.get_untracked(), &to.get_untracked()) {
            Ok(p) => {
                error.set(None);
                period.set(p);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <div class="period-picker">
            <div class="segmented" role="group" aria-label="Période">
                {preset(7)}
                {preset(30)}
                {preset(90)}
                <button type="button" data-testid="period-custom"
                    class:segmented--on=move || custom_open.get() || matches!(period.get(), Period::Custom { .. })
                    aria-expanded=move || custom_open.get().to_string()
                    on:click=move |_| custom_open.update(|o| *o = !*o)>
                    "Personnalisée"
                </button>
            </div>
            <Show when=move || custom_open.get()>
                <form class="period-custom" on:submit=apply data-testid="period-custom-form">
                    <label>"Du "
                        <input type="date" data-testid="period-from" prop:value=move || from.get()
                            on:input=move |ev| from.set(event_target_value(&ev)) required />
                    </label>
                    <label>"au "
                        <input type="date" data-testid="period-to" prop:value=move || to.get()
                            on:input=move |ev| to.set(event_target_value(&ev)) required />
                    </label>
                    <button type="submit" class="button button--primary" data-testid="period-apply">"Appliquer"</button>
                    {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </form>
            </Show>
        </div>
    }
}

#[component]
fn KpiCards(k: KpisDto) -> impl IntoView {
    let opt = |v: Option<f64>, f: fn(f64) -> String| v.map(f).unwrap_or_else(|| "—".to_owned());
    let cards: Vec<(&str, &str, String, Option<&str>)> = vec![
        ("kpi-new", "Nouveaux dossiers", fr_int(k.new_dossiers), None),
        ("kpi-open", "Dossiers ouverts", fr_int(k.open_dossiers), Some("en fin de période")),
        ("kpi-won", "Gagnés", fr_int(k.won_dossiers), None),
        ("kpi-lost", "Perdus", fr_int(k.lost_dossiers), None),
        (
            "kpi-conversion",
            "Taux de conversion",
            opt(k.conversion_rate, fr_percent),
            Some("gagnés / (gagnés + perdus)"),
        ),
        ("kpi-appointments", "Rendez-vous", fr_int(k.appointments_scheduled), None),
        ("kpi-inbound", "Messages entrants", fr_int(k.inbound_messages), None),
        ("kpi-outbound", "Messages sortants", fr_int(k.outbound_messages), None),
        (
            "kpi-first-response",
            "Délai médian de première réponse",
            opt(k.median_hours_to_first_response, |h| format!("{}\u{a0}h", fr_decimal(h, 1))),
            None,
        ),
        ("kpi-annonces", "Annonces actives", fr_int(k.active_annonces), Some("publiées aujourd'hui")),
    ];
    let cards = cards
        .into_iter()
        .map(|(id, label, value, hint)| {
            view! {
                <li class="kpi" data-testid=id>
                    <span class="kpi-label">{label}</span>
                    <strong class="kpi-value" data-testid="kpi-value">{value}</strong>
                    {hint.map(|h| view! { <span class="kpi-hint">{h}</span> })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="kpi-grid" data-testid="kpi-cards">{cards}</ul> }
}

fn series_view(s: TimeseriesDto) -> AnyView {
    if s.points.is_empty() {
        return view! { <EmptyState title="Aucune donnée sur cette période." /> }.into_any();
    }
    let total: i64 = s.points.iter().map(|p| p.value).sum();
    let weekly = s.interval == "week";
    let points: Vec<SeriesPoint> =
        s.points.iter().map(|p| SeriesPoint { date: p.date, value: p.value as f64 }).collect();
    let kind = if points.len() > 16 { SeriesKind::Line } else { SeriesKind::Bar };
    let label = format!(
        "Nouveaux dossiers {} du {} au {} : {} au total",
        if weekly { "par semaine" } else { "par jour" },
        fr_date(s.from),
        fr_date(s.to),
        fr_int(total)
    );
    view! {
        <p class="chart-total"><strong>{fr_int(total)}</strong>" nouveaux dossiers sur la période"</p>
        <TimeSeriesChart points kind label testid="timeseries-svg" wide=true />
    }
    .into_any()
}

fn funnel_view(f: DashboardList<FunnelStepDto>) -> AnyView {
    if f.items.first().is_none_or(|s| s.count == 0) {
        return view! { <EmptyState title="Aucun dossier créé sur cette période." /> }.into_any();
    }
    let steps: Vec<FunnelStep> = f
        .items
        .iter()
        .map(|s| FunnelStep { label: wire_label::<DossierStatus>(&s.status, dossier_status_label), count: s.count })
        .collect();
    view! { <FunnelChart steps label="Entonnoir de conversion des dossiers" testid="funnel-svg" /> }.into_any()
}

fn conversion_text(won: i64, rate: Option<f64>) -> String {
    let won = format!("{} gagné{}", fr_int(won), if won > 1 { "s" } else { "" });
    match rate {
        Some(r) => format!("{won} · {}", fr_percent(r)),
        None => won,
    }
}

fn sources_view(s: DashboardList<SourceStatsDto>) -> AnyView {
    let items: Vec<HBarItem> = s
        .items
        .iter()
        .filter(|i| i.dossiers > 0)
        .map(|i| HBarItem {
            label: wire_label::<DossierSource>(&i.source, dossier_source_label),
            value: i.dossiers as f64,
            value_label: format!(
                "{} dossier{} · {}",
                fr_int(i.dossiers),
                if i.dossiers > 1 { "s" } else { "" },
                conversion_text(i.won, i.conversion_rate)
            ),
            href: None,
        })
        .collect();
    if items.is_empty() {
        return view! { <EmptyState title="Aucun dossier créé sur cette période." /> }.into_any();
    }
    view! { <HBarChart items label="Dossiers par source" testid="sources-svg" /> }.into_any()
}

fn top_view(t: DashboardList<TopAnnonceDto>) -> AnyView {
    let items: Vec<HBarItem> = t
        .items
        .iter()
        .map(|a| HBarItem {
            label: format!("{} · {}", a.reference, a.title),
            value: a.dossiers as f64,
            value_label: format!(
                "{} dossier{} · {}",
                fr_int(a.dossiers),
                if a.dossiers > 1 { "s" } else { "" },
                conversion_text(a.won, a.conversion_rate)
            ),
            href: Some(format!("/annonces/{}", a.annonce_id)),
        })
        .collect();
    if items.is_empty() {
        return view! { <EmptyState title="Aucun dossier lié à une annonce sur cette période." /> }.into_any();
    }
    view! { <HBarChart items label="Annonces par nombre de dossiers" testid="top-annonces-svg" wide=true /> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn last_days_include_today() {
        let today = d(2026, 3, 31);
        assert_eq!(Period::LastDays(7).range(today), (d(2026, 3, 25), today));
        assert_eq!(Period::LastDays(30).range(today), (d(2026, 3, 2), today));
        assert_eq!(Period::LastDays(30).default_interval(today), "day");
        assert_eq!(Period::LastDays(90).default_interval(today), "week");
        assert_eq!(
            period_query(Period::LastDays(7), today, &[("metric", "newDossiers")]),
            "?from=2026-03-25&to=2026-03-31&metric=newDossiers"
        );
    }

    #[test]
    fn custom_period_is_checked() {
        assert_eq!(
            parse_custom("2026-01-01", "2026-01-31"),
            Ok(Period::Custom { from: d(2026, 1, 1), to: d(2026, 1, 31) })
        );
        assert!(parse_custom("2026-02-01", "2026-01-31").is_err());
        assert!(parse_custom("", "2026-01-31").is_err());
        assert!(parse_custom("2000-01-01", "2026-01-31").is_err());
    }

    #[test]
    fn wire_names_get_french_labels() {
        assert_eq!(wire_label::<DossierStatus>("WON", dossier_status_label), "Gagné");
        assert_eq!(wire_label::<DossierSource>("WALK_IN", dossier_source_label), "Passage en agence");
        assert_eq!(wire_label::<DossierSource>("NEW_SOURCE", dossier_source_label), "NEW_SOURCE");
    }

    #[test]
    fn conversion_texts() {
        assert_eq!(conversion_text(0, None), "0 gagné");
        assert_eq!(conversion_text(3, Some(0.5)), "3 gagnés · 50\u{a0}%");
    }
}
