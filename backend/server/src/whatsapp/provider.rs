//! `MessageProvider` over Meta's WhatsApp Cloud API: `POST {base}/{phone_number_id}/messages`
//! with the org's bearer token. The base URL comes from `ATLAS_WHATSAPP_API_BASE` (a local fake
//! in tests and `make dev`).

use std::future::Future;
use std::time::Duration;

use serde_json::{json, Value};

use atlas_domain::ports::{
    MessageProvider, ProviderAccepted, ProviderAccount, ProviderError, SendContent, SendRequest,
};

pub const DEFAULT_API_BASE: &str = "https://graph.facebook.com/v21.0";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const ERROR_TEXT_MAX: usize = 500;

#[derive(Clone)]
pub struct CloudApiProvider {
    client: reqwest::Client,
    base: String,
}

impl CloudApiProvider {
    pub fn new(base: &str, timeout: Duration) -> anyhow::Result<CloudApiProvider> {
        let client = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build()?;
        Ok(CloudApiProvider { client, base: base.trim_end_matches('/').to_string() })
    }
}

/// The JSON body of a send: a text or a template message, with our id as
/// `biz_opaque_callback_data` so that status callbacks can be tied back to it.
pub fn request_body(req: &SendRequest) -> Value {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": req.to,
        "biz_opaque_callback_data": req.callback_data,
    });
    match &req.content {
        SendContent::Text(text) => {
            body["type"] = json!("text");
            body["text"] = json!({"preview_url": false, "body": text});
        }
        SendContent::Template { code, language, params } => {
            let mut template = json!({"name": code, "language": {"code": language}});
            if !params.is_empty() {
                let parameters: Vec<Value> = params.iter().map(|p| json!({"type": "text", "text": p})).collect();
                template["components"] = json!([{"type": "body", "parameters": parameters}]);
            }
            body["type"] = json!("template");
            body["template"] = template;
        }
    }
    body
}

fn fail(http_status: Option<u16>, code: &str, message: impl Into<String>) -> ProviderError {
    let message: String = message.into();
    ProviderError { http_status, code: code.to_string(), message: message.chars().take(ERROR_TEXT_MAX).collect() }
}

/// Meta's error body: `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`.
fn error_from_body(status: u16, body: &[u8]) -> ProviderError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let err = parsed.as_ref().and_then(|v| v.get("error"));
    let code = err.and_then(|e| e.get("code")).map(|c| match c {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let message = err.and_then(|e| e.get("message")).and_then(Value::as_str).map(str::to_string);
    fail(
        Some(status),
        &code.unwrap_or_else(|| format!("HTTP_{status}")),
        message.unwrap_or_else(|| format!("provider answered HTTP {status}")),
    )
}

fn network_error(e: &reqwest::Error) -> ProviderError {
    if e.is_timeout() {
        fail(None, "TIMEOUT", "the provider did not answer in time")
    } else {
        // reqwest's message names the URL but no credential.
        fail(None, "NETWORK", e.to_string())
    }
}

impl MessageProvider for CloudApiProvider {
    fn send(
        &self,
        account: &ProviderAccount,
        request: &SendRequest,
    ) -> impl Future<Output = Result<ProviderAccepted, ProviderError>> + Send {
        // The id is configured by an admin but still goes into a URL path: refuse anything but
        // the digits/letters Meta uses rather than let it reach another endpoint.
        let valid_id = !account.phone_number_id.is_empty()
            && account.phone_number_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        let url = format!("{}/{}/messages", self.base, account.phone_number_id);
        let call = self.client.post(url).bearer_auth(&account.access_token).json(&request_body(request));
        async move {
            if !valid_id {
                return Err(fail(Some(400), "INVALID_PHONE_NUMBER_ID", "the configured phone number id is invalid"));
            }
            let res = call.send().await.map_err(|e| network_error(&e))?;
            let status = res.status().as_u16();
            let body = res.bytes().await.map_err(|e| network_error(&e))?;
            if !(200..300).contains(&status) {
                return Err(error_from_body(status, &body));
            }
            let parsed: Value = serde_json::from_slice(&body)
                .map_err(|_| fail(Some(status), "BAD_RESPONSE", "the provider's answer is not JSON"))?;
            parsed
                .pointer("/messages/0/id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(|id| ProviderAccepted { provider_message_id: id.to_string() })
                .ok_or_else(|| fail(Some(status), "BAD_RESPONSE", "the provider's answer has no message id"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_follow_the_cloud_api() {
        let t = SendRequest {
            to: "+33612345678".into(),
            content: SendContent::Template {
                code: "visit".into(),
                language: "fr".into(),
                params: vec!["Marie".into()],
            },
            callback_data: "abc".into(),
        };
        let b = request_body(&t);
        assert_eq!(b["type"], "template");
        assert_eq!(b["template"]["name"], "visit");
        assert_eq!(b["template"]["language"]["code"], "fr");
        assert_eq!(b["template"]["components"][0]["parameters"][0]["text"], "Marie");
        assert_eq!(b["biz_opaque_callback_data"], "abc");
        let x = SendRequest { content: SendContent::Text("hi".into()), ..t };
        let b = request_body(&x);
        assert_eq!(b["text"]["body"], "hi");
        assert_eq!(b["messaging_product"], "whatsapp");
    }

    #[test]
    fn errors_keep_meta_codes() {
        let e = error_from_body(400, br#"{"error":{"message":"bad","code":131026}}"#);
        assert_eq!((e.http_status, e.code.as_str(), e.message.as_str()), (Some(400), "131026", "bad"));
        let e = error_from_body(502, b"<html>");
        assert_eq!(e.code, "HTTP_502");
    }
}
