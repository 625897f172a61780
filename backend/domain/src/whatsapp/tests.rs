use chrono::TimeZone;

use super::*;
use crate::wire_enum::assert_wire_enum;

// Vectors computed independently with Python's hmac module:
// python3 -c "import hmac,hashlib;print(hmac.new(b'secret', b'body', hashlib.sha256).hexdigest())"
const SECRET_BODY: &str = "dc46983557fea127b43af721467eb9b3fde2338fe3e14f51952aa8478c13d355";
const APP_JSON_BODY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[]}"#;
const APP_JSON_SIG: &str = "20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703";
const UTF8_BODY: &str = "{\"text\":\"Bonjour, je suis intéressée 🏠\"}";
const UTF8_SIG: &str = "103f64173231e12868c24b685291d98d253405842ec7c2295dd38224c3fdd8b7";
const EMPTY_BODY_KEY_SIG: &str = "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0";
// RFC 4231 test case 2.
const RFC4231_2: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

fn header(hex: &str) -> String {
    format!("sha256={hex}")
}

#[test]
fn signature_accepts_known_vectors() {
    assert!(verify_signature(b"secret", b"body", Some(&header(SECRET_BODY))));
    assert!(verify_signature(b"app-secret-123", APP_JSON_BODY, Some(&header(APP_JSON_SIG))));
    assert!(verify_signature(b"app-secret-123", UTF8_BODY.as_bytes(), Some(&header(UTF8_SIG))));
    assert!(verify_signature(b"key", b"", Some(&header(EMPTY_BODY_KEY_SIG))));
    assert!(verify_signature(b"Jefe", b"what do ya want for nothing?", Some(&header(RFC4231_2))));
    // Hex case and surrounding whitespace do not matter.
    assert!(verify_signature(b"secret", b"body", Some(&format!("  sha256={}  ", SECRET_BODY.to_uppercase()))));
    assert_eq!(sign_body(b"secret", b"body"), header(SECRET_BODY));
    assert_eq!(sign_body(b"app-secret-123", UTF8_BODY.as_bytes()), header(UTF8_SIG));
}

#[test]
fn signature_refuses_everything_else() {
    let good = header(SECRET_BODY);
    assert!(!verify_signature(b"secret", b"body", None));
    assert!(!verify_signature(b"other", b"body", Some(&good)));
    assert!(!verify_signature(b"secret", b"body ", Some(&good)));
    assert!(!verify_signature(b"secret", b"Body", Some(&good)));
    assert!(!verify_signature(b"", b"body", Some(&good)));
    assert!(!verify_signature(b"", b"body", Some(&sign_body(b"", b"body"))));
    for bad in [
        String::new(),
        "sha256=".to_string(),
        SECRET_BODY.to_string(),
        format!("sha1={SECRET_BODY}"),
        format!("SHA256={SECRET_BODY}"),
        format!("sha256= {SECRET_BODY}"),
        format!("sha256={}", &SECRET_BODY[..62]),
        format!("sha256={SECRET_BODY}00"),
        format!("sha256={}zz", &SECRET_BODY[..62]),
        format!("sha256={}", "0".repeat(64)),
        "sha256=é".to_string(),
    ] {
        assert!(!verify_signature(b"secret", b"body", Some(&bad)), "{bad:?}");
    }
}

#[test]
fn verify_token() {
    assert!(verify_token_matches("tok-123", "tok-123"));
    assert!(!verify_token_matches("tok-123", "tok-124"));
    assert!(!verify_token_matches("tok-123", "tok-1234"));
    assert!(!verify_token_matches("", ""));
}

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, h, m, s).single().unwrap_or_default()
}

#[test]
fn session_window_is_24_hours() {
    let inbound = at(10, 0, 0);
    let day = Duration::hours(24);
    assert!(!session_window_open(None, inbound));
    assert!(session_window_open(Some(inbound), inbound));
    assert!(session_window_open(Some(inbound), inbound + day - Duration::seconds(1)));
    assert!(!session_window_open(Some(inbound), inbound + day));
    assert!(!session_window_open(Some(inbound), inbound + Duration::days(3)));
    assert!(session_window_open(Some(at(10, 0, 30)), inbound));
    assert_eq!(session_window_closes_at(Some(inbound)), Some(inbound + day));
    assert_eq!(session_window_closes_at(None), None);
    // No overflow at the end of time: the window just never closes.
    assert!(session_window_open(Some(DateTime::<Utc>::MAX_UTC), inbound));
}

#[test]
fn enums_round_trip() {
    assert_wire_enum!(OutboundStatus);
    assert_wire_enum!(DeliveryStatus);
    assert_wire_enum!(TemplateCategory);
    for &d in DeliveryStatus::ALL {
        assert_eq!(DeliveryStatus::parse_webhook(&d.as_str().to_lowercase()), Some(d));
        assert_eq!(d.as_outbound().as_str(), d.as_str());
    }
    assert_eq!(DeliveryStatus::parse_webhook("deleted"), None);
    assert_eq!(DeliveryStatus::parse_webhook("SENT"), None);
    assert!(OutboundStatus::Queued.can_cancel());
    assert!(OutboundStatus::Failed.can_retry());
    for &s in OutboundStatus::ALL {
        assert_eq!(s.can_cancel(), s == OutboundStatus::Queued);
        assert_eq!(s.can_retry(), s == OutboundStatus::Failed);
    }
}

#[test]
fn delivery_status_matrix() {
    use DeliveryStatus as D;
    use OutboundStatus::*;
    // Rows: current; columns: incoming sent, delivered, read, failed → new status or None.
    let expected: [(OutboundStatus, [Option<OutboundStatus>; 4]); 7] = [
        (Queued, [Some(Sent), Some(Delivered), Some(Read), Some(Failed)]),
        (Sending, [Some(Sent), Some(Delivered), Some(Read), Some(Failed)]),
        (Sent, [None, Some(Delivered), Some(Read), Some(Failed)]),
        (Delivered, [None, None, Some(Read), None]),
        (Read, [None, None, None, None]),
        (Failed, [None, None, None, None]),
        (Cancelled, [None, None, None, None]),
    ];
    for (current, row) in expected {
        for (incoming, want) in [D::Sent, D::Delivered, D::Read, D::Failed].into_iter().zip(row) {
            assert_eq!(apply_delivery_status(current, incoming), want, "{current} + {incoming}");
        }
    }
}

#[test]
fn placeholders_are_counted_and_checked() {
    let ok = |b: &str| count_placeholders(b).ok();
    assert_eq!(ok("Bonjour"), Some(0));
    assert_eq!(ok(""), Some(0));
    assert_eq!(ok("Bonjour {{1}}"), Some(1));
    assert_eq!(ok("{{1}} {{2}} {{1}}"), Some(2));
    assert_eq!(ok("RDV le {{2}} pour {{1}}, au {{3}}."), Some(3));
    assert_eq!(ok("a {b} c } {"), Some(0));
    assert_eq!(ok("{{1}}}"), Some(1));
    let many: String = (1..=12).map(|i| format!("{{{{{i}}}}} ")).collect();
    assert_eq!(ok(&many), Some(12));
    for bad in [
        "{{2}}",
        "{{1}} {{3}}",
        "{{0}}",
        "{{01}}",
        "{{ 1 }}",
        "{{name}}",
        "{{}}",
        "{{1",
        "x {{1}} {{",
        "{{-1}}",
        "{{1000}}",
        "{{{1}}}",
        "{{101}}",
    ] {
        assert!(matches!(count_placeholders(bad), Err(v) if v.field == "body"), "{bad}");
    }
}

#[test]
fn templates_render_in_one_pass() {
    let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        render_template("Bonjour {{1}}, RDV le {{2}}. À bientôt {{1}} !", &p(&["Léa", "lundi 10h"])).ok().as_deref(),
        Some("Bonjour Léa, RDV le lundi 10h. À bientôt Léa !")
    );
    assert_eq!(render_template("Merci", &[]).ok().as_deref(), Some("Merci"));
    assert_eq!(render_template("{{1}}{{2}}", &p(&["{{2}}", "x"])).ok().as_deref(), Some("{{2}}x"));
    let field = |r: Result<String, FieldViolation>| r.err().map(|v| v.field);
    assert_eq!(field(render_template("Bonjour {{1}}", &[])).as_deref(), Some("templateParams"));
    assert_eq!(field(render_template("Bonjour", &p(&["x"]))).as_deref(), Some("templateParams"));
    assert_eq!(field(render_template("{{1}} {{2}}", &p(&["a", " "]))).as_deref(), Some("templateParams[1]"));
    assert_eq!(field(render_template("{{1}}", &p(&["a\nb"]))).as_deref(), Some("templateParams[0]"));
    assert_eq!(field(render_template("{{2}}", &p(&["a", "b"]))).as_deref(), Some("body"));
}
