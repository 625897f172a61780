//! Retention (PRODUCT.md §12): the org's settings (ADMIN, `GET|PUT /api/v1/settings/retention`)
//! and the purge the daily job and `atlas retention [--dry-run]` apply. The rules live here
//! (validation, cut-off dates, what is counted, the `RETENTION_PURGE` event); the set-based SQL
//! lives behind [`RetentionStore`]. See docs/retention.md.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::error::{DomainResult, FieldViolation};
use crate::identity::{Actor, Capability, OrgId};
use crate::ports::{AuditLog, NewAuditEvent};
use crate::validation::finish;

/// What replaces a purged message content (the row stays for statistics).
pub const PURGED_CONTENT: &str = "[contenu supprimé — conservation]";
/// The lead name of an anonymised dossier.
pub const ANONYMISED_NAME: &str = "Anonymisé";

pub const MESSAGE_CONTENT_DAYS_MIN: i64 = 1;
/// The audit trail is the agency's evidence: at least 30 days are always kept.
pub const AUDIT_DAYS_MIN: i64 = 30;
pub const ANONYMISE_DAYS_MIN: i64 = 1;
/// About 100 years: beyond that "keep" (null) is what is meant.
pub const DAYS_MAX: i64 = 36_500;

/// An org's retention settings, in days; `None` keeps forever (the default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionSettings {
    pub message_content_days: Option<i64>,
    pub audit_days: Option<i64>,
    pub closed_dossier_anonymise_days: Option<i64>,
}

impl RetentionSettings {
    /// Nothing is ever purged.
    pub fn keeps_everything(&self) -> bool {
        self.message_content_days.is_none() && self.audit_days.is_none() && self.closed_dossier_anonymise_days.is_none()
    }

    pub fn snapshot(&self) -> Value {
        json!({
            "messageContentDays": self.message_content_days,
            "auditDays": self.audit_days,
            "closedDossierAnonymiseDays": self.closed_dossier_anonymise_days,
        })
    }

    /// Field checks (names as in the API): each value null or a whole number of days within its
    /// bounds.
    pub fn validate(&self) -> DomainResult<()> {
        let mut errors = Vec::new();
        for (field, value, min) in [
            ("messageContentDays", self.message_content_days, MESSAGE_CONTENT_DAYS_MIN),
            ("auditDays", self.audit_days, AUDIT_DAYS_MIN),
            ("closedDossierAnonymiseDays", self.closed_dossier_anonymise_days, ANONYMISE_DAYS_MIN),
        ] {
            if let Some(v) = value {
                if !(min..=DAYS_MAX).contains(&v) {
                    errors.push(FieldViolation::new(
                        field,
                        format!("must be null (keep) or a number of days from {min} to {DAYS_MAX}"),
                    ));
                }
            }
        }
        finish(errors)
    }
}

/// What one run purged (or, in a dry run, would purge) in one org.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeCounts {
    /// Message contents replaced by [`PURGED_CONTENT`] (by age, and those of anonymised dossiers).
    pub messages_purged: u64,
    pub audit_events_deleted: u64,
    pub dossiers_anonymised: u64,
    /// Raw WhatsApp webhook payloads (and outbound texts) emptied along with message contents.
    pub raw_payloads_purged: u64,
}

impl PurgeCounts {
    pub fn is_zero(&self) -> bool {
        *self == PurgeCounts::default()
    }
}

/// Cut-off dates of one run: rows strictly older than these are purged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    pub messages_before: Option<DateTime<Utc>>,
    pub audit_before: Option<DateTime<Utc>>,
    pub closed_before: Option<DateTime<Utc>>,
}

impl Cutoffs {
    pub fn of(settings: &RetentionSettings, now: DateTime<Utc>) -> Cutoffs {
        let before = |days: Option<i64>| days.map(|d| now - Duration::days(d));
        Cutoffs {
            messages_before: before(settings.message_content_days),
            audit_before: before(settings.audit_days),
            closed_before: before(settings.closed_dossier_anonymise_days),
        }
    }
}

pub trait RetentionStore {
    /// The org's settings (all `None` when never set).
    fn retention_settings(&mut self, org: OrgId) -> DomainResult<RetentionSettings>;
    fn put_retention_settings(
        &mut self,
        org: OrgId,
        settings: &RetentionSettings,
        now: DateTime<Utc>,
    ) -> DomainResult<()>;
    /// Every org whose settings purge something, with its name (for the CLI's report).
    fn orgs_with_retention(&mut self) -> DomainResult<Vec<(OrgId, String, RetentionSettings)>>;
    /// Lets this transaction delete audit events (the append-only trigger's exception).
    fn allow_audit_purge(&mut self) -> DomainResult<()>;
    /// Replaces the content of the org's messages that occurred before `before` and are not purged
    /// yet; empties the raw inbound payloads received and outbound texts created before it.
    /// Returns (messages, raw payloads).
    fn purge_message_contents(&mut self, org: OrgId, before: DateTime<Utc>) -> DomainResult<(u64, u64)>;
    /// Deletes the org's audit events created before `before`.
    fn delete_audit_events(&mut self, org: OrgId, before: DateTime<Utc>) -> DomainResult<u64>;
    /// Anonymises the org's WON/LOST dossiers closed before `closed_before` and not anonymised yet
    /// (lead, parties, message contents, raw payloads). Returns (dossiers, messages, raw payloads).
    fn anonymise_closed_dossiers(
        &mut self,
        org: OrgId,
        closed_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> DomainResult<(u64, u64, u64)>;
}

pub fn get_settings(store: &mut impl RetentionStore, actor: &Actor) -> DomainResult<RetentionSettings> {
    actor.require(Capability::Administer)?;
    store.retention_settings(actor.org_id)
}

pub fn put_settings(
    store: &mut (impl RetentionStore + AuditLog),
    actor: &Actor,
    input: RetentionSettings,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<RetentionSettings> {
    actor.require(Capability::Administer)?;
    input.validate()?;
    let before = store.retention_settings(actor.org_id)?;
    store.put_retention_settings(actor.org_id, &input, now)?;
    store.record(NewAuditEvent::by(
        actor,
        "UPDATE",
        "RETENTION_SETTINGS",
        actor.org_id.0,
        Some(before.snapshot()),
        Some(input.snapshot()),
        correlation_id,
    ))?;
    Ok(input)
}

/// Applies `settings` to one org, inside the caller's transaction (which a dry run rolls back).
/// Writes one `RETENTION_PURGE` event (actor null: the system) when anything was purged, after
/// the audit purge so that the event itself is never purged by its own run.
pub fn apply(
    store: &mut (impl RetentionStore + AuditLog),
    org: OrgId,
    settings: &RetentionSettings,
    now: DateTime<Utc>,
) -> DomainResult<PurgeCounts> {
    let mut counts = PurgeCounts::default();
    if settings.keeps_everything() {
        return Ok(counts);
    }
    let cut = Cutoffs::of(settings, now);
    if let Some(before) = cut.messages_before {
        let (messages, raw) = store.purge_message_contents(org, before)?;
        counts.messages_purged += messages;
        counts.raw_payloads_purged += raw;
    }
    if let Some(before) = cut.closed_before {
        let (dossiers, messages, raw) = store.anonymise_closed_dossiers(org, before, now)?;
        counts.dossiers_anonymised += dossiers;
        counts.messages_purged += messages;
        counts.raw_payloads_purged += raw;
    }
    if let Some(before) = cut.audit_before {
        store.allow_audit_purge()?;
        counts.audit_events_deleted = store.delete_audit_events(org, before)?;
    }
    if !counts.is_zero() {
        store.record(purge_event(org, settings, &cut, &counts))?;
    }
    Ok(counts)
}

pub fn purge_event(org: OrgId, settings: &RetentionSettings, cut: &Cutoffs, counts: &PurgeCounts) -> NewAuditEvent {
    NewAuditEvent {
        org_id: org,
        actor_user_id: None,
        action: "RETENTION_PURGE",
        entity_type: "ORGANISATION",
        entity_id: org.0,
        before: None,
        after: Some(json!({
            "messagesPurged": counts.messages_purged,
            "auditEventsDeleted": counts.audit_events_deleted,
            "dossiersAnonymised": counts.dossiers_anonymised,
            "rawPayloadsPurged": counts.raw_payloads_purged,
            "settings": settings.snapshot(),
            "cutoffs": {
                "messagesBefore": cut.messages_before,
                "auditBefore": cut.audit_before,
                "closedBefore": cut.closed_before,
            },
        })),
        correlation_id: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::error::DomainError;
    use crate::identity::{Role, UserId};
    use uuid::Uuid;

    fn fields(r: DomainResult<()>) -> Vec<String> {
        match r {
            Err(DomainError::Validation(v)) => v.into_iter().map(|f| f.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn validation_bounds_each_field() {
        assert!(RetentionSettings::default().validate().is_ok());
        let ok = RetentionSettings {
            message_content_days: Some(1),
            audit_days: Some(30),
            closed_dossier_anonymise_days: Some(DAYS_MAX),
        };
        assert!(ok.validate().is_ok());
        let bad = RetentionSettings {
            message_content_days: Some(0),
            audit_days: Some(29),
            closed_dossier_anonymise_days: Some(-1),
        };
        assert_eq!(fields(bad.validate()), ["messageContentDays", "auditDays", "closedDossierAnonymiseDays"]);
        let big = RetentionSettings { message_content_days: Some(DAYS_MAX + 1), ..Default::default() };
        assert_eq!(fields(big.validate()), ["messageContentDays"]);
    }

    #[test]
    fn cutoffs_are_now_minus_days() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().with_timezone(&Utc);
        let s = RetentionSettings {
            message_content_days: Some(10),
            audit_days: None,
            closed_dossier_anonymise_days: Some(1),
        };
        let c = Cutoffs::of(&s, now);
        assert_eq!(c.messages_before, Some(now - Duration::days(10)));
        assert_eq!(c.audit_before, None);
        assert_eq!(c.closed_before, Some(now - Duration::days(1)));
    }

    #[derive(Default)]
    struct Fake {
        settings: RetentionSettings,
        events: Vec<NewAuditEvent>,
        audit_allowed: bool,
        purgeable: (u64, u64, u64),
    }

    impl RetentionStore for Fake {
        fn retention_settings(&mut self, _: OrgId) -> DomainResult<RetentionSettings> {
            Ok(self.settings)
        }
        fn put_retention_settings(&mut self, _: OrgId, s: &RetentionSettings, _: DateTime<Utc>) -> DomainResult<()> {
            self.settings = *s;
            Ok(())
        }
        fn orgs_with_retention(&mut self) -> DomainResult<Vec<(OrgId, String, RetentionSettings)>> {
            Ok(vec![])
        }
        fn allow_audit_purge(&mut self) -> DomainResult<()> {
            self.audit_allowed = true;
            Ok(())
        }
        fn purge_message_contents(&mut self, _: OrgId, _: DateTime<Utc>) -> DomainResult<(u64, u64)> {
            Ok((std::mem::take(&mut self.purgeable.0), 0))
        }
        fn delete_audit_events(&mut self, _: OrgId, _: DateTime<Utc>) -> DomainResult<u64> {
            assert!(self.audit_allowed, "audit purge must be allowed first");
            Ok(std::mem::take(&mut self.purgeable.1))
        }
        fn anonymise_closed_dossiers(
            &mut self,
            _: OrgId,
            _: DateTime<Utc>,
            _: DateTime<Utc>,
        ) -> DomainResult<(u64, u64, u64)> {
            Ok((std::mem::take(&mut self.purgeable.2), 0, 0))
        }
    }

    impl AuditLog for Fake {
        fn record(&mut self, e: NewAuditEvent) -> DomainResult<()> {
            self.events.push(e);
            Ok(())
        }
    }

    #[test]
    fn apply_records_one_system_event_only_when_something_was_purged() {
        let org = OrgId(Uuid::now_v7());
        let now = Utc::now();
        let s = RetentionSettings {
            message_content_days: Some(5),
            audit_days: Some(30),
            closed_dossier_anonymise_days: Some(5),
        };
        let mut store = Fake { purgeable: (3, 2, 1), ..Default::default() };
        let c = apply(&mut store, org, &s, now).unwrap();
        assert_eq!((c.messages_purged, c.audit_events_deleted, c.dossiers_anonymised), (3, 2, 1));
        assert_eq!(store.events.len(), 1);
        let e = &store.events[0];
        assert_eq!((e.action, e.actor_user_id, e.entity_id), ("RETENTION_PURGE", None, org.0));
        let after = e.after.as_ref().unwrap();
        assert_eq!(after["messagesPurged"], 3);
        assert_eq!(after["auditEventsDeleted"], 2);
        assert_eq!(after["dossiersAnonymised"], 1);
        // second run: nothing left, no event
        assert!(apply(&mut store, org, &s, now).unwrap().is_zero());
        assert_eq!(store.events.len(), 1);
        // keeping everything touches nothing
        let mut keep = Fake { purgeable: (1, 1, 1), ..Default::default() };
        assert!(apply(&mut keep, org, &RetentionSettings::default(), now).unwrap().is_zero());
        assert!(keep.events.is_empty() && !keep.audit_allowed);
    }

    #[test]
    fn settings_are_admin_only_and_audited() {
        let org = OrgId(Uuid::now_v7());
        let actor = |role| Actor { user_id: UserId(Uuid::now_v7()), org_id: org, role };
        let mut store = Fake::default();
        let s = RetentionSettings { audit_days: Some(365), ..Default::default() };
        for role in [Role::Viewer, Role::Agent, Role::Manager] {
            assert!(matches!(put_settings(&mut store, &actor(role), s, Utc::now(), None), Err(DomainError::Forbidden)));
            assert!(matches!(get_settings(&mut store, &actor(role)), Err(DomainError::Forbidden)));
        }
        assert_eq!(put_settings(&mut store, &actor(Role::Admin), s, Utc::now(), None).unwrap(), s);
        assert_eq!(get_settings(&mut store, &actor(Role::Admin)).unwrap(), s);
        assert_eq!(store.events.len(), 1);
        assert_eq!(store.events[0].entity_type, "RETENTION_SETTINGS");
        assert_eq!(store.events[0].after.as_ref().unwrap()["auditDays"], 365);
    }
}
