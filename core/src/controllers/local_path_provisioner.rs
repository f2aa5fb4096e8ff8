//! A simulated `rancher.io/local-path` provisioner, the one kind ships behind its default
//! StorageClass `standard` (rancher/local-path-provisioner, built on
//! sig-storage-lib-external-provisioner). It provisions claims the PV controller has handed to
//! it (`volume.kubernetes.io/storage-provisioner: rancher.io/local-path`): for a
//! `WaitForFirstConsumer` class only once the scheduler picked a node, and then a `hostPath`
//! volume on that node (`/var/local-path-provisioner/pvc-<uid>_<namespace>_<claim>`) with a
//! node affinity for it, pre-bound to the claim through `claimRef`. A released volume of
//! reclaim policy `Delete` it deletes.
//!
//! In kind it runs as a Deployment in the `local-path-storage` namespace; this cluster has no such
//! namespace, so the simulated provisioner sends its requests under the PV binder's service
//! account (`kube-system:persistent-volume-binder`), whose role covers the same verbs.

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::persistent_volume::{self as pv_controller, SELECTED_NODE, STORAGE_PROVISIONER};
use super::replicaset::is_terminating;
use super::Caches;
use crate::apiserver::{Context, Verb};
use serde_json::{json, Value};

pub const PROVISIONER: &str = "rancher.io/local-path";
/// `source.component` of its events: `<provisioner>_<pod>_<uuid>` in a real cluster.
const COMPONENT: &str = "rancher.io/local-path_local-path-provisioner";
const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
const BASE_PATH: &str = "/var/local-path-provisioner";

/// The volume provisioned for `claim` on `node` (`provisionFor` in local-path-provisioner).
pub fn volume_for(claim: &Value, class: &Value, node: &str) -> Value {
    let name = format!("pvc-{}", uid_of(claim));
    let mut annotations = json!({PROVISIONED_BY: PROVISIONER});
    let mut spec = json!({
        "accessModes": claim["spec"]["accessModes"],
        "capacity": {"storage": claim["spec"]["resources"]["requests"]["storage"]},
        "claimRef": {
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": ns_of(claim), "name": name_of(claim),
            "uid": uid_of(claim), "resourceVersion": claim["metadata"]["resourceVersion"],
        },
        "hostPath": {"path": format!("{BASE_PATH}/{name}_{}_{}", ns_of(claim), name_of(claim)), "type": "DirectoryOrCreate"},
        "persistentVolumeReclaimPolicy": class["reclaimPolicy"].as_str().unwrap_or("Delete"),
        "storageClassName": name_of(class),
        "volumeMode": claim["spec"]["volumeMode"].as_str().unwrap_or("Filesystem"),
    });
    if !node.is_empty() {
        annotations["local.path.provisioner/selected-node"] = json!(node);
        spec["nodeAffinity"] = json!({"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
        ]}]}});
    }
    json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name, "annotations": annotations}, "spec": spec})
}

pub fn reconcile(ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
    let Some(pv_kind) = client::kind("v1", "PersistentVolume") else { return };
    let user = client::controller(pv_controller::NAME);
    let source = Source { component: COMPONENT, host: "" };
    for claim in caches.pvcs.values() {
        if is_terminating(claim)
            || !client::str_of(claim, &["spec", "volumeName"]).is_empty()
            || client::str_of(claim, &["metadata", "annotations", STORAGE_PROVISIONER]) != PROVISIONER
        {
            continue;
        }
        let Some(class) = caches.storageclasses.get("", pv_controller::claim_class(claim)) else { continue };
        let node = client::str_of(claim, &["metadata", "annotations", SELECTED_NODE]);
        let delayed = class["volumeBindingMode"] == "WaitForFirstConsumer";
        let name = format!("pvc-{}", uid_of(claim));
        if (delayed && node.is_empty()) || caches.pvs.get("", &name).is_some() {
            continue;
        }
        let message = format!("External provisioner is provisioning volume for claim \"{}/{}\"", ns_of(claim), name_of(claim));
        client::event(ctx, events, &user, &source, claim, false, "Provisioning", &message);
        let volume = volume_for(claim, class, node);
        if client::send(ctx, &user, Verb::Create, pv_kind, "", &name, Some(volume)).result.is_ok() {
            client::event(ctx, events, &user, &source, claim, false, "ProvisioningSucceeded", &format!("Successfully provisioned volume {name}"));
        }
    }
    // The Delete reclaim policy: a released volume we made goes away.
    for pv in caches.pvs.values() {
        let ours = client::str_of(pv, &["metadata", "annotations", PROVISIONED_BY]) == PROVISIONER;
        if ours && !is_terminating(pv) && pv["status"]["phase"] == "Released" && pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete" {
            client::send(ctx, &user, Verb::Delete, pv_kind, "", name_of(pv), None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_volume_is_pre_bound_and_pinned_to_the_chosen_node() {
        let claim = json!({
            "metadata": {"name": "www-web-0", "namespace": "default", "uid": "1234", "resourceVersion": "900"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "volumeMode": "Filesystem"},
        });
        let class = json!({"metadata": {"name": "standard"}, "reclaimPolicy": "Delete"});
        let pv = volume_for(&claim, &class, "node-2");
        assert_eq!(pv["metadata"]["name"], "pvc-1234");
        assert_eq!(pv["spec"]["claimRef"]["uid"], "1234");
        assert_eq!(pv["spec"]["hostPath"]["path"], "/var/local-path-provisioner/pvc-1234_default_www-web-0");
        assert_eq!(pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"][0], "node-2");
        assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Delete");
    }
}
