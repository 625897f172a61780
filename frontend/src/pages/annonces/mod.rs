//! Placeholders: the real annonces pages are built in another branch.

use leptos::prelude::*;

#[component]
pub fn AnnoncesList() -> impl IntoView {
    view! { <h1 data-testid="page-title">"Annonces"</h1> }
}

#[component]
pub fn AnnonceForm() -> impl IntoView {
    view! { <h1 data-testid="page-title">"Annonce"</h1> }
}

#[component]
pub fn AnnonceDetail() -> impl IntoView {
    view! { <h1 data-testid="page-title">"Annonce"</h1> }
}
