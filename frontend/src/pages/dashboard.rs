//! Placeholder: the real dashboard is built in another branch.

use leptos::prelude::*;

#[component]
pub fn Dashboard() -> impl IntoView {
    view! { <h1 data-testid="page-title">"Tableau de bord"</h1> }
}
