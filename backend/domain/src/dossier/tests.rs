use super::*;
use crate::wire_enum::assert_wire_enum;
use DossierStatus::*;

#[test]
fn enums_round_trip() {
    assert_wire_enum!(DossierStatus);
    assert_wire_enum!(LossReason);
    assert_wire_enum!(WonReason);
    assert_wire_enum!(Source);
    assert_wire_enum!(DossierType);
    assert_eq!(LossReason::ALL.len(), 6);
    assert_eq!(WonReason::ALL.len(), 3);
    assert_eq!(Source::ALL.len(), 9);
}

#[test]
fn open_and_terminal() {
    for &s in DossierStatus::ALL {
        assert_eq!(s.is_open(), !matches!(s, Won | Lost), "{s}");
        assert_eq!(s.is_terminal(), !s.is_open());
    }
}

/// PRODUCT.md §3 written out by hand, row = from, column = to, in the order
/// NEW, QUALIFYING, QUALIFIED, APPOINTMENT, WON, LOST.
// to:       NEW    QUALIFYING QUALIFIED APPOINTMENT WON    LOST
const EXPECTED: [(DossierStatus, [bool; 6]); 6] = [
    (New, [false, true, true, true, false, true]),
    (Qualifying, [false, false, true, false, false, true]),
    (Qualified, [false, false, false, true, false, true]),
    (Appointment, [false, false, false, false, true, true]),
    (Won, [false, false, false, false, false, false]),
    (Lost, [false, false, false, false, false, false]),
];
const COLUMNS: [DossierStatus; 6] = [New, Qualifying, Qualified, Appointment, Won, Lost];

/// Reasons that satisfy any target, so the matrix tests the table alone.
fn check_with_reasons(from: DossierStatus, to: DossierStatus) -> Result<AcceptedTransition, TransitionError> {
    check_transition(from, to, Some("PRICE"), Some("SIGNED"), None)
}

#[test]
fn full_transition_matrix() {
    let mut pairs = 0;
    for (from, row) in EXPECTED {
        for (to, allowed) in COLUMNS.into_iter().zip(row) {
            pairs += 1;
            assert_eq!(can_transition(from, to), allowed, "{from} -> {to}");
            match check_with_reasons(from, to) {
                Ok(t) => {
                    assert!(allowed, "{from} -> {to} accepted");
                    assert_eq!(t.to, to);
                }
                Err(TransitionError::Invalid { allowed: list }) => {
                    assert!(!allowed, "{from} -> {to} refused");
                    let expected_list: Vec<_> =
                        COLUMNS.into_iter().zip(row).filter(|(_, ok)| *ok).map(|(s, _)| s).collect();
                    assert_eq!(list, expected_list, "allowed list from {from}");
                }
                Err(other) => panic!("{from} -> {to}: unexpected {other:?}"),
            }
            let offered = available_transitions(from).iter().any(|t| t.to == to);
            assert_eq!(offered, allowed, "available {from} -> {to}");
        }
    }
    assert_eq!(pairs, 36);
    assert_eq!(DossierStatus::ALL, COLUMNS);
}

#[test]
fn terminal_and_same_status_are_invalid_with_the_allowed_list() {
    assert_eq!(
        check_transition(Won, Lost, Some("PRICE"), None, None),
        Err(TransitionError::Invalid { allowed: vec![] })
    );
    assert_eq!(check_transition(Lost, New, None, None, None), Err(TransitionError::Invalid { allowed: vec![] }));
    assert_eq!(
        check_transition(Qualifying, Qualifying, None, None, None),
        Err(TransitionError::Invalid { allowed: vec![Qualified, Lost] })
    );
    // Table first: an impossible move with a bad reason is still a 409.
    assert!(matches!(check_transition(New, Won, None, None, None), Err(TransitionError::Invalid { .. })));
}

fn reason_error(r: Result<AcceptedTransition, TransitionError>) -> Option<&'static str> {
    match r {
        Err(TransitionError::ReasonRequired { field, message }) => {
            assert!(!message.is_empty());
            Some(field)
        }
        _ => None,
    }
}

#[test]
fn lost_needs_a_known_loss_reason() {
    for from in [New, Qualifying, Qualified, Appointment] {
        assert_eq!(reason_error(check_transition(from, Lost, None, None, None)), Some("lossReason"));
        assert_eq!(reason_error(check_transition(from, Lost, Some("  "), None, None)), Some("lossReason"));
        assert_eq!(reason_error(check_transition(from, Lost, Some("price"), None, None)), Some("lossReason"));
        assert_eq!(reason_error(check_transition(from, Lost, Some("CHEAPER"), None, None)), Some("lossReason"));
        // A wonReason does not stand in for the lossReason.
        assert_eq!(reason_error(check_transition(from, Lost, None, Some("SIGNED"), None)), Some("lossReason"));
        for &r in LossReason::ALL {
            let comment = (r == LossReason::Other).then_some("moved abroad");
            let t = check_transition(from, Lost, Some(r.as_str()), None, comment);
            assert_eq!(t.map(|t| t.reason), Ok(Some(r.as_str().to_string())), "{from} {r}");
        }
    }
    match check_transition(New, Lost, None, None, None) {
        Err(TransitionError::ReasonRequired { message, .. }) => assert!(message.contains("NO_RESPONSE"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn won_needs_a_known_won_reason() {
    assert_eq!(reason_error(check_transition(Appointment, Won, None, None, None)), Some("wonReason"));
    assert_eq!(reason_error(check_transition(Appointment, Won, Some("PRICE"), None, None)), Some("wonReason"));
    assert_eq!(reason_error(check_transition(Appointment, Won, None, Some("signed"), None)), Some("wonReason"));
    for &r in WonReason::ALL {
        let comment = (r == WonReason::Other).then_some("paid cash");
        let t = check_transition(Appointment, Won, Some("PRICE"), Some(r.as_str()), comment);
        assert_eq!(t.map(|t| t.reason), Ok(Some(r.as_str().to_string())));
    }
}

#[test]
fn other_needs_a_non_blank_comment() {
    assert_eq!(reason_error(check_transition(New, Lost, Some("OTHER"), None, None)), Some("comment"));
    assert_eq!(reason_error(check_transition(New, Lost, Some("OTHER"), None, Some(" \n "))), Some("comment"));
    assert_eq!(reason_error(check_transition(Appointment, Won, None, Some("OTHER"), Some(""))), Some("comment"));
    let ok = check_transition(Appointment, Won, None, Some(" OTHER "), Some("  paid cash  "));
    assert_eq!(ok, Ok(AcceptedTransition { to: Won, reason: Some("OTHER".into()), comment: Some("paid cash".into()) }));
}

#[test]
fn moves_without_reason_keep_comment_and_drop_stray_reasons() {
    let t = check_transition(New, Qualifying, Some("PRICE"), Some("SIGNED"), Some(" called back "));
    assert_eq!(t, Ok(AcceptedTransition { to: Qualifying, reason: None, comment: Some("called back".into()) }));
    let t = check_transition(Qualified, Appointment, None, None, Some("   "));
    assert_eq!(t, Ok(AcceptedTransition { to: Appointment, reason: None, comment: None }));
    let long = "c".repeat(STATUS_COMMENT_MAX + 1);
    assert!(matches!(
        check_transition(New, Qualified, None, None, Some(&long)),
        Err(TransitionError::Validation(v)) if v.field == "comment"
    ));
    let max = "c".repeat(STATUS_COMMENT_MAX);
    assert!(check_transition(New, Qualified, None, None, Some(&max)).is_ok());
}

#[test]
fn available_transitions_carry_reasons() {
    let from_new = available_transitions(New);
    let targets: Vec<_> = from_new.iter().map(|t| t.to).collect();
    assert_eq!(targets, [Qualifying, Qualified, Appointment, Lost]);
    for t in &from_new {
        assert_eq!(t.requires_reason, t.to == Lost);
    }
    let lost = from_new.iter().find(|t| t.to == Lost).map(|t| t.reasons.clone());
    assert_eq!(
        lost,
        Some(vec!["PRICE", "NO_RESPONSE", "CHOSE_COMPETITOR", "NOT_ELIGIBLE", "PROJECT_ABANDONED", "OTHER"])
    );
    let from_appointment = available_transitions(Appointment);
    assert_eq!(
        from_appointment.first().map(|t| (t.to, t.reasons.clone())),
        Some((Won, vec!["SIGNED", "OFFER_ACCEPTED", "OTHER"]))
    );
    assert!(available_transitions(Won).is_empty());
    assert!(available_transitions(Lost).is_empty());
    let json = serde_json::to_value(&from_new[0]).unwrap_or_default();
    assert_eq!(json, serde_json::json!({"to": "QUALIFYING", "requiresReason": false, "reasons": []}));
}

fn draft() -> DossierDraft {
    DossierDraft {
        lead_name: "Camille Martin".into(),
        lead_phone: PhoneE164::try_from("+33612345678".to_string()).ok(),
        lead_email: Some("camille@example.fr".into()),
        ..DossierDraft::default()
    }
}

fn fields(d: &DossierDraft) -> Vec<String> {
    d.validate_fields().into_iter().map(|v| v.field).collect()
}

#[test]
fn dossier_fields() {
    assert!(fields(&draft()).is_empty());
    assert!(fields(&DossierDraft { lead_email: None, ..draft() }).is_empty());
    assert!(fields(&DossierDraft { lead_phone: None, ..draft() }).is_empty());
    let none = DossierDraft { lead_phone: None, lead_email: Some("  ".into()), ..draft() };
    let v = none.validate_fields();
    assert_eq!(v.len(), 1);
    assert_eq!((v[0].field.as_str(), v[0].message.as_str()), ("leadPhone", "leadPhone or leadEmail is required"));
    // BSUID-only WhatsApp sender: the one exception.
    let bsuid = DossierDraft { whatsapp_user_id: Some("US.13491208655302741918".into()), ..none };
    assert!(fields(&bsuid).is_empty());
    let bad = DossierDraft {
        lead_name: "   ".into(),
        lead_email: Some("not-an-email".into()),
        budget_min: Some(Money::from_cents(2)),
        budget_max: Some(Money::from_cents(1)),
        notes: Some("n".repeat(NOTES_MAX + 1)),
        ..draft()
    };
    assert_eq!(fields(&bad), ["leadName", "leadEmail", "budgetMin", "notes"]);
    assert_eq!(fields(&DossierDraft { lead_name: "x".repeat(201), ..draft() }), ["leadName"]);
    let edges = DossierDraft {
        lead_name: "é".repeat(200),
        budget_min: Some(Money::from_cents(5)),
        budget_max: Some(Money::from_cents(5)),
        notes: Some("n".repeat(NOTES_MAX)),
        ..draft()
    };
    assert!(fields(&edges).is_empty());
}
