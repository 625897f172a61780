//! `/annonces/:id`: every field, the DPE scales, the status actions and the annonce's dossiers.

use atlas_shared_types::annonce::{AnnonceDto, AnnonceStatus, AnnonceStatusRequest, PropertyType};
use atlas_shared_types::dossier::DossierDto;
use atlas_shared_types::{FieldError, Page};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

use crate::api::{self, ApiError, Method};
use crate::auth::use_session_expiry;
use crate::components::charts::geometry::{fr_decimal, fr_int};
use crate::components::dpe::{DpeScale, DpeScaleView, EnergyWarning};
use crate::components::{EmptyState, ErrorBox, Loading, StatusBadge};
use crate::format::{date_time, or_dash, price, wire};
use crate::labels::{
    annonce_status_label, annonce_status_tone, dossier_status_label, dossier_status_tone, field_error_line,
    property_type_label, transaction_type_label,
};
use crate::layout::use_role;
use crate::roles::{can_write, is_manager};

/// The status moves an annonce in `from` allows (PRODUCT.md §2), in the order of the buttons.
pub fn allowed_targets(from: AnnonceStatus) -> &'static [AnnonceStatus] {
    match from {
        AnnonceStatus::Draft => &[AnnonceStatus::Published, AnnonceStatus::Archived],
        AnnonceStatus::Published => &[AnnonceStatus::Paused, AnnonceStatus::Archived],
        AnnonceStatus::Paused => &[AnnonceStatus::Published, AnnonceStatus::Archived],
        AnnonceStatus::Archived => &[],
    }
}

/// Label of the button moving `from` → `to`.
pub fn action_label(from: AnnonceStatus, to: AnnonceStatus) -> &'static str {
    match (from, to) {
        (AnnonceStatus::Paused, AnnonceStatus::Published) => "Republier",
        (_, AnnonceStatus::Published) => "Publier",
        (_, AnnonceStatus::Paused) => "Mettre en pause",
        (_, AnnonceStatus::Archived) => "Archiver",
        (_, AnnonceStatus::Draft) => "Repasser en brouillon",
    }
}

#[component]
pub fn AnnonceDetail() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).and_then(|s| Uuid::parse_str(&s).ok());
    // A 401 ends the session in the ErrorBox.
    let annonce = LocalResource::new(move || {
        let id = id();
        async move {
            let Some(id) = id else {
                return Err(ApiError::Http { status: 404 });
            };
            api::get::<AnnonceDto>(&format!("/annonces/{id}")).await
        }
    });
    view! {
        <Suspense fallback=|| view! { <Loading attr:data-testid="annonce-loading" /> }>
            {move || Suspend::new(async move {
                match annonce.await {
                    Ok(a) => view! { <AnnonceView a /> }.into_any(),
                    Err(e) if e.status() == Some(404) => view! {
                        <div class="page">
                            <div class="alert alert--error" role="alert" data-testid="annonce-not-found">
                                <p>"Cette annonce n'existe pas ou n'appartient pas à votre agence."</p>
                            </div>
                            <A href="/annonces" attr:class="button">"Retour aux annonces"</A>
                        </div>
                    }.into_any(),
                    Err(error) => view! {
                        <div class="page"><ErrorBox error on_retry=move |_| annonce.refetch() /></div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AnnonceView(a: AnnonceDto) -> impl IntoView {
    let role = use_role();
    let expire = use_session_expiry();
    let navigate = use_navigate();
    let id = a.id;
    let current = RwSignal::new(a);
    let busy = RwSignal::new(false);
    let publish_errors = RwSignal::new(Vec::<FieldError>::new());
    let action_error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);

    let change_status = {
        let expire = expire.clone();
        move |to: AnnonceStatus| {
            if to == AnnonceStatus::Archived {
                let ok = web_sys::window()
                    .and_then(|w| {
                        w.confirm_with_message("Archiver cette annonce ? Elle ne pourra plus être publiée.").ok()
                    })
                    .unwrap_or(false);
                if !ok {
                    return;
                }
            }
            busy.set(true);
            publish_errors.set(Vec::new());
            action_error.set(None);
            notice.set(None);
            let version = current.with_untracked(|a| a.version);
            let expire = expire.clone();
            leptos::task::spawn_local(async move {
                let r = api::write::<_, AnnonceDto>(
                    Method::Patch,
                    &format!("/annonces/{id}/status"),
                    &AnnonceStatusRequest { status: to },
                    Some(version),
                )
                .await;
                busy.set(false);
                match r {
                    Ok(w) => {
                        notice.set(Some(format!("Statut : {}.", annonce_status_label(w.body.status))));
                        current.set(w.body);
                    }
                    Err(e) => {
                        if e.is_unauthorized() {
                            expire();
                        }
                        match &e {
                            ApiError::Problem(p) if p.code == "VALIDATION_ERROR" => {
                                publish_errors.set(p.errors.clone().unwrap_or_default());
                                if p.errors.as_ref().is_none_or(|e| e.is_empty()) {
                                    action_error.set(Some(e.to_string()));
                                }
                            }
                            ApiError::Problem(p) if p.code == "VERSION_CONFLICT" => action_error.set(Some(
                                "L'annonce a été modifiée entre-temps par quelqu'un d'autre. Rechargez la page pour voir sa version actuelle, puis réessayez."
                                    .to_owned(),
                            )),
                            ApiError::Problem(p) if p.code == "INVALID_TRANSITION" => action_error.set(Some(format!(
                                "Ce changement de statut n'est pas permis depuis « {} ».",
                                annonce_status_label(current.with_untracked(|a| a.status))
                            ))),
                            _ => action_error.set(Some(e.to_string())),
                        }
                    }
                }
            });
        }
    };

    let delete = move |_| {
        let ok = web_sys::window()
            .and_then(|w| w.confirm_with_message("Supprimer définitivement ce brouillon ?").ok())
            .unwrap_or(false);
        if !ok {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        let expire = expire.clone();
        leptos::task::spawn_local(async move {
            let r = api::delete(&format!("/annonces/{id}")).await;
            busy.set(false);
            match r {
                Ok(()) => navigate("/annonces", Default::default()),
                Err(e) => {
                    if e.is_unauthorized() {
                        expire();
                    }
                    let msg = if e.code() == Some("CONFLICT") {
                        "Cette annonce ne peut pas être supprimée (elle n'est plus un brouillon ou des dossiers y sont liés) : archivez-la plutôt.".to_owned()
                    } else {
                        e.to_string()
                    };
                    action_error.set(Some(msg));
                }
            }
        });
    };

    let actions = move || {
        let a = current.get();
        if !can_write(role.get()) {
            return None;
        }
        let change_status = change_status.clone();
        let buttons = allowed_targets(a.status)
            .iter()
            .map(|to| {
                let to = *to;
                let change_status = change_status.clone();
                let primary = to == AnnonceStatus::Published;
                view! {
                    <button type="button" class="button" class:button--primary=primary
                        data-testid=format!("annonce-action-{}", wire(&to).to_lowercase())
                        disabled=move || busy.get()
                        on:click=move |_| change_status(to)>
                        {action_label(a.status, to)}
                    </button>
                }
            })
            .collect_view();
        let can_delete = a.status == AnnonceStatus::Draft && is_manager(role.get());
        Some(view! {
            <div class="actions" data-testid="annonce-actions">
                {(a.status != AnnonceStatus::Archived).then(|| view! {
                    <A href=format!("/annonces/{id}/edit") attr:class="button" attr:data-testid="annonce-edit">"Modifier"</A>
                })}
                {buttons}
                {can_delete.then(|| view! {
                    <button type="button" class="button button--danger" data-testid="annonce-delete"
                        disabled=move || busy.get() on:click=delete.clone()>"Supprimer"</button>
                })}
            </div>
        })
    };

    view! {
        <div class="page annonce-detail" data-testid="annonce-detail">
            <nav class="breadcrumb" aria-label="Fil d'Ariane"><A href="/annonces">"Annonces"</A>" / "{move || current.get().reference}</nav>
            <header class="page-header">
                <div>
                    <p class="eyebrow mono" data-testid="annonce-reference">{move || current.get().reference}</p>
                    <h1 data-testid="annonce-title">{move || current.get().title}</h1>
                    <p>
                        {move || {
                            let status = current.get().status;
                            view! {
                                <StatusBadge label=annonce_status_label(status) tone=annonce_status_tone(status)
                                    code=wire(&status) attr:data-testid="annonce-status" />
                            }
                        }}
                        {move || current.get().published_at.map(|t| view! {
                            <span class="muted">{format!(" · publiée le {}", date_time(&t))}</span>
                        })}
                    </p>
                </div>
                {actions}
            </header>
            {move || notice.get().map(|n| view! { <p class="alert alert--success" role="status" data-testid="annonce-notice">{n}</p> })}
            {move || action_error.get().map(|m| view! { <p class="alert alert--error" role="alert" data-testid="annonce-action-error">{m}</p> })}
            {move || {
                let errs = publish_errors.get();
                (!errs.is_empty()).then(|| {
                    let items = errs.iter().map(|e| view! {
                        <li data-testid="publish-error" data-field=e.field.clone()>{field_error_line(e)}</li>
                    }).collect_view();
                    view! {
                        <div class="alert alert--error" role="alert" data-testid="publish-errors">
                            <p><strong>"Publication impossible : il manque des informations."</strong></p>
                            <ul>{items}</ul>
                            <A href=format!("/annonces/{id}/edit") attr:class="button" attr:data-testid="publish-fix">"Compléter l'annonce"</A>
                        </div>
                    }
                })
            }}
            {move || view! { <EnergyWarning class=current.get().energy_class /> }}

            {move || {
                let a = current.get();
                view! { <AnnonceFields a /> }
            }}

            <section class="card" aria-labelledby="dossiers-title">
                <h2 id="dossiers-title">"Dossiers liés"</h2>
                <AnnonceDossiers id />
            </section>
        </div>
    }
}

#[component]
fn AnnonceFields(a: AnnonceDto) -> impl IntoView {
    let dwelling = matches!(a.property_type, PropertyType::Apartment | PropertyType::House);
    let amount = a.price.map(|p| price(p, &a.currency));
    let surface = a.surface_m2.map(|s| format!("{}\u{a0}m²", fr_decimal(s, 2)));
    let count = |v: Option<i32>| v.map(|n| n.to_string());
    let coords = match (a.latitude, a.longitude) {
        (Some(la), Some(lo)) => Some(format!("{}, {}", fr_decimal(la, 6), fr_decimal(lo, 6))),
        _ => None,
    };
    let cost = match (a.energy_cost_min, a.energy_cost_max) {
        (Some(min), Some(max)) => Some(format!(
            "Entre {} et {} par an{}",
            price(min, "EUR"),
            price(max, "EUR"),
            a.energy_cost_year.map(|y| format!(" (prix de l'énergie de {y})")).unwrap_or_default()
        )),
        _ => None,
    };
    let rows: Vec<(&str, Option<String>)> = vec![
        ("Transaction", Some(transaction_type_label(a.transaction_type).to_owned())),
        ("Type de bien", Some(property_type_label(a.property_type).to_owned())),
        ("Prix", amount),
        ("Surface", surface),
        ("Pièces", count(a.rooms)),
        ("Chambres", count(a.bedrooms)),
        ("Salles de bain", count(a.bathrooms)),
        ("Adresse", a.address.clone()),
        ("Code postal", a.postal_code.clone()),
        ("Ville", a.city.clone()),
        ("Coordonnées", coords),
        ("Créée le", Some(date_time(&a.created_at))),
        ("Modifiée le", Some(date_time(&a.updated_at))),
        ("Version", Some(a.version.to_string())),
    ];
    let rows = rows
        .into_iter()
        .map(|(k, v)| view! { <div class="dl-row"><dt>{k}</dt><dd>{or_dash(v.as_deref())}</dd></div> })
        .collect_view();
    let features = a.features.clone();
    view! {
        <div class="detail-grid">
            <section class="card" aria-labelledby="desc-title">
                <h2 id="desc-title">"Description"</h2>
                <p class="prewrap" data-testid="annonce-description">
                    {a.description.clone().unwrap_or_else(|| "Pas de description.".to_owned())}
                </p>
                {(!features.is_empty()).then(|| view! {
                    <ul class="chips" aria-label="Atouts">
                        {features.into_iter().map(|f| view! { <li class="chip">{f}</li> }).collect_view()}
                    </ul>
                })}
                <dl class="dl">{rows}</dl>
            </section>
            <section class="card" aria-labelledby="dpe-title" data-testid="annonce-dpe">
                <h2 id="dpe-title">"Performance énergétique"</h2>
                {(!dwelling && a.energy_class.is_none()).then(|| view! {
                    <p class="muted">"DPE facultatif pour ce type de bien."</p>
                })}
                <div class="dpe-pair">
                    <DpeScaleView scale=DpeScale::Energy class=a.energy_class />
                    <DpeScaleView scale=DpeScale::Climate class=a.climate_class />
                </div>
                <p data-testid="annonce-energy-cost">
                    {cost.unwrap_or_else(|| "Estimation des dépenses annuelles d'énergie : non renseignée.".to_owned())}
                </p>
            </section>
        </div>
    }
}

#[component]
fn AnnonceDossiers(id: Uuid) -> impl IntoView {
    let dossiers = LocalResource::new(move || {
        let path = format!("/dossiers?annonceId={id}&size=50&sort=createdAt,desc");
        async move { api::get::<Page<DossierDto>>(&path).await }
    });
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match dossiers.await {
                    Err(error) => view! { <ErrorBox error on_retry=move |_| dossiers.refetch() /> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <EmptyState title="Aucun dossier lié à cette annonce." attr:data-testid="annonce-dossiers-empty" />
                    }.into_any(),
                    Ok(p) => {
                        let more = (p.total_items > p.items.len() as u64).then(|| format!(
                            "{} dossiers au total : les 50 plus récents sont affichés.", fr_int(p.total_items as i64)));
                        let items = p.items.into_iter().map(|d| view! {
                            <li class="list-row" data-testid="annonce-dossier">
                                <A href=format!("/dossiers/{}", d.id)>
                                    <span class="mono">{d.reference.clone()}</span>" · "{d.lead_name.clone()}
                                </A>
                                <StatusBadge label=dossier_status_label(d.status) tone=dossier_status_tone(d.status)
                                    code=wire(&d.status) />
                                <span class="muted">{date_time(&d.created_at)}</span>
                            </li>
                        }).collect_view();
                        view! {
                            <ul class="list" data-testid="annonce-dossiers">{items}</ul>
                            {more.map(|m| view! { <p class="muted">{m}</p> })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_follow_the_workflow() {
        assert_eq!(allowed_targets(AnnonceStatus::Draft), &[AnnonceStatus::Published, AnnonceStatus::Archived]);
        assert!(allowed_targets(AnnonceStatus::Archived).is_empty());
        assert_eq!(action_label(AnnonceStatus::Draft, AnnonceStatus::Published), "Publier");
        assert_eq!(action_label(AnnonceStatus::Paused, AnnonceStatus::Published), "Republier");
        assert_eq!(action_label(AnnonceStatus::Published, AnnonceStatus::Paused), "Mettre en pause");
    }
}
