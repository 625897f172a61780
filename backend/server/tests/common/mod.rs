//! Test harness: every test gets its own database, cloned from a template that holds all the
//! migrations (see docs/testing.md). The server runs on a free port and is driven over real HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

use diesel::pg::PgConnection;
use diesel::{sql_query, Connection, RunQueryDsl};
use serde_json::{json, Value};
use uuid::Uuid;

use atlas_server::config::Config;
use atlas_server::db::{build_pool, run_migrations, PgPool};
use atlas_server::startup::{build_state, Application};

pub const PASSWORD: &str = "test-password-1";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

fn base_url() -> String {
    std::env::var("DATABASE_URL").expect("DATABASE_URL must point at a PostgreSQL server (make test sets it)")
}

fn url_with_db(url: &str, db: &str) -> String {
    // postgres://user@host:port/dbname?params → same with another dbname
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// Fingerprint of the migrations on disk: a changed migration gets a fresh template.
fn migrations_fingerprint() -> u64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut entries: Vec<_> = walk(&dir);
    entries.sort();
    let mut h = DefaultHasher::new();
    for p in entries {
        p.to_string_lossy().hash(&mut h);
        std::fs::read(&p).unwrap_or_default().hash(&mut h);
    }
    h.finish()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn admin_conn() -> PgConnection {
    let url = base_url();
    PgConnection::establish(&url_with_db(&url, "postgres")).expect("connect to the maintenance database")
}

/// Creates the template database once per migration set; a PostgreSQL advisory lock serialises
/// test processes that race to create it.
fn ensure_template() -> String {
    let name = format!("atlas_tpl_{:016x}", migrations_fingerprint());
    let mut admin = admin_conn();
    sql_query("SELECT pg_advisory_lock(727274)").execute(&mut admin).unwrap();
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        e: bool,
    }
    let exists: Exists = sql_query(format!("SELECT EXISTS(SELECT 1 FROM pg_database WHERE datname = '{name}') AS e"))
        .get_result(&mut admin)
        .unwrap();
    if !exists.e {
        let building = format!("{name}_building");
        sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).execute(&mut admin).unwrap();
        sql_query(format!("CREATE DATABASE {building}")).execute(&mut admin).unwrap();
        {
            let mut c = PgConnection::establish(&url_with_db(&base_url(), &building)).unwrap();
            run_migrations(&mut c).unwrap();
        }
        // renamed only once complete, so a crash never leaves a half-migrated template behind
        sql_query(format!("ALTER DATABASE {building} RENAME TO {name}")).execute(&mut admin).unwrap();
    }
    sql_query("SELECT pg_advisory_unlock(727274)").execute(&mut admin).unwrap();
    name
}

pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub fn new() -> TestDb {
        let template = ensure_template();
        let name = format!("atlas_test_{}", Uuid::new_v4().simple());
        let mut admin = admin_conn();
        sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}")).execute(&mut admin).unwrap();
        let url = url_with_db(&base_url(), &name);
        TestDb { name, url }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&url_with_db(&base_url(), "postgres")) {
            let _ = sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut admin);
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
    pub client: reqwest::Client,
    pub db: TestDb,
    pub paris: Uuid,
    pub lyon: Uuid,
}

pub fn test_config(db_url: &str) -> Config {
    Config {
        database_url: db_url.to_string(),
        bind: "127.0.0.1:0".to_string(),
        jwt_secret: JWT_SECRET.as_bytes().to_vec(),
        token_ttl_secs: 3600,
        dev_mode: false,
        static_dir: std::path::PathBuf::from("/nonexistent-atlas-spa"),
        db_pool_size: 5,
        http_workers: 2,
        data_key: None,
        // Far above what any test sends (hundreds of webhooks / API calls in a burst);
        // rate_limit_api.rs sets small ones with `TestApp::spawn_with`.
        rate_limits: atlas_server::http::rate_limit::RateLimitSettings {
            login_per_minute: std::num::NonZeroU32::new(100_000).unwrap(),
            api_per_minute: std::num::NonZeroU32::new(1_000_000).unwrap(),
            webhook_per_second: std::num::NonZeroU32::new(100_000).unwrap(),
        },
    }
}

impl TestApp {
    /// A running server on a fresh database seeded with the demo orgs and users
    /// (password `PASSWORD`).
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// Like [`TestApp::spawn`] with the test config adjusted first (e.g. small rate limits).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb::new();
        let mut config = test_config(&db.url);
        adjust(&mut config);
        let pool = build_pool(&db.url, 5).unwrap();
        let seeded = {
            let mut conn = pool.get().unwrap();
            atlas_server::cli::seed::seed_demo(&mut conn, PASSWORD).unwrap()
        };
        let state = build_state(config, pool.clone()).unwrap();
        let app = Application::build(state).unwrap();
        let base = format!("http://127.0.0.1:{}", app.port);
        actix_web::rt::spawn(app.server);
        TestApp { base, pool, client: reqwest::Client::new(), db, paris: seeded.paris, lyon: seeded.lyon }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn login(&self, email: &str) -> String {
        let res = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "login of {email}");
        let v: Value = res.json().await.unwrap();
        v["accessToken"].as_str().unwrap().to_string()
    }

    /// An authenticated request in `org`.
    pub fn req(&self, method: reqwest::Method, path: &str, token: &str, org: Uuid) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(token).header("X-Org-Id", org.to_string())
    }
}

/// Asserts a problem+json answer and returns its body.
pub async fn problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(ct.starts_with("application/problem+json"), "content-type was {ct}");
    let rid = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status);
    assert!(body["type"].is_string() && body["title"].is_string());
    assert_eq!(body["requestId"].as_str(), Some(rid.as_str()), "requestId matches X-Request-Id");
    body
}

// ---------------------------------------------------------------------------------------------
// Helpers added by feat/parties (parties, messages, consents tests).
// ---------------------------------------------------------------------------------------------

/// Inserts a dossier straight into the database (these tests must not depend on the dossier API)
/// and returns its id.
pub fn insert_dossier(app: &TestApp, org: Uuid, name: &str, phone: &str) -> Uuid {
    use diesel::sql_types::{Text, Uuid as SqlUuid};
    let id = Uuid::now_v7();
    let mut conn = app.pool.get().unwrap();
    sql_query(
        "INSERT INTO dossier (org_id, id, reference, lead_name, lead_phone, source, dossier_type) \
         VALUES ($1, $2, $3, $4, $5, 'WEB', 'BUY')",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(format!("DOS-T{}", id.simple()))
    .bind::<Text, _>(name)
    .bind::<Text, _>(phone)
    .execute(&mut *conn)
    .unwrap();
    id
}

/// `SELECT count(*)` of a query whose only parameter ($1) is a UUID.
pub fn count_where(app: &TestApp, sql: &str, id: Uuid) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.pool.get().unwrap();
    let row: N = sql_query(sql).bind::<diesel::sql_types::Uuid, _>(id).get_result(&mut *conn).unwrap();
    row.n
}

/// The audit events of an entity, oldest first, as `{action, entityType, actorUserId, before, after, diff}`.
pub fn audit_of(app: &TestApp, entity_id: Uuid) -> Vec<Value> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        j: Value,
    }
    let mut conn = app.pool.get().unwrap();
    let rows: Vec<Row> = sql_query(
        "SELECT jsonb_build_object('action', action, 'entityType', entity_type, 'actorUserId', actor_user_id, \
         'before', before, 'after', after, 'diff', diff, 'correlationId', correlation_id) AS j \
         FROM audit_event WHERE entity_id = $1 ORDER BY created_at, id",
    )
    .bind::<diesel::sql_types::Uuid, _>(entity_id)
    .load(&mut *conn)
    .unwrap();
    rows.into_iter().map(|r| r.j).collect()
}

/// The timeline activities of a dossier, oldest first, as `{type, content, metadata}`.
pub fn activities_of(app: &TestApp, dossier_id: Uuid) -> Vec<Value> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        j: Value,
    }
    let mut conn = app.pool.get().unwrap();
    let rows: Vec<Row> = sql_query(
        "SELECT jsonb_build_object('type', type, 'content', content, 'metadata', metadata) AS j \
         FROM activity WHERE dossier_id = $1 ORDER BY created_at, id",
    )
    .bind::<diesel::sql_types::Uuid, _>(dossier_id)
    .load(&mut *conn)
    .unwrap();
    rows.into_iter().map(|r| r.j).collect()
}

// ---------------------------------------------------------------------------------------------
// Helpers added by feat/appointments (appointments, activities, audit tests). They write rows
// with plain SQL so these tests depend on no other entity module.
// ---------------------------------------------------------------------------------------------

/// Inserts an open dossier of `org` directly in SQL and returns its id. The email is unique per
/// dossier so the deduplication indexes never interfere.
pub fn insert_dossier_sql(app: &TestApp, org: Uuid, name: &str) -> Uuid {
    use diesel::sql_types::{Text, Uuid as SqlUuid};
    let id = Uuid::now_v7();
    let mut conn = app.pool.get().unwrap();
    sql_query(
        "INSERT INTO dossier (org_id, id, reference, lead_name, lead_email, source, dossier_type) \
         VALUES ($1, $2, $3, $4, $5, 'WEB', 'BUY')",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(format!("DOS-T{}", id.simple()))
    .bind::<Text, _>(name)
    .bind::<Text, _>(format!("lead-{}@test.atlas", id.simple()))
    .execute(&mut *conn)
    .unwrap();
    id
}

/// The id of a user, by email (SQL).
pub fn user_id_sql(app: &TestApp, email: &str) -> Uuid {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    let mut conn = app.pool.get().unwrap();
    let row: Row = sql_query("SELECT id FROM app_user WHERE email = $1")
        .bind::<diesel::sql_types::Text, _>(email)
        .get_result(&mut *conn)
        .unwrap();
    row.id
}

/// Runs one SQL statement (test set-up such as org settings).
pub fn exec_sql(app: &TestApp, sql: &str) {
    let mut conn = app.pool.get().unwrap();
    sql_query(sql).execute(&mut *conn).unwrap();
}

/// Creates a user with `role` in the Paris org through the API (as admin) and logs it in.
pub async fn add_user_and_login(app: &TestApp, email: &str, role: &str) -> String {
    let admin = app.login("admin@demo.atlas").await;
    let res = app
        .req(reqwest::Method::POST, "/api/v1/users", &admin, app.paris)
        .json(&json!({"email": email, "displayName": email, "password": PASSWORD, "role": role}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "create {email}");
    app.login(email).await
}

// ---------------------------------------------------------------------------------------------
// WhatsApp outbound helpers (feat/wa-outbox): rows created by SQL so that these tests do not
// depend on the dossier/consent/template modules.
// ---------------------------------------------------------------------------------------------

/// A count from `SELECT count(*) AS n …`.
pub fn count_sql(app: &TestApp, q: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.pool.get().unwrap();
    sql_query(q).get_result::<N>(&mut conn).unwrap_or_else(|e| panic!("{q}: {e}")).n
}

/// A NEW dossier with the given lead phone (E.164 or None).
pub fn sql_dossier(app: &TestApp, org: Uuid, lead_phone: Option<&str>) -> Uuid {
    let id = Uuid::now_v7();
    let phone = lead_phone.map_or("NULL".to_string(), |p| format!("'{p}'"));
    exec_sql(
        app,
        &format!(
            "INSERT INTO dossier (org_id, id, reference, lead_name, lead_phone, source, dossier_type) \
             VALUES ('{org}', '{id}', 'T-{}', 'Lead Test', {phone}, 'WEB', 'BUY')",
            id.simple()
        ),
    );
    id
}

/// A consent record for WHATSAPP/CONTACT; `expires_in_hours` negative = already expired.
pub fn sql_consent(app: &TestApp, org: Uuid, dossier: Uuid, status: &str, expires_in_hours: Option<i64>) {
    let expires = expires_in_hours.map_or("NULL".to_string(), |h| format!("now() + interval '{h} hours'"));
    exec_sql(
        app,
        &format!(
            "INSERT INTO consent (org_id, id, dossier_id, channel, purpose, status, source, proof, captured_at, expires_at) \
             VALUES ('{org}', '{}', '{dossier}', 'WHATSAPP', 'CONTACT', '{status}', 'UI', 'Accord oral au téléphone', \
             clock_timestamp(), {expires})",
            Uuid::now_v7()
        ),
    );
}

/// A WhatsApp template of the org (table of migration 000004).
pub fn sql_template(app: &TestApp, org: Uuid, code: &str, body: &str, active: bool) {
    let params = atlas_domain::whatsapp::count_placeholders(body).unwrap();
    exec_sql(
        app,
        &format!(
            "INSERT INTO whatsapp_template (org_id, id, code, language, category, body, param_count, active) \
             VALUES ('{org}', '{}', '{code}', 'fr', 'UTILITY', '{}', {params}, {active})",
            Uuid::now_v7(),
            body.replace('\'', "''")
        ),
    );
}

/// The key the test server seals secrets with (no ATLAS_DATA_KEY: derived from the JWT secret).
pub fn data_key() -> atlas_server::security::secretbox::DataKey {
    atlas_server::security::secretbox::DataKey::derived_from_jwt_secret(JWT_SECRET.as_bytes())
}

/// An INBOUND WhatsApp message of the lead, `minutes_ago` in the past.
pub fn sql_inbound(app: &TestApp, org: Uuid, dossier: Uuid, minutes_ago: i64) {
    exec_sql(
        app,
        &format!(
            "INSERT INTO message (org_id, id, dossier_id, channel, direction, content, occurred_at) \
             VALUES ('{org}', '{}', '{dossier}', 'WHATSAPP', 'INBOUND', 'Bonjour', now() - interval '{minutes_ago} minutes')",
            Uuid::now_v7()
        ),
    );
}

/// Provider credentials of an org (table of migration 000003).
pub fn sql_whatsapp_settings(app: &TestApp, org: Uuid, phone_number_id: &str, token: &str) {
    let token = data_key().seal_bytes(token.as_bytes()).unwrap();
    exec_sql(
        app,
        &format!(
            "INSERT INTO whatsapp_settings (org_id, phone_number_id, access_token) VALUES ('{org}', '{phone_number_id}', '{token}') \
             ON CONFLICT (org_id) DO UPDATE SET phone_number_id = EXCLUDED.phone_number_id, access_token = EXCLUDED.access_token"
        ),
    );
}

// ---------------------------------------------------------------------------------------------
// WhatsApp inbound helpers (feat/wa-inbound)

/// Like [`TestApp::spawn`], also handing out the application state (to read process-wide
/// counters such as the webhook metrics).
pub async fn spawn_with_state() -> (TestApp, std::sync::Arc<atlas_server::http::state::AppState>) {
    let db = TestDb::new();
    let config = test_config(&db.url);
    let pool = build_pool(&db.url, 5).unwrap();
    let seeded = {
        let mut conn = pool.get().unwrap();
        atlas_server::cli::seed::seed_demo(&mut conn, PASSWORD).unwrap()
    };
    let state = build_state(config, pool.clone()).unwrap();
    let app = Application::build(std::sync::Arc::clone(&state)).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port);
    actix_web::rt::spawn(app.server);
    (TestApp { base, pool, client: reqwest::Client::new(), db, paris: seeded.paris, lyon: seeded.lyon }, state)
}

/// One number from a SQL query returning a single `n` (bigint) column.
pub fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.pool.get().unwrap();
    sql_query(sql).get_result::<N>(&mut *conn).unwrap().n
}

/// Runs a SQL statement on the test database.
pub fn exec(app: &TestApp, sql: &str) {
    let mut conn = app.pool.get().unwrap();
    sql_query(sql).execute(&mut *conn).unwrap();
}
