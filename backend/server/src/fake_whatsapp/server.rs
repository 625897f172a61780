//! The fake's HTTP routes: Meta's send endpoint and the control endpoints.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{Behaviour, Callback, FakeState, ReceivedRequest};

/// Delay before automatic statuses, so that the sender has recorded the send first.
const AUTO_STATUS_DELAY: Duration = Duration::from_millis(300);

pub(super) fn build(listener: TcpListener, state: FakeState, handle_signals: bool) -> anyhow::Result<Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(1024 * 1024))
            .route("/_fake/behaviours", web::post().to(set_behaviours))
            .route("/_fake/requests", web::get().to(list_requests))
            .route("/_fake/reset", web::post().to(reset))
            .route("/_fake/callback", web::post().to(set_callback))
            .route("/_fake/statuses", web::post().to(post_status))
            .route("/{phone_number_id}/messages", web::post().to(send))
    })
    .workers(2)
    .shutdown_timeout(1)
    .listen(listener)?;
    let server = if handle_signals { server } else { server.disable_signals() };
    Ok(server.run())
}

fn meta_error(status: u16, code: u16, message: &str) -> HttpResponse {
    let s = actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(s).json(json!({
        "error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "fake"}
    }))
}

async fn send(st: web::Data<FakeState>, req: HttpRequest, path: web::Path<String>, body: web::Bytes) -> HttpResponse {
    let authorization = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string);
    let has_token =
        authorization.as_deref().and_then(|a| a.strip_prefix("Bearer ")).is_some_and(|t| !t.trim().is_empty());
    if !has_token {
        return meta_error(401, 190, "Invalid OAuth access token.");
    }
    let Ok(parsed) = serde_json::from_slice::<Value>(&body) else {
        return meta_error(400, 100, "Invalid JSON body.");
    };
    let (behaviour, sleep) = st.next_behaviour();
    let provider_message_id = (behaviour == Behaviour::Ok).then(|| format!("wamid.{}", Uuid::new_v4().simple()));
    let answered = match behaviour {
        Behaviour::Ok => "OK".to_string(),
        Behaviour::Timeout => "TIMEOUT".to_string(),
        Behaviour::Status(s) => s.to_string(),
    };
    let to = parsed.get("to").and_then(Value::as_str).unwrap_or_default().to_string();
    let auto = {
        let mut g = st.lock();
        g.requests.push(ReceivedRequest {
            phone_number_id: path.into_inner(),
            authorization,
            body: parsed,
            answered,
            provider_message_id: provider_message_id.clone(),
        });
        g.auto_statuses.clone()
    };
    match behaviour {
        Behaviour::Ok => {
            let id = provider_message_id.unwrap_or_default();
            if !auto.is_empty() {
                let st = st.get_ref().clone();
                let id = id.clone();
                actix_web::rt::spawn(async move {
                    actix_web::rt::time::sleep(AUTO_STATUS_DELAY).await;
                    for s in auto {
                        if let Err(e) = st.post_status(&id, &s).await {
                            tracing::warn!(error = %e, "fake WhatsApp could not post a status");
                        }
                    }
                });
            }
            HttpResponse::Ok().json(json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to.trim_start_matches('+')}],
                "messages": [{"id": id}],
            }))
        }
        Behaviour::Status(s) => meta_error(s, s, "fake failure"),
        Behaviour::Timeout => {
            actix_web::rt::time::sleep(sleep).await;
            meta_error(504, 2, "fake timeout (the client should have given up)")
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BehavioursBody {
    #[serde(default)]
    queue: Vec<String>,
    #[serde(default)]
    default: Option<String>,
}

async fn set_behaviours(st: web::Data<FakeState>, body: web::Json<BehavioursBody>) -> HttpResponse {
    let body = body.into_inner();
    let parsed: Option<Vec<Behaviour>> = body.queue.iter().map(|s| Behaviour::parse(s)).collect();
    let default = match body.default.as_deref().map(Behaviour::parse) {
        Some(None) => return HttpResponse::BadRequest().json(json!({"error": "bad default"})),
        Some(Some(b)) => Some(b),
        None => None,
    };
    let Some(queue) = parsed else {
        return HttpResponse::BadRequest().json(json!({"error": "behaviours are OK, TIMEOUT or an HTTP status"}));
    };
    let mut g = st.lock();
    g.queue.extend(queue);
    if let Some(d) = default {
        g.default = d;
    }
    HttpResponse::NoContent().finish()
}

async fn list_requests(st: web::Data<FakeState>) -> HttpResponse {
    HttpResponse::Ok().json(&st.lock().requests)
}

async fn reset(st: web::Data<FakeState>) -> HttpResponse {
    let mut g = st.lock();
    g.requests.clear();
    g.queue.clear();
    g.default = Behaviour::Ok;
    HttpResponse::NoContent().finish()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CallbackBody {
    url: String,
    app_secret: String,
}

async fn set_callback(st: web::Data<FakeState>, body: web::Json<CallbackBody>) -> HttpResponse {
    let b = body.into_inner();
    st.lock().callback = Some(Callback { url: b.url, app_secret: b.app_secret });
    HttpResponse::NoContent().finish()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct StatusBody {
    provider_message_id: String,
    status: String,
}

async fn post_status(st: web::Data<FakeState>, body: web::Json<StatusBody>) -> HttpResponse {
    match st.post_status(&body.provider_message_id, &body.status).await {
        Ok(code) => HttpResponse::Ok().json(json!({"callbackStatus": code})),
        Err(e) => HttpResponse::BadRequest().json(json!({"error": e.to_string()})),
    }
}
