//! WhatsApp message templates (ADMIN): list, create, edit, deactivate; placeholders counted.

use atlas_shared_types::whatsapp_config::{WhatsappTemplateDto, WhatsappTemplateRequest};
use atlas_shared_types::{FieldError, Page};
use leptos::prelude::*;

use super::write_error;
use crate::api::{self, Method};
use crate::components::{EmptyState, ErrorBox, Loading};

/// Number of distinct `{{n}}` placeholders in a template body (what a send must give).
pub fn placeholder_count(body: &str) -> u32 {
    let mut max = 0u32;
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                if let Ok(n) = after[..end].trim().parse::<u32>() {
                    max = max.max(n);
                }
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    max
}

const CATEGORIES: [(&str, &str); 3] =
    [("UTILITY", "Utilitaire"), ("MARKETING", "Marketing"), ("AUTHENTICATION", "Authentification")];

fn category_label(c: &str) -> &str {
    CATEGORIES.iter().find(|(k, _)| *k == c).map(|(_, l)| *l).unwrap_or(c)
}

#[component]
pub(super) fn TemplatesSection() -> impl IntoView {
    let templates =
        LocalResource::new(move || api::get::<Page<WhatsappTemplateDto>>("/whatsapp/templates?size=100&sort=code,asc"));
    // The template being edited (None = creating a new one).
    let editing = RwSignal::new(None::<WhatsappTemplateDto>);
    let form_key = RwSignal::new(0u32);
    let message = RwSignal::new(None::<(bool, String)>);

    let remove = move |code: String| {
        let ok = web_sys::window()
            .and_then(|w| w.confirm_with_message(&format!("Supprimer le modèle « {code} » ?")).ok())
            .unwrap_or(false);
        if !ok {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::delete(&format!("/whatsapp/templates/{}", js_sys::encode_uri_component(&code))).await {
                Ok(()) => {
                    message.set(Some((true, format!("Modèle « {code} » supprimé."))));
                    templates.refetch();
                }
                Err(e) => message.set(Some((false, write_error(&e)))),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="tpl-title" data-testid="settings-templates">
            <h2 id="tpl-title">"Modèles de messages WhatsApp"</h2>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "alert alert--success" } else { "alert alert--error" } role="status" data-testid="tpl-message">{m}</p>
            })}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match templates.await {
                        Err(error) => view! { <ErrorBox error on_retry=move |_| templates.refetch() /> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! {
                            <EmptyState title="Aucun modèle pour l'instant." attr:data-testid="tpl-empty" />
                        }.into_any(),
                        Ok(p) => {
                            let rows = p.items.into_iter().map(|t| {
                                let code = t.code.clone();
                                let t2 = t.clone();
                                view! {
                                    <tr data-testid="tpl-row" data-code=t.code.clone()>
                                        <td data-label="Code" class="mono">{t.code.clone()}</td>
                                        <td data-label="Langue">{t.language.clone()}</td>
                                        <td data-label="Catégorie">{category_label(&t.category).to_owned()}</td>
                                        <td data-label="Texte" class="prewrap">{t.body.clone()}</td>
                                        <td data-label="Paramètres" data-testid="tpl-params">{format!("{} paramètre{}", t.param_count, if t.param_count > 1 { "s" } else { "" })}</td>
                                        <td data-label="Actif">{if t.active { "Oui" } else { "Non" }}</td>
                                        <td data-label="Actions" class="row-actions">
                                            <button type="button" class="button" data-testid="tpl-edit"
                                                on:click=move |_| { editing.set(Some(t2.clone())); form_key.update(|k| *k += 1); }>"Modifier"</button>
                                            <button type="button" class="button button--danger" data-testid="tpl-delete"
                                                on:click=move |_| remove(code.clone())>"Supprimer"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <div class="table-wrap">
                                    <table class="table table--stack" data-testid="tpl-table">
                                        <thead><tr><th>"Code"</th><th>"Langue"</th><th>"Catégorie"</th><th>"Texte"</th><th>"Paramètres"</th><th>"Actif"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            {move || {
                let _ = form_key.get();
                view! {
                    <TemplateForm existing=editing.get_untracked()
                        on_saved=Callback::new(move |t: WhatsappTemplateDto| {
                            message.set(Some((true, format!("Modèle « {} » enregistré.", t.code))));
                            editing.set(None);
                            form_key.update(|k| *k += 1);
                            templates.refetch();
                        })
                        on_cancel=Callback::new(move |_| { editing.set(None); form_key.update(|k| *k += 1); }) />
                }
            }}
        </section>
    }
}

#[component]
fn TemplateForm(
    existing: Option<WhatsappTemplateDto>,
    on_saved: Callback<WhatsappTemplateDto>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let is_edit = existing.is_some();
    let version = existing.as_ref().map(|t| t.version);
    let code = RwSignal::new(existing.as_ref().map(|t| t.code.clone()).unwrap_or_default());
    let language = RwSignal::new(existing.as_ref().map(|t| t.language.clone()).unwrap_or_else(|| "fr".to_owned()));
    let category = RwSignal::new(existing.as_ref().map(|t| t.category.clone()).unwrap_or_else(|| "UTILITY".to_owned()));
    let body = RwSignal::new(existing.as_ref().map(|t| t.body.clone()).unwrap_or_default());
    let active = RwSignal::new(existing.as_ref().map(|t| t.active).unwrap_or(true));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = code.get_untracked().trim().to_owned();
        let b = body.get_untracked();
        if c.is_empty() || b.trim().is_empty() || language.get_untracked().trim().is_empty() {
            error.set(Some("Code, langue et texte sont obligatoires.".to_owned()));
            return;
        }
        let req = WhatsappTemplateRequest {
            code: Some(c.clone()),
            language: language.get_untracked().trim().to_owned(),
            category: category.get_untracked(),
            body: b,
            active: Some(active.get_untracked()),
            version: None,
        };
        saving.set(true);
        error.set(None);
        errors.set(Vec::new());
        leptos::task::spawn_local(async move {
            let r = if is_edit {
                api::write::<_, WhatsappTemplateDto>(
                    Method::Put,
                    &format!("/whatsapp/templates/{}", js_sys::encode_uri_component(&c)),
                    &req,
                    version,
                )
                .await
                .map(|w| w.body)
            } else {
                api::post::<_, WhatsappTemplateDto>("/whatsapp/templates", &req).await
            };
            saving.set(false);
            match r {
                Ok(t) => on_saved.run(t),
                Err(e) => error.set(Some(write_error(&e))),
            }
        });
    };
    let options = CATEGORIES
        .iter()
        .map(|(k, l)| view! { <option value=*k selected=move || category.get() == *k>{*l}</option> })
        .collect_view();
    view! {
        <form class="form inline-form" on:submit=submit data-testid="tpl-form">
            <h3>{if is_edit { "Modifier le modèle" } else { "Nouveau modèle" }}</h3>
            <div class="field-row field-row--3">
                <div class="field"><label for="tpl-code">"Code"</label>
                    <input id="tpl-code" type="text" data-testid="tpl-code" disabled=is_edit
                        prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="tpl-language">"Langue"</label>
                    <input id="tpl-language" type="text" data-testid="tpl-language"
                        prop:value=move || language.get() on:input=move |ev| language.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="tpl-category">"Catégorie"</label>
                    <select id="tpl-category" data-testid="tpl-category" prop:value=move || category.get()
                        on:change=move |ev| category.set(event_target_value(&ev))>{options}</select></div>
            </div>
            <div class="field"><label for="tpl-body">"Texte"</label>
                <textarea id="tpl-body" rows="3" data-testid="tpl-body" placeholder="Bonjour {{1}}, votre rendez-vous est confirmé le {{2}}."
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <p class="field-hint" data-testid="tpl-placeholder-count">
                    {move || { let n = placeholder_count(&body.get()); format!("{n} paramètre{} ({{{{1}}}} … {{{{n}}}})", if n > 1 { "s" } else { "" }) }}
                </p>
            </div>
            <label class="checkbox"><input type="checkbox" data-testid="tpl-active" prop:checked=move || active.get()
                on:change=move |ev| active.set(event_target_checked(&ev)) />" Actif"</label>
            {move || error.get().map(|e| view! { <p class="alert alert--error" role="alert" data-testid="tpl-error">{e}</p> })}
            <div class="form-actions">
                {is_edit.then(|| view! { <button type="button" class="button button--ghost" on:click=move |_| on_cancel.run(())>"Annuler"</button> })}
                <button type="submit" class="button button--primary" data-testid="tpl-save" disabled=move || saving.get()>"Enregistrer"</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_counted_by_their_highest_number() {
        assert_eq!(placeholder_count("Bonjour"), 0);
        assert_eq!(placeholder_count("Bonjour {{1}}, rdv le {{2}} à {{3}}"), 3);
        assert_eq!(placeholder_count("{{1}} et encore {{1}}"), 1);
        assert_eq!(placeholder_count("{{2}} {{ 1 }} {{x}} {{"), 2);
    }
}
