//! What a mutating plugin changed, as `path: old -> new` lines for its [`super::PluginRecord`].
//!
//! Paths use the field-path notation of Kubernetes' error messages: `spec.containers[0].name`,
//! with map keys that are not plain identifiers in brackets, e.g.
//! `metadata.annotations[kubernetes.io/limit-ranger]`. Absent values print as `<unset>`; other
//! values as field errors render them (strings quoted, objects as JSON). Example, after
//! DefaultTolerationSeconds on a pod without tolerations:
//!
//! ```text
//! spec.tolerations: <unset> -> [{"effect":"NoExecute","key":"node.kubernetes.io/not-ready",...}]
//! ```

use crate::apiserver::field::render_value;
use serde_json::Value;
use std::cmp::Ordering;

/// Bounds a detail line so one huge added object cannot flood the trace.
const VALUE_CHARS_MAX: usize = 400;

/// The changed paths from `before` to `after`, in path order.
pub(super) fn diff(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if before != after {
        walk("", Some(before), Some(after), &mut out);
    }
    out
}

/// [`diff`] of two objects that differ at most in their field `key` (`before` and `after` are
/// that field): the walk of the whole objects would visit only it.
pub(super) fn diff_at(key: &str, before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    if before != after {
        walk(&child("", key), before, after, &mut out);
    }
    out
}

/// The changes below `path`, where `before` and `after` differ (the caller compared them, so
/// no subtree is compared twice). Most of an object is untouched by a plugin: comparing a
/// subtree costs no allocation, and spelling the path of every field in it did (a third of a
/// pod create's time), so the path of an unchanged field is never spelled.
fn walk(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<String>) {
    match (before, after) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            // Both maps iterate in key order: merged, they give every key of either once, in
            // order, as a sorted set of both key lists would.
            let (mut xs, mut ys) = (a.iter().peekable(), b.iter().peekable());
            loop {
                let order = match (xs.peek(), ys.peek()) {
                    (None, None) => break,
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (Some((k, _)), Some((l, _))) => k.cmp(l),
                };
                let (key, x, y) = match order {
                    Ordering::Less => {
                        let Some((k, x)) = xs.next() else { break };
                        (k, Some(x), None)
                    }
                    Ordering::Greater => {
                        let Some((l, y)) = ys.next() else { break };
                        (l, None, Some(y))
                    }
                    Ordering::Equal => {
                        let (Some((k, x)), Some((_, y))) = (xs.next(), ys.next()) else { break };
                        (k, Some(x), Some(y))
                    }
                };
                if x != y {
                    walk(&child(path, key), x, y, out);
                }
            }
        }
        // Lists that only grew at the end (appended volumes, tolerations, mounts) read best as
        // one line per new element; other list changes compare element by element.
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                if a.get(i) != b.get(i) {
                    walk(&format!("{path}[{i}]"), a.get(i), b.get(i), out);
                }
            }
        }
        (a, b) => out.push(format!("{}: {} -> {}", display_path(path), show(a), show(b))),
    }
}

/// Makes `copy` equal to `source`, copying only the parts that differ: a plugin's copy of the
/// object brought up to date for the next plugin costs what the plugins between changed, not a
/// whole object.
pub(super) fn sync(copy: &mut Value, source: &Value) {
    match (copy, source) {
        (Value::Object(c), Value::Object(s)) => {
            c.retain(|k, _| s.contains_key(k));
            for (k, sv) in s {
                match c.get_mut(k) {
                    Some(cv) => sync(cv, sv),
                    None => {
                        c.insert(k.clone(), sv.clone());
                    }
                }
            }
        }
        (Value::Array(c), Value::Array(s)) => {
            c.truncate(s.len());
            for (cv, sv) in c.iter_mut().zip(s) {
                sync(cv, sv);
            }
            let have = c.len();
            c.extend(s.iter().skip(have).cloned());
        }
        (c, s) => {
            if c != s {
                *c = s.clone();
            }
        }
    }
}

fn child(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (true, false) => format!("[{key}]"),
        (false, true) => format!("{path}.{key}"),
        (false, false) => format!("{path}[{key}]"),
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "<object>"
    } else {
        path
    }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "<unset>".to_string(),
        Some(v) => {
            let s = render_value(v);
            if s.chars().count() > VALUE_CHARS_MAX {
                let cut: String = s.chars().take(VALUE_CHARS_MAX).collect();
                format!("{cut}...")
            } else {
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_and_values() {
        let before = json!({"metadata": {"name": "x"}, "spec": {"containers": [{"name": "a"}]}});
        let after = json!({
            "metadata": {"name": "x", "annotations": {"kubernetes.io/limit-ranger": "set"}},
            "spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "1"}}}], "priority": 0}
        });
        assert_eq!(
            diff(&before, &after),
            vec![
                r#"metadata.annotations: <unset> -> {"kubernetes.io/limit-ranger":"set"}"#,
                r#"spec.containers[0].resources: <unset> -> {"limits":{"cpu":"1"}}"#,
                "spec.priority: <unset> -> 0",
            ]
        );
        let b2 = json!({"metadata": {"annotations": {"a.b/c": "1"}}});
        let a2 = json!({"metadata": {"annotations": {"a.b/c": "2"}}});
        assert_eq!(diff(&b2, &a2), vec![r#"metadata.annotations[a.b/c]: "1" -> "2""#]);
        assert!(diff(&a2, &a2).is_empty());
    }

    /// The walk before the merged key iteration, kept as the reference it must equal.
    fn reference(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<String>) {
        if before == after {
            return;
        }
        match (before, after) {
            (Some(Value::Object(a)), Some(Value::Object(b))) => {
                let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for key in keys {
                    let (x, y) = (a.get(key.as_str()), b.get(key.as_str()));
                    if x != y {
                        reference(&child(path, key), x, y, out);
                    }
                }
            }
            (Some(Value::Array(a)), Some(Value::Array(b))) => {
                for i in 0..a.len().max(b.len()) {
                    if a.get(i) != b.get(i) {
                        reference(&format!("{path}[{i}]"), a.get(i), b.get(i), out);
                    }
                }
            }
            (a, b) => out.push(format!("{}: {} -> {}", display_path(path), show(a), show(b))),
        }
    }

    #[test]
    fn the_merged_walk_lists_what_the_reference_does() {
        let values = [
            json!({"metadata": {"name": "x", "labels": {"a": "1", "b/c": "2"}}, "spec": {"list": [1, {"b": 2}, 3], "n": null}}),
            json!({"metadata": {"name": "y", "labels": {"b/c": "3", "d": "4"}}, "spec": {"list": [1, {"b": 3}], "m": {"c": [true]}}, "status": {}}),
            json!({"spec": {"list": [0, {"b": 2}, 3, 4, 5]}, "a": 1, "z": 2}),
            json!({"": 1, "A": {"x": 1}, "a": [], "spec": "text"}),
            json!([1, "two", {"three": 3}]),
            json!("scalar"),
            json!(null),
        ];
        for a in &values {
            for b in &values {
                let mut want = Vec::new();
                reference("", Some(a), Some(b), &mut want);
                assert_eq!(diff(a, b), want, "{a} -> {b}");
                let mut want = Vec::new();
                reference("spec", a.get("spec"), b.get("spec"), &mut want);
                assert_eq!(diff_at("spec", a.get("spec"), b.get("spec")), want, "{a} -> {b}");
            }
        }
    }

    #[test]
    fn sync_makes_the_copy_equal() {
        let values = [
            json!({"metadata": {"name": "x", "labels": {"a": "1"}}, "spec": {"list": [1, {"b": 2}, 3], "n": null}}),
            json!({"metadata": {"name": "y"}, "spec": {"list": [1, {"b": 3}], "m": {"c": [true]}}, "status": {}}),
            json!({"spec": {"list": [0, {"b": 2}, 3, 4, 5]}}),
            json!([1, "two", {"three": 3}]),
            json!("scalar"),
            json!(null),
        ];
        for a in &values {
            for b in &values {
                let mut copy = a.clone();
                sync(&mut copy, b);
                assert_eq!(&copy, b, "{a} -> {b}");
            }
        }
    }
}
