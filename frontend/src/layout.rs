//! The authenticated layout: sidebar navigation, top bar (global search, organisation switcher,
//! user, logout) and the page of the current route. Pages find the signed-in user and the role in
//! the current organisation through [`use_current_user`] and [`use_role`].

use atlas_shared_types::{MeResponse, MembershipDto, Role, UserDto};
use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use uuid::Uuid;

use crate::api;
use crate::auth::{login_path, path_and_query, reconciled_org, use_session, use_session_expiry};
use crate::components::{EmptyState, ErrorBox, Loading};
use crate::labels::role_label;
use crate::roles::is_manager;

/// The signed-in user and their memberships (from `GET /me`), provided by the shell.
#[derive(Debug, Clone, Copy)]
pub struct CurrentUser {
    me: StoredValue<MeResponse>,
}

impl CurrentUser {
    pub fn user(&self) -> UserDto {
        self.me.with_value(|m| m.user.clone())
    }

    pub fn user_id(&self) -> Uuid {
        self.me.with_value(|m| m.user.id)
    }

    pub fn memberships(&self) -> Vec<MembershipDto> {
        self.me.with_value(|m| m.memberships.clone())
    }

    /// The role in the organisation `org`.
    pub fn role_in(&self, org: Option<Uuid>) -> Option<Role> {
        let org = org?;
        self.me.with_value(|m| m.memberships.iter().find(|x| x.org_id == org).map(|x| x.role))
    }
}

pub fn use_current_user() -> Option<CurrentUser> {
    use_context::<CurrentUser>()
}

/// The role in the current organisation (VIEWER when unknown: the safe default hides writes).
pub fn use_role() -> Signal<Role> {
    let session = use_session();
    let current = use_current_user();
    Signal::derive(move || current.and_then(|c| c.role_in(session.org_id())).unwrap_or(Role::Viewer))
}

/// Sections of the sidebar: path, label, test id, managers only.
const NAV: [(&str, &str, &str, bool); 8] = [
    ("/", "Tableau de bord", "nav-dashboard", false),
    ("/annonces", "Annonces", "nav-annonces", false),
    ("/dossiers", "Dossiers", "nav-dossiers", false),
    ("/pipeline", "Pipeline", "nav-pipeline", false),
    ("/agenda", "Agenda", "nav-agenda", false),
    ("/outbound", "Messages sortants", "nav-outbound", false),
    ("/audit", "Journal d'audit", "nav-audit", true),
    ("/settings", "Paramètres", "nav-settings", false),
];

/// `/dossiers/123` → `/dossiers`: where an organisation switch lands (an entity of the previous
/// organisation does not exist in the next one).
pub fn section_root(path: &str) -> String {
    match path.trim_start_matches('/').split('/').next() {
        Some(first) if !first.is_empty() && first != "orgs" => format!("/{first}"),
        _ => "/".to_owned(),
    }
}

#[component]
pub fn Shell() -> impl IntoView {
    let session = use_session();
    if !session.is_signed_in_untracked() {
        // Back to the requested page once signed in.
        return Either::Left(view! { <Redirect path=login_path(&path_and_query(&use_location()), false) /> });
    }
    let me = LocalResource::new(api::me);
    let expire = use_session_expiry();
    // Any 401 of any screen ends the session the same way.
    api::on_unauthorized(expire.clone());

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

    Either::Right(view! {
        <Suspense fallback=|| view! { <div class="boot"><Loading label="Chargement de votre espace…" /></div> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(me) => Either::Left(view! { <Frame me /> }),
                    Err(error) => Either::Right(view! {
                        <div class="boot">
                            <ErrorBox error on_retry=move |_| me.refetch() />
                        </div>
                    }),
                }
            })}
        </Suspense>
    })
}

#[component]
fn Frame(me: MeResponse) -> impl IntoView {
    let session = use_session();
    let current = CurrentUser { me: StoredValue::new(me) };
    provide_context(current);
    let role = use_role();
    let nav_open = RwSignal::new(false);
    let location = use_location();
    // Close the mobile menu on every navigation.
    Effect::new(move |_| {
        location.pathname.track();
        nav_open.set(false);
    });

    let memberships = current.memberships();
    let needs_pick = move || session.org_id().is_none();

    let links = NAV
        .iter()
        .map(|&(href, label, testid, managers)| {
            let visible = move || !managers || is_manager(role.get());
            view! {
                <Show when=visible>
                    <li>
                        <A href=href attr:class="nav-link" attr:data-testid=testid exact=href == "/">
                            {label}
                        </A>
                    </li>
                </Show>
            }
        })
        .collect_view();

    view! {
        <div class="app" class:app--nav-open=move || nav_open.get()>
            <aside class="sidebar" id="sidebar" aria-label="Navigation principale">
                <div class="brand sidebar__brand">
                    <span class="brand-mark" aria-hidden="true">"A"</span>
                    <span>"Atlas CRM"</span>
                </div>
                <nav>
                    <ul class="nav-list" data-testid="nav">{links}</ul>
                </nav>
            </aside>
            <div class="main-col">
                <TopBar nav_open memberships=memberships.clone() />
                <main class="content" id="main">
                    {move || if memberships.is_empty() {
                        view! {
                            <EmptyState title="Vous n'êtes membre d'aucune agence.">
                                <p class="muted" data-testid="org-empty">
                                    "Demandez à un administrateur de vous ajouter."
                                </p>
                            </EmptyState>
                        }.into_any()
                    } else if needs_pick() {
                        view! { <OrgPickerPage /> }.into_any()
                    } else {
                        view! { <Outlet /> }.into_any()
                    }}
                </main>
            </div>
        </div>
    }
}

#[component]
fn TopBar(nav_open: RwSignal<bool>, memberships: Vec<MembershipDto>) -> impl IntoView {
    let session = use_session();
    let current = use_current_user();
    let navigate = use_navigate();
    let location = use_location();
    let user = current.map(|c| c.user());
    let query = RwSignal::new(String::new());

    let nav = navigate.clone();
    let on_search = move |ev: SubmitEvent| {
        ev.prevent_default();
        let q = query.get_untracked().trim().to_owned();
        if q.is_empty() {
            return;
        }
        nav(&format!("/search{}", api::query(&[("q", q)])), NavigateOptions::default());
    };

    let on_org_change = move |ev: leptos::ev::Event| {
        let Ok(id) = Uuid::parse_str(&event_target_value(&ev)) else { return };
        if Some(id) == session.org_id_untracked() {
            return;
        }
        session.select_org(id);
        // Reload everything for the new organisation, from the section the user was in.
        let target = section_root(&location.pathname.get_untracked());
        if let Some(window) = web_sys::window() {
            let _ = window.location().set_href(&target);
        }
    };

    let logout = move |_| {
        session.sign_out();
        navigate("/login", NavigateOptions { replace: true, ..Default::default() });
    };

    let several = memberships.len() > 1;
    let options = memberships
        .into_iter()
        .map(|m| {
            let id = m.org_id;
            view! {
                <option
                    value=id.to_string()
                    data-testid="org-item"
                    selected=move || session.org_id() == Some(id)
                >
                    {format!("{} · {}", m.org_name, role_label(m.role))}
                </option>
            }
        })
        .collect_view();

    view! {
        <header class="topbar">
            <button
                type="button"
                class="button button--ghost menu-toggle"
                aria-controls="sidebar"
                aria-expanded=move || if nav_open.get() { "true" } else { "false" }
                data-testid="menu-toggle"
                on:click=move |_| nav_open.update(|o| *o = !*o)
            >
                <span aria-hidden="true">"☰"</span>
                <span class="visually-hidden">"Menu"</span>
            </button>
            <form class="search-box" role="search" on:submit=on_search>
                <label for="global-search" class="visually-hidden">"Rechercher"</label>
                <input
                    id="global-search"
                    type="search"
                    placeholder="Rechercher annonces, dossiers, contacts…"
                    data-testid="global-search"
                    bind:value=query
                />
            </form>
            <div class="topbar__org">
                <label for="org-switcher" class="visually-hidden">"Agence"</label>
                <select
                    id="org-switcher"
                    class="org-switcher"
                    data-testid="org-list"
                    disabled=!several
                    title=if several { "Changer d'agence" } else { "Votre agence" }
                    on:change=on_org_change
                >
                    <Show when=move || session.org_id().is_none()>
                        <option value="" selected=true>"Choisir une agence…"</option>
                    </Show>
                    {options}
                </select>
            </div>
            <div class="topbar__user" data-testid="home-user">
                <span class="user-name">{user.as_ref().map(|u| u.display_name.clone())}</span>
                <span class="user-email muted">{user.as_ref().map(|u| u.email.clone())}</span>
            </div>
            <button type="button" class="button button--ghost" data-testid="logout" on:click=logout>
                "Se déconnecter"
            </button>
        </header>
    }
}

/// `/orgs`, and what the shell shows when the user belongs to several organisations and none is
/// chosen.
#[component]
pub fn OrgPickerPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    let memberships = use_current_user().map(|c| c.memberships()).unwrap_or_default();
    let items = memberships
        .into_iter()
        .map(|m| {
            let id = m.org_id;
            let navigate = navigate.clone();
            let selected = move || session.org_id() == Some(id);
            view! {
                <li>
                    <button
                        type="button"
                        class="org-item"
                        class:org-item--selected=selected
                        aria-pressed=move || if selected() { "true" } else { "false" }
                        data-testid="org-picker-item"
                        data-org-id=id.to_string()
                        on:click=move |_| {
                            session.select_org(id);
                            // Shown in place of a requested page: that page follows; from /orgs, home.
                            if location.pathname.get_untracked() == "/orgs" {
                                navigate("/", NavigateOptions::default());
                            }
                        }
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
        <section class="card narrow" aria-labelledby="org-title" data-testid="org-picker">
            <h1 id="org-title">"Vos agences"</h1>
            <p class="muted">"Choisissez l'agence dans laquelle vous travaillez."</p>
            <ul class="org-list">{items}</ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_switch_lands_on_the_section_root() {
        assert_eq!(section_root("/dossiers/0190-abc"), "/dossiers");
        assert_eq!(section_root("/pipeline"), "/pipeline");
        assert_eq!(section_root("/"), "/");
        assert_eq!(section_root("/orgs"), "/");
    }
}
