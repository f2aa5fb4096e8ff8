//! Whether the kubelet's volume manager can set up a pod's volumes on a kubeadm node, and the
//! `FailedMount` events it records when it cannot (`pkg/kubelet/volumemanager`).
//!
//! Three ways a volume stays unmounted, each keeping the pod in `ContainerCreating`:
//! - No plugin: the in-tree plugins removed from the kubelet (cephfs and rbd in 1.31, glusterfs in
//!   1.26, flocker, quobyte and storageos in 1.25, scaleIO, photon) and flexVolume, whose driver
//!   binary a kubeadm node does not have. The desired-state populator's `AddPodToVolume` fails
//!   with `failed to get Plugin from volumeSpec for volume "V" err=no volume plugin matched`, a pod
//!   error `WaitForAttachAndMount` returns at once, and `SyncPod` records `Unable to attach or
//!   mount volumes: unmounted volumes=[..], unattached volumes=[..], failed to process
//!   volumes=[..]: <the pod errors, sorted, joined by "; ">`.
//! - SetUp fails: a configMap or secret volume, or a projected volume's configMap and secret
//!   sources, naming an object that does not exist (and is not `optional`). The plugin's `SetUp`
//!   fails and the reconciler records `MountVolume.SetUp failed for volume "V" : <error>`; the
//!   projected plugin's `collectData` gathers one error per missing source into an aggregate
//!   (`[e1, e2]` when there are several, the error itself when one).
//! - Never attached: the in-tree volumes migrated to CSI (gcePersistentDisk, awsElasticBlockStore,
//!   azureDisk, azureFile, cinder, vsphereVolume, portworxVolume), whose CSI driver a kubeadm node
//!   does not run, and iscsi and fc, whose targets do not answer. The volume waits to be attached;
//!   `WaitForAttachAndMount` times out, and since 1.28 `SyncPod` records no event for a timeout.
//!   The attach/detach controller's `FailedAttachVolume` and the iscsi/fc `WaitForAttach` errors
//!   (texts from iscsiadm and the CSI attacher) are not modelled: such pods wait without events.
//!
//! hostPath, emptyDir, configMap, secret, downwardAPI, projected, persistentVolumeClaim, nfs,
//! local, image and csi volumes mount as before.

use super::config::ConfigObjects;
use serde_json::Value;

/// Volume sources no plugin of a kubeadm node's kubelet supports.
const NO_PLUGIN: [&str; 9] = ["cephfs", "rbd", "glusterfs", "flocker", "quobyte", "storageos", "scaleIO", "photonPersistentDisk", "flexVolume"];
/// Volume sources that wait for an attachment that never comes.
const NEVER_ATTACHED: [&str; 9] = ["gcePersistentDisk", "awsElasticBlockStore", "azureDisk", "azureFile", "cinder", "vsphereVolume", "portworxVolume", "iscsi", "fc"];

fn has_source(volume: &Value, sources: &[&str]) -> bool {
    sources.iter().any(|s| volume[*s].is_object())
}

fn optional(source: &Value) -> bool {
    source["optional"] == Value::Bool(true)
}

/// `SetUp`'s error for a volume whose ConfigMaps or Secrets are missing, worded as the
/// ConfigMap and Secret managers word a missing object.
fn setup_error(volume: &Value, ns: &str, objects: &ConfigObjects) -> Option<String> {
    let missing_cm = |name: &str| objects.configmaps.get(ns, name).is_none().then(|| format!("configmap {name:?} not found"));
    let missing_secret = |name: &str| objects.secrets.get(ns, name).is_none().then(|| format!("secret {name:?} not found"));
    // A plain configMap or secret volume: the check env and volumes already share (`config.rs`).
    if volume["configMap"].is_object() || volume["secret"].is_object() {
        let alone = serde_json::json!({"metadata": {"namespace": ns}, "spec": {"volumes": [volume]}});
        return objects.volume_error(&alone).map(|(_, error)| error);
    }
    let mut errors: Vec<String> = Vec::new();
    for source in volume["projected"]["sources"].as_array().into_iter().flatten() {
        let error = match (&source["configMap"], &source["secret"]) {
            (cm, _) if cm.is_object() && !optional(cm) => missing_cm(cm["name"].as_str().unwrap_or("")),
            (_, s) if s.is_object() && !optional(s) => missing_secret(s["name"].as_str().unwrap_or("")),
            _ => None,
        };
        // `utilerrors.NewAggregate` prints each distinct message once.
        if let Some(e) = error.filter(|e| !errors.contains(e)) {
            errors.push(e);
        }
    }
    match errors.len() {
        0 => None,
        1 => errors.pop(),
        _ => Some(format!("[{}]", errors.join(", "))),
    }
}

/// Whether the pod's volumes cannot all be set up now, and if so the `FailedMount` messages one
/// try records (none for a volume that only waits to be attached).
pub fn mount_failure(pod: &Value, objects: &ConfigObjects) -> Option<Vec<String>> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    let (mut unmounted, mut unattached, mut unprocessed) = (Vec::new(), Vec::new(), Vec::new());
    let mut messages = Vec::new();
    for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
        let name = v["name"].as_str().unwrap_or("");
        if has_source(v, &NO_PLUGIN) {
            unprocessed.push(name);
        } else if has_source(v, &NEVER_ATTACHED) {
            unattached.push(name);
        } else if let Some(error) = setup_error(v, ns, objects) {
            messages.push(format!("MountVolume.SetUp failed for volume {name:?} : {error}"));
        } else {
            continue;
        }
        unmounted.push(name);
    }
    if unmounted.is_empty() {
        return None;
    }
    if !unprocessed.is_empty() {
        for list in [&mut unmounted, &mut unattached, &mut unprocessed] {
            list.sort_unstable();
            list.dedup();
        }
        let errors: Vec<String> = unprocessed.iter().map(|v| format!("failed to get Plugin from volumeSpec for volume {v:?} err=no volume plugin matched")).collect();
        messages.push(format!(
            "Unable to attach or mount volumes: unmounted volumes=[{}], unattached volumes=[{}], failed to process volumes=[{}]: {}",
            unmounted.join(" "),
            unattached.join(" "),
            unprocessed.join(" "),
            errors.join("; ")
        ));
    }
    Some(messages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::informer::Informer;
    use serde_json::json;

    fn informer(kind: &str) -> Informer {
        Informer::new(crate::api::lookup("v1", kind).expect("a served kind"))
    }

    fn pod(volumes: Value) -> Value {
        json!({"metadata": {"name": "p", "namespace": "default"}, "spec": {"volumes": volumes}})
    }

    #[test]
    fn volumes_a_kubeadm_node_cannot_mount() {
        let (cms, secrets) = (informer("ConfigMap"), informer("Secret"));
        let objs = ConfigObjects { configmaps: &cms, secrets: &secrets };
        assert_eq!(mount_failure(&pod(json!([{"name": "d", "emptyDir": {}}, {"name": "h", "hostPath": {"path": "/x"}}])), &objs), None);
        let cephfs = pod(json!([{"name": "cephfs", "cephfs": {"monitors": ["10.16.154.78:6789"]}}, {"name": "d", "emptyDir": {}}]));
        assert_eq!(
            mount_failure(&cephfs, &objs),
            Some(vec!["Unable to attach or mount volumes: unmounted volumes=[cephfs], unattached volumes=[], failed to process volumes=[cephfs]: failed to get Plugin from volumeSpec for volume \"cephfs\" err=no volume plugin matched".to_string()])
        );
        // A migrated volume waits to be attached, silently.
        assert_eq!(mount_failure(&pod(json!([{"name": "disk", "gcePersistentDisk": {"pdName": "x"}}])), &objs), Some(vec![]));
        let both = pod(json!([{"name": "rbd", "rbd": {}}, {"name": "disk", "azureDisk": {}}, {"name": "flex", "flexVolume": {"driver": "k8s/dummy"}}]));
        let msg = "Unable to attach or mount volumes: unmounted volumes=[disk flex rbd], unattached volumes=[disk], failed to process volumes=[flex rbd]: failed to get Plugin from volumeSpec for volume \"flex\" err=no volume plugin matched; failed to get Plugin from volumeSpec for volume \"rbd\" err=no volume plugin matched";
        assert_eq!(mount_failure(&both, &objs), Some(vec![msg.to_string()]));
    }

    #[test]
    fn projected_sources_must_exist_unless_optional() {
        let (cms, secrets) = (informer("ConfigMap"), informer("Secret"));
        let objs = ConfigObjects { configmaps: &cms, secrets: &secrets };
        let two = pod(json!([{"name": "all-in-one", "projected": {"sources": [{"secret": {"name": "user"}}, {"secret": {"name": "pass"}}, {"secret": {"name": "opt", "optional": true}}]}}]));
        assert_eq!(mount_failure(&two, &objs), Some(vec!["MountVolume.SetUp failed for volume \"all-in-one\" : [secret \"user\" not found, secret \"pass\" not found]".to_string()]));
        let one = pod(json!([{"name": "all-in-one", "projected": {"sources": [{"downwardAPI": {"items": []}}, {"configMap": {"name": "myconfigmap"}}]}}]));
        assert_eq!(mount_failure(&one, &objs), Some(vec!["MountVolume.SetUp failed for volume \"all-in-one\" : configmap \"myconfigmap\" not found".to_string()]));
        let cm = pod(json!([{"name": "cfg", "configMap": {"name": "app-config"}}]));
        assert_eq!(mount_failure(&cm, &objs), Some(vec!["MountVolume.SetUp failed for volume \"cfg\" : configmap \"app-config\" not found".to_string()]));
    }
}
