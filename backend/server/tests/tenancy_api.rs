//! Tenancy proof (issue "Core CRM API"): data created in Paris is invisible from Lyon through EVERY
//! endpoint — reads, lists, updates, deletes, transitions, and references in bodies — always 404
//! or an empty list, never a leak. The demo admin belongs to both orgs, so only X-Org-Id changes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{problem, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

struct ParisData {
    annonce: String,
    dossier: String,
    party: String,
    message: String,
    appointment: String,
    consent: String,
    note: String,
    agent_id: String,
}

async fn post(app: &TestApp, token: &str, org: Uuid, path: &str, body: Value) -> Value {
    let res = app.req(Method::POST, path, token, org).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    let v: Value = res.json().await.unwrap();
    assert!(status == 201 || status == 200, "POST {path} → {status}: {v}");
    v
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

async fn seed_paris(app: &TestApp, admin: &str) -> ParisData {
    let p = app.paris;
    let annonce = post(
        app,
        admin,
        p,
        "/api/v1/annonces",
        json!({
            "title": "Appartement 3 pièces – Paris 11e",
            "description": "Bel appartement lumineux, proche métro, entièrement rénové en 2024.",
            "transactionType": "SALE", "propertyType": "APARTMENT", "price": 450000, "surfaceM2": 62.5,
            "city": "Paris", "energyClass": "C", "climateClass": "C",
            "energyCostMin": 700, "energyCostMax": 1000, "energyCostYear": 2025
        }),
    )
    .await;
    let annonce_id = id(&annonce);
    let res = app
        .req(Method::PATCH, &format!("/api/v1/annonces/{annonce_id}/status"), admin, p)
        .json(&json!({"status": "PUBLISHED"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "publish: {}", res.text().await.unwrap());
    let dossier = post(
        app,
        admin,
        p,
        "/api/v1/dossiers",
        json!({
            "leadName": "Léa Martin", "leadPhone": "06 12 34 56 78", "source": "WEB", "type": "BUY",
            "annonceId": annonce_id
        }),
    )
    .await;
    let dossier_id = id(&dossier);
    let party = post(
        app,
        admin,
        p,
        "/api/v1/parties-prenantes",
        json!({
            "dossierId": dossier_id, "role": "NOTARY", "firstName": "Paul", "lastName": "Lambert", "phone": "0611111111"
        }),
    )
    .await;
    let message = post(
        app,
        admin,
        p,
        "/api/v1/messages",
        json!({
            "dossierId": dossier_id, "channel": "PHONE", "direction": "INBOUND", "content": "Appel entrant"
        }),
    )
    .await;
    let me: Value =
        app.client.get(app.url("/api/v1/me")).bearer_auth(admin).send().await.unwrap().json().await.unwrap();
    let agent_id = me["user"]["id"].as_str().unwrap().to_string();
    let appointment = post(
        app,
        admin,
        p,
        "/api/v1/appointments",
        json!({
            "dossierId": dossier_id, "title": "Visite", "startsAt": "2030-01-10T10:00:00Z",
            "endsAt": "2030-01-10T11:00:00Z", "assignedToUserId": agent_id
        }),
    )
    .await;
    let consent = post(
        app,
        admin,
        p,
        "/api/v1/consentements",
        json!({
            "dossierId": dossier_id, "channel": "WHATSAPP", "purpose": "CONTACT", "status": "GRANTED",
            "source": "UI", "proof": "Accord oral enregistré lors de l'appel du 10/01"
        }),
    )
    .await;
    let note =
        post(app, admin, p, "/api/v1/activities", json!({"dossierId": dossier_id, "content": "Rappeler lundi"})).await;
    ParisData {
        annonce: annonce_id,
        dossier: dossier_id,
        party: id(&party),
        message: id(&message),
        appointment: id(&appointment),
        consent: id(&consent),
        note: id(&note),
        agent_id,
    }
}

#[actix_web::test]
async fn no_endpoint_leaks_another_orgs_data() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let d = seed_paris(&app, &admin).await;
    let lyon = app.lyon;

    // Every single-resource endpoint on a Paris id, called in Lyon → 404.
    let single: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/annonces/{}", d.annonce), None),
        (
            Method::PUT,
            format!("/api/v1/annonces/{}", d.annonce),
            Some(json!({"title": "Piraté", "transactionType": "SALE", "propertyType": "APARTMENT"})),
        ),
        (Method::PATCH, format!("/api/v1/annonces/{}/status", d.annonce), Some(json!({"status": "ARCHIVED"}))),
        (Method::DELETE, format!("/api/v1/annonces/{}", d.annonce), None),
        (Method::GET, format!("/api/v1/dossiers/{}", d.dossier), None),
        (
            Method::PUT,
            format!("/api/v1/dossiers/{}", d.dossier),
            Some(json!({"leadName": "X", "leadPhone": "0612345678", "source": "WEB", "type": "BUY"})),
        ),
        (Method::PATCH, format!("/api/v1/dossiers/{}/status", d.dossier), Some(json!({"status": "QUALIFIED"}))),
        (Method::PATCH, format!("/api/v1/dossiers/{}/assign", d.dossier), Some(json!({"userId": d.agent_id}))),
        (Method::GET, format!("/api/v1/dossiers/{}/status-history", d.dossier), None),
        (Method::GET, format!("/api/v1/dossiers/{}/available-transitions", d.dossier), None),
        (Method::DELETE, format!("/api/v1/dossiers/{}", d.dossier), None),
        (Method::GET, format!("/api/v1/parties-prenantes/{}", d.party), None),
        (
            Method::PUT,
            format!("/api/v1/parties-prenantes/{}", d.party),
            Some(json!({"dossierId": d.dossier, "role": "BANK", "firstName": "X", "lastName": "Y"})),
        ),
        (Method::DELETE, format!("/api/v1/parties-prenantes/{}", d.party), None),
        (Method::GET, format!("/api/v1/messages/{}", d.message), None),
        (Method::DELETE, format!("/api/v1/messages/{}", d.message), None),
        (Method::GET, format!("/api/v1/appointments/{}", d.appointment), None),
        (
            Method::PUT,
            format!("/api/v1/appointments/{}", d.appointment),
            Some(
                json!({"dossierId": d.dossier, "title": "X", "startsAt": "2030-01-10T10:00:00Z", "endsAt": "2030-01-10T11:00:00Z"}),
            ),
        ),
        (Method::DELETE, format!("/api/v1/appointments/{}", d.appointment), None),
        (Method::GET, format!("/api/v1/consentements/{}", d.consent), None),
        (
            Method::PUT,
            format!("/api/v1/consentements/{}", d.consent),
            Some(json!({"status": "REVOKED", "source": "UI"})),
        ),
        (Method::GET, format!("/api/v1/activities/{}", d.note), None),
        (Method::PUT, format!("/api/v1/activities/{}", d.note), Some(json!({"content": "Piraté"}))),
        (Method::DELETE, format!("/api/v1/activities/{}", d.note), None),
    ];
    for (method, path, body) in single {
        let mut rb = app.req(method.clone(), &path, &admin, lyon);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let res = rb.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert_eq!(status, 404, "{method} {path} from Lyon → {status}: {text}");
        assert!(text.contains("NOT_FOUND"), "{method} {path}: {text}");
    }

    // References to Paris entities in Lyon request bodies → 404.
    let refs: Vec<(&str, Value)> = vec![
        (
            "/api/v1/dossiers",
            json!({"leadName": "X", "leadPhone": "0622222222", "source": "WEB", "type": "BUY", "annonceId": d.annonce}),
        ),
        (
            "/api/v1/parties-prenantes",
            json!({"dossierId": d.dossier, "role": "BANK", "firstName": "X", "lastName": "Y"}),
        ),
        (
            "/api/v1/messages",
            json!({"dossierId": d.dossier, "channel": "PHONE", "direction": "INBOUND", "content": "x"}),
        ),
        (
            "/api/v1/appointments",
            json!({"dossierId": d.dossier, "title": "X", "startsAt": "2030-01-10T10:00:00Z", "endsAt": "2030-01-10T11:00:00Z"}),
        ),
        (
            "/api/v1/consentements",
            json!({"dossierId": d.dossier, "channel": "SMS", "purpose": "CONTACT", "status": "GRANTED", "source": "UI", "proof": "preuve suffisante"}),
        ),
        ("/api/v1/activities", json!({"dossierId": d.dossier, "content": "x"})),
    ];
    for (path, body) in refs {
        let res = app.req(Method::POST, path, &admin, lyon).json(&body).send().await.unwrap();
        problem(res, 404, "NOT_FOUND").await;
    }
    // A Lyon dossier cannot be assigned to a user who is only a member of Paris, nor point at a
    // Paris annonce in an appointment.
    let lyon_dossier = post(
        &app,
        &admin,
        lyon,
        "/api/v1/dossiers",
        json!({"leadName": "Lyonnais", "leadEmail": "l@exemple.fr", "source": "WEB", "type": "BUY"}),
    )
    .await;
    let manager = app.login("manager@demo.atlas").await;
    let me: Value =
        app.client.get(app.url("/api/v1/me")).bearer_auth(&manager).send().await.unwrap().json().await.unwrap();
    let paris_manager = me["user"]["id"].as_str().unwrap();
    let res = app
        .req(Method::PATCH, &format!("/api/v1/dossiers/{}/assign", id(&lyon_dossier)), &admin, lyon)
        .json(&json!({"userId": paris_manager}))
        .send()
        .await
        .unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.req(Method::POST, "/api/v1/dossiers", &admin, lyon)
        .json(&json!({"leadName": "X", "leadEmail": "x2@exemple.fr", "source": "WEB", "type": "BUY", "assignedToUserId": paris_manager}))
        .send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;
    let res = app.req(Method::POST, "/api/v1/appointments", &admin, lyon)
        .json(&json!({"dossierId": id(&lyon_dossier), "title": "X", "annonceId": d.annonce, "startsAt": "2030-01-10T10:00:00Z", "endsAt": "2030-01-10T11:00:00Z"}))
        .send().await.unwrap();
    problem(res, 404, "NOT_FOUND").await;

    // Lists and lookups in Lyon show nothing of Paris.
    let lists = [
        "/api/v1/annonces".to_string(),
        "/api/v1/dossiers".to_string(),
        format!("/api/v1/dossiers?annonceId={}", d.annonce),
        "/api/v1/parties-prenantes".to_string(),
        format!("/api/v1/parties-prenantes?dossierId={}", d.dossier),
        "/api/v1/messages".to_string(),
        format!("/api/v1/messages?dossierId={}", d.dossier),
        "/api/v1/appointments".to_string(),
        format!("/api/v1/appointments?dossierId={}", d.dossier),
        "/api/v1/activities".to_string(),
        format!("/api/v1/activities?dossierId={}", d.dossier),
        "/api/v1/audit-events".to_string(),
        format!("/api/v1/audit-events?entityId={}", d.dossier),
        "/api/v1/dossiers/duplicates?phone=0612345678".to_string(),
        "/api/v1/dossiers/duplicates?phone=0611111111".to_string(),
    ];
    let paris_ids = [&d.annonce, &d.dossier, &d.party, &d.message, &d.appointment, &d.consent, &d.note];
    for path in lists {
        let res = app.req(Method::GET, &path, &admin, lyon).send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert!(status == 200 || status == 404, "GET {path} → {status}: {text}");
        for pid in paris_ids {
            assert!(!text.contains(pid.as_str()), "GET {path} in Lyon leaks {pid}: {text}");
        }
        assert!(!text.contains("Léa Martin"), "GET {path} leaks the Paris lead");
    }
    let res = app
        .req(Method::GET, &format!("/api/v1/consentements?dossierId={}", d.dossier), &admin, lyon)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert!(status == 404 || !text.contains(&d.consent), "consents leak: {text}");

    // And Paris still has everything, untouched.
    let res = app.req(Method::GET, &format!("/api/v1/dossiers/{}", d.dossier), &admin, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["leadName"], "Léa Martin");
    assert_eq!(v["status"], "NEW");
}
