//! Dashboard endpoints (PRODUCT.md §11) against a fixed data set inserted by SQL, with explicit
//! timestamps around the day boundaries of the org time zone (Europe/Paris: UTC+1 in early March,
//! UTC+2 from 2026-03-29). Every expected number below is computed by hand in the comments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{problem, TestApp};
use diesel::{sql_query, RunQueryDsl};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

/// Named ids of the fixture, so assertions can refer to them.
struct Fixture {
    a1: Uuid,
    a2: Uuid,
}

fn exec(app: &TestApp, sql: &str) {
    let mut conn = app.pool.get().unwrap();
    sql_query(sql).execute(&mut conn).unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// The period used by most tests: 2026-03-02 (Monday) .. 2026-03-08 (Sunday), Europe/Paris
/// = [2026-03-01T23:00Z, 2026-03-08T23:00Z).
///
/// Dossiers (created_at UTC → local date):
/// - D1 2026-03-01T23:30Z → 03-02 IN, WEB, A1; NEW→QUALIFYING 03-02T10:30Z, →QUALIFIED 03-03T10:30Z,
///   →APPOINTMENT 03-04T10:30Z, →WON 03-05T10:30Z
/// - D2 2026-03-01T22:30Z → 03-01 OUT, PHONE, A1; NEW→LOST 03-02T12:00Z
/// - D3 2026-03-08T22:59Z → 03-08 IN, WEB; NEW
/// - D4 2026-03-08T23:00Z → 03-09 OUT, WEB; NEW
/// - D5 2026-03-04T08:00Z IN, WHATSAPP, A2; NEW→QUALIFIED 03-04T20:00Z, →LOST 03-06T08:00Z
/// - D6 2026-02-20T09:00Z OUT, REFERRAL, A2; NEW→APPOINTMENT 02-21T09:00Z, →WON 03-09T08:00Z (OUT)
/// - D7 2026-03-06T10:00Z IN, PORTAL, A2; NEW
/// - D8 2026-03-29T22:30Z → 03-30 00:30 CEST; D9 2026-03-28T23:30Z → 03-29 00:30 CET (DST check)
/// - L1 in the Lyon org, inside the period: must never show up in Paris.
fn insert_fixture(app: &TestApp) -> Fixture {
    let (p, l) = (app.paris, app.lyon);
    let id = || Uuid::now_v7();
    let (a1, a2, a3, a4, la) = (id(), id(), id(), id(), id());
    exec(
        app,
        &format!(
            "INSERT INTO annonce (org_id, id, reference, title, transaction_type, property_type, status) VALUES \
             ('{p}', '{a1}', 'ANN-000001', 'Studio Bastille', 'RENT', 'APARTMENT', 'PUBLISHED'), \
             ('{p}', '{a2}', 'ANN-000002', 'Maison Vincennes', 'SALE', 'HOUSE', 'PUBLISHED'), \
             ('{p}', '{a3}', 'ANN-000003', 'Loft archivé', 'SALE', 'APARTMENT', 'ARCHIVED'), \
             ('{p}', '{a4}', 'ANN-000004', 'Brouillon', 'SALE', 'APARTMENT', 'DRAFT'), \
             ('{l}', '{la}', 'ANN-000001', 'Lyon publié', 'SALE', 'APARTMENT', 'PUBLISHED')"
        ),
    );
    let ds: Vec<Uuid> = (0..10).map(|_| id()).collect();
    let [d1, d2, d3, d4, d5, d6, d7, d8, d9, l1] = ds[..] else { unreachable!() };
    let dossier = |org: Uuid, d: Uuid, r: &str, source: &str, annonce: Option<Uuid>, status: &str, created: &str| {
        let ann = annonce.map(|a| format!("'{a}'")).unwrap_or_else(|| "NULL".into());
        format!(
            "('{org}', '{d}', '{r}', {ann}, 'Lead {r}', '{source}', 'BUY', '{status}', '{created}', '{created}', '{created}')"
        )
    };
    let rows = [
        dossier(p, d1, "DOS-000001", "WEB", Some(a1), "WON", "2026-03-01T23:30:00Z"),
        dossier(p, d2, "DOS-000002", "PHONE", Some(a1), "LOST", "2026-03-01T22:30:00Z"),
        dossier(p, d3, "DOS-000003", "WEB", None, "NEW", "2026-03-08T22:59:00Z"),
        dossier(p, d4, "DOS-000004", "WEB", None, "NEW", "2026-03-08T23:00:00Z"),
        dossier(p, d5, "DOS-000005", "WHATSAPP", Some(a2), "LOST", "2026-03-04T08:00:00Z"),
        dossier(p, d6, "DOS-000006", "REFERRAL", Some(a2), "WON", "2026-02-20T09:00:00Z"),
        dossier(p, d7, "DOS-000007", "PORTAL", Some(a2), "NEW", "2026-03-06T10:00:00Z"),
        dossier(p, d8, "DOS-000008", "WEB", None, "NEW", "2026-03-29T22:30:00Z"),
        dossier(p, d9, "DOS-000009", "WEB", None, "NEW", "2026-03-28T23:30:00Z"),
        dossier(l, l1, "DOS-000001", "WEB", Some(la), "WON", "2026-03-03T10:00:00Z"),
    ];
    exec(
        app,
        &format!(
            "INSERT INTO dossier (org_id, id, reference, annonce_id, lead_name, source, dossier_type, status, \
             created_at, updated_at, last_activity_at) VALUES {}",
            rows.join(", ")
        ),
    );
    let hist = |org: Uuid, d: Uuid, from: &str, to: &str, at: &str| {
        format!("('{org}', '{}', '{d}', '{from}', '{to}', '{at}')", Uuid::now_v7())
    };
    let rows = [
        hist(p, d1, "NEW", "QUALIFYING", "2026-03-02T10:30:00Z"),
        hist(p, d1, "QUALIFYING", "QUALIFIED", "2026-03-03T10:30:00Z"),
        hist(p, d1, "QUALIFIED", "APPOINTMENT", "2026-03-04T10:30:00Z"),
        hist(p, d1, "APPOINTMENT", "WON", "2026-03-05T10:30:00Z"),
        hist(p, d2, "NEW", "LOST", "2026-03-02T12:00:00Z"),
        hist(p, d5, "NEW", "QUALIFIED", "2026-03-04T20:00:00Z"),
        hist(p, d5, "QUALIFIED", "LOST", "2026-03-06T08:00:00Z"),
        hist(p, d6, "NEW", "APPOINTMENT", "2026-02-21T09:00:00Z"),
        hist(p, d6, "APPOINTMENT", "WON", "2026-03-09T08:00:00Z"),
        hist(l, l1, "NEW", "WON", "2026-03-04T10:00:00Z"),
    ];
    exec(
        app,
        &format!(
            "INSERT INTO dossier_status_history (org_id, id, dossier_id, from_status, to_status, changed_at) VALUES {}",
            rows.join(", ")
        ),
    );
    let appt = |org: Uuid, d: Uuid, status: &str, start: &str| {
        format!(
            "('{org}', '{}', '{d}', 'Visite', '{start}', '{start}'::timestamptz + interval '1 hour', '{status}')",
            Uuid::now_v7()
        )
    };
    let rows = [
        appt(p, d1, "SCHEDULED", "2026-03-04T14:00:00Z"),
        appt(p, d5, "CANCELLED", "2026-03-05T14:00:00Z"),
        appt(p, d6, "SCHEDULED", "2026-03-08T23:30:00Z"),
        appt(p, d1, "DONE", "2026-03-01T23:15:00Z"),
        appt(l, l1, "SCHEDULED", "2026-03-04T14:00:00Z"),
    ];
    exec(
        app,
        &format!(
            "INSERT INTO appointment (org_id, id, dossier_id, title, starts_at, ends_at, status) VALUES {}",
            rows.join(", ")
        ),
    );
    let msg = |org: Uuid, d: Uuid, dir: &str, at: &str| {
        format!("('{org}', '{}', '{d}', 'WHATSAPP', '{dir}', 'Bonjour', '{at}')", Uuid::now_v7())
    };
    let rows = [
        msg(p, d1, "INBOUND", "2026-03-02T08:00:00Z"),
        msg(p, d1, "OUTBOUND", "2026-03-02T09:30:00Z"),
        msg(p, d1, "INBOUND", "2026-03-03T08:00:00Z"),
        msg(p, d1, "OUTBOUND", "2026-03-03T09:00:00Z"),
        msg(p, d5, "OUTBOUND", "2026-03-04T07:00:00Z"),
        msg(p, d5, "INBOUND", "2026-03-04T08:00:00Z"),
        msg(p, d5, "OUTBOUND", "2026-03-04T12:00:00Z"),
        msg(p, d3, "INBOUND", "2026-03-08T22:00:00Z"),
        msg(p, d6, "INBOUND", "2026-02-20T09:00:00Z"),
        msg(p, d6, "OUTBOUND", "2026-03-02T10:00:00Z"),
        msg(p, d6, "INBOUND", "2026-03-02T11:00:00Z"),
        msg(p, d2, "INBOUND", "2026-03-01T22:30:00Z"),
        msg(p, d2, "OUTBOUND", "2026-03-01T23:30:00Z"),
        msg(p, d4, "OUTBOUND", "2026-03-08T23:10:00Z"),
        msg(l, l1, "INBOUND", "2026-03-03T10:00:00Z"),
        msg(l, l1, "OUTBOUND", "2026-03-03T10:30:00Z"),
    ];
    exec(
        app,
        &format!(
            "INSERT INTO message (org_id, id, dossier_id, channel, direction, content, occurred_at) VALUES {}",
            rows.join(", ")
        ),
    );
    let _ = (d8, d9);
    Fixture { a1, a2 }
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.req(Method::GET, path, token, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {path}");
    res.json().await.unwrap()
}

const WEEK: &str = "from=2026-03-02&to=2026-03-08";

#[actix_web::test]
async fn kpis_are_computed_in_the_org_time_zone() {
    let app = TestApp::spawn().await;
    insert_fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    let k = get(&app, &viewer, &format!("/api/v1/dashboard/kpis?{WEEK}")).await;
    assert_eq!(
        k,
        json!({
            "from": "2026-03-02", "to": "2026-03-08", "timezone": "Europe/Paris",
            // D1 (created 03-01T23:30Z = 03-02 00:30 Paris), D3 (23:59 Paris on 03-08), D5, D7;
            // not D2 (03-01 23:30 Paris) nor D4 (03-09 00:00 Paris)
            "newDossiers": 4,
            // existing before 03-08T23:00Z and not closed by then: D3, D6 (won only on 03-09), D7
            "openDossiers": 3,
            // D1 on 03-05 / D2 on 03-02 and D5 on 03-06; D6's WON on 03-09 is outside
            "wonDossiers": 1, "lostDossiers": 2,
            "conversionRate": 0.3333,
            // D1 03-04 and D1 03-02 00:15 Paris (DONE counts); not the CANCELLED one, not 03-09 00:30 Paris
            "appointmentsScheduled": 2,
            // in: D1 ×2, D5, D3 (23:00 Paris), D6 (03-02); out: D2 03-01 23:30 Paris, D6 02-20
            "inboundMessages": 5,
            // D1 ×2, D5 ×2, D6 03-02, D2 03-02 00:30 Paris; not D4 (03-09 00:10 Paris)
            "outboundMessages": 6,
            // first inbound in period: D1 → 1.5 h, D5 → 4 h (its earlier outbound does not count),
            // D3 never answered (left out); D2, D6 first wrote before the period
            "medianHoursToFirstResponse": 2.75,
            // A1, A2 (ARCHIVED and DRAFT are not active)
            "activeAnnonces": 2,
        })
    );

    // The same instants read in UTC: D1 falls on 03-01, D3 and D4 both on 03-08.
    exec(&app, &format!("UPDATE organisation SET timezone = 'UTC' WHERE id = '{}'", app.paris));
    let k = get(&app, &viewer, &format!("/api/v1/dashboard/kpis?{WEEK}")).await;
    assert_eq!(k["timezone"], "UTC");
    assert_eq!(k["newDossiers"], 4, "D3, D4, D5, D7");
    assert_eq!(k["appointmentsScheduled"], 2, "D1 03-04 and D6 03-08T23:30Z; 03-01T23:15Z is out");
}

#[actix_web::test]
async fn days_follow_daylight_saving_time() {
    let app = TestApp::spawn().await;
    insert_fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    // 2026-03-29 is the 23-hour day: [03-28T23:00Z, 03-29T22:00Z). D9 (03-28T23:30Z) is in,
    // D8 (03-29T22:30Z = 03-30 00:30 CEST) is the next day.
    let k = get(&app, &viewer, "/api/v1/dashboard/kpis?from=2026-03-29&to=2026-03-29").await;
    assert_eq!(k["newDossiers"], 1);
    let t = get(&app, &viewer, "/api/v1/dashboard/timeseries?from=2026-03-28&to=2026-03-30").await;
    assert_eq!(
        t["points"],
        json!([{"date": "2026-03-28", "value": 0}, {"date": "2026-03-29", "value": 1}, {"date": "2026-03-30", "value": 1}])
    );
}

#[actix_web::test]
async fn funnel_counts_the_cohort_reaching_each_status() {
    let app = TestApp::spawn().await;
    insert_fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    let f = get(&app, &viewer, &format!("/api/v1/dashboard/funnel?{WEEK}")).await;
    assert_eq!(f["from"], "2026-03-02");
    // cohort D1, D3, D5, D7: D1 went through every step to WON, D5 NEW→QUALIFIED→LOST
    assert_eq!(
        f["items"],
        json!([
            {"status": "NEW", "count": 4},
            {"status": "QUALIFYING", "count": 1},
            {"status": "QUALIFIED", "count": 2},
            {"status": "APPOINTMENT", "count": 1},
            {"status": "WON", "count": 1},
            {"status": "LOST", "count": 1},
        ])
    );
}

#[actix_web::test]
async fn sources_list_every_source_with_won_lost_and_conversion() {
    let app = TestApp::spawn().await;
    insert_fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    let s = get(&app, &viewer, &format!("/api/v1/dashboard/sources?{WEEK}")).await;
    let zero = |src: &str| json!({"source": src, "dossiers": 0, "won": 0, "lost": 0, "conversionRate": null});
    assert_eq!(
        s["items"],
        json!([
            {"source": "WEB", "dossiers": 2, "won": 1, "lost": 0, "conversionRate": 1.0},
            {"source": "WHATSAPP", "dossiers": 1, "won": 0, "lost": 1, "conversionRate": 0.0},
            {"source": "PORTAL", "dossiers": 1, "won": 0, "lost": 0, "conversionRate": null},
            zero("PHONE"), zero("EMAIL"), zero("WALK_IN"), zero("REFERRAL"), zero("IMPORT"), zero("OTHER"),
        ])
    );
}

#[actix_web::test]
async fn top_annonces_rank_by_dossiers_then_won() {
    let app = TestApp::spawn().await;
    let fx = insert_fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    let t = get(&app, &viewer, &format!("/api/v1/dashboard/top-annonces?{WEEK}")).await;
    // cohort: A2 ← D5 (LOST), D7; A1 ← D1 (WON). D2 and D6 were created outside the period.
    assert_eq!(
        t["items"],
        json!([
            {"annonceId": fx.a2, "reference": "ANN-000002", "title": "Maison Vincennes",
             "dossiers": 2, "won": 0, "lost": 1, "conversionRate": 0.0},
            {"annonceId": fx.a1, "reference": "ANN-000001", "title": "Studio Bastille",
             "dossiers": 1, "won": 1, "lost": 0, "conversionRate": 1.0},
        ])
    );
}

#[actix_web::test]
async fn durations_average_completed_stays_ending_in_the_period() {
    let app = TestApp::spawn().await;
    insert_fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    let d = get(&app, &viewer, &format!("/api/v1/dashboard/durations?{WEEK}")).await;
    // NEW: D1 23:30→10:30 = 11 h, D2 22:30→12:00 = 13.5 h, D5 08:00→20:00 = 12 h
    // QUALIFYING: D1 24 h; QUALIFIED: D1 24 h, D5 03-04 20:00 → 03-06 08:00 = 36 h; APPOINTMENT: D1 24 h
    // (D6's APPOINTMENT stay ends on 03-09: outside)
    assert_eq!(
        d["items"],
        json!([
            {"status": "NEW", "count": 3, "meanHours": 12.17, "medianHours": 12.0},
            {"status": "QUALIFYING", "count": 1, "meanHours": 24.0, "medianHours": 24.0},
            {"status": "QUALIFIED", "count": 2, "meanHours": 30.0, "medianHours": 30.0},
            {"status": "APPOINTMENT", "count": 1, "meanHours": 24.0, "medianHours": 24.0},
        ])
    );
    let empty = get(&app, &viewer, "/api/v1/dashboard/durations?from=2025-01-01&to=2025-01-31").await;
    assert_eq!(empty["items"][0], json!({"status": "NEW", "count": 0, "meanHours": null, "medianHours": null}));
}

#[actix_web::test]
async fn timeseries_zero_fills_days_and_weeks() {
    let app = TestApp::spawn().await;
    insert_fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    let t = get(&app, &viewer, &format!("/api/v1/dashboard/timeseries?metric=newDossiers&interval=day&{WEEK}")).await;
    assert_eq!(t["metric"], "newDossiers");
    assert_eq!(t["interval"], "day");
    let values: Vec<(String, i64)> = t["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["date"].as_str().unwrap().to_string(), p["value"].as_i64().unwrap()))
        .collect();
    let expected = [
        ("2026-03-02", 1),
        ("2026-03-03", 0),
        ("2026-03-04", 1),
        ("2026-03-05", 0),
        ("2026-03-06", 1),
        ("2026-03-07", 0),
        ("2026-03-08", 1),
    ];
    assert_eq!(values, expected.map(|(d, v)| (d.to_string(), v)));

    // weeks start on Monday: 02-23 holds D2 (03-01 23:30 Paris); 03-02 holds D1, D3, D5, D7
    let t = get(
        &app,
        &viewer,
        "/api/v1/dashboard/timeseries?metric=newDossiers&interval=week&from=2026-02-25&to=2026-03-08",
    )
    .await;
    assert_eq!(t["points"], json!([{"date": "2026-02-23", "value": 1}, {"date": "2026-03-02", "value": 4}]));

    let t = get(&app, &viewer, &format!("/api/v1/dashboard/timeseries?metric=outboundMessages&{WEEK}")).await;
    let total: i64 = t["points"].as_array().unwrap().iter().map(|p| p["value"].as_i64().unwrap()).sum();
    assert_eq!(total, 6, "same as the kpi");
    // 03-02: D1 09:30Z, D6 10:00Z, D2 03-01T23:30Z (= 03-02 00:30 Paris)
    assert_eq!(t["points"][0], json!({"date": "2026-03-02", "value": 3}));
}

#[actix_web::test]
async fn default_period_is_the_last_thirty_local_days() {
    let app = TestApp::spawn().await;
    let viewer = app.login("viewer@demo.atlas").await;
    #[derive(diesel::QueryableByName)]
    struct D {
        #[diesel(sql_type = diesel::sql_types::Text)]
        today: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        start: String,
    }
    let d: D = sql_query(
        "SELECT (now() AT TIME ZONE 'Europe/Paris')::date::text AS today, \
                ((now() AT TIME ZONE 'Europe/Paris')::date - 29)::text AS start",
    )
    .get_result(&mut app.pool.get().unwrap())
    .unwrap();
    let k = get(&app, &viewer, "/api/v1/dashboard/kpis").await;
    assert_eq!((k["from"].as_str().unwrap(), k["to"].as_str().unwrap()), (d.start.as_str(), d.today.as_str()));
    assert_eq!(k["newDossiers"], 0);
    assert_eq!(k["conversionRate"], Value::Null);
    assert_eq!(k["medianHoursToFirstResponse"], Value::Null);
    let t = get(&app, &viewer, "/api/v1/dashboard/timeseries").await;
    assert_eq!(t["points"].as_array().unwrap().len(), 30);
}

#[actix_web::test]
async fn bad_parameters_are_reported_together_and_auth_comes_first() {
    let app = TestApp::spawn().await;
    let viewer = app.login("viewer@demo.atlas").await;
    let res = app.req(Method::GET, "/api/v1/dashboard/kpis?from=2026-03-09&to=2026-03-02", &viewer, app.paris);
    let body = problem(res.send().await.unwrap(), 400, "VALIDATION_ERROR").await;
    assert_eq!(body["errors"][0]["field"], "from");
    let res = app.req(Method::GET, "/api/v1/dashboard/funnel?from=yesterday&to=2026-13-01", &viewer, app.paris);
    let body = problem(res.send().await.unwrap(), 400, "VALIDATION_ERROR").await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["from", "to"]);
    let res = app.req(Method::GET, "/api/v1/dashboard/timeseries?metric=revenue&interval=month", &viewer, app.paris);
    let body = problem(res.send().await.unwrap(), 400, "VALIDATION_ERROR").await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["metric", "interval"]);

    let res = app.client.get(app.url("/api/v1/dashboard/kpis?from=nope")).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
    let agent = app.login("agent@demo.atlas").await;
    // agent@ is not a member of Lyon
    let res = app.req(Method::GET, "/api/v1/dashboard/kpis", &agent, app.lyon).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
}
