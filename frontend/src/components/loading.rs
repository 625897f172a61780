use leptos::prelude::*;

/// A spinner with a label, announced politely to screen readers.
#[component]
pub fn Loading(#[prop(into, default = "Chargement…".to_owned())] label: String) -> impl IntoView {
    view! {
        <p class="loading" role="status" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            {label}
        </p>
    }
}
