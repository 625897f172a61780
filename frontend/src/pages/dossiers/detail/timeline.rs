//! Timeline tab: activities newest first, and a note form. While an outbound WhatsApp message of
//! the dossier may still move, the timeline refreshes itself (its statuses are activities).

use atlas_shared_types::activity::{ActivityDto, ActivityType, CreateNoteRequest};
use atlas_shared_types::Page;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::outbound_watch::watch_outbound;
use crate::api;
use crate::components::error_box::error_message;
use crate::components::{use_toasts, EmptyState, ErrorBox, Field, Loading};
use crate::format::{date_time, wire};
use crate::labels::activity_type_label;
use crate::layout::use_role;
use crate::roles::can_write;

#[component]
pub fn TimelineTab(id: Uuid, changed: RwSignal<u32>) -> impl IntoView {
    let role = use_role();
    let activities = LocalResource::new(move || {
        changed.track();
        async move {
            api::get::<Page<ActivityDto>>(&format!("/activities?dossierId={id}&size=100&sort=occurredAt,desc")).await
        }
    });
    watch_outbound(id, move || activities.refetch());
    view! {
        <h2 class="visually-hidden">"Timeline"</h2>
        <Show when=move || can_write(role.get())>
            <NoteForm id on_added=move |_| activities.refetch() />
        </Show>
        <Transition fallback=|| view! { <Loading /> }>
            {move || activities.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| activities.refetch() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! { <EmptyState title="Aucune activité pour l'instant." /> }.into_any(),
                Ok(p) => view! {
                    <ol class="timeline" data-testid="timeline">
                        {p.items.into_iter().map(|a| view! {
                            <li class=format!("timeline__item timeline__item--{}", wire(&a.activity_type).to_lowercase()) data-testid="activity" data-type=wire(&a.activity_type)
                                data-status=a.metadata.get("status").and_then(|v| v.as_str()).map(str::to_owned)>
                                <div class="timeline__meta">
                                    <strong>{activity_type_label(a.activity_type)}</strong>
                                    <time class="muted small">{date_time(&a.occurred_at)}</time>
                                </div>
                                <p class="timeline__content">{a.content.clone()}</p>
                                {(a.activity_type == ActivityType::DuplicateMerged).then(|| view! {
                                    <details class="small">
                                        <summary>"Données reçues"</summary>
                                        <pre>{serde_json::to_string_pretty(&a.metadata).unwrap_or_default()}</pre>
                                    </details>
                                })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn NoteForm(id: Uuid, #[prop(into)] on_added: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let content = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = content.get_untracked().trim().to_owned();
        if text.is_empty() {
            error.set(Some("Écrivez la note avant de l'ajouter.".to_owned()));
            return;
        }
        error.set(None);
        busy.set(true);
        let body = CreateNoteRequest {
            dossier_id: id,
            content: text,
            occurred_at: None,
            activity_type: Some(ActivityType::Note),
        };
        spawn_local(async move {
            let result: Result<ActivityDto, _> = api::post("/activities", &body).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    content.set(String::new());
                    toasts.success("Note ajoutée.");
                    on_added.run(());
                }
                Err(e) => error.set(Some(error_message(&e))),
            }
        });
    };
    view! {
        <form class="form note-form" on:submit=submit novalidate=true>
            <Field label="Ajouter une note" id="note-content" error=error>
                <textarea id="note-content" rows="2" data-testid="note-content" bind:value=content></textarea>
            </Field>
            <div class="actions">
                <button type="submit" class="button button--primary" data-testid="note-submit" disabled=move || busy.get()>
                    "Ajouter la note"
                </button>
            </div>
        </form>
    }
}
