//! Role matrix (issue "Core CRM API"): each role × each write endpoint gives the status PRODUCT.md §1
//! implies — VIEWER reads only; AGENT creates/updates and moves dossiers; MANAGER also deletes,
//! reassigns and reads the audit; ADMIN everything.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

#[derive(Clone, Copy, PartialEq, PartialOrd, Debug)]
enum Role {
    Viewer,
    Agent,
    Manager,
    Admin,
}

struct Fixture {
    draft_to_publish: String,
    draft_to_delete: String,
    annonce: String,
    dossier: String,
    dossier_to_delete: String,
    party: String,
    message: String,
    appointment: String,
    consent: String,
    note: String,
    manager_id: String,
}

async fn create(app: &TestApp, admin: &str, path: &str, body: Value) -> String {
    let res = app.req(Method::POST, path, admin, app.paris).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    let v: Value = res.json().await.unwrap();
    assert!(status == 201 || status == 200, "POST {path}: {status} {v}");
    v["id"].as_str().unwrap().to_string()
}

fn annonce_body(title: &str) -> Value {
    json!({
        "title": title,
        "description": "Maison familiale avec jardin, quatre chambres, garage et cave, quartier calme.",
        "transactionType": "SALE", "propertyType": "HOUSE", "price": 520000, "surfaceM2": 130,
        "city": "Vincennes", "energyClass": "D", "climateClass": "D",
        "energyCostMin": 1500, "energyCostMax": 2100, "energyCostYear": 2025
    })
}

async fn fixture(app: &TestApp, admin: &str, n: usize) -> Fixture {
    let draft_to_publish = create(app, admin, "/api/v1/annonces", annonce_body("Maison à publier")).await;
    let draft_to_delete = create(app, admin, "/api/v1/annonces", annonce_body("Brouillon à supprimer")).await;
    let annonce = create(app, admin, "/api/v1/annonces", annonce_body("Maison en vente")).await;
    let res = app
        .req(Method::PATCH, &format!("/api/v1/annonces/{annonce}/status"), admin, app.paris)
        .json(&json!({"status": "PUBLISHED"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let dossier = create(app, admin, "/api/v1/dossiers", json!({
        "leadName": "Jules Roux", "leadPhone": format!("06100000{n:02}"), "source": "PHONE", "type": "BUY", "annonceId": annonce
    })).await;
    let dossier_to_delete = create(
        app,
        admin,
        "/api/v1/dossiers",
        json!({
            "leadName": "Zoé Morel", "leadEmail": format!("zoe{n}@exemple.fr"), "source": "WEB", "type": "RENT"
        }),
    )
    .await;
    let party = create(
        app,
        admin,
        "/api/v1/parties-prenantes",
        json!({"dossierId": dossier, "role": "BANK", "firstName": "Banque", "lastName": "Populaire"}),
    )
    .await;
    let message = create(
        app,
        admin,
        "/api/v1/messages",
        json!({"dossierId": dossier, "channel": "IN_PERSON", "direction": "INBOUND", "content": "Passage en agence"}),
    )
    .await;
    let appointment = create(app, admin, "/api/v1/appointments", json!({"dossierId": dossier, "title": "Visite", "startsAt": "2030-02-01T09:00:00Z", "endsAt": "2030-02-01T10:00:00Z"})).await;
    let consent = create(app, admin, "/api/v1/consentements", json!({"dossierId": dossier, "channel": "EMAIL", "purpose": "CONTACT", "status": "GRANTED", "source": "UI", "proof": "Formulaire signé en agence le 01/02"})).await;
    let note =
        create(app, admin, "/api/v1/activities", json!({"dossierId": dossier, "content": "Note de l'administrateur"}))
            .await;
    let manager = app.login("manager@demo.atlas").await;
    let me: Value =
        app.client.get(app.url("/api/v1/me")).bearer_auth(&manager).send().await.unwrap().json().await.unwrap();
    Fixture {
        draft_to_publish,
        draft_to_delete,
        annonce,
        dossier,
        dossier_to_delete,
        party,
        message,
        appointment,
        consent,
        note,
        manager_id: me["user"]["id"].as_str().unwrap().to_string(),
    }
}

/// (method, path, body, lowest role allowed) in an order where deletes come last.
fn endpoints(f: &Fixture) -> Vec<(Method, String, Option<Value>, Role)> {
    use Role::*;
    vec![
        (Method::POST, "/api/v1/annonces".into(), Some(annonce_body("Nouvelle annonce")), Agent),
        (
            Method::PUT,
            format!("/api/v1/annonces/{}", f.annonce),
            Some(annonce_body("Maison en vente, prix revu")),
            Agent,
        ),
        (
            Method::PATCH,
            format!("/api/v1/annonces/{}/status", f.draft_to_publish),
            Some(json!({"status": "PUBLISHED"})),
            Agent,
        ),
        (
            Method::POST,
            "/api/v1/dossiers".into(),
            Some(json!({"leadName": "Nouveau", "leadEmail": "nouveau@exemple.fr", "source": "WEB", "type": "BUY"})),
            Agent,
        ),
        (
            Method::PUT,
            format!("/api/v1/dossiers/{}", f.dossier),
            Some(
                json!({"leadName": "Jules Roux-Martin", "leadPhone": "0699999999", "source": "PHONE", "type": "BUY", "annonceId": f.annonce}),
            ),
            Agent,
        ),
        (Method::PATCH, format!("/api/v1/dossiers/{}/status", f.dossier), Some(json!({"status": "QUALIFYING"})), Agent),
        (
            Method::PATCH,
            format!("/api/v1/dossiers/{}/assign", f.dossier),
            Some(json!({"userId": f.manager_id})),
            Manager,
        ),
        (
            Method::POST,
            "/api/v1/parties-prenantes".into(),
            Some(json!({"dossierId": f.dossier, "role": "NOTARY", "firstName": "Anne", "lastName": "Notaire"})),
            Agent,
        ),
        (
            Method::PUT,
            format!("/api/v1/parties-prenantes/{}", f.party),
            Some(json!({"dossierId": f.dossier, "role": "BANK", "firstName": "Banque", "lastName": "Postale"})),
            Agent,
        ),
        (
            Method::POST,
            "/api/v1/messages".into(),
            Some(json!({"dossierId": f.dossier, "channel": "PHONE", "direction": "OUTBOUND", "content": "Rappel"})),
            Agent,
        ),
        (
            Method::POST,
            "/api/v1/appointments".into(),
            Some(
                json!({"dossierId": f.dossier, "title": "Signature", "startsAt": "2030-03-01T09:00:00Z", "endsAt": "2030-03-01T10:00:00Z"}),
            ),
            Agent,
        ),
        (
            Method::PUT,
            format!("/api/v1/appointments/{}", f.appointment),
            Some(
                json!({"dossierId": f.dossier, "title": "Visite (décalée)", "startsAt": "2030-02-02T09:00:00Z", "endsAt": "2030-02-02T10:00:00Z"}),
            ),
            Agent,
        ),
        (
            Method::POST,
            "/api/v1/consentements".into(),
            Some(
                json!({"dossierId": f.dossier, "channel": "SMS", "purpose": "CONTACT", "status": "DENIED", "source": "UI"}),
            ),
            Agent,
        ),
        (
            Method::PUT,
            format!("/api/v1/consentements/{}", f.consent),
            Some(json!({"status": "REVOKED", "source": "UI"})),
            Agent,
        ),
        (
            Method::POST,
            "/api/v1/activities".into(),
            Some(json!({"dossierId": f.dossier, "content": "Une note"})),
            Agent,
        ),
        // someone else's note: MANAGER+ only
        (Method::PUT, format!("/api/v1/activities/{}", f.note), Some(json!({"content": "Note corrigée"})), Manager),
        (Method::GET, "/api/v1/audit-events".into(), None, Manager),
        (Method::DELETE, format!("/api/v1/activities/{}", f.note), None, Manager),
        (Method::DELETE, format!("/api/v1/appointments/{}", f.appointment), None, Manager),
        (Method::DELETE, format!("/api/v1/messages/{}", f.message), None, Manager),
        (Method::DELETE, format!("/api/v1/parties-prenantes/{}", f.party), None, Manager),
        (Method::DELETE, format!("/api/v1/dossiers/{}", f.dossier_to_delete), None, Manager),
        (Method::DELETE, format!("/api/v1/annonces/{}", f.draft_to_delete), None, Manager),
    ]
}

#[actix_web::test]
async fn every_role_gets_what_product_md_implies_on_every_write() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let roles = [
        ("viewer@demo.atlas", Role::Viewer),
        ("agent@demo.atlas", Role::Agent),
        ("manager@demo.atlas", Role::Manager),
        ("admin@demo.atlas", Role::Admin),
    ];
    let mut failures = Vec::new();
    for (n, (email, role)) in roles.into_iter().enumerate() {
        let f = fixture(&app, &admin, n).await;
        let token = app.login(email).await;
        for (method, path, body, min) in endpoints(&f) {
            let mut rb = app.req(method.clone(), &path, &token, app.paris);
            if let Some(b) = &body {
                rb = rb.json(b);
            }
            let res = rb.send().await.unwrap();
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            let ok =
                if role >= min { (200..300).contains(&status) } else { status == 403 && text.contains("FORBIDDEN") };
            if !ok {
                failures.push(format!(
                    "{role:?} {method} {path} → {status} (expected {}): {text}",
                    if role >= min { "2xx" } else { "403" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "role matrix mismatches:\n{}", failures.join("\n"));
}

#[actix_web::test]
async fn every_role_can_read() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@demo.atlas").await;
    let f = fixture(&app, &admin, 9).await;
    let viewer = app.login("viewer@demo.atlas").await;
    for path in [
        "/api/v1/annonces".to_string(),
        format!("/api/v1/annonces/{}", f.annonce),
        "/api/v1/dossiers".to_string(),
        format!("/api/v1/dossiers/{}", f.dossier),
        format!("/api/v1/dossiers/{}/status-history", f.dossier),
        format!("/api/v1/dossiers/{}/available-transitions", f.dossier),
        "/api/v1/dossiers/duplicates?phone=0610000009".to_string(),
        format!("/api/v1/parties-prenantes?dossierId={}", f.dossier),
        format!("/api/v1/parties-prenantes/{}", f.party),
        format!("/api/v1/messages?dossierId={}", f.dossier),
        format!("/api/v1/messages/{}", f.message),
        format!("/api/v1/appointments?dossierId={}", f.dossier),
        format!("/api/v1/appointments/{}", f.appointment),
        format!("/api/v1/consentements?dossierId={}", f.dossier),
        format!("/api/v1/activities?dossierId={}", f.dossier),
    ] {
        let res = app.req(Method::GET, &path, &viewer, app.paris).send().await.unwrap();
        assert_eq!(res.status(), 200, "VIEWER GET {path}: {}", res.text().await.unwrap());
    }
}
