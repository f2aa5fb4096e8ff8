//! kubectl's `PersistentVolumeClaimDescriber`: `printPersistentVolumeClaim` (class, phase, the
//! bound volume, finalizers, the bound capacity and access modes), the pods using the claim, its
//! conditions.

use super::fields::{annotations_multiline, arr, labels_multiline, rfc1123z, s, since};
use super::tabwriter::PrefixWriter;
use super::Related;
use crate::sim::Time;
use serde_json::Value;

pub(super) fn persistent_volume_claim(w: &mut PrefixWriter, pvc: &Value, related: &Related, now: Time) {
    let (spec, status) = (&pvc["spec"], &pvc["status"]);
    w.write(0, &format!("Name:\t{}\n", s(pvc, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(pvc, &["metadata", "namespace"])));
    let class = pvc["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"].as_str().unwrap_or_else(|| s(spec, &["storageClassName"]));
    w.write(0, &format!("StorageClass:\t{class}\n"));
    match pvc["metadata"]["deletionTimestamp"].as_str() {
        Some(ts) => w.write(0, &format!("Status:\tTerminating (lasts {})\n", since(ts, now))),
        None => w.write(0, &format!("Status:\t{}\n", s(status, &["phase"]))),
    }
    let volume = s(spec, &["volumeName"]);
    w.write(0, &format!("Volume:\t{volume}\n"));
    labels_multiline(w, "", "Labels", &pvc["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &pvc["metadata"]["annotations"]);
    // `%v` of a []string.
    let finalizers: Vec<&str> = arr(pvc, &["metadata", "finalizers"]).iter().filter_map(Value::as_str).collect();
    w.write(0, &format!("Finalizers:\t[{}]\n", finalizers.join(" ")));
    // Capacity and access modes are the bound volume's, blank until the claim is bound.
    let (capacity, modes) = if volume.is_empty() { (String::new(), String::new()) } else { (s(status, &["capacity", "storage"]).to_string(), access_modes(arr(status, &["accessModes"]))) };
    w.write(0, &format!("Capacity:\t{capacity}\n"));
    w.write(0, &format!("Access Modes:\t{modes}\n"));
    if let Some(m) = spec["volumeMode"].as_str() {
        w.write(0, &format!("VolumeMode:\t{m}\n"));
    }
    let ds = &spec["dataSource"];
    if ds.is_object() {
        w.write(0, "DataSource:\n");
        if let Some(g) = ds["apiGroup"].as_str() {
            w.write(1, &format!("APIGroup:\t{g}\n"));
        }
        w.write(1, &format!("Kind:\t{}\n", s(ds, &["kind"])));
        w.write(1, &format!("Name:\t{}\n", s(ds, &["name"])));
    }
    // `printPodsMultiline`: the pods by name.
    let mut pods: Vec<&str> = related.pods.iter().map(|p| s(p, &["metadata", "name"])).collect();
    pods.sort_unstable();
    w.write(0, "Used By:\t");
    if pods.is_empty() {
        w.write(0, "<none>\n");
    }
    for (i, name) in pods.iter().enumerate() {
        if i > 0 {
            w.write(0, "\t");
        }
        w.write(0, &format!("{name}\n"));
    }
    let conditions = arr(status, &["conditions"]);
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n");
        w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    s(c, &["type"]),
                    s(c, &["status"]),
                    rfc1123z(s(c, &["lastProbeTime"])),
                    rfc1123z(s(c, &["lastTransitionTime"])),
                    s(c, &["reason"]),
                    s(c, &["message"])
                ),
            );
        }
    }
}

/// `GetAccessModesAsString`: each mode once, in the order RWO, ROX, RWX, RWOP.
fn access_modes(modes: &[Value]) -> String {
    let has = |m: &str| modes.iter().any(|x| x.as_str() == Some(m));
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(m, _)| has(m))
        .map(|(_, short)| *short)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::access_modes;
    use serde_json::json;

    #[test]
    fn access_modes_in_kubectls_order() {
        assert_eq!(access_modes(json!(["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"]).as_array().unwrap()), "RWO,RWX");
        assert_eq!(access_modes(&[]), "");
    }
}
