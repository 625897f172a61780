//! Annonces (PRODUCT.md §2) over real HTTP and a real PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{problem, TestApp};
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use atlas_server::db::schema::audit_event;

const MENTION: &str = "Logement à consommation énergétique excessive";

fn minimal(title: &str) -> Value {
    json!({"title": title, "transactionType": "SALE", "propertyType": "APARTMENT"})
}

/// A dwelling that satisfies every publishing requirement.
fn publishable(title: &str) -> Value {
    json!({
        "title": title,
        "description": "Bel appartement traversant, parquet, cave, proche métro.",
        "transactionType": "SALE",
        "propertyType": "APARTMENT",
        "price": 450000.5,
        "surfaceM2": 64.5,
        "rooms": 3,
        "bedrooms": 2,
        "bathrooms": 1,
        "address": "12 quai de Jemmapes",
        "postalCode": "75010",
        "city": "Paris",
        "latitude": 48.87,
        "longitude": 2.36,
        "features": ["balcon", "cave"],
        "energyClass": "D",
        "climateClass": "C",
        "energyCostMin": 1230,
        "energyCostMax": 1710,
        "energyCostYear": 2024
    })
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    org: Uuid,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = app.req(method, path, token, org);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

async fn create(app: &TestApp, token: &str, org: Uuid, body: Value) -> Value {
    let res = send(app, Method::POST, "/api/v1/annonces", token, org, Some(body)).await;
    assert_eq!(res.status(), 201, "create");
    res.json().await.unwrap()
}

async fn set_status(app: &TestApp, token: &str, org: Uuid, id: &Value, status: &str) -> reqwest::Response {
    let path = format!("/api/v1/annonces/{}/status", id.as_str().unwrap());
    send(app, Method::PATCH, &path, token, org, Some(json!({"status": status}))).await
}

async fn list(app: &TestApp, token: &str, org: Uuid, query: &str) -> Value {
    let res = send(app, Method::GET, &format!("/api/v1/annonces?{query}"), token, org, None).await;
    assert_eq!(res.status(), 200, "list ?{query}");
    res.json().await.unwrap()
}

/// `base` with the fields of `extra` set (null included).
fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

fn titles(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_string()).collect()
}

fn error_fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

/// (action, diff) of the audit rows of one entity, oldest first.
fn audits(app: &TestApp, id: &Value) -> Vec<(String, Option<Value>, Option<String>)> {
    let id = Uuid::parse_str(id.as_str().unwrap()).unwrap();
    let mut conn = app.pool.get().unwrap();
    audit_event::table
        .filter(audit_event::entity_id.eq(id))
        .filter(audit_event::entity_type.eq("ANNONCE"))
        .order(audit_event::created_at.asc())
        .select((audit_event::action, audit_event::diff, audit_event::correlation_id))
        .load::<(String, Option<Value>, Option<String>)>(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn create_and_get_return_the_full_resource() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let res = send(&app, Method::POST, "/api/v1/annonces", &agent, app.paris, Some(minimal("  Studio Marais "))).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let a: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/annonces/{}", a["id"].as_str().unwrap()));
    assert_eq!(a["reference"], "ANN-000001");
    assert_eq!(a["title"], "Studio Marais");
    assert_eq!(a["status"], "DRAFT");
    assert_eq!(a["currency"], "EUR");
    assert_eq!(a["features"], json!([]));
    assert_eq!(a["energyWarning"], false);
    assert_eq!(a["energyWarningText"], Value::Null);
    assert_eq!(a["publishedAt"], Value::Null);
    assert_eq!(a["price"], Value::Null);
    assert_eq!(a["version"], 1);
    for key in ["description", "surfaceM2", "energyClass", "climateClass", "energyCostMin", "createdAt", "updatedAt"] {
        assert!(a.get(key).is_some(), "{key} present");
    }

    let res = send(&app, Method::GET, &location, &agent, app.paris, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");
    assert_eq!(res.json::<Value>().await.unwrap(), a);

    // references count up per org; the F/G mention is carried along; amounts are JSON numbers
    let body = with(publishable("Maison passoire"), json!({"energyClass": "G", "price": 1999.99, "currency": "CHF"}));
    let b = create(&app, &agent, app.paris, body).await;
    assert_eq!(b["reference"], "ANN-000002");
    assert_eq!(b["energyWarning"], true);
    assert_eq!(b["energyWarningText"], MENTION);
    assert_eq!(b["price"], json!(1999.99));
    assert_eq!(b["currency"], "CHF");
    assert_eq!(b["energyCostMin"], json!(1230.0));
    assert_eq!(b["features"], json!(["balcon", "cave"]));
    assert_eq!(b["postalCode"], "75010");

    let rows = audits(&app, &a["id"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "CREATE");
    assert!(rows[0].2.is_some(), "correlation id recorded");
}

#[actix_web::test]
async fn validation_errors_name_every_field() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let post = |body: Value| send(&app, Method::POST, "/api/v1/annonces", &agent, app.paris, Some(body));

    let body = json!({"title": "ab", "price": -1, "surfaceM2": 0, "energyCostMin": 10.5, "currency": "eur"});
    let p = problem(post(body).await, 400, "VALIDATION_ERROR").await;
    let fields = error_fields(&p);
    for f in ["title", "transactionType", "propertyType", "price", "surfaceM2", "energyCostMin", "currency"] {
        assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
    }

    let p = problem(post(with(minimal("Villa"), json!({"price": 10.123}))).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(error_fields(&p), ["price"]);
    assert_eq!(p["errors"][0]["message"], "must have at most 2 decimals");

    let p =
        problem(post(with(minimal("Villa"), json!({"propertyType": "CASTLE"}))).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(error_fields(&p), ["propertyType"]);
    let p = problem(post(with(minimal("Villa"), json!({"energyClass": "H"}))).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(error_fields(&p), ["energyClass"]);
    let p = problem(post(with(minimal("Villa"), json!({"status": "PUBLISHED"}))).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(error_fields(&p), ["status"]);
    let p = problem(post(with(minimal("Villa"), json!({"reference": "ANN-9"}))).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(error_fields(&p), ["reference"]);

    // nothing was stored
    assert_eq!(list(&app, &agent, app.paris, "").await["totalItems"], 0);
}

#[actix_web::test]
async fn list_filters_each_field() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let specs = [
        json!({"title": "Loft Bastille", "transactionType": "SALE", "propertyType": "APARTMENT", "city": "Paris", "price": 500000}),
        json!({"title": "Maison Vincennes", "transactionType": "SALE", "propertyType": "HOUSE", "city": "Vincennes", "price": 900000}),
        json!({"title": "Studio étudiant", "transactionType": "RENT", "propertyType": "APARTMENT", "city": "PARIS", "price": 850}),
        json!({"title": "Bureau 100% rénové", "transactionType": "RENT", "propertyType": "OFFICE", "city": "Saint-Denis"}),
    ];
    let mut ids = Vec::new();
    for s in specs {
        ids.push(create(&app, &agent, app.paris, s).await["id"].clone());
    }
    // the first one gets published (needs the full set of fields)
    let full = with(publishable("Loft Bastille"), json!({"price": 500000}));
    let res = send(
        &app,
        Method::PUT,
        &format!("/api/v1/annonces/{}", ids[0].as_str().unwrap()),
        &agent,
        app.paris,
        Some(full),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(set_status(&app, &agent, app.paris, &ids[0], "PUBLISHED").await.status(), 200);

    let cases: [(&str, &[&str]); 13] = [
        ("status=PUBLISHED", &["Loft Bastille"]),
        ("status=DRAFT&sort=title,asc", &["Bureau 100% rénové", "Maison Vincennes", "Studio étudiant"]),
        ("transactionType=RENT&sort=title,asc", &["Bureau 100% rénové", "Studio étudiant"]),
        ("propertyType=HOUSE", &["Maison Vincennes"]),
        ("city=paris&sort=title,asc", &["Loft Bastille", "Studio étudiant"]),
        ("city=Pari", &[]),
        ("minPrice=850&maxPrice=500000&sort=price,asc", &["Studio étudiant", "Loft Bastille"]),
        ("minPrice=500000.01", &["Maison Vincennes"]),
        ("q=BASTILLE", &["Loft Bastille"]),
        ("q=ann-000002", &["Maison Vincennes"]),
        ("q=saint-den", &["Bureau 100% rénové"]),
        ("q=100%25", &["Bureau 100% rénové"]),
        ("q=_", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(titles(&list(&app, &agent, app.paris, query).await), expected, "?{query}");
    }

    for (query, field) in [
        ("status=LIVE", "status"),
        ("transactionType=sale", "transactionType"),
        ("propertyType=CASTLE", "propertyType"),
        ("minPrice=abc", "minPrice"),
        ("maxPrice=-5", "maxPrice"),
        ("minPrice=1.001", "minPrice"),
        ("sort=password,asc", "sort"),
        ("size=0", "size"),
        ("size=101", "size"),
    ] {
        let res = send(&app, Method::GET, &format!("/api/v1/annonces?{query}"), &agent, app.paris, None).await;
        let p = problem(res, 400, "VALIDATION_ERROR").await;
        assert_eq!(error_fields(&p), [field], "?{query}");
    }
    let res = send(&app, Method::GET, "/api/v1/annonces?minPrice=10&maxPrice=5", &agent, app.paris, None).await;
    problem(res, 400, "VALIDATION_ERROR").await;
    let res = send(&app, Method::GET, "/api/v1/annonces?status=NOPE&minPrice=-1", &agent, app.paris, None).await;
    let p = problem(res, 400, "VALIDATION_ERROR").await;
    assert_eq!(error_fields(&p), ["status", "minPrice"], "all problems at once");
}

#[actix_web::test]
async fn list_pages_and_sorts() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    for (title, price) in
        [("Charlie", Some(300)), ("alpha", Some(100)), ("Bravo", None), ("delta", Some(200)), ("Echo", Some(50))]
    {
        create(&app, &agent, app.paris, with(minimal(title), json!({"price": price}))).await;
    }
    // default: newest first
    let p = list(&app, &agent, app.paris, "").await;
    assert_eq!(titles(&p), ["Echo", "delta", "Bravo", "alpha", "Charlie"]);
    assert_eq!(
        (p["page"].clone(), p["size"].clone(), p["totalItems"].clone(), p["totalPages"].clone()),
        (json!(0), json!(20), json!(5), json!(1))
    );

    let p = list(&app, &agent, app.paris, "page=1&size=2").await;
    assert_eq!(titles(&p), ["Bravo", "alpha"]);
    assert_eq!((p["totalItems"].clone(), p["totalPages"].clone(), p["size"].clone()), (json!(5), json!(3), json!(2)));
    assert_eq!(titles(&list(&app, &agent, app.paris, "page=2&size=2").await), ["Charlie"]);
    assert!(titles(&list(&app, &agent, app.paris, "page=3&size=2").await).is_empty());

    let sorts: [(&str, &[&str]); 8] = [
        ("sort=createdAt,asc", &["Charlie", "alpha", "Bravo", "delta", "Echo"]),
        ("sort=price,asc", &["Echo", "alpha", "delta", "Charlie", "Bravo"]),
        ("sort=price,desc", &["Charlie", "delta", "alpha", "Echo", "Bravo"]),
        ("sort=title,asc", &["alpha", "Bravo", "Charlie", "delta", "Echo"]),
        ("sort=title,desc", &["Echo", "delta", "Charlie", "Bravo", "alpha"]),
        ("sort=reference,asc", &["Charlie", "alpha", "Bravo", "delta", "Echo"]),
        ("sort=reference,desc", &["Echo", "delta", "Bravo", "alpha", "Charlie"]),
        ("sort=updatedAt,desc", &["Echo", "delta", "Bravo", "alpha", "Charlie"]),
    ];
    for (query, expected) in sorts {
        assert_eq!(titles(&list(&app, &agent, app.paris, query).await), expected, "?{query}");
    }
    // an update moves it to the top of updatedAt,desc
    let first = list(&app, &agent, app.paris, "sort=createdAt,asc&size=1").await["items"][0].clone();
    let path = format!("/api/v1/annonces/{}", first["id"].as_str().unwrap());
    let res =
        send(&app, Method::PUT, &path, &agent, app.paris, Some(with(minimal("Charlie"), json!({"price": 301})))).await;
    assert_eq!(res.status(), 200);
    assert_eq!(titles(&list(&app, &agent, app.paris, "sort=updatedAt,desc&size=1").await), ["Charlie"]);
}

#[actix_web::test]
async fn another_orgs_annonce_does_not_exist() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let lyon = create(&app, &admin, app.lyon, minimal("Traboule Croix-Rousse")).await;
    let paris = create(&app, &admin, app.paris, minimal("Studio Marais")).await;
    // each org numbers its own references
    assert_eq!(lyon["reference"], "ANN-000001");
    assert_eq!(paris["reference"], "ANN-000001");

    let path = format!("/api/v1/annonces/{}", lyon["id"].as_str().unwrap());
    for (method, body) in [(Method::GET, None), (Method::PUT, Some(minimal("Volé"))), (Method::DELETE, None)] {
        problem(send(&app, method, &path, &admin, app.paris, body).await, 404, "NOT_FOUND").await;
    }
    problem(set_status(&app, &admin, app.paris, &lyon["id"], "ARCHIVED").await, 404, "NOT_FOUND").await;
    assert_eq!(titles(&list(&app, &admin, app.paris, "").await), ["Studio Marais"]);
    assert_eq!(titles(&list(&app, &admin, app.paris, "q=traboule").await), Vec::<String>::new());
    // still intact in its own org
    let res = send(&app, Method::GET, &path, &admin, app.lyon, None).await;
    assert_eq!(res.json::<Value>().await.unwrap(), lyon);

    for bad in ["/api/v1/annonces/not-a-uuid", "/api/v1/annonces/00000000-0000-0000-0000-000000000000"] {
        problem(send(&app, Method::GET, bad, &admin, app.paris, None).await, 404, "NOT_FOUND").await;
        problem(send(&app, Method::PUT, bad, &admin, app.paris, Some(minimal("abc"))).await, 404, "NOT_FOUND").await;
        problem(send(&app, Method::DELETE, bad, &admin, app.paris, None).await, 404, "NOT_FOUND").await;
    }
}

#[actix_web::test]
async fn put_replaces_with_optimistic_locking_and_audits_the_diff() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let a = create(&app, &agent, app.paris, with(minimal("Studio Marais"), json!({"price": 250000, "city": "Paris"})))
        .await;
    let path = format!("/api/v1/annonces/{}", a["id"].as_str().unwrap());

    // full representation: absent optional fields become null
    let res = app
        .req(Method::PUT, &path, &agent, app.paris)
        .header("If-Match", "\"1\"")
        .json(&with(minimal("Studio Marais rénové"), json!({"price": 260000})))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let b: Value = res.json().await.unwrap();
    assert_eq!(
        (b["version"].clone(), b["title"].clone(), b["city"].clone()),
        (json!(2), json!("Studio Marais rénové"), Value::Null)
    );
    assert_eq!(
        (b["reference"].clone(), b["status"].clone(), b["createdAt"].clone()),
        (a["reference"].clone(), json!("DRAFT"), a["createdAt"].clone())
    );

    // stale If-Match (bare) or body version
    let res = app
        .req(Method::PUT, &path, &agent, app.paris)
        .header("If-Match", "1")
        .json(&minimal("Autre"))
        .send()
        .await
        .unwrap();
    problem(res, 409, "VERSION_CONFLICT").await;
    let res =
        send(&app, Method::PUT, &path, &agent, app.paris, Some(with(minimal("Autre"), json!({"version": 1})))).await;
    problem(res, 409, "VERSION_CONFLICT").await;
    let res = app
        .req(Method::PUT, &path, &agent, app.paris)
        .header("If-Match", "abc")
        .json(&minimal("Autre"))
        .send()
        .await
        .unwrap();
    problem(res, 400, "VALIDATION_ERROR").await;

    // the status is not editable through PUT
    let res =
        send(&app, Method::PUT, &path, &agent, app.paris, Some(with(minimal("Autre"), json!({"status": "ARCHIVED"}))))
            .await;
    let p = problem(res, 400, "VALIDATION_ERROR").await;
    assert_eq!(error_fields(&p), ["status"]);
    let res = send(&app, Method::PUT, &path, &agent, app.paris, Some(with(minimal("x"), json!({"version": 2})))).await;
    assert_eq!(error_fields(&problem(res, 400, "VALIDATION_ERROR").await), ["title"]);

    let current: Value = send(&app, Method::GET, &path, &agent, app.paris, None).await.json().await.unwrap();
    assert_eq!(current, b, "refused writes changed nothing");

    let rows = audits(&app, &a["id"]);
    assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["CREATE", "UPDATE"]);
    let diff = rows[1].1.clone().unwrap();
    for (path, value) in [
        ("/title", json!("Studio Marais rénové")),
        ("/price", json!(260000.0)),
        ("/city", Value::Null),
        ("/version", json!(2)),
    ] {
        assert!(
            diff.as_array().unwrap().iter().any(|op| op["path"] == path && op["value"] == value),
            "{path} in {diff}"
        );
    }
}

#[actix_web::test]
async fn publishing_requires_the_listing_and_dpe_fields() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let bare = create(&app, &agent, app.paris, minimal("Appartement sans DPE")).await;
    let p = problem(set_status(&app, &agent, app.paris, &bare["id"], "PUBLISHED").await, 400, "VALIDATION_ERROR").await;
    assert_eq!(
        error_fields(&p),
        [
            "description",
            "price",
            "surfaceM2",
            "city",
            "energyClass",
            "climateClass",
            "energyCostMin",
            "energyCostMax",
            "energyCostYear"
        ]
    );

    // a dwelling not subject to the DPE needs no energy costs
    let exempt = with(
        publishable("Chalet non soumis"),
        json!({"energyClass": "NOT_SUBJECT", "climateClass": "NOT_SUBJECT", "energyCostMin": null, "energyCostMax": null, "energyCostYear": null}),
    );
    let e = create(&app, &agent, app.paris, exempt).await;
    let res = set_status(&app, &agent, app.paris, &e["id"], "PUBLISHED").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "PUBLISHED");

    // a land plot needs no DPE at all
    let land = with(
        publishable("Terrain constructible"),
        json!({"propertyType": "LAND", "energyClass": null, "climateClass": null}),
    );
    let l = create(&app, &agent, app.paris, land).await;
    assert_eq!(set_status(&app, &agent, app.paris, &l["id"], "PUBLISHED").await.status(), 200);

    // a published listing stays publishable: PUT cannot drop a requirement
    let path = format!("/api/v1/annonces/{}", l["id"].as_str().unwrap());
    let res = send(
        &app,
        Method::PUT,
        &path,
        &agent,
        app.paris,
        Some(with(publishable("Terrain"), json!({"propertyType": "LAND", "city": null}))),
    )
    .await;
    assert_eq!(error_fields(&problem(res, 400, "VALIDATION_ERROR").await), ["city"]);
}

#[actix_web::test]
async fn status_transitions_follow_the_workflow() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let a = create(&app, &agent, app.paris, publishable("T3 Canal Saint-Martin")).await;
    let id = &a["id"];

    let p = problem(set_status(&app, &agent, app.paris, id, "PAUSED").await, 409, "INVALID_TRANSITION").await;
    assert_eq!(p["allowed"], json!(["PUBLISHED", "ARCHIVED"]));
    let p = problem(set_status(&app, &agent, app.paris, id, "DRAFT").await, 409, "INVALID_TRANSITION").await;
    assert_eq!(p["allowed"], json!(["PUBLISHED", "ARCHIVED"]));

    let res = set_status(&app, &agent, app.paris, id, "PUBLISHED").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let published: Value = res.json().await.unwrap();
    assert_eq!(published["status"], "PUBLISHED");
    let first_published_at = published["publishedAt"].clone();
    assert!(first_published_at.is_string());

    let p = problem(set_status(&app, &agent, app.paris, id, "PUBLISHED").await, 409, "INVALID_TRANSITION").await;
    assert_eq!(p["allowed"], json!(["PAUSED", "ARCHIVED"]));

    let mut last = published;
    for to in ["PAUSED", "PUBLISHED", "ARCHIVED"] {
        let res = set_status(&app, &agent, app.paris, id, to).await;
        assert_eq!(res.status(), 200, "→ {to}");
        last = res.json().await.unwrap();
        assert_eq!(last["status"], to);
        assert_eq!(last["publishedAt"], first_published_at, "publishedAt is the first publication");
    }
    assert_eq!(last["version"], 5);
    for to in ["DRAFT", "PUBLISHED", "PAUSED", "ARCHIVED"] {
        let p = problem(set_status(&app, &agent, app.paris, id, to).await, 409, "INVALID_TRANSITION").await;
        assert_eq!(p["allowed"], json!([]), "ARCHIVED → {to}");
    }

    // If-Match on PATCH, and bad bodies
    let b = create(&app, &agent, app.paris, minimal("Brouillon")).await;
    let path = format!("/api/v1/annonces/{}/status", b["id"].as_str().unwrap());
    let res = app
        .req(Method::PATCH, &path, &agent, app.paris)
        .header("If-Match", "7")
        .json(&json!({"status": "ARCHIVED"}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "VERSION_CONFLICT").await;
    let res = send(&app, Method::PATCH, &path, &agent, app.paris, Some(json!({"status": "SOLD"}))).await;
    assert_eq!(error_fields(&problem(res, 400, "VALIDATION_ERROR").await), ["status"]);
    let res = send(&app, Method::PATCH, &path, &agent, app.paris, Some(json!({}))).await;
    assert_eq!(error_fields(&problem(res, 400, "VALIDATION_ERROR").await), ["status"]);

    let rows = audits(&app, id);
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(actions, ["CREATE", "STATUS_CHANGE", "STATUS_CHANGE", "STATUS_CHANGE", "STATUS_CHANGE"]);
    let diff = rows[1].1.clone().unwrap();
    assert!(diff.as_array().unwrap().iter().any(|op| op["path"] == "/status" && op["value"] == "PUBLISHED"), "{diff}");
}

#[actix_web::test]
async fn delete_is_for_managers_and_unused_drafts() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let manager = app.login("manager@demo.atlas").await;
    let draft = create(&app, &agent, app.paris, minimal("Brouillon à jeter")).await;
    let path = format!("/api/v1/annonces/{}", draft["id"].as_str().unwrap());

    problem(send(&app, Method::DELETE, &path, &agent, app.paris, None).await, 403, "FORBIDDEN").await;
    let res = app.req(Method::DELETE, &path, &manager, app.paris).header("If-Match", "9").send().await.unwrap();
    problem(res, 409, "VERSION_CONFLICT").await;
    let res = send(&app, Method::DELETE, &path, &manager, app.paris, None).await;
    assert_eq!(res.status(), 204);
    problem(send(&app, Method::GET, &path, &manager, app.paris, None).await, 404, "NOT_FOUND").await;
    problem(send(&app, Method::DELETE, &path, &manager, app.paris, None).await, 404, "NOT_FOUND").await;
    let rows = audits(&app, &draft["id"]);
    assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["CREATE", "DELETE"]);

    // not a draft → archive it instead
    let live = create(&app, &agent, app.paris, publishable("En ligne")).await;
    assert_eq!(set_status(&app, &agent, app.paris, &live["id"], "PUBLISHED").await.status(), 200);
    let live_path = format!("/api/v1/annonces/{}", live["id"].as_str().unwrap());
    let p = problem(send(&app, Method::DELETE, &live_path, &manager, app.paris, None).await, 409, "CONFLICT").await;
    assert!(p["detail"].as_str().unwrap().contains("archive it instead"));

    // a draft that a dossier refers to
    let used = create(&app, &agent, app.paris, minimal("Brouillon lié")).await;
    let used_id = Uuid::parse_str(used["id"].as_str().unwrap()).unwrap();
    {
        let mut conn = app.pool.get().unwrap();
        diesel::sql_query(
            "INSERT INTO dossier (org_id, id, reference, annonce_id, lead_name, lead_email, source, dossier_type) \
             VALUES ($1, $2, 'DOS-000001', $3, 'Léa', 'lea@example.com', 'WEB', 'BUY')",
        )
        .bind::<diesel::sql_types::Uuid, _>(app.paris)
        .bind::<diesel::sql_types::Uuid, _>(Uuid::now_v7())
        .bind::<diesel::sql_types::Uuid, _>(used_id)
        .execute(&mut conn)
        .unwrap();
    }
    let used_path = format!("/api/v1/annonces/{used_id}");
    let p = problem(send(&app, Method::DELETE, &used_path, &manager, app.paris, None).await, 409, "CONFLICT").await;
    assert!(p["detail"].as_str().unwrap().contains("archive it instead"));
    assert_eq!(send(&app, Method::GET, &used_path, &manager, app.paris, None).await.status(), 200);
    assert_eq!(audits(&app, &used["id"]).len(), 1, "refused delete wrote no audit");
}

#[actix_web::test]
async fn viewer_reads_but_cannot_write() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent@demo.atlas").await;
    let viewer = app.login("viewer@demo.atlas").await;
    let a = create(&app, &agent, app.paris, minimal("Studio Marais")).await;
    let path = format!("/api/v1/annonces/{}", a["id"].as_str().unwrap());

    assert_eq!(send(&app, Method::GET, &path, &viewer, app.paris, None).await.status(), 200);
    assert_eq!(titles(&list(&app, &viewer, app.paris, "").await), ["Studio Marais"]);
    // role is checked before the body: a bad body still gets 403
    for body in [minimal("Autre"), json!({"nonsense": true})] {
        problem(
            send(&app, Method::POST, "/api/v1/annonces", &viewer, app.paris, Some(body.clone())).await,
            403,
            "FORBIDDEN",
        )
        .await;
        problem(send(&app, Method::PUT, &path, &viewer, app.paris, Some(body)).await, 403, "FORBIDDEN").await;
    }
    problem(set_status(&app, &viewer, app.paris, &a["id"], "ARCHIVED").await, 403, "FORBIDDEN").await;
    problem(send(&app, Method::DELETE, &path, &viewer, app.paris, None).await, 403, "FORBIDDEN").await;
    // no token, no org header
    let res = app.client.get(app.url("/api/v1/annonces")).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
    let res = app.client.get(app.url("/api/v1/annonces")).bearer_auth(&viewer).send().await.unwrap();
    problem(res, 400, "ORG_HEADER_REQUIRED").await;
    // the viewer is not a member of Lyon
    problem(send(&app, Method::GET, "/api/v1/annonces", &viewer, app.lyon, None).await, 403, "FORBIDDEN").await;
    assert_eq!(audits(&app, &a["id"]).len(), 1);
}
