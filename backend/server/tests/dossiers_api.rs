//! Dossier creation (PRODUCT.md §3): validation, references, roles, and deduplication including
//! under concurrency. Read/update/list: `dossiers_crud_api.rs`; workflow: `dossiers_workflow_api.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod dossiers_support;

use common::problem;
use dossiers_support::{count, header, id_of, insert_annonce, lead, lyon_only_user, rows, user_id, Ctx};
use reqwest::Method;
use serde_json::{json, Value};

#[actix_web::test]
async fn create_answers_201_with_reference_location_etag_activity_and_audit() {
    let ctx = Ctx::spawn().await;
    let res = ctx
        .post(
            &ctx.agent,
            json!({
                "leadName": "  Léa Martin ",
                "leadPhone": "06 12 34 56 78",
                "leadEmail": "  Lea.Martin@Example.FR ",
                "source": "WALK_IN",
                "type": "BUY",
                "budgetMin": 250000,
                "budgetMax": 300000.5,
                "notes": "Cherche un T3"
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(header(&res, "etag").as_deref(), Some("\"1\""));
    assert_eq!(header(&res, "x-atlas-deduplicated"), None);
    let location = header(&res, "location").unwrap();
    let d: Value = res.json().await.unwrap();
    let id = id_of(&d);
    assert_eq!(location, format!("/api/v1/dossiers/{id}"));
    assert_eq!(d["reference"], "DOS-000001");
    assert_eq!(d["leadName"], "Léa Martin");
    assert_eq!(d["leadPhone"], "+33612345678");
    assert_eq!(d["leadEmail"], "lea.martin@example.fr");
    assert_eq!(d["source"], "WALK_IN");
    assert_eq!(d["type"], "BUY");
    assert_eq!(d["status"], "NEW");
    assert_eq!(d["budgetMin"], 250000.0);
    assert_eq!(d["budgetMax"], 300000.5);
    assert_eq!(d["version"], 1);
    for field in ["annonceId", "assignedToUserId", "whatsappUserId", "lossReason", "wonReason", "statusComment"] {
        assert!(d[field].is_null(), "{field}");
    }
    assert!(d["lastActivityAt"].is_string() && d["createdAt"].is_string() && d["updatedAt"].is_string());

    // The Location serves the same representation.
    assert_eq!(ctx.get_json(&location, &ctx.viewer).await, d);

    let second = ctx.create(lead("Marc", "0698765432")).await;
    assert_eq!(second["reference"], "DOS-000002");

    let agent = user_id(&ctx.app, "agent@demo.atlas");
    let acts =
        rows(&ctx.app, &format!("SELECT type, created_by_user_id, metadata FROM activity WHERE dossier_id = '{id}'"));
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0]["type"], "DOSSIER_CREATED");
    assert_eq!(acts[0]["created_by_user_id"], agent.as_str());
    assert_eq!(acts[0]["metadata"]["reference"], "DOS-000001");
    let audits = rows(
        &ctx.app,
        &format!("SELECT action, entity_type, actor_user_id, after FROM audit_event WHERE entity_id = '{id}'"),
    );
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0]["action"], "CREATE");
    assert_eq!(audits[0]["entity_type"], "DOSSIER");
    assert_eq!(audits[0]["actor_user_id"], agent.as_str());
    assert_eq!(audits[0]["after"]["leadPhone"], "+33612345678");
}

#[actix_web::test]
async fn validation_errors_are_reported_together() {
    let ctx = Ctx::spawn().await;
    let fields = |body: Value| {
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };

    let body = problem(ctx.post(&ctx.agent, json!({})).await, 400, "VALIDATION_ERROR").await;
    let f = fields(body);
    for want in ["leadName", "leadPhone", "source", "type"] {
        assert!(f.contains(&want.to_string()), "{want} in {f:?}");
    }
    let bad = json!({"leadName": "X", "leadPhone": "abc", "leadEmail": "nope", "source": "WEB", "type": "BUY", "budgetMin": 10.123});
    let f = fields(problem(ctx.post(&ctx.agent, bad).await, 400, "VALIDATION_ERROR").await);
    assert_eq!(f, ["leadPhone", "budgetMin", "leadEmail"]);
    let f = fields(
        problem(
            ctx.post(&ctx.agent, json!({"leadName": "X", "leadEmail": "x@y.fr", "source": "WEB", "type": "BUY", "budgetMin": 5, "budgetMax": 1})).await,
            400,
            "VALIDATION_ERROR",
        )
        .await,
    );
    assert_eq!(f, ["budgetMin"]);
    for (extra, field) in [
        (json!({"status": "WON"}), "status"),
        (json!({"reference": "DOS-9"}), "reference"),
        (json!({"whatsappUserId": "US.1"}), "whatsappUserId"),
        (json!({"source": "FAX"}), "source"),
        (json!({"annonceId": "not-a-uuid"}), "annonceId"),
    ] {
        let mut body = lead("Léa", "0612345678");
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let f = fields(problem(ctx.post(&ctx.agent, body).await, 400, "VALIDATION_ERROR").await);
        assert_eq!(f, [field]);
    }
    assert_eq!(count(&ctx.app, "SELECT 1 FROM dossier"), 0);
}

#[actix_web::test]
async fn roles_auth_and_org_header_on_create() {
    let ctx = Ctx::spawn().await;
    // 403 before body validation (PRODUCT.md §0 order)
    let res = ctx.app.req(Method::POST, "/api/v1/dossiers", &ctx.viewer, ctx.app.paris).body("{").send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    problem(ctx.post(&ctx.viewer, lead("Léa", "0612345678")).await, 403, "FORBIDDEN").await;
    let res =
        ctx.app.client.post(ctx.app.url("/api/v1/dossiers")).json(&lead("Léa", "0612345678")).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
    let res = ctx
        .app
        .client
        .post(ctx.app.url("/api/v1/dossiers"))
        .bearer_auth(&ctx.agent)
        .json(&lead("Léa", "0612345678"))
        .send()
        .await
        .unwrap();
    problem(res, 400, "ORG_HEADER_REQUIRED").await;
    // the agent is not a member of Lyon
    let res =
        ctx.call_in(ctx.app.lyon, Method::POST, "/api/v1/dossiers", &ctx.agent, Some(lead("Léa", "0612345678"))).await;
    problem(res, 403, "FORBIDDEN").await;
    for (i, token) in [&ctx.agent, &ctx.manager, &ctx.admin].into_iter().enumerate() {
        assert_eq!(ctx.post(token, lead("Léa", &format!("061234567{i}"))).await.status(), 201);
    }
    // readers may list
    let page = ctx.get_json("/api/v1/dossiers", &ctx.viewer).await;
    assert_eq!(page["totalItems"], 3);
}

#[actix_web::test]
async fn annonce_and_assignee_references_are_checked() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let with = |k: &str, v: &str| {
        let mut b = lead("Léa", "0612345678");
        b[k] = json!(v);
        b
    };
    for status in ["DRAFT", "ARCHIVED"] {
        let a = insert_annonce(app, app.paris, status);
        let body = problem(ctx.post(&ctx.agent, with("annonceId", &a)).await, 422, "ANNONCE_NOT_AVAILABLE").await;
        assert!(body["detail"].as_str().unwrap().contains(status));
    }
    for missing in [uuid::Uuid::now_v7().to_string(), insert_annonce(app, app.lyon, "PUBLISHED")] {
        let body = problem(ctx.post(&ctx.agent, with("annonceId", &missing)).await, 404, "NOT_FOUND").await;
        assert!(body["detail"].as_str().unwrap().contains("annonceId"), "{body}");
    }
    for status in ["PUBLISHED", "PAUSED"] {
        let a = insert_annonce(app, app.paris, status);
        let d = ctx.create(with("annonceId", &a)).await;
        assert_eq!(d["annonceId"], a.as_str());
    }

    let lyon_user = lyon_only_user(&ctx).await;
    for missing in [uuid::Uuid::now_v7().to_string(), lyon_user] {
        let body = problem(ctx.post(&ctx.agent, with("assignedToUserId", &missing)).await, 404, "NOT_FOUND").await;
        assert!(body["detail"].as_str().unwrap().contains("assignedToUserId"), "{body}");
    }
    let manager = user_id(app, "manager@demo.atlas");
    let mut body = with("assignedToUserId", &manager);
    body["leadPhone"] = json!("0699999999");
    let d = ctx.create(body).await;
    assert_eq!(d["assignedToUserId"], manager.as_str());
    assert_eq!(count(app, "SELECT 1 FROM dossier"), 3);
}

#[actix_web::test]
async fn a_duplicate_returns_the_open_dossier_with_header_and_merged_activity() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let mut first = lead("Léa Martin", "06 12 34 56 78");
    first["leadEmail"] = json!("lea@example.fr");
    let a = ctx.create(first).await;
    let id = id_of(&a);

    let again = json!({"leadName": "Léa M.", "leadPhone": "+33 6 12 34 56 78", "source": "PORTAL", "type": "RENT", "notes": "via SeLoger"});
    let res = ctx.post(&ctx.manager, again).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "x-atlas-deduplicated").as_deref(), Some("true"));
    assert_eq!(header(&res, "etag").as_deref(), Some("\"1\""));
    assert_eq!(header(&res, "location"), None);
    let d: Value = res.json().await.unwrap();
    assert_eq!(id_of(&d), id);
    // the holder is unchanged, except its last activity
    assert_eq!(d["leadName"], "Léa Martin");
    assert_eq!(d["source"], "WEB");
    assert_eq!(d["version"], 1);
    assert!(d["lastActivityAt"].as_str() >= a["lastActivityAt"].as_str());

    assert_eq!(count(app, "SELECT 1 FROM dossier"), 1);
    let merged = rows(
        app,
        &format!(
            "SELECT metadata, created_by_user_id FROM activity WHERE dossier_id = '{id}' AND type = 'DUPLICATE_MERGED'"
        ),
    );
    assert_eq!(merged.len(), 1);
    let m = &merged[0]["metadata"];
    assert_eq!(m["matchedBy"], "PHONE");
    assert_eq!(m["submitted"]["leadName"], "Léa M.");
    assert_eq!(m["submitted"]["leadPhone"], "+33612345678");
    assert_eq!(m["submitted"]["source"], "PORTAL");
    assert_eq!(m["submitted"]["notes"], "via SeLoger");
    assert_eq!(merged[0]["created_by_user_id"], user_id(app, "manager@demo.atlas").as_str());
    // nothing changed on the dossier: its only audit event is the creation
    assert_eq!(count(app, &format!("SELECT 1 FROM audit_event WHERE entity_id = '{id}'")), 1);
}

#[actix_web::test]
async fn dedup_variants_follow_the_rule() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let dedup = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "x-atlas-deduplicated").as_deref(), Some("true"));
        id_of(&res.json::<Value>().await.unwrap())
    };

    // same phone, different annonce → a new dossier; same phone and annonce again → that one
    let plain = ctx.create(lead("Léa", "0611111111")).await;
    let annonce = insert_annonce(app, app.paris, "PUBLISHED");
    let mut on_annonce = lead("Léa", "0611111111");
    on_annonce["annonceId"] = json!(annonce);
    let linked = ctx.create(on_annonce.clone()).await;
    assert_ne!(id_of(&plain), id_of(&linked));
    assert_eq!(dedup(ctx.post(&ctx.agent, on_annonce).await).await, id_of(&linked));
    assert_eq!(dedup(ctx.post(&ctx.agent, lead("Léa", "0611111111")).await).await, id_of(&plain));

    // email only, matched case-insensitively
    let by_mail = ctx
        .create(json!({"leadName": "Paul", "leadEmail": "paul@example.fr", "source": "EMAIL", "type": "RENT"}))
        .await;
    let res = ctx
        .post(&ctx.agent, json!({"leadName": "Paul", "leadEmail": " PAUL@Example.fr", "source": "WEB", "type": "RENT"}))
        .await;
    assert_eq!(dedup(res).await, id_of(&by_mail));

    // email match when the phone differs
    let mut b = lead("Zoé", "0622222222");
    b["leadEmail"] = json!("zoe@example.fr");
    let zoe = ctx.create(b).await;
    let mut b = lead("Zoé", "0633333333");
    b["leadEmail"] = json!("zoe@example.fr");
    assert_eq!(dedup(ctx.post(&ctx.agent, b).await).await, id_of(&zoe));
    let meta = rows(
        app,
        &format!("SELECT metadata FROM activity WHERE dossier_id = '{}' AND type = 'DUPLICATE_MERGED'", id_of(&zoe)),
    );
    assert_eq!(meta[0]["metadata"]["matchedBy"], "EMAIL");

    // a phone match wins over an email match on another dossier
    let mut b = lead("Ana", "0644444444");
    b["leadEmail"] = json!("ana@example.fr");
    let ana = ctx.create(b).await;
    let mut b = lead("Ben", "0655555555");
    b["leadEmail"] = json!("ben@example.fr");
    ctx.create(b).await;
    let mut b = lead("Ana", "0644444444");
    b["leadEmail"] = json!("ben@example.fr");
    assert_eq!(dedup(ctx.post(&ctx.agent, b).await).await, id_of(&ana));

    // a LOST dossier does not absorb a new request
    let lost = ctx.create(lead("Tom", "0666666666")).await;
    let res = ctx.set_status(&id_of(&lost), json!({"status": "LOST", "lossReason": "NO_RESPONSE"})).await;
    assert_eq!(res.status(), 200);
    let fresh = ctx.create(lead("Tom", "0666666666")).await;
    assert_ne!(id_of(&fresh), id_of(&lost));

    // another org's open dossier does not either
    ctx.create_in(app.lyon, &ctx.admin, lead("Ève", "0677777777")).await;
    ctx.create(lead("Ève", "0677777777")).await;
}

#[actix_web::test]
async fn concurrent_identical_creates_make_exactly_one_dossier() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    for round in 0..3 {
        let phone = format!("06 12 34 56 7{round}");
        let mut body = lead("Course", &phone);
        body["leadEmail"] = json!(format!("course{round}@example.fr"));
        let calls = (0..8).map(|_| {
            let b = body.clone();
            let req = app.req(Method::POST, "/api/v1/dossiers", &ctx.agent, app.paris).json(&b);
            async move {
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                let dedup = header(&res, "x-atlas-deduplicated");
                let v: Value = res.json().await.unwrap();
                (status, dedup, id_of(&v))
            }
        });
        let results = futures_util::future::join_all(calls).await;
        let created: Vec<_> = results.iter().filter(|r| r.0 == 201).collect();
        assert_eq!(created.len(), 1, "round {round}: {results:?}");
        assert!(created[0].1.is_none());
        let merged: Vec<_> = results.iter().filter(|r| r.0 == 200).collect();
        assert_eq!(merged.len(), 7, "round {round}: {results:?}");
        assert!(merged.iter().all(|r| r.1.as_deref() == Some("true") && r.2 == created[0].2));
        let phone_e164 = format!("+3361234567{round}");
        assert_eq!(count(app, &format!("SELECT 1 FROM dossier WHERE lead_phone = '{phone_e164}'")), 1);
        let id = &created[0].2;
        assert_eq!(
            count(app, &format!("SELECT 1 FROM activity WHERE dossier_id = '{id}' AND type = 'DUPLICATE_MERGED'")),
            7
        );
        assert_eq!(count(app, &format!("SELECT 1 FROM audit_event WHERE entity_id = '{id}'")), 1);
    }
}
