//! `/annonces/new` and `/annonces/:id/edit`: one form, client-side validation mirroring the
//! server's, server field errors next to their fields, `If-Match` on edit.

use atlas_shared_types::annonce::AnnonceDto;
use atlas_shared_types::FieldError;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

use super::form_model::{publish_missing, update_request, validate, AnnonceFormValues};
use crate::api::{self, ApiError, Method};
use crate::auth::use_session_expiry;
use crate::components::dpe::{class_letter, CLASSES};
use crate::components::{ErrorBox, Loading};
use crate::format::wire;
use crate::labels::{
    api_field_label, api_field_message, property_type_label, transaction_type_label, PROPERTY_TYPES, TRANSACTION_TYPES,
};
use crate::layout::use_role;
use crate::roles::can_write;

#[component]
pub fn AnnonceForm() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).and_then(|s| Uuid::parse_str(&s).ok());
    view! {
        {move || match id() {
            None => view! { <FormView existing=None /> }.into_any(),
            Some(id) => {
                // A 401 ends the session in the ErrorBox.
                let annonce = LocalResource::new(move || {
                    let path = format!("/annonces/{id}");
                    async move { api::get::<AnnonceDto>(&path).await }
                });
                view! {
                    <Suspense fallback=|| view! { <Loading attr:data-testid="annonce-form-loading" /> }>
                        {move || Suspend::new(async move {
                            match annonce.await {
                                Ok(a) => view! { <FormView existing=Some(a) /> }.into_any(),
                                Err(error) => view! {
                                    <div class="page"><ErrorBox error on_retry=move |_| annonce.refetch() /></div>
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                }.into_any()
            }
        }}
    }
}

/// Errors of one field (client or server), in French.
fn errors_of(errors: &[FieldError], field: &str) -> Vec<String> {
    errors
        .iter()
        .filter(|e| e.field == field || e.field.starts_with(&format!("{field}[")))
        .map(|e| api_field_message(&e.message))
        .collect()
}

#[component]
fn FormView(existing: Option<AnnonceDto>) -> impl IntoView {
    let role = use_role();
    let expire = use_session_expiry();
    let navigate = use_navigate();
    let editing = existing.as_ref().map(|a| (a.id, a.version, a.currency.clone(), a.reference.clone()));
    let values = RwSignal::new(existing.as_ref().map(AnnonceFormValues::from_dto).unwrap_or_else(|| {
        AnnonceFormValues { transaction_type: "SALE".into(), property_type: "APARTMENT".into(), ..Default::default() }
    }));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let general = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let version = RwSignal::new(editing.as_ref().map(|e| e.1).unwrap_or(0));

    let err_for = move |field: &'static str| Signal::derive(move || errors.with(|e| errors_of(e, field)));

    let submit = {
        let editing = editing.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            general.set(None);
            conflict.set(false);
            let body = match validate(&values.get_untracked()) {
                Ok(b) => b,
                Err(e) => {
                    errors.set(e);
                    general.set(Some("Corrigez les champs signalés.".to_owned()));
                    return;
                }
            };
            errors.set(Vec::new());
            saving.set(true);
            let editing = editing.clone();
            let navigate = navigate.clone();
            let expire = expire.clone();
            leptos::task::spawn_local(async move {
                let result: Result<AnnonceDto, ApiError> = match &editing {
                    None => api::post("/annonces", &body).await,
                    Some((id, _, currency, _)) => {
                        let v = version.get_untracked();
                        let body = update_request(body, currency.clone(), v);
                        api::write(Method::Put, &format!("/annonces/{id}"), &body, Some(v)).await.map(|w| w.body)
                    }
                };
                saving.set(false);
                match result {
                    Ok(a) => navigate(&format!("/annonces/{}", a.id), Default::default()),
                    Err(e) => {
                        if e.is_unauthorized() {
                            expire();
                        }
                        match &e {
                            ApiError::Problem(p) if p.code == "VERSION_CONFLICT" => conflict.set(true),
                            ApiError::Problem(p) if p.errors.as_ref().is_some_and(|e| !e.is_empty()) => {
                                errors.set(p.errors.clone().unwrap_or_default());
                                general.set(Some("Le serveur a refusé certains champs : corrigez-les.".to_owned()));
                            }
                            _ => general.set(Some(e.to_string())),
                        }
                    }
                }
            });
        }
    };

    let text = move |field: &'static str,
                     label: &'static str,
                     kind: &'static str,
                     get: fn(&AnnonceFormValues) -> String,
                     set: fn(&mut AnnonceFormValues, String),
                     hint: Option<&'static str>| {
        let errs = err_for(field);
        let id = format!("annonce-{field}");
        let err_id = format!("{id}-error");
        let inputmode = match kind {
            "decimal" => "decimal",
            "int" => "numeric",
            _ => "text",
        };
        view! {
            <div class="field" class:field--invalid=move || !errs.get().is_empty()>
                <label for=id.clone()>{label}</label>
                <input id=id.clone() type="text" inputmode=inputmode data-testid=id.clone()
                    aria-invalid=move || (!errs.get().is_empty()).to_string() aria-describedby=err_id.clone()
                    prop:value=move || values.with(get)
                    on:input=move |ev| { let v = event_target_value(&ev); values.update(|f| set(f, v)); } />
                {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
                <p class="field-error" id=err_id data-testid=format!("error-{field}")>{move || errs.get().join(" ; ")}</p>
            </div>
        }
    };
    let select = move |field: &'static str,
                       label: &'static str,
                       options: Vec<(String, &'static str)>,
                       get: fn(&AnnonceFormValues) -> String,
                       set: fn(&mut AnnonceFormValues, String)| {
        let errs = err_for(field);
        let id = format!("annonce-{field}");
        let options = options
            .into_iter()
            .map(|(code, label)| {
                let selected = code.clone();
                view! { <option value=code selected=move || values.with(get) == selected>{label}</option> }
            })
            .collect_view();
        view! {
            <div class="field" class:field--invalid=move || !errs.get().is_empty()>
                <label for=id.clone()>{label}</label>
                <select id=id.clone() data-testid=id.clone() prop:value=move || values.with(get)
                    on:change=move |ev| { let v = event_target_value(&ev); values.update(|f| set(f, v)); }>
                    {options}
                </select>
                <p class="field-error" data-testid=format!("error-{field}")>{move || errs.get().join(" ; ")}</p>
            </div>
        }
    };

    let desc_errs = err_for("description");
    let feat_errs = err_for("features");
    let tx_opts: Vec<_> = TRANSACTION_TYPES.iter().map(|t| (wire(t), transaction_type_label(*t))).collect();
    let prop_opts: Vec<_> = PROPERTY_TYPES.iter().map(|p| (wire(p), property_type_label(*p))).collect();
    let mut class_opts = vec![(String::new(), "Non renseignée")];
    class_opts.extend(CLASSES.iter().map(|c| (wire(c), class_letter(*c))));
    class_opts.push(("NOT_SUBJECT".to_owned(), "Non soumis au DPE"));
    let desc_len = move || values.with(|v| v.description.chars().count());

    let publish_hint = move || {
        let missing = validate(&values.get()).map(|r| publish_missing(&r)).unwrap_or_default();
        (!missing.is_empty()).then(|| {
            let names = missing.iter().map(|f| api_field_label(f)).collect::<Vec<_>>().join(", ");
            view! {
                <p class="alert alert--info" data-testid="publish-hint">
                    "Pour publier, il faudra encore : " {names} "."
                </p>
            }
        })
    };

    let title = match &editing {
        Some((_, _, _, reference)) => format!("Modifier l'annonce {reference}"),
        None => "Nouvelle annonce".to_owned(),
    };
    let cancel_href = match &editing {
        Some((id, ..)) => format!("/annonces/{id}"),
        None => "/annonces".to_owned(),
    };
    let reload_href = cancel_href.clone();

    view! {
        <div class="page annonce-form" data-testid="annonce-form">
            <header class="page-header">
                <h1>{title}</h1>
            </header>
            <Show when=move || !can_write(role.get())>
                <p class="alert alert--info" data-testid="read-only">"Votre rôle (lecteur) ne permet pas de modifier les annonces."</p>
            </Show>
            <form class="card form form--wide" on:submit=submit novalidate>
                <fieldset>
                    <legend>"Le bien"</legend>
                    {text("title", "Titre *", "text", |v| v.title.clone(), |v, s| v.title = s, Some("3 à 200 caractères."))}
                    <div class="field-row">
                        {select("transactionType", "Transaction *", tx_opts, |v| v.transaction_type.clone(), |v, s| v.transaction_type = s)}
                        {select("propertyType", "Type de bien *", prop_opts, |v| v.property_type.clone(), |v, s| v.property_type = s)}
                    </div>
                    <div class="field" class:field--invalid=move || !desc_errs.get().is_empty()>
                        <label for="annonce-description">"Description"</label>
                        <textarea id="annonce-description" data-testid="annonce-description" rows="6"
                            prop:value=move || values.with(|v| v.description.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); values.update(|f| f.description = v); }></textarea>
                        <p class="field-hint">{move || format!("{} / 10 000 caractères (30 au moins pour publier).", desc_len())}</p>
                        <p class="field-error" data-testid="error-description">{move || desc_errs.get().join(" ; ")}</p>
                    </div>
                    <div class="field-row">
                        {text("price", "Prix (€)", "decimal", |v| v.price.clone(), |v, s| v.price = s, Some("Positif, 2 décimales au plus."))}
                        {text("surfaceM2", "Surface (m²)", "decimal", |v| v.surface_m2.clone(), |v, s| v.surface_m2 = s, None)}
                    </div>
                    <div class="field-row field-row--3">
                        {text("rooms", "Pièces", "int", |v| v.rooms.clone(), |v, s| v.rooms = s, None)}
                        {text("bedrooms", "Chambres", "int", |v| v.bedrooms.clone(), |v, s| v.bedrooms = s, None)}
                        {text("bathrooms", "Salles de bain", "int", |v| v.bathrooms.clone(), |v, s| v.bathrooms = s, None)}
                    </div>
                    <div class="field" class:field--invalid=move || !feat_errs.get().is_empty()>
                        <label for="annonce-features">"Atouts"</label>
                        <textarea id="annonce-features" data-testid="annonce-features" rows="3"
                            placeholder="Balcon\nCave\nParking"
                            prop:value=move || values.with(|v| v.features.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); values.update(|f| f.features = v); }></textarea>
                        <p class="field-hint">"Un par ligne (ou séparés par des virgules)."</p>
                        <p class="field-error" data-testid="error-features">{move || feat_errs.get().join(" ; ")}</p>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>"Adresse"</legend>
                    {text("address", "Adresse", "text", |v| v.address.clone(), |v, s| v.address = s, None)}
                    <div class="field-row">
                        {text("postalCode", "Code postal", "text", |v| v.postal_code.clone(), |v, s| v.postal_code = s, None)}
                        {text("city", "Ville", "text", |v| v.city.clone(), |v, s| v.city = s, None)}
                    </div>
                    <div class="field-row">
                        {text("latitude", "Latitude", "decimal", |v| v.latitude.clone(), |v, s| v.latitude = s, Some("Entre -90 et 90."))}
                        {text("longitude", "Longitude", "decimal", |v| v.longitude.clone(), |v, s| v.longitude = s, Some("Entre -180 et 180."))}
                    </div>
                </fieldset>
                <fieldset>
                    <legend>"Diagnostic de performance énergétique (DPE)"</legend>
                    <p class="field-hint">
                        "Obligatoire pour publier un appartement ou une maison : les deux classes, et l'estimation des dépenses annuelles d'énergie sauf « non soumis »."
                    </p>
                    <div class="field-row">
                        {select("energyClass", "Classe énergie", class_opts.clone(), |v| v.energy_class.clone(), |v, s| v.energy_class = s)}
                        {select("climateClass", "Classe climat (GES)", class_opts, |v| v.climate_class.clone(), |v, s| v.climate_class = s)}
                    </div>
                    <div class="field-row field-row--3">
                        {text("energyCostMin", "Dépenses annuelles min (€)", "int", |v| v.energy_cost_min.clone(), |v, s| v.energy_cost_min = s, None)}
                        {text("energyCostMax", "Dépenses annuelles max (€)", "int", |v| v.energy_cost_max.clone(), |v, s| v.energy_cost_max = s, None)}
                        {text("energyCostYear", "Année de référence", "int", |v| v.energy_cost_year.clone(), |v, s| v.energy_cost_year = s, None)}
                    </div>
                </fieldset>

                {publish_hint}

                {move || conflict.get().then(|| view! {
                    <div class="alert alert--error" role="alert" data-testid="version-conflict">
                        <p>
                            "Cette annonce a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte : "
                            "votre enregistrement a été refusé pour ne pas écraser ses changements. "
                            "Rechargez l'annonce pour voir la version actuelle, puis refaites vos modifications."
                        </p>
                        <a class="button" href=reload_href.clone() data-testid="conflict-reload">"Voir la version actuelle"</a>
                    </div>
                })}
                {move || general.get().map(|m| view! {
                    <p class="alert alert--error" role="alert" data-testid="form-error">{m}</p>
                })}

                <div class="form-actions">
                    <A href=cancel_href attr:class="button button--ghost" attr:data-testid="annonce-cancel">"Annuler"</A>
                    <button type="submit" class="button button--primary" data-testid="annonce-save"
                        disabled=move || saving.get() || !can_write(role.get())>
                        {move || if saving.get() { "Enregistrement…" } else { "Enregistrer" }}
                    </button>
                </div>
            </form>
        </div>
    }
}
