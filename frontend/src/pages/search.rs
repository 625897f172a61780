//! `/search?q=`: the global search (`GET /api/v1/search`), typed results with highlighted
//! snippets, links to the annonce or the dossier, pagination.

use atlas_shared_types::search::SearchHitDto;
use atlas_shared_types::Page;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{self, ApiError};
use crate::auth::use_session;
use crate::components::charts::geometry::fr_int;
use crate::components::{EmptyState, ErrorBox, Loading};

pub const PAGE_SIZE: u32 = 20;
pub const MIN_QUERY_CHARS: usize = 2;

/// French label of a hit type.
pub fn type_label(t: &str) -> &'static str {
    match t {
        "ANNONCE" => "Annonce",
        "DOSSIER" => "Dossier",
        "PARTIE" => "Partie prenante",
        "MESSAGE" => "Message",
        _ => "Résultat",
    }
}

/// Where a hit leads: the annonce, or the dossier (its own or the one of a party or a message).
pub fn hit_href(h: &SearchHitDto) -> Option<String> {
    match h.hit_type.as_str() {
        "ANNONCE" => Some(format!("/annonces/{}", h.id)),
        "DOSSIER" => Some(format!("/dossiers/{}", h.id)),
        _ => h.dossier_id.map(|d| format!("/dossiers/{d}")),
    }
}

/// `/search?q=…&types=…&page=…`, what the page's address holds.
pub fn search_path(q: &str, types: &str, page: u32) -> String {
    let mut pairs = vec![("q", q.trim().to_owned()), ("types", types.to_owned())];
    if page > 0 {
        pairs.push(("page", page.to_string()));
    }
    format!("/search{}", api::query(&pairs))
}

const TYPES: [(&str, &str); 5] = [
    ("", "Tout"),
    ("ANNONCE", "Annonces"),
    ("DOSSIER", "Dossiers"),
    ("PARTIE", "Parties prenantes"),
    ("MESSAGE", "Messages"),
];

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let session = use_session();
    let navigate = use_navigate();
    let q = Memo::new(move |_| query.with(|m| m.get("q")).unwrap_or_default());
    let types = Memo::new(move |_| query.with(|m| m.get("types")).unwrap_or_default());
    let page = Memo::new(move |_| query.with(|m| m.get("page")).and_then(|p| p.parse::<u32>().ok()).unwrap_or(0));
    let input = RwSignal::new(q.get_untracked());
    Effect::new(move |_| input.set(q.get()));

    let results = LocalResource::new(move || {
        let _org = session.org_id();
        let (q, types, page) = (q.get(), types.get(), page.get());
        // A 401 ends the session in the ErrorBox.
        async move {
            if q.trim().chars().count() < MIN_QUERY_CHARS {
                return Ok(None);
            }
            let path = format!(
                "/search{}",
                api::query(&[
                    ("q", q.trim().to_owned()),
                    ("types", types),
                    ("page", page.to_string()),
                    ("size", PAGE_SIZE.to_string())
                ])
            );
            api::get::<Page<SearchHitDto>>(&path).await.map(Some)
        }
    });

    let nav = navigate.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        nav(&search_path(&input.get_untracked(), &types.get_untracked(), 0), Default::default());
    };

    let type_chips = TYPES
        .iter()
        .map(|(code, label)| {
            let navigate = navigate.clone();
            let code = *code;
            let on = move || types.get() == code;
            view! {
                <button type="button" class="chip chip--toggle" class:chip--active=on aria-pressed=move || on().to_string()
                    data-testid=format!("search-type-{}", if code.is_empty() { "all".to_owned() } else { code.to_lowercase() })
                    on:click=move |_| navigate(&search_path(&q.get_untracked(), code, 0), Default::default())>
                    {*label}
                </button>
            }
        })
        .collect_view();

    view! {
        <div class="page search" data-testid="search-page">
            <header class="page-header"><h1>"Recherche"</h1></header>
            <form class="card search-form" role="search" on:submit=submit>
                <label for="search-q" class="visually-hidden">"Rechercher"</label>
                <input id="search-q" type="search" data-testid="search-input" autofocus
                    placeholder="Nom, téléphone, référence, ville, texte d'un message…"
                    prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev)) />
                <button type="submit" class="button button--primary" data-testid="search-submit">"Rechercher"</button>
                <div class="chips" role="group" aria-label="Type de résultat">{type_chips}</div>
            </form>
            <Transition fallback=|| view! { <Loading attr:data-testid="search-loading" /> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(None) => view! {
                            <EmptyState title="Saisissez au moins 2 caractères pour lancer la recherche."
                                attr:data-testid="search-hint" />
                        }.into_any(),
                        Ok(Some(p)) if p.items.is_empty() => view! {
                            <EmptyState title=format!("Aucun résultat pour « {} ».", q.get_untracked().trim())
                                attr:data-testid="search-empty" />
                        }.into_any(),
                        Ok(Some(p)) => view! { <SearchResults p q types /> }.into_any(),
                        Err(ApiError::Problem(p)) if p.code == "VALIDATION_ERROR" => view! {
                            <div class="alert alert--error" role="alert" data-testid="search-error">
                                <p>"Recherche invalide : 2 à 200 caractères."</p>
                            </div>
                        }.into_any(),
                        Err(error) => view! {
                            <ErrorBox error on_retry=move |_| results.refetch() attr:data-testid="search-error" />
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn SearchResults(p: Page<SearchHitDto>, q: Memo<String>, types: Memo<String>) -> impl IntoView {
    let navigate = use_navigate();
    let total = p.total_items;
    let current = p.page;
    let total_pages = p.total_pages;
    let items = p
        .items
        .into_iter()
        .map(|h| {
            let href = hit_href(&h);
            let kind = h.hit_type.to_lowercase();
            let title = if h.title.trim().is_empty() { "(sans titre)".to_owned() } else { h.title.clone() };
            let heading = match href {
                Some(href) => view! { <A href=href attr:data-testid="search-hit-link">{title}</A> }.into_any(),
                None => view! { <span>{title}</span> }.into_any(),
            };
            view! {
                <li class="search-hit" data-testid="search-hit" data-type=h.hit_type.clone()>
                    <span class=format!("badge badge--{kind}") data-testid="search-hit-type">{type_label(&h.hit_type)}</span>
                    <div class="search-hit-body">
                        <p class="search-hit-title">{heading}</p>
                        // The server escapes everything in the snippet except <mark>: the one field
                        // rendered as HTML.
                        <p class="search-hit-snippet" data-testid="search-hit-snippet" inner_html=h.snippet.clone()></p>
                    </div>
                </li>
            }
        })
        .collect_view();
    let go =
        move |page: u32| navigate(&search_path(&q.get_untracked(), &types.get_untracked(), page), Default::default());
    let go2 = go.clone();
    view! {
        <p class="muted" data-testid="search-count" aria-live="polite">
            {format!("{} résultat{}", fr_int(total as i64), if total > 1 { "s" } else { "" })}
        </p>
        <ul class="search-hits card">{items}</ul>
        {(total_pages > 1).then(|| view! {
            <nav class="pager" aria-label="Pagination">
                <button type="button" class="button" data-testid="page-prev" disabled={current == 0}
                    on:click=move |_| go(current.saturating_sub(1))>"← Précédente"</button>
                <span data-testid="page-info">{format!("Page {} sur {}", current + 1, total_pages)}</span>
                <button type="button" class="button" data-testid="page-next" disabled={u64::from(current) + 1 >= total_pages}
                    on:click=move |_| go2(current + 1)>"Suivante →"</button>
            </nav>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn hit(t: &str, dossier: Option<Uuid>) -> SearchHitDto {
        SearchHitDto {
            hit_type: t.into(),
            id: Uuid::from_u128(1),
            title: "x".into(),
            snippet: String::new(),
            dossier_id: dossier,
            score: 1.0,
        }
    }

    #[test]
    fn hits_link_to_their_annonce_or_dossier() {
        let d = Uuid::from_u128(9);
        assert_eq!(hit_href(&hit("ANNONCE", None)), Some(format!("/annonces/{}", Uuid::from_u128(1))));
        assert_eq!(hit_href(&hit("DOSSIER", None)), Some(format!("/dossiers/{}", Uuid::from_u128(1))));
        assert_eq!(hit_href(&hit("PARTIE", Some(d))), Some(format!("/dossiers/{d}")));
        assert_eq!(hit_href(&hit("MESSAGE", Some(d))), Some(format!("/dossiers/{d}")));
        assert_eq!(hit_href(&hit("MESSAGE", None)), None);
        assert_eq!(type_label("PARTIE"), "Partie prenante");
    }
}
