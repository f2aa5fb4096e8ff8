//! Pod volume defaults: mirrors `pkg/apis/core/v1/defaults.go` `SetDefaults_Volume`,
//! `SetDefaults_{Secret,ConfigMap,DownwardAPI,Projected}VolumeSource`,
//! `SetDefaults_HostPathVolumeSource`, `SetDefaults_ServiceAccountTokenProjection`,
//! `SetDefaults_PersistentVolumeClaimSpec` (for ephemeral volumes), and the declarative
//! `+default=` markers of the legacy in-tree sources (RBD, iSCSI, AzureDisk, ScaleIO), which
//! persistent volumes share (see [`default_legacy_sources`]).

use serde_json::Value;

use super::container::default_field_ref;
use super::fields::{child, default_if_empty, default_if_nil, each, Object};
use super::image::default_pull_policy;
use super::storage::default_claim_spec;

/// Every `VolumeSource` member. A volume naming none of them gets `emptyDir: {}`
/// (Go: `ptr.AllPtrFieldsNil(&obj.VolumeSource)`).
const VOLUME_SOURCES: [&str; 30] = [
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// File mode 0644, the default of every volume that writes files (`*VolumeSourceDefaultMode`).
const DEFAULT_MODE: i64 = 0o644;
/// One hour, `SetDefaults_ServiceAccountTokenProjection`.
const TOKEN_EXPIRATION_SECONDS: i64 = 3600;

pub(super) fn default_volume(volume: &mut Object) {
    let has_source = VOLUME_SOURCES
        .iter()
        .any(|s| !matches!(volume.get(*s), None | Some(Value::Null)));
    if !has_source {
        volume.insert("emptyDir".into(), Value::Object(Object::new()));
    }
    // Image volumes (ImageVolume, on by default): the pull policy follows the container rule.
    if let Some(image) = child(volume, "image") {
        if image
            .get("pullPolicy")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            let reference = image.get("reference").and_then(Value::as_str).unwrap_or("");
            let policy = default_pull_policy(reference);
            image.insert("pullPolicy".into(), policy.into());
        }
    }
    if let Some(host_path) = child(volume, "hostPath") {
        default_if_nil(host_path, "type", "");
    }
    for source in ["secret", "configMap"] {
        if let Some(source) = child(volume, source) {
            default_if_nil(source, "defaultMode", DEFAULT_MODE);
        }
    }
    if let Some(downward) = child(volume, "downwardAPI") {
        default_if_nil(downward, "defaultMode", DEFAULT_MODE);
        default_downward_items(downward);
    }
    if let Some(projected) = child(volume, "projected") {
        default_if_nil(projected, "defaultMode", DEFAULT_MODE);
        for source in each(projected, "sources") {
            if let Some(downward) = child(source, "downwardAPI") {
                default_downward_items(downward);
            }
            if let Some(token) = child(source, "serviceAccountToken") {
                default_if_nil(token, "expirationSeconds", TOKEN_EXPIRATION_SECONDS);
            }
        }
    }
    if let Some(spec) = child(volume, "ephemeral")
        .and_then(|e| child(e, "volumeClaimTemplate"))
        .and_then(|t| child(t, "spec"))
    {
        default_claim_spec(spec);
    }
    default_legacy_sources(volume);
}

fn default_downward_items(downward: &mut Object) {
    for item in each(downward, "items") {
        if let Some(field_ref) = child(item, "fieldRef") {
            default_field_ref(field_ref);
        }
    }
}

/// The `+default=` markers on the in-tree plugin sources; the same members appear in
/// `VolumeSource` and `PersistentVolumeSource`, so both call this.
pub(super) fn default_legacy_sources(source: &mut Object) {
    if let Some(rbd) = child(source, "rbd") {
        default_if_empty(rbd, "pool", "rbd");
        default_if_empty(rbd, "user", "admin");
        default_if_empty(rbd, "keyring", "/etc/ceph/keyring");
    }
    if let Some(iscsi) = child(source, "iscsi") {
        default_if_empty(iscsi, "iscsiInterface", "default");
    }
    if let Some(azure) = child(source, "azureDisk") {
        default_if_nil(azure, "cachingMode", "ReadWrite");
        default_if_nil(azure, "fsType", "ext4");
        default_if_nil(azure, "readOnly", false);
        default_if_nil(azure, "kind", "Shared");
    }
    if let Some(scale_io) = child(source, "scaleIO") {
        default_if_empty(scale_io, "storageMode", "ThinProvisioned");
        default_if_empty(scale_io, "fsType", "xfs");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defaulted(v: Value) -> Value {
        let mut v = v;
        if let Some(o) = v.as_object_mut() {
            default_volume(o);
        }
        v
    }

    #[test]
    fn no_source_means_empty_dir() {
        assert_eq!(
            defaulted(json!({"name": "scratch"})),
            json!({"name": "scratch", "emptyDir": {}})
        );
        // An emptyDir with settings is a source and is left alone.
        let v = json!({"name": "m", "emptyDir": {"medium": "Memory"}});
        assert_eq!(defaulted(v.clone()), v);
    }

    #[test]
    fn file_modes_and_host_path_type() {
        assert_eq!(
            defaulted(json!({"name": "c", "configMap": {"name": "cfg"}})),
            json!({"name": "c", "configMap": {"name": "cfg", "defaultMode": 420}})
        );
        assert_eq!(
            defaulted(json!({"name": "s", "secret": {"secretName": "x", "defaultMode": 256}})),
            json!({"name": "s", "secret": {"secretName": "x", "defaultMode": 256}})
        );
        assert_eq!(
            defaulted(json!({"name": "h", "hostPath": {"path": "/var/log"}})),
            json!({"name": "h", "hostPath": {"path": "/var/log", "type": ""}})
        );
    }

    #[test]
    fn projected_sources() {
        let v = defaulted(json!({"name": "p", "projected": {"sources": [
            {"serviceAccountToken": {"path": "token"}},
            {"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}
        ]}}));
        assert_eq!(
            v,
            json!({"name": "p", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}},
                {"downwardAPI": {"items": [{"path": "labels",
                    "fieldRef": {"fieldPath": "metadata.labels", "apiVersion": "v1"}}]}}
            ]}})
        );
    }

    #[test]
    fn ephemeral_claim_and_image_volume() {
        let v = defaulted(
            json!({"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}}),
        );
        assert_eq!(
            v["ephemeral"]["volumeClaimTemplate"]["spec"]["volumeMode"],
            json!("Filesystem")
        );
        // A claim template is not a PersistentVolumeClaim: no status is added.
        assert!(v["ephemeral"]["volumeClaimTemplate"]
            .get("status")
            .is_none());
        let v = defaulted(json!({"name": "i", "image": {"reference": "quay.io/data:v1"}}));
        assert_eq!(v["image"]["pullPolicy"], json!("IfNotPresent"));
    }
}
