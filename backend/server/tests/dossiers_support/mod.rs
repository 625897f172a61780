//! Helpers of the dossier API tests (`dossiers_*_api.rs`): logins, request shortcuts, and direct
//! SQL for what other modules' endpoints would otherwise provide (annonces, parties).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use diesel::{sql_query, RunQueryDsl};
use reqwest::{Method, Response};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::TestApp;

pub struct Ctx {
    pub app: TestApp,
    pub admin: String,
    pub manager: String,
    pub agent: String,
    pub viewer: String,
}

impl Ctx {
    pub async fn spawn() -> Ctx {
        let app = TestApp::spawn().await;
        let admin = app.login("admin@demo.atlas").await;
        let manager = app.login("manager@demo.atlas").await;
        let agent = app.login("agent@demo.atlas").await;
        let viewer = app.login("viewer@demo.atlas").await;
        Ctx { app, admin, manager, agent, viewer }
    }

    /// A request in Paris.
    pub async fn call(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Response {
        self.call_in(self.app.paris, method, path, token, body).await
    }

    pub async fn call_in(&self, org: Uuid, method: Method, path: &str, token: &str, body: Option<Value>) -> Response {
        let mut r = self.app.req(method, path, token, org);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.unwrap()
    }

    pub async fn post(&self, token: &str, body: Value) -> Response {
        self.call(Method::POST, "/api/v1/dossiers", token, Some(body)).await
    }

    /// Creates a dossier in Paris as the agent and returns it (asserting 201).
    pub async fn create(&self, body: Value) -> Value {
        self.create_in(self.app.paris, &self.agent, body).await
    }

    pub async fn create_in(&self, org: Uuid, token: &str, body: Value) -> Value {
        let res = self.call_in(org, Method::POST, "/api/v1/dossiers", token, Some(body)).await;
        let status = res.status();
        let v: Value = res.json().await.unwrap();
        assert_eq!(status, 201, "create: {v}");
        v
    }

    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let res = self.call(Method::GET, path, token, None).await;
        let status = res.status();
        let v: Value = res.json().await.unwrap();
        assert_eq!(status, 200, "GET {path}: {v}");
        v
    }

    pub async fn set_status(&self, id: &str, body: Value) -> Response {
        self.call(Method::PATCH, &format!("/api/v1/dossiers/{id}/status"), &self.agent, Some(body)).await
    }
}

/// A minimal valid body.
pub fn lead(name: &str, phone: &str) -> Value {
    json!({"leadName": name, "leadPhone": phone, "source": "WEB", "type": "BUY"})
}

pub fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

pub fn ids(page_or_array: &Value) -> Vec<String> {
    let items = page_or_array.get("items").unwrap_or(page_or_array);
    items.as_array().unwrap().iter().map(id_of).collect()
}

pub fn header(res: &Response, name: &str) -> Option<String> {
    res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

#[derive(diesel::QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    j: String,
}

/// Rows of `sql` as JSON objects.
pub fn rows(app: &TestApp, sql: &str) -> Vec<Value> {
    let wrapped = format!("SELECT row_to_json(t)::text AS j FROM ({sql}) t");
    let rows: Vec<JsonRow> = sql_query(wrapped).load(&mut app.pool.get().unwrap()).unwrap();
    rows.into_iter().map(|r| serde_json::from_str(&r.j).unwrap()).collect()
}

pub fn count(app: &TestApp, sql: &str) -> i64 {
    rows(app, &format!("SELECT count(*) AS n FROM ({sql}) c"))[0]["n"].as_i64().unwrap()
}

pub fn exec(app: &TestApp, sql: &str) {
    sql_query(sql).execute(&mut app.pool.get().unwrap()).unwrap();
}

pub fn user_id(app: &TestApp, email: &str) -> String {
    rows(app, &format!("SELECT id FROM app_user WHERE email = '{email}'"))[0]["id"].as_str().unwrap().to_string()
}

/// An annonce in `status`, written directly (the annonces API is another module).
pub fn insert_annonce(app: &TestApp, org: Uuid, status: &str) -> String {
    let id = Uuid::now_v7();
    exec(
        app,
        &format!(
            "INSERT INTO annonce (org_id, id, reference, title, transaction_type, property_type, status) \
             VALUES ('{org}', '{id}', 'ANN-T{}', 'Appartement test', 'SALE', 'APARTMENT', '{status}')",
            id.simple()
        ),
    );
    id.to_string()
}

/// A party on a dossier, written directly (the parties API is another module).
pub fn insert_party(app: &TestApp, org: Uuid, dossier: &str, phone: Option<&str>, email: Option<&str>) {
    let q = |v: Option<&str>| v.map_or("NULL".to_string(), |s| format!("'{s}'"));
    exec(
        app,
        &format!(
            "INSERT INTO party (org_id, id, dossier_id, role, first_name, last_name, phone, email) \
             VALUES ('{org}', '{}', '{dossier}', 'NOTARY', 'Jean', 'Notaire', {}, {})",
            Uuid::now_v7(),
            q(phone),
            q(email)
        ),
    );
}

/// A user who is a member of Lyon only (created through the users API by the admin).
pub async fn lyon_only_user(ctx: &Ctx) -> String {
    let res = ctx
        .call_in(
            ctx.app.lyon,
            Method::POST,
            "/api/v1/users",
            &ctx.admin,
            Some(json!({"email": "lyon.agent@demo.atlas", "displayName": "Agent Lyon", "password": "lyon-password", "role": "AGENT"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    id_of(&res.json::<Value>().await.unwrap())
}
