//! `/outbound`: outbound WhatsApp messages by status, retry of FAILED ones (MANAGER+), cancel of
//! QUEUED ones; for managers, the ops health verdict and the queue/failure/latency figures.

use atlas_shared_types::ops::{OutboundHealthDto, OutboundMetricsDto};
use atlas_shared_types::outbound::OutboundMessageDto;
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
use crate::url_state::bind_to_url;

#[component]
pub fn OutboundPage() -> impl IntoView {
    let role = use_role();
    let toasts = use_toasts();
    let status = RwSignal::new(String::new());
    let page = RwSignal::new(0u32);
    let refreshed = RwSignal::new(0u32);
    bind_to_url(vec![("status", status, "")], page);
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
            <button type="button" class="button" data-testid="outbound-refresh" on:click=move |_| {
                list.refetch();
                refreshed.update(|n| *n += 1);
            }>"Actualiser"</button>
        </div>
        <Show when=move || is_manager(role.get())>
            <OpsPanel refreshed />
        </Show>
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

/// The health verdict (UP / DEGRADED / DOWN with its reasons) and the figures behind it.
#[component]
fn OpsPanel(refreshed: RwSignal<u32>) -> impl IntoView {
    let health = LocalResource::new(move || {
        refreshed.track();
        // DOWN answers 503 with the verdict in the body.
        api::get_also_on::<OutboundHealthDto>("/ops/outbound/health", 503)
    });
    let metrics = LocalResource::new(move || {
        refreshed.track();
        api::get::<OutboundMetricsDto>("/ops/outbound/metrics")
    });
    view! {
        <section class="card ops-panel" aria-label="Santé des envois" data-testid="outbound-ops">
            <div class="ops-panel__health">
                {move || match health.get() {
                    None => view! { <span class="muted small">"Santé des envois…"</span> }.into_any(),
                    Some(Ok(h)) => {
                        let (label, tone) = health_label(&h.status);
                        view! {
                            <div data-testid="outbound-health" data-status=h.status.clone()>
                                <StatusBadge label tone code=h.status.clone() />
                                <ul class="ops-panel__reasons">
                                    {h.reasons.into_iter().map(|r| view! {
                                        <li data-testid="outbound-health-reason" data-code=r.code.clone()>{r.message}</li>
                                    }).collect_view()}
                                </ul>
                            </div>
                        }.into_any()
                    }
                    Some(Err(e)) => view! {
                        <span class="field-error" data-testid="outbound-health-error">
                            {format!("Santé des envois indisponible : {}", error_message(&e))}
                        </span>
                    }.into_any(),
                }}
            </div>
            {move || metrics.get().and_then(Result::ok).map(|m| {
                let hour = &m.last_hour;
                let rate = hour.failure_rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1} %", r * 100.0).replace('.', ","));
                let p95 = seconds(hour.queued_to_sent.p95_seconds);
                let delivered = seconds(hour.sent_to_delivered.p95_seconds);
                let oldest = m.oldest_queued_age_seconds.map_or_else(|| "—".to_owned(), |s| seconds(Some(s as f64)));
                let errors = hour.top_error_codes.iter().map(|e| format!("{} ×{}", e.code, e.count)).collect::<Vec<_>>().join(", ");
                view! {
                    <dl class="facts ops-panel__figures" data-testid="outbound-metrics">
                        <div><dt>"En file"</dt><dd data-testid="metric-queue">{m.queue_depth}</dd></div>
                        <div><dt>"Attente la plus longue"</dt><dd>{oldest}</dd></div>
                        <div><dt>"Abandonnés"</dt><dd data-testid="metric-dead">{m.dead_letters}</dd></div>
                        <div><dt>"Échecs (1 h)"</dt><dd>{format!("{rate} sur {} essais", hour.attempts)}</dd></div>
                        <div><dt>"File → envoyé, p95 (1 h)"</dt><dd>{p95}</dd></div>
                        <div><dt>"Envoyé → reçu, p95 (1 h)"</dt><dd>{delivered}</dd></div>
                        {(!errors.is_empty()).then(|| view! { <div><dt>"Erreurs (1 h)"</dt><dd>{errors}</dd></div> })}
                    </dl>
                }
            })}
        </section>
    }
}

fn health_label(status: &str) -> (&'static str, &'static str) {
    match status {
        "UP" => ("Envois : opérationnels", "success"),
        "DEGRADED" => ("Envois : dégradés", "warning"),
        "DOWN" => ("Envois : en panne", "danger"),
        _ => ("Envois : état inconnu", "neutral"),
    }
}

/// `0,4 s`, `2 min 5 s`, or a dash.
fn seconds(value: Option<f64>) -> String {
    match value {
        None => "—".to_owned(),
        Some(s) if s < 60.0 => format!("{s:.1} s").replace('.', ","),
        Some(s) => {
            let whole = s.round() as i64;
            format!("{} min {} s", whole / 60, whole % 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_french() {
        assert_eq!(seconds(None), "—");
        assert_eq!(seconds(Some(0.42)), "0,4 s");
        assert_eq!(seconds(Some(125.2)), "2 min 5 s");
        assert_eq!(health_label("DOWN").1, "danger");
    }
}
