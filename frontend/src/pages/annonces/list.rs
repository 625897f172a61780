//! `/annonces`: filters, search, sort and pagination, all kept in the URL; CSV export of the
//! filtered list (MANAGER+).

use atlas_shared_types::annonce::AnnonceDto;
use atlas_shared_types::Page;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::auth::use_session;
use crate::components::charts::geometry::{fr_decimal, fr_int};
use crate::components::dpe::{DpeBadge, EnergyWarning};
use crate::components::{EmptyState, ErrorBox, ExportButton, Loading, StatusBadge};
use crate::format::{or_dash, price, wire};
use crate::labels::{
    annonce_status_label, annonce_status_tone, property_type_label, transaction_type_label, ANNONCE_STATUSES,
    PROPERTY_TYPES, TRANSACTION_TYPES,
};
use crate::layout::use_role;
use crate::roles::{can_write, is_manager};
use crate::url_state::bind_to_url;

pub const PAGE_SIZE: u32 = 20;

/// Filters, sort and page of the list (the query string of `GET /annonces`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub status: String,
    pub transaction_type: String,
    pub property_type: String,
    pub city: String,
    pub min_price: String,
    pub max_price: String,
    pub q: String,
    /// `field,asc|desc`; empty = newest first.
    pub sort: String,
    pub page: u32,
}

/// French decimal input (`250 000,5`) to the API's form (`250000.5`).
pub fn api_number(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_whitespace() && *c != '\u{202f}').collect::<String>().replace(',', ".")
}

impl ListQuery {
    /// The filters alone: what the CSV export takes.
    pub fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("status", self.status.clone()),
            ("transactionType", self.transaction_type.clone()),
            ("propertyType", self.property_type.clone()),
            ("city", self.city.trim().to_owned()),
            ("minPrice", api_number(&self.min_price)),
            ("maxPrice", api_number(&self.max_price)),
            ("q", self.q.trim().to_owned()),
        ]
    }

    /// The filters, the sort and the page: what the list takes.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.filter_pairs();
        pairs.extend([("sort", self.sort.clone()), ("page", self.page.to_string()), ("size", PAGE_SIZE.to_string())]);
        pairs
    }

    pub fn is_filtered(&self) -> bool {
        !(self.status.is_empty()
            && self.transaction_type.is_empty()
            && self.property_type.is_empty()
            && self.city.trim().is_empty()
            && self.min_price.trim().is_empty()
            && self.max_price.trim().is_empty()
            && self.q.trim().is_empty())
    }
}

/// The applied filters, one signal each: what the URL holds (`bind_to_url`).
#[derive(Clone, Copy)]
struct Applied {
    status: RwSignal<String>,
    transaction_type: RwSignal<String>,
    property_type: RwSignal<String>,
    city: RwSignal<String>,
    min_price: RwSignal<String>,
    max_price: RwSignal<String>,
    q: RwSignal<String>,
    sort: RwSignal<String>,
    page: RwSignal<u32>,
}

impl Applied {
    fn new() -> Self {
        let s = || RwSignal::new(String::new());
        let applied = Applied {
            status: s(),
            transaction_type: s(),
            property_type: s(),
            city: s(),
            min_price: s(),
            max_price: s(),
            q: s(),
            sort: s(),
            page: RwSignal::new(0),
        };
        // The query string uses the API's names.
        bind_to_url(
            vec![
                ("status", applied.status, ""),
                ("transactionType", applied.transaction_type, ""),
                ("propertyType", applied.property_type, ""),
                ("city", applied.city, ""),
                ("minPrice", applied.min_price, ""),
                ("maxPrice", applied.max_price, ""),
                ("q", applied.q, ""),
                ("sort", applied.sort, ""),
            ],
            applied.page,
        );
        applied
    }

    fn get(&self) -> ListQuery {
        ListQuery {
            status: self.status.get(),
            transaction_type: self.transaction_type.get(),
            property_type: self.property_type.get(),
            city: self.city.get(),
            min_price: self.min_price.get(),
            max_price: self.max_price.get(),
            q: self.q.get(),
            sort: self.sort.get(),
            page: self.page.get(),
        }
    }

    /// Applies `q` (the page follows: a filter change goes back to the first one).
    fn set(&self, q: ListQuery) {
        let set = |signal: RwSignal<String>, value: String| {
            if signal.get_untracked() != value {
                signal.set(value);
            }
        };
        set(self.status, q.status);
        set(self.transaction_type, q.transaction_type);
        set(self.property_type, q.property_type);
        set(self.city, q.city.trim().to_owned());
        set(self.min_price, q.min_price.trim().to_owned());
        set(self.max_price, q.max_price.trim().to_owned());
        set(self.q, q.q.trim().to_owned());
        set(self.sort, q.sort);
        if self.page.get_untracked() != 0 {
            self.page.set(0);
        }
    }
}

const SORTS: [(&str, &str); 7] = [
    ("", "Plus récentes"),
    ("createdAt,asc", "Plus anciennes"),
    ("price,asc", "Prix croissant"),
    ("price,desc", "Prix décroissant"),
    ("updatedAt,desc", "Modifiées récemment"),
    ("reference,asc", "Référence"),
    ("title,asc", "Titre (A → Z)"),
];

#[component]
pub fn AnnoncesList() -> impl IntoView {
    let session = use_session();
    let role = use_role();
    let applied = Applied::new();
    // What the inputs hold; the text fields apply on submit, the selects at once. The inputs show
    // the applied filters, also when they come from the URL (a link, back/forward).
    let filters = Memo::new(move |_| ListQuery { page: 0, ..applied.get() });
    let draft = RwSignal::new(filters.get_untracked());
    Effect::new(move |_| draft.set(filters.get()));

    let annonces = LocalResource::new(move || {
        let _org = session.org_id();
        let path = format!("/annonces{}", api::query(&applied.get().pairs()));
        async move { api::get::<Page<AnnonceDto>>(&path).await }
    });
    let export_path =
        Signal::derive(move || format!("/annonces/export.csv{}", api::query(&applied.get().filter_pairs())));

    let apply_now = move || applied.set(draft.get_untracked());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        apply_now();
    };
    let reset = move |_| {
        draft.set(ListQuery::default());
        applied.set(ListQuery::default());
    };
    let select = move |label: &'static str,
                       testid: &'static str,
                       get: fn(&ListQuery) -> String,
                       set: fn(&mut ListQuery, String),
                       options: Vec<(String, &'static str)>| {
        let options =
            options.into_iter().map(|(code, label)| view! { <option value=code>{label}</option> }).collect_view();
        view! {
            <label class="filter">
                <span>{label}</span>
                <select data-testid=testid
                    prop:value=move || get(&draft.get())
                    on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| set(d, v)); apply_now(); }>
                    {options}
                </select>
            </label>
        }
    };
    let text = move |label: &'static str,
                     testid: &'static str,
                     kind: &'static str,
                     placeholder: &'static str,
                     get: fn(&ListQuery) -> String,
                     set: fn(&mut ListQuery, String)| {
        view! {
            <label class="filter">
                <span>{label}</span>
                <input type=kind data-testid=testid placeholder=placeholder inputmode=if kind == "text" && testid.contains("price") { "decimal" } else { "text" }
                    prop:value=move || get(&draft.get())
                    on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| set(d, v)); } />
            </label>
        }
    };

    let mut status_opts = vec![(String::new(), "Tous")];
    status_opts.extend(ANNONCE_STATUSES.iter().map(|s| (wire(s), annonce_status_label(*s))));
    let mut tx_opts = vec![(String::new(), "Toutes")];
    tx_opts.extend(TRANSACTION_TYPES.iter().map(|t| (wire(t), transaction_type_label(*t))));
    let mut prop_opts = vec![(String::new(), "Tous")];
    prop_opts.extend(PROPERTY_TYPES.iter().map(|p| (wire(p), property_type_label(*p))));
    let sort_opts = SORTS.iter().map(|(code, label)| ((*code).to_owned(), *label)).collect();

    view! {
        <div class="page annonces" data-testid="annonces-list">
            <header class="page-header">
                <div>
                    <h1>"Annonces"</h1>
                    <p class="muted">"Biens à la vente et à la location de l'agence."</p>
                </div>
                <div class="page-header__actions">
                    <Show when=move || is_manager(role.get())>
                        <ExportButton path=export_path fallback_name="annonces.csv" testid="annonce-export" />
                    </Show>
                    <Show when=move || can_write(role.get())>
                        <A href="/annonces/new" attr:class="button button--primary" attr:data-testid="annonce-new">
                            "Nouvelle annonce"
                        </A>
                    </Show>
                </div>
            </header>

            <form class="card filters" on:submit=on_submit role="search" aria-label="Filtrer les annonces">
                <label class="filter filter--search">
                    <span>"Recherche"</span>
                    <input type="search" data-testid="annonces-q" placeholder="Titre, ville, référence…"
                        prop:value=move || draft.get().q
                        on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.q = v); } />
                </label>
                {select("Statut", "filter-status", |q| q.status.clone(), |q, v| q.status = v, status_opts)}
                {select("Transaction", "filter-transaction", |q| q.transaction_type.clone(), |q, v| q.transaction_type = v, tx_opts)}
                {select("Type de bien", "filter-property", |q| q.property_type.clone(), |q, v| q.property_type = v, prop_opts)}
                {text("Ville", "filter-city", "text", "", |q| q.city.clone(), |q, v| q.city = v)}
                {text("Prix min (€)", "filter-min-price", "text", "0", |q| q.min_price.clone(), |q, v| q.min_price = v)}
                {text("Prix max (€)", "filter-max-price", "text", "", |q| q.max_price.clone(), |q, v| q.max_price = v)}
                {select("Tri", "annonces-sort", |q| q.sort.clone(), |q, v| q.sort = v, sort_opts)}
                <div class="filter-actions">
                    <button type="submit" class="button button--primary" data-testid="annonces-apply">"Filtrer"</button>
                    <button type="button" class="button button--ghost" data-testid="annonces-reset" on:click=reset>"Réinitialiser"</button>
                </div>
            </form>

            <Transition fallback=|| view! { <Loading attr:data-testid="annonces-loading" /> }>
                {move || Suspend::new(async move {
                    match annonces.await {
                        Err(error) => view! {
                            <ErrorBox error on_retry=move |_| annonces.refetch() attr:data-testid="annonces-error" />
                        }.into_any(),
                        Ok(page) if page.items.is_empty() => {
                            let title = if untrack(|| applied.get()).is_filtered() {
                                "Aucune annonce ne correspond à ces critères."
                            } else {
                                "Aucune annonce pour l'instant."
                            };
                            view! { <EmptyState title attr:data-testid="annonces-empty" /> }.into_any()
                        }
                        Ok(page) => view! { <AnnonceTable page current_page=applied.page /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn AnnonceTable(page: Page<AnnonceDto>, current_page: RwSignal<u32>) -> impl IntoView {
    let rows = page
        .items
        .into_iter()
        .map(|a| {
            let href = format!("/annonces/{}", a.id);
            let amount = a.price.map(|p| price(p, &a.currency));
            let surface = a.surface_m2.map(|s| format!("{}\u{a0}m²", fr_decimal(s, 2)));
            let status = a.status;
            view! {
                <tr data-testid="annonce-row" data-reference=a.reference.clone()>
                    <td data-label="Référence" class="mono">{a.reference.clone()}</td>
                    <td data-label="Titre" class="cell-title">
                        <A href=href attr:data-testid="annonce-link">{a.title.clone()}</A>
                        <EnergyWarning class=a.energy_class compact=true />
                    </td>
                    <td data-label="Type">
                        {format!("{} · {}", transaction_type_label(a.transaction_type), property_type_label(a.property_type))}
                    </td>
                    <td data-label="Ville">{or_dash(a.city.as_deref())}</td>
                    <td data-label="Prix" class="num">{or_dash(amount.as_deref())}</td>
                    <td data-label="Surface" class="num">{or_dash(surface.as_deref())}</td>
                    <td data-label="DPE"><DpeBadge class=a.energy_class /></td>
                    <td data-label="Statut">
                        <StatusBadge label=annonce_status_label(status) tone=annonce_status_tone(status) code=wire(&status)
                            attr:data-testid="annonce-status" />
                    </td>
                </tr>
            }
        })
        .collect_view();
    let current = page.page;
    let total_pages = page.total_pages;
    let go = move |p: u32| current_page.set(p);
    view! {
        <div class="table-wrap">
            <table class="table table--stack" data-testid="annonces-table">
                <thead>
                    <tr>
                        <th scope="col">"Référence"</th>
                        <th scope="col">"Titre"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Ville"</th>
                        <th scope="col" class="num">"Prix"</th>
                        <th scope="col" class="num">"Surface"</th>
                        <th scope="col">"DPE"</th>
                        <th scope="col">"Statut"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pagination">
            <button type="button" class="button" data-testid="page-prev" disabled={current == 0}
                on:click=move |_| go(current.saturating_sub(1))>"← Précédente"</button>
            <span data-testid="page-info">
                {format!("Page {} sur {} · {} annonce{}", current + 1, total_pages.max(1), fr_int(page.total_items as i64),
                    if page.total_items > 1 { "s" } else { "" })}
            </span>
            <button type="button" class="button" data-testid="page-next" disabled={u64::from(current) + 1 >= total_pages}
                on:click=move |_| go(current + 1)>"Suivante →"</button>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_skip_nothing_but_empty_values() {
        let q = ListQuery { min_price: "250 000,5".into(), city: " Paris ".into(), page: 2, ..Default::default() };
        let pairs = q.pairs();
        assert!(pairs.contains(&("minPrice", "250000.5".to_owned())));
        assert!(pairs.contains(&("city", "Paris".to_owned())));
        assert!(pairs.contains(&("page", "2".to_owned())));
        // The export takes the filters, not the sort nor the page.
        let export = ListQuery { sort: "price,asc".into(), ..q.clone() }.filter_pairs();
        assert!(export.contains(&("city", "Paris".to_owned())));
        assert!(export.iter().all(|(k, _)| !matches!(*k, "sort" | "page" | "size")));
        assert!(q.is_filtered());
        assert!(!ListQuery::default().is_filtered());
    }
}
