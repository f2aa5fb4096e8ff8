//! kubectl's `GenericDescriber` for kinds without their own: the object's fields printed by
//! `printUnstructuredContent`, with labels made readable by `smartLabelFor`.

use crate::cli::printers::jsonpath::go_value;
use serde_json::{Map, Value};
use super::fields::{annotations_multiline, labels_multiline, s};
use super::tabwriter::PrefixWriter;

pub(super) fn generic(w: &mut PrefixWriter, obj: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(obj, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(obj, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", &obj["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &obj["metadata"]["annotations"]);
    let skip = [".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations"];
    if let Some(m) = obj.as_object() {
        unstructured(w, 0, m, "", &skip);
    }
}

/// `printUnstructuredContent`: fields sorted, nested objects indented, labels made readable.
pub(super) fn unstructured(w: &mut PrefixWriter, level: usize, content: &Map<String, Value>, prefix: &str, skip: &[&str]) {
    for (field, value) in content {
        let path = format!("{prefix}.{field}");
        if skip.contains(&path.as_str()) {
            continue;
        }
        match value {
            Value::Object(m) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                unstructured(w, level + 1, m, &path, skip);
            }
            Value::Array(items) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                for item in items {
                    match item {
                        Value::Object(m) => unstructured(w, level + 1, m, &path, skip),
                        other => w.write(level + 1, &format!("{}\n", go_value(other))),
                    }
                }
            }
            other => w.write(level, &format!("{}:\t{}\n", smart_label(field), go_value(other))),
        }
    }
}

/// `smartLabelFor`: `creationTimestamp` -> `Creation Timestamp`, `apiVersion` -> `API Version`.
pub(super) fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    // camelcase.Split: a new word at a lower-to-upper change, and before the last capital of a
    // run of capitals followed by a lower-case letter.
    let chars: Vec<char> = field.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = match prev {
            Some(p) => (p.is_lowercase() && c.is_uppercase()) || (p.is_uppercase() && c.is_uppercase() && next.is_some_and(|n| n.is_lowercase())) || (p == '-') != (c == '-'),
            None => false,
        };
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
        .into_iter()
        .map(|w| {
            let upper = w.to_uppercase();
            if ["API", "URL", "UID", "OSB", "GUID"].contains(&upper.as_str()) {
                upper
            } else {
                let mut cs = w.chars();
                cs.next().map(|f| f.to_uppercase().chain(cs).collect()).unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
