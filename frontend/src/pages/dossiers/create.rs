//! `/dossiers/new` and `/dossiers/:id/edit`: the dossier form with client validation mirroring the
//! server, an annonce picker (PUBLISHED or PAUSED annonces, plus the one already linked) and, on
//! creation, the duplicate feedback (200 + `X-Atlas-Deduplicated`). Edits send `If-Match`.

use atlas_shared_types::annonce::AnnonceDto;
use atlas_shared_types::dossier::{CreateDossierRequest, DossierDto, DossierSource, DossierType, UpdateDossierRequest};
use atlas_shared_types::Page;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use uuid::Uuid;

use crate::api::{self, ApiError, Method};
use crate::components::error_box::field_error;
use crate::components::{use_toasts, ErrorBox, Field, Loading};
use crate::format::{from_wire, wire};
use crate::labels::{dossier_source_label, dossier_type_label, DOSSIER_SOURCES, DOSSIER_TYPES};
use crate::layout::use_role;
use crate::roles::can_write;

pub const DUPLICATE_MESSAGE: &str =
    "Un dossier ouvert existe déjà pour ce contact — les informations ont été ajoutées à son historique";

/// What the user typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DossierInput {
    pub lead_name: String,
    pub lead_phone: String,
    pub lead_email: String,
    pub source: String,
    pub kind: String,
    pub annonce_id: String,
    pub budget_min: String,
    pub budget_max: String,
    pub notes: String,
}

impl DossierInput {
    /// The form filled with a dossier, to edit it.
    pub fn from_dto(d: &DossierDto) -> Self {
        let amount = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        DossierInput {
            lead_name: d.lead_name.clone(),
            lead_phone: d.lead_phone.clone().unwrap_or_default(),
            lead_email: d.lead_email.clone().unwrap_or_default(),
            source: wire(&d.source),
            kind: wire(&d.dossier_type),
            annonce_id: d.annonce_id.map(|a| a.to_string()).unwrap_or_default(),
            budget_min: amount(d.budget_min),
            budget_max: amount(d.budget_max),
            notes: d.notes.clone().unwrap_or_default(),
        }
    }
}

/// The full representation a `PUT` takes (an absent optional field is cleared): the form's values,
/// and the assignee as it is (reassigning is MANAGER+, through `/assign`).
pub fn update_request(body: CreateDossierRequest, current: &DossierDto) -> UpdateDossierRequest {
    UpdateDossierRequest {
        annonce_id: body.annonce_id,
        lead_name: body.lead_name,
        lead_phone: body.lead_phone,
        lead_email: body.lead_email,
        source: body.source,
        dossier_type: body.dossier_type,
        assigned_to_user_id: current.assigned_to_user_id,
        budget_min: body.budget_min,
        budget_max: body.budget_max,
        notes: body.notes,
        version: Some(current.version),
    }
}

/// Errors per field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DossierErrors {
    pub lead_name: Option<String>,
    pub contact: Option<String>,
    pub lead_email: Option<String>,
    pub source: Option<String>,
    pub kind: Option<String>,
    pub budget: Option<String>,
}

impl DossierErrors {
    pub fn is_empty(&self) -> bool {
        *self == DossierErrors::default()
    }
}

fn money(v: &str) -> Result<Option<f64>, ()> {
    let v = v.trim().replace([' ', '\u{a0}', '\u{202f}'], "").replace(',', ".");
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<f64>() {
        Ok(x) if x >= 0.0 && x.is_finite() => Ok(Some((x * 100.0).round() / 100.0)),
        _ => Err(()),
    }
}

/// Client-side checks (the server's rules of PRODUCT.md §3) and the request body when they pass.
#[allow(clippy::result_large_err, reason = "one message per form field; built once per submit")]
pub fn validate(input: &DossierInput) -> Result<CreateDossierRequest, DossierErrors> {
    let mut e = DossierErrors::default();
    let name = input.lead_name.trim();
    if name.is_empty() {
        e.lead_name = Some("Le nom du contact est obligatoire.".to_owned());
    } else if name.chars().count() > 200 {
        e.lead_name = Some("200 caractères au plus.".to_owned());
    }
    let phone = input.lead_phone.trim();
    let email = input.lead_email.trim().to_lowercase();
    if phone.is_empty() && email.is_empty() {
        e.contact = Some("Indiquez un téléphone ou un email pour joindre le contact.".to_owned());
    }
    if !email.is_empty() && (!email.contains('@') || email.starts_with('@') || email.ends_with('@')) {
        e.lead_email = Some("Adresse email invalide.".to_owned());
    }
    let source = from_wire::<DossierSource>(&input.source);
    if source.is_none() {
        e.source = Some("Choisissez la source.".to_owned());
    }
    let kind = from_wire::<DossierType>(&input.kind);
    if kind.is_none() {
        e.kind = Some("Choisissez le type de projet.".to_owned());
    }
    let (min, max) = (money(&input.budget_min), money(&input.budget_max));
    match (min, max) {
        (Err(()), _) | (_, Err(())) => e.budget = Some("Montant invalide (nombre positif).".to_owned()),
        (Ok(Some(a)), Ok(Some(b))) if a > b => e.budget = Some("Le budget minimum dépasse le maximum.".to_owned()),
        _ => {}
    }
    if !e.is_empty() {
        return Err(e);
    }
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    Ok(CreateDossierRequest {
        annonce_id: Uuid::parse_str(input.annonce_id.trim()).ok(),
        lead_name: Some(name.to_owned()),
        lead_phone: opt(phone),
        lead_email: opt(&email),
        source,
        dossier_type: kind,
        assigned_to_user_id: None,
        budget_min: money(&input.budget_min).ok().flatten(),
        budget_max: money(&input.budget_max).ok().flatten(),
        notes: opt(&input.notes),
    })
}

/// Annonces a dossier may be linked to: PUBLISHED and PAUSED, and the one it is already linked to
/// (which may since have been sold: keeping it must stay possible).
async fn linkable_annonces(linked: Option<Uuid>) -> Result<Vec<AnnonceDto>, ApiError> {
    let mut all = Vec::new();
    for status in ["PUBLISHED", "PAUSED"] {
        let page: Page<AnnonceDto> = api::get(&format!("/annonces?status={status}&size=100&sort=title,asc")).await?;
        all.extend(page.items);
    }
    if let Some(id) = linked.filter(|id| !all.iter().any(|a| a.id == *id)) {
        all.insert(0, api::get::<AnnonceDto>(&format!("/annonces/{id}")).await?);
    }
    Ok(all)
}

#[component]
pub fn DossierNewPage() -> impl IntoView {
    let role = use_role();
    view! {
        <div class="page-header">
            <h1 data-testid="page-title">"Nouveau dossier"</h1>
            <A href="/dossiers" attr:class="button button--ghost">"← Dossiers"</A>
        </div>
        {move || if can_write(role.get()) {
            view! { <DossierForm /> }.into_any()
        } else {
            view! {
                <p class="alert alert--info" data-testid="read-only">
                    "Votre rôle (lecture seule) ne permet pas de créer un dossier."
                </p>
            }.into_any()
        }}
    }
}

/// `/dossiers/:id/edit` (AGENT+).
#[component]
pub fn DossierEditPage() -> impl IntoView {
    let role = use_role();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|v| Uuid::parse_str(&v).ok()));
    let dossier = LocalResource::new(move || async move {
        match id {
            Some(id) => api::get::<DossierDto>(&format!("/dossiers/{id}")).await.map(Some),
            None => Ok(None),
        }
    });
    let back = id.map(|id| format!("/dossiers/{id}")).unwrap_or_else(|| "/dossiers".to_owned());
    view! {
        <div class="page-header">
            <h1 data-testid="page-title">"Modifier le dossier"</h1>
            <A href=back attr:class="button button--ghost">"← Dossier"</A>
        </div>
        <Transition fallback=|| view! { <Loading label="Chargement du dossier…" /> }>
            {move || dossier.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| dossier.refetch() /> }.into_any(),
                Ok(None) => view! { <p class="alert alert--error" role="alert">"Adresse de dossier invalide."</p> }.into_any(),
                Ok(Some(_)) if !can_write(role.get()) => view! {
                    <p class="alert alert--info" data-testid="read-only">
                        "Votre rôle (lecture seule) ne permet pas de modifier un dossier."
                    </p>
                }.into_any(),
                Ok(Some(d)) => view! { <DossierForm existing=d /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn DossierForm(#[prop(optional)] existing: Option<DossierDto>) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let linked = existing.as_ref().and_then(|d| d.annonce_id);
    let annonces = LocalResource::new(move || linkable_annonces(linked));
    let start = existing.as_ref().map(DossierInput::from_dto).unwrap_or_default();
    let existing = StoredValue::new(existing);
    let editing = existing.with_value(Option::is_some);
    let cancel_href = existing
        .with_value(|d| d.as_ref().map(|d| format!("/dossiers/{}", d.id)))
        .unwrap_or_else(|| "/dossiers".to_owned());

    let lead_name = RwSignal::new(start.lead_name);
    let lead_phone = RwSignal::new(start.lead_phone);
    let lead_email = RwSignal::new(start.lead_email);
    let source = RwSignal::new(start.source);
    let kind = RwSignal::new(start.kind);
    let annonce_id = RwSignal::new(start.annonce_id);
    let budget_min = RwSignal::new(start.budget_min);
    let budget_max = RwSignal::new(start.budget_max);
    let notes = RwSignal::new(start.notes);

    let errors = RwSignal::new(DossierErrors::default());
    let server_error = RwSignal::new(None::<ApiError>);
    let duplicate = RwSignal::new(None::<DossierDto>);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        duplicate.set(None);
        server_error.set(None);
        let input = DossierInput {
            lead_name: lead_name.get_untracked(),
            lead_phone: lead_phone.get_untracked(),
            lead_email: lead_email.get_untracked(),
            source: source.get_untracked(),
            kind: kind.get_untracked(),
            annonce_id: annonce_id.get_untracked(),
            budget_min: budget_min.get_untracked(),
            budget_max: budget_max.get_untracked(),
            notes: notes.get_untracked(),
        };
        let body = match validate(&input) {
            Ok(body) => body,
            Err(e) => {
                errors.set(e);
                return;
            }
        };
        errors.set(DossierErrors::default());
        busy.set(true);
        let navigate = navigate.clone();
        let current = existing.get_value();
        spawn_local(async move {
            let result = match &current {
                None => api::write::<_, DossierDto>(Method::Post, "/dossiers", &body, None).await,
                Some(d) => {
                    let path = format!("/dossiers/{}", d.id);
                    api::write::<_, DossierDto>(Method::Put, &path, &update_request(body, d), Some(d.version)).await
                }
            };
            busy.set(false);
            match result {
                Ok(w) if current.is_some() => {
                    toasts.success(format!("Dossier {} enregistré.", w.body.reference));
                    navigate(&format!("/dossiers/{}", w.body.id), NavigateOptions::default());
                }
                Ok(w) if w.deduplicated => {
                    toasts.success("Contact déjà suivi : historique du dossier existant complété.");
                    duplicate.set(Some(w.body));
                }
                Ok(w) => {
                    toasts.success(format!("Dossier {} créé.", w.body.reference));
                    navigate(&format!("/dossiers/{}", w.body.id), NavigateOptions::default());
                }
                Err(e) if e.code() == Some("VERSION_CONFLICT") => {
                    toasts.error(
                        "Le dossier a été modifié entre-temps : rechargez la page pour voir sa version actuelle.",
                    );
                    server_error.set(Some(e));
                }
                Err(e) => {
                    errors.set(DossierErrors {
                        lead_name: field_error(&e, "leadName"),
                        contact: field_error(&e, "leadPhone"),
                        lead_email: field_error(&e, "leadEmail"),
                        source: field_error(&e, "source"),
                        kind: field_error(&e, "type"),
                        budget: field_error(&e, "budgetMin").or(field_error(&e, "budgetMax")),
                    });
                    toasts.error(if editing {
                        "Le dossier n'a pas été enregistré."
                    } else {
                        "Le dossier n'a pas été créé."
                    });
                    server_error.set(Some(e));
                }
            }
        });
    };

    let err = move |f: fn(&DossierErrors) -> Option<String>| Signal::derive(move || errors.with(f));

    view! {
        {move || duplicate.get().map(|d| view! {
            <div class="alert alert--warning" role="status" data-testid="duplicate-notice">
                <p>{DUPLICATE_MESSAGE}</p>
                <A href=format!("/dossiers/{}", d.id) attr:data-testid="duplicate-link" attr:class="button">
                    {format!("Ouvrir le dossier {} — {}", d.reference, d.lead_name)}
                </A>
            </div>
        })}
        {move || server_error.get().map(|error| view! { <ErrorBox error /> })}
        <form class="card form form--grid" on:submit=on_submit novalidate=true data-testid="dossier-form">
            <Field label="Nom du contact" id="lead-name" required=true error=err(|e| e.lead_name.clone())>
                <input id="lead-name" type="text" maxlength="200" autocomplete="off" data-testid="lead-name" bind:value=lead_name />
            </Field>
            <Field label="Téléphone" id="lead-phone" error=err(|e| e.contact.clone()) hint="Téléphone ou email obligatoire.">
                <input id="lead-phone" type="tel" inputmode="tel" autocomplete="off" data-testid="lead-phone" bind:value=lead_phone />
            </Field>
            <Field label="Email" id="lead-email" error=err(|e| e.lead_email.clone())>
                <input id="lead-email" type="email" autocomplete="off" data-testid="lead-email" bind:value=lead_email />
            </Field>
            <Field label="Source" id="source" required=true error=err(|e| e.source.clone())>
                <select id="source" data-testid="source" bind:value=source>
                    <option value="">"Choisir…"</option>
                    {DOSSIER_SOURCES.iter().map(|s| view! { <option value=wire(s)>{dossier_source_label(*s)}</option> }).collect_view()}
                </select>
            </Field>
            <Field label="Type de projet" id="type" required=true error=err(|e| e.kind.clone())>
                <select id="type" data-testid="type" bind:value=kind>
                    <option value="">"Choisir…"</option>
                    {DOSSIER_TYPES.iter().map(|t| view! { <option value=wire(t)>{dossier_type_label(*t)}</option> }).collect_view()}
                </select>
            </Field>
            <Field label="Annonce" id="annonce" hint="Annonces publiées ou en pause.">
                <select id="annonce" data-testid="annonce" bind:value=annonce_id>
                    <option value="">"Aucune"</option>
                    {move || match annonces.get() {
                        None => view! { <option value="" disabled=true>"Chargement des annonces…"</option> }.into_any(),
                        Some(Err(_)) => view! { <option value="" disabled=true>"Annonces indisponibles"</option> }.into_any(),
                        Some(Ok(list)) => list.into_iter().map(|a| {
                            let label = format!("{} — {}{}", a.reference, a.title, a.city.map(|c| format!(" ({c})")).unwrap_or_default());
                            let selected = annonce_id.get_untracked() == a.id.to_string();
                            view! { <option value=a.id.to_string() selected=selected>{label}</option> }
                        }).collect_view().into_any(),
                    }}
                </select>
            </Field>
            <Field label="Budget minimum (€)" id="budget-min" error=err(|e| e.budget.clone())>
                <input id="budget-min" type="text" inputmode="decimal" data-testid="budget-min" bind:value=budget_min />
            </Field>
            <Field label="Budget maximum (€)" id="budget-max">
                <input id="budget-max" type="text" inputmode="decimal" data-testid="budget-max" bind:value=budget_max />
            </Field>
            <Field label="Notes" id="notes">
                <textarea id="notes" rows="3" data-testid="notes" bind:value=notes></textarea>
            </Field>
            <div class="actions form--full">
                <A href=cancel_href attr:class="button">"Annuler"</A>
                <button type="submit" class="button button--primary" data-testid="dossier-submit" disabled=move || busy.get()>
                    {move || match (editing, busy.get()) {
                        (true, true) => "Enregistrement…",
                        (true, false) => "Enregistrer",
                        (false, true) => "Création…",
                        (false, false) => "Créer le dossier",
                    }}
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> DossierInput {
        DossierInput {
            lead_name: "Léa Martin".into(),
            lead_phone: "06 12 34 56 78".into(),
            source: "WEB".into(),
            kind: "BUY".into(),
            ..Default::default()
        }
    }

    #[test]
    fn name_and_a_way_to_reach_are_required() {
        let e = validate(&DossierInput { lead_name: " ".into(), lead_phone: "".into(), ..input() });
        let e = e.err().unwrap_or_default();
        assert!(e.lead_name.is_some() && e.contact.is_some());
        assert!(validate(&DossierInput { lead_phone: "".into(), lead_email: "LEA@x.fr ".into(), ..input() })
            .is_ok_and(|r| r.lead_email.as_deref() == Some("lea@x.fr") && r.lead_phone.is_none()));
    }

    #[test]
    fn budgets_must_be_ordered_numbers() {
        let bad = validate(&DossierInput { budget_min: "300000".into(), budget_max: "200 000".into(), ..input() });
        assert!(bad.is_err_and(|e| e.budget.is_some()));
        let ok = validate(&DossierInput { budget_min: "150 000,5".into(), ..input() });
        assert!(ok.is_ok_and(|r| r.budget_min == Some(150000.5)));
    }
}
