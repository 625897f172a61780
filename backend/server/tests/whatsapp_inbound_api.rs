//! The WhatsApp webhook POST over real HTTP and PostgreSQL, with Meta's payload samples signed
//! with the org's app secret (PRODUCT.md §10).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use atlas_domain::whatsapp::sign_body;
use atlas_server::http::state::AppState;
use common::{count, exec, problem, spawn_with_state, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

const PNID: &str = "109876543210";
const SECRET: &str = "paris-app-secret";
const LYON_PNID: &str = "200000000001";
const LYON_SECRET: &str = "lyon-app-secret";

const TEXT: &str = include_str!("fixtures/whatsapp/inbound-text.json");
const IMAGE: &str = include_str!("fixtures/whatsapp/inbound-image.json");
const BSUID: &str = include_str!("fixtures/whatsapp/inbound-bsuid-only.json");
const BATCH: &str = include_str!("fixtures/whatsapp/batch-two-entries.json");
const DELIVERED: &str = include_str!("fixtures/whatsapp/status-delivered.json");
const FAILED: &str = include_str!("fixtures/whatsapp/status-failed.json");

const TEXT_ID: &str = "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQTdGQjY0QzA5RjM1RTJBMjZCMwA=";
const DELIVERED_ID: &str = "wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";

struct Ctx {
    app: TestApp,
    state: Arc<AppState>,
}

/// An app whose Paris org is configured with PNID/SECRET and Lyon with LYON_PNID/LYON_SECRET.
async fn setup() -> Ctx {
    let (app, state) = spawn_with_state().await;
    let admin = app.login("admin@demo.atlas").await;
    for (org, pnid, secret) in [(app.paris, PNID, SECRET), (app.lyon, LYON_PNID, LYON_SECRET)] {
        let res = app
            .req(Method::PUT, "/api/v1/settings/whatsapp", &admin, org)
            .json(&json!({"phoneNumberId": pnid, "accessToken": "tok", "appSecret": secret, "verifyToken": format!("vt-{pnid}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    Ctx { app, state }
}

impl Ctx {
    async fn post_raw(&self, body: &[u8], signature: Option<String>) -> reqwest::Response {
        let mut req = self.app.client.post(self.app.url("/api/v1/webhooks/whatsapp")).body(body.to_vec());
        req = req.header("content-type", "application/json");
        if let Some(s) = signature {
            req = req.header("X-Hub-Signature-256", s);
        }
        req.send().await.unwrap()
    }

    /// Signed with Paris's app secret; asserts 200 and returns the acknowledgement.
    async fn post(&self, body: &str) -> Value {
        let res = self.post_raw(body.as_bytes(), Some(sign_body(SECRET.as_bytes(), body.as_bytes()))).await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    fn n(&self, sql: &str) -> i64 {
        count(&self.app, sql)
    }

    fn paris(&self, sql_where: &str, table: &str) -> i64 {
        self.n(&format!("SELECT count(*) AS n FROM {table} WHERE org_id = '{}' AND {sql_where}", self.app.paris))
    }
}

fn insert_dossier(app: &TestApp, org: Uuid, phone: Option<&str>, status: &str) -> Uuid {
    let id = Uuid::now_v7();
    let phone = phone.map(|p| format!("'{p}'")).unwrap_or_else(|| "NULL".into());
    exec(
        app,
        &format!(
            "INSERT INTO dossier (org_id, id, reference, lead_name, lead_phone, lead_email, source, dossier_type, status) \
             VALUES ('{org}', '{id}', 'T-{id}', 'Existing lead', {phone}, '{id}@t.fr', 'WEB', 'BUY', '{status}')"
        ),
    );
    id
}

fn insert_outbound(app: &TestApp, org: Uuid, dossier: Uuid, provider_id: &str, status: &str) -> Uuid {
    let id = Uuid::now_v7();
    exec(
        app,
        &format!(
            "INSERT INTO outbound_message (org_id, id, dossier_id, to_phone, text, max_attempts, status, provider_message_id) \
             VALUES ('{org}', '{id}', '{dossier}', '+33612345678', 'Bonjour', 3, '{status}', '{provider_id}')"
        ),
    );
    id
}

#[actix_web::test]
async fn bad_or_missing_signature_is_401_and_stores_nothing() {
    let c = setup().await;
    let body = TEXT.as_bytes();
    let wrong = Some(sign_body(b"not-the-secret", body));
    let lyon = Some(sign_body(LYON_SECRET.as_bytes(), body));
    let garbage = Some("sha256=zz".to_string());
    for sig in [None, wrong, lyon, garbage] {
        let res = c.post_raw(body, sig).await;
        problem(res, 401, "UNAUTHORIZED").await;
    }
    assert_eq!(c.n("SELECT count(*) AS n FROM message"), 0);
    assert_eq!(c.n("SELECT count(*) AS n FROM dossier"), 0);
    assert_eq!(c.n("SELECT count(*) AS n FROM whatsapp_inbound_event"), 0);
    assert_eq!(c.state.inbound_metrics.snapshot().signature_failures, 4);

    // a POST routed to two orgs must verify with both secrets
    let two = TEXT.replacen(PNID, LYON_PNID, 1).replace(
        "\"entry\": [",
        &format!("\"entry\": [{{\"id\":\"x\",\"changes\":[{{\"field\":\"messages\",\"value\":{{\"metadata\":{{\"phone_number_id\":\"{PNID}\"}}}}}}]}},"),
    );
    let sig = Some(sign_body(LYON_SECRET.as_bytes(), two.as_bytes()));
    let res = c.post_raw(two.as_bytes(), sig).await;
    problem(res, 401, "UNAUTHORIZED").await;
    assert_eq!(c.n("SELECT count(*) AS n FROM message"), 0);
}

#[actix_web::test]
async fn too_large_not_json_and_unrouted_bodies() {
    let c = setup().await;
    let big = vec![b' '; 1024 * 1024 + 10];
    let res = c.post_raw(&big, Some(sign_body(SECRET.as_bytes(), &big))).await;
    problem(res, 413, "PAYLOAD_TOO_LARGE").await;

    for body in [
        "not json",
        "[]",
        "{\"entry\": []}",
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"value\":{}}]}]}",
    ] {
        let res = c.post_raw(body.as_bytes(), Some(sign_body(SECRET.as_bytes(), body.as_bytes()))).await;
        problem(res, 400, "VALIDATION_ERROR").await;
    }

    // unknown phone_number_id: 200, ignored, counted; no signature needed to say so
    let unknown = TEXT.replace(PNID, "999999");
    let res = c.post_raw(unknown.as_bytes(), None).await;
    assert_eq!(res.status(), 200);
    let ack: Value = res.json().await.unwrap();
    assert_eq!(ack["ignored"], 1);
    assert_eq!(ack["processed"], 0);
    assert_eq!(c.state.inbound_metrics.snapshot().unknown_phone_number_ids, 1);
    assert_eq!(c.n("SELECT count(*) AS n FROM message"), 0);
}

#[actix_web::test]
async fn inbound_from_a_new_number_creates_one_dossier_and_a_replay_is_stored_once() {
    let c = setup().await;
    let ack = c.post(TEXT).await;
    assert_eq!(ack, json!({"received": 1, "processed": 1, "duplicates": 0, "failed": 0, "ignored": 0}));
    let ack = c.post(TEXT).await;
    assert_eq!(ack["duplicates"], 1);
    assert_eq!(ack["processed"], 0);

    assert_eq!(c.paris("true", "dossier"), 1);
    assert_eq!(
        c.paris(
            "source = 'WHATSAPP' AND dossier_type = 'BUY' AND status = 'NEW' AND lead_name = 'Lucie Bernard' \
             AND lead_phone = '+33612345678' AND reference = 'DOS-000001' \
             AND last_inbound_at = to_timestamp(1795598100)",
            "dossier"
        ),
        1
    );
    assert_eq!(
        c.paris(
            &format!(
                "channel = 'WHATSAPP' AND direction = 'INBOUND' AND external_id = '{TEXT_ID}' \
                 AND content LIKE 'Bonjour, l''appartement rue Paul Bert%' AND occurred_at = to_timestamp(1795598100) \
                 AND created_by_user_id IS NULL"
            ),
            "message"
        ),
        1
    );
    assert_eq!(c.paris("type = 'DOSSIER_CREATED'", "activity"), 1);
    assert_eq!(c.paris("type = 'MESSAGE'", "activity"), 1);
    assert_eq!(c.paris("entity_type = 'DOSSIER' AND action = 'CREATE' AND actor_user_id IS NULL", "audit_event"), 1);
    assert_eq!(c.paris("entity_type = 'MESSAGE' AND action = 'CREATE'", "audit_event"), 1);
    assert_eq!(c.paris("status = 'PROCESSED' AND dossier_id IS NOT NULL", "whatsapp_inbound_event"), 1);
    let m = c.state.inbound_metrics.snapshot();
    assert_eq!((m.inbound_messages, m.duplicate_messages), (1, 1));

    // Lyon is untouched
    assert_eq!(c.n(&format!("SELECT count(*) AS n FROM dossier WHERE org_id = '{}'", c.app.lyon)), 0);
    // the API sees the message right after the 200
    let agent = c.app.login("agent@demo.atlas").await;
    let res = c.app.req(Method::GET, "/api/v1/audit-events", &agent, c.app.paris).send().await.unwrap();
    assert!(res.status().is_client_error() || res.status().is_success());
}

#[actix_web::test]
async fn inbound_from_a_known_number_attaches_to_the_open_dossier() {
    let c = setup().await;
    // a closed dossier with that phone is not a match; the open one is
    insert_dossier(&c.app, c.app.paris, Some("+33612345678"), "LOST");
    let open = insert_dossier(&c.app, c.app.paris, Some("+33612345678"), "QUALIFIED");
    let ack = c.post(TEXT).await;
    assert_eq!(ack["processed"], 1);
    assert_eq!(c.paris("true", "dossier"), 2, "no dossier created");
    assert_eq!(c.paris(&format!("dossier_id = '{open}'"), "message"), 1);
    assert_eq!(c.paris(&format!("id = '{open}' AND last_inbound_at IS NOT NULL"), "dossier"), 1);
    assert_eq!(c.paris("type = 'DOSSIER_CREATED'", "activity"), 0);

    // a party's phone matches too (image from the same number → same dossier here; a party of
    // another dossier with a new number)
    let other = insert_dossier(&c.app, c.app.paris, Some("+33699999999"), "NEW");
    exec(
        &c.app,
        &format!(
            "INSERT INTO party (org_id, id, dossier_id, role, first_name, phone) \
             VALUES ('{}', '{}', '{other}', 'BUYER', 'Marc', '+33622334455')",
            c.app.paris,
            Uuid::now_v7()
        ),
    );
    let ack = c.post(BATCH).await;
    assert_eq!(ack["processed"], 2);
    assert_eq!(c.paris(&format!("dossier_id = '{other}' AND external_id = 'wamid.batch.0001'"), "message"), 1);
}

#[actix_web::test]
async fn bsuid_only_sender_gets_a_dossier_without_phone_and_keeps_it() {
    let c = setup().await;
    let ack = c.post(BSUID).await;
    assert_eq!(ack["processed"], 1);
    assert_eq!(
        c.paris(
            "whatsapp_user_id = 'FR.13491208655302741918' AND lead_phone IS NULL AND lead_email IS NULL \
             AND lead_name = 'Sheena Nelson' AND source = 'WHATSAPP'",
            "dossier"
        ),
        1
    );
    let second = BSUID.replace("wamid.HBgLQlNVSUQxMjM0NTY3OBUCABIYFDNBQ0QxMjM0NTY3ODlBQkNERUYA", "wamid.bsuid.second");
    let ack = c.post(&second).await;
    assert_eq!(ack["processed"], 1);
    assert_eq!(c.paris("true", "dossier"), 1);
    assert_eq!(c.paris("channel = 'WHATSAPP'", "message"), 2);

    // the dossier API shows the BSUID sender's dossier (read-only whatsappUserId)
    let n = c.paris("type = 'MESSAGE'", "activity");
    assert_eq!(n, 2);
}

#[actix_web::test]
async fn known_phone_dossier_learns_the_bsuid() {
    let c = setup().await;
    let open = insert_dossier(&c.app, c.app.paris, Some("+33612345678"), "NEW");
    let both = TEXT.replace("\"from\": \"33612345678\",", "\"from\": \"33612345678\", \"from_user_id\": \"FR.42\",");
    assert!(both.contains("FR.42"));
    c.post(&both).await;
    assert_eq!(c.paris(&format!("id = '{open}' AND whatsapp_user_id = 'FR.42'"), "dossier"), 1);
    assert_eq!(c.paris("entity_type = 'DOSSIER' AND action = 'UPDATE'", "audit_event"), 1);
}

#[actix_web::test]
async fn non_text_messages_get_a_readable_placeholder() {
    let c = setup().await;
    c.post(IMAGE).await;
    assert_eq!(c.paris("content = '[image] Le plan de mon appartement actuel'", "message"), 1);
    let audio = TEXT.replace("\"type\": \"text\"", "\"type\": \"audio\"").replace(TEXT_ID, "wamid.audio.1");
    c.post(&audio).await;
    assert_eq!(c.paris("content = '[audio]' AND external_id = 'wamid.audio.1'", "message"), 1);
    let unknown = TEXT.replace("\"type\": \"text\"", "\"type\": \"order\"").replace(TEXT_ID, "wamid.order.1");
    c.post(&unknown).await;
    assert_eq!(c.paris("content = '[order]'", "message"), 1);
    assert_eq!(c.paris("true", "dossier"), 1, "all from one sender");
}

#[actix_web::test]
async fn batch_with_two_entries_stores_two_messages_and_applies_the_status() {
    let c = setup().await;
    let d = insert_dossier(&c.app, c.app.paris, Some("+33611111111"), "NEW");
    let out = insert_outbound(&c.app, c.app.paris, d, "wamid.batch.out.0003", "DELIVERED");
    let ack = c.post(BATCH).await;
    assert_eq!(ack, json!({"received": 3, "processed": 3, "duplicates": 0, "failed": 0, "ignored": 0}));
    assert_eq!(c.paris("lead_name IN ('Marc Petit', 'Inès Garcia') AND source = 'WHATSAPP'", "dossier"), 2);
    assert_eq!(c.paris("external_id LIKE 'wamid.batch.000%'", "message"), 2);
    assert_eq!(
        c.paris(
            &format!("id = '{out}' AND status = 'READ' AND read_at = to_timestamp(1795598502)"),
            "outbound_message"
        ),
        1
    );
    assert_eq!(c.paris(&format!("type = 'OUTBOUND_STATUS' AND dossier_id = '{d}'"), "activity"), 1);
}

#[actix_web::test]
async fn statuses_only_move_forward_and_unknown_ids_are_ignored() {
    let c = setup().await;
    let d = insert_dossier(&c.app, c.app.paris, Some("+33611111111"), "NEW");
    let out = insert_outbound(&c.app, c.app.paris, d, DELIVERED_ID, "SENT");
    let status = |s: &str| c.paris(&format!("id = '{out}' AND status = '{s}'"), "outbound_message");

    let ack = c.post(DELIVERED).await;
    assert_eq!(ack["processed"], 1);
    assert_eq!(status("DELIVERED"), 1);
    // a late `sent` changes nothing
    let late_sent = DELIVERED.replace("\"status\": \"delivered\"", "\"status\": \"sent\"");
    let ack = c.post(&late_sent).await;
    assert_eq!((ack["processed"].as_u64(), ack["ignored"].as_u64()), (Some(0), Some(1)));
    assert_eq!(status("DELIVERED"), 1);
    // read after delivered
    let read = DELIVERED.replace("\"status\": \"delivered\"", "\"status\": \"read\"");
    c.post(&read).await;
    assert_eq!(status("READ"), 1);
    assert_eq!(
        c.paris(&format!("id = '{out}' AND delivered_at IS NOT NULL AND read_at IS NOT NULL"), "outbound_message"),
        1
    );
    assert_eq!(c.paris("type = 'OUTBOUND_STATUS'", "activity"), 2);

    // unknown provider id: ignored and counted
    let ack = c.post(FAILED).await;
    assert_eq!(ack["ignored"], 1);
    assert_eq!(c.state.inbound_metrics.snapshot().unknown_status_ids, 1);

    // failed with error code/title on a message not yet delivered; found by our id
    // (biz_opaque_callback_data) when the provider id was not stored yet
    let ours: Uuid = "0193a5b2-7c4e-7d21-9f3a-5b6c7d8e9f02".parse().unwrap();
    exec(
        &c.app,
        &format!(
            "INSERT INTO outbound_message (org_id, id, dossier_id, to_phone, text, max_attempts, status) \
             VALUES ('{}', '{ours}', '{d}', '+33612345678', 'Bonjour', 3, 'SENDING')",
            c.app.paris
        ),
    );
    let ack = c.post(FAILED).await;
    assert_eq!(ack["processed"], 1);
    assert_eq!(
        c.paris(
            &format!(
                "id = '{ours}' AND status = 'FAILED' AND last_error_code = '131047' \
                 AND last_error_message = 'Re-engagement message' AND failed_at IS NOT NULL \
                 AND provider_message_id LIKE 'wamid.%'"
            ),
            "outbound_message"
        ),
        1
    );
}

#[actix_web::test]
async fn a_failing_item_is_kept_as_a_failed_event_and_the_rest_lands() {
    let c = setup().await;
    // a status for an unknown provider id is ignored (counted); the id-less and the non-object
    // messages fail and are kept as FAILED events; the text lands
    let body = TEXT.replace(
        "\"messages\": [",
        "\"statuses\": [{\"id\": \"wamid.s\", \"status\": \"read\", \"timestamp\": \"1\"}], \
         \"messages\": [{\"type\": \"text\", \"text\": {\"body\": \"?\"}}, 42, ",
    );
    let ack = c.post(&body).await;
    assert_eq!(ack["processed"], 1, "{ack}");
    assert_eq!(ack["failed"], 2, "{ack}");
    assert_eq!(ack["ignored"], 1, "{ack}");
    assert_eq!(c.paris("status = 'FAILED' AND wa_message_id IS NULL", "whatsapp_inbound_event"), 2);
    assert_eq!(c.paris("true", "message"), 1);

    // a sender with neither phone nor user id (and no contact to tell): kept as FAILED, keyed by
    // its id so that a replay after a fix is processed again
    let nobody = format!(
        "{{\"entry\":[{{\"changes\":[{{\"value\":{{\"metadata\":{{\"phone_number_id\":\"{PNID}\"}},\
         \"messages\":[{{\"id\":\"wamid.nobody\",\"type\":\"text\",\"text\":{{\"body\":\"?\"}}}}]}}}}]}}]}}"
    );
    let ack = c.post(&nobody).await;
    assert_eq!(ack["failed"], 1, "{ack}");
    assert_eq!(
        c.paris(
            "status = 'FAILED' AND wa_message_id = 'wamid.nobody' AND error LIKE 'from:%'",
            "whatsapp_inbound_event"
        ),
        1
    );
    assert_eq!(c.paris("true", "message"), 1);
    assert_eq!(c.state.inbound_metrics.snapshot().failed_items, 3);
}

#[actix_web::test]
async fn ingestion_rate_of_signed_single_message_posts() {
    let c = setup().await;
    let n = 500;
    let started = std::time::Instant::now();
    for i in 0..n {
        // 50 senders, 10 messages each: mostly attaches, some creates
        let body =
            TEXT.replace(TEXT_ID, &format!("wamid.rate.{i}")).replace("33612345678", &format!("336123{:05}", i % 50));
        let res = c.post_raw(body.as_bytes(), Some(sign_body(SECRET.as_bytes(), body.as_bytes()))).await;
        assert_eq!(res.status(), 200);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "INGESTION RATE: {n} signed single-message POSTs in {secs:.2} s = {:.0} messages/s (sequential, debug build)",
        f64::from(n) / secs
    );
    assert_eq!(c.paris("true", "message"), i64::from(n));
    assert_eq!(c.paris("source = 'WHATSAPP'", "dossier"), 50);
}

#[actix_web::test]
async fn concurrent_first_messages_and_a_racing_api_create_make_no_twin() {
    let c = setup().await;
    // ten first messages from one new number at once → one dossier
    let bodies: Vec<String> = (0..10)
        .map(|i| TEXT.replace(TEXT_ID, &format!("wamid.race.{i}")).replace("33612345678", "33644444444"))
        .collect();
    let posts = bodies.iter().map(|b| c.post_raw(b.as_bytes(), Some(sign_body(SECRET.as_bytes(), b.as_bytes()))));
    for res in futures_util::future::join_all(posts).await {
        assert_eq!(res.status(), 200);
    }
    assert_eq!(c.paris("lead_phone = '+33644444444'", "dossier"), 1);
    assert_eq!(c.paris("external_id LIKE 'wamid.race.%'", "message"), 10);

    // a dossier with the same phone being created (uncommitted) by someone else while the
    // webhook runs: the webhook's insert waits on the dedup index, then attaches to it
    use diesel::{sql_query, Connection, PgConnection, RunQueryDsl};
    let mut other = PgConnection::establish(&c.app.db.url).unwrap();
    sql_query("BEGIN").execute(&mut other).unwrap();
    let api_id = Uuid::now_v7();
    sql_query(format!(
        "INSERT INTO dossier (org_id, id, reference, lead_name, lead_phone, source, dossier_type) \
         VALUES ('{}', '{api_id}', 'API-1', 'Created by the API', '+33655555555', 'WEB', 'BUY')",
        c.app.paris
    ))
    .execute(&mut other)
    .unwrap();
    let body = TEXT.replace(TEXT_ID, "wamid.twin").replace("33612345678", "33655555555");
    let sig = sign_body(SECRET.as_bytes(), body.as_bytes());
    let client = c.app.client.clone();
    let url = c.app.url("/api/v1/webhooks/whatsapp");
    let pending = actix_web::rt::spawn(async move {
        client.post(url).header("X-Hub-Signature-256", sig).body(body).send().await.unwrap().status().as_u16()
    });
    actix_web::rt::time::sleep(std::time::Duration::from_millis(400)).await;
    sql_query("COMMIT").execute(&mut other).unwrap();
    assert_eq!(pending.await.unwrap(), 200);
    assert_eq!(c.paris("lead_phone = '+33655555555'", "dossier"), 1);
    assert_eq!(c.paris(&format!("external_id = 'wamid.twin' AND dossier_id = '{api_id}'"), "message"), 1);
}
