//! Audit tab (MANAGER+): the dossier's audit events.

use leptos::prelude::*;
use uuid::Uuid;

use crate::pages::audit::AuditList;

#[component]
pub fn AuditTab(id: Uuid) -> impl IntoView {
    let filter = Signal::derive(move || vec![("entityType", "DOSSIER".to_owned()), ("entityId", id.to_string())]);
    view! {
        <h2 class="visually-hidden">"Audit"</h2>
        <AuditList filter />
    }
}
