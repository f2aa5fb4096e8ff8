//! kubectl's `DeploymentDescriber` (replicas, strategy, the pod template, the old and new
//! ReplicaSets), `ReplicaSetDescriber` (replicas and the pods' phases) and
//! `ReplicationControllerDescriber`.

use serde_json::Value;
use super::fields::{annotations_multiline, arr, conditions_type_status_reason, controlled_by, format_selector, int_or_string, labels_multiline, n, rfc1123z, s};
use super::Related;
use super::pod::pod_template;
use super::tabwriter::PrefixWriter;

pub(super) fn deployment(w: &mut PrefixWriter, d: &Value, related: &Related) {
    let (spec, status) = (&d["spec"], &d["status"]);
    w.write(0, &format!("Name:\t{}\n", s(d, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(d, &["metadata", "namespace"])));
    w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(s(d, &["metadata", "creationTimestamp"]))));
    labels_multiline(w, "", "Labels", &d["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &d["metadata"]["annotations"]);
    w.write(0, &format!("Selector:\t{}\n", format_selector(&spec["selector"])));
    w.write(
        0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            spec["replicas"].as_i64().unwrap_or(1),
            n(status, &["updatedReplicas"]),
            n(status, &["replicas"]),
            n(status, &["availableReplicas"]),
            n(status, &["unavailableReplicas"])
        ),
    );
    w.write(0, &format!("StrategyType:\t{}\n", s(spec, &["strategy", "type"])));
    w.write(0, &format!("MinReadySeconds:\t{}\n", n(spec, &["minReadySeconds"])));
    let ru = &spec["strategy"]["rollingUpdate"];
    if !ru.is_null() {
        w.write(
            0,
            &format!("RollingUpdateStrategy:\t{} max unavailable, {} max surge\n", int_or_string(&ru["maxUnavailable"], "0"), int_or_string(&ru["maxSurge"], "0")),
        );
    }
    pod_template(w, &spec["template"]);
    conditions_type_status_reason(w, d);
    let uid = s(d, &["metadata", "uid"]);
    let owned: Vec<&Value> = related
        .replicasets
        .iter()
        .filter(|rs| arr(rs, &["metadata", "ownerReferences"]).iter().any(|r| r["controller"].as_bool() == Some(true) && s(r, &["uid"]) == uid))
        .collect();
    let strip_hash = |t: &Value| {
        let mut t = t.clone();
        if let Some(l) = t["metadata"]["labels"].as_object_mut() {
            l.remove("pod-template-hash");
        }
        t
    };
    let template = strip_hash(&spec["template"]);
    let (new, old): (Vec<&Value>, Vec<&Value>) = owned.into_iter().partition(|rs| strip_hash(&rs["spec"]["template"]) == template);
    let new = new.into_iter().take(1).collect::<Vec<_>>();
    if !old.is_empty() || !new.is_empty() {
        let list = |rss: &[&Value]| {
            let parts: Vec<String> = rss
                .iter()
                .map(|rs| format!("{} ({}/{} replicas created)", s(rs, &["metadata", "name"]), n(rs, &["status", "replicas"]), rs["spec"]["replicas"].as_i64().unwrap_or(1)))
                .collect();
            if parts.is_empty() {
                "<none>".to_string()
            } else {
                parts.join(", ")
            }
        };
        w.write(0, &format!("OldReplicaSets:\t{}\n", list(&old)));
        w.write(0, &format!("NewReplicaSet:\t{}\n", list(&new)));
    }
}

pub(super) fn replicaset(w: &mut PrefixWriter, rs: &Value, related: &Related) {
    w.write(0, &format!("Name:\t{}\n", s(rs, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(rs, &["metadata", "namespace"])));
    w.write(0, &format!("Selector:\t{}\n", format_selector(&rs["spec"]["selector"])));
    labels_multiline(w, "", "Labels", &rs["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &rs["metadata"]["annotations"]);
    if let Some(c) = controlled_by(rs) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    w.write(0, &format!("Replicas:\t{} current / {} desired\n", n(rs, &["status", "replicas"]), rs["spec"]["replicas"].as_i64().unwrap_or(1)));
    let count = |phase: &str| related.pods.iter().filter(|p| s(p, &["status", "phase"]) == phase).count();
    w.write(0, "Pods Status:\t");
    w.write(0, &format!("{} Running / {} Waiting / {} Succeeded / {} Failed\n", count("Running"), count("Pending"), count("Succeeded"), count("Failed")));
    pod_template(w, &rs["spec"]["template"]);
    conditions_type_status_reason(w, rs);
}

/// `describeReplicationController`: as a ReplicaSet's, with its selector a plain map of labels
/// (`labels.FormatLabels`) and no "Controlled By" line.
pub(super) fn replication_controller(w: &mut PrefixWriter, rc: &Value, related: &Related) {
    w.write(0, &format!("Name:\t{}\n", s(rc, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(rc, &["metadata", "namespace"])));
    w.write(0, &format!("Selector:\t{}\n", format_selector(&serde_json::json!({"matchLabels": rc["spec"]["selector"]}))));
    labels_multiline(w, "", "Labels", &rc["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &rc["metadata"]["annotations"]);
    w.write(0, &format!("Replicas:\t{} current / {} desired\n", n(rc, &["status", "replicas"]), rc["spec"]["replicas"].as_i64().unwrap_or(1)));
    let count = |phase: &str| related.pods.iter().filter(|p| s(p, &["status", "phase"]) == phase).count();
    w.write(0, &format!("Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n", count("Running"), count("Pending"), count("Succeeded"), count("Failed")));
    pod_template(w, &rc["spec"]["template"]);
    conditions_type_status_reason(w, rc);
}
