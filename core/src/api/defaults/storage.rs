//! Storage defaults: mirrors `pkg/apis/core/v1/defaults.go` `SetDefaults_PersistentVolume`,
//! `SetDefaults_PersistentVolumeClaim`, `SetDefaults_PersistentVolumeClaimSpec` and
//! `SetDefaults_HostPathVolumeSource` (for PV sources), and `pkg/apis/storage/v1/defaults.go`
//! `SetDefaults_StorageClass` and `SetDefaults_CSIDriver`.
//!
//! `status.phase: Pending` on claims and volumes is scheme defaulting, not strategy: it is set by
//! the same generated defaulter, which is why a StatefulSet's `volumeClaimTemplates` (full
//! PersistentVolumeClaim objects) show `status: {phase: Pending}` in `kubectl get -o yaml`.

use serde_json::Value;

use super::fields::{
    child, child_or_insert, default_if_empty, default_if_nil, is_len_zero, Object,
};
use super::volume::default_legacy_sources;

/// `SetDefaults_PersistentVolumeClaimSpec`: claims, claim templates and ephemeral volumes.
pub(super) fn default_claim_spec(spec: &mut Object) {
    default_if_nil(spec, "volumeMode", "Filesystem");
}

/// A whole PersistentVolumeClaim (an object, or an element of `volumeClaimTemplates`).
pub(super) fn default_claim(claim: &mut Object) {
    if let Some(status) = child_or_insert(claim, "status") {
        default_if_empty(status, "phase", "Pending");
    }
    if let Some(spec) = child_or_insert(claim, "spec") {
        default_claim_spec(spec);
    }
}

pub(super) fn default_volume_object(pv: &mut Object) {
    if let Some(status) = child_or_insert(pv, "status") {
        default_if_empty(status, "phase", "Pending");
    }
    if let Some(spec) = child_or_insert(pv, "spec") {
        default_if_empty(spec, "persistentVolumeReclaimPolicy", "Retain");
        default_if_nil(spec, "volumeMode", "Filesystem");
        if let Some(host_path) = child(spec, "hostPath") {
            default_if_nil(host_path, "type", "");
        }
        default_legacy_sources(spec);
    }
}

pub(super) fn default_storage_class(class: &mut Object) {
    default_if_nil(class, "reclaimPolicy", "Delete");
    default_if_nil(class, "volumeBindingMode", "Immediate");
}

/// `SetDefaults_CSIDriver` with the GA gates it tests (CSIVolumeFSGroupPolicy, CSIInlineVolume).
/// `seLinuxMount` is left alone: its gate (SELinuxMountReadWriteOncePod) was not re-checked.
pub(super) fn default_csi_driver(driver: &mut Object) {
    let Some(spec) = child_or_insert(driver, "spec") else {
        return;
    };
    default_if_nil(spec, "attachRequired", true);
    default_if_nil(spec, "podInfoOnMount", false);
    default_if_nil(spec, "storageCapacity", false);
    default_if_nil(spec, "fsGroupPolicy", "ReadWriteOnceWithFSType");
    if is_len_zero(spec.get("volumeLifecycleModes")) {
        spec.insert(
            "volumeLifecycleModes".into(),
            Value::Array(vec!["Persistent".into()]),
        );
    }
    default_if_nil(spec, "requiresRepublish", false);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(f: fn(&mut Object), v: Value) -> Value {
        let mut v = v;
        if let Some(o) = v.as_object_mut() {
            f(o);
        }
        v
    }

    #[test]
    fn claim_gets_volume_mode_and_pending_phase() {
        let v = run(
            default_claim,
            json!({"spec": {"accessModes": ["ReadWriteOnce"]}}),
        );
        assert_eq!(
            v,
            json!({"spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"},
                             "status": {"phase": "Pending"}})
        );
        let v = run(
            default_claim,
            json!({"spec": {"volumeMode": "Block"}, "status": {"phase": "Bound"}}),
        );
        assert_eq!(
            v,
            json!({"spec": {"volumeMode": "Block"}, "status": {"phase": "Bound"}})
        );
    }

    #[test]
    fn persistent_volume() {
        let v = run(
            default_volume_object,
            json!({"spec": {"hostPath": {"path": "/mnt/data"}}}),
        );
        assert_eq!(
            v,
            json!({"spec": {"hostPath": {"path": "/mnt/data", "type": ""},
                            "persistentVolumeReclaimPolicy": "Retain", "volumeMode": "Filesystem"},
                   "status": {"phase": "Pending"}})
        );
    }

    #[test]
    fn storage_class_and_csi_driver() {
        let v = run(
            default_storage_class,
            json!({"provisioner": "x", "reclaimPolicy": "Retain"}),
        );
        assert_eq!(
            v,
            json!({"provisioner": "x", "reclaimPolicy": "Retain", "volumeBindingMode": "Immediate"})
        );
        let v = run(
            default_csi_driver,
            json!({"spec": {"attachRequired": false}}),
        );
        assert_eq!(
            v["spec"],
            json!({"attachRequired": false, "podInfoOnMount": false, "storageCapacity": false,
                   "fsGroupPolicy": "ReadWriteOnceWithFSType", "volumeLifecycleModes": ["Persistent"],
                   "requiresRepublish": false})
        );
    }
}
