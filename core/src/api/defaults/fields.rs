//! Small helpers for defaulting on JSON values, standing in for Go's zero-value tests.
//!
//! Go's defaulters test a field two ways, and the JSON form must tell them apart:
//! - a plain field (`string`, `int32`) is "unset" when it holds its zero value, so `dnsPolicy: ""`
//!   or `timeoutSeconds: 0` is defaulted as if absent ([`default_if_empty`]);
//! - a pointer, slice or map field is "unset" only when nil, so `replicas: 0` or
//!   `suspend: false` stays as written ([`default_if_nil`]).
//!
//! Neither helper ever replaces a value the user set.

use serde_json::{Map, Value};

pub(super) type Object = Map<String, Value>;

/// The object at `key` inside `obj`, if `obj` is an object and the field holds one.
pub(super) fn child<'a>(obj: &'a mut Object, key: &str) -> Option<&'a mut Object> {
    obj.get_mut(key).and_then(Value::as_object_mut)
}

/// Every object element of the array at `key` (non-objects are skipped: validation reports them).
pub(super) fn each<'a>(obj: &'a mut Object, key: &str) -> impl Iterator<Item = &'a mut Object> {
    obj.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flat_map(|items| items.iter_mut().filter_map(Value::as_object_mut))
}

/// The object at `key`, created as `{}` when the field is absent or null (Go: `if p == nil { p = &T{} }`).
/// Returns None when the field holds something that is not an object, which validation will reject.
pub(super) fn child_or_insert<'a>(obj: &'a mut Object, key: &str) -> Option<&'a mut Object> {
    if is_nil(obj.get(key)) {
        obj.insert(key.to_string(), Value::Object(Object::new()));
    }
    child(obj, key)
}

/// True when a pointer, slice or map field is nil: absent or JSON null.
pub(super) fn is_nil(field: Option<&Value>) -> bool {
    matches!(field, None | Some(Value::Null))
}

/// True when a plain Go field holds its zero value: absent, null, `""`, `0` or `false`.
pub(super) fn is_empty(field: Option<&Value>) -> bool {
    match field {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::Bool(b)) => !b,
        Some(_) => false,
    }
}

/// True when a slice or map field is nil or has no elements (Go: `len(x) == 0`).
pub(super) fn is_len_zero(field: Option<&Value>) -> bool {
    match field {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    }
}

/// Sets a plain field (string, int32) to `default` when it holds its zero value.
pub(super) fn default_if_empty(obj: &mut Object, key: &str, default: impl Into<Value>) {
    if is_empty(obj.get(key)) {
        obj.insert(key.to_string(), default.into());
    }
}

/// Sets a pointer field to `default` when it is nil.
pub(super) fn default_if_nil(obj: &mut Object, key: &str, default: impl Into<Value>) {
    if is_nil(obj.get(key)) {
        obj.insert(key.to_string(), default.into());
    }
}

/// The string at `key`, or "" (Go's zero value) when absent or not a string.
pub(super) fn str_of<'a>(obj: &'a Object, key: &str) -> &'a str {
    obj.get(key).and_then(Value::as_str).unwrap_or("")
}

/// For every key of `from` missing in the map at `to_key`, copies the value; creates the map only
/// when something is copied (Go creates an empty map too, but `omitempty` hides it on the wire).
pub(super) fn fill_missing_keys(obj: &mut Object, from: &Object, to_key: &str) {
    if from.is_empty() {
        return;
    }
    if is_nil(obj.get(to_key)) {
        obj.insert(to_key.to_string(), Value::Object(Object::new()));
    }
    if let Some(to) = child(obj, to_key) {
        for (key, value) in from {
            if !to.contains_key(key) {
                to.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Object {
        match v {
            Value::Object(o) => o,
            _ => panic!("test input must be an object"),
        }
    }

    #[test]
    fn empty_fields_are_defaulted_but_set_ones_are_kept() {
        let mut o = obj(json!({"a": "", "b": 0, "c": "x", "d": 5, "e": null}));
        for key in ["a", "b", "c", "d", "e", "f"] {
            default_if_empty(&mut o, key, "D");
        }
        assert_eq!(
            Value::Object(o),
            json!({"a": "D", "b": "D", "c": "x", "d": 5, "e": "D", "f": "D"})
        );
    }

    #[test]
    fn pointer_fields_keep_zero_values() {
        let mut o = obj(json!({"replicas": 0, "suspend": false, "x": null}));
        default_if_nil(&mut o, "replicas", 1);
        default_if_nil(&mut o, "suspend", true);
        default_if_nil(&mut o, "x", 2);
        default_if_nil(&mut o, "y", 3);
        assert_eq!(
            Value::Object(o),
            json!({"replicas": 0, "suspend": false, "x": 2, "y": 3})
        );
    }

    #[test]
    fn fill_missing_keys_keeps_existing_and_skips_empty_sources() {
        let mut o = obj(json!({"requests": {"cpu": "100m"}}));
        let from = obj(json!({"cpu": "1", "memory": "1Gi"}));
        fill_missing_keys(&mut o, &from, "requests");
        fill_missing_keys(&mut o, &Object::new(), "other");
        assert_eq!(
            Value::Object(o),
            json!({"requests": {"cpu": "100m", "memory": "1Gi"}})
        );
    }
}
