//! `null` where the Go type has no nil: what kube-apiserver's JSON decoder (encoding/json, via
//! sigs.k8s.io/json) makes of it.
//!
//! Go's decoder sets a pointer, map, slice or interface to nil on `null` and ignores `null` for
//! every other kind, which leaves the zero value: a map entry `{a: null}` of a
//! `map[string]string` becomes `a: ""`, a list item `- ` of `args` becomes `""`, and a
//! `resource.Quantity` (whose `UnmarshalJSON` takes `null` as zero) becomes `0` — so
//! `requests: {cpu: null}` or a ResourceQuota's `hard: {limits.cpu: null}` is accepted, not
//! refused (kubernetes' `hack/testdata/null-propagation`). k8s-openapi maps `null` of an optional
//! or required field to absent or empty already, but refuses it as a map value or list item
//! (those positions are given the Go zero of the type serde names, and the object decoded again)
//! or, for a string, reads it as `"null"`.

use serde_json::{json, Value};

/// The value at a position given in serde's path notation (`spec.hard.limits.cpu`,
/// `spec.containers[0].args[0]`), found by walking the tree (a map key may itself hold a `.`, so the path is matched, never split).
pub(super) fn at_path<'a>(value: &'a mut Value, want: &str, path: &mut String) -> Option<&'a mut Value> {
    if *path == want {
        return Some(value);
    }
    match value {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                let hit = want.starts_with(path.as_str());
                if hit {
                    if let Some(found) = at_path(v, want, path) {
                        return Some(found);
                    }
                }
                path.truncate(len);
            }
            None
        }
        Value::Array(a) => {
            for (i, v) in a.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                if want.starts_with(path.as_str()) {
                    if let Some(found) = at_path(v, want, path) {
                        return Some(found);
                    }
                }
                path.truncate(len);
            }
            None
        }
        _ => None,
    }
}

/// The Go zero value of the type serde expected (`a string`, `Quantity`, `i32`, `Container`),
/// as it serialises; None for a type this does not know.
fn go_zero(expected: &str) -> Option<Value> {
    Some(match expected {
        "Quantity" => json!("0"),
        // intstr's UnmarshalJSON reads a non-string as an int: `null` leaves IntVal 0.
        "IntOrString" => json!(0),
        "i32" | "i64" | "u32" | "u64" | "an integer" => json!(0),
        "f32" | "f64" => json!(0.0),
        "a boolean" => json!(false),
        "a map" => json!({}),
        "a sequence" => json!([]),
        e if e.contains("string") => json!(""),
        e if e.starts_with(|c: char| c.is_ascii_uppercase()) && e.chars().all(|c| c.is_ascii_alphanumeric()) => json!({}),
        _ => return None,
    })
}

/// What Go's decoder leaves where serde refused a `null` (`invalid type: unit value, expected
/// Quantity`): the zero of the expected type; None for any other refusal.
pub(super) fn zero_for(at: &Value, message: &str) -> Option<Value> {
    let expected = message.strip_prefix("invalid type: unit value, expected ")?;
    if !at.is_null() {
        return None;
    }
    go_zero(expected)
}

/// The string-typed nulls: serde_yaml reads `null` as the string `"null"` where a string is
/// expected (a list item `- ` of `args`, a label `team: null`), Go's decoder leaves `""`. Both
/// the input (for the checks that compare it with the typed object) and the object are mended,
/// in one walk of the two trees side by side.
pub(super) fn strings(input: &mut std::borrow::Cow<'_, Value>, object: &mut Value) {
    if needs_mending(input, object) {
        mend(input.to_mut(), object);
    }
}

fn needs_mending(input: &Value, object: &Value) -> bool {
    match (input, object) {
        (Value::Null, Value::String(s)) => s == "null",
        (Value::Object(i), Value::Object(o)) => i.iter().any(|(k, v)| o.get(k).is_some_and(|t| needs_mending(v, t))),
        (Value::Array(i), Value::Array(o)) => i.iter().zip(o).any(|(v, t)| needs_mending(v, t)),
        _ => false,
    }
}

fn mend(input: &mut Value, object: &mut Value) {
    match (input, object) {
        (i @ Value::Null, o @ Value::String(_)) if o.as_str() == Some("null") => {
            *i = json!("");
            *o = json!("");
        }
        (Value::Object(i), Value::Object(o)) => {
            for (k, v) in i.iter_mut() {
                if let Some(t) = o.get_mut(k) {
                    mend(v, t);
                }
            }
        }
        (Value::Array(i), Value::Array(o)) => {
            for (v, t) in i.iter_mut().zip(o.iter_mut()) {
                mend(v, t);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_map_values_and_list_items_with_dotted_keys() {
        let mut v = json!({"spec": {"hard": {"limits.cpu": null}, "args": ["a", null], "x": {"y": 1}}});
        *at_path(&mut v, "spec.hard.limits.cpu", &mut String::new()).unwrap() = json!("0");
        *at_path(&mut v, "spec.args[1]", &mut String::new()).unwrap() = json!("");
        assert_eq!(v, json!({"spec": {"hard": {"limits.cpu": "0"}, "args": ["a", ""], "x": {"y": 1}}}));
        assert!(at_path(&mut v, "spec.nope", &mut String::new()).is_none());
    }

    #[test]
    fn string_nulls_are_mended_in_input_and_object() {
        let mut input = std::borrow::Cow::Owned(json!({"a": [null, "x"], "b": {"c": null}}));
        let mut object = json!({"a": ["null", "x"], "b": {"c": "null"}});
        strings(&mut input, &mut object);
        assert_eq!(object, json!({"a": ["", "x"], "b": {"c": ""}}));
        assert_eq!(*input, object);
    }

    #[test]
    fn zero_values_are_go_s() {
        assert_eq!(go_zero("Quantity"), Some(json!("0")));
        assert_eq!(go_zero("a string"), Some(json!("")));
        assert_eq!(go_zero("Container"), Some(json!({})));
        assert_eq!(go_zero("something else entirely"), None);
    }
}
