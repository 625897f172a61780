//! Messages (PRODUCT.md §5) and the consent rule on logged outbound messages (§7), over real HTTP
//! and a real PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{activities_of, audit_of, count_where, insert_dossier, problem, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

const MESSAGES: &str = "/api/v1/messages";
const CONSENTS: &str = "/api/v1/consentements";
const COUNT_MESSAGES: &str = "SELECT count(*) AS n FROM message WHERE dossier_id = $1";

fn msg(dossier: Uuid, channel: &str, direction: &str) -> Value {
    json!({"dossierId": dossier, "channel": channel, "direction": direction, "content": "Bonjour, le bien est-il disponible ?"})
}

async fn post(app: &TestApp, token: &str, org: Uuid, b: &Value) -> reqwest::Response {
    app.req(Method::POST, MESSAGES, token, org).json(b).send().await.unwrap()
}

async fn created(app: &TestApp, token: &str, org: Uuid, b: &Value) -> Value {
    let res = post(app, token, org, b).await;
    assert_eq!(res.status(), 201, "{b}");
    res.json().await.unwrap()
}

async fn consent(app: &TestApp, token: &str, dossier: Uuid, extra: Value) -> Value {
    let mut b = json!({"dossierId": dossier, "channel": "WHATSAPP", "purpose": "CONTACT", "status": "GRANTED",
                       "source": "UI", "proof": "Accord oral au téléphone le 23/11"});
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    let res = app.req(Method::POST, CONSENTS, token, app.paris).json(&b).send().await.unwrap();
    assert_eq!(res.status(), 201, "{b}");
    res.json().await.unwrap()
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.req(Method::GET, path, token, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn log_list_get_delete_with_activity_and_audit() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let manager = app.login("manager@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Léa", "+33611111111");

    let before = Utc::now();
    let res = post(&app, &agent, app.paris, &msg(dossier, "WHATSAPP", "INBOUND")).await;
    assert_eq!(res.status(), 201);
    let location = res.headers().get("location").unwrap().to_str().unwrap().to_string();
    let inbound: Value = res.json().await.unwrap();
    assert_eq!(location, format!("{MESSAGES}/{}", inbound["id"].as_str().unwrap()));
    let occurred: DateTime<Utc> = inbound["occurredAt"].as_str().unwrap().parse().unwrap();
    assert!(occurred >= before - Duration::seconds(1) && occurred <= Utc::now(), "occurredAt defaults to now");
    assert_eq!(inbound["direction"], "INBOUND");
    assert_eq!(inbound["externalId"], Value::Null);
    let me: Value = app.req(Method::GET, "/api/v1/me", &agent, app.paris).send().await.unwrap().json().await.unwrap();
    assert_eq!(inbound["createdByUserId"], me["user"]["id"]);

    // an older phone call (no consent needed) and an e-mail with an external id
    let mut call = msg(dossier, "PHONE", "OUTBOUND");
    call["occurredAt"] = json!("2026-01-02T09:30:00+01:00");
    let call = created(&app, &agent, app.paris, &call).await;
    assert_eq!(call["occurredAt"], "2026-01-02T08:30:00Z");
    let mut mail = msg(dossier, "EMAIL", "INBOUND");
    mail["occurredAt"] = json!("2026-03-01T10:00:00Z");
    mail["externalId"] = json!("<abc@mail.example>");
    let mail = created(&app, &agent, app.paris, &mail).await;
    // the same external id on the same channel is a conflict
    problem(
        post(
            &app,
            &agent,
            app.paris,
            &json!({"dossierId": dossier, "channel": "EMAIL", "direction": "INBOUND",
        "content": "x", "externalId": "<abc@mail.example>"}),
        )
        .await,
        409,
        "CONFLICT",
    )
    .await;

    // newest first by occurredAt; filters
    let all = get_json(&app, &agent, &format!("{MESSAGES}?dossierId={dossier}")).await;
    assert_eq!(all["totalItems"], 3);
    let expected: Vec<String> =
        [&inbound, &mail, &call].iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids(&all), expected);
    let inbound_only = get_json(&app, &agent, &format!("{MESSAGES}?dossierId={dossier}&direction=INBOUND")).await;
    assert_eq!(inbound_only["totalItems"], 2);
    let emails = get_json(&app, &agent, &format!("{MESSAGES}?channel=EMAIL")).await;
    assert_eq!(ids(&emails), [mail["id"].as_str().unwrap()]);
    let asc = get_json(&app, &agent, &format!("{MESSAGES}?dossierId={dossier}&sort=occurredAt,asc&size=1")).await;
    assert_eq!(ids(&asc), [call["id"].as_str().unwrap()]);
    assert_eq!(asc["totalPages"], 3);

    let got = get_json(&app, &agent, &location).await;
    assert_eq!(got, inbound);

    // one MESSAGE activity per message, pointing at it, without its text
    let acts: Vec<Value> = activities_of(&app, dossier).into_iter().filter(|a| a["type"] == "MESSAGE").collect();
    assert_eq!(acts.len(), 3);
    assert_eq!(acts[0]["metadata"]["messageId"], inbound["id"]);
    assert!(!acts[0]["content"].as_str().unwrap().contains("Bonjour"));
    let audit = audit_of(&app, Uuid::parse_str(inbound["id"].as_str().unwrap()).unwrap());
    assert_eq!(audit.len(), 1);
    assert_eq!((audit[0]["action"].as_str(), audit[0]["entityType"].as_str()), (Some("CREATE"), Some("MESSAGE")));

    // DELETE: MANAGER+
    let res = app.req(Method::DELETE, &location, &agent, app.paris).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    let res = app.req(Method::DELETE, &location, &manager, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let res = app.req(Method::GET, &location, &agent, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.req(Method::DELETE, &location, &manager, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let audit = audit_of(&app, Uuid::parse_str(inbound["id"].as_str().unwrap()).unwrap());
    assert_eq!(audit[1]["action"], "DELETE");
    assert_eq!(count_where(&app, COUNT_MESSAGES, dossier), 2);
}

#[actix_web::test]
async fn validation_roles_and_references() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let viewer = app.login("viewer@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Léa", "+33611111111");

    for (b, field) in [
        (json!({"dossierId": dossier, "channel": "WHATSAPP", "direction": "INBOUND", "content": "   "}), "content"),
        (
            json!({"dossierId": dossier, "channel": "WHATSAPP", "direction": "INBOUND", "content": "x".repeat(10_001)}),
            "content",
        ),
        (json!({"dossierId": dossier, "channel": "FAX", "direction": "INBOUND", "content": "x"}), "channel"),
        (json!({"dossierId": dossier, "channel": "SMS", "direction": "SIDEWAYS", "content": "x"}), "direction"),
        (json!({"dossierId": dossier, "channel": "SMS", "direction": "INBOUND"}), "content"),
        (
            json!({"dossierId": dossier, "channel": "SMS", "direction": "INBOUND", "content": "x", "status": "SENT"}),
            "status",
        ),
        (
            json!({"dossierId": dossier, "channel": "SMS", "direction": "INBOUND", "content": "x", "occurredAt": "hier"}),
            "occurredAt",
        ),
        (
            json!({"dossierId": dossier, "channel": "SMS", "direction": "INBOUND", "content": "x", "occurredAt": "2099-01-01T00:00:00Z"}),
            "occurredAt",
        ),
    ] {
        let p = problem(post(&app, &agent, app.paris, &b).await, 400, "VALIDATION_ERROR").await;
        assert_eq!(p["errors"][0]["field"], field, "{b}");
    }
    // 10 000 characters is fine
    let mut long = msg(dossier, "SMS", "INBOUND");
    long["content"] = json!("é".repeat(10_000));
    created(&app, &agent, app.paris, &long).await;

    let p =
        problem(post(&app, &agent, app.paris, &msg(Uuid::now_v7(), "SMS", "INBOUND")).await, 404, "NOT_FOUND").await;
    assert!(p["detail"].as_str().unwrap().contains("dossierId"));

    // VIEWER reads, never writes (403 before the body is looked at)
    problem(post(&app, &viewer, app.paris, &msg(dossier, "SMS", "INBOUND")).await, 403, "FORBIDDEN").await;
    problem(post(&app, &viewer, app.paris, &json!("garbage")).await, 403, "FORBIDDEN").await;
    let page = get_json(&app, &viewer, MESSAGES).await;
    assert_eq!(page["totalItems"], 1);

    for q in ["channel=FAX", "direction=UP", "dossierId=1", "size=0", "sort=content,asc"] {
        let res = app.req(Method::GET, &format!("{MESSAGES}?{q}"), &agent, app.paris).send().await.unwrap();
        problem(res, 400, "VALIDATION_ERROR").await;
    }
    for path in [format!("{MESSAGES}/nope"), format!("{MESSAGES}/{}", Uuid::now_v7())] {
        let res = app.req(Method::GET, &path, &agent, app.paris).send().await.unwrap();
        problem(res, 404, "NOT_FOUND").await;
    }
    // no PUT on messages
    let res = app.req(Method::PUT, &format!("{MESSAGES}/{}", Uuid::now_v7()), &agent, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 405);
}

#[actix_web::test]
async fn tenant_isolation() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let agent = app.login("agent@demo.atlas").await;
    let manager = app.login("manager@demo.atlas").await;
    let lyon = insert_dossier(&app, app.lyon, "Lyonnais", "+33644444444");
    let paris = insert_dossier(&app, app.paris, "Parisien", "+33655555555");
    let res =
        app.req(Method::POST, MESSAGES, &admin, app.lyon).json(&msg(lyon, "SMS", "INBOUND")).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let lyon_msg: Value = res.json().await.unwrap();
    let paris_msg = created(&app, &agent, app.paris, &msg(paris, "SMS", "INBOUND")).await;
    let url = format!("{MESSAGES}/{}", lyon_msg["id"].as_str().unwrap());

    problem(app.req(Method::GET, &url, &agent, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;
    problem(app.req(Method::DELETE, &url, &manager, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;
    problem(app.req(Method::GET, &url, &admin, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;
    problem(post(&app, &agent, app.paris, &msg(lyon, "SMS", "INBOUND")).await, 404, "NOT_FOUND").await;

    let page = get_json(&app, &agent, MESSAGES).await;
    assert_eq!(ids(&page), [paris_msg["id"].as_str().unwrap()]);
    let page = get_json(&app, &agent, &format!("{MESSAGES}?dossierId={lyon}")).await;
    assert_eq!(page["totalItems"], 0);
    assert_eq!(count_where(&app, COUNT_MESSAGES, lyon), 1);
}

/// The §7 matrix for logged OUTBOUND messages.
#[actix_web::test]
async fn outbound_needs_a_valid_contact_consent() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;

    // none → 422 on every written channel; nothing stored
    let none = insert_dossier(&app, app.paris, "Aucun", "+33610000001");
    for channel in ["WHATSAPP", "SMS", "EMAIL"] {
        let p = problem(post(&app, &agent, app.paris, &msg(none, channel, "OUTBOUND")).await, 422, "CONSENT_REQUIRED")
            .await;
        assert!(p["detail"].as_str().unwrap().contains(channel), "{p}");
    }
    // INBOUND, PHONE and IN_PERSON need none
    for (channel, direction) in [
        ("WHATSAPP", "INBOUND"),
        ("SMS", "INBOUND"),
        ("EMAIL", "INBOUND"),
        ("PHONE", "OUTBOUND"),
        ("IN_PERSON", "OUTBOUND"),
    ] {
        created(&app, &agent, app.paris, &msg(none, channel, direction)).await;
    }
    assert_eq!(count_where(&app, "SELECT count(*) AS n FROM message WHERE dossier_id = $1 AND direction = 'OUTBOUND' AND channel IN ('WHATSAPP','SMS','EMAIL')", none), 0);

    // GRANTED → 201, for that channel only
    let granted = insert_dossier(&app, app.paris, "Accord", "+33610000002");
    consent(&app, &agent, granted, json!({})).await;
    created(&app, &agent, app.paris, &msg(granted, "WHATSAPP", "OUTBOUND")).await;
    problem(post(&app, &agent, app.paris, &msg(granted, "SMS", "OUTBOUND")).await, 422, "CONSENT_REQUIRED").await;

    // DENIED → 422
    let denied = insert_dossier(&app, app.paris, "Refus", "+33610000003");
    consent(&app, &agent, denied, json!({"status": "DENIED", "proof": null})).await;
    problem(post(&app, &agent, app.paris, &msg(denied, "WHATSAPP", "OUTBOUND")).await, 422, "CONSENT_REQUIRED").await;

    // REVOKED after GRANTED → 422 (by POST and by PUT of the next state)
    let revoked = insert_dossier(&app, app.paris, "Retrait", "+33610000004");
    let c = consent(&app, &agent, revoked, json!({"channel": "SMS"})).await;
    created(&app, &agent, app.paris, &msg(revoked, "SMS", "OUTBOUND")).await;
    let res = app
        .req(Method::PUT, &format!("{CONSENTS}/{}", c["id"].as_str().unwrap()), &agent, app.paris)
        .json(&json!({"status": "REVOKED", "source": "UI"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let p =
        problem(post(&app, &agent, app.paris, &msg(revoked, "SMS", "OUTBOUND")).await, 422, "CONSENT_REQUIRED").await;
    assert!(p["detail"].as_str().unwrap().contains("REVOKED"));
    // granted again → allowed again
    consent(&app, &agent, revoked, json!({"channel": "SMS"})).await;
    created(&app, &agent, app.paris, &msg(revoked, "SMS", "OUTBOUND")).await;

    // GRANTED but expired → 422; GRANTED with a future expiry → 201
    let expired = insert_dossier(&app, app.paris, "Expiré", "+33610000005");
    let now = Utc::now();
    consent(
        &app,
        &agent,
        expired,
        json!({"channel": "EMAIL", "capturedAt": now - Duration::days(30),
        "expiresAt": now - Duration::days(1)}),
    )
    .await;
    let p =
        problem(post(&app, &agent, app.paris, &msg(expired, "EMAIL", "OUTBOUND")).await, 422, "CONSENT_REQUIRED").await;
    assert!(p["detail"].as_str().unwrap().contains("expired"));
    consent(&app, &agent, expired, json!({"channel": "EMAIL", "expiresAt": now + Duration::days(365)})).await;
    created(&app, &agent, app.paris, &msg(expired, "EMAIL", "OUTBOUND")).await;

    // MARKETING does not count for CONTACT
    let marketing = insert_dossier(&app, app.paris, "Marketing", "+33610000006");
    consent(&app, &agent, marketing, json!({"purpose": "MARKETING"})).await;
    problem(post(&app, &agent, app.paris, &msg(marketing, "WHATSAPP", "OUTBOUND")).await, 422, "CONSENT_REQUIRED")
        .await;
    // a PHONE consent does not count for WHATSAPP either
    consent(&app, &agent, marketing, json!({"channel": "PHONE"})).await;
    problem(post(&app, &agent, app.paris, &msg(marketing, "WHATSAPP", "OUTBOUND")).await, 422, "CONSENT_REQUIRED")
        .await;
}

#[actix_web::test]
async fn a_refusal_is_audited_as_blocked_by_policy_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Léa", "+33611111111");
    let activities_before = activities_of(&app, dossier).len();

    let mut b = msg(dossier, "WHATSAPP", "OUTBOUND");
    b["content"] = json!("Offre spéciale !");
    let res = post(&app, &agent, app.paris, &b).await;
    let rid = res.headers().get("x-request-id").unwrap().to_str().unwrap().to_string();
    problem(res, 422, "CONSENT_REQUIRED").await;

    assert_eq!(count_where(&app, COUNT_MESSAGES, dossier), 0);
    assert_eq!(activities_of(&app, dossier).len(), activities_before);
    let audit = audit_of(&app, dossier);
    assert_eq!(audit.len(), 1, "{audit:?}");
    let e = &audit[0];
    assert_eq!(e["action"], "BLOCKED_BY_POLICY");
    assert_eq!(e["entityType"], "DOSSIER");
    assert_eq!(e["after"]["dossierId"], dossier.to_string());
    assert_eq!(e["after"]["channel"], "WHATSAPP");
    assert_eq!(e["after"]["direction"], "OUTBOUND");
    assert_eq!(e["after"]["content"], "Offre spéciale !");
    assert_eq!(e["after"]["reason"], "MISSING");
    assert_eq!(e["correlationId"], rid.as_str());
    let me: Value = app.req(Method::GET, "/api/v1/me", &agent, app.paris).send().await.unwrap().json().await.unwrap();
    assert_eq!(e["actorUserId"], me["user"]["id"]);

    // a refused request with an invalid body or an unknown dossier is not a policy refusal
    let mut bad = b.clone();
    bad["content"] = json!("");
    problem(post(&app, &agent, app.paris, &bad).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(audit_of(&app, dossier).len(), 1);
}
