//! List filters kept in the query string: a filtered list can be bookmarked, shared, reloaded, and
//! back/forward walk through the filters the user applied.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::api;
use crate::auth::search_of;

/// One filter: its query-string key, its signal and the value that is left out of the URL.
pub type UrlField = (&'static str, RwSignal<String>, &'static str);

/// Binds `fields` and `page` to the URL both ways. Call once, in the list's component, after the
/// signals are created: they take the URL's values at once.
pub fn bind_to_url(fields: Vec<UrlField>, page: RwSignal<u32>) {
    let location = use_location();
    let navigate = use_navigate();
    let fields = StoredValue::new(fields);

    let from_url = move || {
        let query = location.query.get();
        fields.with_value(|fields| {
            for (key, signal, default) in fields {
                let value = query.get(key).unwrap_or_else(|| (*default).to_owned());
                if signal.get_untracked() != value {
                    signal.set(value);
                }
            }
        });
        let p = query.get("page").and_then(|p| p.parse::<u32>().ok()).map_or(0, |p| p.saturating_sub(1));
        if page.get_untracked() != p {
            page.set(p);
        }
    };
    // The URL's values first (untracked: before anything reads the signals)…
    untrack(from_url);
    // …then whenever it changes from outside (back/forward, a link to the bare list).
    Effect::new(move |_| from_url());

    // Filters → URL (replace: a filter change is not a new history entry per keystroke).
    Effect::new(move |_| {
        let mut pairs: Vec<(&str, String)> = fields.with_value(|fields| {
            fields
                .iter()
                .filter_map(|(key, s, default)| {
                    let v = s.get();
                    (v != *default).then_some((*key, v))
                })
                .collect()
        });
        // Pages are numbered from 1 in the URL, as the user reads them.
        let p = page.get();
        if p > 0 {
            pairs.push(("page", (p + 1).to_string()));
        }
        let search = api::query(&pairs);
        let current = search_of(&location);
        if search != current && !(search.is_empty() && current == "?") {
            let path = location.pathname.get_untracked();
            navigate(
                &format!("{path}{search}"),
                NavigateOptions { replace: true, scroll: false, ..Default::default() },
            );
        }
    });

    // Any filter change goes back to the first page (not the URL's own page at load).
    Effect::new(move |previous: Option<Vec<String>>| {
        let now: Vec<String> = fields.with_value(|fields| fields.iter().map(|(_, s, _)| s.get()).collect());
        if previous.is_some_and(|p| p != now) {
            page.set(0);
        }
        now
    });
}
