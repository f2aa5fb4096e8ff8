//! kubectl's `describeHorizontalPodAutoscalerV2`: the reference, each metric as
//! `current / target`, the replica bounds, the behavior when one is set, the target's current
//! and desired pods and the controller's conditions:
//!
//! ```text
//! Reference:                                             Deployment/php-apache
//! Metrics:                                               ( current / target )
//!   resource cpu on pods  (as a percentage of request):  300% (601m) / 50%
//! Min replicas:                                          1
//! Deployment pods:                                       1 current / 4 desired
//! ```

use super::fields::{annotations_multiline, arr, labels_multiline, n, rfc1123z, s};
use super::tabwriter::PrefixWriter;
use serde_json::Value;

/// A quantity as `Quantity.String()` prints it (kubeplay stores the canonical form already).
fn quantity(v: &Value) -> String {
    match v {
        Value::String(q) => q.clone(),
        Value::Number(num) => num.to_string(),
        _ => "<unknown>".into(),
    }
}

pub(super) fn hpa(w: &mut PrefixWriter, hpa: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(hpa, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(hpa, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", &hpa["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &hpa["metadata"]["annotations"]);
    w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(s(hpa, &["metadata", "creationTimestamp"]))));
    let target = &hpa["spec"]["scaleTargetRef"];
    w.write(0, &format!("Reference:\t{}/{}\n", s(target, &["kind"]), s(target, &["name"])));
    w.write(0, "Metrics:\t( current / target )\n");
    let current = arr(hpa, &["status", "currentMetrics"]);
    for (i, m) in arr(hpa, &["spec", "metrics"]).iter().enumerate() {
        let status = current.get(i).unwrap_or(&Value::Null);
        match s(m, &["type"]) {
            "Resource" | "ContainerResource" => {
                let field = if s(m, &["type"]) == "Resource" { "resource" } else { "containerResource" };
                let r = &m[field];
                if field == "resource" {
                    w.write(1, &format!("resource {} on pods", s(r, &["name"])));
                } else {
                    w.write(1, &format!("resource {} of container \"{}\" on pods", s(r, &["name"]), s(r, &["container"])));
                }
                let now = &status[field]["current"];
                if !r["target"]["averageValue"].is_null() {
                    let cur = if status[field].is_object() { quantity(&now["averageValue"]) } else { "<unknown>".into() };
                    w.write(0, &format!(":\t{cur} / {}\n", quantity(&r["target"]["averageValue"])));
                } else {
                    let cur = match now["averageUtilization"].as_i64() {
                        Some(u) => format!("{u}% ({})", quantity(&now["averageValue"])),
                        None => "<unknown>".into(),
                    };
                    let want = r["target"]["averageUtilization"].as_i64().map_or("<auto>".to_string(), |u| format!("{u}%"));
                    w.write(1, &format!("(as a percentage of request):\t{cur} / {want}\n"));
                }
            }
            "Pods" => {
                let cur = if status["pods"].is_object() { quantity(&status["pods"]["current"]["averageValue"]) } else { "<unknown>".into() };
                w.write(1, &format!("{:?} on pods:\t{cur} / {}\n", s(m, &["pods", "metric", "name"]), quantity(&m["pods"]["target"]["averageValue"])));
            }
            "Object" => {
                let o = &m["object"];
                w.write(1, &format!("\"{}\" on {}/{} ", s(o, &["metric", "name"]), s(o, &["describedObject", "kind"]), s(o, &["describedObject", "name"])));
                let (label, now, want) = if s(o, &["target", "type"]) == "AverageValue" {
                    ("(target average value)", &status["object"]["current"]["averageValue"], &o["target"]["averageValue"])
                } else {
                    ("(target value)", &status["object"]["current"]["value"], &o["target"]["value"])
                };
                let cur = if status["object"].is_object() { quantity(now) } else { "<unknown>".into() };
                w.write(0, &format!("{label}:\t{cur} / {}\n", quantity(want)));
            }
            "External" => {
                let e = &m["external"];
                let (label, now, want) = if !e["target"]["averageValue"].is_null() {
                    ("(target average value)", &status["external"]["current"]["averageValue"], &e["target"]["averageValue"])
                } else {
                    ("(target value)", &status["external"]["current"]["value"], &e["target"]["value"])
                };
                let cur = if status["external"].is_object() { quantity(now) } else { "<unknown>".into() };
                w.write(1, &format!("{:?} {label}:\t{cur} / {}\n", s(e, &["metric", "name"]), quantity(want)));
            }
            other => w.write(1, &format!("<unknown metric type {other:?}>\n")),
        }
    }
    let min = hpa["spec"]["minReplicas"].as_i64().map_or("<unset>".to_string(), |m| m.to_string());
    w.write(0, &format!("Min replicas:\t{min}\n"));
    w.write(0, &format!("Max replicas:\t{}\n", n(hpa, &["spec", "maxReplicas"])));
    let behavior = &hpa["spec"]["behavior"];
    if behavior.is_object() {
        w.write(0, "Behavior:\n");
        for (title, key) in [("Scale Up", "scaleUp"), ("Scale Down", "scaleDown")] {
            let rules = &behavior[key];
            if !rules.is_object() {
                continue;
            }
            w.write(1, &format!("{title}:\n"));
            if let Some(secs) = rules["stabilizationWindowSeconds"].as_i64() {
                w.write(2, &format!("Stabilization Window: {secs} seconds\n"));
            }
            let policies = arr(rules, &["policies"]);
            if !policies.is_empty() {
                let select = rules["selectPolicy"].as_str().unwrap_or("Max");
                w.write(2, &format!("Select Policy: {select}\n"));
                w.write(2, "Policies:\n");
                for p in policies {
                    w.write(3, &format!("- Type: {}\tValue: {}\tPeriod: {} seconds\n", s(p, &["type"]), n(p, &["value"]), n(p, &["periodSeconds"])));
                }
            }
        }
    }
    w.write(0, &format!("{} pods:\t", s(target, &["kind"])));
    w.write(0, &format!("{} current / {} desired\n", n(hpa, &["status", "currentReplicas"]), n(hpa, &["status", "desiredReplicas"])));
    let conditions = arr(hpa, &["status", "conditions"]);
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n");
        w.write(1, "Type\tStatus\tReason\tMessage\n");
        w.write(1, "----\t------\t------\t-------\n");
        for c in conditions {
            w.write(1, &format!("{}\t{}\t{}\t{}\n", s(c, &["type"]), s(c, &["status"]), s(c, &["reason"]), s(c, &["message"])));
        }
    }
}
