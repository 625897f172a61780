//! `/dossiers`: filters (status, source, type, assignee), search, sort and pagination, all kept in
//! the URL; CSV export of the filtered list (MANAGER+).

use atlas_shared_types::dossier::DossierDto;
use atlas_shared_types::Page;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::components::{EmptyState, ErrorBox, ExportButton, Loading, Pagination, StatusBadge};
use crate::format::{date_time, or_dash, wire};
use crate::labels::{
    dossier_source_label, dossier_status_label, dossier_status_tone, dossier_type_label, DOSSIER_SOURCES,
    DOSSIER_STATUSES, DOSSIER_TYPES,
};
use crate::layout::{use_current_user, use_role};
use crate::members::{member_name, member_options, use_members};
use crate::pages::dossiers::import::ImportButton;
use crate::roles::{can_write, is_manager};
use crate::url_state::bind_to_url;

const SORTS: [(&str, &str); 5] = [
    ("createdAt,desc", "Plus récents"),
    ("lastActivityAt,desc", "Activité récente"),
    ("leadName,asc", "Nom du contact (A→Z)"),
    ("reference,desc", "Référence"),
    ("status,asc", "Statut"),
];

#[component]
pub fn DossiersListPage() -> impl IntoView {
    let role = use_role();
    let me = use_current_user().map(|c| c.user_id());
    let members = use_members();

    let status = RwSignal::new(String::new());
    let source = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let sort = RwSignal::new(SORTS[0].0.to_owned());
    let q_input = RwSignal::new(String::new());
    let q = RwSignal::new(String::new());
    let page = RwSignal::new(0u32);
    bind_to_url(
        vec![
            ("status", status, ""),
            ("source", source, ""),
            ("type", kind, ""),
            ("assignedToUserId", assignee, ""),
            ("q", q, ""),
            ("sort", sort, SORTS[0].0),
        ],
        page,
    );
    // The search box shows the applied search, also when it comes from the URL.
    Effect::new(move |_| q_input.set(q.get()));

    let filters = move || {
        vec![
            ("status", status.get()),
            ("source", source.get()),
            ("type", kind.get()),
            ("assignedToUserId", assignee.get()),
            ("q", q.get()),
            ("sort", sort.get()),
        ]
    };
    let dossiers = LocalResource::new(move || {
        let mut pairs = filters();
        pairs.extend([("page", page.get().to_string()), ("size", "20".to_owned())]);
        let path = format!("/dossiers{}", api::query(&pairs));
        async move { api::get::<Page<DossierDto>>(&path).await }
    });
    let export_path = Signal::derive(move || format!("/dossiers/export.csv{}", api::query(&filters())));

    let on_search = move |ev: SubmitEvent| {
        ev.prevent_default();
        q.set(q_input.get_untracked().trim().to_owned());
    };
    let reset = move |_| {
        status.set(String::new());
        source.set(String::new());
        kind.set(String::new());
        assignee.set(String::new());
        sort.set(SORTS[0].0.to_owned());
        q_input.set(String::new());
        q.set(String::new());
    };

    view! {
        <div class="page-header">
            <h1 data-testid="page-title">"Dossiers"</h1>
            <div class="page-header__actions">
                <Show when=move || is_manager(role.get())>
                    <ImportButton on_imported=move |_| dossiers.refetch() />
                    <ExportButton path=export_path fallback_name="dossiers.csv" testid="dossier-export" />
                </Show>
                <Show when=move || can_write(role.get())>
                    <A href="/dossiers/new" attr:class="button button--primary" attr:data-testid="dossier-new">
                        "Nouveau dossier"
                    </A>
                </Show>
            </div>
        </div>
        <section class="card filters" aria-label="Filtres">
            <form class="filters__search" role="search" on:submit=on_search>
                <label for="dossier-q" class="visually-hidden">"Rechercher un dossier"</label>
                <input id="dossier-q" type="search" placeholder="Nom, téléphone, email, référence…" data-testid="dossier-search" bind:value=q_input />
                <button type="submit" class="button">"Rechercher"</button>
            </form>
            <div class="filters__row">
                <label>
                    <span>"Statut"</span>
                    <select data-testid="filter-status" bind:value=status>
                        <option value="">"Tous"</option>
                        {DOSSIER_STATUSES.iter().map(|s| view! { <option value=wire(s)>{dossier_status_label(*s)}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>"Source"</span>
                    <select data-testid="filter-source" bind:value=source>
                        <option value="">"Toutes"</option>
                        {DOSSIER_SOURCES.iter().map(|s| view! { <option value=wire(s)>{dossier_source_label(*s)}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>"Type"</span>
                    <select data-testid="filter-type" bind:value=kind>
                        <option value="">"Tous"</option>
                        {DOSSIER_TYPES.iter().map(|t| view! { <option value=wire(t)>{dossier_type_label(*t)}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>"Conseiller"</span>
                    <select data-testid="filter-assignee" bind:value=assignee>
                        <option value="">"Tous"</option>
                        {move || member_options(&members.get().unwrap_or_default()).into_iter().map(|(id, name)| {
                            view! { <option value=id.to_string()>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>"Tri"</span>
                    <select data-testid="sort" bind:value=sort>
                        {SORTS.iter().map(|(v, l)| view! { <option value=*v>{*l}</option> }).collect_view()}
                    </select>
                </label>
                <button type="button" class="button button--ghost" data-testid="filters-reset" on:click=reset>
                    "Réinitialiser"
                </button>
            </div>
        </section>
        <Transition fallback=|| view! { <Loading /> }>
            {move || dossiers.get().map(|result| match result {
                Err(error) => view! { <ErrorBox error on_retry=move |_| dossiers.refetch() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! {
                    <EmptyState
                        title="Aucun dossier ne correspond."
                        hint="Modifiez les filtres ou la recherche, ou créez un dossier."
                    />
                }.into_any(),
                Ok(p) => {
                    let all = members.get().unwrap_or_default();
                    let rows = p.items.into_iter().map(|d| {
                        let href = format!("/dossiers/{}", d.id);
                        let contact = d.lead_phone.clone().or(d.lead_email.clone());
                        view! {
                            <tr data-testid="dossier-row">
                                <td><A href=href attr:data-testid="dossier-link">{d.reference.clone()}</A></td>
                                <td>{d.lead_name.clone()}<br /><span class="muted small">{or_dash(contact.as_deref())}</span></td>
                                <td><StatusBadge label=dossier_status_label(d.status) tone=dossier_status_tone(d.status) code=wire(&d.status) /></td>
                                <td>{dossier_source_label(d.source)}</td>
                                <td>{dossier_type_label(d.dossier_type)}</td>
                                <td>{member_name(&all, me, d.assigned_to_user_id)}</td>
                                <td class="nowrap">{date_time(&d.last_activity_at)}</td>
                            </tr>
                        }
                    }).collect_view();
                    view! {
                        <div class="table-wrap card">
                            <table class="table" data-testid="dossier-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Référence"</th>
                                        <th scope="col">"Contact"</th>
                                        <th scope="col">"Statut"</th>
                                        <th scope="col">"Source"</th>
                                        <th scope="col">"Type"</th>
                                        <th scope="col">"Conseiller"</th>
                                        <th scope="col">"Dernière activité"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        <Pagination page total_pages=p.total_pages total_items=p.total_items />
                    }.into_any()
                }
            })}
        </Transition>
    }
}
