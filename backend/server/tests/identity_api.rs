//! Identity, tenancy and error shapes over real HTTP and a real PostgreSQL (issue: foundation).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use atlas_domain::identity::UserId;
use atlas_server::security::jwt::JwtKeys;
use chrono::Utc;
use common::{problem, TestApp, JWT_SECRET, PASSWORD};
use diesel::{sql_query, RunQueryDsl};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

#[actix_web::test]
async fn login_returns_token_user_and_memberships_sorted_by_org_name() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "  ADMIN@demo.atlas ", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["tokenType"], "Bearer");
    assert_eq!(v["expiresIn"], 3600);
    assert_eq!(v["user"]["email"], "admin@demo.atlas");
    let orgs: Vec<&str> = v["memberships"].as_array().unwrap().iter().map(|m| m["orgName"].as_str().unwrap()).collect();
    assert_eq!(orgs, ["Agence Atlas Lyon", "Agence Atlas Paris"]);
    assert!(v["memberships"].as_array().unwrap().iter().all(|m| m["role"] == "ADMIN"));

    // the token works on /me, which needs no org header
    let token = v["accessToken"].as_str().unwrap();
    let me = app.client.get(app.url("/api/v1/me")).bearer_auth(token).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["user"], v["user"]);
    assert_eq!(me["memberships"], v["memberships"]);
}

#[actix_web::test]
async fn wrong_password_and_unknown_email_get_the_same_problem() {
    let app = TestApp::spawn().await;
    for (email, pw) in [("admin@demo.atlas", "wrong-password"), ("nobody@demo.atlas", PASSWORD)] {
        let res = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": pw}))
            .send()
            .await
            .unwrap();
        let body = problem(res, 401, "INVALID_CREDENTIALS").await;
        assert_eq!(body["detail"], "wrong email or password");
    }
}

#[actix_web::test]
async fn deactivated_user_cannot_log_in_and_its_token_stops_working() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let agent = app.login("agent@demo.atlas").await;
    let agent_id = agent_id(&app, &agent).await;
    let res = app
        .req(Method::PATCH, &format!("/api/v1/users/{agent_id}"), &admin, app.paris)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["active"], false);

    let res = app.req(Method::GET, "/api/v1/me", &agent, app.paris).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
    let res = app.req(Method::GET, "/api/v1/users", &agent, app.paris).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "agent@demo.atlas", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    problem(res, 401, "INVALID_CREDENTIALS").await;
}

async fn agent_id(app: &TestApp, token: &str) -> Uuid {
    let me: Value =
        app.client.get(app.url("/api/v1/me")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    Uuid::parse_str(me["user"]["id"].as_str().unwrap()).unwrap()
}

#[actix_web::test]
async fn missing_expired_and_tampered_tokens_are_401() {
    let app = TestApp::spawn().await;
    let token = app.login("manager@demo.atlas").await;
    let user = agent_id(&app, &token).await;

    let res = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;

    let keys = JwtKeys::new(JWT_SECRET.as_bytes(), 3600);
    let expired = keys.issue_at(UserId(user), Utc::now() - chrono::Duration::hours(2), 3600).unwrap();
    let res = app.client.get(app.url("/api/v1/me")).bearer_auth(&expired).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;

    // same claims, signed with another secret
    let forged =
        JwtKeys::new(b"not-the-server-secret-not-the-server", 3600).issue_at(UserId(user), Utc::now(), 3600).unwrap();
    let res = app.client.get(app.url("/api/v1/me")).bearer_auth(&forged).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;

    // payload edited, signature kept
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = format!("{}.{}x.{}", parts[0], parts[1], parts[2]);
    let res = app.req(Method::GET, "/api/v1/users", &tampered, app.paris).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;

    let res =
        app.client.get(app.url("/api/v1/me")).header("Authorization", format!("Basic {token}")).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
}

#[actix_web::test]
async fn org_header_missing_malformed_or_foreign() {
    let app = TestApp::spawn().await;
    let manager = app.login("manager@demo.atlas").await;

    let res = app.client.get(app.url("/api/v1/users")).bearer_auth(&manager).send().await.unwrap();
    problem(res, 400, "ORG_HEADER_REQUIRED").await;
    let res = app
        .client
        .get(app.url("/api/v1/users"))
        .bearer_auth(&manager)
        .header("X-Org-Id", "paris")
        .send()
        .await
        .unwrap();
    problem(res, 400, "ORG_HEADER_REQUIRED").await;

    // manager is only a member of Paris
    let res = app.req(Method::GET, "/api/v1/users", &manager, app.lyon).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    let res = app.req(Method::GET, "/api/v1/users", &manager, Uuid::now_v7()).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;

    // 401 comes before the org header check
    let res = app.client.get(app.url("/api/v1/users")).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
}

#[actix_web::test]
async fn users_list_is_paginated_and_tenant_scoped() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let res = app.req(Method::GET, "/api/v1/users?size=2", &admin, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["totalItems"], 4);
    assert_eq!(v["totalPages"], 2);
    assert_eq!(v["size"], 2);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);

    let v: Value = app.req(Method::GET, "/api/v1/users", &admin, app.lyon).send().await.unwrap().json().await.unwrap();
    let emails: Vec<&str> = v["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["admin@demo.atlas"], "Lyon shows only its own member");

    for bad in ["size=0", "size=101", "page=-1", "size=abc"] {
        let res = app.req(Method::GET, &format!("/api/v1/users?{bad}"), &admin, app.paris).send().await.unwrap();
        let body = problem(res, 400, "VALIDATION_ERROR").await;
        assert!(body["errors"][0]["field"].is_string(), "{bad}: {body}");
    }
}

#[actix_web::test]
async fn role_checks_on_user_endpoints() {
    let app = TestApp::spawn().await;
    let new_user =
        json!({"email": "nouveau@demo.atlas", "displayName": "Nouveau", "password": "long-password", "role": "AGENT"});
    for (who, list_status, create_status) in
        [("viewer@demo.atlas", 403, 403), ("agent@demo.atlas", 403, 403), ("manager@demo.atlas", 200, 403)]
    {
        let token = app.login(who).await;
        let res = app.req(Method::GET, "/api/v1/users", &token, app.paris).send().await.unwrap();
        assert_eq!(res.status().as_u16(), list_status, "{who} list");
        let res = app.req(Method::POST, "/api/v1/users", &token, app.paris).json(&new_user).send().await.unwrap();
        assert_eq!(res.status().as_u16(), create_status, "{who} create");
        if create_status == 403 {
            problem(res, 403, "FORBIDDEN").await;
        }
        // role is checked before the body: a viewer with garbage still gets 403
        let res = app.req(Method::POST, "/api/v1/users", &token, app.paris).body("{not json").send().await.unwrap();
        assert_eq!(res.status(), 403);
    }
    let admin = app.login("admin@demo.atlas").await;
    let res = app.req(Method::POST, "/api/v1/users", &admin, app.paris).json(&new_user).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let loc = res.headers().get("location").unwrap().to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    assert_eq!(loc, format!("/api/v1/users/{}", created["id"].as_str().unwrap()));
    assert_eq!(created["role"], "AGENT");
    assert_eq!(created["email"], "nouveau@demo.atlas");

    // the same email again in the same org → 409; in Lyon → added to Lyon, password untouched
    let res = app.req(Method::POST, "/api/v1/users", &admin, app.paris).json(&new_user).send().await.unwrap();
    problem(res, 409, "CONFLICT").await;
    let mut other_pw = new_user.clone();
    other_pw["password"] = json!("another-password");
    other_pw["role"] = json!("VIEWER");
    let res = app.req(Method::POST, "/api/v1/users", &admin, app.lyon).json(&other_pw).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "nouveau@demo.atlas", "password": "long-password"}))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["memberships"].as_array().unwrap().len(), 2);

    // promote, and the audit trail has both writes
    let id = created["id"].as_str().unwrap();
    let res = app
        .req(Method::PATCH, &format!("/api/v1/users/{id}"), &admin, app.paris)
        .json(&json!({"role": "MANAGER"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["role"], "MANAGER");
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        action: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Jsonb>)]
        diff: Option<Value>,
    }
    let rows: Vec<Row> = sql_query(format!(
        "SELECT action, diff FROM audit_event WHERE org_id = '{}' AND entity_id = '{id}' ORDER BY created_at, id",
        app.paris
    ))
    .load(&mut app.pool.get().unwrap())
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["CREATE", "UPDATE"]);
    assert_eq!(rows[1].diff, Some(json!([{"op": "replace", "path": "/role", "value": "MANAGER"}])));
}

#[actix_web::test]
async fn the_last_admin_cannot_be_demoted_and_foreign_users_are_404() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let admin_id = agent_id(&app, &admin).await;
    let res = app
        .req(Method::PATCH, &format!("/api/v1/users/{admin_id}"), &admin, app.lyon)
        .json(&json!({"role": "AGENT"}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "CONFLICT").await;

    // the Paris manager is not a member of Lyon: 404 there, never a leak
    let manager = app.login("manager@demo.atlas").await;
    let manager_id = agent_id(&app, &manager).await;
    let res = app
        .req(Method::PATCH, &format!("/api/v1/users/{manager_id}"), &admin, app.lyon)
        .json(&json!({"role": "AGENT"}))
        .send()
        .await
        .unwrap();
    problem(res, 404, "NOT_FOUND").await;
}

#[actix_web::test]
async fn json_body_errors_name_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let cases = [
        (r#"{"email": "x@y.fr""#, "body"),
        (r#"{"email":"x@y.fr","displayName":"X","password":"long-password","role":"AGENT","isRoot":true}"#, "isRoot"),
        (r#"{"email":"x@y.fr","displayName":"X","password":"long-password","role":"GOD"}"#, "role"),
        (r#"{"email":"x@y.fr","displayName":"X","password":"long-password"}"#, "role"),
        (r#"{"email":42,"displayName":"X","password":"long-password","role":"AGENT"}"#, "email"),
        (r#"{"email":"not-an-email","displayName":"X","password":"long-password","role":"AGENT"}"#, "email"),
        (r#"{"email":"x@y.fr","displayName":"X","password":"short","role":"AGENT"}"#, "password"),
        ("", "body"),
    ];
    for (raw, field) in cases {
        let res = app
            .req(Method::POST, "/api/v1/users", &admin, app.paris)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        let body = problem(res, 400, "VALIDATION_ERROR").await;
        let fields: Vec<&str> =
            body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{raw} → {body}");
    }
}

#[actix_web::test]
async fn unknown_routes_wrong_methods_and_big_bodies_are_problems() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/api/v1/nope")).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.client.get(app.url("/api/v2/anything")).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    // 405 comes before 401
    let res = app.client.delete(app.url("/api/v1/me")).send().await.unwrap();
    problem(res, 405, "METHOD_NOT_ALLOWED").await;
    let res = app.client.get(app.url("/api/v1/auth/login")).send().await.unwrap();
    problem(res, 405, "METHOD_NOT_ALLOWED").await;

    let big = "x".repeat(1024 * 1024 + 10);
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    problem(res, 413, "PAYLOAD_TOO_LARGE").await;
}

#[actix_web::test]
async fn request_id_is_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/healthz")).header("X-Request-Id", "trace-me-42").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-42");
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(Uuid::parse_str(&generated).is_ok());
    let res = app.client.get(app.url("/api/v1/me")).header("X-Request-Id", "abc-1").send().await.unwrap();
    let body = problem(res, 401, "UNAUTHORIZED").await;
    assert_eq!(body["requestId"], "abc-1");
}

#[actix_web::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["migrations"], "APPLIED");
}

#[actix_web::test]
async fn audit_events_are_append_only_in_the_database() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let res = app
        .req(Method::POST, "/api/v1/users", &admin, app.paris)
        .json(&json!({"email": "a1@demo.atlas", "displayName": "A1", "password": "long-password", "role": "AGENT"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let mut conn = app.pool.get().unwrap();
    let upd = sql_query("UPDATE audit_event SET action = 'DELETE'").execute(&mut conn);
    assert!(upd.is_err(), "UPDATE must be refused");
    let del = sql_query("DELETE FROM audit_event").execute(&mut conn);
    assert!(del.is_err(), "DELETE must be refused");
    let trunc = sql_query("TRUNCATE audit_event").execute(&mut conn);
    assert!(trunc.is_err(), "TRUNCATE must be refused");
}

#[actix_web::test]
async fn seed_demo_is_idempotent() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().unwrap();
    let again = atlas_server::cli::seed::seed_demo(&mut conn, "another-password").unwrap();
    assert_eq!((again.paris, again.lyon), (app.paris, app.lyon));
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let users: N = sql_query("SELECT count(*) AS n FROM app_user").get_result(&mut conn).unwrap();
    let members: N = sql_query("SELECT count(*) AS n FROM membership").get_result(&mut conn).unwrap();
    assert_eq!((users.n, members.n), (4, 5));
    // the password given on the first run still works
    app.login("viewer@demo.atlas").await;
}
