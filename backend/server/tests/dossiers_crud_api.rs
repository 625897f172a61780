//! Dossier read, update, delete, list filters and tenant isolation (PRODUCT.md §0, §3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod dossiers_support;

use common::problem;
use dossiers_support::{
    count, exec, header, id_of, ids, insert_annonce, insert_party, lead, lyon_only_user, rows, user_id, Ctx,
};
use reqwest::Method;
use serde_json::{json, Value};

#[actix_web::test]
async fn get_put_delete_with_versions_audit_and_cascade() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let d = ctx.create(lead("Léa", "0612345678")).await;
    let id = id_of(&d);
    let path = format!("/api/v1/dossiers/{id}");

    let res = ctx.call(Method::GET, &path, &ctx.viewer, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "etag").as_deref(), Some("\"1\""));

    let full = json!({
        "leadName": "Léa Martin", "leadPhone": "06 98 76 54 32", "leadEmail": "LEA@example.fr",
        "source": "PHONE", "type": "RENT", "budgetMax": 1200.5, "notes": "Rappeler lundi"
    });
    let res = ctx
        .app
        .req(Method::PUT, &path, &ctx.agent, app.paris)
        .header("If-Match", "\"1\"")
        .json(&full)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "etag").as_deref(), Some("\"2\""));
    let u: Value = res.json().await.unwrap();
    assert_eq!(u["version"], 2);
    assert_eq!(u["leadPhone"], "+33698765432");
    assert_eq!(u["leadEmail"], "lea@example.fr");
    assert_eq!(u["type"], "RENT");
    assert_eq!(u["budgetMax"], 1200.5);
    assert_eq!(u["status"], "NEW");
    assert_eq!(u["reference"], d["reference"]);
    assert_eq!(u["createdAt"], d["createdAt"]);

    // stale versions, by header (bare) or body
    let res = ctx
        .app
        .req(Method::PUT, &path, &ctx.agent, app.paris)
        .header("If-Match", "1")
        .json(&full)
        .send()
        .await
        .unwrap();
    problem(res, 409, "VERSION_CONFLICT").await;
    let mut stale = full.clone();
    stale["version"] = json!(1);
    problem(ctx.call(Method::PUT, &path, &ctx.agent, Some(stale)).await, 409, "VERSION_CONFLICT").await;

    // status and reference are not part of the PUT body
    for (k, v) in [("status", json!("WON")), ("reference", json!("DOS-999999")), ("whatsappUserId", json!("US.1"))] {
        let mut body = full.clone();
        body[k] = v;
        let p = problem(ctx.call(Method::PUT, &path, &ctx.agent, Some(body)).await, 400, "VALIDATION_ERROR").await;
        assert_eq!(p["errors"][0]["field"], k);
    }
    // the same representation again changes nothing
    let res = ctx.call(Method::PUT, &path, &ctx.agent, Some(full.clone())).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 2);
    // validation, roles, unknown ids
    let p =
        problem(ctx.call(Method::PUT, &path, &ctx.agent, Some(json!({"leadName": ""}))).await, 400, "VALIDATION_ERROR")
            .await;
    assert!(p["errors"].as_array().unwrap().len() >= 3);
    problem(ctx.call(Method::PUT, &path, &ctx.viewer, Some(full.clone())).await, 403, "FORBIDDEN").await;
    let other = format!("/api/v1/dossiers/{}", uuid::Uuid::now_v7());
    problem(ctx.call(Method::PUT, &other, &ctx.agent, Some(full.clone())).await, 404, "NOT_FOUND").await;
    problem(
        ctx.call(Method::PUT, "/api/v1/dossiers/not-a-uuid", &ctx.agent, Some(full.clone())).await,
        404,
        "NOT_FOUND",
    )
    .await;

    let audits =
        rows(app, &format!("SELECT action, diff FROM audit_event WHERE entity_id = '{id}' ORDER BY created_at, id"));
    assert_eq!(audits.iter().map(|a| a["action"].as_str().unwrap()).collect::<Vec<_>>(), ["CREATE", "UPDATE"]);
    let diff_paths: Vec<&str> =
        audits[1]["diff"].as_array().unwrap().iter().map(|op| op["path"].as_str().unwrap()).collect();
    assert!(
        diff_paths.contains(&"/leadName") && diff_paths.contains(&"/leadPhone") && !diff_paths.contains(&"/status")
    );

    // DELETE: MANAGER and above; children go with the dossier, the audit trail stays
    insert_party(app, app.paris, &id, Some("+33611111111"), None);
    problem(ctx.call(Method::DELETE, &path, &ctx.agent, None).await, 403, "FORBIDDEN").await;
    assert_eq!(ctx.call(Method::DELETE, &path, &ctx.manager, None).await.status(), 204);
    problem(ctx.call(Method::GET, &path, &ctx.agent, None).await, 404, "NOT_FOUND").await;
    problem(ctx.call(Method::DELETE, &path, &ctx.manager, None).await, 404, "NOT_FOUND").await;
    assert_eq!(count(app, &format!("SELECT 1 FROM party WHERE dossier_id = '{id}'")), 0);
    assert_eq!(count(app, &format!("SELECT 1 FROM activity WHERE dossier_id = '{id}'")), 0);
    let del =
        rows(app, &format!("SELECT before, after FROM audit_event WHERE entity_id = '{id}' AND action = 'DELETE'"));
    assert_eq!(del.len(), 1);
    assert_eq!(del[0]["before"]["leadName"], "Léa Martin");
    assert!(del[0]["after"].is_null());
}

#[actix_web::test]
async fn put_that_collides_with_another_open_dossier_is_409() {
    let ctx = Ctx::spawn().await;
    let mut a = lead("Ana", "0611111111");
    a["leadEmail"] = json!("ana@example.fr");
    let a = ctx.create(a).await;
    let b = ctx.create(lead("Ben", "0622222222")).await;
    let path = format!("/api/v1/dossiers/{}", id_of(&b));

    let p =
        problem(ctx.call(Method::PUT, &path, &ctx.agent, Some(lead("Ben", "0611111111"))).await, 409, "CONFLICT").await;
    assert!(p["detail"].as_str().unwrap().contains("open dossier"));
    let mut by_mail = lead("Ben", "0622222222");
    by_mail["leadEmail"] = json!("ANA@example.fr");
    problem(ctx.call(Method::PUT, &path, &ctx.agent, Some(by_mail.clone())).await, 409, "CONFLICT").await;

    // once A is closed, its phone and email are free again
    let res = ctx.set_status(&id_of(&a), json!({"status": "LOST", "lossReason": "PRICE"})).await;
    assert_eq!(res.status(), 200);
    let res = ctx.call(Method::PUT, &path, &ctx.agent, Some(by_mail)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["leadEmail"], "ana@example.fr");
}

#[actix_web::test]
async fn put_checks_annonce_and_assignee_references() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let kept = insert_annonce(app, app.paris, "PUBLISHED");
    let mut body = lead("Léa", "0612345678");
    body["annonceId"] = json!(kept);
    let d = ctx.create(body.clone()).await;
    let path = format!("/api/v1/dossiers/{}", id_of(&d));

    // the linked annonce may be archived later: keeping the link is fine
    exec(app, &format!("UPDATE annonce SET status = 'ARCHIVED' WHERE id = '{kept}'"));
    body["notes"] = json!("toujours intéressée");
    assert_eq!(ctx.call(Method::PUT, &path, &ctx.agent, Some(body.clone())).await.status(), 200);
    // linking another one follows the creation rule
    let draft = insert_annonce(app, app.paris, "DRAFT");
    let mut to_draft = body.clone();
    to_draft["annonceId"] = json!(draft);
    problem(ctx.call(Method::PUT, &path, &ctx.agent, Some(to_draft)).await, 422, "ANNONCE_NOT_AVAILABLE").await;
    for missing in [uuid::Uuid::now_v7().to_string(), insert_annonce(app, app.lyon, "PUBLISHED")] {
        let mut b = body.clone();
        b["annonceId"] = json!(missing);
        let p = problem(ctx.call(Method::PUT, &path, &ctx.agent, Some(b)).await, 404, "NOT_FOUND").await;
        assert!(p["detail"].as_str().unwrap().contains("annonceId"));
    }
    // reassigning through PUT is a manager's move, to a member of the org
    let agent = user_id(app, "agent@demo.atlas");
    let mut assigned = body.clone();
    assigned["assignedToUserId"] = json!(agent);
    problem(ctx.call(Method::PUT, &path, &ctx.agent, Some(assigned.clone())).await, 403, "FORBIDDEN").await;
    let res = ctx.call(Method::PUT, &path, &ctx.manager, Some(assigned.clone())).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["assignedToUserId"], agent.as_str());
    // the agent can still edit it as long as the assignee stays
    assigned["notes"] = json!("visite prévue");
    assert_eq!(ctx.call(Method::PUT, &path, &ctx.agent, Some(assigned)).await.status(), 200);
    let lyon_user = lyon_only_user(&ctx).await;
    let mut b = body.clone();
    b["assignedToUserId"] = json!(lyon_user);
    let p = problem(ctx.call(Method::PUT, &path, &ctx.manager, Some(b)).await, 404, "NOT_FOUND").await;
    assert!(p["detail"].as_str().unwrap().contains("assignedToUserId"));
}

#[actix_web::test]
async fn list_filters_sorts_and_pages() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let annonce = insert_annonce(app, app.paris, "PUBLISHED");
    let manager = user_id(app, "manager@demo.atlas");
    let mut b1 = lead("Alice Dupont", "0611111111");
    b1["leadEmail"] = json!("alice@example.fr");
    b1["annonceId"] = json!(annonce);
    b1["assignedToUserId"] = json!(manager);
    let d1 = id_of(&ctx.create(b1).await);
    let mut b2 = lead("bob martin", "0622222222");
    b2["source"] = json!("PHONE");
    b2["type"] = json!("RENT");
    let d2 = id_of(&ctx.create(b2).await);
    let d3 = id_of(
        &ctx.create(
            json!({"leadName": "Chloé Bernard", "leadEmail": "chloe@agence.fr", "source": "WEB", "type": "SELL"}),
        )
        .await,
    );
    assert_eq!(ctx.set_status(&d3, json!({"status": "QUALIFIED"})).await.status(), 200);
    ctx.create_in(app.lyon, &ctx.admin, lead("Alice Lyon", "0611111111")).await;
    exec(app, &format!("UPDATE dossier SET created_at = '2026-01-10T10:00:00Z' WHERE id = '{d1}'"));
    exec(app, &format!("UPDATE dossier SET created_at = '2026-01-15T23:59:00Z' WHERE id = '{d2}'"));
    exec(app, &format!("UPDATE dossier SET created_at = '2026-02-01T00:00:00Z' WHERE id = '{d3}'"));

    let list = |q: &str| {
        let path = format!("/api/v1/dossiers?{q}");
        let ctx = &ctx;
        async move { ids(&ctx.get_json(&path, &ctx.viewer).await) }
    };
    let page = ctx.get_json("/api/v1/dossiers", &ctx.viewer).await;
    assert_eq!(
        (page["totalItems"].clone(), page["page"].clone(), page["size"].clone()),
        (json!(3), json!(0), json!(20))
    );
    assert_eq!(ids(&page), [d3.as_str(), d2.as_str(), d1.as_str()]);
    assert_eq!(list("status=QUALIFIED").await, [d3.as_str()]);
    assert_eq!(list("source=WEB").await, [d3.as_str(), d1.as_str()]);
    assert_eq!(list("type=RENT").await, [d2.as_str()]);
    assert_eq!(list(&format!("assignedToUserId={manager}")).await, [d1.as_str()]);
    assert_eq!(list(&format!("annonceId={annonce}")).await, [d1.as_str()]);
    assert_eq!(list(&format!("annonceId={}", uuid::Uuid::now_v7())).await, Vec::<String>::new());
    // q: name, email, phone, reference; case-insensitive, substring, never another org
    assert_eq!(list("q=alice").await, [d1.as_str()]);
    assert_eq!(list("q=ALICE%20DUP").await, [d1.as_str()]);
    assert_eq!(list("q=agence.fr").await, [d3.as_str()]);
    assert_eq!(list("q=dos-00000").await.len(), 3);
    assert_eq!(list("q=%2B33622").await, [d2.as_str()]);
    assert_eq!(list("q=06%2022%2022").await, [d2.as_str()]);
    assert_eq!(list("q=0622222222").await, [d2.as_str()]);
    assert_eq!(list("q=100%25").await, Vec::<String>::new());
    assert_eq!(list("q=BOB&type=BUY").await, Vec::<String>::new());
    // dates are inclusive, whole days
    assert_eq!(list("createdFrom=2026-01-15&createdTo=2026-01-15").await, [d2.as_str()]);
    assert_eq!(list("createdFrom=2026-01-11").await, [d3.as_str(), d2.as_str()]);
    assert_eq!(list("createdTo=2026-01-31").await, [d2.as_str(), d1.as_str()]);
    assert_eq!(list("createdFrom=2026-01-10T10:00:00Z&createdTo=2026-01-10T10:00:00Z").await, [d1.as_str()]);
    // sorts
    assert_eq!(list("sort=createdAt,asc").await, [d1.as_str(), d2.as_str(), d3.as_str()]);
    assert_eq!(list("sort=leadName,asc").await, [d1.as_str(), d2.as_str(), d3.as_str()]);
    assert_eq!(list("sort=leadName,desc").await, [d3.as_str(), d2.as_str(), d1.as_str()]);
    assert_eq!(list("sort=reference,asc").await, [d1.as_str(), d2.as_str(), d3.as_str()]);
    assert_eq!(list("sort=status,desc").await[0], d3);
    assert_eq!(list("sort=status,asc").await[2], d3);
    assert_eq!(list("sort=updatedAt,desc").await[0], d3);
    assert_eq!(list("sort=lastActivityAt,desc").await[0], d3);
    // paging
    let p = ctx.get_json("/api/v1/dossiers?size=2&sort=createdAt,asc", &ctx.viewer).await;
    assert_eq!(
        (ids(&p), p["totalItems"].clone(), p["totalPages"].clone()),
        (vec![d1.clone(), d2.clone()], json!(3), json!(2))
    );
    assert_eq!(list("page=1&size=2&sort=createdAt,asc").await, [d3.as_str()]);
    // every bad parameter at once
    let res = ctx
        .call(
            Method::GET,
            "/api/v1/dossiers?status=NOPE&source=FAX&type=x&assignedToUserId=1&annonceId=2&createdFrom=yesterday&createdTo=2026-13-01&sort=leadPhone,asc&size=0",
            &ctx.viewer,
            None,
        )
        .await;
    let p = problem(res, 400, "VALIDATION_ERROR").await;
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["status", "source", "type", "assignedToUserId", "annonceId", "createdFrom", "createdTo", "size", "sort"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    problem(ctx.call(Method::GET, "/api/v1/dossiers?size=101", &ctx.viewer, None).await, 400, "VALIDATION_ERROR").await;
}

#[actix_web::test]
async fn another_orgs_dossier_is_404_everywhere_and_absent_from_lists() {
    let ctx = Ctx::spawn().await;
    let app = &ctx.app;
    let theirs = ctx.create_in(app.lyon, &ctx.admin, lead("Lyonnaise", "0611111111")).await;
    let id = id_of(&theirs);
    let mine = ctx.create(lead("Parisienne", "0622222222")).await;
    let base = format!("/api/v1/dossiers/{id}");
    let agent = user_id(app, "agent@demo.atlas");
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, base.clone(), None),
        (Method::PUT, base.clone(), Some(lead("X", "0633333333"))),
        (Method::DELETE, base.clone(), None),
        (Method::PATCH, format!("{base}/status"), Some(json!({"status": "QUALIFIED"}))),
        (Method::GET, format!("{base}/status-history"), None),
        (Method::GET, format!("{base}/available-transitions"), None),
        (Method::PATCH, format!("{base}/assign"), Some(json!({"userId": agent}))),
    ];
    // the admin is a member of both orgs: even with enough rights, Paris does not see Lyon's dossier
    for token in [&ctx.admin, &ctx.manager] {
        for (m, path, body) in &calls {
            let res = ctx.call(m.clone(), path, token, body.clone()).await;
            problem(res, 404, "NOT_FOUND").await;
        }
    }
    for (m, path, body) in &calls {
        let path = path.replace(&id, "not-a-uuid");
        problem(ctx.call(m.clone(), &path, &ctx.admin, body.clone()).await, 404, "NOT_FOUND").await;
    }
    assert_eq!(ids(&ctx.get_json("/api/v1/dossiers", &ctx.admin).await), [id_of(&mine)]);
    assert!(ids(&ctx.get_json("/api/v1/dossiers?q=Lyonnaise", &ctx.admin).await).is_empty());
    assert!(ids(&ctx.get_json("/api/v1/dossiers/duplicates?phone=0611111111", &ctx.admin).await).is_empty());
    // and Lyon still has it, untouched
    let res = ctx.call_in(app.lyon, Method::GET, &base, &ctx.admin, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), theirs);
}
