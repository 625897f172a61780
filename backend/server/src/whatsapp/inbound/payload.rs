//! Meta's webhook JSON (Cloud API `whatsapp_business_account` object), read leniently: every
//! field optional, unknown fields ignored, strings accepted where numbers come too. `messages[]`
//! and `statuses[]` items are kept raw (`Value`) and typed one by one, so that one odd item is
//! stored as a failed event instead of refusing the whole batch.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

#[derive(Debug, Default, Deserialize)]
pub struct WebhookPayload {
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default, deserialize_with = "vec_or_null")]
    pub entry: Vec<Entry>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Entry {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "vec_or_null")]
    pub changes: Vec<Change>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Change {
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub value: Option<ChangeValue>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ChangeValue {
    #[serde(default)]
    pub metadata: Option<Metadata>,
    #[serde(default, deserialize_with = "vec_or_null")]
    pub contacts: Vec<Value>,
    #[serde(default, deserialize_with = "vec_or_null")]
    pub messages: Vec<Value>,
    #[serde(default, deserialize_with = "vec_or_null")]
    pub statuses: Vec<Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Metadata {
    #[serde(default, deserialize_with = "opt_string")]
    pub phone_number_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub display_phone_number: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Contact {
    #[serde(default)]
    pub profile: Option<Profile>,
    #[serde(default, deserialize_with = "opt_string")]
    pub wa_id: Option<String>,
    /// BSUID of a username sender (2026).
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MessageItem {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub from: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub from_user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub timestamp: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub text: Option<TextBody>,
    #[serde(default)]
    pub image: Option<Media>,
    #[serde(default)]
    pub video: Option<Media>,
    #[serde(default)]
    pub document: Option<Media>,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub button: Option<Button>,
    #[serde(default)]
    pub interactive: Option<Interactive>,
    #[serde(default)]
    pub reaction: Option<Reaction>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TextBody {
    #[serde(default)]
    pub body: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Media {
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Location {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Button {
    #[serde(default)]
    pub text: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Interactive {
    #[serde(default)]
    pub button_reply: Option<Reply>,
    #[serde(default)]
    pub list_reply: Option<Reply>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Reply {
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Reaction {
    #[serde(default)]
    pub emoji: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusItem {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub timestamp: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub recipient_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub recipient_user_id: Option<String>,
    #[serde(default)]
    pub biz_opaque_callback_data: Option<String>,
    #[serde(default, deserialize_with = "vec_or_null")]
    pub errors: Vec<StatusError>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusError {
    #[serde(default, deserialize_with = "opt_string")]
    pub code: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// The body as JSON; None when it is not JSON of the webhook's shape.
pub fn parse(raw: &[u8]) -> Option<WebhookPayload> {
    // serde would also read a struct from a JSON array; the webhook body is an object.
    if raw.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    serde_json::from_slice(raw).ok()
}

impl WebhookPayload {
    /// The distinct, non-empty `metadata.phone_number_id` of every change, in order of appearance.
    pub fn phone_number_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for id in self.changes().filter_map(|(_, v)| v.phone_number_id()) {
            if !ids.iter().any(|x| x == id) {
                ids.push(id.to_string());
            }
        }
        ids
    }

    /// Every change value, with its entry, in order.
    pub fn changes(&self) -> impl Iterator<Item = (&Entry, &ChangeValue)> {
        self.entry.iter().flat_map(|e| e.changes.iter().filter_map(move |c| c.value.as_ref().map(|v| (e, v))))
    }
}

impl ChangeValue {
    pub fn phone_number_id(&self) -> Option<&str> {
        self.metadata.as_ref().and_then(|m| m.phone_number_id.as_deref()).map(str::trim).filter(|s| !s.is_empty())
    }

    /// The contact describing a message's sender: same `wa_id` or same `user_id`, else the only
    /// contact of the change.
    pub fn contact_for(&self, msg: &MessageItem) -> Option<Contact> {
        let contacts: Vec<Contact> =
            self.contacts.iter().filter_map(|c| serde_json::from_value::<Contact>(c.clone()).ok()).collect();
        let same = |a: Option<&str>, b: Option<&str>| matches!((a, b), (Some(x), Some(y)) if !x.is_empty() && x == y);
        let pos = contacts.iter().position(|c| {
            same(c.wa_id.as_deref(), msg.from.as_deref()) || same(c.user_id.as_deref(), msg.from_user_id.as_deref())
        });
        match pos {
            Some(i) => contacts.into_iter().nth(i),
            None if contacts.len() == 1 => contacts.into_iter().next(),
            None => None,
        }
    }
}

fn vec_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A string, or a number written as a string (ids and timestamps come both ways).
fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = include_str!("../../../tests/fixtures/whatsapp/inbound-text.json");
    const BATCH: &str = include_str!("../../../tests/fixtures/whatsapp/batch-two-entries.json");
    const BSUID: &str = include_str!("../../../tests/fixtures/whatsapp/inbound-bsuid-only.json");
    const FAILED: &str = include_str!("../../../tests/fixtures/whatsapp/status-failed.json");

    #[test]
    fn reads_the_fixtures() {
        let p = parse(TEXT.as_bytes()).unwrap_or_default();
        assert_eq!(p.phone_number_ids(), ["109876543210"]);
        let (_, v) = p.changes().next().unwrap_or_else(|| panic!("one change"));
        let m: MessageItem = serde_json::from_value(v.messages[0].clone()).unwrap_or_default();
        assert_eq!(m.from.as_deref(), Some("33612345678"));
        assert_eq!(m.kind.as_deref(), Some("text"));
        assert_eq!(v.contact_for(&m).and_then(|c| c.profile).and_then(|p| p.name).as_deref(), Some("Lucie Bernard"));

        let b = parse(BATCH.as_bytes()).unwrap_or_default();
        assert_eq!(b.changes().count(), 2);
        let (_, v) = b.changes().next().unwrap_or_else(|| panic!());
        let m2: MessageItem = serde_json::from_value(v.messages[1].clone()).unwrap_or_default();
        assert_eq!(v.contact_for(&m2).and_then(|c| c.profile).and_then(|p| p.name).as_deref(), Some("Inès Garcia"));

        let u = parse(BSUID.as_bytes()).unwrap_or_default();
        let (_, v) = u.changes().next().unwrap_or_else(|| panic!());
        let m: MessageItem = serde_json::from_value(v.messages[0].clone()).unwrap_or_default();
        assert_eq!(m.from_user_id.as_deref(), Some("FR.13491208655302741918"));
        assert_eq!(v.contact_for(&m).and_then(|c| c.user_id).as_deref(), Some("FR.13491208655302741918"));

        let f = parse(FAILED.as_bytes()).unwrap_or_default();
        let (_, v) = f.changes().next().unwrap_or_else(|| panic!());
        let s: StatusItem = serde_json::from_value(v.statuses[0].clone()).unwrap_or_default();
        assert_eq!(s.errors[0].code.as_deref(), Some("131047"));
    }

    #[test]
    fn lenient_but_not_blind() {
        assert!(parse(b"not json").is_none());
        assert!(parse(br#"{"entry": "x"}"#).is_none());
        let p = parse(br#"{"entry": null, "extra": 1}"#).unwrap_or_default();
        assert!(p.phone_number_ids().is_empty());
        let p = parse(br#"{"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":123},"messages":null}}]}]}"#)
            .unwrap_or_default();
        assert_eq!(p.phone_number_ids(), ["123"]);
        // not an object at the top
        assert!(parse(b"[]").is_none());
    }
}
