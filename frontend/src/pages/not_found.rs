use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <div class="auth-page">
            <section class="card auth-card">
                <h1>"Page introuvable"</h1>
                <p class="muted">"Cette adresse ne correspond à aucune page d'Atlas CRM."</p>
                <A href="/" attr:class="button button--primary">"Retour à l'accueil"</A>
            </section>
        </div>
    }
}
