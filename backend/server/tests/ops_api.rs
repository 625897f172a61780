//! `GET /api/v1/ops/outbound/metrics|health` (PRODUCT.md §10 "Ops"): numbers computed by hand on
//! rows inserted by SQL, tenant scoping, thresholds and roles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{exec_sql, sql_dossier, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

/// `now() - N seconds` in SQL (negative: in the future), or NULL.
fn ago(secs: Option<i64>) -> String {
    secs.map_or("NULL".to_string(), |s| format!("now() - interval '{s} seconds'"))
}

#[derive(Default)]
struct Msg<'a> {
    status: &'a str,
    created: i64,
    next: Option<i64>,
    sent: Option<i64>,
    delivered: Option<i64>,
    read: Option<i64>,
    failed: Option<i64>,
    dead: bool,
    code: Option<&'a str>,
}

fn msg(app: &TestApp, org: Uuid, dossier: Uuid, m: Msg<'_>) -> Uuid {
    let id = Uuid::now_v7();
    let code = m.code.map_or("NULL".to_string(), |c| format!("'{c}'"));
    exec_sql(
        app,
        &format!(
            "INSERT INTO outbound_message (org_id, id, dossier_id, to_phone, text, status, max_attempts, \
             next_attempt_at, dead_lettered, last_error_code, created_at, sent_at, delivered_at, read_at, failed_at) \
             VALUES ('{org}', '{id}', '{dossier}', '+33612345678', 'x', '{}', 5, {}, {}, {code}, {}, {}, {}, {}, {})",
            m.status,
            ago(m.next),
            m.dead,
            ago(Some(m.created)),
            ago(m.sent),
            ago(m.delivered),
            ago(m.read),
            ago(m.failed),
        ),
    );
    id
}

fn attempt(app: &TestApp, org: Uuid, message: Uuid, finished: i64, outcome: &str, code: Option<&str>) {
    let code = code.map_or("NULL".to_string(), |c| format!("'{c}'"));
    exec_sql(
        app,
        &format!(
            "INSERT INTO outbound_attempt (org_id, id, outbound_message_id, attempt_no, started_at, finished_at, outcome, error_code) \
             VALUES ('{org}', '{}', '{message}', 1, {}, {}, '{outcome}', {code})",
            Uuid::now_v7(),
            ago(Some(finished + 1)),
            ago(Some(finished)),
        ),
    );
}

/// The data set of the module: see each line for what it adds to the expected numbers.
fn fill_paris(app: &TestApp) {
    let (org, d) = (app.paris, sql_dossier(app, app.paris, Some("+33612345678")));
    let m = |m: Msg<'_>| msg(app, org, d, m);
    // due for 600 s: the oldest queued
    m(Msg { status: "QUEUED", created: 600, next: Some(600), ..Msg::default() });
    // waiting for a retry in 5 min: queued, not due
    let retrying = m(Msg { status: "QUEUED", created: 7200, next: Some(-300), ..Msg::default() });
    m(Msg { status: "SENDING", created: 10, next: Some(10), ..Msg::default() });
    // queued→sent 10 s (last hour)
    let m4 = m(Msg { status: "SENT", created: 1810, sent: Some(1800), ..Msg::default() });
    // 30 s, sent→delivered 2 s (last hour)
    let m5 = m(Msg { status: "DELIVERED", created: 1230, sent: Some(1200), delivered: Some(1198), ..Msg::default() });
    // 100 s and 10 s, 3 hours ago (24 h only)
    let m6 = m(Msg {
        status: "READ",
        created: 10_900,
        sent: Some(10_800),
        delivered: Some(10_790),
        read: Some(10_780),
        ..Msg::default()
    });
    // 20 s and 4 s (last hour)
    let m7 = m(Msg {
        status: "READ",
        created: 620,
        sent: Some(600),
        delivered: Some(596),
        read: Some(590),
        ..Msg::default()
    });
    // dead-lettered 15 min ago
    let m8 = m(Msg {
        status: "FAILED",
        created: 2000,
        failed: Some(900),
        dead: true,
        code: Some("HTTP_500"),
        ..Msg::default()
    });
    // accepted 83 min ago (24 h only), then reported failed 40 min ago: a delivery failure of both windows
    let m9 = m(Msg {
        status: "FAILED",
        created: 5000,
        sent: Some(4990),
        failed: Some(2400),
        code: Some("131026"),
        ..Msg::default()
    });
    m(Msg { status: "CANCELLED", created: 100, ..Msg::default() });
    // dead-lettered 29 hours ago: counted now, in no window
    let m11 = m(Msg {
        status: "FAILED",
        created: 108_000,
        failed: Some(104_400),
        dead: true,
        code: Some("HTTP_503"),
        ..Msg::default()
    });

    let a =
        |msg: Uuid, finished: i64, outcome: &str, code: Option<&str>| attempt(app, org, msg, finished, outcome, code);
    // last hour: 3 SENT, 4 failed (one DEAD_LETTER)
    a(m4, 1800, "SENT", None);
    a(m5, 1200, "SENT", None);
    a(m7, 600, "SENT", None);
    a(m8, 1500, "RETRY", Some("HTTP_500"));
    a(m8, 1200, "RETRY", Some("HTTP_500"));
    a(m8, 900, "DEAD_LETTER", Some("HTTP_500"));
    a(retrying, 400, "RETRY", Some("TIMEOUT"));
    // 24 h only: 2 SENT, 4 failed
    a(m6, 10_800, "SENT", None);
    a(m9, 4990, "SENT", None);
    a(retrying, 20_000, "RETRY", Some("HTTP_429"));
    a(retrying, 20_100, "RETRY", Some("HTTP_429"));
    a(m6, 30_000, "FAILED", Some("HTTP_400"));
    a(m6, 25_000, "RETRY", Some("ZZZ"));
    // older than 24 h
    a(m11, 104_400, "DEAD_LETTER", Some("HTTP_503"));
}

/// Lyon: a queue stalled for 5000 s and a dead letter; never visible from Paris.
fn fill_lyon(app: &TestApp) {
    let (org, d) = (app.lyon, sql_dossier(app, app.lyon, Some("+33612345679")));
    msg(app, org, d, Msg { status: "QUEUED", created: 5000, next: Some(5000), ..Msg::default() });
    let dead = msg(
        app,
        org,
        d,
        Msg { status: "FAILED", created: 700, failed: Some(60), dead: true, code: Some("HTTP_502"), ..Msg::default() },
    );
    attempt(app, org, dead, 60, "DEAD_LETTER", Some("HTTP_502"));
}

async fn get(app: &TestApp, path: &str, email: &str, org: Uuid) -> reqwest::Response {
    let token = app.login(email).await;
    app.req(Method::GET, path, &token, org).send().await.unwrap()
}

fn codes(v: &Value) -> Value {
    v["topErrorCodes"].clone()
}

#[actix_web::test]
async fn metrics_match_hand_computed_values() {
    let app = TestApp::spawn().await;
    fill_paris(&app);
    fill_lyon(&app);
    let res = get(&app, "/api/v1/ops/outbound/metrics", "manager@demo.atlas", app.paris).await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();

    assert_eq!(
        v["countsByStatus"],
        json!({"QUEUED": 2, "SENDING": 1, "SENT": 1, "DELIVERED": 1, "READ": 2, "FAILED": 3, "CANCELLED": 1})
    );
    assert_eq!(v["queueDepth"], 3);
    let age = v["oldestQueuedAgeSeconds"].as_i64().unwrap();
    assert!((600..=610).contains(&age), "oldest due queued ≈ 600 s, got {age}");
    assert_eq!(v["deadLetters"], 2);
    assert!(v["generatedAt"].is_string());

    let h = &v["lastHour"];
    assert_eq!((h["attempts"].as_i64(), h["failedAttempts"].as_i64()), (Some(7), Some(4)));
    assert_eq!(h["failureRate"], json!(0.5714), "4 / 7");
    assert_eq!(h["deliveryFailures"], 1);
    assert_eq!(h["deadLetters"], 1);
    assert_eq!(
        codes(h),
        json!([{"code": "HTTP_500", "count": 3}, {"code": "131026", "count": 1}, {"code": "TIMEOUT", "count": 1}])
    );
    // queued→sent [10, 20, 30]: p50 20, p95 20 + 0.9 × 10; sent→delivered [2, 4]: 3 and 2 + 0.95 × 2
    assert_eq!(h["queuedToSent"], json!({"count": 3, "p50Seconds": 20.0, "p95Seconds": 29.0}));
    assert_eq!(h["sentToDelivered"], json!({"count": 2, "p50Seconds": 3.0, "p95Seconds": 3.9}));

    let d = &v["last24Hours"];
    assert_eq!((d["attempts"].as_i64(), d["failedAttempts"].as_i64()), (Some(13), Some(8)));
    assert_eq!(d["failureRate"], json!(0.6154), "8 / 13");
    assert_eq!(d["deliveryFailures"], 1);
    assert_eq!(d["deadLetters"], 1);
    // five codes at most: ZZZ ties at 1 and sorts last
    assert_eq!(
        codes(d),
        json!([
            {"code": "HTTP_500", "count": 3},
            {"code": "HTTP_429", "count": 2},
            {"code": "131026", "count": 1},
            {"code": "HTTP_400", "count": 1},
            {"code": "TIMEOUT", "count": 1}
        ])
    );
    // [10, 10, 20, 30, 100]: p95 at 3.8 → 30 + 0.8 × 70; [2, 4, 10]: p95 at 1.9 → 4 + 0.9 × 6
    assert_eq!(d["queuedToSent"], json!({"count": 5, "p50Seconds": 20.0, "p95Seconds": 86.0}));
    assert_eq!(d["sentToDelivered"], json!({"count": 3, "p50Seconds": 4.0, "p95Seconds": 9.4}));
}

#[actix_web::test]
async fn empty_outbox_has_zeros_and_nulls_and_is_up() {
    let app = TestApp::spawn().await;
    fill_lyon(&app);
    let v: Value = get(&app, "/api/v1/ops/outbound/metrics", "admin@demo.atlas", app.paris).await.json().await.unwrap();
    assert_eq!(
        v["countsByStatus"],
        json!({"QUEUED": 0, "SENDING": 0, "SENT": 0, "DELIVERED": 0, "READ": 0, "FAILED": 0, "CANCELLED": 0})
    );
    assert_eq!(v["queueDepth"], 0);
    assert_eq!(v["oldestQueuedAgeSeconds"], Value::Null);
    assert_eq!(v["deadLetters"], 0);
    for w in ["lastHour", "last24Hours"] {
        assert_eq!(
            v[w],
            json!({
                "attempts": 0, "failedAttempts": 0, "failureRate": null, "deliveryFailures": 0, "deadLetters": 0,
                "topErrorCodes": [],
                "queuedToSent": {"count": 0, "p50Seconds": null, "p95Seconds": null},
                "sentToDelivered": {"count": 0, "p50Seconds": null, "p95Seconds": null}
            }),
            "{w}"
        );
    }
    let res = get(&app, "/api/v1/ops/outbound/health", "manager@demo.atlas", app.paris).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "UP", "reasons": []}));
}

fn reason_codes(v: &Value) -> Vec<String> {
    v["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn health_is_degraded_or_down_per_org() {
    let app = TestApp::spawn().await;
    fill_paris(&app);
    fill_lyon(&app);
    // Paris: oldest due 600 s (> 120), 4/7 attempts failed in the last hour, one dead letter
    let res = get(&app, "/api/v1/ops/outbound/health", "manager@demo.atlas", app.paris).await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "DEGRADED");
    assert_eq!(reason_codes(&v), ["QUEUE_SLOW", "HIGH_FAILURE_RATE", "DEAD_LETTERS"]);
    assert!(v["reasons"][0]["message"].is_string());
    // Lyon: a due message waiting for 5000 s (> 900): the workers are not running
    let res = get(&app, "/api/v1/ops/outbound/health", "admin@demo.atlas", app.lyon).await;
    assert_eq!(res.status(), 503);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "DOWN");
    assert_eq!(reason_codes(&v), ["QUEUE_STALLED", "DEAD_LETTERS"]);
}

#[actix_web::test]
async fn a_few_failures_or_a_short_wait_stay_up() {
    let app = TestApp::spawn().await;
    let d = sql_dossier(&app, app.paris, Some("+33612345678"));
    // 4 failed attempts out of 4 (< 5 attempts), a message due for 60 s
    let q = msg(&app, app.paris, d, Msg { status: "QUEUED", created: 60, next: Some(60), ..Msg::default() });
    for s in [100, 200, 300, 400] {
        attempt(&app, app.paris, q, s, "RETRY", Some("HTTP_500"));
    }
    let v: Value =
        get(&app, "/api/v1/ops/outbound/health", "manager@demo.atlas", app.paris).await.json().await.unwrap();
    assert_eq!(v, json!({"status": "UP", "reasons": []}));
    // the fifth makes 5/5 > 20 %
    attempt(&app, app.paris, q, 500, "RETRY", Some("HTTP_500"));
    let v: Value =
        get(&app, "/api/v1/ops/outbound/health", "manager@demo.atlas", app.paris).await.json().await.unwrap();
    assert_eq!(v["status"], "DEGRADED");
    assert_eq!(reason_codes(&v), ["HIGH_FAILURE_RATE"]);
}

#[actix_web::test]
async fn viewers_and_agents_are_forbidden() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/ops/outbound/metrics", "/api/v1/ops/outbound/health"] {
        for email in ["viewer@demo.atlas", "agent@demo.atlas"] {
            common::problem(get(&app, path, email, app.paris).await, 403, "FORBIDDEN").await;
        }
        for email in ["manager@demo.atlas", "admin@demo.atlas"] {
            assert_eq!(get(&app, path, email, app.paris).await.status(), 200, "{email} {path}");
        }
        let res = app.client.get(app.url(path)).send().await.unwrap();
        common::problem(res, 401, "UNAUTHORIZED").await;
        // the manager of Paris is no member of Lyon
        common::problem(get(&app, path, "manager@demo.atlas", app.lyon).await, 403, "FORBIDDEN").await;
    }
}
