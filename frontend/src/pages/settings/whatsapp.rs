//! WhatsApp Cloud API configuration (ADMIN); secrets are write-only.

use atlas_shared_types::whatsapp_config::{WhatsappSettingsDto, WhatsappSettingsRequest};
use leptos::prelude::*;

use super::write_error;
use crate::api::{self, Method};
use crate::components::{ErrorBox, Loading};
use crate::format::date_time;

#[component]
pub(super) fn WhatsappSection() -> impl IntoView {
    let settings = LocalResource::new(move || api::get::<WhatsappSettingsDto>("/settings/whatsapp"));
    let phone = RwSignal::new(String::new());
    let access = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let verify = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = WhatsappSettingsRequest {
            phone_number_id: phone.get_untracked().trim().to_owned(),
            access_token: access.get_untracked().trim().to_owned(),
            app_secret: secret.get_untracked().trim().to_owned(),
            verify_token: verify.get_untracked().trim().to_owned(),
        };
        if body.phone_number_id.is_empty()
            || body.access_token.is_empty()
            || body.app_secret.is_empty()
            || body.verify_token.is_empty()
        {
            message.set(Some((false, "Les quatre champs sont obligatoires (les secrets ne sont jamais réaffichés : saisissez-les à nouveau).".to_owned())));
            return;
        }
        saving.set(true);
        leptos::task::spawn_local(async move {
            let r = api::write::<_, WhatsappSettingsDto>(Method::Put, "/settings/whatsapp", &body, None).await;
            saving.set(false);
            match r {
                Ok(_) => {
                    access.set(String::new());
                    secret.set(String::new());
                    verify.set(String::new());
                    message.set(Some((true, "Configuration WhatsApp enregistrée.".to_owned())));
                    settings.refetch();
                }
                Err(e) => message.set(Some((false, write_error(&e)))),
            }
        });
    };
    let secret_field = move |id: &'static str, label: &'static str, sig: RwSignal<String>| {
        view! {
            <div class="field"><label for=id>{label}</label>
                <input id=id type="password" data-testid=id autocomplete="off" placeholder="••••••• (non réaffiché)"
                    prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) /></div>
        }
    };
    view! {
        <section class="card" aria-labelledby="wa-title" data-testid="settings-whatsapp">
            <h2 id="wa-title">"WhatsApp"</h2>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                        Ok(s) => {
                            if let Some(p) = &s.phone_number_id {
                                if phone.get_untracked().is_empty() { phone.set(p.clone()); }
                            }
                            view! {
                                <p data-testid="wa-state" class=if s.configured { "status status--published" } else { "status status--draft" }>
                                    {if s.configured { "Configuré" } else { "Non configuré" }}
                                </p>
                                {s.updated_at.map(|t| view! { <p class="muted">{format!("Dernière mise à jour : {}", date_time(&t))}</p> })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <form class="form" on:submit=submit data-testid="wa-form">
                <p class="field-hint">"Les secrets sont conservés chiffrés et ne sont jamais réaffichés ; pour modifier la configuration, saisissez les quatre valeurs."</p>
                <div class="field-row">
                    <div class="field"><label for="wa-phone">"Identifiant du numéro (phone_number_id)"</label>
                        <input id="wa-phone" type="text" data-testid="wa-phone" prop:value=move || phone.get()
                            on:input=move |ev| phone.set(event_target_value(&ev)) /></div>
                    {secret_field("wa-access-token", "Jeton d'accès", access)}
                </div>
                <div class="field-row">
                    {secret_field("wa-app-secret", "Secret de l'application", secret)}
                    {secret_field("wa-verify-token", "Jeton de vérification du webhook", verify)}
                </div>
                {move || message.get().map(|(ok, m)| view! {
                    <p class=if ok { "alert alert--success" } else { "alert alert--error" } role="status" data-testid="wa-message">{m}</p>
                })}
                <div class="form-actions">
                    <button type="submit" class="button button--primary" data-testid="wa-save" disabled=move || saving.get()>"Enregistrer"</button>
                </div>
            </form>
        </section>
    }
}
