//! `/login`: email + password form.

use atlas_shared_types::{LoginRequest, LoginResponse};
use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{self, ApiError};
use crate::auth::{reconciled_org, safe_next, use_session};

pub const INVALID_CREDENTIALS_MESSAGE: &str = "Email ou mot de passe incorrect";
pub const SESSION_EXPIRED_MESSAGE: &str = "Votre session a expiré, veuillez vous reconnecter.";

/// Errors of the form, per field and for the whole form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    pub email: Option<String>,
    pub password: Option<String>,
    pub form: Option<String>,
}

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.password.is_none() && self.form.is_none()
    }
}

/// Client-side checks, before anything is sent.
pub fn validate(email: &str, password: &str) -> FormErrors {
    let email = email.trim();
    FormErrors {
        email: if email.is_empty() {
            Some("Saisissez votre adresse email.".to_owned())
        } else if !email.contains('@') {
            Some("Adresse email invalide : il manque « @ ».".to_owned())
        } else {
            None
        },
        password: password.is_empty().then(|| "Saisissez votre mot de passe.".to_owned()),
        form: None,
    }
}

/// What the form shows for an error of `POST /auth/login`.
pub fn errors_of(error: &ApiError) -> FormErrors {
    if error.code() == Some("INVALID_CREDENTIALS") || (error.status() == Some(401) && error.code().is_none()) {
        return FormErrors { form: Some(INVALID_CREDENTIALS_MESSAGE.to_owned()), ..Default::default() };
    }
    if let ApiError::Problem(problem) = error {
        if let Some(field_errors) = problem.errors.as_ref().filter(|e| !e.is_empty()) {
            let mut out = FormErrors::default();
            let mut other = Vec::new();
            for fe in field_errors {
                let slot = match fe.field.as_str() {
                    "email" => &mut out.email,
                    "password" => &mut out.password,
                    _ => {
                        other.push(fe.message.clone());
                        continue;
                    }
                };
                match slot {
                    Some(existing) => {
                        existing.push(' ');
                        existing.push_str(&fe.message);
                    }
                    None => *slot = Some(fe.message.clone()),
                }
            }
            if !other.is_empty() {
                out.form = Some(other.join(" "));
            }
            return out;
        }
    }
    FormErrors { form: Some(error.to_string()), ..Default::default() }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    // Already signed in (and not sent here by an expiry): nothing to do here.
    if session.is_signed_in_untracked() {
        return Either::Left(view! { <Redirect path="/" /> });
    }
    Either::Right(view! { <LoginForm /> })
}

#[component]
fn LoginForm() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let expired = Memo::new(move |_| query.read().get("expired").is_some());

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FormErrors::default());
    let busy = RwSignal::new(false);
    let email_ref = NodeRef::<leptos::html::Input>::new();
    let password_ref = NodeRef::<leptos::html::Input>::new();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let email_value = email.get_untracked().trim().to_owned();
        let password_value = password.get_untracked();
        let checked = validate(&email_value, &password_value);
        if !checked.is_empty() {
            let target = if checked.email.is_some() { email_ref } else { password_ref };
            errors.set(checked);
            if let Some(input) = target.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        errors.set(FormErrors::default());
        busy.set(true);
        let navigate = navigate.clone();
        let request = LoginRequest { email: email_value, password: password_value };
        spawn_local(async move {
            let result = api::login(&request).await;
            busy.set(false);
            match result {
                Ok(LoginResponse { access_token, memberships, .. }) => {
                    let member_of: Vec<_> = memberships.iter().map(|m| m.org_id).collect();
                    // The previous organisation, or the only one; with several and no previous
                    // choice the shell shows the organisation picker (PRODUCT.md §13).
                    let org = reconciled_org(session.org_id_untracked(), &member_of);
                    session.sign_in(&access_token, org);
                    let next = query.with_untracked(|q| safe_next(q.get("next").as_deref()));
                    navigate(&next, NavigateOptions { replace: true, ..Default::default() });
                }
                Err(error) => {
                    password.set(String::new());
                    errors.set(errors_of(&error));
                }
            }
        });
    };

    let email_error = move || errors.with(|e| e.email.clone());
    let password_error = move || errors.with(|e| e.password.clone());
    let form_error = move || errors.with(|e| e.form.clone());

    view! {
        <div class="auth-page">
            <section class="card auth-card" aria-labelledby="login-title">
                <div class="brand brand--large">
                    <span class="brand-mark" aria-hidden="true">"A"</span>
                    <span>"Atlas CRM"</span>
                </div>
                <h1 id="login-title">"Connexion"</h1>
                <p class="muted">"Accédez à l'espace de votre agence."</p>

                <Show when=move || expired.get()>
                    <p class="alert alert--info" role="status" data-testid="session-expired">
                        {SESSION_EXPIRED_MESSAGE}
                    </p>
                </Show>

                <form class="form" on:submit=on_submit novalidate=true>
                    <div class="field" class:field--invalid=move || email_error().is_some()>
                        <label for="login-email">"Email"</label>
                        <input
                            id="login-email"
                            name="email"
                            type="email"
                            inputmode="email"
                            autocomplete="username"
                            autocapitalize="none"
                            spellcheck="false"
                            required=true
                            data-testid="login-email"
                            node_ref=email_ref
                            bind:value=email
                            aria-invalid=move || if email_error().is_some() { "true" } else { "false" }
                            aria-describedby="login-email-error"
                        />
                        <p class="field-error" id="login-email-error" data-testid="login-email-error">
                            {email_error}
                        </p>
                    </div>
                    <div class="field" class:field--invalid=move || password_error().is_some()>
                        <label for="login-password">"Mot de passe"</label>
                        <input
                            id="login-password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required=true
                            data-testid="login-password"
                            node_ref=password_ref
                            bind:value=password
                            aria-invalid=move || if password_error().is_some() { "true" } else { "false" }
                            aria-describedby="login-password-error"
                        />
                        <p class="field-error" id="login-password-error" data-testid="login-password-error">
                            {password_error}
                        </p>
                    </div>

                    {move || form_error().map(|message| view! {
                        <p class="alert alert--error" role="alert" data-testid="login-error">{message}</p>
                    })}

                    <button
                        type="submit"
                        class="button button--primary button--block"
                        data-testid="login-submit"
                        disabled=move || busy.get()
                        aria-busy=move || if busy.get() { "true" } else { "false" }
                    >
                        {move || if busy.get() { "Connexion…" } else { "Se connecter" }}
                    </button>
                </form>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_shared_types::{FieldError, Problem};

    fn problem(status: u16, code: &str, errors: Option<Vec<FieldError>>) -> ApiError {
        ApiError::Problem(Problem {
            type_: "about:blank".into(),
            title: "Titre".into(),
            status,
            detail: Some("Détail".into()),
            code: code.into(),
            request_id: None,
            errors,
            allowed: None,
        })
    }

    #[test]
    fn validation_requires_email_with_at_and_password() {
        let e = validate("  ", "");
        assert!(e.email.is_some() && e.password.is_some());
        assert!(validate("agent.demo.atlas", "x").email.is_some());
        assert!(validate(" agent@demo.atlas ", "x").is_empty());
    }

    #[test]
    fn invalid_credentials_is_a_form_error() {
        let e = errors_of(&problem(401, "INVALID_CREDENTIALS", None));
        assert_eq!(e.form.as_deref(), Some(INVALID_CREDENTIALS_MESSAGE));
        assert!(e.email.is_none());
    }

    #[test]
    fn field_errors_go_next_to_their_field() {
        let e = errors_of(&problem(
            400,
            "VALIDATION_ERROR",
            Some(vec![
                FieldError { field: "email".into(), message: "trop long".into() },
                FieldError { field: "other".into(), message: "inconnu".into() },
            ]),
        ));
        assert_eq!(e.email.as_deref(), Some("trop long"));
        assert_eq!(e.form.as_deref(), Some("inconnu"));
        assert!(e.password.is_none());
    }

    #[test]
    fn other_problems_show_title_and_detail() {
        let e = errors_of(&problem(429, "RATE_LIMITED", None));
        assert_eq!(e.form.as_deref(), Some("Titre : Détail"));
    }
}
