//! Rendez-vous (PRODUCT.md §6) over real HTTP and PostgreSQL: CRUD, validation, references,
//! overlap warnings and blocking, timeline activities, tenant isolation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{exec_sql, insert_dossier_sql, problem, user_id_sql, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

fn body(dossier: Uuid, title: &str, start: &str, end: &str, assignee: Option<Uuid>) -> Value {
    json!({
        "dossierId": dossier,
        "title": title,
        "startsAt": start,
        "endsAt": end,
        "assignedToUserId": assignee,
    })
}

async fn create(app: &TestApp, token: &str, org: Uuid, b: &Value) -> Value {
    let res = app.req(Method::POST, "/api/v1/appointments", token, org).json(b).send().await.unwrap();
    assert_eq!(res.status(), 201, "create {b}");
    res.json().await.unwrap()
}

async fn put(app: &TestApp, token: &str, id: &str, b: &Value) -> reqwest::Response {
    app.req(Method::PUT, &format!("/api/v1/appointments/{id}"), token, app.paris).json(b).send().await.unwrap()
}

async fn get_json(app: &TestApp, token: &str, org: Uuid, path: &str) -> Value {
    let res = app.req(Method::GET, path, token, org).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {path}");
    res.json().await.unwrap()
}

fn warning_ids(v: &Value) -> Vec<String> {
    v["warnings"]
        .as_array()
        .expect("writes always carry warnings")
        .iter()
        .map(|w| {
            assert_eq!(w["code"], "OVERLAP");
            w["appointmentId"].as_str().unwrap().to_string()
        })
        .collect()
}

#[actix_web::test]
async fn crud_with_etag_version_activities_and_audit() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let manager = app.login("manager@demo.atlas").await;
    let agent_id = user_id_sql(&app, "agent@demo.atlas");
    let dossier = insert_dossier_sql(&app, app.paris, "Léa Martin");

    let mut b = body(dossier, "  Visite T3 ", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(agent_id));
    b["location"] = json!("12 rue de la Paix");
    let res = app.req(Method::POST, "/api/v1/appointments", &agent, app.paris).json(&b).send().await.unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["title"], "Visite T3");
    assert_eq!(created["status"], "SCHEDULED");
    assert_eq!(created["startsAt"], "2026-12-01T10:00:00Z");
    assert_eq!(created["assignedToUserId"], agent_id.to_string());
    assert_eq!(created["annonceId"], Value::Null);
    assert_eq!(created["version"], 1);
    assert_eq!(created["warnings"], json!([]));

    let res = app.req(Method::GET, &format!("/api/v1/appointments/{id}"), &agent, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let got: Value = res.json().await.unwrap();
    assert_eq!(got["location"], "12 rue de la Paix");
    assert!(got.get("warnings").is_none(), "reads carry no warnings");

    // viewer reads, cannot write
    let viewer = app.login("viewer@demo.atlas").await;
    get_json(&app, &viewer, app.paris, &format!("/api/v1/appointments?dossierId={dossier}")).await;
    let res = app.req(Method::POST, "/api/v1/appointments", &viewer, app.paris).body("nope").send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;

    // PUT: full representation, If-Match (quoted or bare), stale → VERSION_CONFLICT
    let mut upd = body(dossier, "Visite T3 (2e)", "2026-12-01T14:00:00Z", "2026-12-01T15:00:00Z", Some(agent_id));
    upd["status"] = json!("CONFIRMED");
    let res = app
        .req(Method::PUT, &format!("/api/v1/appointments/{id}"), &agent, app.paris)
        .header("If-Match", "\"1\"")
        .json(&upd)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["status"], "CONFIRMED");
    assert_eq!(updated["location"], Value::Null, "absent optional field becomes null");
    assert_eq!(updated["warnings"], json!([]));
    let res = app
        .req(Method::PUT, &format!("/api/v1/appointments/{id}"), &agent, app.paris)
        .header("If-Match", "1")
        .json(&upd)
        .send()
        .await
        .unwrap();
    problem(res, 409, "VERSION_CONFLICT").await;
    let mut stale = upd.clone();
    stale["version"] = json!(1);
    problem(put(&app, &agent, &id, &stale).await, 409, "VERSION_CONFLICT").await;

    // status absent keeps the current one; CANCELLED is a cancel
    let res = put(&app, &agent, &id, &upd).await;
    assert_eq!(res.status(), 200);
    let mut cancel = upd.clone();
    cancel["status"] = json!("CANCELLED");
    let res = put(&app, &agent, &id, &cancel).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 4);

    // delete: MANAGER+ only
    let res = app.req(Method::DELETE, &format!("/api/v1/appointments/{id}"), &agent, app.paris).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    let res = app.req(Method::DELETE, &format!("/api/v1/appointments/{id}"), &manager, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let res = app.req(Method::GET, &format!("/api/v1/appointments/{id}"), &agent, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.req(Method::DELETE, &format!("/api/v1/appointments/{id}"), &manager, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    problem(put(&app, &agent, &id, &upd).await, 404, "NOT_FOUND").await;

    // timeline: one APPOINTMENT activity per write, newest first
    let acts =
        get_json(&app, &agent, app.paris, &format!("/api/v1/activities?dossierId={dossier}&type=APPOINTMENT")).await;
    let events: Vec<&str> =
        acts["items"].as_array().unwrap().iter().map(|a| a["metadata"]["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["DELETED", "CANCELLED", "UPDATED", "UPDATED", "CREATED"]);
    assert!(acts["items"].as_array().unwrap().iter().all(|a| a["metadata"]["appointmentId"] == id.as_str()));
    assert_eq!(acts["items"][4]["createdByUserId"], agent_id.to_string());

    // audit: one event per write
    let audit =
        get_json(&app, &manager, app.paris, &format!("/api/v1/audit-events?entityType=APPOINTMENT&entityId={id}"))
            .await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["DELETE", "UPDATE", "UPDATE", "UPDATE", "CREATE"]);
    assert_eq!(audit["items"][4]["after"]["title"], "Visite T3");
    assert_eq!(audit["items"][0]["before"]["status"], "CANCELLED");
    assert_eq!(audit["items"][0]["after"], Value::Null);
}

#[actix_web::test]
async fn validation_and_references() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let dossier = insert_dossier_sql(&app, app.paris, "Paul Durand");

    // every violation at once
    let mut b = body(dossier, "   ", "2026-12-01T11:00:00Z", "2026-12-01T11:00:00Z", None);
    b["notes"] = json!("n".repeat(10_001));
    let res = app.req(Method::POST, "/api/v1/appointments", &agent, app.paris).json(&b).send().await.unwrap();
    let p = problem(res, 400, "VALIDATION_ERROR").await;
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "endsAt", "notes"]);
    let long = body(dossier, &"t".repeat(201), "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", None);
    let res = app.req(Method::POST, "/api/v1/appointments", &agent, app.paris).json(&long).send().await.unwrap();
    problem(res, 400, "VALIDATION_ERROR").await;

    // shape errors
    let mut unknown = body(dossier, "Visite", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", None);
    unknown["color"] = json!("red");
    let res = app.req(Method::POST, "/api/v1/appointments", &agent, app.paris).json(&unknown).send().await.unwrap();
    assert_eq!(problem(res, 400, "VALIDATION_ERROR").await["errors"][0]["field"], "color");
    let bad_time = body(dossier, "Visite", "demain", "2026-12-01T11:00:00Z", None);
    let res = app.req(Method::POST, "/api/v1/appointments", &agent, app.paris).json(&bad_time).send().await.unwrap();
    assert_eq!(problem(res, 400, "VALIDATION_ERROR").await["errors"][0]["field"], "startsAt");
    let mut bad_status = body(dossier, "Visite", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", None);
    bad_status["status"] = json!("LATE");
    let res = app.req(Method::POST, "/api/v1/appointments", &agent, app.paris).json(&bad_status).send().await.unwrap();
    problem(res, 400, "VALIDATION_ERROR").await;

    // references of the body → 404 naming the field
    let ghost = body(Uuid::now_v7(), "Visite", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", None);
    let res = app.req(Method::POST, "/api/v1/appointments", &agent, app.paris).json(&ghost).send().await.unwrap();
    assert!(problem(res, 404, "NOT_FOUND").await["detail"].as_str().unwrap().contains("dossierId"));
    let mut ann = body(dossier, "Visite", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", None);
    ann["annonceId"] = json!(Uuid::now_v7());
    let res = app.req(Method::POST, "/api/v1/appointments", &agent, app.paris).json(&ann).send().await.unwrap();
    assert!(problem(res, 404, "NOT_FOUND").await["detail"].as_str().unwrap().contains("annonceId"));
    let stranger = body(dossier, "Visite", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(Uuid::now_v7()));
    let res = app.req(Method::POST, "/api/v1/appointments", &agent, app.paris).json(&stranger).send().await.unwrap();
    assert!(problem(res, 404, "NOT_FOUND").await["detail"].as_str().unwrap().contains("assignedToUserId"));

    // list parameters
    for q in [
        "size=0",
        "size=101",
        "status=LATE",
        "from=yesterday",
        "dossierId=xyz",
        "sort=title,asc",
        "from=2026-12-02&to=2026-12-01",
    ] {
        let res = app.req(Method::GET, &format!("/api/v1/appointments?{q}"), &agent, app.paris).send().await.unwrap();
        problem(res, 400, "VALIDATION_ERROR").await;
    }
    // a malformed id in the path is a 404
    let res = app.req(Method::GET, "/api/v1/appointments/not-a-uuid", &agent, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;

    // nothing was written by the refused requests
    let list = get_json(&app, &agent, app.paris, &format!("/api/v1/appointments?dossierId={dossier}")).await;
    assert_eq!(list["totalItems"], 0);
}

#[actix_web::test]
async fn overlap_of_the_same_assignee_is_a_warning() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let agent_id = user_id_sql(&app, "agent@demo.atlas");
    let manager_id = user_id_sql(&app, "manager@demo.atlas");
    let d = insert_dossier_sql(&app, app.paris, "Inès Roux");

    let a =
        create(&app, &agent, app.paris, &body(d, "A", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(agent_id)))
            .await;
    let a_id = a["id"].as_str().unwrap().to_string();
    assert!(warning_ids(&a).is_empty());

    // overlapping → warning naming the first
    let b =
        create(&app, &agent, app.paris, &body(d, "B", "2026-12-01T10:30:00Z", "2026-12-01T11:30:00Z", Some(agent_id)))
            .await;
    assert_eq!(warning_ids(&b), [a_id.as_str()]);
    let b_id = b["id"].as_str().unwrap().to_string();

    // touching ends → none (half-open intervals)
    let c =
        create(&app, &agent, app.paris, &body(d, "C", "2026-12-01T11:30:00Z", "2026-12-01T12:00:00Z", Some(agent_id)))
            .await;
    assert!(warning_ids(&c).is_empty());
    let early =
        create(&app, &agent, app.paris, &body(d, "D", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", Some(agent_id)))
            .await;
    assert!(warning_ids(&early).is_empty());

    // another assignee, or nobody → none
    let other = create(
        &app,
        &agent,
        app.paris,
        &body(d, "E", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(manager_id)),
    )
    .await;
    assert!(warning_ids(&other).is_empty());
    let nobody =
        create(&app, &agent, app.paris, &body(d, "F", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", None)).await;
    assert!(warning_ids(&nobody).is_empty());

    // an update is not compared with itself; it sees both neighbours
    let res =
        put(&app, &agent, &b_id, &body(d, "B", "2026-12-01T10:30:00Z", "2026-12-01T11:45:00Z", Some(agent_id))).await;
    assert_eq!(res.status(), 200);
    let mut ids = warning_ids(&res.json::<Value>().await.unwrap());
    ids.sort();
    let mut expected = vec![a_id.clone(), c["id"].as_str().unwrap().to_string()];
    expected.sort();
    assert_eq!(ids, expected);

    // cancelled appointments occupy no slot
    let mut cancel = body(d, "A", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(agent_id));
    cancel["status"] = json!("CANCELLED");
    let res = put(&app, &agent, &a_id, &cancel).await;
    assert_eq!(res.status(), 200);
    assert!(warning_ids(&res.json::<Value>().await.unwrap()).is_empty(), "a cancelled one warns of nothing");
    let g =
        create(&app, &agent, app.paris, &body(d, "G", "2026-12-01T10:00:00Z", "2026-12-01T10:15:00Z", Some(agent_id)))
            .await;
    assert!(warning_ids(&g).is_empty());
}

#[actix_web::test]
async fn blocking_org_refuses_overlaps_with_409() {
    let app = TestApp::spawn().await;
    exec_sql(
        &app,
        &format!(
            r#"UPDATE organisation SET settings = '{{"blockAppointmentOverlap": true}}' WHERE id = '{}'"#,
            app.paris
        ),
    );
    let agent = app.login("agent@demo.atlas").await;
    let agent_id = user_id_sql(&app, "agent@demo.atlas");
    let d = insert_dossier_sql(&app, app.paris, "Marc Petit");

    let a =
        create(&app, &agent, app.paris, &body(d, "A", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(agent_id)))
            .await;
    let res = app
        .req(Method::POST, "/api/v1/appointments", &agent, app.paris)
        .json(&body(d, "B", "2026-12-01T10:59:00Z", "2026-12-01T12:00:00Z", Some(agent_id)))
        .send()
        .await
        .unwrap();
    let p = problem(res, 409, "APPOINTMENT_CONFLICT").await;
    assert!(p["detail"].as_str().unwrap().contains(a["id"].as_str().unwrap()));

    // touching is fine; moving it onto A is refused, as is un-cancelling onto A
    let b =
        create(&app, &agent, app.paris, &body(d, "B", "2026-12-01T11:00:00Z", "2026-12-01T12:00:00Z", Some(agent_id)))
            .await;
    let b_id = b["id"].as_str().unwrap().to_string();
    let res =
        put(&app, &agent, &b_id, &body(d, "B", "2026-12-01T10:30:00Z", "2026-12-01T12:00:00Z", Some(agent_id))).await;
    problem(res, 409, "APPOINTMENT_CONFLICT").await;
    let mut cancelled = body(d, "C", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(agent_id));
    cancelled["status"] = json!("CANCELLED");
    let c = create(&app, &agent, app.paris, &cancelled).await;
    assert!(warning_ids(&c).is_empty());
    let mut revived = body(d, "C", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(agent_id));
    revived["status"] = json!("SCHEDULED");
    let res = put(&app, &agent, c["id"].as_str().unwrap(), &revived).await;
    problem(res, 409, "APPOINTMENT_CONFLICT").await;

    // the refused writes left nothing behind: 3 appointments, 3 creation activities
    let list = get_json(&app, &agent, app.paris, &format!("/api/v1/appointments?dossierId={d}")).await;
    assert_eq!(list["totalItems"], 3);
    let acts = get_json(&app, &agent, app.paris, &format!("/api/v1/activities?dossierId={d}&type=APPOINTMENT")).await;
    assert_eq!(acts["totalItems"], 3);
    let res = app.req(Method::GET, &format!("/api/v1/appointments/{b_id}"), &agent, app.paris).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["startsAt"], "2026-12-01T11:00:00Z");
}

#[actix_web::test]
async fn list_filters_range_sort_and_paging() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let agent_id = user_id_sql(&app, "agent@demo.atlas");
    let manager_id = user_id_sql(&app, "manager@demo.atlas");
    let d1 = insert_dossier_sql(&app, app.paris, "Un");
    let d2 = insert_dossier_sql(&app, app.paris, "Deux");
    // created out of order: the list sorts by startsAt
    create(&app, &agent, app.paris, &body(d1, "late", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z", Some(agent_id)))
        .await;
    create(
        &app,
        &agent,
        app.paris,
        &body(d1, "early", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", Some(manager_id)),
    )
    .await;
    let mut night = body(d2, "night", "2026-12-01T23:30:00Z", "2026-12-02T00:30:00Z", Some(agent_id));
    night["status"] = json!("CONFIRMED");
    create(&app, &agent, app.paris, &night).await;

    let titles = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_string()).collect()
    };
    let all = get_json(&app, &agent, app.paris, "/api/v1/appointments").await;
    assert_eq!(titles(&all), ["early", "night", "late"]);
    assert_eq!(all["totalItems"], 3);
    let desc = get_json(&app, &agent, app.paris, "/api/v1/appointments?sort=startsAt,desc").await;
    assert_eq!(titles(&desc), ["late", "night", "early"]);
    let paged = get_json(&app, &agent, app.paris, "/api/v1/appointments?size=2&page=1").await;
    assert_eq!(titles(&paged), ["late"]);
    assert_eq!((paged["totalPages"].as_u64(), paged["size"].as_u64()), (Some(2), Some(2)));

    let q = |s: &str| format!("/api/v1/appointments?{s}");
    assert_eq!(titles(&get_json(&app, &agent, app.paris, &q(&format!("dossierId={d2}"))).await), ["night"]);
    assert_eq!(
        titles(&get_json(&app, &agent, app.paris, &q(&format!("assignedToUserId={manager_id}"))).await),
        ["early"]
    );
    assert_eq!(titles(&get_json(&app, &agent, app.paris, &q("status=CONFIRMED")).await), ["night"]);
    // dates cover whole days; the range selects overlapping appointments
    assert_eq!(titles(&get_json(&app, &agent, app.paris, &q("from=2026-12-02&to=2026-12-02")).await), ["night"]);
    assert_eq!(titles(&get_json(&app, &agent, app.paris, &q("from=2026-12-02")).await), ["night", "late"]);
    assert_eq!(titles(&get_json(&app, &agent, app.paris, &q("to=2026-12-01")).await), ["early", "night"]);
    // RFC 3339 bounds: an appointment ending exactly at `from` does not overlap it
    assert_eq!(
        titles(&get_json(&app, &agent, app.paris, &q("from=2026-12-01T10:00:00Z&to=2026-12-01T23:30:00Z")).await),
        ["night"]
    );
    assert_eq!(
        titles(
            &get_json(&app, &agent, app.paris, &q("from=2026-12-01T09:59:00%2B00:00&to=2026-12-01T12:00:00Z")).await
        ),
        ["early"]
    );
}

#[actix_web::test]
async fn other_orgs_appointments_are_invisible() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let manager = app.login("manager@demo.atlas").await;
    let admin_id = user_id_sql(&app, "admin@demo.atlas");
    let lyon_dossier = insert_dossier_sql(&app, app.lyon, "Lyonnais");
    let paris_dossier = insert_dossier_sql(&app, app.paris, "Parisien");
    let lyon = create(
        &app,
        &admin,
        app.lyon,
        &body(lyon_dossier, "Lyon", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(admin_id)),
    )
    .await;
    let id = lyon["id"].as_str().unwrap();

    let res = app.req(Method::GET, &format!("/api/v1/appointments/{id}"), &manager, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let upd = body(paris_dossier, "mine now", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", None);
    problem(put(&app, &manager, id, &upd).await, 404, "NOT_FOUND").await;
    let res = app.req(Method::DELETE, &format!("/api/v1/appointments/{id}"), &manager, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    // even the admin of both orgs sees it only through the Lyon header
    let res = app.req(Method::GET, &format!("/api/v1/appointments/{id}"), &admin, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let list = get_json(&app, &admin, app.paris, "/api/v1/appointments").await;
    assert_eq!(list["totalItems"], 0);
    let list = get_json(&app, &admin, app.lyon, "/api/v1/appointments").await;
    assert_eq!(list["totalItems"], 1);

    // a Paris write cannot point at a Lyon dossier, and the Lyon agenda does not warn Paris
    let res = app
        .req(Method::POST, "/api/v1/appointments", &admin, app.paris)
        .json(&body(lyon_dossier, "x", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", None))
        .send()
        .await
        .unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let paris = create(
        &app,
        &admin,
        app.paris,
        &body(paris_dossier, "Paris", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(admin_id)),
    )
    .await;
    assert!(warning_ids(&paris).is_empty());
    // the manager is not a member of Lyon: it cannot be assigned there
    let manager_id = user_id_sql(&app, "manager@demo.atlas");
    let res = app
        .req(Method::POST, "/api/v1/appointments", &admin, app.lyon)
        .json(&body(lyon_dossier, "x", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", Some(manager_id)))
        .send()
        .await
        .unwrap();
    assert!(problem(res, 404, "NOT_FOUND").await["detail"].as_str().unwrap().contains("assignedToUserId"));
}

#[actix_web::test]
async fn concurrent_overlapping_creates_in_a_blocking_org_store_one() {
    let app = TestApp::spawn().await;
    exec_sql(
        &app,
        &format!(
            r#"UPDATE organisation SET settings = '{{"blockAppointmentOverlap": true}}' WHERE id = '{}'"#,
            app.paris
        ),
    );
    let agent = app.login("agent@demo.atlas").await;
    let agent_id = user_id_sql(&app, "agent@demo.atlas");
    let d = insert_dossier_sql(&app, app.paris, "Course");
    for round in 0..3 {
        let start = format!("2026-12-0{}T10:00:00Z", round + 1);
        let end = format!("2026-12-0{}T11:00:00Z", round + 1);
        let b = body(d, "même créneau", &start, &end, Some(agent_id));
        let send = || app.req(Method::POST, "/api/v1/appointments", &agent, app.paris).json(&b).send();
        let (r1, r2) = tokio::join!(send(), send());
        let mut statuses = [r1.unwrap().status().as_u16(), r2.unwrap().status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {round}");
    }
    let list = get_json(&app, &agent, app.paris, &format!("/api/v1/appointments?dossierId={d}")).await;
    assert_eq!(list["totalItems"], 3);
}
