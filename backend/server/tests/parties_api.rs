//! Parties prenantes (PRODUCT.md §4) over real HTTP and a real PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{activities_of, audit_of, count_where, insert_dossier, problem, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

const PARTIES: &str = "/api/v1/parties-prenantes";

fn body(dossier: Uuid) -> Value {
    json!({
        "dossierId": dossier,
        "role": "BUYER",
        "firstName": " Léa ",
        "lastName": "Martin",
        "phone": "06 12 34 56 78",
        "email": "  Lea.Martin@Example.COM ",
        "address": "12 rue de la Paix, Paris",
    })
}

async fn post(app: &TestApp, token: &str, org: Uuid, b: &Value) -> reqwest::Response {
    app.req(Method::POST, PARTIES, token, org).json(b).send().await.unwrap()
}

async fn created(app: &TestApp, token: &str, org: Uuid, b: &Value) -> Value {
    let res = post(app, token, org, b).await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

#[actix_web::test]
async fn create_get_update_delete_with_normalisation_activities_and_audit() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let manager = app.login("manager@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Léa Martin", "+33611111111");

    let res = post(&app, &agent, app.paris, &body(dossier)).await;
    assert_eq!(res.status(), 201);
    assert_eq!(header(&res, "etag"), "\"1\"");
    let location = header(&res, "location");
    let p: Value = res.json().await.unwrap();
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("{PARTIES}/{id}"));
    assert_eq!(p["dossierId"], dossier.to_string());
    assert_eq!(p["role"], "BUYER");
    assert_eq!(p["firstName"], "Léa");
    assert_eq!(p["phone"], "+33612345678");
    assert_eq!(p["email"], "lea.martin@example.com");
    assert_eq!(p["notes"], Value::Null);
    assert_eq!(p["version"], 1);

    let res = app.req(Method::GET, &location, &agent, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "etag"), "\"1\"");
    assert_eq!(res.json::<Value>().await.unwrap(), p);

    // PUT: full representation; absent optional fields become null.
    let put = json!({"dossierId": dossier, "role": "CO_BORROWER", "lastName": "Martin", "phone": "+33 7 81 23 45 67"});
    let res =
        app.req(Method::PUT, &location, &agent, app.paris).header("If-Match", "\"1\"").json(&put).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "etag"), "\"2\"");
    let u: Value = res.json().await.unwrap();
    assert_eq!(u["role"], "CO_BORROWER");
    assert_eq!(u["firstName"], Value::Null);
    assert_eq!(u["email"], Value::Null);
    assert_eq!(u["phone"], "+33781234567");
    assert_eq!(u["version"], 2);

    // stale version, by header (bare) or by body
    let res =
        app.req(Method::PUT, &location, &agent, app.paris).header("If-Match", "1").json(&put).send().await.unwrap();
    problem(res, 409, "VERSION_CONFLICT").await;
    let mut stale = put.clone();
    stale["version"] = json!(1);
    let res = app.req(Method::PUT, &location, &agent, app.paris).json(&stale).send().await.unwrap();
    problem(res, 409, "VERSION_CONFLICT").await;

    // list by dossier
    let res = app.req(Method::GET, &format!("{PARTIES}?dossierId={dossier}"), &agent, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["totalItems"], 1);
    assert_eq!(page["items"][0]["id"], id.as_str());

    let res = app.req(Method::DELETE, &location, &manager, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let res = app.req(Method::GET, &location, &agent, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.req(Method::DELETE, &location, &manager, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.req(Method::PUT, &location, &agent, app.paris).json(&put).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;

    // timeline: added then removed; no activity for the update
    let acts = activities_of(&app, dossier);
    let party_acts: Vec<&Value> = acts.iter().filter(|a| a["type"] == "PARTY").collect();
    assert_eq!(party_acts.len(), 2, "{acts:?}");
    assert_eq!(party_acts[0]["metadata"]["action"], "ADDED");
    assert_eq!(party_acts[1]["metadata"]["action"], "REMOVED");
    assert_eq!(party_acts[0]["metadata"]["partyId"], id.as_str());

    // audit: one event per write, with before/after and a diff on update
    let audit = audit_of(&app, Uuid::parse_str(&id).unwrap());
    let actions: Vec<&str> = audit.iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["CREATE", "UPDATE", "DELETE"]);
    assert!(audit.iter().all(|a| a["entityType"] == "PARTY"));
    assert_eq!(audit[0]["after"]["phone"], "+33612345678");
    assert!(audit[1]["diff"].as_array().unwrap().iter().any(|op| op["path"] == "/role"));
    assert_eq!(audit[2]["before"]["role"], "CO_BORROWER");
    assert!(audit[0]["correlationId"].is_string());
}

#[actix_web::test]
async fn validation_errors_are_collected_and_references_checked() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Paul", "+33622222222");

    let bad = json!({"dossierId": dossier, "role": "BUYER", "firstName": " ", "phone": "12", "email": "nope",
                     "notes": "n".repeat(10_001)});
    let p = problem(post(&app, &agent, app.paris, &bad).await, 400, "VALIDATION_ERROR").await;
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["lastName", "phone", "email", "notes"]);

    // a single name is enough (a bank, a notary's office)
    let bank =
        created(&app, &agent, app.paris, &json!({"dossierId": dossier, "role": "BANK", "lastName": "Crédit Mutuel"}))
            .await;
    assert_eq!(bank["firstName"], Value::Null);

    for (b, field) in [
        (json!({"dossierId": dossier, "role": "KING", "lastName": "X"}), "role"),
        (json!({"dossierId": dossier, "role": "BUYER", "lastName": "X", "age": 3}), "age"),
        (json!({"role": "BUYER", "lastName": "X"}), "dossierId"),
        (json!({"dossierId": "not-a-uuid", "role": "BUYER", "lastName": "X"}), "dossierId"),
    ] {
        let p = problem(post(&app, &agent, app.paris, &b).await, 400, "VALIDATION_ERROR").await;
        assert_eq!(p["errors"][0]["field"], field, "{b}");
    }

    // an unknown dossier is a 404 naming the field
    let p = problem(
        post(&app, &agent, app.paris, &json!({"dossierId": Uuid::now_v7(), "role": "BUYER", "lastName": "X"})).await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("dossierId"));

    // moving a party to another dossier is refused
    let other = insert_dossier(&app, app.paris, "Autre", "+33633333333");
    let url = format!("{PARTIES}/{}", bank["id"].as_str().unwrap());
    let res = app
        .req(Method::PUT, &url, &agent, app.paris)
        .json(&json!({"dossierId": other, "role": "BANK", "lastName": "Crédit Mutuel"}))
        .send()
        .await
        .unwrap();
    let p = problem(res, 400, "VALIDATION_ERROR").await;
    assert_eq!(p["errors"][0]["field"], "dossierId");

    // malformed and unknown ids in the path
    for path in [format!("{PARTIES}/not-a-uuid"), format!("{PARTIES}/{}", Uuid::now_v7())] {
        let res = app.req(Method::GET, &path, &agent, app.paris).send().await.unwrap();
        problem(res, 404, "NOT_FOUND").await;
    }

    // list parameters
    for q in ["size=0", "size=101", "sort=password,asc", "dossierId=xyz", "page=-1"] {
        let res = app.req(Method::GET, &format!("{PARTIES}?{q}"), &agent, app.paris).send().await.unwrap();
        problem(res, 400, "VALIDATION_ERROR").await;
    }
}

#[actix_web::test]
async fn roles_viewer_reads_agent_writes_manager_deletes() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let viewer = app.login("viewer@demo.atlas").await;
    let admin = app.login("admin@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Paul", "+33622222222");
    let p = created(&app, &agent, app.paris, &body(dossier)).await;
    let url = format!("{PARTIES}/{}", p["id"].as_str().unwrap());

    // 403 before body validation
    problem(post(&app, &viewer, app.paris, &json!({"junk": true})).await, 403, "FORBIDDEN").await;
    problem(post(&app, &viewer, app.paris, &body(dossier)).await, 403, "FORBIDDEN").await;
    let res = app.req(Method::PUT, &url, &viewer, app.paris).json(&body(dossier)).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    let res = app.req(Method::DELETE, &url, &viewer, app.paris).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    let res = app.req(Method::DELETE, &url, &agent, app.paris).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;

    let res = app.req(Method::GET, &url, &viewer, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.req(Method::GET, PARTIES, &viewer, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);

    let res = app.req(Method::DELETE, &url, &admin, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(count_where(&app, "SELECT count(*) AS n FROM party WHERE dossier_id = $1", dossier), 0);
}

#[actix_web::test]
async fn tenant_isolation() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let agent = app.login("agent@demo.atlas").await;
    let manager = app.login("manager@demo.atlas").await;
    let lyon_dossier = insert_dossier(&app, app.lyon, "Lyonnais", "+33644444444");
    let paris_dossier = insert_dossier(&app, app.paris, "Parisien", "+33655555555");
    let lyon_party = created(&app, &admin, app.lyon, &body(lyon_dossier)).await;
    let paris_party = created(&app, &agent, app.paris, &body(paris_dossier)).await;
    let url = format!("{PARTIES}/{}", lyon_party["id"].as_str().unwrap());

    let res = app.req(Method::GET, &url, &agent, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.req(Method::PUT, &url, &agent, app.paris).json(&body(paris_dossier)).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.req(Method::DELETE, &url, &manager, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    // admin is a member of both orgs: the org header decides, not the user
    let res = app.req(Method::GET, &url, &admin, app.paris).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;

    // a dossier of another org in a body
    let p = problem(post(&app, &agent, app.paris, &body(lyon_dossier)).await, 404, "NOT_FOUND").await;
    assert!(p["detail"].as_str().unwrap().contains("dossierId"));
    let paris_url = format!("{PARTIES}/{}", paris_party["id"].as_str().unwrap());
    let res = app.req(Method::PUT, &paris_url, &agent, app.paris).json(&body(lyon_dossier)).send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;

    // lists never leak
    let page: Value = app.req(Method::GET, PARTIES, &agent, app.paris).send().await.unwrap().json().await.unwrap();
    let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [paris_party["id"].as_str().unwrap()]);
    let page: Value = app
        .req(Method::GET, &format!("{PARTIES}?dossierId={lyon_dossier}"), &agent, app.paris)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["totalItems"], 0);
    assert_eq!(count_where(&app, "SELECT count(*) AS n FROM party WHERE dossier_id = $1", lyon_dossier), 1);
}

#[actix_web::test]
async fn list_is_paged_newest_first_and_sortable() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let dossier = insert_dossier(&app, app.paris, "Paul", "+33622222222");
    for name in ["Bernard", "Alain", "Chloé"] {
        created(&app, &agent, app.paris, &json!({"dossierId": dossier, "role": "SELLER", "lastName": name})).await;
    }
    let get = |q: &'static str| {
        let app = &app;
        let agent = agent.clone();
        async move {
            let res = app
                .req(Method::GET, &format!("{PARTIES}?dossierId={dossier}&{q}"), &agent, app.paris)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let names = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|p| p["lastName"].as_str().unwrap().to_string()).collect()
    };
    let page = get("size=2").await;
    assert_eq!(
        (page["totalItems"].as_u64(), page["totalPages"].as_u64(), page["size"].as_u64()),
        (Some(3), Some(2), Some(2))
    );
    assert_eq!(names(&page), ["Chloé", "Alain"]);
    assert_eq!(names(&get("size=2&page=1").await), ["Bernard"]);
    assert_eq!(names(&get("sort=lastName,asc").await), ["Alain", "Bernard", "Chloé"]);
    assert_eq!(names(&get("sort=createdAt,asc").await), ["Bernard", "Alain", "Chloé"]);
}
