//! Consentements (PRODUCT.md §7): append-only records, "latest wins", over real HTTP and a real
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{activities_of, audit_of, count_where, insert_dossier, problem, TestApp};
use diesel::{sql_query, RunQueryDsl};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

const CONSENTS: &str = "/api/v1/consentements";
const COUNT: &str = "SELECT count(*) AS n FROM consent WHERE dossier_id = $1";

fn granted(dossier: Uuid) -> Value {
    json!({"dossierId": dossier, "channel": "WHATSAPP", "purpose": "CONTACT", "status": "GRANTED", "source": "WEB_FORM",
           "proof": "Case cochée sur le formulaire de contact du site"})
}

async fn post(app: &TestApp, token: &str, org: Uuid, b: &Value) -> reqwest::Response {
    app.req(Method::POST, CONSENTS, token, org).json(b).send().await.unwrap()
}

async fn created(app: &TestApp, token: &str, org: Uuid, b: &Value) -> Value {
    let res = post(app, token, org, b).await;
    assert_eq!(res.status(), 201, "{b}");
    res.json().await.unwrap()
}

async fn put(app: &TestApp, token: &str, id: &Value, b: &Value) -> reqwest::Response {
    let url = format!("{CONSENTS}/{}", id.as_str().unwrap());
    app.req(Method::PUT, &url, token, app.paris).json(b).send().await.unwrap()
}

async fn overview(app: &TestApp, token: &str, org: Uuid, dossier: Uuid) -> Value {
    let res = app.req(Method::GET, &format!("{CONSENTS}?dossierId={dossier}"), token, org).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn field_list(p: &Value) -> Vec<String> {
    p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn record_next_state_and_overview() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Léa", "+33611111111");
    let me: Value = app.req(Method::GET, "/api/v1/me", &agent, app.paris).send().await.unwrap().json().await.unwrap();

    let before = Utc::now();
    let res = post(&app, &agent, app.paris, &granted(dossier)).await;
    assert_eq!(res.status(), 201);
    let location = res.headers().get("location").unwrap().to_str().unwrap().to_string();
    let first: Value = res.json().await.unwrap();
    assert_eq!(location, format!("{CONSENTS}/{}", first["id"].as_str().unwrap()));
    assert_eq!(first["status"], "GRANTED");
    assert_eq!(first["source"], "WEB_FORM");
    assert_eq!(first["capturedByUserId"], me["user"]["id"]);
    assert_eq!(first["expiresAt"], Value::Null);
    let captured: DateTime<Utc> = first["capturedAt"].as_str().unwrap().parse().unwrap();
    assert!(captured >= before - Duration::seconds(1) && captured <= Utc::now(), "capturedAt defaults to now");

    let res = app.req(Method::GET, &location, &agent, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), first);

    // PUT records the next state under a new id; the first record is untouched
    let res = put(&app, &agent, &first["id"], &json!({"status": "REVOKED", "source": "UI"})).await;
    assert_eq!(res.status(), 201);
    let second: Value = res.json().await.unwrap();
    assert_ne!(second["id"], first["id"]);
    assert_eq!((second["channel"].as_str(), second["purpose"].as_str()), (Some("WHATSAPP"), Some("CONTACT")));
    assert_eq!(second["dossierId"], dossier.to_string());
    assert_eq!(second["status"], "REVOKED");
    assert_eq!(second["proof"], Value::Null);
    let again: Value = app.req(Method::GET, &location, &agent, app.paris).send().await.unwrap().json().await.unwrap();
    assert_eq!(again, first);

    // the full representation may be sent back on PUT when it names the same chain
    let mut full = granted(dossier);
    full["proof"] = json!("Nouvel accord donné par e-mail le 24/11");
    let third: Value = put(&app, &agent, &second["id"], &full).await.json().await.unwrap();
    assert_eq!(third["status"], "GRANTED");

    let mut marketing = granted(dossier);
    marketing["channel"] = json!("EMAIL");
    marketing["purpose"] = json!("MARKETING");
    marketing["status"] = json!("DENIED");
    let fourth = created(&app, &agent, app.paris, &marketing).await;

    let o = overview(&app, &agent, app.paris, dossier).await;
    let current: Vec<&Value> = o["current"].as_array().unwrap().iter().collect();
    assert_eq!(current.len(), 2);
    let wa = current.iter().find(|c| c["channel"] == "WHATSAPP").unwrap();
    assert_eq!(wa["id"], third["id"]);
    let em = current.iter().find(|c| c["channel"] == "EMAIL").unwrap();
    assert_eq!(em["id"], fourth["id"]);
    let history: Vec<&Value> = o["history"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
    assert_eq!(history, [&fourth["id"], &third["id"], &second["id"], &first["id"]]);

    // one CONSENT activity and one CREATE audit event per record
    let acts: Vec<Value> = activities_of(&app, dossier).into_iter().filter(|a| a["type"] == "CONSENT").collect();
    assert_eq!(acts.len(), 4);
    assert_eq!(acts[1]["metadata"]["status"], "REVOKED");
    for c in [&first, &second, &third, &fourth] {
        let audit = audit_of(&app, Uuid::parse_str(c["id"].as_str().unwrap()).unwrap());
        assert_eq!(audit.len(), 1);
        assert_eq!((audit[0]["action"].as_str(), audit[0]["entityType"].as_str()), (Some("CREATE"), Some("CONSENT")));
        assert_eq!(audit[0]["after"]["status"], c["status"]);
    }
    assert_eq!(
        audit_of(&app, Uuid::parse_str(second["id"].as_str().unwrap()).unwrap())[0]["after"]["previousId"],
        first["id"]
    );
    assert_eq!(count_where(&app, COUNT, dossier), 4);
}

#[actix_web::test]
async fn latest_is_by_captured_at_then_creation_order() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Léa", "+33611111111");
    let now = Utc::now();
    let recent = created(&app, &agent, app.paris, &granted(dossier)).await;
    // entered later but captured earlier (a back-dated paper form): history, not current
    let mut old = granted(dossier);
    old["status"] = json!("DENIED");
    old["capturedAt"] = json!(now - Duration::days(10));
    let old = created(&app, &agent, app.paris, &old).await;
    let o = overview(&app, &agent, app.paris, dossier).await;
    assert_eq!(o["current"].as_array().unwrap().len(), 1);
    assert_eq!(o["current"][0]["id"], recent["id"]);
    assert_eq!(o["history"][1]["id"], old["id"]);

    // equal capturedAt: the one created last wins
    let t = now - Duration::hours(1);
    let mut sms = granted(dossier);
    sms["channel"] = json!("SMS");
    sms["capturedAt"] = json!(t);
    created(&app, &agent, app.paris, &sms).await;
    sms["status"] = json!("REVOKED");
    let revoked = created(&app, &agent, app.paris, &sms).await;
    let o = overview(&app, &agent, app.paris, dossier).await;
    let cur_sms = o["current"].as_array().unwrap().iter().find(|c| c["channel"] == "SMS").unwrap().clone();
    assert_eq!(cur_sms["id"], revoked["id"]);

    // an empty dossier has empty lists
    let empty = insert_dossier(&app, app.paris, "Vide", "+33622222222");
    assert_eq!(overview(&app, &agent, app.paris, empty).await, json!({"current": [], "history": []}));
}

#[actix_web::test]
async fn validation() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Léa", "+33611111111");
    let now = Utc::now();

    let mut b = granted(dossier);
    b["proof"] = json!("   oui    ");
    b["capturedAt"] = json!(now + Duration::days(1));
    b["expiresAt"] = json!(now);
    let p = problem(post(&app, &agent, app.paris, &b).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(field_list(&p), ["proof", "capturedAt", "expiresAt"]);
    let mut b = granted(dossier);
    b.as_object_mut().unwrap().remove("proof");
    let p = problem(post(&app, &agent, app.paris, &b).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(field_list(&p), ["proof"]);
    // DENIED and REVOKED need no proof
    let mut denied = granted(dossier);
    denied["status"] = json!("DENIED");
    denied.as_object_mut().unwrap().remove("proof");
    let denied = created(&app, &agent, app.paris, &denied).await;

    for (b, field) in [
        (
            json!({"dossierId": dossier, "channel": "IN_PERSON", "purpose": "CONTACT", "status": "DENIED", "source": "UI"}),
            "channel",
        ),
        (
            json!({"dossierId": dossier, "channel": "SMS", "purpose": "SPAM", "status": "DENIED", "source": "UI"}),
            "purpose",
        ),
        (
            json!({"dossierId": dossier, "channel": "SMS", "purpose": "CONTACT", "status": "MAYBE", "source": "UI"}),
            "status",
        ),
        (json!({"dossierId": dossier, "channel": "SMS", "purpose": "CONTACT", "status": "DENIED"}), "source"),
        (
            json!({"dossierId": dossier, "channel": "SMS", "purpose": "CONTACT", "status": "DENIED", "source": "UI", "version": 1}),
            "version",
        ),
    ] {
        let p = problem(post(&app, &agent, app.paris, &b).await, 400, "VALIDATION_ERROR").await;
        assert_eq!(p["errors"][0]["field"], field, "{b}");
    }
    let p = problem(post(&app, &agent, app.paris, &granted(Uuid::now_v7())).await, 404, "NOT_FOUND").await;
    assert!(p["detail"].as_str().unwrap().contains("dossierId"));

    // PUT cannot switch the chain
    let res = put(
        &app,
        &agent,
        &denied["id"],
        &json!({"channel": "SMS", "purpose": "MARKETING", "status": "DENIED", "source": "UI"}),
    )
    .await;
    let p = problem(res, 400, "VALIDATION_ERROR").await;
    assert_eq!(field_list(&p), ["channel", "purpose"]);
    let other = insert_dossier(&app, app.paris, "Autre", "+33622222222");
    let res = put(&app, &agent, &denied["id"], &json!({"dossierId": other, "status": "DENIED", "source": "UI"})).await;
    assert_eq!(field_list(&problem(res, 400, "VALIDATION_ERROR").await), ["dossierId"]);
    let res = put(&app, &agent, &denied["id"], &json!({"status": "GRANTED", "source": "UI"})).await;
    assert_eq!(field_list(&problem(res, 400, "VALIDATION_ERROR").await), ["proof"]);
    let res = put(&app, &agent, &json!(Uuid::now_v7().to_string()), &json!({"status": "DENIED", "source": "UI"})).await;
    problem(res, 404, "NOT_FOUND").await;
    let res = put(&app, &agent, &json!("nope"), &json!({"status": "DENIED", "source": "UI"})).await;
    problem(res, 404, "NOT_FOUND").await;
    assert_eq!(count_where(&app, COUNT, dossier), 1);

    // the list needs a dossier
    for q in ["", "?dossierId=", "?dossierId=12"] {
        let res = app.req(Method::GET, &format!("{CONSENTS}{q}"), &agent, app.paris).send().await.unwrap();
        let p = problem(res, 400, "VALIDATION_ERROR").await;
        assert_eq!(field_list(&p), ["dossierId"]);
    }
    let res = app
        .req(Method::GET, &format!("{CONSENTS}?dossierId={}", Uuid::now_v7()), &agent, app.paris)
        .send()
        .await
        .unwrap();
    problem(res, 404, "NOT_FOUND").await;

    // no DELETE: history is kept; the database refuses rewrites too
    let res = app
        .req(Method::DELETE, &format!("{CONSENTS}/{}", denied["id"].as_str().unwrap()), &agent, app.paris)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let mut conn = app.pool.get().unwrap();
    assert!(sql_query("UPDATE consent SET status = 'GRANTED'").execute(&mut *conn).is_err());
}

#[actix_web::test]
async fn roles() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let viewer = app.login("viewer@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Léa", "+33611111111");
    let c = created(&app, &agent, app.paris, &granted(dossier)).await;

    problem(post(&app, &viewer, app.paris, &granted(dossier)).await, 403, "FORBIDDEN").await;
    problem(post(&app, &viewer, app.paris, &json!({})).await, 403, "FORBIDDEN").await;
    problem(put(&app, &viewer, &c["id"], &json!({"status": "REVOKED", "source": "UI"})).await, 403, "FORBIDDEN").await;
    let res = app
        .req(Method::GET, &format!("{CONSENTS}/{}", c["id"].as_str().unwrap()), &viewer, app.paris)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(overview(&app, &viewer, app.paris, dossier).await["history"].as_array().unwrap().len(), 1);
    assert_eq!(count_where(&app, COUNT, dossier), 1);
}

#[actix_web::test]
async fn tenant_isolation() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let agent = app.login("agent@demo.atlas").await;
    let lyon = insert_dossier(&app, app.lyon, "Lyonnais", "+33644444444");
    let lyon_consent = created(&app, &admin, app.lyon, &granted(lyon)).await;
    let url = format!("{CONSENTS}/{}", lyon_consent["id"].as_str().unwrap());

    problem(app.req(Method::GET, &url, &agent, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;
    problem(app.req(Method::GET, &url, &admin, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;
    problem(
        put(&app, &agent, &lyon_consent["id"], &json!({"status": "REVOKED", "source": "UI"})).await,
        404,
        "NOT_FOUND",
    )
    .await;
    problem(post(&app, &agent, app.paris, &granted(lyon)).await, 404, "NOT_FOUND").await;
    let res = app.req(Method::GET, &format!("{CONSENTS}?dossierId={lyon}"), &agent, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    // a Paris consent cannot be moved onto a Lyon dossier either
    let paris = insert_dossier(&app, app.paris, "Parisien", "+33655555555");
    let pc = created(&app, &agent, app.paris, &granted(paris)).await;
    let res = put(&app, &agent, &pc["id"], &json!({"dossierId": lyon, "status": "REVOKED", "source": "UI"})).await;
    problem(res, 404, "NOT_FOUND").await;

    assert_eq!(count_where(&app, COUNT, lyon), 1);
    let o = overview(&app, &admin, app.lyon, lyon).await;
    assert_eq!(o["current"][0]["status"], "GRANTED");
}
