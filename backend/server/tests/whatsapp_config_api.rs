//! WhatsApp settings, verify handshake and templates over real HTTP and PostgreSQL
//! (PRODUCT.md §10).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{count, problem, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const PNID: &str = "109876543210";

fn settings(pnid: &str) -> Value {
    json!({
        "phoneNumberId": pnid,
        "accessToken": "EAAG-plain-access-token",
        "appSecret": "plain-app-secret",
        "verifyToken": "plain-verify-token",
    })
}

#[actix_web::test]
async fn settings_are_admin_only_write_only_and_encrypted() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;

    let res = app.req(Method::GET, "/api/v1/settings/whatsapp", &admin, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v, json!({"phoneNumberId": null, "configured": false, "updatedAt": null}));

    for who in ["manager@demo.atlas", "agent@demo.atlas", "viewer@demo.atlas"] {
        let t = app.login(who).await;
        let res = app.req(Method::GET, "/api/v1/settings/whatsapp", &t, app.paris).send().await.unwrap();
        problem(res, 403, "FORBIDDEN").await;
        // role before body: a bad body still gets 403
        let res = app.req(Method::PUT, "/api/v1/settings/whatsapp", &t, app.paris).body("{").send().await.unwrap();
        problem(res, 403, "FORBIDDEN").await;
    }

    let res = app
        .req(Method::PUT, "/api/v1/settings/whatsapp", &admin, app.paris)
        .json(&settings(PNID))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    for secret in ["EAAG-plain-access-token", "plain-app-secret", "plain-verify-token"] {
        assert!(!text.contains(secret), "secret leaked in {text}");
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["phoneNumberId"], PNID);
    assert_eq!(v["configured"], true);
    assert!(v["updatedAt"].is_string());
    assert_eq!(v.as_object().unwrap().len(), 3);

    let res = app.req(Method::GET, "/api/v1/settings/whatsapp", &admin, app.paris).send().await.unwrap();
    let got: Value = res.json().await.unwrap();
    assert_eq!(got, v);

    // stored sealed / hashed, never in clear
    let plain = count(
        &app,
        "SELECT count(*) AS n FROM whatsapp_settings WHERE access_token LIKE '%plain-access%' \
         OR app_secret_sealed LIKE '%plain-app%' OR verify_token_hash = 'plain-verify-token'",
    );
    assert_eq!(plain, 0);
    let sealed = count(
        &app,
        "SELECT count(*) AS n FROM whatsapp_settings WHERE access_token <> '' AND app_secret_sealed IS NOT NULL \
         AND length(verify_token_hash) = 64",
    );
    assert_eq!(sealed, 1);
    // one audit event, without secrets
    assert_eq!(count(&app, "SELECT count(*) AS n FROM audit_event WHERE entity_type = 'WHATSAPP_SETTINGS'"), 1);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM audit_event WHERE after::text LIKE '%plain-%'"), 0);

    // the same number in another org: 409; re-PUT by the owner: fine
    let res =
        app.req(Method::PUT, "/api/v1/settings/whatsapp", &admin, app.lyon).json(&settings(PNID)).send().await.unwrap();
    problem(res, 409, "CONFLICT").await;
    let res = app
        .req(Method::PUT, "/api/v1/settings/whatsapp", &admin, app.paris)
        .json(&settings(PNID))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // validation: every field at once; unknown fields refused
    let res = app
        .req(Method::PUT, "/api/v1/settings/whatsapp", &admin, app.paris)
        .json(&json!({"phoneNumberId": " ", "accessToken": "", "appSecret": " ", "verifyToken": ""}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 400, "VALIDATION_ERROR").await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["phoneNumberId", "accessToken", "appSecret", "verifyToken"]);
    let mut extra = settings(PNID);
    extra["debug"] = json!(true);
    let res = app.req(Method::PUT, "/api/v1/settings/whatsapp", &admin, app.paris).json(&extra).send().await.unwrap();
    problem(res, 400, "VALIDATION_ERROR").await;
}

#[actix_web::test]
async fn verify_handshake_echoes_the_challenge_only_for_a_known_token() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let res = app
        .req(Method::PUT, "/api/v1/settings/whatsapp", &admin, app.paris)
        .json(&settings(PNID))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let get = |q: &str| app.client.get(app.url(&format!("/api/v1/webhooks/whatsapp?{q}"))).send();
    let res = get("hub.mode=subscribe&hub.verify_token=plain-verify-token&hub.challenge=1158201444").await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(res.text().await.unwrap(), "1158201444");

    for q in [
        "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
        "hub.mode=unsubscribe&hub.verify_token=plain-verify-token&hub.challenge=1",
        "hub.mode=subscribe&hub.challenge=1",
        "",
    ] {
        let res = get(q).await.unwrap();
        problem(res, 403, "FORBIDDEN").await;
    }
}

fn template(code: &str) -> Value {
    json!({
        "code": code,
        "language": "fr",
        "category": "UTILITY",
        "body": "Bonjour {{1}}, votre visite est confirmée le {{2}}.",
    })
}

#[actix_web::test]
async fn templates_crud_with_validation_versions_and_audit() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;

    let res = app
        .req(Method::POST, "/api/v1/whatsapp/templates", &admin, app.paris)
        .json(&template("rdv_confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["location"], "/api/v1/whatsapp/templates/rdv_confirm");
    assert_eq!(res.headers()["etag"], "\"1\"");
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["code"], "rdv_confirm");
    assert_eq!(t["paramCount"], 2);
    assert_eq!(t["active"], true);
    assert_eq!(t["version"], 1);
    assert!(t["id"].is_string());

    // duplicate code → 409
    let res = app
        .req(Method::POST, "/api/v1/whatsapp/templates", &admin, app.paris)
        .json(&template("rdv_confirm"))
        .send()
        .await
        .unwrap();
    problem(res, 409, "CONFLICT").await;

    // validation: all at once
    let res = app
        .req(Method::POST, "/api/v1/whatsapp/templates", &admin, app.paris)
        .json(&json!({"code": "Bad-Code", "language": "french", "category": "PROMO", "body": "{{1}} {{3}}"}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 400, "VALIDATION_ERROR").await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["code", "language", "category", "body"]);
    let res = app
        .req(Method::POST, "/api/v1/whatsapp/templates", &admin, app.paris)
        .json(&json!({"language": "fr", "category": "UTILITY", "body": "x"}))
        .send()
        .await
        .unwrap();
    problem(res, 400, "VALIDATION_ERROR").await;

    // list: a page
    let res = app.req(Method::POST, "/api/v1/whatsapp/templates", &admin, app.paris)
        .json(&json!({"code": "promo_1", "language": "fr_FR", "category": "MARKETING", "body": "Nouveautés", "active": false}))
        .send().await.unwrap();
    assert_eq!(res.status(), 201);
    let res = app.req(Method::GET, "/api/v1/whatsapp/templates?sort=code,asc", &admin, app.paris).send().await.unwrap();
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["totalItems"], 2);
    let codes: Vec<&str> = page["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["promo_1", "rdv_confirm"]);
    let res = app.req(Method::GET, "/api/v1/whatsapp/templates?active=true", &admin, app.paris).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["totalItems"], 1);
    let res = app
        .req(Method::GET, "/api/v1/whatsapp/templates?size=0&category=NOPE", &admin, app.paris)
        .send()
        .await
        .unwrap();
    let body = problem(res, 400, "VALIDATION_ERROR").await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);

    // update: full representation, If-Match, code fixed by the path
    let mut upd = template("rdv_confirm");
    upd["body"] = json!("Bonjour {{1}}, RDV le {{2}} à {{3}}.");
    upd["active"] = json!(false);
    let res = app
        .req(Method::PUT, "/api/v1/whatsapp/templates/rdv_confirm", &admin, app.paris)
        .header("If-Match", "\"1\"")
        .json(&upd)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let t2: Value = res.json().await.unwrap();
    assert_eq!(t2["paramCount"], 3);
    assert_eq!(t2["active"], false);
    assert_eq!(t2["id"], t["id"]);
    let res = app
        .req(Method::PUT, "/api/v1/whatsapp/templates/rdv_confirm", &admin, app.paris)
        .header("If-Match", "1")
        .json(&upd)
        .send()
        .await
        .unwrap();
    problem(res, 409, "VERSION_CONFLICT").await;
    let res = app
        .req(Method::PUT, "/api/v1/whatsapp/templates/rdv_confirm", &admin, app.paris)
        .json(&template("other_code"))
        .send()
        .await
        .unwrap();
    problem(res, 400, "VALIDATION_ERROR").await;
    let res = app
        .req(Method::PUT, "/api/v1/whatsapp/templates/missing", &admin, app.paris)
        .json(&template("missing"))
        .send()
        .await
        .unwrap();
    problem(res, 404, "NOT_FOUND").await;

    let res = app.req(Method::GET, "/api/v1/whatsapp/templates/rdv_confirm", &admin, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");

    // delete → 204, then 404
    let res =
        app.req(Method::DELETE, "/api/v1/whatsapp/templates/rdv_confirm", &admin, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let res =
        app.req(Method::DELETE, "/api/v1/whatsapp/templates/rdv_confirm", &admin, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.req(Method::GET, "/api/v1/whatsapp/templates/NOT-A-CODE", &admin, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;

    let audits = count(
        &app,
        "SELECT count(*) AS n FROM audit_event WHERE entity_type = 'WHATSAPP_TEMPLATE' AND actor_user_id IS NOT NULL",
    );
    assert_eq!(audits, 4, "create, create, update, delete");
}

#[actix_web::test]
async fn templates_roles_and_tenant_isolation() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let res = app
        .req(Method::POST, "/api/v1/whatsapp/templates", &admin, app.paris)
        .json(&template("bienvenue"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // AGENT and MANAGER read, cannot write; VIEWER cannot even read
    for who in ["agent@demo.atlas", "manager@demo.atlas"] {
        let t = app.login(who).await;
        let res = app.req(Method::GET, "/api/v1/whatsapp/templates", &t, app.paris).send().await.unwrap();
        assert_eq!(res.status(), 200, "{who}");
        let res = app.req(Method::GET, "/api/v1/whatsapp/templates/bienvenue", &t, app.paris).send().await.unwrap();
        assert_eq!(res.status(), 200, "{who}");
        let res = app
            .req(Method::POST, "/api/v1/whatsapp/templates", &t, app.paris)
            .json(&template("x"))
            .send()
            .await
            .unwrap();
        problem(res, 403, "FORBIDDEN").await;
        let res = app
            .req(Method::PUT, "/api/v1/whatsapp/templates/bienvenue", &t, app.paris)
            .json(&template("bienvenue"))
            .send()
            .await
            .unwrap();
        problem(res, 403, "FORBIDDEN").await;
        let res = app.req(Method::DELETE, "/api/v1/whatsapp/templates/bienvenue", &t, app.paris).send().await.unwrap();
        problem(res, 403, "FORBIDDEN").await;
    }
    let viewer = app.login("viewer@demo.atlas").await;
    let res = app.req(Method::GET, "/api/v1/whatsapp/templates", &viewer, app.paris).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;

    // Lyon sees nothing of Paris, and may use the same code
    let res = app.req(Method::GET, "/api/v1/whatsapp/templates", &admin, app.lyon).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["totalItems"], 0);
    let res = app.req(Method::GET, "/api/v1/whatsapp/templates/bienvenue", &admin, app.lyon).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.req(Method::DELETE, "/api/v1/whatsapp/templates/bienvenue", &admin, app.lyon).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app
        .req(Method::POST, "/api/v1/whatsapp/templates", &admin, app.lyon)
        .json(&template("bienvenue"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // no token → 401
    let res = app.client.get(app.url("/api/v1/whatsapp/templates")).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
}
