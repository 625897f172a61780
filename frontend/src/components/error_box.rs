use leptos::prelude::*;

use crate::api::ApiError;
use crate::auth::use_session_expiry;
use crate::labels::{api_field_label, api_field_message, field_error_line};

/// An API error: its French message, the field errors of a `VALIDATION_ERROR`, and a retry
/// button when the caller gives `on_retry`. A 401 ends the session (back to the login page).
#[component]
pub fn ErrorBox(error: ApiError, #[prop(optional, into)] on_retry: Option<Callback<()>>) -> impl IntoView {
    if error.is_unauthorized() {
        let expire = use_session_expiry();
        Effect::new(move |_| expire());
    }
    let message = match error.status() {
        Some(403) => "Vous n'avez pas les droits nécessaires pour cette action.".to_owned(),
        Some(404) => "Élément introuvable (il a peut-être été supprimé).".to_owned(),
        _ => error.to_string(),
    };
    let fields = match &error {
        ApiError::Problem(p) => p.errors.clone().unwrap_or_default(),
        _ => Vec::new(),
    };
    view! {
        <div class="alert alert--error" role="alert" data-testid="error-box">
            <p>{message}</p>
            {(!fields.is_empty()).then(|| view! {
                <ul class="field-errors">
                    {fields.into_iter().map(|f| view! {
                        <li><strong>{api_field_label(&f.field).to_owned()}</strong>" : "{api_field_message(&f.message)}</li>
                    }).collect_view()}
                </ul>
            })}
            {on_retry.map(|retry| view! {
                <button type="button" class="button" data-testid="error-retry" on:click=move |_| retry.run(())>
                    "Réessayer"
                </button>
            })}
        </div>
    }
}

/// The message of an error for a toast or an inline line.
pub fn error_message(error: &ApiError) -> String {
    if let ApiError::Problem(p) = error {
        if let Some(errors) = p.errors.as_ref().filter(|e| !e.is_empty()) {
            let details: Vec<String> = errors.iter().map(field_error_line).collect();
            return format!("{} ({})", p.title, details.join(", "));
        }
    }
    match error.status() {
        Some(403) => "Vous n'avez pas les droits nécessaires pour cette action.".to_owned(),
        _ => error.to_string(),
    }
}

/// The message of the field `name` in a `VALIDATION_ERROR`, if any.
pub fn field_error(error: &ApiError, name: &str) -> Option<String> {
    match error {
        ApiError::Problem(p) => p
            .errors
            .as_ref()?
            .iter()
            .filter(|e| e.field == name)
            .map(|e| e.message.clone())
            .reduce(|a, b| format!("{a} {b}")),
        _ => None,
    }
}
