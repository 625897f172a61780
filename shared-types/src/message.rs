//! DTOs of messages (the conversation log of a dossier), PRODUCT.md §5.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::party::dto_enum;

dto_enum! {
    pub enum MessageChannel {
        Whatsapp => "WHATSAPP",
        Sms => "SMS",
        Email => "EMAIL",
        Phone => "PHONE",
        InPerson => "IN_PERSON",
    }
}

dto_enum! {
    pub enum MessageDirection {
        Inbound => "INBOUND",
        Outbound => "OUTBOUND",
    }
}

/// Body of `POST /messages` (a message logged by a person; `occurredAt` defaults to now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateMessageRequest {
    pub dossier_id: Uuid,
    pub channel: MessageChannel,
    pub direction: MessageDirection,
    pub content: String,
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    /// The id of the message at its provider (e-mail Message-ID…), unique per org and channel.
    #[serde(default)]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageDto {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub channel: MessageChannel,
    pub direction: MessageDirection,
    pub content: String,
    pub occurred_at: DateTime<Utc>,
    pub created_by_user_id: Option<Uuid>,
    pub external_id: Option<String>,
    pub outbound_message_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}
