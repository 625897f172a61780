use super::*;
use crate::identity::{Role, UserId};
use crate::ports::OrgSettings;

#[derive(Default)]
struct Fake {
    rows: Vec<Annonce>,
    audits: Vec<NewAuditEvent>,
    counter: i64,
    with_dossier: Vec<Uuid>,
}

impl AnnonceStore for Fake {
    fn insert_annonce(&mut self, _: OrgId, a: &Annonce) -> DomainResult<()> {
        self.rows.push(a.clone());
        Ok(())
    }
    fn find_annonce(&mut self, _: OrgId, id: Uuid) -> DomainResult<Option<Annonce>> {
        Ok(self.rows.iter().find(|a| a.id == id).cloned())
    }
    fn lock_annonce(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<Annonce>> {
        self.find_annonce(org, id)
    }
    fn update_annonce(&mut self, _: OrgId, a: &Annonce) -> DomainResult<()> {
        for r in &mut self.rows {
            if r.id == a.id {
                *r = a.clone();
            }
        }
        Ok(())
    }
    fn delete_annonce(&mut self, _: OrgId, id: Uuid) -> DomainResult<()> {
        self.rows.retain(|a| a.id != id);
        Ok(())
    }
    fn annonce_has_dossiers(&mut self, _: OrgId, id: Uuid) -> DomainResult<bool> {
        Ok(self.with_dossier.contains(&id))
    }
    fn list_annonces(&mut self, _: OrgId, _: &AnnonceListQuery) -> DomainResult<(Vec<Annonce>, u64)> {
        Ok((self.rows.clone(), self.rows.len() as u64))
    }
}

impl AuditLog for Fake {
    fn record(&mut self, e: NewAuditEvent) -> DomainResult<()> {
        self.audits.push(e);
        Ok(())
    }
}

impl OrgDirectory for Fake {
    fn org_settings(&mut self, _: OrgId) -> DomainResult<OrgSettings> {
        Ok(OrgSettings {
            default_country: "FR".into(),
            currency: "EUR".into(),
            timezone: "Europe/Paris".into(),
            block_appointment_overlap: false,
        })
    }
    fn next_reference(&mut self, _: OrgId, prefix: &str) -> DomainResult<String> {
        self.counter += 1;
        Ok(crate::annonce::format_reference(prefix, self.counter))
    }
}

fn actor(role: Role) -> Actor {
    Actor { user_id: UserId(Uuid::nil()), org_id: OrgId(Uuid::nil()), role }
}

fn flat() -> AnnonceInput {
    AnnonceInput {
        title: Some("  T3 lumineux Canal Saint-Martin ".into()),
        description: Some("Bel appartement traversant, parquet, cave, proche métro.".into()),
        transaction_type: Some(TransactionType::Sale),
        property_type: Some(PropertyType::Apartment),
        price: Some(450_000.5),
        surface_m2: Some(64.5),
        city: Some(" Paris ".into()),
        energy_class: Some(EnergyClass::F),
        climate_class: Some(EnergyClass::C),
        energy_cost_min: Some(1230.0),
        energy_cost_max: Some(1710.0),
        energy_cost_year: Some(2024),
        ..AnnonceInput::default()
    }
}

fn fields(e: DomainError) -> Vec<String> {
    match e {
        DomainError::Validation(v) => v.into_iter().map(|f| f.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn create_starts_in_draft_with_reference_currency_and_audit() {
    let mut s = Fake::default();
    let a = create_annonce(&mut s, &actor(Role::Agent), flat(), Utc::now(), Some("c1".into()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.status, AnnonceStatus::Draft);
    assert_eq!(a.reference, "ANN-000001");
    assert_eq!(a.data.currency, "EUR");
    assert_eq!(a.data.title, "T3 lumineux Canal Saint-Martin");
    assert_eq!(a.data.city.as_deref(), Some("Paris"));
    assert_eq!(a.data.price, Some(Money::from_cents(45_000_050)));
    assert!(a.energy_warning());
    assert_eq!(a.energy_warning_text(), Some(ENERGY_WARNING_MENTION));
    assert_eq!(a.snapshot()["energyWarning"], true);
    assert_eq!(s.audits.len(), 1);
    assert_eq!((s.audits[0].action, s.audits[0].entity_type), ("CREATE", "ANNONCE"));
}

#[test]
fn viewer_cannot_write_and_agent_cannot_delete() {
    let mut s = Fake::default();
    assert!(matches!(
        create_annonce(&mut s, &actor(Role::Viewer), flat(), Utc::now(), None),
        Err(DomainError::Forbidden)
    ));
    let a = create_annonce(&mut s, &actor(Role::Agent), flat(), Utc::now(), None).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(delete_annonce(&mut s, &actor(Role::Agent), a.id, None, None), Err(DomainError::Forbidden)));
    assert!(delete_annonce(&mut s, &actor(Role::Manager), a.id, None, None).is_ok());
    assert!(s.rows.is_empty());
}

#[test]
fn every_input_violation_at_once() {
    let input = AnnonceInput {
        title: Some("ab".into()),
        transaction_type: None,
        price: Some(10.123),
        currency: Some("eur".into()),
        energy_cost_min: Some(-1.0),
        energy_cost_max: Some(10.5),
        ..flat()
    };
    let e = parse_input(input, "EUR").err().unwrap_or_else(|| panic!("accepted"));
    assert_eq!(fields(e), ["title", "transactionType", "currency", "price", "energyCostMin", "energyCostMax"]);
}

#[test]
fn publishing_checks_requirements_and_sets_published_at_once() {
    let mut s = Fake::default();
    let agent = actor(Role::Agent);
    let bare = AnnonceInput { energy_class: None, climate_class: None, energy_cost_min: None, ..flat() };
    let a = create_annonce(&mut s, &agent, bare, Utc::now(), None).unwrap_or_else(|e| panic!("{e}"));
    let e = change_status(&mut s, &agent, a.id, AnnonceStatus::Published, None, Utc::now(), None)
        .err()
        .unwrap_or_else(|| panic!("published without DPE"));
    assert_eq!(fields(e), ["energyClass", "climateClass", "energyCostMin"]);

    let b = create_annonce(&mut s, &agent, flat(), Utc::now(), None).unwrap_or_else(|e| panic!("{e}"));
    let p = change_status(&mut s, &agent, b.id, AnnonceStatus::Published, Some(1), Utc::now(), None);
    let p = match p {
        Ok(Ok(p)) => p,
        other => panic!("{other:?}"),
    };
    let first = p.published_at;
    assert!(first.is_some() && p.version == 2);
    for to in [AnnonceStatus::Paused, AnnonceStatus::Published] {
        assert!(matches!(change_status(&mut s, &agent, b.id, to, None, Utc::now(), None), Ok(Ok(_))));
    }
    let again = s.find_annonce(agent.org_id, b.id).ok().flatten().and_then(|a| a.published_at);
    assert_eq!(again, first);
    match change_status(&mut s, &agent, b.id, AnnonceStatus::Published, None, Utc::now(), None) {
        Ok(Err(InvalidTransition { from, allowed })) => {
            assert_eq!(from, AnnonceStatus::Published);
            assert_eq!(allowed, [AnnonceStatus::Paused, AnnonceStatus::Archived]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        change_status(&mut s, &agent, b.id, AnnonceStatus::Paused, Some(1), Utc::now(), None),
        Err(DomainError::VersionConflict)
    ));
}

#[test]
fn delete_only_drafts_without_dossiers() {
    let mut s = Fake::default();
    let m = actor(Role::Manager);
    let a = create_annonce(&mut s, &m, flat(), Utc::now(), None).unwrap_or_else(|e| panic!("{e}"));
    s.with_dossier.push(a.id);
    assert!(matches!(delete_annonce(&mut s, &m, a.id, None, None), Err(DomainError::Conflict(_))));
    assert!(matches!(delete_annonce(&mut s, &m, Uuid::nil(), None, None), Err(DomainError::NotFound)));
}

#[test]
fn update_keeps_status_and_skips_no_op() {
    let mut s = Fake::default();
    let agent = actor(Role::Agent);
    let a = create_annonce(&mut s, &agent, flat(), Utc::now(), None).unwrap_or_else(|e| panic!("{e}"));
    let same = update_annonce(&mut s, &agent, a.id, flat(), None, Utc::now(), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(same.version, 1);
    let changed = AnnonceInput { price: Some(1.0), ..flat() };
    let u = update_annonce(&mut s, &agent, a.id, changed, Some(1), Utc::now(), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((u.version, u.status), (2, AnnonceStatus::Draft));
    assert_eq!(s.audits.last().map(|e| e.action), Some("UPDATE"));
    assert!(matches!(
        update_annonce(&mut s, &agent, a.id, flat(), Some(1), Utc::now(), None),
        Err(DomainError::VersionConflict)
    ));
}
