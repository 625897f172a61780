use leptos::prelude::*;

/// A coloured pill; `tone` is one of neutral, info, progress, warning, success, danger.
#[component]
pub fn StatusBadge(
    #[prop(into)] label: String,
    #[prop(into, default = "neutral".to_owned())] tone: String,
    #[prop(into, optional)] code: Option<String>,
) -> impl IntoView {
    view! {
        <span class=format!("status status--{tone}") data-testid="status-badge" data-status=code>
            {label}
        </span>
    }
}
