//! `/agenda`: appointments of the coming 14 days, grouped by day, filtered by assignee.

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

const DAYS: i64 = 14;

#[component]
pub fn AgendaPage() -> impl IntoView {
    let members = use_members();
    let me = use_current_user().map(|c| c.user_id());
    let assignee = RwSignal::new(String::new());
    let appointments = LocalResource::new(move || {
        // From the start of today (local) to 14 days later.
        let today = js_sys::Date::new_0();
        today.set_hours(0);
        today.set_minutes(0);
        today.set_seconds(0);
        today.set_milliseconds(0);
        let from = from_millis(today.get_time());
        let to = from + chrono::Duration::days(DAYS);
        let path = format!(
            "/appointments{}",
            api::query(&[
                ("from", from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                ("to", to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                ("assignedToUserId", assignee.get()),
                ("sort", "startsAt,asc".to_owned()),
                ("size", "100".to_owned()),
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
        <p class="muted">{format!("Rendez-vous des {DAYS} prochains jours.")}</p>
        <Transition fallback=|| view! { <Loading label="Chargement de l'agenda…" /> }>
            {move || appointments.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| appointments.refetch() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! {
                    <EmptyState title="Aucun rendez-vous dans les 14 prochains jours." hint="Les rendez-vous s'ajoutent depuis l'onglet Rendez-vous d'un dossier." />
                }.into_any(),
                Ok(p) => {
                    let all = members.get().unwrap_or_default();
                    let mut days: BTreeMap<String, (String, Vec<AppointmentDto>)> = BTreeMap::new();
                    for a in p.items {
                        days.entry(local_day_key(&a.starts_at))
                            .or_insert_with(|| (long_day(&a.starts_at), Vec::new()))
                            .1
                            .push(a);
                    }
                    let today = local_day_key(&now());
                    days.into_iter().map(|(key, (label, items))| {
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
                    }).collect_view().into_any()
                }
            })}
        </Transition>
    }
}
