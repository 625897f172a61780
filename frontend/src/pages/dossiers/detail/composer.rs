//! The WhatsApp composer: a template with its parameters, or free text inside the 24-hour window.
//! Blockers are explained before sending (no consent, window closed) and after a refusal.

use atlas_shared_types::outbound::{CreateOutboundMessageRequest, OutboundChannel, OutboundMessageDto};
use atlas_shared_types::whatsapp_config::WhatsappTemplateDto;
use atlas_shared_types::Page;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use uuid::Uuid;

use super::messages::{NO_CONSENT_MESSAGE, WINDOW_CLOSED_MESSAGE};
use crate::api::{self, ApiError, Method};
use crate::components::error_box::error_message;
use crate::components::{use_toasts, Field};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Template,
    Text,
}

/// `Ok(())` when the fields make a sendable message.
fn check(mode: Mode, template: Option<&WhatsappTemplateDto>, params: &[String], text: &str) -> Result<(), String> {
    match mode {
        Mode::Template => {
            let t = template.ok_or("Choisissez un modèle.")?;
            if params.len() != t.param_count as usize || params.iter().any(|p| p.trim().is_empty()) {
                return Err(format!("Renseignez les {} paramètre(s) du modèle.", t.param_count));
            }
            Ok(())
        }
        Mode::Text if text.trim().is_empty() => Err("Écrivez le message.".to_owned()),
        Mode::Text => Ok(()),
    }
}

#[component]
pub fn Composer(
    id: Uuid,
    /// `None` while loading.
    consent_ok: Signal<Option<bool>>,
    open: Signal<Option<bool>>,
    #[prop(into)] on_sent: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let templates = LocalResource::new(|| async {
        api::get::<Page<WhatsappTemplateDto>>("/whatsapp/templates?active=true&size=100&sort=code,asc").await
    });
    let window_closed = move || open.get() == Some(false);
    let mode = RwSignal::new(Mode::Text);
    // Outside the window, free text is not possible: switch to a template.
    Effect::new(move |_| {
        if window_closed() {
            mode.set(Mode::Template);
        }
    });
    let code = RwSignal::new(String::new());
    let params = RwSignal::new(Vec::<String>::new());
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let refusal = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let blocked = move || consent_ok.get() == Some(false);

    let selected = move || {
        let c = code.get();
        templates.get().and_then(|r| r.ok()).and_then(|p| p.items.into_iter().find(|t| t.code == c))
    };
    // A new template: as many parameter inputs as it has placeholders.
    Effect::new(move |_| {
        let n = selected().map(|t| t.param_count as usize).unwrap_or(0);
        params.set(vec![String::new(); n]);
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || consent_ok.get_untracked() == Some(false) {
            return;
        }
        let m = mode.get_untracked();
        let t = selected();
        let ps = params.get_untracked();
        let body_text = text.get_untracked();
        if let Err(e) = check(m, t.as_ref(), &ps, &body_text) {
            error.set(Some(e));
            return;
        }
        error.set(None);
        refusal.set(None);
        busy.set(true);
        let body = CreateOutboundMessageRequest {
            dossier_id: id,
            channel: OutboundChannel::Whatsapp,
            to: None,
            template_code: (m == Mode::Template).then(|| code.get_untracked()),
            template_params: (m == Mode::Template).then_some(ps),
            text: (m == Mode::Text).then(|| body_text.trim().to_owned()),
        };
        spawn_local(async move {
            let result = api::write::<_, OutboundMessageDto>(Method::Post, "/outbound/messages", &body, None).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    text.set(String::new());
                    params.update(|p| p.iter_mut().for_each(String::clear));
                    toasts.success("Message mis en file d'envoi.");
                    on_sent.run(());
                }
                Err(e) => {
                    let msg = match e.code() {
                        Some("CONSENT_REQUIRED") => NO_CONSENT_MESSAGE.to_owned(),
                        Some("SESSION_WINDOW_CLOSED") => {
                            mode.set(Mode::Template);
                            WINDOW_CLOSED_MESSAGE.to_owned()
                        }
                        Some("TEMPLATE_NOT_FOUND") => "Ce modèle n'existe pas ou n'est plus actif.".to_owned(),
                        _ => error_message(&e),
                    };
                    toasts.error("Message non envoyé.");
                    refusal.set(Some(msg));
                }
            }
        });
    };

    let template_options = move || match templates.get() {
        None => view! { <option value="" disabled=true>"Chargement des modèles…"</option> }.into_any(),
        Some(Err(ApiError::Problem(_))) | Some(Err(_)) => {
            view! { <option value="" disabled=true>"Modèles indisponibles"</option> }.into_any()
        }
        Some(Ok(p)) if p.items.is_empty() => {
            view! { <option value="" disabled=true>"Aucun modèle actif"</option> }.into_any()
        }
        Some(Ok(p)) => p
            .items
            .into_iter()
            .map(|t| {
                let label = format!("{} ({})", t.code, t.language);
                view! { <option value=t.code.clone()>{label}</option> }
            })
            .collect_view()
            .into_any(),
    };

    view! {
        <form class="composer" on:submit=submit novalidate=true data-testid="composer" aria-label="Envoyer un message WhatsApp">
            <h3>"Envoyer un message WhatsApp"</h3>
            {move || blocked().then(|| view! {
                <p class="alert alert--warning" role="status" data-testid="blocker-consent">
                    {NO_CONSENT_MESSAGE}" — "
                    <A href=format!("/dossiers/{id}?tab=consents") attr:data-testid="blocker-consent-link">"Voir les consentements"</A>
                </p>
            })}
            {move || (window_closed() && !blocked()).then(|| view! {
                <p class="alert alert--info" role="status" data-testid="blocker-window">{WINDOW_CLOSED_MESSAGE}</p>
            })}
            <fieldset class="segmented" disabled=blocked>
                <legend class="visually-hidden">"Type de message"</legend>
                <label>
                    <input type="radio" name="composer-mode" data-testid="mode-template"
                        prop:checked=move || mode.get() == Mode::Template
                        on:change=move |_| mode.set(Mode::Template) />
                    "Modèle"
                </label>
                <label class:disabled=window_closed>
                    <input type="radio" name="composer-mode" data-testid="mode-text" disabled=window_closed
                        prop:checked=move || mode.get() == Mode::Text
                        on:change=move |_| mode.set(Mode::Text) />
                    "Texte libre"
                </label>
            </fieldset>
            <Show
                when=move || mode.get() == Mode::Template
                fallback=move || view! {
                    <Field label="Message" id="composer-text">
                        <textarea id="composer-text" rows="3" data-testid="composer-text" disabled=blocked bind:value=text></textarea>
                    </Field>
                }
            >
                <Field label="Modèle" id="composer-template">
                    <select id="composer-template" data-testid="composer-template" disabled=blocked bind:value=code>
                        <option value="">"Choisir un modèle…"</option>
                        {template_options}
                    </select>
                </Field>
                {move || selected().map(|t| view! { <p class="template-preview muted small" data-testid="template-preview">{t.body}</p> })}
                <For each={move || (0..params.with(Vec::len)).collect::<Vec<_>>()} key={|i| *i} let:i>
                    <Field label=format!("Paramètre {{{{{}}}}}", i + 1) id=format!("composer-param-{i}")>
                        <input
                            id=format!("composer-param-{i}")
                            type="text"
                            data-testid="composer-param"
                            prop:value=move || params.with(|p| p.get(i).cloned().unwrap_or_default())
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                params.update(|p| if let Some(x) = p.get_mut(i) { *x = v });
                            }
                        />
                    </Field>
                </For>
            </Show>
            {move || error.get().map(|e| view! { <p class="field-error" data-testid="composer-error">{e}</p> })}
            {move || refusal.get().map(|e| view! {
                <p class="alert alert--error" role="alert" data-testid="composer-refusal">
                    {e.clone()}
                    {(e == NO_CONSENT_MESSAGE).then(|| view! { " — " <A href=format!("/dossiers/{id}?tab=consents")>"Voir les consentements"</A> })}
                </p>
            })}
            <div class="actions">
                <button type="submit" class="button button--primary" data-testid="composer-send" disabled=move || busy.get() || blocked()>
                    {move || if busy.get() { "Envoi…" } else { "Envoyer" }}
                </button>
            </div>
        </form>
    }
}
