//! kubectl's `NamespaceDescriber`: status (with the namespace controller's deletion conditions
//! while it terminates), resource quotas and limit ranges.

use serde_json::Value;
use super::fields::{annotations_multiline, arr, labels_multiline, rfc1123z, s, string_map};
use super::policy::limit_range_items;
use super::Related;
use super::tabwriter::PrefixWriter;

pub(super) fn namespace(w: &mut PrefixWriter, ns: &Value, related: &Related) {
    w.write(0, &format!("Name:\t{}\n", s(ns, &["metadata", "name"])));
    labels_multiline(w, "", "Labels", &ns["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &ns["metadata"]["annotations"]);
    w.write(0, &format!("Status:\t{}\n", s(ns, &["status", "phase"])));
    let conditions = arr(ns, &["status", "conditions"]);
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n");
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
        w.write(1, "----\t------\t------------------\t------\t-------\n");
        for c in conditions {
            let field = |f: &str| c[f].as_str().unwrap_or("");
            let row = [field("type"), field("status"), &rfc1123z(field("lastTransitionTime")), field("reason"), field("message")].join("\t");
            w.write(1, &format!("{row}\n"));
        }
    }
    w.write(0, "\n");
    if related.quotas.is_empty() {
        w.write(0, "No resource quota.\n");
    } else {
        w.write(0, "Resource Quotas\n");
        for q in &related.quotas {
            w.write(1, &format!("Name:\t{}\n", s(q, &["metadata", "name"])));
            w.write(1, "Resource\tUsed\tHard\n");
            w.write(1, "--------\t---\t---\n");
            let mut hard = string_map(&q["status"]["hard"]);
            if hard.is_empty() {
                hard = string_map(&q["spec"]["hard"]);
            }
            hard.sort();
            for (k, v) in hard {
                w.write(1, &format!("{k}\t{}\t{v}\n", q["status"]["used"][&k].as_str().unwrap_or("0")));
            }
        }
    }
    w.write(0, "\n");
    if related.limit_ranges.is_empty() {
        w.write(0, "No LimitRange resource.\n");
    } else {
        w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
        w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
        for lr in &related.limit_ranges {
            limit_range_items(w, lr, " ");
        }
    }
}
