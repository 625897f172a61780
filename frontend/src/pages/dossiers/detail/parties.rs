//! Parties prenantes tab: list, add and edit (AGENT+), remove after a confirmation (MANAGER+).

use atlas_shared_types::party::{PartyDto, PartyRequest, PartyRole};
use atlas_shared_types::Page;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::error_box::{error_message, field_error};
use crate::components::{use_toasts, ConfirmDialog, EmptyState, ErrorBox, Field, Loading};
use crate::format::or_dash;
use crate::labels::party_role_label;
use crate::layout::use_role;
use crate::roles::{can_write, is_manager};

fn display_name(p: &PartyDto) -> String {
    format!("{} {}", p.first_name.clone().unwrap_or_default(), p.last_name.clone().unwrap_or_default())
        .trim()
        .to_owned()
}

#[component]
pub fn PartiesTab(id: Uuid) -> impl IntoView {
    let role = use_role();
    let toasts = use_toasts();
    let list = LocalResource::new(move || async move {
        api::get::<Page<PartyDto>>(&format!("/parties-prenantes?dossierId={id}&size=100")).await
    });
    let editing = RwSignal::new(None::<Uuid>);
    let removing = RwSignal::new(None::<PartyDto>);
    let busy = RwSignal::new(false);
    let remove = move |_| {
        let Some(party) = removing.get_untracked() else { return };
        busy.set(true);
        spawn_local(async move {
            let result = api::delete(&format!("/parties-prenantes/{}", party.id)).await;
            busy.set(false);
            removing.set(None);
            match result {
                Ok(()) => {
                    toasts.success("Partie prenante retirée.");
                    list.refetch();
                }
                Err(e) => toasts.error(format!("Suppression refusée : {}", error_message(&e))),
            }
        });
    };
    view! {
        <h2 class="visually-hidden">"Parties prenantes"</h2>
        <Transition fallback=|| view! { <Loading /> }>
            {move || list.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| list.refetch() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! { <EmptyState title="Aucune partie prenante." hint="Ajoutez acquéreurs, vendeurs, notaire, banque…" /> }.into_any(),
                Ok(p) => view! {
                    <ul class="list" data-testid="parties">
                        {p.items.into_iter().map(|x| {
                            let pid = x.id;
                            let contact = [x.phone.clone(), x.email.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                            let party = StoredValue::new(x);
                            view! {
                                <li class="list__item list__item--stack" data-testid="party">
                                    <div class="list__row">
                                        <div>
                                            <strong>{party.with_value(display_name)}</strong>" "
                                            <span class="badge">{party.with_value(|x| party_role_label(x.role))}</span>
                                            <p class="muted small">{or_dash(Some(&contact))}</p>
                                        </div>
                                        <div class="list__actions">
                                            <Show when=move || can_write(role.get())>
                                                <button type="button" class="button button--small" data-testid="party-edit"
                                                    aria-expanded=move || (editing.get() == Some(pid)).to_string()
                                                    on:click=move |_| editing.update(|e| *e = if *e == Some(pid) { None } else { Some(pid) })>
                                                    "Modifier"
                                                </button>
                                            </Show>
                                            <Show when=move || is_manager(role.get())>
                                                <button type="button" class="button button--small button--danger" data-testid="party-remove"
                                                    on:click=move |_| removing.set(Some(party.get_value()))>
                                                    "Retirer"
                                                </button>
                                            </Show>
                                        </div>
                                    </div>
                                    <Show when=move || editing.get() == Some(pid)>
                                        <PartyForm
                                            dossier=id
                                            existing=party.get_value()
                                            on_saved=move |_| { editing.set(None); list.refetch(); }
                                            on_close=move |_| editing.set(None)
                                        />
                                    </Show>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Transition>
        <Show when=move || can_write(role.get())>
            <PartyForm dossier=id on_saved=move |_| list.refetch() />
        </Show>
        {move || removing.get().map(|p| view! {
            <ConfirmDialog
                title="Retirer la partie prenante ?"
                message=format!("{} ({}) ne sera plus liée à ce dossier.", display_name(&p), party_role_label(p.role))
                confirm_label="Retirer"
                busy
                on_confirm=remove
                on_cancel=move |_| removing.set(None)
                testid="party-remove-dialog"
            />
        })}
    }
}

/// Adds a party to the dossier, or edits `existing`.
#[component]
fn PartyForm(
    dossier: Uuid,
    #[prop(optional)] existing: Option<PartyDto>,
    #[prop(into)] on_saved: Callback<()>,
    #[prop(optional, into)] on_close: Option<Callback<()>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let text = |f: fn(&PartyDto) -> Option<String>| existing.as_ref().and_then(f).unwrap_or_default();
    let role = RwSignal::new(existing.as_ref().map_or("BUYER", |p| p.role.as_str()).to_owned());
    let first = RwSignal::new(text(|p| p.first_name.clone()));
    let last = RwSignal::new(text(|p| p.last_name.clone()));
    let phone = RwSignal::new(text(|p| p.phone.clone()));
    let email = RwSignal::new(text(|p| p.email.clone()));
    let name_error = RwSignal::new(None::<String>);
    let phone_error = RwSignal::new(None::<String>);
    let email_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let editing = existing.is_some();
    let prefix = existing.as_ref().map(|p| format!("party-{}", p.id)).unwrap_or_else(|| "party".to_owned());
    let existing = StoredValue::new(existing);
    let opt = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(r) = PartyRole::parse(&role.get_untracked()) else { return };
        if first.get_untracked().trim().is_empty() && last.get_untracked().trim().is_empty() {
            name_error.set(Some("Indiquez au moins un nom ou un prénom.".to_owned()));
            return;
        }
        let mail = email.get_untracked();
        if !mail.trim().is_empty() && !mail.contains('@') {
            email_error.set(Some("Adresse email invalide.".to_owned()));
            return;
        }
        for e in [name_error, phone_error, email_error] {
            e.set(None);
        }
        let current = existing.get_value();
        let body = PartyRequest {
            dossier_id: dossier,
            role: r,
            first_name: opt(first.get_untracked()),
            last_name: opt(last.get_untracked()),
            phone: opt(phone.get_untracked()),
            email: opt(mail),
            // Not edited here: kept as they are.
            address: current.as_ref().and_then(|p| p.address.clone()),
            notes: current.as_ref().and_then(|p| p.notes.clone()),
            version: current.as_ref().map(|p| p.version),
        };
        busy.set(true);
        spawn_local(async move {
            let result: Result<PartyDto, ApiError> = match &current {
                None => api::post("/parties-prenantes", &body).await,
                Some(p) => api::put(&format!("/parties-prenantes/{}", p.id), &body, Some(p.version)).await,
            };
            busy.set(false);
            match result {
                Ok(_) => {
                    if !editing {
                        for s in [first, last, phone, email] {
                            s.set(String::new());
                        }
                    }
                    toasts.success(if editing { "Partie prenante modifiée." } else { "Partie prenante ajoutée." });
                    on_saved.run(());
                }
                Err(e) => {
                    phone_error.set(field_error(&e, "phone"));
                    email_error.set(field_error(&e, "email"));
                    name_error.set(field_error(&e, "lastName").or(field_error(&e, "firstName")).or_else(|| {
                        // Not a field error: say it under the form's first field.
                        (field_error(&e, "phone").is_none() && field_error(&e, "email").is_none())
                            .then(|| error_message(&e))
                    }));
                }
            }
        });
    };
    let [role_id, first_id, last_id, phone_id, email_id] =
        ["role", "first", "last", "phone", "email"].map(|f| format!("{prefix}-{f}"));
    view! {
        <form class="form form--grid" on:submit=submit novalidate=true data-testid=if editing { "party-edit-form" } else { "party-form" }>
            {(!editing).then(|| view! { <h3 class="form--full">"Ajouter une partie prenante"</h3> })}
            <Field label="Rôle" id=role_id.clone()>
                <select id=role_id data-testid="party-role" bind:value=role>
                    {PartyRole::ALL.iter().map(|r| {
                        let selected = role.get_untracked() == r.as_str();
                        view! { <option value=r.as_str() selected=selected>{party_role_label(*r)}</option> }
                    }).collect_view()}
                </select>
            </Field>
            <Field label="Prénom" id=first_id.clone()><input id=first_id type="text" data-testid="party-first" bind:value=first /></Field>
            <Field label="Nom" id=last_id.clone() error=name_error><input id=last_id type="text" data-testid="party-last" bind:value=last /></Field>
            <Field label="Téléphone" id=phone_id.clone() error=phone_error><input id=phone_id type="tel" data-testid="party-phone" bind:value=phone /></Field>
            <Field label="Email" id=email_id.clone() error=email_error><input id=email_id type="email" data-testid="party-email" bind:value=email /></Field>
            <div class="actions form--full">
                {on_close.map(|close| view! {
                    <button type="button" class="button" data-testid="party-edit-close" on:click=move |_| close.run(())>"Fermer"</button>
                })}
                <button type="submit" class="button button--primary" data-testid="party-submit" disabled=move || busy.get()>
                    {if editing { "Enregistrer" } else { "Ajouter" }}
                </button>
            </div>
        </form>
    }
}
