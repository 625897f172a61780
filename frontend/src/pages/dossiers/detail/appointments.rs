//! Rendez-vous tab: the dossier's appointments, a form to add one, and per appointment: edit,
//! status (confirmed, done, no-show) and cancellation. An overlap with another appointment of the
//! same assignee is shown from the answer's `warnings`.

use atlas_shared_types::appointment::{
    AppointmentDto, AppointmentStatus, CreateAppointmentRequest, UpdateAppointmentRequest,
};
use atlas_shared_types::Page;
use chrono::{DateTime, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::{self, ApiError, Method};
use crate::components::error_box::{error_message, field_error};
use crate::components::{use_toasts, ConfirmDialog, EmptyState, ErrorBox, Field, Loading, StatusBadge};
use crate::format::{date_time, local_input, parse_local_input, time, wire};
use crate::labels::appointment_status_label;
use crate::layout::{use_current_user, use_role};
use crate::members::{member_name, member_options, use_members};
use crate::roles::can_write;

pub const OVERLAP_MESSAGE: &str = "Attention : ce rendez-vous chevauche un autre rendez-vous du même conseiller.";

type Members = LocalResource<Vec<atlas_shared_types::ColleagueDto>>;

/// The full representation a `PUT` takes, from an appointment and what changes.
fn update_of(a: &AppointmentDto, status: AppointmentStatus) -> UpdateAppointmentRequest {
    UpdateAppointmentRequest {
        dossier_id: a.dossier_id,
        annonce_id: a.annonce_id,
        title: a.title.clone(),
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        location: a.location.clone(),
        assigned_to_user_id: a.assigned_to_user_id,
        status: Some(status),
        notes: a.notes.clone(),
        version: Some(a.version),
    }
}

fn overlaps(a: &AppointmentDto) -> bool {
    a.warnings.as_ref().is_some_and(|w| w.iter().any(|w| w.code == "OVERLAP"))
}

#[component]
pub fn AppointmentsTab(id: Uuid) -> impl IntoView {
    let role = use_role();
    let members = use_members();
    let me = use_current_user().map(|c| c.user_id());
    let list = LocalResource::new(move || async move {
        api::get::<Page<AppointmentDto>>(&format!("/appointments?dossierId={id}&size=100&sort=startsAt,asc")).await
    });
    // The appointment being edited, the one whose cancellation is being confirmed.
    let editing = RwSignal::new(None::<Uuid>);
    let cancelling = RwSignal::new(None::<AppointmentDto>);
    let warning = RwSignal::new(None::<String>);
    let on_saved = Callback::new(move |a: AppointmentDto| {
        warning.set(overlaps(&a).then(|| OVERLAP_MESSAGE.to_owned()));
        editing.set(None);
        list.refetch();
    });
    view! {
        <h2 class="visually-hidden">"Rendez-vous"</h2>
        {move || warning.get().map(|w| view! { <p class="alert alert--warning" role="status" data-testid="overlap-warning">{w}</p> })}
        <Show when=move || can_write(role.get())>
            <AppointmentForm dossier=id members on_saved />
        </Show>
        <Transition fallback=|| view! { <Loading /> }>
            {move || list.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| list.refetch() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! { <EmptyState title="Aucun rendez-vous pour ce dossier." /> }.into_any(),
                Ok(p) => {
                    let all = members.get().unwrap_or_default();
                    view! {
                        <ul class="list" data-testid="appointments">
                            {p.items.into_iter().map(|a| {
                                let aid = a.id;
                                let line = format!("{} – {} · {} · {}", date_time(&a.starts_at), time(&a.ends_at),
                                    a.location.clone().unwrap_or_else(|| "Lieu non précisé".into()),
                                    member_name(&all, me, a.assigned_to_user_id));
                                let a = StoredValue::new(a);
                                view! {
                                    <li class="list__item list__item--stack" data-testid="appointment">
                                        <div class="list__row">
                                            <div>
                                                <strong>{a.with_value(|a| a.title.clone())}</strong>
                                                <p class="muted small">{line}</p>
                                            </div>
                                            {a.with_value(|a| view! { <StatusBadge label=appointment_status_label(a.status) code=wire(&a.status) /> })}
                                        </div>
                                        <Show when=move || can_write(role.get()) && a.with_value(|a| a.status != AppointmentStatus::Cancelled)>
                                            <AppointmentActions
                                                appointment=a.get_value()
                                                on_edit=move |_| editing.set(if editing.get_untracked() == Some(aid) { None } else { Some(aid) })
                                                on_cancel=move |_| cancelling.set(Some(a.get_value()))
                                                on_changed=move |_| list.refetch()
                                            />
                                        </Show>
                                        <Show when=move || editing.get() == Some(aid)>
                                            <AppointmentForm dossier=id members existing=a.get_value() on_saved on_close=move |_| editing.set(None) />
                                        </Show>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </Transition>
        {move || cancelling.get().map(|a| view! { <CancelDialog appointment=a on_done=move |_| { cancelling.set(None); list.refetch(); } on_close=move |_| cancelling.set(None) /> })}
    }
}

/// Edit, the status steps that make sense from here, and cancel.
#[component]
fn AppointmentActions(
    appointment: AppointmentDto,
    #[prop(into)] on_edit: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_changed: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let appointment = StoredValue::new(appointment);
    let set_status = move |status: AppointmentStatus| {
        busy.set(true);
        let a = appointment.get_value();
        spawn_local(async move {
            let result: Result<AppointmentDto, _> =
                api::put(&format!("/appointments/{}", a.id), &update_of(&a, status), Some(a.version)).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    toasts.success(format!("Rendez-vous : {}.", appointment_status_label(status).to_lowercase()));
                    on_changed.run(());
                }
                Err(e) => toasts.error(format!("Modification refusée : {}", error_message(&e))),
            }
        });
    };
    let current = appointment.with_value(|a| a.status);
    let steps = [AppointmentStatus::Confirmed, AppointmentStatus::Done, AppointmentStatus::NoShow]
        .into_iter()
        .filter(|s| *s != current)
        .map(|s| {
            view! {
                <button type="button" class="button button--small" data-testid="appt-status" data-status=wire(&s)
                    disabled=move || busy.get() on:click=move |_| set_status(s)>
                    {appointment_status_label(s)}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="list__actions">
            <button type="button" class="button button--small" data-testid="appt-edit" disabled=move || busy.get() on:click=move |_| on_edit.run(())>"Modifier"</button>
            {steps}
            <button type="button" class="button button--small button--danger" data-testid="appt-cancel" disabled=move || busy.get() on:click=move |_| on_cancel.run(())>
                "Annuler le rendez-vous"
            </button>
        </div>
    }
}

#[component]
fn CancelDialog(
    appointment: AppointmentDto,
    #[prop(into)] on_done: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let message = format!(
        "« {} » du {} restera visible, marqué annulé, et libérera le créneau.",
        appointment.title,
        date_time(&appointment.starts_at)
    );
    let appointment = StoredValue::new(appointment);
    let confirm = move |_| {
        busy.set(true);
        let a = appointment.get_value();
        spawn_local(async move {
            let body = update_of(&a, AppointmentStatus::Cancelled);
            let result: Result<AppointmentDto, _> =
                api::put(&format!("/appointments/{}", a.id), &body, Some(a.version)).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    toasts.success("Rendez-vous annulé.");
                    on_done.run(());
                }
                Err(e) => toasts.error(format!("Annulation refusée : {}", error_message(&e))),
            }
        });
    };
    view! {
        <ConfirmDialog
            title="Annuler le rendez-vous ?"
            message
            confirm_label="Annuler le rendez-vous"
            busy
            on_confirm=confirm
            on_cancel=on_close
            testid="appt-cancel-dialog"
        />
    }
}

/// Checks what the server checks: a title, an end after the start.
fn check_times(starts: &str, ends: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), &'static str> {
    match (parse_local_input(starts), parse_local_input(ends)) {
        (Some(s), Some(e)) if e > s => Ok((s, e)),
        (Some(_), Some(_)) => Err("La fin doit être après le début."),
        _ => Err("Indiquez le début et la fin."),
    }
}

/// Adds an appointment, or edits `existing`.
#[component]
fn AppointmentForm(
    dossier: Uuid,
    members: Members,
    #[prop(optional)] existing: Option<AppointmentDto>,
    #[prop(into)] on_saved: Callback<AppointmentDto>,
    #[prop(optional, into)] on_close: Option<Callback<()>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let me = use_current_user().map(|c| c.user_id().to_string()).unwrap_or_default();
    let prefix = existing.as_ref().map(|a| format!("appt-{}", a.id)).unwrap_or_else(|| "appt".to_owned());
    let title = RwSignal::new(existing.as_ref().map_or_else(|| "Visite".to_owned(), |a| a.title.clone()));
    let starts = RwSignal::new(existing.as_ref().map(|a| local_input(&a.starts_at)).unwrap_or_default());
    let ends = RwSignal::new(existing.as_ref().map(|a| local_input(&a.ends_at)).unwrap_or_default());
    let location = RwSignal::new(existing.as_ref().and_then(|a| a.location.clone()).unwrap_or_default());
    let assignee = RwSignal::new(match &existing {
        Some(a) => a.assigned_to_user_id.map(|u| u.to_string()).unwrap_or_default(),
        None => me,
    });
    let title_error = RwSignal::new(None::<String>);
    let time_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let editing = existing.is_some();
    let existing = StoredValue::new(existing);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let t = title.get_untracked().trim().to_owned();
        title_error.set(t.is_empty().then(|| "Le titre est obligatoire.".to_owned()));
        let times = check_times(&starts.get_untracked(), &ends.get_untracked());
        time_error.set(times.err().map(str::to_owned));
        let (Ok((starts_at, ends_at)), false) = (times, t.is_empty()) else { return };
        let location = Some(location.get_untracked().trim().to_owned()).filter(|l| !l.is_empty());
        let assigned_to_user_id = Uuid::parse_str(&assignee.get_untracked()).ok();
        let current = existing.get_value();
        busy.set(true);
        spawn_local(async move {
            let result: Result<AppointmentDto, ApiError> = match &current {
                None => {
                    let body = CreateAppointmentRequest {
                        dossier_id: dossier,
                        annonce_id: None,
                        title: t,
                        starts_at,
                        ends_at,
                        location,
                        assigned_to_user_id,
                        status: None,
                        notes: None,
                    };
                    api::post("/appointments", &body).await
                }
                Some(a) => {
                    let body = UpdateAppointmentRequest {
                        title: t,
                        starts_at,
                        ends_at,
                        location,
                        assigned_to_user_id,
                        ..update_of(a, a.status)
                    };
                    api::write(Method::Put, &format!("/appointments/{}", a.id), &body, Some(a.version))
                        .await
                        .map(|w| w.body)
                }
            };
            busy.set(false);
            match result {
                Ok(a) => {
                    let verb = if editing { "modifié" } else { "ajouté" };
                    if overlaps(&a) {
                        toasts.success(format!("Rendez-vous {verb} (chevauchement signalé)."));
                    } else {
                        toasts.success(format!("Rendez-vous {verb}."));
                    }
                    on_saved.run(a);
                }
                Err(e) => {
                    if e.code() == Some("APPOINTMENT_CONFLICT") {
                        time_error.set(Some("Créneau déjà pris par un autre rendez-vous de ce conseiller.".to_owned()));
                    } else {
                        time_error.set(field_error(&e, "endsAt").or(field_error(&e, "startsAt")));
                        title_error.set(field_error(&e, "title"));
                    }
                    let verb = if editing { "modifié" } else { "ajouté" };
                    toasts.error(format!("Rendez-vous non {verb} : {}", error_message(&e)));
                }
            }
        });
    };
    let [title_id, start_id, end_id, location_id, assignee_id] =
        ["title", "start", "end", "location", "assignee"].map(|f| format!("{prefix}-{f}"));
    view! {
        <form class="form form--grid" on:submit=submit novalidate=true data-testid=if editing { "appointment-edit-form" } else { "appointment-form" }>
            <Field label="Titre" id=title_id.clone() required=true error=title_error>
                <input id=title_id type="text" data-testid="appt-title" bind:value=title />
            </Field>
            <Field label="Début" id=start_id.clone() required=true error=time_error>
                <input id=start_id type="datetime-local" data-testid="appt-start" bind:value=starts />
            </Field>
            <Field label="Fin" id=end_id.clone() required=true>
                <input id=end_id type="datetime-local" data-testid="appt-end" bind:value=ends />
            </Field>
            <Field label="Lieu" id=location_id.clone()>
                <input id=location_id type="text" data-testid="appt-location" bind:value=location />
            </Field>
            <Field label="Conseiller" id=assignee_id.clone()>
                <select id=assignee_id data-testid="appt-assignee" bind:value=assignee>
                    <option value="">"Personne"</option>
                    {move || member_options(&members.get().unwrap_or_default()).into_iter().map(|(mid, name)| {
                        let selected = assignee.get_untracked() == mid.to_string();
                        view! { <option value=mid.to_string() selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </Field>
            <div class="actions form--full">
                {on_close.map(|close| view! {
                    <button type="button" class="button" data-testid="appt-edit-close" on:click=move |_| close.run(())>"Fermer"</button>
                })}
                <button type="submit" class="button button--primary" data-testid="appt-submit" disabled=move || busy.get()>
                    {if editing { "Enregistrer" } else { "Ajouter le rendez-vous" }}
                </button>
            </div>
        </form>
    }
}
