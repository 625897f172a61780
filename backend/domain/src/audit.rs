//! Audit events, PRODUCT.md §9: the action codes and the RFC 6902 `diff` between `before` and
//! `after`.

use serde_json::{json, Map, Value};

use crate::wire_enum::wire_enum;

wire_enum! {
    pub enum AuditAction {
        Create => "CREATE",
        Update => "UPDATE",
        Delete => "DELETE",
        StatusChange => "STATUS_CHANGE",
        Assign => "ASSIGN",
        Login => "LOGIN",
        BlockedByPolicy => "BLOCKED_BY_POLICY",
        Send => "SEND",
        Erase => "ERASE",
        Export => "EXPORT",
        Import => "IMPORT",
        RetentionPurge => "RETENTION_PURGE",
    }
}

/// An RFC 6902 patch turning `before` into `after`: a JSON array of `{op, path, value?}`.
///
/// Objects are compared key by key, recursively; any other change (scalars, type changes, arrays)
/// is one `replace` of the whole value: array element diffs are hard to read in an audit log and
/// brittle under reordering. Keys are visited in sorted order so the patch is deterministic.
/// Equal documents give `[]`; a change at the root is a `replace` at path `""`.
pub fn json_diff(before: &Value, after: &Value) -> Value {
    let mut ops = Vec::new();
    diff_into(&mut ops, String::new(), before, after);
    Value::Array(ops)
}

fn diff_into(ops: &mut Vec<Value>, path: String, before: &Value, after: &Value) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => diff_objects(ops, &path, b, a),
        _ if before == after => {}
        _ => ops.push(json!({"op": "replace", "path": path, "value": after})),
    }
}

fn diff_objects(ops: &mut Vec<Value>, path: &str, before: &Map<String, Value>, after: &Map<String, Value>) {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let child = format!("{path}/{}", escape_pointer_token(key));
        match (before.get(key), after.get(key)) {
            (Some(b), Some(a)) => diff_into(ops, child, b, a),
            (Some(_), None) => ops.push(json!({"op": "remove", "path": child})),
            (None, Some(a)) => ops.push(json!({"op": "add", "path": child, "value": a})),
            (None, None) => {}
        }
    }
}

/// RFC 6901: `~` → `~0` first, then `/` → `~1`.
pub fn escape_pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire_enum::assert_wire_enum;

    #[test]
    fn actions_round_trip() {
        assert_wire_enum!(AuditAction);
        assert_eq!(AuditAction::ALL.len(), 12);
    }

    #[test]
    fn equal_documents_give_an_empty_patch() {
        let v = json!({"a": 1, "b": {"c": [1, 2]}});
        assert_eq!(json_diff(&v, &v), json!([]));
        assert_eq!(json_diff(&Value::Null, &Value::Null), json!([]));
    }

    #[test]
    fn objects_key_by_key() {
        let before = json!({"status": "NEW", "leadName": "Léa", "notes": "x", "budget": {"min": 1, "max": 2}});
        let after = json!({"status": "QUALIFIED", "leadName": "Léa", "budget": {"min": 1, "max": 3, "cur": "EUR"}, "version": 2});
        assert_eq!(
            json_diff(&before, &after),
            json!([
                {"op": "add", "path": "/budget/cur", "value": "EUR"},
                {"op": "replace", "path": "/budget/max", "value": 3},
                {"op": "remove", "path": "/notes"},
                {"op": "replace", "path": "/status", "value": "QUALIFIED"},
                {"op": "add", "path": "/version", "value": 2},
            ])
        );
    }

    #[test]
    fn arrays_types_nulls_and_root() {
        let before = json!({"features": ["cave", "balcon"], "price": null, "geo": {"lat": 1}});
        let after = json!({"features": ["cave"], "price": 10.5, "geo": null});
        assert_eq!(
            json_diff(&before, &after),
            json!([
                {"op": "replace", "path": "/features", "value": ["cave"]},
                {"op": "replace", "path": "/geo", "value": null},
                {"op": "replace", "path": "/price", "value": 10.5},
            ])
        );
        // Present with null is not the same as absent.
        assert_eq!(json_diff(&json!({}), &json!({"a": null})), json!([{"op": "add", "path": "/a", "value": null}]));
        assert_eq!(json_diff(&json!({"a": null}), &json!({})), json!([{"op": "remove", "path": "/a"}]));
        assert_eq!(
            json_diff(&Value::Null, &json!({"a": 1})),
            json!([{"op": "replace", "path": "", "value": {"a": 1}}])
        );
        assert_eq!(json_diff(&json!([1]), &json!([1, 2])), json!([{"op": "replace", "path": "", "value": [1, 2]}]));
    }

    #[test]
    fn pointer_escaping() {
        assert_eq!(escape_pointer_token("a/b~c"), "a~1b~0c");
        assert_eq!(escape_pointer_token("~1"), "~01");
        let patch = json_diff(&json!({"a/b": {"~x": 1}}), &json!({"a/b": {"~x": 2}}));
        assert_eq!(patch, json!([{"op": "replace", "path": "/a~1b/~0x", "value": 2}]));
        assert_eq!(json_diff(&json!({}), &json!({"": 1})), json!([{"op": "add", "path": "/", "value": 1}]));
    }
}
