//! WhatsApp outbound API (PRODUCT.md §10 "Outbound", §7 consent rule) over real HTTP and
//! PostgreSQL: queueing rules, idempotency, retry/cancel, roles and tenancy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{count_sql, exec_sql, problem, sql_consent, sql_dossier, sql_inbound, sql_template, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

const PHONE: &str = "+33612345678";

async fn spawn() -> TestApp {
    // every test of this binary uses the same short schedule (3 attempts)
    std::env::set_var("ATLAS_OUTBOX_BACKOFF", "1s,1s");
    TestApp::spawn().await
}

async fn post(app: &TestApp, token: &str, org: Uuid, body: Value, key: Option<&str>) -> reqwest::Response {
    let mut r = app.req(Method::POST, "/api/v1/outbound/messages", token, org).json(&body);
    if let Some(k) = key {
        r = r.header("Idempotency-Key", k);
    }
    r.send().await.unwrap()
}

fn outbound_rows(app: &TestApp, dossier: Uuid) -> (i64, i64) {
    (
        count_sql(app, &format!("SELECT count(*) AS n FROM outbound_message WHERE dossier_id = '{dossier}'")),
        count_sql(
            app,
            &format!("SELECT count(*) AS n FROM message WHERE dossier_id = '{dossier}' AND direction = 'OUTBOUND'"),
        ),
    )
}

fn blocked_audits(app: &TestApp, dossier: Uuid) -> i64 {
    count_sql(
        app,
        &format!(
            "SELECT count(*) AS n FROM audit_event WHERE action = 'BLOCKED_BY_POLICY' AND entity_type = 'DOSSIER' \
             AND entity_id = '{dossier}'"
        ),
    )
}

#[actix_web::test]
async fn consent_missing_denied_revoked_or_expired_blocks_and_audits() {
    let app = spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    sql_template(&app, app.paris, "relance", "Bonjour {{1}}", true);
    let body = |d: Uuid| json!({"dossierId": d, "channel": "WHATSAPP", "templateCode": "relance", "templateParams": ["Marie"]});

    let missing = sql_dossier(&app, app.paris, Some(PHONE));
    let denied = sql_dossier(&app, app.paris, Some("+33612345679"));
    sql_consent(&app, app.paris, denied, "DENIED", None);
    let revoked = sql_dossier(&app, app.paris, Some("+33612345670"));
    sql_consent(&app, app.paris, revoked, "GRANTED", None);
    sql_consent(&app, app.paris, revoked, "REVOKED", None);
    let expired = sql_dossier(&app, app.paris, Some("+33612345671"));
    sql_consent(&app, app.paris, expired, "GRANTED", Some(-1));

    for d in [missing, denied, revoked, expired] {
        let res = post(&app, &agent, app.paris, body(d), None).await;
        let p = problem(res, 422, "CONSENT_REQUIRED").await;
        assert!(p["detail"].as_str().unwrap().contains("WHATSAPP"), "{p}");
        assert_eq!(outbound_rows(&app, d), (0, 0), "nothing queued or logged");
        assert_eq!(blocked_audits(&app, d), 1, "the refusal is audited on the dossier");
    }
    let after: Value = {
        let mut conn = app.pool.get().unwrap();
        #[derive(diesel::QueryableByName)]
        struct A {
            #[diesel(sql_type = diesel::sql_types::Jsonb)]
            after: Value,
        }
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "SELECT after FROM audit_event WHERE action = 'BLOCKED_BY_POLICY' AND entity_id = '{revoked}'"
        ))
        .get_result::<A>(&mut conn)
        .unwrap()
        .after
    };
    assert_eq!(after["reason"], "REVOKED");
    assert_eq!(after["templateCode"], "relance");
}

#[actix_web::test]
async fn template_message_is_queued_with_its_log_entry_audit_and_activity() {
    let app = spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let d = sql_dossier(&app, app.paris, Some(PHONE));
    sql_consent(&app, app.paris, d, "GRANTED", Some(24));
    sql_template(&app, app.paris, "visite", "Bonjour {{1}}, visite le {{2}}", true);

    let res = post(
        &app,
        &agent,
        app.paris,
        json!({"dossierId": d, "channel": "WHATSAPP", "templateCode": "visite", "templateParams": ["Marie", "lundi"]}),
        None,
    )
    .await;
    assert_eq!(res.status(), 202);
    assert!(res.headers().get("location").is_some());
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "QUEUED");
    assert_eq!(v["to"], PHONE, "defaults to the lead phone");
    assert_eq!(v["channel"], "WHATSAPP");
    assert_eq!(v["templateCode"], "visite");
    assert_eq!(v["templateParams"], json!(["Marie", "lundi"]));
    assert_eq!(v["attempts"], json!([]));
    assert_eq!(v["attemptCount"], 0);
    assert_eq!(v["maxAttempts"], 3);
    assert_eq!(v["deadLettered"], false);
    assert!(v["nextAttemptAt"].is_string());
    let id = v["id"].as_str().unwrap();

    let content: i64 = count_sql(
        &app,
        &format!(
            "SELECT count(*) AS n FROM message WHERE outbound_message_id = '{id}' AND direction = 'OUTBOUND' \
             AND channel = 'WHATSAPP' AND content = 'Bonjour Marie, visite le lundi'"
        ),
    );
    assert_eq!(content, 1, "the rendered template is logged in the conversation");
    assert_eq!(
        count_sql(&app, &format!("SELECT count(*) AS n FROM audit_event WHERE action = 'SEND' AND entity_id = '{id}'")),
        1
    );
    assert_eq!(
        count_sql(&app, &format!("SELECT count(*) AS n FROM activity WHERE dossier_id = '{d}' AND type = 'MESSAGE'")),
        1
    );

    // GET and list
    let got: Value = app
        .req(Method::GET, &format!("/api/v1/outbound/messages/{id}"), &agent, app.paris)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, v);
    let viewer = app.login("viewer@demo.atlas").await;
    let list: Value = app
        .req(Method::GET, &format!("/api/v1/outbound/messages?dossierId={d}&status=QUEUED"), &viewer, app.paris)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["totalItems"], 1);
    assert_eq!(list["items"][0]["id"], id);
    let none: Value = app
        .req(Method::GET, &format!("/api/v1/outbound/messages?dossierId={d}&status=SENT"), &viewer, app.paris)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none["totalItems"], 0);
    let res =
        app.req(Method::GET, "/api/v1/outbound/messages?status=NOPE&size=0", &viewer, app.paris).send().await.unwrap();
    let p = problem(res, 400, "VALIDATION_ERROR").await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn free_text_needs_an_open_session_window() {
    let app = spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let d = sql_dossier(&app, app.paris, Some(PHONE));
    sql_consent(&app, app.paris, d, "GRANTED", None);
    let text = json!({"dossierId": d, "channel": "WHATSAPP", "text": "Bonjour !"});

    // no inbound message at all
    problem(post(&app, &agent, app.paris, text.clone(), None).await, 422, "SESSION_WINDOW_CLOSED").await;
    // an inbound message 25 h ago
    sql_inbound(&app, app.paris, d, 25 * 60);
    problem(post(&app, &agent, app.paris, text.clone(), None).await, 422, "SESSION_WINDOW_CLOSED").await;
    assert_eq!(outbound_rows(&app, d), (0, 0));
    // an inbound message 2 h ago opens the window
    sql_inbound(&app, app.paris, d, 120);
    let res = post(&app, &agent, app.paris, text, None).await;
    assert_eq!(res.status(), 202);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["text"], "Bonjour !");
    assert!(v.get("templateCode").is_none());
}

#[actix_web::test]
async fn template_rules_and_body_validation() {
    let app = spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let d = sql_dossier(&app, app.paris, Some(PHONE));
    sql_consent(&app, app.paris, d, "GRANTED", None);
    sql_template(&app, app.paris, "deux", "{{1}} et {{2}}", true);
    sql_template(&app, app.paris, "off", "Bonjour", false);
    // a template of another org is not visible
    sql_template(&app, app.lyon, "lyon_only", "Bonjour", true);

    let t = |code: &str, params: Value| json!({"dossierId": d, "channel": "WHATSAPP", "templateCode": code, "templateParams": params});
    let p = problem(post(&app, &agent, app.paris, t("deux", json!(["a"])), None).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(p["errors"][0]["field"], "templateParams");
    problem(post(&app, &agent, app.paris, t("inconnu", json!([])), None).await, 422, "TEMPLATE_NOT_FOUND").await;
    problem(post(&app, &agent, app.paris, t("off", json!([])), None).await, 422, "TEMPLATE_NOT_FOUND").await;
    problem(post(&app, &agent, app.paris, t("lyon_only", json!([])), None).await, 422, "TEMPLATE_NOT_FOUND").await;

    // exactly one of templateCode / text
    let both = json!({"dossierId": d, "channel": "WHATSAPP", "templateCode": "deux", "text": "x"});
    problem(post(&app, &agent, app.paris, both, None).await, 400, "VALIDATION_ERROR").await;
    let neither = json!({"dossierId": d, "channel": "WHATSAPP"});
    let p = problem(post(&app, &agent, app.paris, neither, None).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(p["errors"][0]["field"], "templateCode");
    let sms = json!({"dossierId": d, "channel": "SMS", "text": "x"});
    let p = problem(post(&app, &agent, app.paris, sms, None).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(p["errors"][0]["field"], "channel");
    let unknown = json!({"dossierId": d, "channel": "WHATSAPP", "text": "x", "priority": 1});
    problem(post(&app, &agent, app.paris, unknown, None).await, 400, "VALIDATION_ERROR").await;
    // a bad `to`, and a dossier without a lead phone and no `to`
    let bad_to = json!({"dossierId": d, "channel": "WHATSAPP", "to": "12", "templateCode": "deux", "templateParams": ["a", "b"]});
    let p = problem(post(&app, &agent, app.paris, bad_to, None).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(p["errors"][0]["field"], "to");
    let no_phone = sql_dossier(&app, app.paris, None);
    sql_consent(&app, app.paris, no_phone, "GRANTED", None);
    let body =
        json!({"dossierId": no_phone, "channel": "WHATSAPP", "templateCode": "deux", "templateParams": ["a", "b"]});
    let p = problem(post(&app, &agent, app.paris, body, None).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(p["errors"][0]["field"], "to");
    // an explicit national number is normalised with the org's country
    let body = json!({"dossierId": no_phone, "channel": "WHATSAPP", "to": "06 12 34 56 78", "templateCode": "deux", "templateParams": ["a", "b"]});
    let res = post(&app, &agent, app.paris, body, None).await;
    assert_eq!(res.status(), 202);
    assert_eq!(res.json::<Value>().await.unwrap()["to"], PHONE);
    // unknown dossier, or one of another org → 404
    let other = sql_dossier(&app, app.lyon, Some(PHONE));
    for dossier in [Uuid::now_v7(), other] {
        let body =
            json!({"dossierId": dossier, "channel": "WHATSAPP", "templateCode": "deux", "templateParams": ["a", "b"]});
        problem(post(&app, &agent, app.paris, body, None).await, 404, "NOT_FOUND").await;
    }
}

#[actix_web::test]
async fn idempotency_key_replays_or_conflicts() {
    let app = spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let d = sql_dossier(&app, app.paris, Some(PHONE));
    sql_consent(&app, app.paris, d, "GRANTED", None);
    sql_template(&app, app.paris, "t1", "Bonjour {{1}}", true);
    let body = json!({"dossierId": d, "channel": "WHATSAPP", "templateCode": "t1", "templateParams": ["Marie"]});

    let first = post(&app, &agent, app.paris, body.clone(), Some("key-1")).await;
    assert_eq!(first.status(), 202);
    let first: Value = first.json().await.unwrap();
    let again = post(&app, &agent, app.paris, body.clone(), Some("key-1")).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(outbound_rows(&app, d), (1, 1), "never a second message");

    let other = json!({"dossierId": d, "channel": "WHATSAPP", "templateCode": "t1", "templateParams": ["Paul"]});
    problem(post(&app, &agent, app.paris, other, Some("key-1")).await, 409, "CONFLICT").await;
    // the same key in another org is another message
    let ld = sql_dossier(&app, app.lyon, Some(PHONE));
    sql_consent(&app, app.lyon, ld, "GRANTED", None);
    sql_template(&app, app.lyon, "t1", "Bonjour {{1}}", true);
    let admin = app.login("admin@demo.atlas").await;
    let lyon_body = json!({"dossierId": ld, "channel": "WHATSAPP", "templateCode": "t1", "templateParams": ["Marie"]});
    assert_eq!(post(&app, &admin, app.lyon, lyon_body, Some("key-1")).await.status(), 202);

    // concurrent requests with one key: one message, the others replay it
    let body2 = json!({"dossierId": d, "channel": "WHATSAPP", "templateCode": "t1", "templateParams": ["Zoé"]});
    let futures: Vec<_> = (0..6).map(|_| post(&app, &agent, app.paris, body2.clone(), Some("race"))).collect();
    let results = futures_util::future::join_all(futures).await;
    let mut ids = std::collections::HashSet::new();
    let mut statuses = Vec::new();
    for r in results {
        statuses.push(r.status().as_u16());
        ids.insert(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 1, "{statuses:?}");
    assert_eq!(outbound_rows(&app, d), (2, 2));
}

#[actix_web::test]
async fn retry_and_cancel_follow_status_and_role_rules() {
    let app = spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let manager = app.login("manager@demo.atlas").await;
    let viewer = app.login("viewer@demo.atlas").await;
    let d = sql_dossier(&app, app.paris, Some(PHONE));
    sql_consent(&app, app.paris, d, "GRANTED", None);
    sql_template(&app, app.paris, "t1", "Bonjour", true);
    let body = json!({"dossierId": d, "channel": "WHATSAPP", "templateCode": "t1"});
    let v: Value = post(&app, &agent, app.paris, body.clone(), None).await.json().await.unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let path = |action: &str| format!("/api/v1/outbound/messages/{id}/{action}");

    // a viewer can neither queue nor cancel
    problem(post(&app, &viewer, app.paris, body.clone(), None).await, 403, "FORBIDDEN").await;
    problem(app.req(Method::POST, &path("cancel"), &viewer, app.paris).send().await.unwrap(), 403, "FORBIDDEN").await;
    // retry is MANAGER+ and FAILED only
    problem(app.req(Method::POST, &path("retry"), &agent, app.paris).send().await.unwrap(), 403, "FORBIDDEN").await;
    problem(app.req(Method::POST, &path("retry"), &manager, app.paris).send().await.unwrap(), 409, "CONFLICT").await;
    // cancel a queued message (AGENT), then neither cancel nor retry again
    let res = app.req(Method::POST, &path("cancel"), &agent, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["status"], "CANCELLED");
    problem(app.req(Method::POST, &path("cancel"), &agent, app.paris).send().await.unwrap(), 409, "CONFLICT").await;
    problem(app.req(Method::POST, &path("retry"), &manager, app.paris).send().await.unwrap(), 409, "CONFLICT").await;
    assert_eq!(
        count_sql(
            &app,
            &format!("SELECT count(*) AS n FROM audit_event WHERE action = 'STATUS_CHANGE' AND entity_id = '{id}'")
        ),
        1
    );

    // a FAILED (dead-lettered) message is re-queued with a fresh budget
    let v: Value = post(&app, &agent, app.paris, body, None).await.json().await.unwrap();
    let failed = v["id"].as_str().unwrap().to_string();
    exec_sql(
        &app,
        &format!(
            "UPDATE outbound_message SET status = 'FAILED', attempt_count = 3, dead_lettered = true, failed_at = now(), \
             last_error_code = 'HTTP_500' WHERE id = '{failed}'"
        ),
    );
    problem(
        app.req(Method::POST, &format!("/api/v1/outbound/messages/{failed}/cancel"), &agent, app.paris)
            .send()
            .await
            .unwrap(),
        409,
        "CONFLICT",
    )
    .await;
    let res = app
        .req(Method::POST, &format!("/api/v1/outbound/messages/{failed}/retry"), &manager, app.paris)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["status"], "QUEUED");
    assert_eq!(r["deadLettered"], false);
    assert_eq!(r["attemptCount"], 3);
    assert_eq!(r["maxAttempts"], 6, "three more attempts");
    assert_eq!(
        count_sql(
            &app,
            &format!("SELECT count(*) AS n FROM activity WHERE dossier_id = '{d}' AND type = 'OUTBOUND_STATUS'")
        ),
        2
    );
}

#[actix_web::test]
async fn other_orgs_messages_are_not_found() {
    let app = spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let d = sql_dossier(&app, app.lyon, Some(PHONE));
    sql_consent(&app, app.lyon, d, "GRANTED", None);
    sql_template(&app, app.lyon, "t1", "Bonjour", true);
    let v: Value =
        post(&app, &admin, app.lyon, json!({"dossierId": d, "channel": "WHATSAPP", "templateCode": "t1"}), None)
            .await
            .json()
            .await
            .unwrap();
    let id = v["id"].as_str().unwrap();
    for (m, p) in [
        (Method::GET, format!("/api/v1/outbound/messages/{id}")),
        (Method::POST, format!("/api/v1/outbound/messages/{id}/cancel")),
        (Method::POST, format!("/api/v1/outbound/messages/{id}/retry")),
        (Method::GET, "/api/v1/outbound/messages/not-a-uuid".to_string()),
    ] {
        problem(app.req(m, &p, &admin, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;
    }
    let list: Value = app
        .req(Method::GET, "/api/v1/outbound/messages", &admin, app.paris)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["totalItems"], 0);
    // and without a token
    let res = app.client.get(app.url("/api/v1/outbound/messages")).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
}
