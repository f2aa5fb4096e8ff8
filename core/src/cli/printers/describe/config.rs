//! kubectl's `ConfigMapDescriber` (each key's data, binary data as sizes) and
//! `SecretDescriber` (type, and each key's size, never its value).

use serde_json::Value;
use super::fields::{annotations_multiline, labels_multiline, s, string_map};
use super::tabwriter::PrefixWriter;

pub(super) fn configmap(w: &mut PrefixWriter, cm: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(cm, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(cm, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", &cm["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &cm["metadata"]["annotations"]);
    w.write(0, "\nData\n====\n");
    for (k, v) in string_map(&cm["data"]) {
        w.write(0, &format!("{k}:\n----\n"));
        w.write(0, &format!("{v}\n"));
        w.write(0, "\n");
    }
    w.write(0, "\nBinaryData\n====\n");
    for (k, v) in string_map(&cm["binaryData"]) {
        w.write(0, &format!("{k}: {} bytes\n", decoded_len(&v)));
    }
    w.write(0, "\n");
}

/// The length of base64-encoded data once decoded.
pub(super) fn decoded_len(b64: &str) -> usize {
    let t = b64.trim_end_matches('=');
    t.len() * 3 / 4
}

pub(super) fn secret(w: &mut PrefixWriter, sec: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(sec, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(sec, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", &sec["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &sec["metadata"]["annotations"]);
    let ty = sec["type"].as_str().unwrap_or("Opaque");
    w.write(0, &format!("\nType:\t{ty}\n"));
    w.write(0, "\nData\n====\n");
    let mut data: Vec<(String, usize)> = string_map(&sec["data"]).into_iter().map(|(k, v)| (k, decoded_len(&v))).collect();
    // stringData is merged into data on write; count any that is still there as it would be.
    data.extend(string_map(&sec["stringData"]).into_iter().map(|(k, v)| (k, v.len())));
    data.sort();
    for (k, len) in data {
        w.write(0, &format!("{k}:\t{len} bytes\n"));
    }
}
