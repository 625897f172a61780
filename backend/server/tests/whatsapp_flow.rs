//! The whole WhatsApp loop over real HTTP (PRODUCT.md §10): an admin configures the org and a
//! template through the API, an agent creates a dossier and records the consent, queues a template
//! message; a worker sends it to the in-process fake provider, whose signed `sent`, `delivered`,
//! `read` callbacks reach our webhook. Then the 24-hour window opened by an inbound text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use atlas_domain::retry::parse_backoff;
use atlas_domain::whatsapp::sign_body;
use atlas_server::fake_whatsapp::{Callback, FakeWhatsApp};
use atlas_server::outbox::worker::{start_with, WorkerHandle};
use atlas_server::outbox::OutboxSettings;
use atlas_server::whatsapp::provider::CloudApiProvider;
use common::{count_sql, problem, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const PNID: &str = "109876543210";
const ACCESS_TOKEN: &str = "flow-access-token";
const APP_SECRET: &str = "flow-app-secret";
const LEAD_PHONE: &str = "+33612345678";

struct Flow {
    app: TestApp,
    fake: FakeWhatsApp,
    agent: String,
    dossier: String,
}

impl Flow {
    async fn send(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> reqwest::Response {
        let mut req = self.app.req(method, path, token, self.app.paris);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    async fn outbound(&self, id: &str) -> Value {
        let res = self.send(Method::GET, &format!("/api/v1/outbound/messages/{id}"), &self.agent, None).await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    async fn wait_status(&self, id: &str, status: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self.outbound(id).await;
            if v["status"] == status {
                return v;
            }
            assert!(Instant::now() < deadline, "still {} after 10 s: {v}", v["status"]);
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn queued_count(&self) -> i64 {
        count_sql(
            &self.app,
            &format!("SELECT count(*) AS n FROM outbound_message WHERE dossier_id = '{}'", self.dossier),
        )
    }

    async fn activity_types(&self) -> Vec<String> {
        let path = format!("/api/v1/activities?dossierId={}&size=100", self.dossier);
        let res = self.send(Method::GET, &path, &self.agent, None).await;
        assert_eq!(res.status(), 200);
        let v: Value = res.json().await.unwrap();
        v["items"].as_array().unwrap().iter().map(|a| a["type"].as_str().unwrap().to_string()).collect()
    }
}

fn start_worker(app: &TestApp, fake: &FakeWhatsApp) -> WorkerHandle {
    let s = OutboxSettings {
        backoff: parse_backoff("1s,1s").unwrap(),
        batch_size: 20,
        lease: Duration::from_secs(5),
        poll_interval: Duration::from_millis(100),
        run_in_server: false,
        api_base: fake.base_url.clone(),
        send_timeout: Duration::from_secs(5),
    };
    start_with(app.pool.clone(), CloudApiProvider::new(&s.api_base, s.send_timeout).unwrap(), s, common::data_key())
}

/// Configured org and template (admin, API), a dossier (agent, API); no consent yet.
async fn setup() -> Flow {
    let app = TestApp::spawn().await;
    let fake = FakeWhatsApp::start().unwrap();
    fake.set_callback(Some(Callback { url: app.url("/api/v1/webhooks/whatsapp"), app_secret: APP_SECRET.into() }));
    let admin = app.login("admin@demo.atlas").await;
    let agent = app.login("agent@demo.atlas").await;
    let mut flow = Flow { app, fake, agent, dossier: String::new() };

    let res = flow
        .send(
            Method::PUT,
            "/api/v1/settings/whatsapp",
            &admin,
            Some(json!({"phoneNumberId": PNID, "accessToken": ACCESS_TOKEN, "appSecret": APP_SECRET, "verifyToken": "flow-verify"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = flow
        .send(
            Method::POST,
            "/api/v1/whatsapp/templates",
            &admin,
            Some(json!({"code": "confirmation_visite", "language": "fr", "category": "UTILITY",
                        "body": "Bonjour {{1}}, votre visite du {{2}} est confirmée. À bientôt !"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let agent = flow.agent.clone();
    let res = flow
        .send(
            Method::POST,
            "/api/v1/dossiers",
            &agent,
            Some(json!({"leadName": "Lucie Bernard", "leadPhone": "06 12 34 56 78", "source": "WEB", "type": "BUY"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let d: Value = res.json().await.unwrap();
    assert_eq!(d["leadPhone"], LEAD_PHONE);
    flow.dossier = d["id"].as_str().unwrap().to_string();
    flow
}

fn template_message(dossier: &str) -> Value {
    json!({"dossierId": dossier, "channel": "WHATSAPP", "templateCode": "confirmation_visite",
           "templateParams": ["Lucie", "samedi 28 novembre à 10 h"]})
}

async fn grant_consent(flow: &Flow) {
    let res = flow
        .send(
            Method::POST,
            "/api/v1/consentements",
            &flow.agent,
            Some(json!({"dossierId": flow.dossier, "channel": "WHATSAPP", "purpose": "CONTACT", "status": "GRANTED",
                        "source": "UI", "proof": "Accord oral au téléphone le 25/11"})),
        )
        .await;
    assert_eq!(res.status(), 201);
}

#[actix_web::test]
async fn template_message_goes_from_queued_to_read_through_the_fake_provider() {
    let flow = setup().await;
    let agent = flow.agent.clone();

    // without consent: refused, nothing queued
    let res = flow.send(Method::POST, "/api/v1/outbound/messages", &agent, Some(template_message(&flow.dossier))).await;
    problem(res, 422, "CONSENT_REQUIRED").await;
    assert_eq!(flow.queued_count(), 0);

    grant_consent(&flow).await;
    let res = flow.send(Method::POST, "/api/v1/outbound/messages", &agent, Some(template_message(&flow.dossier))).await;
    assert_eq!(res.status(), 202);
    let queued: Value = res.json().await.unwrap();
    assert_eq!(queued["status"], "QUEUED");
    assert_eq!(queued["to"], LEAD_PHONE);
    let id = queued["id"].as_str().unwrap().to_string();

    let worker = start_worker(&flow.app, &flow.fake);
    let sent = flow.wait_status(&id, "SENT").await;
    worker.stop().await;
    let wamid = sent["providerMessageId"].as_str().unwrap().to_string();

    // what the provider received: our phone number id, the org's token, the template
    let reqs = flow.fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].phone_number_id, PNID);
    assert_eq!(reqs[0].authorization.as_deref(), Some(format!("Bearer {ACCESS_TOKEN}").as_str()));
    assert_eq!(reqs[0].body["to"], LEAD_PHONE);
    assert_eq!(reqs[0].body["template"]["name"], "confirmation_visite");
    assert_eq!(reqs[0].body["template"]["components"][0]["parameters"][1]["text"], "samedi 28 novembre à 10 h");
    assert_eq!(reqs[0].callback_data(), Some(id.as_str()));

    // the provider's signed callbacks, in Meta's format, through our webhook
    for status in ["sent", "delivered", "read"] {
        assert_eq!(flow.fake.post_status(&wamid, status).await.unwrap(), 200, "{status} callback");
    }
    let read = flow.outbound(&id).await;
    assert_eq!(read["status"], "READ");
    for at in ["sentAt", "deliveredAt", "readAt"] {
        assert!(read[at].is_string(), "{at}: {read}");
    }
    let types = flow.activity_types().await;
    let statuses = types.iter().filter(|t| *t == "OUTBOUND_STATUS").count();
    assert_eq!(
        statuses, 3,
        "SENT (worker), DELIVERED, READ on the timeline; the duplicate `sent` adds none: {types:?}"
    );

    // a late `sent` changes nothing
    assert_eq!(flow.fake.post_status(&wamid, "sent").await.unwrap(), 200);
    let after = flow.outbound(&id).await;
    assert_eq!(after, read);
    let types_after = flow.activity_types().await;
    assert_eq!(types_after.iter().filter(|t| *t == "OUTBOUND_STATUS").count(), statuses);
}

/// Meta's webhook for one inbound text of `from` (digits, no +), timestamped now.
fn inbound_text(from: &str, wamid: &str) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "33186950000", "phone_number_id": PNID},
            "contacts": [{"profile": {"name": "Lucie Bernard"}, "wa_id": from}],
            "messages": [{"from": from, "id": wamid, "timestamp": chrono::Utc::now().timestamp().to_string(),
                          "type": "text", "text": {"body": "Bonjour, est-ce toujours disponible ?"}}]
        }}]}]
    })
    .to_string()
}

#[actix_web::test]
async fn an_inbound_text_opens_the_window_for_a_free_text_reply() {
    let flow = setup().await;
    grant_consent(&flow).await;
    let agent = flow.agent.clone();
    let reply = json!({"dossierId": flow.dossier, "channel": "WHATSAPP", "text": "Oui, toujours disponible. Quand souhaitez-vous visiter ?"});

    // no inbound message yet: the window is closed
    let res = flow.send(Method::POST, "/api/v1/outbound/messages", &agent, Some(reply.clone())).await;
    problem(res, 422, "SESSION_WINDOW_CLOSED").await;
    assert_eq!(flow.queued_count(), 0);

    // the lead writes from the dossier's phone; badly signed first (refused), then signed
    let body = inbound_text(LEAD_PHONE.trim_start_matches('+'), "wamid.flow-inbound-1");
    let post = |sig: String| {
        flow.app
            .client
            .post(flow.app.url("/api/v1/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header("X-Hub-Signature-256", sig)
            .body(body.clone())
            .send()
    };
    assert_eq!(post(sign_body(b"not-the-secret", body.as_bytes())).await.unwrap().status(), 401);
    assert_eq!(post(sign_body(APP_SECRET.as_bytes(), body.as_bytes())).await.unwrap().status(), 200);
    assert_eq!(
        count_sql(
            &flow.app,
            &format!(
                "SELECT count(*) AS n FROM message WHERE dossier_id = '{}' AND direction = 'INBOUND' AND channel = 'WHATSAPP'",
                flow.dossier
            )
        ),
        1,
        "attached to the existing dossier by its lead phone"
    );

    let res = flow.send(Method::POST, "/api/v1/outbound/messages", &agent, Some(reply)).await;
    assert_eq!(res.status(), 202);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let worker = start_worker(&flow.app, &flow.fake);
    let sent = flow.wait_status(&id, "SENT").await;
    worker.stop().await;
    assert_eq!(sent["text"], "Oui, toujours disponible. Quand souhaitez-vous visiter ?");
    let reqs = flow.fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].body["type"], "text");
}
