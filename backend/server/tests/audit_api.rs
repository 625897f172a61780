//! Audit read (PRODUCT.md §9): MANAGER+ only, filters, newest first, the request id as
//! correlation id, tenant isolation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{insert_dossier_sql, problem, user_id_sql, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

async fn get_json(app: &TestApp, token: &str, org: Uuid, path: &str) -> Value {
    let res = app.req(Method::GET, path, token, org).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {path}");
    res.json().await.unwrap()
}

fn appointment(dossier: Uuid, title: &str) -> Value {
    json!({"dossierId": dossier, "title": title, "startsAt": "2026-12-01T10:00:00Z", "endsAt": "2026-12-01T11:00:00Z"})
}

#[actix_web::test]
async fn audit_read_is_for_managers_and_admins() {
    let app = TestApp::spawn().await;
    for email in ["viewer@demo.atlas", "agent@demo.atlas"] {
        let token = app.login(email).await;
        let res = app.req(Method::GET, "/api/v1/audit-events", &token, app.paris).send().await.unwrap();
        problem(res, 403, "FORBIDDEN").await;
        // role before parameters
        let res =
            app.req(Method::GET, "/api/v1/audit-events?size=0&action=NOPE", &token, app.paris).send().await.unwrap();
        problem(res, 403, "FORBIDDEN").await;
    }
    for email in ["manager@demo.atlas", "admin@demo.atlas"] {
        let token = app.login(email).await;
        let page = get_json(&app, &token, app.paris, "/api/v1/audit-events").await;
        assert_eq!((page["page"].as_u64(), page["size"].as_u64()), (Some(0), Some(20)));
        assert!(page["items"].is_array() && page["totalItems"].is_u64() && page["totalPages"].is_u64());
    }
    let res = app.client.get(app.url("/api/v1/audit-events")).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
}

#[actix_web::test]
async fn filters_order_and_correlation_id() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let manager = app.login("manager@demo.atlas").await;
    let agent_id = user_id_sql(&app, "agent@demo.atlas");
    let manager_id = user_id_sql(&app, "manager@demo.atlas");
    let d = insert_dossier_sql(&app, app.paris, "Audit");

    let res = app
        .req(Method::POST, "/api/v1/appointments", &agent, app.paris)
        .header("X-Request-Id", "corr-create-42")
        .json(&appointment(d, "Visite"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["x-request-id"], "corr-create-42");
    let a: Value = res.json().await.unwrap();
    let id = a["id"].as_str().unwrap().to_string();
    let res = app
        .req(Method::PUT, &format!("/api/v1/appointments/{id}"), &manager, app.paris)
        .header("X-Request-Id", "corr-update-43")
        .json(&appointment(d, "Visite déplacée"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .req(Method::POST, "/api/v1/activities", &agent, app.paris)
        .json(&json!({"dossierId": d, "content": "Une note"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let q = |s: &str| format!("/api/v1/audit-events?{s}");
    let mine = get_json(&app, &manager, app.paris, &q(&format!("entityId={id}"))).await;
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let (update, create) = (&items[0], &items[1]);
    assert_eq!(
        (create["action"].as_str(), update["action"].as_str()),
        (Some("CREATE"), Some("UPDATE")),
        "newest first"
    );
    assert_eq!(create["correlationId"], "corr-create-42");
    assert_eq!(update["correlationId"], "corr-update-43");
    assert_eq!(create["actorUserId"], agent_id.to_string());
    assert_eq!(update["actorUserId"], manager_id.to_string());
    assert_eq!(create["entityType"], "APPOINTMENT");
    assert_eq!(create["entityId"], id.as_str());
    assert_eq!((create["before"].clone(), create["diff"].clone()), (Value::Null, Value::Null));
    assert_eq!(create["after"]["title"], "Visite");
    assert_eq!(update["before"]["title"], "Visite");
    assert_eq!(update["after"]["title"], "Visite déplacée");
    let diff = update["diff"].as_array().unwrap();
    assert!(diff.contains(&json!({"op": "replace", "path": "/title", "value": "Visite déplacée"})), "{diff:?}");
    assert!(create["createdAt"].as_str().unwrap().ends_with('Z'));
    assert!(create["id"].is_string());

    let count = |v: &Value| v["totalItems"].as_u64().unwrap();
    assert_eq!(count(&get_json(&app, &manager, app.paris, &q("entityType=APPOINTMENT")).await), 2);
    assert_eq!(count(&get_json(&app, &manager, app.paris, &q("entityType=activity")).await), 1);
    assert_eq!(count(&get_json(&app, &manager, app.paris, &q(&format!("entityId={id}&action=UPDATE"))).await), 1);
    let by_agent = get_json(&app, &manager, app.paris, &q(&format!("actorUserId={agent_id}"))).await;
    assert_eq!(count(&by_agent), 2);
    assert!(by_agent["items"].as_array().unwrap().iter().all(|e| e["actorUserId"] == agent_id.to_string()));
    assert_eq!(
        count(&get_json(&app, &manager, app.paris, &q(&format!("actorUserId={manager_id}&action=CREATE"))).await),
        0
    );

    // time range: today's events are in [today, today], none from tomorrow, none up to yesterday
    let today = chrono::Utc::now().date_naive();
    let day = |n: i64| (today + chrono::Duration::days(n)).format("%Y-%m-%d").to_string();
    let in_range =
        get_json(&app, &manager, app.paris, &q(&format!("entityId={id}&from={}&to={}", day(0), day(0)))).await;
    assert_eq!(count(&in_range), 2);
    assert_eq!(count(&get_json(&app, &manager, app.paris, &q(&format!("entityId={id}&from={}", day(1)))).await), 0);
    assert_eq!(count(&get_json(&app, &manager, app.paris, &q(&format!("entityId={id}&to={}", day(-1)))).await), 0);
    let asc = get_json(&app, &manager, app.paris, &q(&format!("entityId={id}&sort=createdAt,asc"))).await;
    assert_eq!(asc["items"][0]["action"], "CREATE");
    let paged = get_json(&app, &manager, app.paris, &q("size=1&page=1&entityType=APPOINTMENT")).await;
    assert_eq!(paged["items"][0]["action"], "CREATE");
    assert_eq!(paged["totalPages"], 2);

    for bad in ["action=NOPE", "entityId=123", "actorUserId=x", "from=hier", "size=101", "sort=action,asc"] {
        let res = app.req(Method::GET, &q(bad), &manager, app.paris).send().await.unwrap();
        problem(res, 400, "VALIDATION_ERROR").await;
    }
}

#[actix_web::test]
async fn lists_show_only_the_callers_org() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let lyon_d = insert_dossier_sql(&app, app.lyon, "Lyon");
    let paris_d = insert_dossier_sql(&app, app.paris, "Paris");
    let res = app
        .req(Method::POST, "/api/v1/appointments", &admin, app.lyon)
        .json(&appointment(lyon_d, "Lyon"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let lyon_id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let res = app
        .req(Method::POST, "/api/v1/appointments", &admin, app.paris)
        .json(&appointment(paris_d, "Paris"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let paris_id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    let ids = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|e| e["entityId"].as_str().unwrap().to_string()).collect()
    };
    let paris = get_json(&app, &admin, app.paris, "/api/v1/audit-events?entityType=APPOINTMENT").await;
    assert_eq!(ids(&paris), [paris_id.as_str()]);
    let lyon = get_json(&app, &admin, app.lyon, "/api/v1/audit-events?entityType=APPOINTMENT").await;
    assert_eq!(ids(&lyon), [lyon_id.as_str()]);
    let cross = get_json(&app, &admin, app.paris, &format!("/api/v1/audit-events?entityId={lyon_id}")).await;
    assert_eq!(cross["totalItems"], 0);
    // the manager of Paris is not a member of Lyon at all
    let manager = app.login("manager@demo.atlas").await;
    let res = app.req(Method::GET, "/api/v1/audit-events", &manager, app.lyon).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
}
