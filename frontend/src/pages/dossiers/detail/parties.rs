//! Parties prenantes tab: list, add (AGENT+), remove (MANAGER+).

use atlas_shared_types::party::{PartyDto, PartyRequest, PartyRole};
use atlas_shared_types::Page;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api;
use crate::components::error_box::error_message;
use crate::components::{use_toasts, EmptyState, ErrorBox, Field, Loading};
use crate::format::or_dash;
use crate::labels::party_role_label;
use crate::layout::use_role;
use crate::roles::{can_write, is_manager};

#[component]
pub fn PartiesTab(id: Uuid) -> impl IntoView {
    let role = use_role();
    let toasts = use_toasts();
    let list = LocalResource::new(move || async move {
        api::get::<Page<PartyDto>>(&format!("/parties-prenantes?dossierId={id}&size=100")).await
    });
    let remove = move |party: Uuid| {
        spawn_local(async move {
            match api::delete(&format!("/parties-prenantes/{party}")).await {
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
                            let name = format!("{} {}", x.first_name.clone().unwrap_or_default(), x.last_name.clone().unwrap_or_default());
                            let contact = [x.phone.clone(), x.email.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                            view! {
                                <li class="list__item" data-testid="party">
                                    <div>
                                        <strong>{name.trim().to_owned()}</strong>" "
                                        <span class="badge">{party_role_label(x.role)}</span>
                                        <p class="muted small">{or_dash(Some(&contact))}</p>
                                    </div>
                                    <Show when=move || is_manager(role.get())>
                                        <button type="button" class="button button--small button--danger" data-testid="party-remove"
                                            on:click=move |_| remove(pid)>
                                            "Retirer"
                                        </button>
                                    </Show>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Transition>
        <Show when=move || can_write(role.get())>
            <PartyForm id on_added=move |_| list.refetch() />
        </Show>
    }
}

#[component]
fn PartyForm(id: Uuid, #[prop(into)] on_added: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let role = RwSignal::new("BUYER".to_owned());
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let opt = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(r) = PartyRole::parse(&role.get_untracked()) else { return };
        if first.get_untracked().trim().is_empty() && last.get_untracked().trim().is_empty() {
            error.set(Some("Indiquez au moins un nom ou un prénom.".to_owned()));
            return;
        }
        error.set(None);
        let body = PartyRequest {
            dossier_id: id,
            role: r,
            first_name: opt(first.get_untracked()),
            last_name: opt(last.get_untracked()),
            phone: opt(phone.get_untracked()),
            email: opt(email.get_untracked()),
            address: None,
            notes: None,
            version: None,
        };
        busy.set(true);
        spawn_local(async move {
            let result: Result<PartyDto, _> = api::post("/parties-prenantes", &body).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    for s in [first, last, phone, email] {
                        s.set(String::new());
                    }
                    toasts.success("Partie prenante ajoutée.");
                    on_added.run(());
                }
                Err(e) => error.set(Some(error_message(&e))),
            }
        });
    };
    view! {
        <form class="form form--grid" on:submit=submit novalidate=true data-testid="party-form">
            <h3 class="form--full">"Ajouter une partie prenante"</h3>
            <Field label="Rôle" id="party-role">
                <select id="party-role" data-testid="party-role" bind:value=role>
                    {PartyRole::ALL.iter().map(|r| view! { <option value=r.as_str()>{party_role_label(*r)}</option> }).collect_view()}
                </select>
            </Field>
            <Field label="Prénom" id="party-first"><input id="party-first" type="text" data-testid="party-first" bind:value=first /></Field>
            <Field label="Nom" id="party-last" error=error><input id="party-last" type="text" data-testid="party-last" bind:value=last /></Field>
            <Field label="Téléphone" id="party-phone"><input id="party-phone" type="tel" data-testid="party-phone" bind:value=phone /></Field>
            <Field label="Email" id="party-email"><input id="party-email" type="email" data-testid="party-email" bind:value=email /></Field>
            <div class="actions form--full">
                <button type="submit" class="button button--primary" data-testid="party-submit" disabled=move || busy.get()>"Ajouter"</button>
            </div>
        </form>
    }
}
