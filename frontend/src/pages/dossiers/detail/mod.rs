//! `/dossiers/:id`: header, status bar, assignment and the tabs (Timeline, Messages,
//! Rendez-vous, Parties prenantes, Consentements, Audit).

mod appointments;
mod audit;
mod composer;
mod consents;
mod header;
mod messages;
mod outbound_watch;
mod parties;
mod timeline;

use atlas_shared_types::dossier::DossierDto;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::api;
use crate::components::{ErrorBox, Loading};
use crate::layout::use_role;
use crate::roles::is_manager;

/// Tabs: query value, label, managers only.
const TABS: [(&str, &str, bool); 6] = [
    ("timeline", "Timeline", false),
    ("messages", "Messages", false),
    ("appointments", "Rendez-vous", false),
    ("parties", "Parties prenantes", false),
    ("consents", "Consentements", false),
    ("audit", "Audit", true),
];

#[component]
pub fn DossierDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| Uuid::parse_str(&v).ok())));
    view! {
        {move || match id.get() {
            None => view! {
                <p class="alert alert--error" role="alert">"Adresse de dossier invalide."</p>
            }.into_any(),
            Some(id) => view! { <DossierDetail id /> }.into_any(),
        }}
    }
}

#[component]
fn DossierDetail(id: Uuid) -> impl IntoView {
    let dossier = LocalResource::new(move || async move { api::get::<DossierDto>(&format!("/dossiers/{id}")).await });
    // Bumped after every change that may move the status or the timeline.
    let changed = RwSignal::new(0u32);
    view! {
        <div class="page-header">
            <A href="/dossiers" attr:class="button button--ghost">"← Dossiers"</A>
        </div>
        <Transition fallback=|| view! { <Loading label="Chargement du dossier…" /> }>
            {move || dossier.get().map(|result| match result {
                Err(error) => view! { <ErrorBox error on_retry=move |_| dossier.refetch() /> }.into_any(),
                Ok(d) => view! {
                    <header::DossierHeader
                        d
                        on_changed=move |_| {
                            dossier.refetch();
                            changed.update(|n| *n += 1);
                        }
                    />
                }.into_any(),
            })}
        </Transition>
        <Tabs id changed />
    }
}

#[component]
fn Tabs(id: Uuid, changed: RwSignal<u32>) -> impl IntoView {
    let role = use_role();
    let query = use_query_map();
    let current = Memo::new(move |_| {
        let tab = query.with(|q| q.get("tab")).unwrap_or_default();
        if TABS.iter().any(|(t, _, _)| *t == tab) {
            tab
        } else {
            "timeline".to_owned()
        }
    });
    let tabs = TABS
        .iter()
        .map(|&(key, label, managers)| {
            let selected = move || current.get() == key;
            view! {
                <Show when=move || !managers || is_manager(role.get())>
                    <A
                        href=format!("/dossiers/{id}?tab={key}")
                        attr:class="tab"
                        attr:role="tab"
                        attr:aria-selected=move || if selected() { "true" } else { "false" }
                        attr:data-testid=format!("tab-{key}")
                        attr:id=format!("tab-{key}")
                    >
                        {label}
                    </A>
                </Show>
            }
        })
        .collect_view();
    view! {
        <nav class="tabs" role="tablist" aria-label="Sections du dossier">{tabs}</nav>
        <section class="tab-panel card" role="tabpanel" aria-labelledby=move || format!("tab-{}", current.get())>
            {move || match current.get().as_str() {
                "messages" => view! { <messages::MessagesTab id /> }.into_any(),
                "appointments" => view! { <appointments::AppointmentsTab id /> }.into_any(),
                "parties" => view! { <parties::PartiesTab id /> }.into_any(),
                "consents" => view! { <consents::ConsentsTab id /> }.into_any(),
                "audit" if is_manager(role.get()) => view! { <audit::AuditTab id /> }.into_any(),
                _ => view! { <timeline::TimelineTab id changed /> }.into_any(),
            }}
        </section>
    }
}
