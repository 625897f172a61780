//! Dossier workflow, assignment and the duplicate lookup (PRODUCT.md §3, §8, §9).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod dossiers_support;

use common::problem;
use dossiers_support::{
    count, header, id_of, ids, insert_annonce, insert_party, lead, lyon_only_user, rows, user_id, Ctx,
};
use reqwest::Method;
use serde_json::{json, Value};

#[actix_web::test]
async fn workflow_new_qualified_appointment_lost_with_history_timeline_and_audit() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let d = ctx.create(lead("Léa", "0612345678")).await;
    let id = id_of(&d);
    let base = format!("/api/v1/dossiers/{id}");

    let moves = ctx.get_json(&format!("{base}/available-transitions"), &ctx.viewer).await;
    assert_eq!(
        moves,
        json!([
            {"to": "QUALIFYING", "requiresReason": false, "reasons": []},
            {"to": "QUALIFIED", "requiresReason": false, "reasons": []},
            {"to": "APPOINTMENT", "requiresReason": false, "reasons": []},
            {"to": "LOST", "requiresReason": true, "reasons": ["PRICE", "NO_RESPONSE", "CHOSE_COMPETITOR", "NOT_ELIGIBLE", "PROJECT_ABANDONED", "OTHER"]},
        ])
    );
    assert_eq!(ctx.get_json(&format!("{base}/status-history"), &ctx.viewer).await, json!([]));

    let res = ctx.set_status(&id, json!({"status": "QUALIFIED"})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "etag").as_deref(), Some("\"2\""));
    let v: Value = res.json().await.unwrap();
    assert_eq!((v["status"].clone(), v["version"].clone()), (json!("QUALIFIED"), json!(2)));

    let v: Value =
        ctx.set_status(&id, json!({"status": "APPOINTMENT", "comment": " Visite samedi "})).await.json().await.unwrap();
    assert_eq!(v["status"], "APPOINTMENT");
    assert_eq!(v["statusComment"], "Visite samedi");

    // reasons
    let p = problem(ctx.set_status(&id, json!({"status": "LOST"})).await, 400, "REASON_REQUIRED").await;
    assert_eq!(p["errors"][0]["field"], "lossReason");
    let p =
        problem(ctx.set_status(&id, json!({"status": "LOST", "lossReason": "OTHER"})).await, 400, "REASON_REQUIRED")
            .await;
    assert_eq!(p["errors"][0]["field"], "comment");
    let p =
        problem(ctx.set_status(&id, json!({"status": "LOST", "lossReason": "CHEAPER"})).await, 400, "REASON_REQUIRED")
            .await;
    assert!(p["detail"].as_str().unwrap().contains("PRICE"));

    let v: Value = ctx
        .set_status(&id, json!({"status": "LOST", "lossReason": "PRICE", "comment": "Trop cher"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "LOST");
    assert_eq!(v["lossReason"], "PRICE");
    assert_eq!(v["wonReason"], Value::Null);
    assert_eq!(v["statusComment"], "Trop cher");
    assert_eq!(v["version"], 4);

    // LOST is terminal
    let p = problem(ctx.set_status(&id, json!({"status": "QUALIFIED"})).await, 409, "INVALID_TRANSITION").await;
    assert_eq!(p["allowed"], json!([]));
    assert_eq!(ctx.get_json(&format!("{base}/available-transitions"), &ctx.viewer).await, json!([]));

    let agent = user_id(app, "agent@demo.atlas");
    let history = ctx.get_json(&format!("{base}/status-history"), &ctx.viewer).await;
    let h = history.as_array().unwrap();
    assert_eq!(h.len(), 3);
    let steps: Vec<(&str, &str)> =
        h.iter().map(|e| (e["fromStatus"].as_str().unwrap(), e["toStatus"].as_str().unwrap())).collect();
    assert_eq!(steps, [("NEW", "QUALIFIED"), ("QUALIFIED", "APPOINTMENT"), ("APPOINTMENT", "LOST")]);
    assert_eq!(h[1]["comment"], "Visite samedi");
    assert_eq!((h[2]["reason"].clone(), h[2]["comment"].clone()), (json!("PRICE"), json!("Trop cher")));
    assert!(h.iter().all(|e| e["changedByUserId"] == agent.as_str()));
    assert!(
        h[0]["changedAt"].as_str() <= h[1]["changedAt"].as_str()
            && h[1]["changedAt"].as_str() <= h[2]["changedAt"].as_str()
    );

    let acts = rows(app, &format!("SELECT metadata FROM activity WHERE dossier_id = '{id}' AND type = 'STATUS_CHANGE' ORDER BY occurred_at, id"));
    assert_eq!(acts.len(), 3);
    assert_eq!(
        acts[2]["metadata"],
        json!({"fromStatus": "APPOINTMENT", "toStatus": "LOST", "reason": "PRICE", "comment": "Trop cher"})
    );
    let audits = rows(
        app,
        &format!("SELECT before, after, actor_user_id FROM audit_event WHERE entity_id = '{id}' AND action = 'STATUS_CHANGE' ORDER BY created_at, id"),
    );
    assert_eq!(audits.len(), 3);
    assert_eq!(
        (audits[2]["before"]["status"].clone(), audits[2]["after"]["status"].clone()),
        (json!("APPOINTMENT"), json!("LOST"))
    );
    assert_eq!(audits[2]["after"]["lossReason"], "PRICE");
    assert_eq!(audits[2]["actor_user_id"], agent.as_str());
    assert_eq!(count(app, &format!("SELECT 1 FROM dossier_status_history WHERE dossier_id = '{id}'")), 3);
    // the dossier's lastActivityAt follows its timeline
    let got = ctx.get_json(&base, &ctx.viewer).await;
    assert!(got["lastActivityAt"].as_str() >= h[2]["changedAt"].as_str());
}

#[actix_web::test]
async fn refused_transitions_write_nothing() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let id = id_of(&ctx.create(lead("Léa", "0612345678")).await);
    let p =
        problem(ctx.set_status(&id, json!({"status": "WON", "wonReason": "SIGNED"})).await, 409, "INVALID_TRANSITION")
            .await;
    assert_eq!(p["allowed"], json!(["QUALIFYING", "QUALIFIED", "APPOINTMENT", "LOST"]));
    problem(ctx.set_status(&id, json!({"status": "NEW"})).await, 409, "INVALID_TRANSITION").await;
    let p = problem(ctx.set_status(&id, json!({"status": "NOPE"})).await, 400, "VALIDATION_ERROR").await;
    assert_eq!(p["errors"][0]["field"], "status");
    problem(ctx.set_status(&id, json!({"status": "QUALIFIED", "extra": 1})).await, 400, "VALIDATION_ERROR").await;
    let path = format!("/api/v1/dossiers/{id}/status");
    problem(ctx.call(Method::PATCH, &path, &ctx.viewer, Some(json!({"status": "QUALIFIED"}))).await, 403, "FORBIDDEN")
        .await;
    let res = app
        .req(Method::PATCH, &path, &ctx.agent, app.paris)
        .header("If-Match", "7")
        .json(&json!({"status": "QUALIFIED"}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "VERSION_CONFLICT").await;
    let other = format!("/api/v1/dossiers/{}/status", uuid::Uuid::now_v7());
    problem(ctx.call(Method::PATCH, &other, &ctx.agent, Some(json!({"status": "QUALIFIED"}))).await, 404, "NOT_FOUND")
        .await;
    assert_eq!(count(app, "SELECT 1 FROM dossier_status_history"), 0);
    assert_eq!(count(app, "SELECT 1 FROM activity WHERE type = 'STATUS_CHANGE'"), 0);
    assert_eq!(count(app, "SELECT 1 FROM audit_event WHERE action = 'STATUS_CHANGE'"), 0);
    assert_eq!(ctx.get_json(&format!("/api/v1/dossiers/{id}"), &ctx.viewer).await["version"], 1);

    // the WON branch, with the current version in If-Match
    let res = app
        .req(Method::PATCH, &path, &ctx.agent, app.paris)
        .header("If-Match", "\"1\"")
        .json(&json!({"status": "APPOINTMENT"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let p = problem(ctx.set_status(&id, json!({"status": "WON", "lossReason": "PRICE"})).await, 400, "REASON_REQUIRED")
        .await;
    assert_eq!(p["errors"][0]["field"], "wonReason");
    let v: Value = ctx.set_status(&id, json!({"status": "WON", "wonReason": "SIGNED"})).await.json().await.unwrap();
    assert_eq!(
        (v["status"].clone(), v["wonReason"].clone(), v["lossReason"].clone()),
        (json!("WON"), json!("SIGNED"), Value::Null)
    );
    let p =
        problem(ctx.set_status(&id, json!({"status": "LOST", "lossReason": "PRICE"})).await, 409, "INVALID_TRANSITION")
            .await;
    assert_eq!(p["allowed"], json!([]));
}

#[actix_web::test]
async fn assign_and_unassign() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let id = id_of(&ctx.create(lead("Léa", "0612345678")).await);
    let path = format!("/api/v1/dossiers/{id}/assign");
    let agent = user_id(app, "agent@demo.atlas");
    let manager = user_id(app, "manager@demo.atlas");

    problem(ctx.call(Method::PATCH, &path, &ctx.agent, Some(json!({"userId": agent}))).await, 403, "FORBIDDEN").await;
    let res = ctx.call(Method::PATCH, &path, &ctx.manager, Some(json!({"userId": agent}))).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "etag").as_deref(), Some("\"2\""));
    let v: Value = res.json().await.unwrap();
    assert_eq!((v["assignedToUserId"].clone(), v["version"].clone()), (json!(agent), json!(2)));
    // the same assignee again changes nothing
    let v: Value =
        ctx.call(Method::PATCH, &path, &ctx.manager, Some(json!({"userId": agent}))).await.json().await.unwrap();
    assert_eq!(v["version"], 2);

    for missing in [uuid::Uuid::now_v7().to_string(), lyon_only_user(&ctx).await] {
        let p = problem(
            ctx.call(Method::PATCH, &path, &ctx.manager, Some(json!({"userId": missing}))).await,
            404,
            "NOT_FOUND",
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("userId"));
    }
    problem(
        ctx.call(Method::PATCH, &path, &ctx.manager, Some(json!({"userId": agent, "x": 1}))).await,
        400,
        "VALIDATION_ERROR",
    )
    .await;

    let v: Value =
        ctx.call(Method::PATCH, &path, &ctx.admin, Some(json!({"userId": null}))).await.json().await.unwrap();
    assert_eq!((v["assignedToUserId"].clone(), v["version"].clone()), (Value::Null, json!(3)));

    let audits = rows(app, &format!("SELECT before, after, actor_user_id FROM audit_event WHERE entity_id = '{id}' AND action = 'ASSIGN' ORDER BY created_at, id"));
    assert_eq!(audits.len(), 2);
    assert_eq!(
        (audits[0]["before"]["assignedToUserId"].clone(), audits[0]["after"]["assignedToUserId"].clone()),
        (Value::Null, json!(agent))
    );
    assert_eq!(audits[0]["actor_user_id"], manager.as_str());
    assert_eq!(audits[1]["after"]["assignedToUserId"], Value::Null);
    let acts = rows(app, &format!("SELECT content, metadata FROM activity WHERE dossier_id = '{id}' AND type = 'SYSTEM' ORDER BY occurred_at, id"));
    assert_eq!(acts.len(), 2);
    assert!(acts[0]["content"].as_str().unwrap().contains("attribué"));
    assert_eq!(acts[0]["metadata"]["toUserId"], agent.as_str());
    assert_eq!(acts[1]["metadata"]["fromUserId"], agent.as_str());
}

#[actix_web::test]
async fn duplicates_lookup_by_lead_or_party_phone_and_email() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let mut b = lead("Ana", "0611111111");
    b["leadEmail"] = json!("ana@example.fr");
    let d1 = id_of(&ctx.create(b).await);
    let d2 = id_of(&ctx.create(lead("Ben", "0622222222")).await);
    insert_party(app, app.paris, &d2, Some("+33611111111"), None);
    let annonce = insert_annonce(app, app.paris, "PUBLISHED");
    let d3 = id_of(
        &ctx.create(json!({"leadName": "Ana", "leadEmail": "ana@example.fr", "annonceId": annonce, "source": "WEB", "type": "BUY"}))
            .await,
    );
    let d4 = id_of(&ctx.create(lead("Notaire", "0644444444")).await);
    insert_party(app, app.paris, &d4, None, Some("maitre@notaires.fr"));
    // closed and foreign dossiers never show
    let mut b = lead("Ana", "0611111111");
    b["annonceId"] = json!(insert_annonce(app, app.paris, "PUBLISHED"));
    let closed = id_of(&ctx.create(b).await);
    assert_eq!(ctx.set_status(&closed, json!({"status": "LOST", "lossReason": "PRICE"})).await.status(), 200);
    ctx.create_in(app.lyon, &ctx.admin, lead("Ana", "0611111111")).await;

    let dup = |q: &str| {
        let path = format!("/api/v1/dossiers/duplicates?{q}");
        let ctx = &ctx;
        async move { ids(&ctx.get_json(&path, &ctx.viewer).await) }
    };
    assert_eq!(dup("phone=06%2011%2011%2011%2011").await, [d1.as_str(), d2.as_str()]);
    assert_eq!(dup("email=%20ANA@Example.fr").await, [d1.as_str(), d3.as_str()]);
    assert_eq!(dup("phone=%2B33611111111&email=ana@example.fr").await, [d1.as_str(), d2.as_str(), d3.as_str()]);
    assert_eq!(dup("email=maitre@notaires.fr").await, [d4.as_str()]);
    assert!(dup("phone=0699999999").await.is_empty());

    let p =
        problem(ctx.call(Method::GET, "/api/v1/dossiers/duplicates", &ctx.viewer, None).await, 400, "VALIDATION_ERROR")
            .await;
    assert!(p["errors"].as_array().unwrap().iter().any(|e| e["field"] == "phone"));
    let p = problem(
        ctx.call(Method::GET, "/api/v1/dossiers/duplicates?phone=abc&email=x", &ctx.viewer, None).await,
        400,
        "VALIDATION_ERROR",
    )
    .await;
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["phone", "email"]);

    // at most 20
    for i in 0..22 {
        let d = id_of(&ctx.create(lead("Famille", &format!("06 10 00 00 {i:02}"))).await);
        insert_party(app, app.paris, &d, Some("+33655555555"), None);
    }
    assert_eq!(dup("phone=0655555555").await.len(), 20);
}
