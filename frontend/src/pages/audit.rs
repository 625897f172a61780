//! `/audit` (MANAGER+): the organisation's audit log with filters; [`AuditList`] also serves the
//! dossier's Audit tab.

use atlas_shared_types::audit::AuditEventDto;
use atlas_shared_types::Page;
use leptos::prelude::*;

use crate::api;
use crate::components::{EmptyState, ErrorBox, Loading, Pagination, StatusBadge};
use crate::format::date_time;
use crate::labels::{audit_action_label, AUDIT_ACTIONS};
use crate::layout::{use_current_user, use_role};
use crate::members::{member_name, member_options, use_members};
use crate::roles::is_manager;

const ENTITY_TYPES: [(&str, &str); 8] = [
    ("DOSSIER", "Dossier"),
    ("ANNONCE", "Annonce"),
    ("PARTY", "Partie prenante"),
    ("MESSAGE", "Message"),
    ("CONSENT", "Consentement"),
    ("OUTBOUND_MESSAGE", "Message sortant"),
    ("MEMBERSHIP", "Membre"),
    ("WHATSAPP_TEMPLATE", "Modèle WhatsApp"),
];

fn entity_label(t: &str) -> String {
    ENTITY_TYPES.iter().find(|(k, _)| *k == t).map(|(_, l)| (*l).to_owned()).unwrap_or_else(|| t.to_owned())
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let role = use_role();
    view! {
        <div class="page-header"><h1 data-testid="page-title">"Journal d'audit"</h1></div>
        {move || if is_manager(role.get()) {
            view! { <AuditFilters /> }.into_any()
        } else {
            view! {
                <p class="alert alert--info" data-testid="audit-forbidden">
                    "Le journal d'audit est réservé aux managers et administrateurs."
                </p>
            }.into_any()
        }}
    }
}

#[component]
fn AuditFilters() -> impl IntoView {
    let members = use_members();
    let entity = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let filter = Signal::derive(move || {
        vec![
            ("entityType", entity.get()),
            ("action", action.get()),
            ("actorUserId", actor.get()),
            ("from", from.get()),
            ("to", to.get()),
        ]
    });
    view! {
        <section class="card filters" aria-label="Filtres">
            <div class="filters__row">
                <label><span>"Objet"</span>
                    <select data-testid="audit-entity" bind:value=entity>
                        <option value="">"Tous"</option>
                        {ENTITY_TYPES.iter().map(|(k, l)| view! { <option value=*k>{*l}</option> }).collect_view()}
                    </select>
                </label>
                <label><span>"Action"</span>
                    <select data-testid="audit-action" bind:value=action>
                        <option value="">"Toutes"</option>
                        {AUDIT_ACTIONS.iter().map(|a| view! { <option value=*a>{audit_action_label(a).to_owned()}</option> }).collect_view()}
                    </select>
                </label>
                <label><span>"Auteur"</span>
                    <select data-testid="audit-actor" bind:value=actor>
                        <option value="">"Tous"</option>
                        {move || member_options(&members.get().unwrap_or_default()).into_iter().map(|(id, n)| view! { <option value=id.to_string()>{n}</option> }).collect_view()}
                    </select>
                </label>
                <label><span>"Du"</span><input type="date" data-testid="audit-from" bind:value=from /></label>
                <label><span>"Au"</span><input type="date" data-testid="audit-to" bind:value=to /></label>
            </div>
        </section>
        <section class="card"><AuditList filter /></section>
    }
}

/// Audit events matching `filter` (query pairs), newest first, paginated.
#[component]
pub fn AuditList(#[prop(into)] filter: Signal<Vec<(&'static str, String)>>) -> impl IntoView {
    let members = use_members();
    let me = use_current_user().map(|c| c.user_id());
    let page = RwSignal::new(0u32);
    Effect::new(move |_| {
        filter.track();
        page.set(0);
    });
    let events = LocalResource::new(move || {
        let mut pairs = filter.get();
        pairs.push(("sort", "createdAt,desc".to_owned()));
        pairs.push(("page", page.get().to_string()));
        pairs.push(("size", "20".to_owned()));
        let path = format!("/audit-events{}", api::query(&pairs));
        async move { api::get::<Page<AuditEventDto>>(&path).await }
    });
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || events.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| events.refetch() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! { <EmptyState title="Aucun événement d'audit." /> }.into_any(),
                Ok(p) => {
                    let all = members.get().unwrap_or_default();
                    view! {
                        <div class="table-wrap">
                            <table class="table" data-testid="audit-table">
                                <thead><tr>
                                    <th scope="col">"Date"</th><th scope="col">"Action"</th><th scope="col">"Objet"</th>
                                    <th scope="col">"Auteur"</th><th scope="col">"Détail"</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|e| {
                                        let detail = e.diff.clone().or(e.after.clone()).map(|v| serde_json::to_string_pretty(&v).unwrap_or_default());
                                        let tone = if e.action == "BLOCKED_BY_POLICY" { "danger" } else { "neutral" };
                                        view! {
                                            <tr data-testid="audit-row" data-action=e.action.clone()>
                                                <td class="nowrap">{date_time(&e.created_at)}</td>
                                                <td><StatusBadge label=audit_action_label(&e.action).to_owned() tone=tone code=e.action.clone() /></td>
                                                <td>{entity_label(&e.entity_type)}</td>
                                                <td>{match e.actor_user_id {
                                                    None => "Système".to_owned(),
                                                    id => member_name(&all, me, id),
                                                }}</td>
                                                <td>{detail.map(|d| view! {
                                                    <details><summary>"Voir"</summary><pre class="json">{d}</pre></details>
                                                })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pagination page total_pages=p.total_pages total_items=p.total_items />
                    }.into_any()
                }
            })}
        </Transition>
    }
}
