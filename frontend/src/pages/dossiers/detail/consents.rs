//! Consentements tab: the current state per (channel, purpose), the history, and a form to record
//! a new state (append-only; proof of at least 10 characters when GRANTED).

use atlas_shared_types::consent::{
    ConsentChannel, ConsentDto, ConsentOverview, ConsentPurpose, ConsentSource, ConsentStatus, CreateConsentRequest,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api;
use crate::components::error_box::{error_message, field_error};
use crate::components::{use_toasts, EmptyState, ErrorBox, Field, Loading, StatusBadge};
use crate::format::{date_time, or_dash, parse_local_input};
use crate::labels::{consent_channel_label, consent_purpose_label, consent_source_label, consent_status_label};
use crate::layout::use_role;
use crate::roles::can_write;

fn tone(s: ConsentStatus) -> &'static str {
    match s {
        ConsentStatus::Granted => "success",
        ConsentStatus::Denied => "danger",
        ConsentStatus::Revoked => "warning",
    }
}

fn rows(items: Vec<ConsentDto>, testid: &'static str) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid=testid>
                <thead><tr>
                    <th scope="col">"Canal"</th><th scope="col">"Finalité"</th><th scope="col">"État"</th>
                    <th scope="col">"Source"</th><th scope="col">"Preuve"</th><th scope="col">"Recueilli le"</th><th scope="col">"Expire le"</th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|c| view! {
                        <tr data-testid="consent-row" data-channel=c.channel.as_str() data-status=c.status.as_str()>
                            <td>{consent_channel_label(c.channel)}</td>
                            <td>{consent_purpose_label(c.purpose)}</td>
                            <td><StatusBadge label=consent_status_label(c.status) tone=tone(c.status) code=c.status.as_str() /></td>
                            <td>{consent_source_label(c.source)}</td>
                            <td>{or_dash(c.proof.as_deref())}</td>
                            <td class="nowrap">{date_time(&c.captured_at)}</td>
                            <td class="nowrap">{c.expires_at.map(|e| date_time(&e)).unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn ConsentsTab(id: Uuid) -> impl IntoView {
    let role = use_role();
    let overview = LocalResource::new(move || async move {
        api::get::<ConsentOverview>(&format!("/consentements?dossierId={id}")).await
    });
    view! {
        <h2 class="visually-hidden">"Consentements"</h2>
        <p class="muted small">
            "Sans consentement accordé, aucun message sortant (WhatsApp, SMS, email) ne peut être envoyé à ce contact."
        </p>
        <Transition fallback=|| view! { <Loading /> }>
            {move || overview.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| overview.refetch() /> }.into_any(),
                Ok(o) if o.history.is_empty() => view! {
                    <EmptyState title="Aucun consentement enregistré." hint="Par défaut, tout envoi est refusé." />
                }.into_any(),
                Ok(o) => view! {
                    <h3>"État actuel"</h3>
                    {rows(o.current, "consents-current")}
                    <details class="history">
                        <summary data-testid="consents-history-toggle">{format!("Historique ({} enregistrements)", o.history.len())}</summary>
                        {rows(o.history, "consents-history")}
                    </details>
                }.into_any(),
            })}
        </Transition>
        <Show when=move || can_write(role.get())>
            <ConsentForm id on_added=move |_| overview.refetch() />
        </Show>
    }
}

#[component]
fn ConsentForm(id: Uuid, #[prop(into)] on_added: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let channel = RwSignal::new("WHATSAPP".to_owned());
    let purpose = RwSignal::new("CONTACT".to_owned());
    let status = RwSignal::new("GRANTED".to_owned());
    let proof = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let proof_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(ch), Some(pu), Some(st)) = (
            ConsentChannel::parse(&channel.get_untracked()),
            ConsentPurpose::parse(&purpose.get_untracked()),
            ConsentStatus::parse(&status.get_untracked()),
        ) else {
            return;
        };
        let p = proof.get_untracked().trim().to_owned();
        if st == ConsentStatus::Granted && p.chars().count() < 10 {
            proof_error
                .set(Some("Décrivez ce que la personne a accepté et comment (10 caractères au moins).".to_owned()));
            return;
        }
        proof_error.set(None);
        form_error.set(None);
        let body = CreateConsentRequest {
            dossier_id: id,
            channel: ch,
            purpose: pu,
            status: st,
            source: ConsentSource::Ui,
            proof: Some(p).filter(|p| !p.is_empty()),
            captured_at: None,
            expires_at: parse_local_input(&expires.get_untracked()),
        };
        busy.set(true);
        spawn_local(async move {
            let result: Result<ConsentDto, _> = api::post("/consentements", &body).await;
            busy.set(false);
            match result {
                Ok(c) => {
                    proof.set(String::new());
                    toasts.success(format!(
                        "Consentement {} enregistré : {}.",
                        consent_channel_label(c.channel),
                        consent_status_label(c.status).to_lowercase()
                    ));
                    on_added.run(());
                }
                Err(e) => {
                    proof_error.set(field_error(&e, "proof"));
                    form_error.set(Some(error_message(&e)));
                }
            }
        });
    };
    view! {
        <form class="form form--grid" on:submit=submit novalidate=true data-testid="consent-form">
            <h3 class="form--full">"Enregistrer un consentement"</h3>
            <Field label="Canal" id="consent-channel">
                <select id="consent-channel" data-testid="consent-channel" bind:value=channel>
                    {ConsentChannel::ALL.iter().map(|c| view! { <option value=c.as_str()>{consent_channel_label(*c)}</option> }).collect_view()}
                </select>
            </Field>
            <Field label="Finalité" id="consent-purpose">
                <select id="consent-purpose" data-testid="consent-purpose" bind:value=purpose>
                    {ConsentPurpose::ALL.iter().map(|c| view! { <option value=c.as_str()>{consent_purpose_label(*c)}</option> }).collect_view()}
                </select>
            </Field>
            <Field label="État" id="consent-status">
                <select id="consent-status" data-testid="consent-status" bind:value=status>
                    {ConsentStatus::ALL.iter().map(|c| view! { <option value=c.as_str()>{consent_status_label(*c)}</option> }).collect_view()}
                </select>
            </Field>
            <Field label="Expire le" id="consent-expires">
                <input id="consent-expires" type="datetime-local" data-testid="consent-expires" bind:value=expires />
            </Field>
            <div class="form--full">
                <Field label="Preuve" id="consent-proof" error=proof_error hint="Ce que la personne a accepté, quand et comment.">
                    <textarea id="consent-proof" rows="2" data-testid="consent-proof" bind:value=proof></textarea>
                </Field>
            </div>
            {move || form_error.get().map(|e| view! { <p class="alert alert--error form--full" role="alert">{e}</p> })}
            <div class="actions form--full">
                <button type="submit" class="button button--primary" data-testid="consent-submit" disabled=move || busy.get()>"Enregistrer"</button>
            </div>
        </form>
    }
}
