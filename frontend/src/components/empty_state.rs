use leptos::prelude::*;

/// What a list shows when it has nothing: a title, an explanation and optionally an action.
#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(into, optional)] hint: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state" data-testid="empty-state">
            <p class="empty-state__title">{title}</p>
            {hint.map(|h| view! { <p class="muted">{h}</p> })}
            {children.map(|c| c())}
        </div>
    }
}
