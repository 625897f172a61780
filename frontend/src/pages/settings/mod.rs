//! `/settings` (ADMIN): users and roles, WhatsApp configuration (secrets write-only), WhatsApp
//! templates, data retention. Other roles see a read-only notice.

mod retention;
mod templates;
mod users;
mod whatsapp;

use atlas_shared_types::Role;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::labels::{field_error_line, role_label};
use crate::layout::use_role;
use retention::RetentionSection;
use templates::TemplatesSection;
use users::UsersSection;
use whatsapp::WhatsappSection;

fn write_error(e: &ApiError) -> String {
    match e {
        ApiError::Problem(p) if p.errors.as_ref().is_some_and(|v| !v.is_empty()) => {
            p.errors.as_deref().unwrap_or_default().iter().map(field_error_line).collect::<Vec<_>>().join(" ; ")
        }
        ApiError::Problem(p) if p.code == "VERSION_CONFLICT" => {
            "Modifié entre-temps par quelqu'un d'autre : rechargez la page puis réessayez.".to_owned()
        }
        ApiError::Problem(p) if p.code == "CONFLICT" => {
            format!("Conflit : {}", p.detail.clone().unwrap_or_else(|| p.title.clone()))
        }
        _ => e.to_string(),
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let role = use_role();
    view! {
        <div class="page settings" data-testid="settings-page">
            <header class="page-header"><h1>"Paramètres"</h1></header>
            {move || match role.get() {
                Role::Admin => view! {
                    <UsersSection />
                    <WhatsappSection />
                    <TemplatesSection />
                    <RetentionSection />
                }.into_any(),
                r => view! {
                    <p class="alert alert--info" data-testid="settings-read-only">
                        {format!("Les paramètres de l'agence (utilisateurs et rôles, WhatsApp, modèles de messages) sont réservés aux administrateurs. Votre rôle : {}.", role_label(r))}
                    </p>
                }.into_any(),
            }}
        </div>
    }
}
