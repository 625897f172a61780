use super::*;
use crate::ports::OrgSettings;

#[test]
fn sender_phone_is_e164_or_nothing() {
    assert_eq!(sender_phone(Some("33612345678")).map(PhoneE164::into_string).as_deref(), Some("+33612345678"));
    assert_eq!(sender_phone(Some("+33612345678")).map(PhoneE164::into_string).as_deref(), Some("+33612345678"));
    // unknown to the library but E.164-shaped: kept
    assert!(sender_phone(Some("99912345678")).is_some());
    for none in [None, Some(""), Some("  "), Some("abc"), Some("33 6"), Some("123")] {
        assert!(sender_phone(none).is_none(), "{none:?}");
    }
}

#[test]
fn lead_names() {
    assert_eq!(lead_name(Some(" Lucie "), Some("+33612345678")), "Lucie");
    assert_eq!(lead_name(Some(""), Some("+33612345678")), "+33612345678");
    assert_eq!(lead_name(None, None), DEFAULT_LEAD_NAME);
    assert_eq!(lead_name(Some(&"é".repeat(300)), None).chars().count(), LEAD_NAME_MAX);
}

#[test]
fn placeholders_for_non_text_messages() {
    let p = |text, caption, filename, label| ContentParts { text, caption, filename, label };
    assert_eq!(message_content("text", &p(Some("Bonjour"), None, None, None)), "Bonjour");
    assert_eq!(message_content("image", &p(None, Some("Le plan"), None, None)), "[image] Le plan");
    assert_eq!(message_content("image", &p(None, None, None, None)), "[image]");
    assert_eq!(message_content("video", &p(None, Some("Visite"), None, None)), "[video] Visite");
    assert_eq!(message_content("audio", &ContentParts::default()), "[audio]");
    assert_eq!(message_content("document", &p(None, Some("c"), Some("bail.pdf"), None)), "[document] bail.pdf");
    assert_eq!(message_content("location", &ContentParts::default()), "[location]");
    assert_eq!(message_content("sticker", &ContentParts::default()), "[sticker]");
    assert_eq!(message_content("order", &ContentParts::default()), "[order]");
    assert_eq!(message_content("text", &ContentParts::default()), "[text]");
}

#[test]
fn provider_times() {
    assert_eq!(provider_time(Some("1795598100")).map(|t| t.timestamp()), Some(1_795_598_100));
    assert!(provider_time(Some("x")).is_none());
    assert!(provider_time(None).is_none());
    assert!(provider_time(Some("99999999999999999")).is_none());
}

/// In-memory store: enough to check the find-or-create and forward-only logic.
#[derive(Default)]
struct Fake {
    dossiers: Vec<(Uuid, Option<String>, Option<String>)>, // id, phone, bsuid
    messages: Vec<NewInboundMessage>,
    audits: Vec<NewAuditEvent>,
    activities: Vec<NewActivity>,
    window: Option<DateTime<Utc>>,
    outbound: Option<OutboundRef>,
    refs: i64,
}

impl InboundStore for Fake {
    fn lock_sender(&mut self, _: OrgId, _: &str) -> DomainResult<()> {
        Ok(())
    }
    fn open_dossier_by_phone(&mut self, _: OrgId, phone: &str) -> DomainResult<Option<DossierRef>> {
        Ok(self
            .dossiers
            .iter()
            .find(|d| d.1.as_deref() == Some(phone))
            .map(|d| DossierRef { id: d.0, whatsapp_user_id: d.2.clone() }))
    }
    fn open_dossier_by_whatsapp_user(&mut self, _: OrgId, b: &str) -> DomainResult<Option<DossierRef>> {
        Ok(self
            .dossiers
            .iter()
            .find(|d| d.2.as_deref() == Some(b))
            .map(|d| DossierRef { id: d.0, whatsapp_user_id: d.2.clone() }))
    }
    fn insert_inbound_dossier(&mut self, _: OrgId, d: &NewInboundDossier) -> DomainResult<bool> {
        self.dossiers.push((d.id, d.lead_phone.clone(), d.whatsapp_user_id.clone()));
        Ok(true)
    }
    fn set_whatsapp_user_id(&mut self, _: OrgId, id: Uuid, b: &str) -> DomainResult<()> {
        for d in &mut self.dossiers {
            if d.0 == id {
                d.2 = Some(b.to_string());
            }
        }
        Ok(())
    }
    fn insert_inbound_message(&mut self, _: OrgId, m: &NewInboundMessage) -> DomainResult<bool> {
        if self.messages.iter().any(|x| x.external_id == m.external_id) {
            return Ok(false);
        }
        self.messages.push(m.clone());
        Ok(true)
    }
    fn extend_session_window(&mut self, _: OrgId, _: Uuid, at: DateTime<Utc>) -> DomainResult<()> {
        self.window = self.window.max(Some(at));
        Ok(())
    }
    fn outbound_for_receipt(&mut self, _: OrgId, _: &str, _: Option<Uuid>) -> DomainResult<Option<OutboundRef>> {
        Ok(self.outbound.clone())
    }
    fn set_outbound_status(&mut self, _: OrgId, u: &OutboundStatusUpdate) -> DomainResult<()> {
        if let Some(o) = &mut self.outbound {
            o.status = u.status;
        }
        Ok(())
    }
}

impl AuditLog for Fake {
    fn record(&mut self, e: NewAuditEvent) -> DomainResult<()> {
        self.audits.push(e);
        Ok(())
    }
}

impl ActivityLog for Fake {
    fn add_activity(&mut self, a: NewActivity) -> DomainResult<Uuid> {
        self.activities.push(a);
        Ok(Uuid::now_v7())
    }
}

impl OrgDirectory for Fake {
    fn org_settings(&mut self, _: OrgId) -> DomainResult<OrgSettings> {
        Err(DomainError::NotFound)
    }
    fn next_reference(&mut self, _: OrgId, prefix: &str) -> DomainResult<String> {
        self.refs += 1;
        Ok(format!("{prefix}-{:06}", self.refs))
    }
}

fn msg(id: &str, phone: Option<&str>, bsuid: Option<&str>, secs: i64) -> InboundMessage {
    InboundMessage {
        wa_message_id: id.into(),
        phone: sender_phone(phone),
        bsuid: bsuid.map(str::to_string),
        profile_name: Some("Sheena".into()),
        content: "Bonjour".into(),
        message_type: "text".into(),
        occurred_at: Utc.timestamp_opt(secs, 0).single().unwrap_or_default(),
    }
}

#[test]
fn bsuid_sender_creates_then_attaches_and_phone_learns_bsuid() {
    let org = OrgId(Uuid::nil());
    let mut s = Fake::default();
    let now = Utc::now();
    let r1 = ingest_message(&mut s, org, msg("w1", None, Some("FR.1"), 100), now, None);
    assert!(matches!(r1, Ok(IngestOutcome::Stored { dossier_created: true, .. })));
    let r2 = ingest_message(&mut s, org, msg("w2", None, Some("FR.1"), 50), now, None);
    assert!(matches!(r2, Ok(IngestOutcome::Stored { dossier_created: false, .. })));
    assert_eq!(s.dossiers.len(), 1);
    // the window keeps the max
    assert_eq!(s.window.map(|t| t.timestamp()), Some(100));
    // replay
    assert_eq!(
        ingest_message(&mut s, org, msg("w2", None, Some("FR.1"), 50), now, None).ok(),
        Some(IngestOutcome::Duplicate)
    );
    // a phone sender then a message with phone + BSUID: the phone dossier learns the BSUID
    let _ = ingest_message(&mut s, org, msg("w3", Some("33612345678"), None, 10), now, None);
    let _ = ingest_message(&mut s, org, msg("w4", Some("33612345678"), Some("FR.2"), 11), now, None);
    assert_eq!(s.dossiers.len(), 2);
    assert_eq!(s.dossiers[1].2.as_deref(), Some("FR.2"));
    // no identity at all: refused (the adapter keeps it as a failed event)
    assert!(matches!(
        ingest_message(&mut s, org, msg("w5", None, None, 1), now, None),
        Err(DomainError::Validation(_))
    ));
    // audits carry no actor
    assert!(s.audits.iter().all(|a| a.actor_user_id.is_none()));
}

#[test]
fn receipts_only_move_forward() {
    let org = OrgId(Uuid::nil());
    let mut s = Fake {
        outbound: Some(OutboundRef {
            id: Uuid::nil(),
            dossier_id: Uuid::nil(),
            status: OutboundStatus::Sent,
            last_status_at: None,
        }),
        ..Fake::default()
    };
    let receipt = |status: &str| InboundReceipt {
        provider_message_id: "wamid.x".into(),
        status: status.into(),
        our_id: None,
        occurred_at: Utc::now(),
        error_code: Some("131047".into()),
        error_title: Some("Re-engagement message".into()),
    };
    assert_eq!(
        apply_receipt(&mut s, org, receipt("delivered"), None).ok(),
        Some(ReceiptOutcome::Applied(OutboundStatus::Delivered))
    );
    assert_eq!(apply_receipt(&mut s, org, receipt("sent"), None).ok(), Some(ReceiptOutcome::Stale));
    assert_eq!(apply_receipt(&mut s, org, receipt("failed"), None).ok(), Some(ReceiptOutcome::Stale));
    assert_eq!(
        apply_receipt(&mut s, org, receipt("read"), None).ok(),
        Some(ReceiptOutcome::Applied(OutboundStatus::Read))
    );
    assert_eq!(apply_receipt(&mut s, org, receipt("deleted"), None).ok(), Some(ReceiptOutcome::UnknownStatus));
    assert_eq!(s.activities.len(), 2);
    s.outbound = None;
    assert_eq!(apply_receipt(&mut s, org, receipt("read"), None).ok(), Some(ReceiptOutcome::UnknownMessage));
}

#[test]
fn a_receipt_never_predates_the_status_it_follows() {
    let sent = Utc.with_ymd_and_hms(2026, 11, 25, 19, 37, 40).single().unwrap_or_default()
        + chrono::Duration::milliseconds(342);
    let whole_second = Utc.with_ymd_and_hms(2026, 11, 25, 19, 37, 40).single().unwrap_or_default();
    // Meta's whole-second stamp of a `delivered` 300 ms after the send: just after the send.
    assert_eq!(receipt_time(whole_second, Some(sent)), sent + chrono::Duration::milliseconds(1));
    // A later stamp is kept as it is, and so is any stamp when nothing came before.
    let later = sent + chrono::Duration::seconds(3);
    assert_eq!(receipt_time(later, Some(sent)), later);
    assert_eq!(receipt_time(whole_second, None), whole_second);
}
