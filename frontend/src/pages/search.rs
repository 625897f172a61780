//! Placeholder: the real search results page is built in another branch.

use leptos::prelude::*;

#[component]
pub fn SearchPage() -> impl IntoView {
    view! { <h1 data-testid="page-title">"Recherche"</h1> }
}
