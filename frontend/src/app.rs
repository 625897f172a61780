//! Root component: session context and routes.

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::path;

use crate::auth::{use_session, Session};
use crate::pages::annonces::{AnnonceDetail, AnnonceForm, AnnoncesList};
use crate::pages::dashboard::Dashboard;
use crate::pages::home::HomePage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::search::SearchPage;
use crate::pages::settings::Settings;

#[component]
pub fn App() -> impl IntoView {
    provide_context(Session::load());
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFoundPage /> }>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/organisations") view=HomePage />
                // TEMPORARY (feat/ui-dash): a bare frame around the dashboard/annonces/search/settings
                // screens until the app shell (layout, sidebar, org switcher) is merged.
                <ParentRoute path=path!("") view=DevFrame>
                    <Route path=path!("/") view=Dashboard />
                    <Route path=path!("/annonces") view=AnnoncesList />
                    <Route path=path!("/annonces/new") view=AnnonceForm />
                    <Route path=path!("/annonces/:id/edit") view=AnnonceForm />
                    <Route path=path!("/annonces/:id") view=AnnonceDetail />
                    <Route path=path!("/search") view=SearchPage />
                    <Route path=path!("/settings") view=Settings />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

#[component]
fn DevFrame() -> impl IntoView {
    let session = use_session();
    if !session.is_signed_in_untracked() {
        return view! { <Redirect path="/login" /> }.into_any();
    }
    view! {
        <div class="shell">
            <header class="topbar">
                <nav class="topnav">
                    <A href="/">"Tableau de bord"</A>
                    <A href="/annonces">"Annonces"</A>
                    <A href="/search">"Recherche"</A>
                    <A href="/settings">"Paramètres"</A>
                    <A href="/organisations">"Agences"</A>
                </nav>
            </header>
            <main class="content content--wide"><Outlet /></main>
        </div>
    }
    .into_any()
}
