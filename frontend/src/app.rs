//! Root component: session and feedback contexts, routes. Every page but the login lives inside
//! the authenticated shell ([`crate::layout::Shell`]).

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::auth::Session;
use crate::components::{ToastArea, Toasts};
use crate::layout::{OrgPickerPage, Shell};
use crate::pages::agenda::AgendaPage;
use crate::pages::annonces::{AnnonceDetail, AnnonceForm, AnnoncesList};
use crate::pages::audit::AuditPage;
use crate::pages::dashboard::Dashboard;
use crate::pages::dossiers::{DossierDetailPage, DossierEditPage, DossierNewPage, DossiersListPage, PipelinePage};
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::outbound::OutboundPage;
use crate::pages::search::SearchPage;
use crate::pages::settings::Settings;

#[component]
pub fn App() -> impl IntoView {
    provide_context(Session::load());
    provide_context(Toasts::new());
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFoundPage /> }>
                <Route path=path!("/login") view=LoginPage />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=Dashboard />
                    <Route path=path!("orgs") view=OrgPickerPage />
                    <Route path=path!("annonces") view=AnnoncesList />
                    <Route path=path!("annonces/new") view=AnnonceForm />
                    <Route path=path!("annonces/:id") view=AnnonceDetail />
                    <Route path=path!("annonces/:id/edit") view=AnnonceForm />
                    <Route path=path!("dossiers") view=DossiersListPage />
                    <Route path=path!("dossiers/new") view=DossierNewPage />
                    <Route path=path!("dossiers/:id") view=DossierDetailPage />
                    <Route path=path!("dossiers/:id/edit") view=DossierEditPage />
                    <Route path=path!("pipeline") view=PipelinePage />
                    <Route path=path!("agenda") view=AgendaPage />
                    <Route path=path!("outbound") view=OutboundPage />
                    <Route path=path!("audit") view=AuditPage />
                    <Route path=path!("search") view=SearchPage />
                    <Route path=path!("settings") view=Settings />
                </ParentRoute>
            </Routes>
        </Router>
        <ToastArea />
    }
}
