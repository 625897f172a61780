//! Rate limits (PRODUCT.md §12) over real HTTP and PostgreSQL: login per IP and per e-mail,
//! API per (user, org), webhooks per org; 429 `RATE_LIMITED` problem+json with `Retry-After`.
//! Each app is spawned with small limits; budgets are per app (state in `AppState`).
//!
//! Client addresses: every 127.0.0.0/8 address is loopback on Linux, so a client bound to
//! 127.0.0.N is a distinct peer for the per-IP login limiter.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;

use atlas_domain::whatsapp::sign_body;
use common::{count, problem, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// A client whose connections come from 127.0.0.`n`.
fn client_from(n: u8) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))).build().unwrap()
}

async fn login_from(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
    client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// 429 `RATE_LIMITED` problem+json with a whole `Retry-After` of at least 1 s; returns the body.
async fn rate_limited(res: reqwest::Response) -> Value {
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    let retry: u64 = retry.expect("Retry-After header").parse().expect("Retry-After in whole seconds");
    assert!(retry >= 1, "Retry-After {retry}");
    let body = problem(res, 429, "RATE_LIMITED").await;
    assert_eq!(body["status"], 429);
    assert!(body["type"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    assert!(body["requestId"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    body
}

async fn spawn_login_limit(n: u32) -> TestApp {
    TestApp::spawn_with(|c| c.rate_limits.login_per_minute = nz(n)).await
}

#[actix_web::test]
async fn login_attempts_per_email_are_limited_whatever_the_address_and_outcome() {
    let app = spawn_login_limit(3).await;
    // three attempts for the same e-mail from three addresses, failed or not, spelled differently
    let res = login_from(&app, &client_from(1), "admin@demo.atlas", "wrong-password").await;
    problem(res, 401, "INVALID_CREDENTIALS").await;
    let res = login_from(&app, &client_from(2), " Admin@Demo.Atlas ", PASSWORD).await;
    assert_eq!(res.status(), 200);
    let res = login_from(&app, &client_from(3), "admin@demo.atlas", PASSWORD).await;
    assert_eq!(res.status(), 200);
    // the fourth, from a fresh address and with the right password, is refused
    let body = rate_limited(login_from(&app, &client_from(4), "ADMIN@demo.atlas", PASSWORD).await).await;
    assert!(body["detail"].as_str().unwrap().contains("account"), "{body}");
    // another account from a fresh address is not affected
    let res = login_from(&app, &client_from(5), "agent@demo.atlas", PASSWORD).await;
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn login_attempts_per_address_are_limited_across_emails() {
    let app = spawn_login_limit(3).await;
    let same_ip = client_from(1);
    for email in ["admin@demo.atlas", "agent@demo.atlas", "nobody@demo.atlas"] {
        let res = login_from(&app, &same_ip, email, PASSWORD).await;
        assert_ne!(res.status(), 429, "{email}");
    }
    let body = rate_limited(login_from(&app, &same_ip, "manager@demo.atlas", PASSWORD).await).await;
    assert!(body["detail"].as_str().unwrap().contains("address"), "{body}");
    // unreadable bodies count too: still refused, by address, before the body is read
    let res = same_ip.post(app.url("/api/v1/auth/login")).body("not json").send().await.unwrap();
    rate_limited(res).await;
    // the refused attempt did not spend the e-mail's budget: another address logs in with it
    let res = login_from(&app, &client_from(2), "manager@demo.atlas", PASSWORD).await;
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn api_budget_is_per_user_and_org() {
    let app = TestApp::spawn_with(|c| c.rate_limits.api_per_minute = nz(5)).await;
    let admin = app.login("admin@demo.atlas").await;
    let agent = app.login("agent@demo.atlas").await;

    // unauthenticated junk and a non-member org do not spend anyone's budget
    for _ in 0..6 {
        let res = app.client.get(app.url("/api/v1/dossiers")).bearer_auth("junk").send().await.unwrap();
        problem(res, 401, "UNAUTHORIZED").await;
        let res = app.req(Method::GET, "/api/v1/dossiers", &agent, app.lyon).send().await.unwrap();
        problem(res, 403, "FORBIDDEN").await;
    }

    for i in 0..5 {
        let res = app.req(Method::GET, "/api/v1/dossiers", &admin, app.paris).send().await.unwrap();
        assert_eq!(res.status(), 200, "request {i}");
    }
    let res = app.req(Method::GET, "/api/v1/dossiers", &admin, app.paris).send().await.unwrap();
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry <= 60, "Retry-After {retry}");
    rate_limited(res).await;

    // the same user in another org, and another user in the same org, keep their budgets
    let res = app.req(Method::GET, "/api/v1/dossiers", &admin, app.lyon).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.req(Method::GET, "/api/v1/dossiers", &agent, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

const PNID: &str = "109876543210";
const SECRET: &str = "paris-app-secret";
const TEXT: &str = include_str!("fixtures/whatsapp/inbound-text.json");
const TEXT_ID: &str = "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQTdGQjY0QzA5RjM1RTJBMjZCMwA=";

#[actix_web::test]
async fn webhooks_per_org_beyond_the_limit_are_refused_and_store_nothing() {
    // 1/s: the budget comes back after a whole second, a wide margin for two concurrent POSTs to be
    // checked within it even on a loaded machine.
    let app = TestApp::spawn_with(|c| c.rate_limits.webhook_per_second = nz(1)).await;
    let admin = app.login("admin@demo.atlas").await;
    let res = app
        .req(Method::PUT, "/api/v1/settings/whatsapp", &admin, app.paris)
        .json(&json!({"phoneNumberId": PNID, "accessToken": "tok", "appSecret": SECRET, "verifyToken": "vt"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // unsigned posts are refused before they count
    for _ in 0..3 {
        let res = app.client.post(app.url("/api/v1/webhooks/whatsapp")).body(TEXT).send().await.unwrap();
        problem(res, 401, "UNAUTHORIZED").await;
    }

    // two distinct messages at once: one lands, the other is refused
    let bodies: Vec<String> = (1..=2).map(|i| TEXT.replace(TEXT_ID, &format!("wamid.rate-limit-{i}"))).collect();
    let posts = bodies.iter().map(|b| {
        app.client
            .post(app.url("/api/v1/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header("X-Hub-Signature-256", sign_body(SECRET.as_bytes(), b.as_bytes()))
            .body(b.clone())
            .send()
    });
    let answers = futures_util::future::join_all(posts).await;
    let mut limited = Vec::new();
    let mut ok = 0;
    for res in answers {
        let res = res.unwrap();
        match res.status().as_u16() {
            200 => ok += 1,
            _ => limited.push(rate_limited(res).await),
        }
    }
    assert_eq!((ok, limited.len()), (1, 1));
    let n = |sql: &str| count(&app, &format!("SELECT count(*) AS n FROM {sql} WHERE org_id = '{}'", app.paris));
    assert_eq!(n("message"), 1);
    assert_eq!(n("whatsapp_inbound_event"), 1);
}
