//! Messages tab: the conversation (newest first) with the status of each outbound WhatsApp message,
//! polled while one may still move (see [`super::outbound_watch`]), and the WhatsApp composer.

use std::collections::HashMap;

use atlas_shared_types::consent::{ConsentChannel, ConsentOverview, ConsentPurpose, ConsentStatus};
use atlas_shared_types::message::{MessageChannel, MessageDirection, MessageDto};
use atlas_shared_types::outbound::OutboundMessageDto;
use atlas_shared_types::Page;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use uuid::Uuid;

use super::composer::Composer;
use super::outbound_watch::watch_outbound;
use crate::api;
use crate::components::{EmptyState, ErrorBox, Loading, StatusBadge};
use crate::format::{date_time, now, wire};
use crate::labels::{message_channel_label, message_direction_label, outbound_status_label, outbound_status_tone};
use crate::layout::use_role;
use crate::roles::can_write;

pub const NO_CONSENT_MESSAGE: &str = "Envoi impossible : pas de consentement WhatsApp pour ce contact";
pub const WINDOW_CLOSED_MESSAGE: &str = "Hors fenêtre de 24 h : utilisez un modèle";

/// Is the latest WHATSAPP/CONTACT consent GRANTED and unexpired?
pub fn whatsapp_consent_granted(overview: &ConsentOverview, at: DateTime<Utc>) -> bool {
    overview.current.iter().any(|c| {
        c.channel == ConsentChannel::Whatsapp
            && c.purpose == ConsentPurpose::Contact
            && c.status == ConsentStatus::Granted
            && c.expires_at.is_none_or(|e| e > at)
    })
}

/// Is the 24-hour customer service window open (an inbound WhatsApp message less than 24 h old)?
pub fn window_open(messages: &[MessageDto], at: DateTime<Utc>) -> bool {
    messages.iter().any(|m| {
        m.channel == MessageChannel::Whatsapp
            && m.direction == MessageDirection::Inbound
            && at.signed_duration_since(m.occurred_at) < chrono::Duration::hours(24)
    })
}

#[component]
pub fn MessagesTab(id: Uuid) -> impl IntoView {
    let role = use_role();
    let messages = LocalResource::new(move || async move {
        api::get::<Page<MessageDto>>(&format!("/messages?dossierId={id}&size=100")).await
    });
    let outbound = watch_outbound(id, move || messages.refetch());
    let consents = LocalResource::new(move || async move {
        api::get::<ConsentOverview>(&format!("/consentements?dossierId={id}")).await
    });

    let refresh = move |_| {
        messages.refetch();
        outbound.refetch();
    };

    view! {
        <h2 class="visually-hidden">"Messages"</h2>
        <Show when=move || can_write(role.get())>
            <Composer
                id
                consent_ok=Signal::derive(move || consents.get().map(|c| c.as_ref().ok().is_some_and(|c| whatsapp_consent_granted(c, now()))))
                open=Signal::derive(move || messages.get().map(|m| m.as_ref().ok().is_some_and(|m| window_open(&m.items, now()))))
                on_sent=refresh
            />
        </Show>
        <Transition fallback=|| view! { <Loading label="Chargement de la conversation…" /> }>
            {move || messages.get().map(|r| match r {
                Err(error) => view! { <ErrorBox error on_retry=move |_| messages.refetch() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! {
                    <EmptyState title="Aucun message échangé avec ce contact." />
                }.into_any(),
                Ok(p) => {
                    let statuses: HashMap<Uuid, OutboundMessageDto> = outbound
                        .get()
                        .and_then(|r| r.ok())
                        .map(|p| p.items.into_iter().map(|m| (m.id, m)).collect())
                        .unwrap_or_default();
                    view! {
                        <ol class="conversation" data-testid="conversation">
                            {p.items.into_iter().map(|m| {
                                let out = m.outbound_message_id.and_then(|oid| statuses.get(&oid).cloned());
                                let inbound = m.direction == MessageDirection::Inbound;
                                view! {
                                    <li class="bubble" class:bubble--in=inbound class:bubble--out=!inbound data-testid="message"
                                        data-direction=wire(&m.direction) data-outbound-id=m.outbound_message_id.map(|o| o.to_string())>
                                        <div class="bubble__meta muted small">
                                            {format!("{} · {} · {}", message_channel_label(m.channel), message_direction_label(m.direction), date_time(&m.occurred_at))}
                                        </div>
                                        <p class="bubble__content">{m.content.clone()}</p>
                                        {out.map(|o| {
                                            let error = o.last_error.clone().map(|e| format!("{}{}", e.code, e.message.map(|m| format!(" : {m}")).unwrap_or_default()));
                                            view! {
                                                <div class="bubble__status" data-testid="outbound-status" data-status=o.status.clone()>
                                                    <StatusBadge label=outbound_status_label(&o.status).to_owned() tone=outbound_status_tone(&o.status) code=o.status.clone() />
                                                    {error.map(|e| view! { <span class="field-error">{e}</span> })}
                                                </div>
                                            }
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            })}
        </Transition>
    }
}
