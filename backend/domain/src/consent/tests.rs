use chrono::TimeZone;

use super::*;
use crate::wire_enum::assert_wire_enum;

fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).single().unwrap_or_default()
}

fn rec(
    seq: i64,
    channel: ConsentChannel,
    purpose: ConsentPurpose,
    status: ConsentStatus,
    at: DateTime<Utc>,
) -> ConsentRecord {
    ConsentRecord { id: Uuid::from_u128(seq as u128), channel, purpose, status, captured_at: at, seq, expires_at: None }
}

use ConsentChannel as C;
use ConsentPurpose as P;
use ConsentStatus as S;

#[test]
fn enums_round_trip() {
    assert_wire_enum!(ConsentChannel);
    assert_wire_enum!(ConsentPurpose);
    assert_wire_enum!(ConsentStatus);
    assert_wire_enum!(ConsentSource);
    assert_wire_enum!(MessageChannel);
    assert_wire_enum!(MessageDirection);
    assert_wire_enum!(ConsentDenialReason);
}

#[test]
fn which_channels_need_consent() {
    for &ch in MessageChannel::ALL {
        let expected = matches!(ch, MessageChannel::Whatsapp | MessageChannel::Sms | MessageChannel::Email);
        assert_eq!(ch.requires_consent(), expected, "{ch}");
        if let Some(cc) = ch.consent_channel() {
            assert_eq!(cc.as_str(), ch.as_str());
        }
    }
}

#[test]
fn latest_is_by_captured_at_then_creation_order() {
    let records = vec![
        rec(1, C::Whatsapp, P::Contact, S::Granted, t(10, 0)),
        // Created later but captured earlier (back-dated entry): not the latest.
        rec(2, C::Whatsapp, P::Contact, S::Revoked, t(9, 0)),
        rec(3, C::Whatsapp, P::Marketing, S::Denied, t(11, 0)),
        rec(4, C::Sms, P::Contact, S::Granted, t(8, 0)),
        rec(5, C::Sms, P::Contact, S::Denied, t(8, 0)),
    ];
    assert_eq!(latest(&records, C::Whatsapp, P::Contact).map(|r| r.seq), Some(1));
    assert_eq!(latest(&records, C::Sms, P::Contact).map(|r| r.seq), Some(5));
    assert_eq!(latest(&records, C::Email, P::Contact), None);
    let current: Vec<_> = current_states(&records).iter().map(|r| r.seq).collect();
    assert_eq!(current, [1, 3, 5]);
    let history: Vec<_> = history_newest_first(&records).iter().map(|r| r.seq).collect();
    assert_eq!(history, [3, 1, 2, 5, 4]);
    assert!(current_states(&[]).is_empty());
}

fn check(records: &[ConsentRecord], ch: MessageChannel) -> Result<(), ConsentDenialReason> {
    check_outbound_consent(records, ch, t(12, 0)).map_err(|d| d.reason)
}

#[test]
fn outbound_policy_denies_by_default() {
    use ConsentDenialReason::*;
    use MessageChannel as M;
    assert_eq!(check(&[], M::Whatsapp), Err(Missing));
    assert_eq!(check(&[], M::Sms), Err(Missing));
    assert_eq!(check(&[], M::Email), Err(Missing));
    assert_eq!(check(&[], M::Phone), Ok(()));
    assert_eq!(check(&[], M::InPerson), Ok(()));

    let granted = rec(1, C::Whatsapp, P::Contact, S::Granted, t(9, 0));
    assert_eq!(check(std::slice::from_ref(&granted), M::Whatsapp), Ok(()));
    // Consent is per channel and per purpose.
    assert_eq!(check(std::slice::from_ref(&granted), M::Sms), Err(Missing));
    let marketing_only = [rec(1, C::Email, P::Marketing, S::Granted, t(9, 0))];
    assert_eq!(check(&marketing_only, M::Email), Err(Missing));

    let denied = [granted.clone(), rec(2, C::Whatsapp, P::Contact, S::Denied, t(10, 0))];
    assert_eq!(check(&denied, M::Whatsapp), Err(Denied));
    let revoked = [granted.clone(), rec(2, C::Whatsapp, P::Contact, S::Revoked, t(10, 0))];
    assert_eq!(check(&revoked, M::Whatsapp), Err(Revoked));
    let regranted = [revoked[1].clone(), rec(3, C::Whatsapp, P::Contact, S::Granted, t(11, 0))];
    assert_eq!(check(&regranted, M::Whatsapp), Ok(()));
    // Same capturedAt: creation order decides.
    let same_time = [rec(1, C::Sms, P::Contact, S::Granted, t(9, 0)), rec(2, C::Sms, P::Contact, S::Revoked, t(9, 0))];
    assert_eq!(check(&same_time, M::Sms), Err(Revoked));
    // A future-dated revocation still wins.
    let future = [granted.clone(), rec(2, C::Whatsapp, P::Contact, S::Revoked, t(23, 0))];
    assert_eq!(check(&future, M::Whatsapp), Err(Revoked));
}

#[test]
fn expiry_is_exclusive() {
    let with_expiry = |e| ConsentRecord { expires_at: Some(e), ..rec(1, C::Email, P::Contact, S::Granted, t(9, 0)) };
    assert_eq!(check(&[with_expiry(t(12, 1))], MessageChannel::Email), Ok(()));
    assert_eq!(check(&[with_expiry(t(12, 0))], MessageChannel::Email), Err(ConsentDenialReason::Expired));
    assert_eq!(check(&[with_expiry(t(11, 0))], MessageChannel::Email), Err(ConsentDenialReason::Expired));
    // An expired grant is followed by a fresh one.
    let renewed = [with_expiry(t(11, 0)), rec(2, C::Email, P::Contact, S::Granted, t(11, 30))];
    assert_eq!(check(&renewed, MessageChannel::Email), Ok(()));
    let denial = check_outbound_consent(&[with_expiry(t(11, 0))], MessageChannel::Email, t(12, 0));
    assert_eq!(denial.map_err(|d| d.message()), Err("the CONTACT consent for EMAIL has expired".to_string()));
}

fn input(status: ConsentStatus, proof: Option<&str>) -> ConsentInput {
    ConsentInput {
        channel: C::Whatsapp,
        purpose: P::Contact,
        status,
        source: ConsentSource::Ui,
        proof: proof.map(str::to_string),
        captured_at: t(10, 0),
        expires_at: None,
    }
}

fn fields(v: Vec<FieldViolation>) -> Vec<String> {
    v.into_iter().map(|v| v.field).collect()
}

#[test]
fn consent_input_rules() {
    let now = t(12, 0);
    assert!(validate_consent_input(&input(S::Granted, Some("Oral consent by phone")), now).is_empty());
    assert!(validate_consent_input(&input(S::Granted, Some("0123456789")), now).is_empty());
    assert_eq!(fields(validate_consent_input(&input(S::Granted, Some("  short    ")), now)), ["proof"]);
    assert_eq!(fields(validate_consent_input(&input(S::Granted, None), now)), ["proof"]);
    assert!(validate_consent_input(&input(S::Revoked, None), now).is_empty());
    assert!(validate_consent_input(&input(S::Denied, Some("no")), now).is_empty());
    assert_eq!(fields(validate_consent_input(&input(S::Denied, Some(&"p".repeat(2001))), now)), ["proof"]);
    let bad_expiry = ConsentInput { expires_at: Some(t(10, 0)), ..input(S::Granted, Some("signed web form #42")) };
    assert_eq!(fields(validate_consent_input(&bad_expiry, now)), ["expiresAt"]);
    let good_expiry = ConsentInput { expires_at: Some(t(10, 1)), ..bad_expiry.clone() };
    assert!(validate_consent_input(&good_expiry, now).is_empty());
    let future = ConsentInput { captured_at: t(12, 6), ..input(S::Revoked, None) };
    assert_eq!(fields(validate_consent_input(&future, now)), ["capturedAt"]);
    let skew = ConsentInput { captured_at: t(12, 5), ..input(S::Revoked, None) };
    assert!(validate_consent_input(&skew, now).is_empty());
}

#[test]
fn next_state_keeps_channel_and_purpose() {
    let previous = rec(1, C::Whatsapp, P::Contact, S::Granted, t(9, 0));
    assert!(validate_next_state(&previous, &input(S::Revoked, None)).is_empty());
    let other = ConsentInput { channel: C::Sms, purpose: P::Marketing, ..input(S::Revoked, None) };
    assert_eq!(fields(validate_next_state(&previous, &other)), ["channel", "purpose"]);
}
