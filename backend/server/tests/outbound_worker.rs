//! The outbox worker (PRODUCT.md §10) against the fake WhatsApp provider over real HTTP: sends,
//! retries with backoff, final failures, dead letters, leases, several workers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use atlas_domain::retry::parse_backoff;
use atlas_server::db::outbound::worker::{claim, record_attempt, AttemptReport, Decision};
use atlas_server::fake_whatsapp::{Behaviour, Callback, FakeWhatsApp};
use atlas_server::outbox::worker::{start_with, Worker, WorkerHandle};
use atlas_server::outbox::OutboxSettings;
use atlas_server::whatsapp::provider::CloudApiProvider;
use chrono::Utc;
use common::{count_sql, exec_sql, sql_consent, sql_dossier, sql_template, sql_whatsapp_settings, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

const PHONE: &str = "+33612345678";
const PNID: &str = "1234567890";
const TOKEN: &str = "test-access-token";

fn settings(fake: &FakeWhatsApp) -> OutboxSettings {
    OutboxSettings {
        backoff: parse_backoff("1s,1s").unwrap(),
        batch_size: 20,
        lease: Duration::from_secs(2),
        poll_interval: Duration::from_millis(100),
        run_in_server: false,
        api_base: fake.base_url.clone(),
        send_timeout: Duration::from_secs(1),
    }
}

fn start_worker(app: &TestApp, fake: &FakeWhatsApp) -> WorkerHandle {
    let s = settings(fake);
    start_with(app.pool.clone(), CloudApiProvider::new(&s.api_base, s.send_timeout).unwrap(), s, common::data_key())
}

struct Setup {
    app: TestApp,
    fake: FakeWhatsApp,
    token: String,
    dossier: Uuid,
}

async fn setup() -> Setup {
    std::env::set_var("ATLAS_OUTBOX_BACKOFF", "1s,1s");
    let app = TestApp::spawn().await;
    let fake = FakeWhatsApp::start().unwrap();
    let token = app.login("agent@demo.atlas").await;
    let dossier = sql_dossier(&app, app.paris, Some(PHONE));
    sql_consent(&app, app.paris, dossier, "GRANTED", None);
    sql_template(&app, app.paris, "visite", "Bonjour {{1}}", true);
    sql_whatsapp_settings(&app, app.paris, PNID, TOKEN);
    Setup { app, fake, token, dossier }
}

async fn queue(s: &Setup) -> String {
    let res = s
        .app
        .req(Method::POST, "/api/v1/outbound/messages", &s.token, s.app.paris)
        .json(&json!({"dossierId": s.dossier, "channel": "WHATSAPP", "templateCode": "visite", "templateParams": ["Marie"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

async fn get(s: &Setup, id: &str) -> Value {
    s.app
        .req(Method::GET, &format!("/api/v1/outbound/messages/{id}"), &s.token, s.app.paris)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Polls until the message reaches `status` (panics after `secs`).
async fn wait_status(s: &Setup, id: &str, status: &str, secs: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = get(s, id).await;
        if v["status"] == status {
            return v;
        }
        assert!(Instant::now() < deadline, "still {} after {secs}s: {v}", v["status"]);
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn queued_message_is_sent_with_the_provider_id() {
    let s = setup().await;
    let id = queue(&s).await;
    let started = Instant::now();
    let worker = start_worker(&s.app, &s.fake);
    let v = wait_status(&s, &id, "SENT", 5).await;
    assert!(started.elapsed() < Duration::from_secs(2), "picked up within 2 s");
    worker.stop().await;

    let wamid = v["providerMessageId"].as_str().unwrap();
    assert!(wamid.starts_with("wamid."));
    assert!(v["sentAt"].is_string());
    assert_eq!(v["attemptCount"], 1);
    assert_eq!(v["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(v["attempts"][0]["outcome"], "SENT");
    assert_eq!(v["attempts"][0]["attemptNo"], 1);
    assert!(v.get("lastError").is_none());

    let reqs = s.fake.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.phone_number_id, PNID);
    assert_eq!(r.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(r.body["to"], PHONE);
    assert_eq!(r.body["type"], "template");
    assert_eq!(r.body["template"]["name"], "visite");
    assert_eq!(r.body["template"]["language"]["code"], "fr");
    assert_eq!(r.body["template"]["components"][0]["parameters"][0]["text"], "Marie");
    assert_eq!(r.body["biz_opaque_callback_data"], id.as_str());

    // the conversation entry carries the WhatsApp id; the timeline tells of the send
    assert_eq!(
        count_sql(
            &s.app,
            &format!(
                "SELECT count(*) AS n FROM message WHERE outbound_message_id = '{id}' AND external_id = '{wamid}'"
            )
        ),
        1
    );
    assert_eq!(
        count_sql(
            &s.app,
            &format!(
                "SELECT count(*) AS n FROM activity WHERE dossier_id = '{}' AND type = 'OUTBOUND_STATUS'",
                s.dossier
            )
        ),
        1
    );
}

#[actix_web::test]
async fn a_500_is_retried_then_sent() {
    let s = setup().await;
    s.fake.push(&[Behaviour::Status(500)]);
    let id = queue(&s).await;
    let worker = start_worker(&s.app, &s.fake);
    let v = wait_status(&s, &id, "SENT", 10).await;
    worker.stop().await;
    let attempts = v["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{v}");
    assert_eq!(attempts[0]["outcome"], "RETRY");
    assert_eq!(attempts[0]["httpStatus"], 500);
    assert_eq!(attempts[0]["errorCode"], "500");
    assert_eq!(attempts[1]["outcome"], "SENT");
    assert_eq!(v["attemptCount"], 2);
    // the retry waited for the backoff (1 s ± 20 %)
    let first_end = chrono::DateTime::parse_from_rfc3339(attempts[0]["finishedAt"].as_str().unwrap()).unwrap();
    let second_start = chrono::DateTime::parse_from_rfc3339(attempts[1]["startedAt"].as_str().unwrap()).unwrap();
    assert!((second_start - first_end).num_milliseconds() >= 750, "{v}");
    assert_eq!(s.fake.requests().len(), 2);
}

#[actix_web::test]
async fn a_timeout_is_retried() {
    let s = setup().await;
    s.fake.set_timeout_sleep(Duration::from_secs(3));
    s.fake.push(&[Behaviour::Timeout]);
    let id = queue(&s).await;
    let worker = start_worker(&s.app, &s.fake);
    let v = wait_status(&s, &id, "SENT", 10).await;
    worker.stop().await;
    assert_eq!(v["attempts"][0]["outcome"], "RETRY");
    assert_eq!(v["attempts"][0]["errorCode"], "TIMEOUT");
    assert!(v["attempts"][0].get("httpStatus").is_none());
}

#[actix_web::test]
async fn a_400_fails_at_once_without_dead_letter() {
    let s = setup().await;
    s.fake.push(&[Behaviour::Status(400)]);
    let id = queue(&s).await;
    let worker = start_worker(&s.app, &s.fake);
    let v = wait_status(&s, &id, "FAILED", 5).await;
    worker.stop().await;
    assert_eq!(v["deadLettered"], false);
    assert_eq!(v["attemptCount"], 1);
    assert_eq!(v["attempts"][0]["outcome"], "FAILED");
    assert_eq!(v["lastError"]["code"], "400");
    assert!(v["failedAt"].is_string());
    assert_eq!(s.fake.requests().len(), 1);
    assert_eq!(
        count_sql(
            &s.app,
            &format!("SELECT count(*) AS n FROM audit_event WHERE entity_id = '{id}' AND action = 'STATUS_CHANGE'")
        ),
        1
    );
}

#[actix_web::test]
async fn always_500_is_dead_lettered_after_max_attempts_and_a_manager_can_retry() {
    let s = setup().await;
    s.fake.set_default(Behaviour::Status(500));
    let id = queue(&s).await;
    let worker = start_worker(&s.app, &s.fake);
    let v = wait_status(&s, &id, "FAILED", 15).await;
    assert_eq!(v["deadLettered"], true);
    assert_eq!(v["attemptCount"], 3);
    let outcomes: Vec<&str> =
        v["attempts"].as_array().unwrap().iter().map(|a| a["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["RETRY", "RETRY", "DEAD_LETTER"]);
    assert_eq!(s.fake.requests().len(), 3);

    // a manager re-queues it with a fresh budget; the provider has recovered
    s.fake.set_default(Behaviour::Ok);
    let manager = s.app.login("manager@demo.atlas").await;
    let res = s
        .app
        .req(Method::POST, &format!("/api/v1/outbound/messages/{id}/retry"), &manager, s.app.paris)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v = wait_status(&s, &id, "SENT", 5).await;
    worker.stop().await;
    assert_eq!(v["attemptCount"], 4);
    assert_eq!(v["attempts"][3]["attemptNo"], 4);
    assert_eq!(v["deadLettered"], false);
}

#[actix_web::test]
async fn an_org_without_credentials_fails_with_a_clear_code() {
    let s = setup().await;
    exec_sql(&s.app, &format!("DELETE FROM whatsapp_settings WHERE org_id = '{}'", s.app.paris));
    let id = queue(&s).await;
    let worker = start_worker(&s.app, &s.fake);
    let v = wait_status(&s, &id, "FAILED", 5).await;
    worker.stop().await;
    assert_eq!(v["lastError"]["code"], "WHATSAPP_NOT_CONFIGURED");
    assert_eq!(v["deadLettered"], false);
    assert!(s.fake.requests().is_empty());
}

#[actix_web::test]
async fn a_killed_workers_rows_are_claimed_again_after_the_lease() {
    let s = setup().await;
    let ids = [queue(&s).await, queue(&s).await, queue(&s).await];
    // a worker claims the batch and dies before sending anything
    let dead = Uuid::now_v7();
    let claimed = claim(&mut s.app.pool.get().unwrap(), dead, 10, 1.0).unwrap();
    assert_eq!(claimed.len(), 3);
    assert_eq!(count_sql(&s.app, "SELECT count(*) AS n FROM outbound_message WHERE status = 'SENDING'"), 3);
    // a live worker cannot take them while the lease holds
    let live = Worker::new(
        s.app.pool.clone(),
        CloudApiProvider::new(&s.fake.base_url, Duration::from_secs(1)).unwrap(),
        settings(&s.fake),
        common::data_key(),
    );
    assert_eq!(live.run_once().await.unwrap(), 0);
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(live.run_once().await.unwrap(), 3);
    for id in &ids {
        let v = get(&s, id).await;
        assert_eq!(v["status"], "SENT");
        assert_eq!(v["attemptCount"], 2, "the lost claim counts as an attempt");
        assert_eq!(v["attempts"].as_array().unwrap().len(), 1);
    }
    // the dead worker wakes up late: its outcome does not overwrite the row
    let late = AttemptReport {
        org_id: s.app.paris,
        id: Uuid::parse_str(&ids[0]).unwrap(),
        worker_id: dead,
        attempt_no: 1,
        started_at: Utc::now(),
        finished_at: Utc::now(),
        decision: Decision::Failed {
            error: atlas_domain::ports::ProviderError {
                http_status: Some(400),
                code: "X".into(),
                message: "late".into(),
            },
        },
    };
    assert!(!record_attempt(&mut s.app.pool.get().unwrap(), &late).unwrap());
    assert_eq!(get(&s, &ids[0]).await["status"], "SENT");
}

#[actix_web::test]
async fn two_workers_send_a_thousand_messages_exactly_once() {
    let s = setup().await;
    exec_sql(
        &s.app,
        &format!(
            "INSERT INTO outbound_message (org_id, id, dossier_id, to_phone, template_code, template_language, \
             template_params, status, max_attempts, next_attempt_at) \
             SELECT '{}', gen_random_uuid(), '{}', '{PHONE}', 'visite', 'fr', '[\"Marie\"]'::jsonb, 'QUEUED', 3, now() \
             FROM generate_series(1, 1000)",
            s.app.paris, s.dossier
        ),
    );
    let started = Instant::now();
    let a = start_worker(&s.app, &s.fake);
    let b = start_worker(&s.app, &s.fake);
    let deadline = started + Duration::from_secs(120);
    loop {
        let sent = count_sql(&s.app, "SELECT count(*) AS n FROM outbound_message WHERE status = 'SENT'");
        if sent == 1000 {
            break;
        }
        assert!(Instant::now() < deadline, "only {sent} sent");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = started.elapsed();
    a.stop().await;
    b.stop().await;
    println!(
        "outbox throughput: 1000 messages in {:.2} s = {:.0} messages/s (2 workers, batch 20, fake provider)",
        elapsed.as_secs_f64(),
        1000.0 / elapsed.as_secs_f64()
    );
    let per_message = s.fake.sends_by_callback_data();
    assert_eq!(per_message.len(), 1000);
    assert!(per_message.values().all(|n| *n == 1), "a message was sent twice");
    assert_eq!(count_sql(&s.app, "SELECT count(*) AS n FROM outbound_attempt"), 1000);
    assert_eq!(
        count_sql(&s.app, "SELECT count(DISTINCT worker_id) AS n FROM outbound_attempt"),
        2,
        "both workers took part"
    );
    assert_eq!(count_sql(&s.app, "SELECT count(DISTINCT provider_message_id) AS n FROM outbound_message"), 1000);
}

#[actix_web::test]
async fn the_fake_posts_signed_status_callbacks() {
    let s = setup().await;
    // a tiny receiver standing in for our webhook endpoint
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(Option<String>, Vec<u8>)>::new()));
    let sink = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let server = actix_web::HttpServer::new(move || {
        let sink = sink.clone();
        actix_web::App::new().route(
            "/hook",
            actix_web::web::post().to(move |req: actix_web::HttpRequest, body: actix_web::web::Bytes| {
                let sig = req.headers().get("x-hub-signature-256").and_then(|v| v.to_str().ok()).map(str::to_string);
                sink.lock().unwrap().push((sig, body.to_vec()));
                async { actix_web::HttpResponse::Ok().finish() }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    s.fake.set_callback(Some(Callback { url, app_secret: "s3cret".into() }));

    let id = queue(&s).await;
    let worker = start_worker(&s.app, &s.fake);
    let v = wait_status(&s, &id, "SENT", 5).await;
    worker.stop().await;
    let wamid = v["providerMessageId"].as_str().unwrap();
    assert_eq!(s.fake.post_status(wamid, "delivered").await.unwrap(), 200);
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (sig, raw) = &got[0];
    assert!(atlas_domain::whatsapp::verify_signature(b"s3cret", raw, sig.as_deref()));
    let body: Value = serde_json::from_slice(raw).unwrap();
    let value = &body["entry"][0]["changes"][0]["value"];
    assert_eq!(value["metadata"]["phone_number_id"], PNID);
    assert_eq!(value["statuses"][0]["id"], wamid);
    assert_eq!(value["statuses"][0]["status"], "delivered");
    assert_eq!(value["statuses"][0]["biz_opaque_callback_data"], id.as_str());
}
