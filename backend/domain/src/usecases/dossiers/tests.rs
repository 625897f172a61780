use super::*;

fn input() -> DossierInput {
    DossierInput {
        lead_name: Some("  Léa Martin ".into()),
        lead_phone: Some("06 12 34 56 78".into()),
        lead_email: Some("  Lea.Martin@Example.FR ".into()),
        source: Some(Source::Web),
        dossier_type: Some(DossierType::Buy),
        budget_min: Some(250_000.0),
        budget_max: Some(300_000.5),
        notes: Some("   ".into()),
        ..DossierInput::default()
    }
}

fn fields(r: DomainResult<DossierData>) -> Vec<String> {
    match r {
        Err(DomainError::Validation(v)) => v.into_iter().map(|f| f.field).collect(),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("expected a validation error"),
    }
}

#[test]
fn parse_input_normalises_phone_email_and_blanks() {
    let data = match parse_input(input(), "FR") {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(data.draft.lead_name, "Léa Martin");
    assert_eq!(data.draft.lead_phone.as_ref().map(PhoneE164::as_str), Some("+33612345678"));
    assert_eq!(data.draft.lead_email.as_deref(), Some("lea.martin@example.fr"));
    assert_eq!(data.draft.notes, None);
    assert_eq!(data.draft.budget_max.map(Money::cents), Some(30_000_050));
    assert_eq!(data.submitted()["leadPhone"], "+33612345678");
    assert_eq!(data.submitted()["budgetMax"], 300_000.5);
}

#[test]
fn parse_input_reports_every_violation() {
    let bad = DossierInput {
        lead_name: None,
        lead_phone: None,
        lead_email: None,
        budget_min: Some(10.0),
        budget_max: Some(5.123),
        ..DossierInput::default()
    };
    assert_eq!(fields(parse_input(bad, "FR")), ["budgetMax", "leadName", "leadPhone", "source", "type"]);
    let bad = DossierInput { lead_phone: Some("abc".into()), lead_email: Some("nope".into()), ..input() };
    assert_eq!(fields(parse_input(bad, "FR")), ["leadPhone", "leadEmail"]);
    let bad = DossierInput { budget_min: Some(2.0), budget_max: Some(1.0), ..input() };
    assert_eq!(fields(parse_input(bad, "FR")), ["budgetMin"]);
    // email only is enough, phone only too
    assert!(parse_input(DossierInput { lead_phone: None, ..input() }, "FR").is_ok());
    assert!(parse_input(DossierInput { lead_email: Some(" ".into()), ..input() }, "FR").is_ok());
}

#[test]
fn sort_fields_round_trip() {
    for name in DossierSortField::NAMES {
        assert!(DossierSortField::parse(name).is_some(), "{name}");
    }
    assert_eq!(DossierSortField::parse("leadPhone"), None);
    assert_eq!(DossierSortField::default(), DossierSortField::CreatedAt);
}
