//! JSON request bodies: parsed in the handler, after the auth checks (PRODUCT.md §0 order), with
//! the failing field named in the problem.

use serde::de::DeserializeOwned;

use atlas_shared_types::FieldError;

use super::problem::ApiError;

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::field("body", "a JSON body is required"));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let field = match inner.classify() {
            serde_json::error::Category::Data => data_error_field(&path, &message),
            _ => "body".to_string(),
        };
        // serde's messages end with " at line L column C": useful for syntax errors only.
        let message = match inner.classify() {
            serde_json::error::Category::Data => strip_position(&message),
            _ => format!("malformed JSON: {message}"),
        };
        ApiError::validation(vec![FieldError { field, message }])
    })
}

/// serde reports a missing or unknown field at its parent's path with the name in backticks.
fn data_error_field(path: &str, message: &str) -> String {
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    match (named, path) {
        // serde_path_to_error already includes an unknown field in the path
        (Some(name), p) if p == name || p.ends_with(&format!(".{name}")) => p.to_string(),
        (Some(name), "." | "") => name.to_string(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, "." | "") => "body".to_string(),
        (None, p) => p.to_string(),
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        email: String,
        age: Option<u32>,
    }

    fn err_field(raw: &str) -> (String, String) {
        match parse_json::<Body>(raw.as_bytes()) {
            Ok(_) => panic!("expected an error for {raw}"),
            Err(e) => {
                let f = e.errors.and_then(|v| v.into_iter().next()).map(|f| (f.field, f.message));
                f.unwrap_or_default()
            }
        }
    }

    #[test]
    fn names_the_failing_field() {
        assert_eq!(err_field(r#"{"age": 3}"#).0, "email");
        assert_eq!(err_field(r#"{"email":"a","x":1}"#).0, "x");
        assert_eq!(err_field(r#"{"email":"a","age":"old"}"#).0, "age");
        let (f, m) = err_field(r#"{"email": "#);
        assert_eq!(f, "body");
        assert!(m.starts_with("malformed JSON"));
        assert_eq!(err_field("").0, "body");
        assert!(parse_json::<Body>(br#"{"email":"a"}"#).is_ok());
    }
}
