//! `/`: who is signed in, and the organisation picker.

use atlas_shared_types::{MeResponse, MembershipDto};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api;
use crate::auth::{reconciled_org, use_session, use_session_expiry};
use crate::labels::role_label;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    // Checked once: later sign-outs and expiries navigate by themselves.
    if !session.is_signed_in_untracked() {
        return Either::Left(view! { <Redirect path="/login" /> });
    }
    Either::Right(view! { <Home /> })
}

#[component]
fn Home() -> impl IntoView {
    let session = use_session();
    let expire = use_session_expiry();
    let navigate = use_navigate();

    let me = LocalResource::new(api::me);

    // A 401 ends the session; once the memberships are known, keep the current org valid.
    Effect::new(move |_| match me.get() {
        Some(Err(error)) if error.is_unauthorized() => expire(),
        Some(Ok(me)) => {
            let member_of: Vec<_> = me.memberships.iter().map(|m| m.org_id).collect();
            let current = session.org_id_untracked();
            match reconciled_org(current, &member_of) {
                Some(org) if Some(org) != current => session.select_org(org),
                None if current.is_some() => session.clear_org(),
                _ => {}
            }
        }
        _ => {}
    });

    let logout = move |_| {
        session.sign_out();
        navigate(
            "/login",
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };

    view! {
        <div class="shell">
            <header class="topbar">
                <div class="brand">
                    <span class="brand-mark" aria-hidden="true">"A"</span>
                    <span>"Atlas CRM"</span>
                </div>
                <button type="button" class="button button--ghost" data-testid="logout" on:click=logout>
                    "Se déconnecter"
                </button>
            </header>
            <main class="content">
                <Suspense fallback=|| view! {
                    <p class="loading" role="status" data-testid="home-loading">
                        <span class="spinner" aria-hidden="true"></span>
                        "Chargement…"
                    </p>
                }>
                    <ErrorBoundary fallback=move |errors| view! {
                        <div class="alert alert--error" role="alert" data-testid="home-error">
                            <p>
                                {move || errors.with(|errors| {
                                    errors.iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join(" ")
                                })}
                            </p>
                            <button type="button" class="button" on:click=move |_| me.refetch()>
                                "Réessayer"
                            </button>
                        </div>
                    }>
                        {move || Suspend::new(async move {
                            me.await.map(|me| view! { <Welcome me /> })
                        })}
                    </ErrorBoundary>
                </Suspense>
            </main>
        </div>
    }
}

#[component]
fn Welcome(me: MeResponse) -> impl IntoView {
    let MeResponse { user, memberships } = me;
    view! {
        <section class="card" data-testid="home-user" aria-labelledby="home-user-name">
            <p class="eyebrow">"Bienvenue"</p>
            <h1 id="home-user-name" class="user-name">{user.display_name}</h1>
            <p class="muted user-email">{user.email}</p>
        </section>
        <OrgPicker memberships />
    }
}

#[component]
fn OrgPicker(memberships: Vec<MembershipDto>) -> impl IntoView {
    let session = use_session();
    let count = memberships.len();
    let names: Vec<_> = memberships
        .iter()
        .map(|m| (m.org_id, m.org_name.clone()))
        .collect();
    let current_name = move || {
        let current = session.org_id()?;
        names
            .iter()
            .find(|(id, _)| *id == current)
            .map(|(_, name)| name.clone())
    };

    let items = memberships
        .into_iter()
        .map(|m| {
            let id = m.org_id;
            let selected = move || session.org_id() == Some(id);
            view! {
                <li>
                    <button
                        type="button"
                        class="org-item"
                        class:org-item--selected=selected
                        aria-pressed=move || if selected() { "true" } else { "false" }
                        data-testid="org-item"
                        data-org-id=id.to_string()
                        on:click=move |_| session.select_org(id)
                    >
                        <span class="org-name">{m.org_name}</span>
                        <span class="badge">{role_label(m.role)}</span>
                        <span class="org-check" aria-hidden="true">"✓"</span>
                    </button>
                </li>
            }
        })
        .collect_view();

    view! {
        <section class="card" aria-labelledby="org-title">
            <h2 id="org-title">{if count > 1 { "Vos agences" } else { "Votre agence" }}</h2>
            {(count > 1).then(|| view! {
                <p class="muted">"Choisissez l'agence dans laquelle vous travaillez."</p>
            })}
            {(count == 0).then(|| view! {
                <p class="empty" data-testid="org-empty">
                    "Vous n'êtes membre d'aucune agence. Demandez à un administrateur de vous ajouter."
                </p>
            })}
            <ul class="org-list" data-testid="org-list">
                {items}
            </ul>
            <p class="current-org" data-testid="current-org" aria-live="polite">
                {move || match current_name() {
                    Some(name) => format!("Agence courante : {name}"),
                    None if count > 0 => "Aucune agence sélectionnée.".to_owned(),
                    None => String::new(),
                }}
            </p>
        </section>
    }
}
