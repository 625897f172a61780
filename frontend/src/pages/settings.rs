//! Placeholder: the real settings pages are built in another branch.

use leptos::prelude::*;

#[component]
pub fn Settings() -> impl IntoView {
    view! { <h1 data-testid="page-title">"Paramètres"</h1> }
}
