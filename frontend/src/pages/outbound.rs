//! `/outbound`: outbound WhatsApp messages by status, retry of FAILED ones (MANAGER+), cancel of
//! QUEUED ones, and the ops health badge when the server exposes it.

use atlas_shared_types::outbound::{OutboundHealthDto, OutboundMessageDto};
use atlas_shared_types::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use uuid::Uuid;

use crate::api;
use crate::components::error_box::error_message;
use crate::components::{use_toasts, EmptyState, ErrorBox, Loading, Pagination, StatusBadge};
use crate::format::date_time;
use crate::labels::{outbound_status_label, outbound_status_tone, OUTBOUND_STATUSES};
use crate::layout::use_role;
use crate::roles::{can_write, is_manager};

#[component]
pub fn OutboundPage() -> impl IntoView {
    let role = use_role();
    let toasts = use_toasts();
    let status = RwSignal::new(String::new());
    let page = RwSignal::new(0u32);
    Effect::new(move |_| {
        status.track();
        page.set(0);
    });
    let list = LocalResource::new(move || {
        let path = format!(
            "/outbound/messages{}",
            api::query(&[("status", status.get()), ("page", page.get().to_string()), ("size", "20".to_owned())])
        );
        async move { api::get::<Page<OutboundMessageDto>>(&path).await }
    });

    let act = move |id: Uuid, action: &'static str| {
        spawn_local(async move {
            let result: Result<OutboundMessageDto, _> =
                api::post(&format!("/outbound/messages/{id}/{action}"), &serde_json::json!({})).await;
            match result {
                Ok(_) => {
                    toasts.success(if action == "retry" { "Message remis en file d'envoi." } else { "Envoi annulé." });
                    list.refetch();
                }
                Err(e) => toasts.error(format!(
                    "{} : {}",
                    if action == "retry" { "Nouvel essai refusé" } else { "Annulation refusée" },
                    error_message(&e)
                )),
            }
        });
    };

    let tabs = std::iter::once(("", "Tous"))
        .chain(OUTBOUND_STATUSES.iter().map(|s| (*s, outbound_status_label(s))))
        .map(|(code, label)| {
            view! {
                <button
                    type="button"
                    class="chip"
                    class:chip--active=move || status.get() == code
                    aria-pressed=move || if status.get() == code { "true" } else { "false" }
                    data-testid="outbound-filter"
                    data-status=code
                    on:click=move |_| status.set(code.to_owned())
                >
                    {label.to_owned()}
                </button>
            }
        })
        .collect_view();

    view! {
        <div class="page-header">
            <h1 data-testid="page-title">"Messages sortants"</h1>
            <Show when=move || is_manager(role.get())>
                <HealthBadge />
            </Show>
            <button type="button" class="button" data-testid="outbound-refresh" on:click=move |_| list.refetch()>"Actualiser"</button>
        </div>
        <div class="chips" role="group" aria-label="Filtrer par statut">{tabs}</div>
        <Transition fallback=|| view! { <Loading /> }>
            {move || list.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| list.refetch() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! { <EmptyState title="Aucun message sortant pour ce filtre." /> }.into_any(),
                Ok(p) => view! {
                    <div class="table-wrap card">
                        <table class="table" data-testid="outbound-table">
                            <thead><tr>
                                <th scope="col">"Créé le"</th><th scope="col">"Dossier"</th><th scope="col">"Destinataire"</th>
                                <th scope="col">"Contenu"</th><th scope="col">"Statut"</th><th scope="col">"Tentatives"</th><th scope="col">"Actions"</th>
                            </tr></thead>
                            <tbody>
                                {p.items.into_iter().map(|m| {
                                    let id = m.id;
                                    let failed = m.status == "FAILED";
                                    let queued = m.status == "QUEUED";
                                    let content = m.text.clone().unwrap_or_else(|| format!("Modèle {}", m.template_code.clone().unwrap_or_default()));
                                    let error = m.last_error.clone().map(|e| format!("{}{}", e.code, e.message.map(|x| format!(" : {x}")).unwrap_or_default()));
                                    view! {
                                        <tr data-testid="outbound-row" data-status=m.status.clone()>
                                            <td class="nowrap">{date_time(&m.created_at)}</td>
                                            <td><A href=format!("/dossiers/{}?tab=messages", m.dossier_id)>"Ouvrir"</A></td>
                                            <td class="nowrap">{m.to.clone()}</td>
                                            <td>{content}{error.map(|e| view! { <br /><span class="field-error">{e}</span> })}</td>
                                            <td>
                                                <StatusBadge label=outbound_status_label(&m.status).to_owned() tone=outbound_status_tone(&m.status) code=m.status.clone() />
                                                {m.dead_lettered.then(|| view! { <span class="muted small">" (abandonné)"</span> })}
                                            </td>
                                            <td>{format!("{}/{}", m.attempt_count, m.max_attempts)}</td>
                                            <td class="nowrap">
                                                <Show when=move || failed && is_manager(role.get())>
                                                    <button type="button" class="button button--small" data-testid="outbound-retry" on:click=move |_| act(id, "retry")>"Réessayer"</button>
                                                </Show>
                                                <Show when=move || queued && can_write(role.get())>
                                                    <button type="button" class="button button--small button--danger" data-testid="outbound-cancel" on:click=move |_| act(id, "cancel")>"Annuler"</button>
                                                </Show>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <Pagination page total_pages=p.total_pages total_items=p.total_items />
                }.into_any(),
            })}
        </Transition>
    }
}

/// UP / DEGRADED / DOWN from `/ops/outbound/health`; nothing when the endpoint does not exist.
#[component]
fn HealthBadge() -> impl IntoView {
    let health = LocalResource::new(|| api::get::<OutboundHealthDto>("/ops/outbound/health"));
    move || match health.get() {
        None => view! { <span class="muted small">"Santé des envois…"</span> }.into_any(),
        Some(Ok(h)) => {
            let (label, tone) = match h.status.as_str() {
                "UP" => ("Envois : opérationnels", "success"),
                "DEGRADED" => ("Envois : dégradés", "warning"),
                "DOWN" => ("Envois : en panne", "danger"),
                _ => ("Envois : état inconnu", "neutral"),
            };
            view! {
                <span title=h.reasons.join(" · ") data-testid="outbound-health">
                    <StatusBadge label tone code=h.status.clone() />
                </span>
            }
            .into_any()
        }
        // 404: not implemented by this server yet; other errors: unknown, without blocking the page.
        Some(Err(e)) if e.status() == Some(404) => view! {
            <span class="muted small" data-testid="outbound-health-unavailable">"Santé des envois non disponible"</span>
        }
        .into_any(),
        Some(Err(_)) => view! { <StatusBadge label="Envois : état inconnu" /> }.into_any(),
    }
}
