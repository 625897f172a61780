//! A fake WhatsApp Cloud API for tests, e2e and `make dev` (`atlas fake-whatsapp --bind …`, or
//! in-process with [`FakeWhatsApp::start`]). It accepts `POST /{phone_number_id}/messages` with a
//! bearer token, answers like Meta (`messages[0].id = "wamid.<uuid>"`), records every request,
//! follows a programmable queue of behaviours (OK, an HTTP status, a timeout), and posts signed
//! delivery-status callbacks in Meta's webhook format.
//!
//! Control endpoints (for the CLI mode): `POST /_fake/behaviours {"queue": ["500", "OK"],
//! "default": "OK"}`, `GET /_fake/requests`, `POST /_fake/reset`, `POST /_fake/callback {"url",
//! "appSecret"}`, `POST /_fake/statuses {"providerMessageId", "status"}`.

mod server;

use std::collections::{HashMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use serde::Serialize;
use serde_json::{json, Value};

use atlas_domain::whatsapp::sign_body;

/// How the fake answers one send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Ok,
    /// Answers this HTTP status with a Meta-shaped error body.
    Status(u16),
    /// Sleeps longer than the client's timeout (see [`FakeWhatsApp::set_timeout_sleep`]).
    Timeout,
}

impl Behaviour {
    /// `OK`, `TIMEOUT` or an HTTP status (`500`).
    pub fn parse(s: &str) -> Option<Behaviour> {
        match s.trim().to_ascii_uppercase().as_str() {
            "OK" | "200" => Some(Behaviour::Ok),
            "TIMEOUT" => Some(Behaviour::Timeout),
            n => n.parse::<u16>().ok().filter(|c| (100..=599).contains(c)).map(Behaviour::Status),
        }
    }
}

/// Where delivery statuses are posted, and the app secret that signs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    pub url: String,
    pub app_secret: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedRequest {
    pub phone_number_id: String,
    pub authorization: Option<String>,
    pub body: Value,
    /// The behaviour applied: `OK`, `TIMEOUT` or the status.
    pub answered: String,
    pub provider_message_id: Option<String>,
}

impl ReceivedRequest {
    pub fn callback_data(&self) -> Option<&str> {
        self.body.get("biz_opaque_callback_data").and_then(Value::as_str)
    }
}

struct Inner {
    requests: Vec<ReceivedRequest>,
    queue: VecDeque<Behaviour>,
    default: Behaviour,
    timeout_sleep: Duration,
    callback: Option<Callback>,
    /// Statuses posted automatically after each accepted send (e.g. sent, delivered).
    auto_statuses: Vec<String>,
}

#[derive(Clone)]
pub(crate) struct FakeState(Arc<Mutex<Inner>>);

impl FakeState {
    fn new(callback: Option<Callback>) -> FakeState {
        FakeState(Arc::new(Mutex::new(Inner {
            requests: Vec::new(),
            queue: VecDeque::new(),
            default: Behaviour::Ok,
            timeout_sleep: Duration::from_secs(15),
            callback,
            auto_statuses: Vec::new(),
        })))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot corrupt a Vec of records: keep serving.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn next_behaviour(&self) -> (Behaviour, Duration) {
        let mut g = self.lock();
        let b = g.queue.pop_front().unwrap_or(g.default);
        (b, g.timeout_sleep)
    }

    /// Builds and posts a signed status webhook for an accepted message; returns the HTTP status
    /// of the callback.
    pub(crate) async fn post_status(&self, provider_message_id: &str, status: &str) -> anyhow::Result<u16> {
        let (callback, sent) = {
            let g = self.lock();
            let sent =
                g.requests.iter().find(|r| r.provider_message_id.as_deref() == Some(provider_message_id)).cloned();
            (g.callback.clone(), sent)
        };
        let callback = callback.ok_or_else(|| anyhow::anyhow!("no callback URL configured"))?;
        let sent = sent.ok_or_else(|| anyhow::anyhow!("unknown provider message id {provider_message_id}"))?;
        let body = status_webhook(&sent, provider_message_id, status);
        let raw = serde_json::to_vec(&body)?;
        let res = reqwest::Client::new()
            .post(&callback.url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", sign_body(callback.app_secret.as_bytes(), &raw))
            .body(raw)
            .send()
            .await?;
        Ok(res.status().as_u16())
    }
}

/// Meta's webhook for one status of a message we accepted.
fn status_webhook(sent: &ReceivedRequest, provider_message_id: &str, status: &str) -> Value {
    let to = sent.body.get("to").and_then(Value::as_str).unwrap_or_default().trim_start_matches('+').to_string();
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let mut item = json!({
        "id": provider_message_id,
        "status": status,
        "timestamp": timestamp,
        "recipient_id": to,
    });
    if let Some(cb) = sent.callback_data() {
        item["biz_opaque_callback_data"] = json!(cb);
    }
    if status == "failed" {
        item["errors"] =
            json!([{"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable"}]);
    }
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "fake-waba",
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "15550000000", "phone_number_id": sent.phone_number_id},
                    "statuses": [item],
                },
            }],
        }],
    })
}

/// A running fake on its own thread; stopped on drop.
pub struct FakeWhatsApp {
    pub base_url: String,
    state: FakeState,
    handle: ServerHandle,
}

impl FakeWhatsApp {
    /// On a free local port.
    pub fn start() -> anyhow::Result<FakeWhatsApp> {
        FakeWhatsApp::start_on("127.0.0.1:0", None)
    }

    pub fn start_on(bind: &str, callback: Option<Callback>) -> anyhow::Result<FakeWhatsApp> {
        let listener = TcpListener::bind(bind)?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let state = FakeState::new(callback);
        let (tx, rx) = std::sync::mpsc::channel();
        let thread_state = state.clone();
        std::thread::Builder::new().name("fake-whatsapp".into()).spawn(move || {
            let system = actix_web::rt::System::new();
            let result = system.block_on(async move {
                let server = server::build(listener, thread_state, false)?;
                let _ = tx.send(server.handle());
                server.await?;
                anyhow::Ok(())
            });
            if let Err(e) = result {
                tracing::error!(error = %e, "fake WhatsApp stopped with an error");
            }
        })?;
        let handle = rx.recv_timeout(Duration::from_secs(10))?;
        Ok(FakeWhatsApp { base_url, state, handle })
    }

    /// Queues behaviours for the next sends (then the default applies).
    pub fn push(&self, behaviours: &[Behaviour]) {
        self.state.lock().queue.extend(behaviours.iter().copied());
    }

    pub fn set_default(&self, b: Behaviour) {
        self.state.lock().default = b;
    }

    pub fn set_timeout_sleep(&self, d: Duration) {
        self.state.lock().timeout_sleep = d;
    }

    pub fn set_callback(&self, callback: Option<Callback>) {
        self.state.lock().callback = callback;
    }

    pub fn set_auto_statuses(&self, statuses: &[&str]) {
        self.state.lock().auto_statuses = statuses.iter().map(|s| (*s).to_string()).collect();
    }

    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.state.lock().requests.clone()
    }

    /// How many sends were received per `biz_opaque_callback_data` (our message id).
    pub fn sends_by_callback_data(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for r in &self.state.lock().requests {
            *out.entry(r.callback_data().unwrap_or_default().to_string()).or_insert(0) += 1;
        }
        out
    }

    pub fn reset(&self) {
        let mut g = self.state.lock();
        g.requests.clear();
        g.queue.clear();
        g.default = Behaviour::Ok;
    }

    /// Posts a signed `statuses[]` webhook (`sent`, `delivered`, `read`, `failed`) for a message
    /// this fake accepted; returns the callback's HTTP status.
    pub async fn post_status(&self, provider_message_id: &str, status: &str) -> anyhow::Result<u16> {
        self.state.post_status(provider_message_id, status).await
    }
}

impl Drop for FakeWhatsApp {
    fn drop(&mut self) {
        // The stop command is sent at once; the fake's thread ends by itself.
        drop(self.handle.stop(false));
    }
}

/// `atlas fake-whatsapp`: serves on `bind` until Ctrl-C / SIGTERM.
pub fn serve_forever(bind: &str, callback: Option<Callback>, auto_statuses: Vec<String>) -> anyhow::Result<()> {
    let listener = TcpListener::bind(bind)?;
    let state = FakeState::new(callback);
    state.lock().auto_statuses = auto_statuses;
    tracing::info!(addr = %listener.local_addr()?, "fake WhatsApp listening");
    actix_web::rt::System::new().block_on(async move {
        server::build(listener, state, true)?.await?;
        Ok(())
    })
}
