//! kubectl's `StatefulSetDescriber` (replicas, update strategy, the pods' phases, the pod and
//! volume claim templates) and `DaemonSetDescriber` (the scheduling counts and the pods' phases).

use super::fields::{annotations_multiline, format_labels, labels_multiline, n, pod_phase_counts, rfc1123z, s, selector_string};
use super::pod::pod_template;
use super::tabwriter::PrefixWriter;
use super::Related;
use serde_json::Value;

pub(super) fn statefulset(w: &mut PrefixWriter, ss: &Value, related: &Related) {
    let spec = &ss["spec"];
    w.write(0, &format!("Name:\t{}\n", s(ss, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(ss, &["metadata", "namespace"])));
    w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(s(ss, &["metadata", "creationTimestamp"]))));
    w.write(0, &format!("Selector:\t{}\n", selector_string(&spec["selector"])));
    labels_multiline(w, "", "Labels", &ss["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &ss["metadata"]["annotations"]);
    w.write(0, &format!("Replicas:\t{} desired | {} total\n", spec["replicas"].as_i64().unwrap_or(1), n(ss, &["status", "replicas"])));
    w.write(0, &format!("Update Strategy:\t{}\n", s(spec, &["updateStrategy", "type"])));
    let ru = &spec["updateStrategy"]["rollingUpdate"];
    if let Some(p) = ru["partition"].as_i64() {
        w.write(1, &format!("Partition:\t{p}\n"));
        if let Some(mu) = ru["maxUnavailable"].as_i64().map(|x| x.to_string()).or_else(|| ru["maxUnavailable"].as_str().map(str::to_string)) {
            w.write(1, &format!("MaxUnavailable:\t{mu}\n"));
        }
    }
    w.write(0, &format!("Pods Status:\t{}\n", pod_phase_counts(&related.pods)));
    pod_template(w, &spec["template"]);
    // `describeVolumeClaimTemplates`.
    let templates = spec["volumeClaimTemplates"].as_array().map_or(&[][..], Vec::as_slice);
    if templates.is_empty() {
        w.write(0, "Volume Claims:\t<none>\n");
    } else {
        w.write(0, "Volume Claims:\n");
    }
    for pvc in templates {
        w.write(1, &format!("Name:\t{}\n", s(pvc, &["metadata", "name"])));
        w.write(1, &format!("StorageClass:\t{}\n", claim_class(pvc)));
        labels_multiline(w, "  ", "Labels", &pvc["metadata"]["labels"]);
        labels_multiline(w, "  ", "Annotations", &pvc["metadata"]["annotations"]);
        match pvc["spec"]["resources"]["requests"]["storage"].as_str() {
            Some(c) => w.write(1, &format!("Capacity:\t{c}\n")),
            None => w.write(1, "Capacity:\t<default>\n"),
        }
        let modes: Vec<&str> = pvc["spec"]["accessModes"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        w.write(1, &format!("Access Modes:\t[{}]\n", modes.join(" ")));
    }
}

/// `storageutil.GetPersistentVolumeClaimClass`: the beta annotation first, then the field.
fn claim_class(pvc: &Value) -> &str {
    pvc["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"].as_str().unwrap_or_else(|| s(pvc, &["spec", "storageClassName"]))
}

pub(super) fn daemonset(w: &mut PrefixWriter, ds: &Value, related: &Related) {
    let (spec, status) = (&ds["spec"], &ds["status"]);
    w.write(0, &format!("Name:\t{}\n", s(ds, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(ds, &["metadata", "namespace"])));
    w.write(0, &format!("Selector:\t{}\n", selector_string(&spec["selector"])));
    w.write(0, &format!("Node-Selector:\t{}\n", format_labels(&spec["template"]["spec"]["nodeSelector"])));
    labels_multiline(w, "", "Labels", &ds["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &ds["metadata"]["annotations"]);
    // These five lines have no tab in kubectl, so they stand outside the aligned columns.
    w.write(0, &format!("Desired Number of Nodes Scheduled: {}\n", n(status, &["desiredNumberScheduled"])));
    w.write(0, &format!("Current Number of Nodes Scheduled: {}\n", n(status, &["currentNumberScheduled"])));
    w.write(0, &format!("Number of Nodes Scheduled with Up-to-date Pods: {}\n", n(status, &["updatedNumberScheduled"])));
    w.write(0, &format!("Number of Nodes Scheduled with Available Pods: {}\n", n(status, &["numberAvailable"])));
    w.write(0, &format!("Number of Nodes Misscheduled: {}\n", n(status, &["numberMisscheduled"])));
    w.write(0, &format!("Pods Status:\t{}\n", pod_phase_counts(&related.pods)));
    pod_template(w, &spec["template"]);
}
