//! kubectl's storage describers. `PersistentVolumeClaimDescriber`: `printPersistentVolumeClaim`
//! (class, phase, the bound volume, finalizers, the bound capacity and access modes), the pods
//! using the claim, its conditions. `describePersistentVolume`: class, phase, claim, reclaim
//! policy, capacity, node affinity and the `Source:` block of the volume's type.
//! `describeStorageClass`: the default-class flag, provisioner, parameters and binding mode.

use super::fields::{annotations_multiline, arr, floor_char_boundary, format_labels, go_strings, labels_multiline, quantity_string, rfc1123z, s, since, string_map};
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

/// `describePersistentVolume`.
pub(super) fn persistent_volume(w: &mut PrefixWriter, pv: &Value, now: Time) {
    let (spec, meta) = (&pv["spec"], &pv["metadata"]);
    w.write(0, &format!("Name:\t{}\n", s(meta, &["name"])));
    labels_multiline(w, "", "Labels", &meta["labels"]);
    annotations_multiline(w, "Annotations", &meta["annotations"]);
    w.write(0, &format!("Finalizers:\t{}\n", go_strings(arr(meta, &["finalizers"]))));
    // `GetPersistentVolumeClass`: the beta annotation, when present, wins.
    let class = meta["annotations"]["volume.beta.kubernetes.io/storage-class"].as_str().unwrap_or_else(|| s(spec, &["storageClassName"]));
    w.write(0, &format!("StorageClass:\t{class}\n"));
    match meta["deletionTimestamp"].as_str() {
        Some(ts) => w.write(0, &format!("Status:\tTerminating (lasts {})\n", since(ts, now))),
        None => w.write(0, &format!("Status:\t{}\n", s(pv, &["status", "phase"]))),
    }
    let claim = if spec["claimRef"].is_object() { format!("{}/{}", s(spec, &["claimRef", "namespace"]), s(spec, &["claimRef", "name"])) } else { String::new() };
    w.write(0, &format!("Claim:\t{claim}\n"));
    w.write(0, &format!("Reclaim Policy:\t{}\n", s(spec, &["persistentVolumeReclaimPolicy"])));
    w.write(0, &format!("Access Modes:\t{}\n", access_modes(arr(spec, &["accessModes"]))));
    if let Some(mode) = spec["volumeMode"].as_str() {
        w.write(0, &format!("VolumeMode:\t{mode}\n"));
    }
    w.write(0, &format!("Capacity:\t{}\n", quantity_string(&spec["capacity"]["storage"])));
    volume_node_affinity(w, &spec["nodeAffinity"]);
    w.write(0, &format!("Message:\t{}\n", s(pv, &["status", "message"])));
    w.write(0, "Source:\n");
    volume_source(w, spec);
}

/// `printVolumeNodeAffinity`: each required term's expressions as `key op [values]`.
fn volume_node_affinity(w: &mut PrefixWriter, affinity: &Value) {
    w.write(0, "Node Affinity:\t");
    if !affinity["required"].is_object() {
        w.write(0, "<none>\n");
        return;
    }
    w.write(0, "\n");
    w.write(1, "Required Terms:\t");
    let terms = arr(affinity, &["required", "nodeSelectorTerms"]);
    if terms.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    w.write(0, "\n");
    for (i, term) in terms.iter().enumerate() {
        let exprs: Vec<String> = arr(term, &["matchExpressions"]).iter().map(|r| requirement(r, &s(r, &["operator"]).to_lowercase())).collect();
        terms_multiline(w, 2, &format!("Term {i}"), &exprs);
    }
}

/// `key op [v1, v2]` (no brackets without values).
fn requirement(req: &Value, op: &str) -> String {
    let values: Vec<&str> = arr(req, &["values"]).iter().filter_map(Value::as_str).collect();
    let expr = format!("{} {op}", s(req, &["key"]));
    if values.is_empty() {
        expr
    } else {
        format!("{expr} [{}]", values.join(", "))
    }
}

/// `printNodeSelectorTermsMultilineWithIndent` / `printTopologySelectorTermsMultilineWithIndent`.
fn terms_multiline(w: &mut PrefixWriter, level: usize, title: &str, exprs: &[String]) {
    w.write(level, &format!("{title}:\t"));
    if exprs.is_empty() {
        w.write(0, "<none>\n");
    }
    for (i, expr) in exprs.iter().enumerate() {
        if i != 0 {
            w.write(level, "\t");
        }
        w.write(0, &format!("{expr}\n"));
    }
}

/// The `Source:` block: kubectl's `print*VolumeSource` for the volume types this cluster's
/// volumes use (and a few common ones); `<unknown>` for the rest.
fn volume_source(w: &mut PrefixWriter, spec: &Value) {
    let text = |src: &str, f: &str| s(spec, &[src, f]).to_string();
    let flag = |src: &str, f: &str| spec[src][f].as_bool().unwrap_or(false);
    let number = |src: &str, f: &str| spec[src][f].as_i64().unwrap_or(0);
    let lines: Vec<String> = if spec["hostPath"].is_object() {
        let kind = spec["hostPath"]["type"].as_str().unwrap_or("<none>");
        vec!["Type:\tHostPath (bare host directory volume)".into(), format!("Path:\t{}", text("hostPath", "path")), format!("HostPathType:\t{kind}")]
    } else if spec["gcePersistentDisk"].is_object() {
        let g = "gcePersistentDisk";
        vec![
            "Type:\tGCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)".into(),
            format!("PDName:\t{}", text(g, "pdName")),
            format!("FSType:\t{}", text(g, "fsType")),
            format!("Partition:\t{}", number(g, "partition")),
            format!("ReadOnly:\t{}", flag(g, "readOnly")),
        ]
    } else if spec["awsElasticBlockStore"].is_object() {
        let a = "awsElasticBlockStore";
        vec![
            "Type:\tAWSElasticBlockStore (a Persistent Disk resource in AWS)".into(),
            format!("VolumeID:\t{}", text(a, "volumeID")),
            format!("FSType:\t{}", text(a, "fsType")),
            format!("Partition:\t{}", number(a, "partition")),
            format!("ReadOnly:\t{}", flag(a, "readOnly")),
        ]
    } else if spec["nfs"].is_object() {
        vec![
            "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)".into(),
            format!("Server:\t{}", text("nfs", "server")),
            format!("Path:\t{}", text("nfs", "path")),
            format!("ReadOnly:\t{}", flag("nfs", "readOnly")),
        ]
    } else if spec["local"].is_object() {
        vec!["Type:\tLocalVolume (a persistent volume backed by local storage on a node)".into(), format!("Path:\t{}", text("local", "path"))]
    } else if spec["fc"].is_object() {
        let wwns: Vec<&str> = arr(spec, &["fc", "targetWWNs"]).iter().filter_map(Value::as_str).collect();
        let lun = spec["fc"]["lun"].as_i64().map_or("<none>".to_string(), |l| l.to_string());
        vec![
            "Type:\tFC (a Fibre Channel disk)".into(),
            format!("TargetWWNs:\t{}", wwns.join(", ")),
            format!("LUN:\t{lun}"),
            format!("FSType:\t{}", text("fc", "fsType")),
            format!("ReadOnly:\t{}", flag("fc", "readOnly")),
        ]
    } else if spec["csi"].is_object() {
        vec![
            "Type:\tCSI (a Container Storage Interface (CSI) volume source)".into(),
            format!("Driver:\t{}", text("csi", "driver")),
            format!("FSType:\t{}", text("csi", "fsType")),
            format!("VolumeHandle:\t{}", text("csi", "volumeHandle")),
            format!("ReadOnly:\t{}", flag("csi", "readOnly")),
        ]
    } else {
        w.write(1, "<unknown>\n");
        return;
    };
    for line in &lines {
        w.write(2, &format!("{line}\n"));
    }
    if lines[0].starts_with("Type:\tCSI ") {
        csi_attributes(w, &spec["csi"]["volumeAttributes"]);
    }
}

/// `printCSIPersistentVolumeAttributesMultiline`: `key=value` lines cut at 140 bytes; kubectl
/// writes each at level 2, so every line after the title carries two more levels of indent.
fn csi_attributes(w: &mut PrefixWriter, attributes: &Value) {
    const MAX: usize = 140;
    w.write(2, "VolumeAttributes:\t");
    let attributes = string_map(attributes);
    if attributes.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    for (i, (k, v)) in attributes.iter().enumerate() {
        if i != 0 {
            w.write(2, "");
            w.write(2, "\t");
        }
        let line = format!("{k}={v}");
        let line = if line.len() > MAX { format!("{}...", &line[..floor_char_boundary(&line, MAX)]) } else { line };
        w.write(2, &format!("{line}\n"));
    }
}

/// `describeStorageClass`.
pub(super) fn storage_class(w: &mut PrefixWriter, sc: &Value) {
    let annotations = &sc["metadata"]["annotations"];
    w.write(0, &format!("Name:\t{}\n", s(sc, &["metadata", "name"])));
    // `IsDefaultAnnotationText`.
    let default = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"].iter().any(|k| annotations[*k].as_str() == Some("true"));
    w.write(0, &format!("IsDefaultClass:\t{}\n", if default { "Yes" } else { "No" }));
    w.write(0, &format!("Annotations:\t{}\n", format_labels(annotations)));
    w.write(0, &format!("Provisioner:\t{}\n", s(sc, &["provisioner"])));
    w.write(0, &format!("Parameters:\t{}\n", format_labels(&sc["parameters"])));
    // `printBoolPtr`.
    let expansion = match sc["allowVolumeExpansion"].as_bool() {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    w.write(0, &format!("AllowVolumeExpansion:\t{expansion}\n"));
    let options = arr(sc, &["mountOptions"]);
    if options.is_empty() {
        w.write(0, "MountOptions:\t<none>\n");
    } else {
        w.write(0, "MountOptions:\n");
        for o in options {
            w.write(1, &format!("{}\n", o.as_str().unwrap_or("")));
        }
    }
    if let Some(p) = sc["reclaimPolicy"].as_str() {
        w.write(0, &format!("ReclaimPolicy:\t{p}\n"));
    }
    if let Some(m) = sc["volumeBindingMode"].as_str() {
        w.write(0, &format!("VolumeBindingMode:\t{m}\n"));
    }
    if let Some(topologies) = sc["allowedTopologies"].as_array() {
        // `printAllowedTopologies`.
        w.write(0, "AllowedTopologies:\t");
        w.write(0, if topologies.is_empty() { "<none>\n" } else { "\n" });
        for (i, term) in topologies.iter().enumerate() {
            let exprs: Vec<String> = arr(term, &["matchLabelExpressions"]).iter().map(|r| requirement(r, "in")).collect();
            terms_multiline(w, 1, &format!("Term {i}"), &exprs);
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
    use super::*;
    use crate::cli::printers::parse_time;
    use serde_json::json;

    fn at(ts: &str) -> Time {
        Time(parse_time(ts).unwrap() as u64)
    }

    #[test]
    fn csi_volume_with_node_affinity_and_attributes() {
        let pv = json!({
            "metadata": {"name": "csi-pv", "finalizers": ["kubernetes.io/pv-protection"]},
            "spec": {
                "storageClassName": "fast", "capacity": {"storage": "5120Mi"}, "accessModes": ["ReadOnlyMany", "ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Delete",
                "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1", "fsType": "ext4", "volumeAttributes": {"b": "2", "a": "1"}},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "zone", "operator": "In", "values": ["a", "b"]}, {"key": "gpu", "operator": "Exists"}
                ]}]}}
            },
            "status": {"phase": "Available"}
        });
        let mut w = PrefixWriter::default();
        persistent_volume(&mut w, &pv, at("2026-01-01T00:00:00Z"));
        // The attribute lines are written at level 2 after a level-2 title, hence the indents.
        let expected = [
            "Name:              csi-pv\n",
            "Labels:            <none>\n",
            "Annotations:       <none>\n",
            "Finalizers:        [kubernetes.io/pv-protection]\n",
            "StorageClass:      fast\n",
            "Status:            Available\n",
            "Claim:             \n",
            "Reclaim Policy:    Delete\n",
            "Access Modes:      RWO,ROX\n",
            "Capacity:          5Gi\n",
            "Node Affinity:     \n",
            "  Required Terms:  \n",
            "    Term 0:        zone in [a, b]\n",
            "                   gpu exists\n",
            "Message:           \n",
            "Source:\n",
            "    Type:              CSI (a Container Storage Interface (CSI) volume source)\n",
            "    Driver:            ebs.csi.aws.com\n",
            "    FSType:            ext4\n",
            "    VolumeHandle:      vol-1\n",
            "    ReadOnly:          false\n",
            "    VolumeAttributes:      a=1\n",
            "                           b=2\n",
        ];
        assert_eq!(w.finish(), expected.concat());
    }

    #[test]
    fn terminating_local_volume_bound_to_a_claim() {
        let pv = json!({
            "metadata": {"name": "local-pv", "deletionTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {
                "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Retain",
                "claimRef": {"namespace": "default", "name": "data"},
                "local": {"path": "/mnt/disks/ssd1"},
                "nodeAffinity": {"required": {"nodeSelectorTerms": []}}
            },
            "status": {"phase": "Bound"}
        });
        let mut w = PrefixWriter::default();
        persistent_volume(&mut w, &pv, at("2026-01-01T00:00:05Z"));
        let expected = [
            "Name:              local-pv\n",
            "Labels:            <none>\n",
            "Annotations:       <none>\n",
            "Finalizers:        []\n",
            "StorageClass:      \n",
            "Status:            Terminating (lasts 5s)\n",
            "Claim:             default/data\n",
            "Reclaim Policy:    Retain\n",
            "Access Modes:      RWO\n",
            "Capacity:          0\n",
            "Node Affinity:     \n",
            "  Required Terms:  <none>\n",
            "Message:           \n",
            "Source:\n",
            "    Type:  LocalVolume (a persistent volume backed by local storage on a node)\n",
            "    Path:  /mnt/disks/ssd1\n",
        ];
        assert_eq!(w.finish(), expected.concat());
    }

    #[test]
    fn volume_sources() {
        let source = |spec: Value| {
            let mut w = PrefixWriter::default();
            volume_source(&mut w, &spec);
            w.finish()
        };
        assert_eq!(
            source(json!({"hostPath": {"path": "/mnt/data"}})),
            "    Type:          HostPath (bare host directory volume)\n    Path:          /mnt/data\n    HostPathType:  <none>\n"
        );
        assert_eq!(
            source(json!({"nfs": {"server": "10.0.0.2", "path": "/exports", "readOnly": true}})),
            "    Type:      NFS (an NFS mount that lasts the lifetime of a pod)\n    Server:    10.0.0.2\n    Path:      /exports\n    ReadOnly:  true\n"
        );
        assert_eq!(source(json!({"csi": {"driver": "d", "volumeHandle": "h"}})).lines().last(), Some("    VolumeAttributes:  <none>"));
        assert_eq!(source(json!({"iscsi": {}})), "  <unknown>\n");
    }

    #[test]
    fn storage_class_with_mount_options_and_topologies() {
        let sc = json!({
            "metadata": {"name": "fast", "annotations": {"storageclass.beta.kubernetes.io/is-default-class": "false", "a": "b"}},
            "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3"}, "allowVolumeExpansion": true,
            "mountOptions": ["debug"], "reclaimPolicy": "Retain", "volumeBindingMode": "Immediate",
            "allowedTopologies": [
                {"matchLabelExpressions": [{"key": "topology.kubernetes.io/zone", "values": ["us-east-1a", "us-east-1b"]}, {"key": "arch"}]},
                {}
            ]
        });
        let mut w = PrefixWriter::default();
        storage_class(&mut w, &sc);
        let expected = [
            "Name:                  fast\n",
            "IsDefaultClass:        No\n",
            "Annotations:           a=b,storageclass.beta.kubernetes.io/is-default-class=false\n",
            "Provisioner:           ebs.csi.aws.com\n",
            "Parameters:            type=gp3\n",
            "AllowVolumeExpansion:  True\n",
            "MountOptions:\n",
            "  debug\n",
            "ReclaimPolicy:      Retain\n",
            "VolumeBindingMode:  Immediate\n",
            "AllowedTopologies:  \n",
            "  Term 0:           topology.kubernetes.io/zone in [us-east-1a, us-east-1b]\n",
            "                    arch in\n",
            "  Term 1:           <none>\n",
        ];
        assert_eq!(w.finish(), expected.concat());
    }

    #[test]
    fn access_modes_in_kubectls_order() {
        assert_eq!(access_modes(json!(["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"]).as_array().unwrap()), "RWO,RWX");
        assert_eq!(access_modes(&[]), "");
    }
}
