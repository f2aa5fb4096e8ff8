//! The patch client-side `kubectl apply` sends: `CreateThreeWayMergePatch` of
//! `k8s.io/apimachinery/pkg/util/strategicpatch` (`patch.go`), over JSON values.
//!
//! kubectl compares three documents decoded from JSON into Go's `map[string]interface{}`: the
//! last applied configuration (`original`, from the annotation), the file as written with the
//! new annotation (`modified`) and the live object (`current`). The patch is the *delta* from
//! current to modified, ignoring what only the server set, plus the *deletions* from original to
//! modified. kubectl prints `unchanged` only when that patch is `{}` (`patcher.go`,
//! `patchSimple`), and the comparison is Go's, on values as written, not as the server decodes
//! them. So a file is `configured` again on every apply when it says, for instance:
//!
//! | in the file                                | live            | patch                              |
//! |--------------------------------------------|-----------------|------------------------------------|
//! | `binaryData: null`                         | absent          | `{"binaryData":null}`              |
//! | `metadata.creationTimestamp: null`         | a time          | `{"metadata":{"creationTimestamp":null}}` |
//! | a Secret's base64 split over lines         | one line        | `{"data":{"key":"aGVs\nbG8=\n"}}`  |
//! | `cpu: 1` (a number)                        | `"1"`           | the container with `cpu: 1`        |
//! | `strategy: {type: RollingUpdate}`          | plus `rollingUpdate` | `{"spec":{"strategy":{"$retainKeys":["type"]}}}` |
//!
//! A value the server would store differently is sent as the server decodes it
//! ([`with_typed_values`]): kube-apiserver decodes the patched object into its Go type, which
//! this simulation's API server leaves to its clients.

use crate::apiserver::patch::merge_key;
use serde_json::{json, Map, Value};

type Object = Map<String, Value>;

/// What one pass of `diffMaps` keeps (`DiffOptions`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pass {
    /// current → modified with `IgnoreDeletions`: additions and changes.
    Delta,
    /// original → modified with `IgnoreChangesAndAdditions`: what the file no longer sets.
    Deletions,
}

/// `CreateThreeWayMergePatch(original, modified, current)` with `overwrite` (kubectl's
/// default): an empty map is the `{}` that prints `unchanged`.
pub fn create_three_way_merge_patch(original: &Value, modified: &Value, current: &Value) -> Object {
    let empty = Object::new();
    let (original, modified, current) =
        (original.as_object().unwrap_or(&empty), modified.as_object().unwrap_or(&empty), current.as_object().unwrap_or(&empty));
    let delta = diff_maps(current, modified, Pass::Delta, false);
    let deletions = diff_maps(original, modified, Pass::Deletions, false);
    merge_patches(deletions, delta)
}

/// Maps whose patch strategy is `retainKeys` (`DeploymentSpec.strategy`).
fn map_retains_keys(field: &str) -> bool {
    field == "strategy"
}

/// Lists of maps merged with `retainKeys` on each element (`PodSpec.volumes`,
/// `PodSpec.resourceClaims`: `patchStrategy:"merge,retainKeys"`).
fn elements_retain_keys(field: &str) -> bool {
    matches!(field, "volumes" | "resourceClaims")
}

/// `diffMaps`.
fn diff_maps(original: &Object, modified: &Object, pass: Pass, retain_keys: bool) -> Object {
    let mut patch = Object::new();
    let mut retained: Vec<&str> = Vec::new();
    for (key, m) in modified {
        if retain_keys && !m.is_null() {
            retained.push(key);
        }
        let Some(o) = original.get(key) else {
            // Added.
            if pass == Pass::Delta {
                patch.insert(key.clone(), m.clone());
            }
            continue;
        };
        if key == "$patch" {
            // `handleDirectiveMarker`.
            if o != m {
                patch.insert(key.clone(), m.clone());
            }
            continue;
        }
        if go_type(o) != go_type(m) {
            // `reflect.TypeOf` differs: a null against a value, a number against a string.
            if pass == Pass::Delta {
                patch.insert(key.clone(), m.clone());
            }
            continue;
        }
        match (o, m) {
            (Value::Object(o), Value::Object(m)) => {
                let sub = diff_maps(o, m, pass, map_retains_keys(key));
                if !sub.is_empty() {
                    patch.insert(key.clone(), Value::Object(sub));
                }
            }
            (Value::Array(o), Value::Array(m)) => diff_slices(key, o, m, pass, &mut patch),
            _ => {
                if pass == Pass::Delta && !go_equal(o, m) {
                    patch.insert(key.clone(), m.clone());
                }
            }
        }
    }
    // `updatePatchIfMissing`: whether or not the live object still has them.
    if pass == Pass::Deletions {
        for key in original.keys().filter(|k| !modified.contains_key(*k)) {
            patch.insert(key.clone(), Value::Null);
        }
    }
    if !retained.is_empty() && (!patch.is_empty() || has_additional_new_field(original, modified)) {
        retained.sort_unstable();
        patch.insert("$retainKeys".into(), json!(retained));
    }
    patch
}

/// `hasAdditionalNewField`: `original` has a non-null field `modified` lacks.
fn has_additional_new_field(original: &Object, modified: &Object) -> bool {
    original.iter().any(|(k, v)| !v.is_null() && !modified.contains_key(k))
}

/// `handleSliceDiff` and `diffLists`: a list with a merge key merges element by element, with
/// `$setElementOrder` when its contents or its order changed; any other list is replaced whole.
fn diff_slices(key: &str, original: &[Value], modified: &[Value], pass: Pass, patch: &mut Object) {
    let sample = if modified.is_empty() { original } else { modified };
    let merge = merge_key(key, sample).filter(|_| original.iter().chain(modified).all(Value::is_object));
    let Some(mk) = merge else {
        // `replacePatchFieldIfNotEqual`.
        if pass == Pass::Delta && !go_equal_slices(original, modified) {
            patch.insert(key.to_string(), Value::Array(modified.to_vec()));
        }
        return;
    };
    if original.is_empty() {
        if !modified.is_empty() && pass == Pass::Delta {
            patch.insert(key.to_string(), Value::Array(modified.to_vec()));
        }
        return;
    }
    let empty = Object::new();
    let same = |a: &Value, b: &Value| go_equal(&a[mk], &b[mk]);
    let mut list: Vec<Value> = Vec::new();
    for m in modified {
        match original.iter().find(|o| same(o, m)) {
            Some(o) => {
                let mut sub = diff_maps(o.as_object().unwrap_or(&empty), m.as_object().unwrap_or(&empty), pass, elements_retain_keys(key));
                if !sub.is_empty() {
                    sub.insert(mk.to_string(), m[mk].clone());
                    list.push(Value::Object(sub));
                }
            }
            None if pass == Pass::Delta => list.push(m.clone()),
            None => {}
        }
    }
    if pass == Pass::Deletions {
        let mut gone: Vec<&Value> = original.iter().filter(|o| !modified.iter().any(|m| same(o, m))).collect();
        gone.sort_by_key(|o| go_string(&o[mk]));
        list.extend(gone.into_iter().map(|o| json!({"$patch": "delete", mk: o[mk].clone()})));
    }
    let order_same = original.len() == modified.len() && original.iter().zip(modified).all(|(o, m)| same(o, m));
    let set_order = !list.is_empty() || (pass == Pass::Delta && !order_same);
    if !list.is_empty() {
        patch.insert(key.to_string(), Value::Array(list));
    }
    if set_order {
        let order: Vec<Value> = modified.iter().map(|m| json!({mk: m[mk].clone()})).collect();
        patch.insert(format!("$setElementOrder/{key}"), Value::Array(order));
    }
}

/// `mergeMap(deletions, delta)`: the two patches as one (lists with a merge key merge by it).
fn merge_patches(mut base: Object, over: Object) -> Object {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(b)), Value::Object(o)) => {
                let merged = merge_patches(std::mem::take(b), o);
                *b = merged;
            }
            (Some(Value::Array(b)), Value::Array(o)) => match merge_key(&key, &o) {
                Some(mk) => {
                    for item in o {
                        match b.iter_mut().find(|e| e.is_object() && go_equal(&e[mk], &item[mk])) {
                            Some(Value::Object(e)) if item.is_object() => {
                                let merged = merge_patches(std::mem::take(e), item.as_object().cloned().unwrap_or_default());
                                *e = merged;
                            }
                            _ => b.push(item),
                        }
                    }
                }
                None => *b = o,
            },
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
    base
}

/// The patch with each value the file gives replaced by the one the server decodes it to
/// (`typed`: the object as its Go type reads it). Nulls (deletions) and directives stay.
pub fn with_typed_values(patch: &Object, typed: Option<&Value>) -> Object {
    let empty = Object::new();
    let mut out = Object::new();
    for (key, value) in patch {
        let t = typed.and_then(|t| t.get(key));
        let v = match (value, t) {
            (Value::Null, _) | (_, None) => value.clone(),
            (Value::Object(p), Some(t @ Value::Object(_))) => Value::Object(with_typed_values(p, Some(t))),
            (Value::Array(p), Some(Value::Array(tl))) => match merge_key(key, tl).filter(|_| p.iter().all(Value::is_object)) {
                Some(mk) => Value::Array(
                    p.iter()
                        .map(|e| {
                            if e.get("$patch").is_some() {
                                return e.clone();
                            }
                            let te = tl.iter().find(|x| x.is_object() && go_equal(&x[mk], &e[mk]));
                            Value::Object(with_typed_values(e.as_object().unwrap_or(&empty), te))
                        })
                        .collect(),
                ),
                None => Value::Array(tl.clone()),
            },
            (_, Some(t)) => t.clone(),
        };
        out.insert(key.clone(), v);
    }
    out
}

/// The Go type a JSON value decodes to in an `interface{}`.
fn go_type(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

/// `reflect.DeepEqual` on decoded JSON: every number is a float64, so `1` equals `1.0`.
fn go_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => go_equal_slices(x, y),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| go_equal(v, w))),
        _ => a == b,
    }
}

fn go_equal_slices(x: &[Value], y: &[Value]) -> bool {
    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| go_equal(a, b))
}

/// `fmt.Sprintf("%v")` of a merge key, the order deletions are listed in.
fn go_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(original: Value, modified: Value, current: Value) -> Value {
        Value::Object(create_three_way_merge_patch(&original, &modified, &current))
    }

    #[test]
    fn the_same_file_against_what_the_server_kept_is_an_empty_patch() {
        let file = json!({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}, "replicas": 2});
        let live = json!({"kind": "ConfigMap", "metadata": {"name": "a", "uid": "1", "resourceVersion": "9"}, "data": {"k": "v"}, "replicas": 2.0});
        assert_eq!(patch(file.clone(), file, live), json!({}));
    }

    #[test]
    fn a_null_in_the_file_is_sent_again_every_time() {
        let file = json!({"metadata": {"name": "a", "creationTimestamp": null, "labels": {"team": null, "app": "web"}}, "binaryData": null});
        let live = json!({"metadata": {"name": "a", "creationTimestamp": "2026-01-01T00:00:00Z", "labels": {"app": "web"}}});
        assert_eq!(
            patch(file.clone(), file, live),
            json!({"binaryData": null, "metadata": {"creationTimestamp": null, "labels": {"team": null}}})
        );
        // A null the server also returns (a template's zero creationTimestamp) is no change.
        let file = json!({"spec": {"template": {"metadata": {"creationTimestamp": null}}}});
        assert_eq!(patch(file.clone(), file.clone(), file), json!({}));
    }

    #[test]
    fn values_are_compared_as_written() {
        let file = json!({"data": {"key": "aGVsbG8gd29y\nbGQ=\n"}});
        let live = json!({"data": {"key": "aGVsbG8gd29ybGQ="}});
        assert_eq!(patch(file.clone(), file.clone(), live), file);
        let file = json!({"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": 1, "memory": "64Mi"}}}]}});
        let live = json!({"spec": {"containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "1", "memory": "64Mi"}}}]}});
        assert_eq!(
            patch(file.clone(), file, live),
            json!({"spec": {"$setElementOrder/containers": [{"name": "c"}], "containers": [{"name": "c", "resources": {"limits": {"cpu": 1}}}]}})
        );
    }

    #[test]
    fn fields_the_file_dropped_are_deleted_and_lists_keep_their_order() {
        let original = json!({"data": {"a": "1", "b": "2"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        let modified = json!({"data": {"a": "1"}, "spec": {"containers": [{"name": "a"}]}});
        let live = json!({"data": {"a": "1"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        assert_eq!(
            patch(original, modified, live),
            json!({"data": {"b": null}, "spec": {"$setElementOrder/containers": [{"name": "a"}], "containers": [{"$patch": "delete", "name": "b"}]}})
        );
        // Reordered: only the order directive.
        let modified = json!({"spec": {"containers": [{"name": "b"}, {"name": "a"}]}});
        let live = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        assert_eq!(patch(modified.clone(), modified, live), json!({"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}}));
    }

    #[test]
    fn a_deployment_strategy_keeps_its_keys() {
        let file = json!({"spec": {"strategy": {"type": "RollingUpdate"}}});
        let live = json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}}});
        assert_eq!(patch(file.clone(), file.clone(), live), json!({"spec": {"strategy": {"$retainKeys": ["type"]}}}));
        let file = json!({"spec": {"strategy": {}}});
        let live = json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}}});
        assert_eq!(patch(file.clone(), file, live), json!({}));
    }

    #[test]
    fn the_sent_patch_carries_the_decoded_values() {
        let p = json!({"data": {"key": "aGVs\nbG8=\n"}, "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": 0.5}}}], "$setElementOrder/containers": [{"name": "c"}]}, "x": null});
        let typed = json!({"data": {"key": "aGVsbG8="}, "spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": "500m"}}}]}});
        assert_eq!(
            Value::Object(with_typed_values(p.as_object().unwrap(), Some(&typed))),
            json!({"data": {"key": "aGVsbG8="}, "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "500m"}}}], "$setElementOrder/containers": [{"name": "c"}]}, "x": null})
        );
    }
}
