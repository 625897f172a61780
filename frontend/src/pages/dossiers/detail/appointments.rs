//! Rendez-vous tab: the dossier's appointments and a form to add one; an overlap with another
//! appointment of the same assignee is shown from the answer's `warnings`.

use atlas_shared_types::appointment::{AppointmentDto, CreateAppointmentRequest};
use atlas_shared_types::Page;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api;
use crate::components::error_box::{error_message, field_error};
use crate::components::{use_toasts, EmptyState, ErrorBox, Field, Loading, StatusBadge};
use crate::format::{date_time, parse_local_input, time, wire};
use crate::labels::appointment_status_label;
use crate::layout::{use_current_user, use_role};
use crate::members::{member_name, member_options, use_members};
use crate::roles::can_write;

pub const OVERLAP_MESSAGE: &str =
    "Attention : ce rendez-vous chevauche un autre rendez-vous du même conseiller.";

#[component]
pub fn AppointmentsTab(id: Uuid) -> impl IntoView {
    let role = use_role();
    let members = use_members();
    let me = use_current_user().map(|c| c.user_id());
    let list = LocalResource::new(move || async move {
        api::get::<Page<AppointmentDto>>(&format!("/appointments?dossierId={id}&size=100&sort=startsAt,asc")).await
    });
    view! {
        <h2 class="visually-hidden">"Rendez-vous"</h2>
        <Show when=move || can_write(role.get())>
            <AppointmentForm id members on_added=move |_| list.refetch() />
        </Show>
        <Transition fallback=|| view! { <Loading /> }>
            {move || list.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| list.refetch() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! { <EmptyState title="Aucun rendez-vous pour ce dossier." /> }.into_any(),
                Ok(p) => {
                    let all = members.get().unwrap_or_default();
                    view! {
                        <ul class="list" data-testid="appointments">
                            {p.items.into_iter().map(|a| view! {
                                <li class="list__item" data-testid="appointment">
                                    <div>
                                        <strong>{a.title.clone()}</strong>
                                        <p class="muted small">
                                            {format!("{} – {} · {} · {}", date_time(&a.starts_at), time(&a.ends_at),
                                                a.location.clone().unwrap_or_else(|| "Lieu non précisé".into()),
                                                member_name(&all, me, a.assigned_to_user_id))}
                                        </p>
                                    </div>
                                    <StatusBadge label=appointment_status_label(a.status) code=wire(&a.status) />
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

#[component]
fn AppointmentForm(
    id: Uuid,
    members: LocalResource<Vec<atlas_shared_types::MemberDto>>,
    #[prop(into)] on_added: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let me = use_current_user().map(|c| c.user_id().to_string()).unwrap_or_default();
    let title = RwSignal::new("Visite".to_owned());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    let assignee = RwSignal::new(me);
    let title_error = RwSignal::new(None::<String>);
    let time_error = RwSignal::new(None::<String>);
    let warning = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        warning.set(None);
        let t = title.get_untracked().trim().to_owned();
        title_error.set(t.is_empty().then(|| "Le titre est obligatoire.".to_owned()));
        let (s, e) = (parse_local_input(&starts.get_untracked()), parse_local_input(&ends.get_untracked()));
        let times = match (s, e) {
            (Some(s), Some(e)) if e > s => Ok((s, e)),
            (Some(_), Some(_)) => Err("La fin doit être après le début."),
            _ => Err("Indiquez le début et la fin."),
        };
        time_error.set(times.err().map(str::to_owned));
        let (Ok((starts_at, ends_at)), false) = (times, t.is_empty()) else { return };
        let body = CreateAppointmentRequest {
            dossier_id: id,
            annonce_id: None,
            title: t,
            starts_at,
            ends_at,
            location: Some(location.get_untracked().trim().to_owned()).filter(|l| !l.is_empty()),
            assigned_to_user_id: Uuid::parse_str(&assignee.get_untracked()).ok(),
            status: None,
            notes: None,
        };
        busy.set(true);
        spawn_local(async move {
            let result: Result<AppointmentDto, _> = api::post("/appointments", &body).await;
            busy.set(false);
            match result {
                Ok(a) => {
                    let overlaps = a.warnings.as_ref().is_some_and(|w| w.iter().any(|w| w.code == "OVERLAP"));
                    if overlaps {
                        warning.set(Some(OVERLAP_MESSAGE.to_owned()));
                        toasts.success("Rendez-vous ajouté (chevauchement signalé).");
                    } else {
                        toasts.success("Rendez-vous ajouté.");
                    }
                    on_added.run(());
                }
                Err(e) => {
                    if e.code() == Some("APPOINTMENT_CONFLICT") {
                        time_error.set(Some("Créneau déjà pris par un autre rendez-vous de ce conseiller.".to_owned()));
                    } else {
                        time_error.set(field_error(&e, "endsAt").or(field_error(&e, "startsAt")));
                        title_error.set(field_error(&e, "title"));
                    }
                    toasts.error(format!("Rendez-vous non ajouté : {}", error_message(&e)));
                }
            }
        });
    };
    view! {
        {move || warning.get().map(|w| view! { <p class="alert alert--warning" role="status" data-testid="overlap-warning">{w}</p> })}
        <form class="form form--grid" on:submit=submit novalidate=true data-testid="appointment-form">
            <Field label="Titre" id="appt-title" required=true error=title_error>
                <input id="appt-title" type="text" data-testid="appt-title" bind:value=title />
            </Field>
            <Field label="Début" id="appt-start" required=true error=time_error>
                <input id="appt-start" type="datetime-local" data-testid="appt-start" bind:value=starts />
            </Field>
            <Field label="Fin" id="appt-end" required=true>
                <input id="appt-end" type="datetime-local" data-testid="appt-end" bind:value=ends />
            </Field>
            <Field label="Lieu" id="appt-location">
                <input id="appt-location" type="text" data-testid="appt-location" bind:value=location />
            </Field>
            <Field label="Conseiller" id="appt-assignee">
                <select id="appt-assignee" data-testid="appt-assignee" bind:value=assignee>
                    <option value="">"Personne"</option>
                    {move || member_options(&members.get().unwrap_or_default()).into_iter().map(|(mid, name)| {
                        view! { <option value=mid.to_string()>{name}</option> }
                    }).collect_view()}
                </select>
            </Field>
            <div class="actions form--full">
                <button type="submit" class="button button--primary" data-testid="appt-submit" disabled=move || busy.get()>
                    "Ajouter le rendez-vous"
                </button>
            </div>
        </form>
    }
}
