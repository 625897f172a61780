use leptos::prelude::*;

/// A form field: label, the control given as children (with `id` = `id`), and its inline error.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    #[prop(into)] id: String,
    #[prop(into, optional)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
    #[prop(into, optional)] hint: Option<String>,
    children: Children,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:field--invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {children()}
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
            <p class="field-error" id=error_id.clone() data-testid=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}
