//! Dossier header: reference, lead, status bar with the allowed transitions, assignment.

use atlas_shared_types::dossier::{AssignDossierRequest, AvailableTransitionDto, DossierDto, DossierStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use uuid::Uuid;

use crate::api::{self};
use crate::components::error_box::error_message;
use crate::components::{use_toasts, ConfirmDialog, StatusBadge};
use crate::format::{date_time, money, or_dash, wire};
use crate::labels::{
    dossier_source_label, dossier_status_label, dossier_status_tone, dossier_type_label, reason_label, DOSSIER_STATUSES,
};
use crate::layout::{use_current_user, use_role};
use crate::members::{member_name, member_options, use_members};
use crate::pages::dossiers::transition::{available_transitions, change_status, Reason, ReasonDialog};
use crate::roles::{can_write, is_manager};

#[component]
pub fn DossierHeader(d: DossierDto, #[prop(into)] on_changed: Callback<()>) -> impl IntoView {
    let role = use_role();
    let members = use_members();
    let me = use_current_user().map(|c| c.user_id());
    let id = d.id;
    let status = d.status;
    let assigned = d.assigned_to_user_id;
    let contact = [d.lead_phone.clone(), d.lead_email.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
    let budget = match (d.budget_min, d.budget_max) {
        (None, None) => None,
        (a, b) => Some(format!(
            "{} – {}",
            a.map(money).unwrap_or_else(|| "…".into()),
            b.map(money).unwrap_or_else(|| "…".into())
        )),
    };
    let reason = d.loss_reason.clone().or(d.won_reason.clone());
    let reference = d.reference.clone();
    view! {
        <section class="card dossier-header" data-testid="dossier-header">
            <div class="dossier-header__top">
                <div>
                    <p class="eyebrow" data-testid="dossier-reference">{d.reference.clone()}</p>
                    <h1 data-testid="dossier-lead">{d.lead_name.clone()}</h1>
                    <p class="muted">{or_dash(Some(&contact))}</p>
                </div>
                <div class="dossier-header__actions">
                    <StatusBadge label=dossier_status_label(status) tone=dossier_status_tone(status) code=wire(&status) />
                    <Show when=move || can_write(role.get())>
                        <A href=format!("/dossiers/{id}/edit") attr:class="button button--small" attr:data-testid="dossier-edit">
                            "Modifier"
                        </A>
                    </Show>
                    <Show when=move || is_manager(role.get())>
                        <DeleteButton id reference=reference.clone() />
                    </Show>
                </div>
            </div>
            <dl class="facts">
                <div><dt>"Source"</dt><dd>{dossier_source_label(d.source)}</dd></div>
                <div><dt>"Type"</dt><dd>{dossier_type_label(d.dossier_type)}</dd></div>
                <div><dt>"Budget"</dt><dd>{or_dash(budget.as_deref())}</dd></div>
                <div>
                    <dt>"Annonce"</dt>
                    <dd>{match d.annonce_id {
                        Some(a) => view! { <A href=format!("/annonces/{a}")>"Voir l'annonce"</A> }.into_any(),
                        None => view! { "—" }.into_any(),
                    }}</dd>
                </div>
                <div>
                    <dt>"Conseiller"</dt>
                    <dd data-testid="dossier-assignee">{move || member_name(&members.get().unwrap_or_default(), me, assigned)}</dd>
                </div>
                <div><dt>"Dernière activité"</dt><dd>{date_time(&d.last_activity_at)}</dd></div>
                {reason.map(|r| view! {
                    <div><dt>"Motif"</dt><dd>{format!("{}{}", reason_label(&r), d.status_comment.clone().map(|c| format!(" — {c}")).unwrap_or_default())}</dd></div>
                })}
            </dl>
            <StatusBar id status on_changed editable=Signal::derive(move || can_write(role.get())) />
            <Show when=move || is_manager(role.get())>
                <AssignBox id assigned members on_changed />
            </Show>
        </section>
    }
}

/// The workflow as steps, with the allowed transitions as buttons.
#[component]
fn StatusBar(id: Uuid, status: DossierStatus, on_changed: Callback<()>, editable: Signal<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let transitions = LocalResource::new(move || available_transitions(id));
    let pending = RwSignal::new(None::<AvailableTransitionDto>);
    let busy = RwSignal::new(false);
    let run = move |to: DossierStatus, reason: Reason| {
        busy.set(true);
        spawn_local(async move {
            match change_status(id, to, reason).await {
                Ok(d) => {
                    toasts.success(format!("Dossier passé en « {} ».", dossier_status_label(d.status)));
                    on_changed.run(());
                }
                Err(e) => toasts.error(format!("Changement refusé : {}", error_message(&e))),
            }
            busy.set(false);
        });
    };
    let steps = DOSSIER_STATUSES
        .iter()
        .map(|s| {
            let current = *s == status;
            view! {
                <li class="step" class:step--current=current aria-current=current.then_some("step")>
                    {dossier_status_label(*s)}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="status-bar">
            <ol class="steps" aria-label="Étapes du dossier">{steps}</ol>
            <Show when=move || editable.get()>
                <div class="status-actions" data-testid="status-actions">
                    {move || match transitions.get() {
                        None => view! { <span class="muted small">"Chargement des étapes possibles…"</span> }.into_any(),
                        Some(Err(e)) => view! { <span class="field-error">{error_message(&e)}</span> }.into_any(),
                        Some(Ok(list)) if list.is_empty() => view! { <span class="muted small">"Dossier clos : aucune transition possible."</span> }.into_any(),
                        Some(Ok(list)) => list.into_iter().map(|t| {
                            let to = t.to;
                            let label = match to {
                                DossierStatus::Won => "Marquer gagné".to_owned(),
                                DossierStatus::Lost => "Marquer perdu".to_owned(),
                                other => format!("→ {}", dossier_status_label(other)),
                            };
                            view! {
                                <button
                                    type="button"
                                    class="button"
                                    class:button--danger=to == DossierStatus::Lost
                                    class:button--success=to == DossierStatus::Won
                                    data-testid="transition-button"
                                    data-status=wire(&to)
                                    disabled=move || busy.get()
                                    on:click=move |_| if t.requires_reason { pending.set(Some(t.clone())) } else { run(to, Reason::default()) }
                                >
                                    {label}
                                </button>
                            }
                        }).collect_view().into_any(),
                    }}
                </div>
            </Show>
        </div>
        {move || pending.get().map(|t| {
            let to = t.to;
            view! {
                <ReasonDialog
                    transition=t
                    on_confirm=move |r: Reason| {
                        pending.set(None);
                        run(to, r);
                    }
                    on_cancel=move |_| pending.set(None)
                />
            }
        })}
    }
}

#[component]
fn AssignBox(
    id: Uuid,
    assigned: Option<Uuid>,
    members: LocalResource<Vec<atlas_shared_types::ColleagueDto>>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let choice = RwSignal::new(assigned.map(|a| a.to_string()).unwrap_or_default());
    let busy = RwSignal::new(false);
    let save = move |_| {
        let user_id = Uuid::parse_str(&choice.get_untracked()).ok();
        busy.set(true);
        spawn_local(async move {
            let result: Result<DossierDto, _> =
                api::patch(&format!("/dossiers/{id}/assign"), &AssignDossierRequest { user_id }).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    toasts.success(if user_id.is_some() { "Dossier attribué." } else { "Dossier désattribué." });
                    on_changed.run(());
                }
                Err(e) => toasts.error(format!("Attribution refusée : {}", error_message(&e))),
            }
        });
    };
    view! {
        <div class="assign-box">
            <label for="assign-select">"Attribuer à"</label>
            <select id="assign-select" data-testid="assign-select" bind:value=choice>
                <option value="">"Personne"</option>
                {move || member_options(&members.get().unwrap_or_default()).into_iter().map(|(mid, name)| {
                    view! { <option value=mid.to_string() selected=Some(mid) == assigned>{name}</option> }
                }).collect_view()}
            </select>
            <button type="button" class="button" data-testid="assign-save" disabled=move || busy.get() on:click=save>
                "Attribuer"
            </button>
        </div>
    }
}

/// « Supprimer » (MANAGER+), after a confirmation; back to the list once done.
#[component]
fn DeleteButton(id: Uuid, reference: String) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let confirm = move |_| {
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::delete(&format!("/dossiers/{id}")).await;
            busy.set(false);
            asking.set(false);
            match result {
                Ok(()) => {
                    toasts.success("Dossier supprimé.");
                    navigate("/dossiers", NavigateOptions::default());
                }
                Err(e) => toasts.error(format!("Suppression refusée : {}", error_message(&e))),
            }
        });
    };
    let message = format!(
        "Le dossier {reference} sera supprimé avec sa timeline, ses messages, rendez-vous, parties \
         prenantes et consentements (le journal d'audit les conserve). Cette action est définitive."
    );
    view! {
        <button type="button" class="button button--small button--danger" data-testid="dossier-delete" on:click=move |_| asking.set(true)>
            "Supprimer"
        </button>
        <Show when=move || asking.get()>
            <ConfirmDialog
                title="Supprimer le dossier ?"
                message=message.clone()
                confirm_label="Supprimer définitivement"
                busy=busy
                on_confirm=confirm.clone()
                on_cancel=move |_| asking.set(false)
            />
        </Show>
    }
}
