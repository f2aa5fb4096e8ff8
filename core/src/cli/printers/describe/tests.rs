//! Tests of the tabwriter and the shared field formats.

use super::generic::smart_label;
use super::*;

/// What a describer writes for `obj`, tab-aligned as kubectl prints it.
pub(super) fn text(f: fn(&mut PrefixWriter, &Value), obj: &Value) -> String {
    let mut w = PrefixWriter::default();
    f(&mut w, obj);
    w.finish()
}

#[test]
fn tabwriter_aligns_blocks_of_consecutive_lines() {
    let text = "Name:\tweb\nNamespace:\tdefault\nPod Template:\n  Labels:\tapp=web\n  Containers:\n";
    assert_eq!(tabwrite(text, 0, 2), "Name:       web\nNamespace:  default\nPod Template:\n  Labels:  app=web\n  Containers:\n");
    // A cell in the second column aligns only with the lines around it that have one.
    let t = "a:\tx\tyy\nbbb:\tz\tw\n";
    assert_eq!(tabwrite(t, 0, 2), "a:    x  yy\nbbb:  z  w\n");
}

#[test]
fn labels_and_times() {
    assert_eq!(smart_label("creationTimestamp"), "Creation Timestamp");
    assert_eq!(smart_label("apiVersion"), "API Version");
    assert_eq!(smart_label("uid"), "UID");
    assert_eq!(smart_label("podCIDRs"), "Pod CID Rs");
    assert_eq!(rfc1123z("2026-01-01T00:00:05Z"), "Thu, 01 Jan 2026 00:00:05 +0000");
    assert_eq!(rfc1123z("2026-03-02T10:20:30Z"), "Mon, 02 Mar 2026 10:20:30 +0000");
    assert_eq!(format_selector(&serde_json::json!({"matchLabels": {"app": "web"}})), "app=web");
}
