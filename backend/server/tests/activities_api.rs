//! Timeline (PRODUCT.md §8): notes CRUD with author rules, read-only system activities, order,
//! filters and tenant isolation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{add_user_and_login, exec_sql, insert_dossier_sql, problem, user_id_sql, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

async fn post_note(app: &TestApp, token: &str, org: Uuid, b: &Value) -> reqwest::Response {
    app.req(Method::POST, "/api/v1/activities", token, org).json(b).send().await.unwrap()
}

async fn note(app: &TestApp, token: &str, dossier: Uuid, content: &str) -> Value {
    let res = post_note(app, token, app.paris, &json!({"dossierId": dossier, "content": content})).await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn get_json(app: &TestApp, token: &str, org: Uuid, path: &str) -> Value {
    let res = app.req(Method::GET, path, token, org).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {path}");
    res.json().await.unwrap()
}

fn contents(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|a| a["content"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn notes_crud_with_author_rules_and_audit() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let manager = app.login("manager@demo.atlas").await;
    let viewer = app.login("viewer@demo.atlas").await;
    let other_agent = add_user_and_login(&app, "agent2@demo.atlas", "AGENT").await;
    let agent_id = user_id_sql(&app, "agent@demo.atlas");
    let d = insert_dossier_sql(&app, app.paris, "Claire Blanc");

    let res =
        post_note(&app, &agent, app.paris, &json!({"dossierId": d, "content": "  Rappeler lundi ", "type": "NOTE"}))
            .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let n: Value = res.json().await.unwrap();
    let id = n["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/api/v1/activities/{id}"));
    assert_eq!((n["type"].as_str(), n["content"].as_str()), (Some("NOTE"), Some("Rappeler lundi")));
    assert_eq!(n["createdByUserId"], agent_id.to_string());
    assert_eq!(n["metadata"], json!({}));
    let got = get_json(&app, &viewer, app.paris, &location).await;
    assert_eq!(got, n);

    // only notes can be written; role and body checks
    let res =
        post_note(&app, &agent, app.paris, &json!({"dossierId": d, "content": "x", "type": "STATUS_CHANGE"})).await;
    assert_eq!(problem(res, 400, "VALIDATION_ERROR").await["errors"][0]["field"], "type");
    let res = post_note(&app, &agent, app.paris, &json!({"dossierId": d, "content": "   "})).await;
    assert_eq!(problem(res, 400, "VALIDATION_ERROR").await["errors"][0]["field"], "content");
    let res = post_note(&app, &agent, app.paris, &json!({"dossierId": d, "content": "x", "metadata": {}})).await;
    problem(res, 400, "VALIDATION_ERROR").await;
    let res = post_note(&app, &agent, app.paris, &json!({"dossierId": Uuid::now_v7(), "content": "x"})).await;
    assert!(problem(res, 404, "NOT_FOUND").await["detail"].as_str().unwrap().contains("dossierId"));
    let res = post_note(&app, &viewer, app.paris, &json!({"dossierId": d, "content": "x"})).await;
    problem(res, 403, "FORBIDDEN").await;

    // the author edits; another agent may not; a manager may
    let path = format!("/api/v1/activities/{id}");
    let res = app
        .req(Method::PUT, &path, &agent, app.paris)
        .header("If-Match", "1")
        .json(&json!({"content": "Rappeler mardi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let edited: Value = res.json().await.unwrap();
    assert_eq!(edited["content"], "Rappeler mardi");
    assert_eq!(edited["occurredAt"], n["occurredAt"], "an absent occurredAt is kept");
    let res =
        app.req(Method::PUT, &path, &other_agent, app.paris).json(&json!({"content": "pirate"})).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    let res = app.req(Method::DELETE, &path, &other_agent, app.paris).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    let res =
        app.req(Method::PUT, &path, &viewer, app.paris).json(&json!({"content": "lecteur"})).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    let res = app
        .req(Method::PUT, &path, &manager, app.paris)
        .json(&json!({"content": "Revu", "version": 1}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "VERSION_CONFLICT").await;
    let res = app
        .req(Method::PUT, &path, &manager, app.paris)
        .json(&json!({"content": "Revu par le manager", "occurredAt": "2026-11-20T08:00:00Z", "dossierId": d}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let edited: Value = res.json().await.unwrap();
    assert_eq!((edited["version"].as_i64(), edited["occurredAt"].as_str()), (Some(3), Some("2026-11-20T08:00:00Z")));
    assert_eq!(edited["createdByUserId"], agent_id.to_string(), "the author stays the author");
    let other = insert_dossier_sql(&app, app.paris, "Autre");
    let res = app
        .req(Method::PUT, &path, &agent, app.paris)
        .json(&json!({"content": "x", "dossierId": other}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 400, "VALIDATION_ERROR").await["errors"][0]["field"], "dossierId");

    // the author deletes
    let res = app.req(Method::DELETE, &path, &agent, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 204);
    problem(app.req(Method::GET, &path, &agent, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;
    problem(app.req(Method::DELETE, &path, &agent, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;

    // a manager deletes another's note
    let second = note(&app, &other_agent, d, "Note de l'agent 2").await;
    let res = app
        .req(Method::DELETE, &format!("/api/v1/activities/{}", second["id"].as_str().unwrap()), &manager, app.paris)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    let audit =
        get_json(&app, &manager, app.paris, &format!("/api/v1/audit-events?entityType=ACTIVITY&entityId={id}")).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["DELETE", "UPDATE", "UPDATE", "CREATE"]);
    assert_eq!(
        audit["items"][2]["diff"],
        json!([{"op": "replace", "path": "/content", "value": "Rappeler mardi"}, {"op": "replace", "path": "/version", "value": 2}])
    );
}

#[actix_web::test]
async fn system_activities_are_read_only() {
    let app = TestApp::spawn().await;
    let manager = app.login("manager@demo.atlas").await;
    let agent = app.login("agent@demo.atlas").await;
    let d = insert_dossier_sql(&app, app.paris, "Hélène Noir");
    let id = Uuid::now_v7();
    exec_sql(
        &app,
        &format!(
            "INSERT INTO activity (org_id, id, dossier_id, type, content, metadata) \
             VALUES ('{}', '{id}', '{d}', 'STATUS_CHANGE', 'NEW → QUALIFIED', '{{\"to\": \"QUALIFIED\"}}')",
            app.paris
        ),
    );
    let path = format!("/api/v1/activities/{id}");
    let got = get_json(&app, &agent, app.paris, &path).await;
    assert_eq!((got["type"].as_str(), got["metadata"]["to"].as_str()), (Some("STATUS_CHANGE"), Some("QUALIFIED")));
    assert_eq!(got["createdByUserId"], Value::Null);

    for token in [&manager, &agent] {
        let res =
            app.req(Method::PUT, &path, token, app.paris).json(&json!({"content": "réécrit"})).send().await.unwrap();
        problem(res, 409, "CONFLICT").await;
        let res = app.req(Method::DELETE, &path, token, app.paris).send().await.unwrap();
        problem(res, 409, "CONFLICT").await;
    }
    let res = app
        .req(Method::PUT, &path, &manager, app.paris)
        .json(&json!({"content": "x", "type": "STATUS_CHANGE"}))
        .send()
        .await
        .unwrap();
    problem(res, 400, "VALIDATION_ERROR").await;
    assert_eq!(get_json(&app, &agent, app.paris, &path).await, got, "unchanged");
}

#[actix_web::test]
async fn list_is_newest_first_filters_and_stays_in_the_org() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let admin = app.login("admin@demo.atlas").await;
    let d1 = insert_dossier_sql(&app, app.paris, "Un");
    let d2 = insert_dossier_sql(&app, app.paris, "Deux");
    exec_sql(&app, &format!("UPDATE dossier SET last_activity_at = '2000-01-01T00:00:00Z' WHERE id = '{d2}'"));
    for (d, content, at) in [
        (d1, "ancienne", "2026-11-01T09:00:00Z"),
        (d1, "récente", "2026-11-20T09:00:00Z"),
        (d2, "milieu", "2026-11-10T09:00:00Z"),
    ] {
        let res =
            post_note(&app, &agent, app.paris, &json!({"dossierId": d, "content": content, "occurredAt": at})).await;
        assert_eq!(res.status(), 201);
    }
    exec_sql(
        &app,
        &format!(
            "INSERT INTO activity (org_id, id, dossier_id, type, content, occurred_at) \
             VALUES ('{}', '{}', '{d1}', 'SYSTEM', 'système', '2026-11-15T09:00:00Z')",
            app.paris,
            Uuid::now_v7()
        ),
    );

    let all = get_json(&app, &agent, app.paris, "/api/v1/activities").await;
    assert_eq!(contents(&all), ["récente", "système", "milieu", "ancienne"]);
    let d1_list = get_json(&app, &agent, app.paris, &format!("/api/v1/activities?dossierId={d1}")).await;
    assert_eq!(contents(&d1_list), ["récente", "système", "ancienne"]);
    let notes = get_json(&app, &agent, app.paris, &format!("/api/v1/activities?dossierId={d1}&type=NOTE")).await;
    assert_eq!(contents(&notes), ["récente", "ancienne"]);
    let asc = get_json(&app, &agent, app.paris, "/api/v1/activities?sort=occurredAt,asc&size=2&page=1").await;
    assert_eq!(contents(&asc), ["système", "récente"]);
    assert_eq!((asc["totalItems"].as_u64(), asc["totalPages"].as_u64()), (Some(4), Some(2)));
    for q in ["type=CHAT", "dossierId=1", "size=0", "sort=content,asc"] {
        let res = app.req(Method::GET, &format!("/api/v1/activities?{q}"), &agent, app.paris).send().await.unwrap();
        problem(res, 400, "VALIDATION_ERROR").await;
    }

    // a note moves the dossier's lastActivityAt forward
    #[derive(diesel::QueryableByName)]
    struct Last {
        #[diesel(sql_type = diesel::sql_types::Text)]
        last: String,
    }
    let mut conn = app.pool.get().unwrap();
    let last: Last = diesel::RunQueryDsl::get_result(
        diesel::sql_query(format!(
            "SELECT to_char(last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS last FROM dossier WHERE id = '{d2}'"
        )),
        &mut *conn,
    )
    .unwrap();
    drop(conn);
    assert_eq!(last.last, "2026-11-10");

    // Lyon's timeline is invisible from Paris, and Paris notes cannot target a Lyon dossier
    let lyon_d = insert_dossier_sql(&app, app.lyon, "Lyonnais");
    let res = post_note(&app, &admin, app.lyon, &json!({"dossierId": lyon_d, "content": "à Lyon"})).await;
    assert_eq!(res.status(), 201);
    let lyon_note: Value = res.json().await.unwrap();
    let lyon_path = format!("/api/v1/activities/{}", lyon_note["id"].as_str().unwrap());
    problem(app.req(Method::GET, &lyon_path, &admin, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;
    problem(app.req(Method::GET, &lyon_path, &agent, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;
    let res = app.req(Method::PUT, &lyon_path, &admin, app.paris).json(&json!({"content": "x"})).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    problem(app.req(Method::DELETE, &lyon_path, &admin, app.paris).send().await.unwrap(), 404, "NOT_FOUND").await;
    let res = post_note(&app, &admin, app.paris, &json!({"dossierId": lyon_d, "content": "x"})).await;
    problem(res, 404, "NOT_FOUND").await;
    let paris_all = get_json(&app, &admin, app.paris, "/api/v1/activities").await;
    assert_eq!(paris_all["totalItems"], 4);
    let lyon_all = get_json(&app, &admin, app.lyon, "/api/v1/activities").await;
    assert_eq!(contents(&lyon_all), ["à Lyon"]);
    problem(app.req(Method::GET, "/api/v1/activities/42", &agent, app.paris).send().await.unwrap(), 404, "NOT_FOUND")
        .await;
}
