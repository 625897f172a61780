//! Retention (PRODUCT.md §12, docs/retention.md): the ADMIN settings over real HTTP, and the purge
//! (the library function `atlas retention` and the daily job call) against real PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use common::{count, exec, problem, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use atlas_domain::usecases::retention::PURGED_CONTENT;
use atlas_server::retention::{run, OrgReport};

const PATH: &str = "/api/v1/settings/retention";

async fn put(app: &TestApp, token: &str, org: Uuid, body: &str) -> reqwest::Response {
    app.req(Method::PUT, PATH, token, org)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, token: &str, org: Uuid) -> Value {
    let res = app.req(Method::GET, PATH, token, org).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn keep_all() -> Value {
    json!({"messageContentDays": null, "auditDays": null, "closedDossierAnonymiseDays": null})
}

#[actix_web::test]
async fn settings_default_to_keep_and_a_put_is_returned_and_audited() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    assert_eq!(get(&app, &admin, app.paris).await, keep_all());

    let body = json!({"messageContentDays": 90, "auditDays": 365, "closedDossierAnonymiseDays": 730});
    let res = put(&app, &admin, app.paris, &body.to_string()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), body);
    assert_eq!(get(&app, &admin, app.paris).await, body);
    let n = count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM audit_event WHERE org_id = '{}' AND entity_type = 'RETENTION_SETTINGS' \
             AND action = 'UPDATE' AND entity_id = org_id AND actor_user_id IS NOT NULL \
             AND before = '{}'::jsonb AND after = '{body}'::jsonb",
            app.paris,
            keep_all()
        ),
    );
    assert_eq!(n, 1);

    // a field left out means null (keep); null is accepted
    let res = put(&app, &admin, app.paris, r#"{"auditDays": 30, "messageContentDays": null}"#).await;
    assert_eq!(res.status(), 200);
    let want = json!({"messageContentDays": null, "auditDays": 30, "closedDossierAnonymiseDays": null});
    assert_eq!(get(&app, &admin, app.paris).await, want);
    let n = count(&app, "SELECT count(*) AS n FROM audit_event WHERE entity_type = 'RETENTION_SETTINGS'");
    assert_eq!(n, 2);
}

#[actix_web::test]
async fn invalid_settings_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    for (body, field) in [
        (r#"{"messageContentDays": 0}"#, "messageContentDays"),
        (r#"{"closedDossierAnonymiseDays": -1}"#, "closedDossierAnonymiseDays"),
        (r#"{"auditDays": 29}"#, "auditDays"),
        (r#"{"auditDays": 36501}"#, "auditDays"),
        (r#"{"auditDays": "365"}"#, "auditDays"),
        (r#"{"messageContentDays": 1.5}"#, "messageContentDays"),
        (r#"{"messageContentDays": 30, "purgeEverything": true}"#, "purgeEverything"),
        ("", "body"),
        ("[", "body"),
    ] {
        let res = put(&app, &admin, app.paris, body).await;
        let p = problem(res, 400, "VALIDATION_ERROR").await;
        let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, [field], "{body}: {p}");
    }
    // nothing was stored nor audited
    assert_eq!(get(&app, &admin, app.paris).await, keep_all());
    assert_eq!(count(&app, "SELECT count(*) AS n FROM audit_event WHERE entity_type = 'RETENTION_SETTINGS'"), 0);
}

#[actix_web::test]
async fn only_admins_of_the_org_read_and_change_them() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    for who in ["manager@demo.atlas", "agent@demo.atlas", "viewer@demo.atlas"] {
        let t = app.login(who).await;
        let res = app.req(Method::GET, PATH, &t, app.paris).send().await.unwrap();
        problem(res, 403, "FORBIDDEN").await;
        // role before body: a malformed body still gets 403
        problem(put(&app, &t, app.paris, "{").await, 403, "FORBIDDEN").await;
        problem(put(&app, &t, app.paris, r#"{"auditDays": 30}"#).await, 403, "FORBIDDEN").await;
    }
    let res = app.client.get(app.url(PATH)).header("X-Org-Id", app.paris.to_string()).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;

    // Paris sets its settings; Lyon's stay its own
    let paris = json!({"messageContentDays": 10, "auditDays": 100, "closedDossierAnonymiseDays": 20});
    assert_eq!(put(&app, &admin, app.paris, &paris.to_string()).await.status(), 200);
    assert_eq!(get(&app, &admin, app.lyon).await, keep_all());
    // an ADMIN of Lyon only cannot read nor write Paris'
    let res = app
        .req(Method::POST, "/api/v1/users", &admin, app.lyon)
        .json(&json!({"email": "lyon-admin@test.atlas", "displayName": "Lyon", "password": PASSWORD, "role": "ADMIN"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let lyon_admin = app.login("lyon-admin@test.atlas").await;
    let res = app.req(Method::GET, PATH, &lyon_admin, app.paris).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    problem(put(&app, &lyon_admin, app.paris, r#"{"auditDays": null}"#).await, 403, "FORBIDDEN").await;
    assert_eq!(get(&app, &lyon_admin, app.lyon).await, keep_all());
    assert_eq!(get(&app, &admin, app.paris).await, paris);
}

// ---------------------------------------------------------------------------------------------
// The purge

struct World {
    open: Uuid,
    closed_old: Uuid,
    closed_recent: Uuid,
    lyon_dossier: Uuid,
}

fn dossier(app: &TestApp, org: Uuid, status: &str, name: &str, phone: &str, closed_days_ago: Option<i64>) -> Uuid {
    let id = Uuid::now_v7();
    exec(
        app,
        &format!(
            "INSERT INTO dossier (org_id, id, reference, lead_name, lead_phone, lead_email, whatsapp_user_id, source, \
             dossier_type, status, notes, status_comment, loss_reason, created_at, updated_at) \
             VALUES ('{org}', '{id}', 'R-{}', '{name}', '{phone}', '{}@mail.test', 'BSUID.{}', 'WEB', 'BUY', '{status}', \
             'notes about {name}', 'comment about {name}', CASE WHEN '{status}' = 'LOST' THEN 'PRICE' END, \
             now() - interval '400 days', now() - interval '1 day')",
            id.simple(),
            id.simple(),
            id.simple()
        ),
    );
    if let Some(days) = closed_days_ago {
        exec(
            app,
            &format!(
                "INSERT INTO dossier_status_history (org_id, id, dossier_id, from_status, to_status, comment, changed_at) \
                 VALUES ('{org}', '{}', '{id}', 'APPOINTMENT', '{status}', 'why {name}', now() - interval '{days} days')",
                Uuid::now_v7()
            ),
        );
    }
    id
}

fn message(app: &TestApp, org: Uuid, dossier: Uuid, text: &str, days_ago: i64) {
    exec(
        app,
        &format!(
            "INSERT INTO message (org_id, id, dossier_id, channel, direction, content, occurred_at) \
             VALUES ('{org}', '{}', '{dossier}', 'WHATSAPP', 'INBOUND', '{text}', now() - interval '{days_ago} days')",
            Uuid::now_v7()
        ),
    );
}

fn audit(app: &TestApp, org: Uuid, days_ago: i64) {
    exec(
        app,
        &format!(
            "INSERT INTO audit_event (org_id, id, action, entity_type, entity_id, created_at) \
             VALUES ('{org}', '{}', 'UPDATE', 'TEST_OLD', '{org}', now() - interval '{days_ago} days')",
            Uuid::now_v7()
        ),
    );
}

fn inbound_event(app: &TestApp, org: Uuid, dossier: Uuid, days_ago: i64) {
    exec(
        app,
        &format!(
            "INSERT INTO whatsapp_inbound_event (org_id, id, wa_message_id, kind, payload, status, dossier_id, received_at) \
             VALUES ('{org}', '{}', 'wamid.{}', 'MESSAGE', '{{\"text\": \"secret payload\"}}', 'PROCESSED', '{dossier}', \
             now() - interval '{days_ago} days')",
            Uuid::now_v7(),
            Uuid::now_v7().simple()
        ),
    );
}

fn world(app: &TestApp) -> World {
    let (paris, lyon) = (app.paris, app.lyon);
    let open = dossier(app, paris, "QUALIFIED", "Open Lead", "+33600000001", Some(200));
    let closed_old = dossier(app, paris, "LOST", "Closed Old", "+33600000002", Some(100));
    let closed_recent = dossier(app, paris, "WON", "Closed Recent", "+33600000003", Some(5));
    message(app, paris, open, "old open text", 40);
    message(app, paris, open, "new open text", 1);
    message(app, paris, closed_old, "late closed text", 10);
    message(app, paris, closed_recent, "recent closed text", 2);
    inbound_event(app, paris, open, 40);
    inbound_event(app, paris, open, 1);
    exec(
        app,
        &format!(
            "INSERT INTO party (org_id, id, dossier_id, role, first_name, last_name, phone, email, address, notes) VALUES \
             ('{paris}', '{}', '{closed_old}', 'BUYER', 'Jean', 'Dupont', '+33611111111', 'jean@mail.test', '1 rue X', 'n'), \
             ('{paris}', '{}', '{open}', 'BUYER', 'Anne', 'Martin', '+33622222222', 'anne@mail.test', '2 rue Y', 'n')",
            Uuid::now_v7(),
            Uuid::now_v7()
        ),
    );
    audit(app, paris, 400);
    audit(app, paris, 366);
    audit(app, paris, 300);
    // Lyon: old data, no settings
    let lyon_dossier = dossier(app, lyon, "LOST", "Lyon Closed", "+33600000009", Some(1000));
    message(app, lyon, lyon_dossier, "lyon old text", 1000);
    audit(app, lyon, 1000);
    World { open, closed_old, closed_recent, lyon_dossier }
}

fn paris_report(app: &TestApp, reports: &[OrgReport]) -> (u64, u64, u64, u64) {
    assert!(reports.iter().all(|r| r.org_id.0 != app.lyon), "an org without settings is not visited");
    let r = reports.iter().find(|r| r.org_id.0 == app.paris).expect("Paris report");
    let c = r.outcome.clone().unwrap();
    (c.messages_purged, c.audit_events_deleted, c.dossiers_anonymised, c.raw_payloads_purged)
}

/// Everything the purge may change, as one comparable value.
fn snapshot(app: &TestApp) -> Vec<i64> {
    [
        "SELECT count(*) AS n FROM message WHERE content LIKE '%text%'",
        "SELECT count(*) AS n FROM audit_event",
        "SELECT count(*) AS n FROM dossier WHERE anonymised_at IS NULL AND lead_phone IS NOT NULL",
        "SELECT count(*) AS n FROM party WHERE phone IS NOT NULL",
        "SELECT count(*) AS n FROM whatsapp_inbound_event WHERE payload ? 'text'",
        "SELECT count(*) AS n FROM audit_event WHERE action = 'RETENTION_PURGE'",
    ]
    .iter()
    .map(|q| count(app, q))
    .collect()
}

#[actix_web::test]
async fn the_purge_takes_exactly_what_is_old_dry_run_first_then_once() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let w = world(&app);
    let settings = json!({"messageContentDays": 30, "auditDays": 365, "closedDossierAnonymiseDays": 90});
    assert_eq!(put(&app, &admin, app.paris, &settings.to_string()).await.status(), 200);
    let mut conn = app.pool.get().unwrap();

    // dry run: the counts of a real run, and nothing changed
    let before = snapshot(&app);
    let dry = run(&mut conn, true, Utc::now()).unwrap();
    // messages: the 40-day-old one by age + the closed dossier's; audit: 400 and 366 days;
    // dossiers: the LOST one closed 100 days ago; raw: the 40-day-old webhook payload + the
    // closed dossier's (none) = 1
    assert_eq!(paris_report(&app, &dry), (2, 2, 1, 1));
    assert_eq!(snapshot(&app), before, "a dry run changes nothing");

    let real = run(&mut conn, false, Utc::now()).unwrap();
    assert_eq!(paris_report(&app, &real), (2, 2, 1, 1));

    // messages: exactly the old one and the anonymised dossier's are replaced, rows kept
    let contents = |d: Uuid| -> Vec<String> {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct C {
            #[diesel(sql_type = diesel::sql_types::Text)]
            content: String,
        }
        let mut c = app.pool.get().unwrap();
        diesel::sql_query(format!("SELECT content FROM message WHERE dossier_id = '{d}' ORDER BY occurred_at"))
            .load::<C>(&mut c)
            .unwrap()
            .into_iter()
            .map(|c| c.content)
            .collect()
    };
    assert_eq!(contents(w.open), [PURGED_CONTENT, "new open text"]);
    assert_eq!(contents(w.closed_old), [PURGED_CONTENT]);
    assert_eq!(contents(w.closed_recent), ["recent closed text"]);
    assert_eq!(contents(w.lyon_dossier), ["lyon old text"]);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM message"), 5);

    // the anonymised dossier: lead and parties cleared, status, reason and history kept
    let n = count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM dossier WHERE id = '{}' AND lead_name = 'Anonymisé' AND lead_phone IS NULL \
             AND lead_email IS NULL AND whatsapp_user_id IS NULL AND notes IS NULL AND status_comment IS NULL \
             AND status = 'LOST' AND loss_reason = 'PRICE' AND anonymised_at IS NOT NULL AND version = 2",
            w.closed_old
        ),
    );
    assert_eq!(n, 1);
    let n = count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM dossier_status_history WHERE dossier_id = '{}' AND comment IS NULL \
             AND to_status = 'LOST'",
            w.closed_old
        ),
    );
    assert_eq!(n, 1);
    let n = count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM party WHERE dossier_id = '{}' AND first_name IS NULL AND last_name = 'Anonymisé' \
             AND phone IS NULL AND email IS NULL AND address IS NULL AND notes IS NULL",
            w.closed_old
        ),
    );
    assert_eq!(n, 1);
    // open and recently closed dossiers, their parties, and Lyon: untouched
    for d in [w.open, w.closed_recent, w.lyon_dossier] {
        let n = count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM dossier WHERE id = '{d}' AND lead_name <> 'Anonymisé' AND lead_phone IS NOT NULL \
                 AND notes IS NOT NULL AND anonymised_at IS NULL AND version = 1"
            ),
        );
        assert_eq!(n, 1, "dossier {d} untouched");
    }
    assert_eq!(
        count(&app, &format!("SELECT count(*) AS n FROM party WHERE dossier_id = '{}' AND phone IS NOT NULL", w.open)),
        1
    );

    // raw payloads: the old one emptied, the recent one kept
    assert_eq!(count(&app, "SELECT count(*) AS n FROM whatsapp_inbound_event WHERE payload ? 'text'"), 1);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM whatsapp_inbound_event WHERE payload ? 'retentionPurged'"), 1);

    // audit: the two older than 365 days gone, the 300-day-old one and Lyon's kept
    let audit_n = |org: Uuid| {
        count(
            &app,
            &format!("SELECT count(*) AS n FROM audit_event WHERE org_id = '{org}' AND entity_type = 'TEST_OLD'"),
        )
    };
    assert_eq!(audit_n(app.paris), 1);
    assert_eq!(audit_n(app.lyon), 1);
    // the audit trail is still append-only outside the purge
    let mut c = app.pool.get().unwrap();
    use diesel::RunQueryDsl;
    assert!(diesel::sql_query("DELETE FROM audit_event WHERE entity_type = 'TEST_OLD'").execute(&mut *c).is_err());

    // one RETENTION_PURGE event, by the system, with the counts
    #[derive(diesel::QueryableByName)]
    struct After {
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        after: Value,
    }
    let events: Vec<After> = diesel::sql_query(format!(
        "SELECT after FROM audit_event WHERE action = 'RETENTION_PURGE' AND org_id = '{}' AND actor_user_id IS NULL \
         AND entity_type = 'ORGANISATION' AND entity_id = org_id",
        app.paris
    ))
    .load(&mut *c)
    .unwrap();
    assert_eq!(events.len(), 1);
    let a = &events[0].after;
    assert_eq!((a["messagesPurged"].as_u64(), a["auditEventsDeleted"].as_u64()), (Some(2), Some(2)));
    assert_eq!(a["dossiersAnonymised"], 1);
    assert_eq!(a["settings"], settings);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM audit_event WHERE action = 'RETENTION_PURGE'"), 1);

    // a second run: nothing left, no new event; its dry run says the same
    let after_first = snapshot(&app);
    assert_eq!(paris_report(&app, &run(&mut conn, true, Utc::now()).unwrap()), (0, 0, 0, 0));
    assert_eq!(paris_report(&app, &run(&mut conn, false, Utc::now()).unwrap()), (0, 0, 0, 0));
    assert_eq!(snapshot(&app), after_first);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM audit_event WHERE action = 'RETENTION_PURGE'"), 1);
}

#[actix_web::test]
async fn orgs_without_settings_or_keeping_everything_are_untouched() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    world(&app);
    // Paris says "keep" explicitly, Lyon never said anything
    assert_eq!(put(&app, &admin, app.paris, &keep_all().to_string()).await.status(), 200);
    let before = snapshot(&app);
    let mut conn = app.pool.get().unwrap();
    assert!(run(&mut conn, false, Utc::now()).unwrap().is_empty());
    assert_eq!(snapshot(&app), before);
}

#[actix_web::test]
async fn two_concurrent_runs_purge_once() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    world(&app);
    let settings = json!({"messageContentDays": 30, "auditDays": 365, "closedDossierAnonymiseDays": 90});
    assert_eq!(put(&app, &admin, app.paris, &settings.to_string()).await.status(), 200);
    let now = Utc::now();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let pool = app.pool.clone();
            std::thread::spawn(move || run(&mut pool.get().unwrap(), false, now).unwrap())
        })
        .collect();
    let reports: Vec<_> = runs.into_iter().map(|h| paris_report(&app, &h.join().unwrap())).collect();
    // one run did the work, the other (waiting on the org's lock) found nothing left
    let total = reports.iter().fold((0, 0, 0, 0), |a, r| (a.0 + r.0, a.1 + r.1, a.2 + r.2, a.3 + r.3));
    assert_eq!(total, (2, 2, 1, 1), "{reports:?}");
    assert!(reports.contains(&(0, 0, 0, 0)), "{reports:?}");
    assert_eq!(count(&app, "SELECT count(*) AS n FROM audit_event WHERE action = 'RETENTION_PURGE'"), 1);
}
