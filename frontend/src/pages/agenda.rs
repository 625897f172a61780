//! `/agenda`: appointments of a 14-day period (from today by default, moved a week at a time),
//! grouped by day, filtered by assignee; the period and the filter are kept in the URL.

use std::collections::BTreeMap;

use atlas_shared_types::appointment::{AppointmentDto, AppointmentStatus};
use atlas_shared_types::Page;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::components::{EmptyState, ErrorBox, Loading, StatusBadge};
use crate::format::{from_millis, local_day_key, long_day, now, time, wire};
use crate::labels::appointment_status_label;
use crate::layout::use_current_user;
use crate::members::{member_name, member_options, use_members};
use crate::url_state::bind_to_url;

const DAYS: i64 = 14;
/// Most appointments shown for a period (the API's page size).
const MAX: u32 = 100;

/// Local midnight of `YYYY-MM-DD`, or of today when it is empty or not a date.
fn period_start(day: &str) -> js_sys::Date {
    let parts: Vec<u32> = day.split('-').filter_map(|p| p.parse().ok()).collect();
    let start = js_sys::Date::new_0();
    if let [y, m, d] = parts[..] {
        if (1..=12).contains(&m) && (1..=31).contains(&d) {
            start.set_full_year_with_month_date(y, m as i32 - 1, d as i32);
        }
    }
    start.set_hours(0);
    start.set_minutes(0);
    start.set_seconds(0);
    start.set_milliseconds(0);
    start
}

/// `YYYY-MM-DD` of a date shifted by `days` (local calendar days: DST-safe).
fn shifted(day: &str, days: i32) -> String {
    let base = period_start(day);
    // The Date constructor carries day overflow and underflow into the month and year.
    let d = js_sys::Date::new_with_year_month_day(
        base.get_full_year(),
        base.get_month() as i32,
        base.get_date() as i32 + days,
    );
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

#[component]
pub fn AgendaPage() -> impl IntoView {
    let members = use_members();
    let me = use_current_user().map(|c| c.user_id());
    let assignee = RwSignal::new(String::new());
    // First day of the period, `YYYY-MM-DD`; empty = today.
    let start = RwSignal::new(String::new());
    bind_to_url(vec![("assignedToUserId", assignee, ""), ("du", start, "")], RwSignal::new(0));
    let appointments = LocalResource::new(move || {
        let first = period_start(&start.get());
        let from = from_millis(first.get_time());
        let last = period_start(&shifted(&start.get(), DAYS as i32));
        let to = from_millis(last.get_time());
        let path = format!(
            "/appointments{}",
            api::query(&[
                ("from", from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                ("to", to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                ("assignedToUserId", assignee.get()),
                ("sort", "startsAt,asc".to_owned()),
                ("size", MAX.to_string()),
            ])
        );
        async move { api::get::<Page<AppointmentDto>>(&path).await }
    });
    view! {
        <div class="page-header">
            <h1 data-testid="page-title">"Agenda"</h1>
            <label class="inline-filter">
                <span>"Conseiller"</span>
                <select data-testid="agenda-assignee" bind:value=assignee>
                    <option value="">"Tous"</option>
                    {move || member_options(&members.get().unwrap_or_default()).into_iter().map(|(id, n)| view! { <option value=id.to_string()>{n}</option> }).collect_view()}
                </select>
            </label>
        </div>
        <nav class="agenda-nav" aria-label="Période">
            <button type="button" class="button" data-testid="agenda-prev" on:click=move |_| start.set(shifted(&start.get_untracked(), -7))>
                "← Semaine précédente"
            </button>
            <button type="button" class="button" data-testid="agenda-today" disabled=move || start.with(String::is_empty) on:click=move |_| start.set(String::new())>
                "Aujourd'hui"
            </button>
            <button type="button" class="button" data-testid="agenda-next" on:click=move |_| start.set(shifted(&start.get_untracked(), 7))>
                "Semaine suivante →"
            </button>
            <span class="muted" data-testid="agenda-period">
                {move || {
                    let first = from_millis(period_start(&start.get()).get_time());
                    let last = from_millis(period_start(&shifted(&start.get(), DAYS as i32 - 1)).get_time());
                    format!("Du {} au {}", long_day(&first), long_day(&last))
                }}
            </span>
        </nav>
        <Transition fallback=|| view! { <Loading label="Chargement de l'agenda…" /> }>
            {move || appointments.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| appointments.refetch() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! {
                    <EmptyState title="Aucun rendez-vous sur cette période." hint="Les rendez-vous s'ajoutent depuis l'onglet Rendez-vous d'un dossier." />
                }.into_any(),
                Ok(p) => {
                    let hidden = p.total_items.saturating_sub(p.items.len() as u64);
                    let all = members.get().unwrap_or_default();
                    let mut days: BTreeMap<String, (String, Vec<AppointmentDto>)> = BTreeMap::new();
                    for a in p.items {
                        days.entry(local_day_key(&a.starts_at))
                            .or_insert_with(|| (long_day(&a.starts_at), Vec::new()))
                            .1
                            .push(a);
                    }
                    let today = local_day_key(&now());
                    let notice = (hidden > 0).then(|| view! {
                        <p class="alert alert--warning" role="status" data-testid="agenda-truncated">
                            {format!("{hidden} rendez-vous de plus sur cette période ne sont pas affichés : filtrez par conseiller.")}
                        </p>
                    });
                    let days = days.into_iter().map(|(key, (label, items))| {
                        let all = all.clone();
                        view! {
                            <section class="card agenda-day" data-testid="agenda-day">
                                <h2>{label}{(key == today).then_some(" · aujourd'hui")}</h2>
                                <ul class="list">
                                    {items.into_iter().map(|a| {
                                        let cancelled = a.status == AppointmentStatus::Cancelled;
                                        view! {
                                            <li class="list__item" class:list__item--muted=cancelled data-testid="agenda-item">
                                                <span class="agenda-time">{format!("{} – {}", time(&a.starts_at), time(&a.ends_at))}</span>
                                                <div class="grow">
                                                    <A href=format!("/dossiers/{}?tab=appointments", a.dossier_id)>{a.title.clone()}</A>
                                                    <p class="muted small">{format!("{} · {}", a.location.clone().unwrap_or_else(|| "Lieu non précisé".into()), member_name(&all, me, a.assigned_to_user_id))}</p>
                                                </div>
                                                <StatusBadge label=appointment_status_label(a.status) code=wire(&a.status) />
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </section>
                        }
                    }).collect_view();
                    view! { {notice} {days} }.into_any()
                }
            })}
        </Transition>
    }
}
