use super::*;
use crate::retry::parse_backoff;
use chrono::Duration;

#[test]
fn failure_decisions_follow_the_budget() {
    let s = parse_backoff("1s,1s").unwrap_or_default();
    let r = RetryClass::Retryable;
    assert_eq!(decide_after_failure(&s, 1, 0, 3, r, 0.5), AttemptOutcome::RetryAfter(Duration::seconds(1)));
    assert_eq!(decide_after_failure(&s, 2, 0, 3, r, 0.5), AttemptOutcome::RetryAfter(Duration::seconds(1)));
    assert_eq!(decide_after_failure(&s, 3, 0, 3, r, 0.5), AttemptOutcome::DeadLetter);
    assert_eq!(decide_after_failure(&s, 1, 0, 3, RetryClass::Final, 0.5), AttemptOutcome::Failed);
    // after a manual retry at attempt 3: three more attempts, numbered 4..6
    assert_eq!(decide_after_failure(&s, 4, 3, 6, r, 0.5), AttemptOutcome::RetryAfter(Duration::seconds(1)));
    assert_eq!(decide_after_failure(&s, 6, 3, 6, r, 0.5), AttemptOutcome::DeadLetter);
    // a budget longer than the schedule repeats the last delay
    let one = parse_backoff("2s").unwrap_or_default();
    assert_eq!(decide_after_failure(&one, 3, 0, 5, r, 0.5), AttemptOutcome::RetryAfter(Duration::seconds(2)));
}

#[test]
fn request_hash_ignores_the_key_but_not_the_body() {
    let a = QueueInput {
        dossier_id: Uuid::nil(),
        to: None,
        template_code: None,
        template_params: None,
        text: Some("hi".into()),
        idempotency_key: Some("k1".into()),
    };
    let b = QueueInput { idempotency_key: Some("k2".into()), ..a.clone() };
    let c = QueueInput { text: Some("hello".into()), ..a.clone() };
    assert_eq!(a.request_hash(), b.request_hash());
    assert_ne!(a.request_hash(), c.request_hash());
}

#[test]
fn shape_rules() {
    let base = QueueInput {
        dossier_id: Uuid::nil(),
        to: None,
        template_code: None,
        template_params: None,
        text: None,
        idempotency_key: None,
    };
    let fields = |i: &QueueInput| shape_violations(i).into_iter().map(|v| v.field).collect::<Vec<_>>();
    assert_eq!(fields(&base), ["templateCode"]);
    let both = QueueInput { template_code: Some("t".into()), text: Some("x".into()), ..base.clone() };
    assert_eq!(fields(&both), ["text"]);
    let blank = QueueInput { text: Some("  ".into()), ..base.clone() };
    assert_eq!(fields(&blank), ["text"]);
    let bad_key = QueueInput { text: Some("x".into()), idempotency_key: Some("a b".into()), ..base };
    assert_eq!(fields(&bad_key), ["Idempotency-Key"]);
}
