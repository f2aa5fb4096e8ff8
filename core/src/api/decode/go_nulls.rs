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

/// Positions the input holds a `null` at, inside a map or list (a field's own `null` decodes),
/// in serde's path notation (`spec.hard.limits.cpu`, `spec.containers[0].args[0]`).
fn null_positions(value: &Value, path: &mut String, out: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                if v.is_null() {
                    out.push(path.clone());
                } else {
                    null_positions(v, path, out);
                }
                path.truncate(len);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                if v.is_null() {
                    out.push(path.clone());
                } else {
                    null_positions(v, path, out);
                }
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// The value at a position given in the notation of [`null_positions`], found by walking the
/// tree again (a map key may itself hold a `.`, so the path is matched, never split).
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
/// the input (for the checks that compare it with the typed object) and the object are mended.
pub(super) fn strings(input: &mut std::borrow::Cow<'_, Value>, object: &mut Value) {
    let mut positions = Vec::new();
    null_positions(input, &mut String::new(), &mut positions);
    for path in positions {
        let Some(slot) = at_path(object, &path, &mut String::new()) else { continue };
        if slot.as_str() != Some("null") {
            continue;
        }
        *slot = json!("");
        if let Some(written) = at_path(input.to_mut(), &path, &mut String::new()) {
            *written = json!("");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_name_map_values_and_list_items_with_dotted_keys() {
        let v = json!({"spec": {"hard": {"limits.cpu": null}, "args": ["a", null], "x": {"y": 1}}});
        let mut out = Vec::new();
        null_positions(&v, &mut String::new(), &mut out);
        assert_eq!(out, ["spec.args[1]", "spec.hard.limits.cpu"]);
        let mut v = v;
        *at_path(&mut v, "spec.hard.limits.cpu", &mut String::new()).unwrap() = json!("0");
        *at_path(&mut v, "spec.args[1]", &mut String::new()).unwrap() = json!("");
        assert_eq!(v, json!({"spec": {"hard": {"limits.cpu": "0"}, "args": ["a", ""], "x": {"y": 1}}}));
        assert!(at_path(&mut v, "spec.nope", &mut String::new()).is_none());
    }

    #[test]
    fn zero_values_are_go_s() {
        assert_eq!(go_zero("Quantity"), Some(json!("0")));
        assert_eq!(go_zero("a string"), Some(json!("")));
        assert_eq!(go_zero("Container"), Some(json!({})));
        assert_eq!(go_zero("something else entirely"), None);
    }
}
