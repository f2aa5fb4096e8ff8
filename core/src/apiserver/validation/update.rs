//! Update validation: the registry strategies' `ValidateUpdate`, which run the kind's
//! `Validate*Update` (ObjectMeta update rules, the new spec, the fields that may never change)
//! and, for apps/v1 Deployment / ReplicaSet / DaemonSet, append the selector immutability that
//! `pkg/registry/apps/*/strategy.go` enforces for every version but extensions/v1beta1.
//!
//! Order follows each Go function: e.g. `ValidateDeploymentUpdate` is ObjectMeta update, then
//! `ValidateDeploymentSpec`, then the strategy's selector check; `ValidateRoleBindingUpdate`
//! validates the new binding first, then metadata, then `roleRef`.

use super::meta;
use super::{config, job, pod_update, pvc, rbac, service, workloads};
use crate::api::KindInfo;
use crate::apiserver::FieldError;
use serde_json::Value;

/// The create validator's errors outside `metadata` (its ObjectMeta part is replaced by the
/// update rules on update).
fn spec_errors(errs: Vec<FieldError>) -> Vec<FieldError> {
    errs.into_iter().filter(|e| !e.field.starts_with("metadata.")).collect()
}

pub fn validate_update(kind: &KindInfo, old: &Value, new: &Value) -> Vec<FieldError> {
    let meta_update = || meta::validate_object_meta_update(new.get("metadata"), old.get("metadata"));
    let selector_immutable = |errs: &mut Vec<FieldError>| {
        let sel = |o: &Value| o.get("spec").and_then(|s| s.get("selector")).cloned();
        let before = errs.len();
        super::immutable(errs, sel(new).as_ref(), sel(old).as_ref(), "spec.selector");
        if let (Some(e), Some(s)) = (errs.get_mut(before), sel(new)) {
            e.value = super::render_selector(&s);
        }
    };
    match (kind.group, kind.kind) {
        ("", "Pod") => pod_update::validate_pod_update(new, old),
        ("apps", "Deployment") => {
            let mut errs = meta_update();
            errs.extend(spec_errors(workloads::validate_deployment(new)));
            selector_immutable(&mut errs);
            errs
        }
        ("apps", "ReplicaSet") => {
            let mut errs = meta_update();
            errs.extend(spec_errors(workloads::validate_replica_set(new)));
            selector_immutable(&mut errs);
            errs
        }
        ("apps", "DaemonSet") => {
            let mut errs = meta_update();
            errs.extend(spec_errors(workloads::validate_daemon_set(new)));
            selector_immutable(&mut errs);
            errs
        }
        ("apps", "StatefulSet") => {
            let mut errs = meta_update();
            errs.extend(spec_errors(workloads::validate_stateful_set(new)));
            let strip = |o: &Value| {
                let mut s = o.get("spec").cloned().unwrap_or(Value::Null);
                if let Some(m) = s.as_object_mut() {
                    for f in ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"] {
                        m.remove(f);
                    }
                }
                s
            };
            if strip(new) != strip(old) {
                errs.push(FieldError::forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
                ));
            }
            errs
        }
        ("", "ReplicationController") => {
            let mut errs = meta_update();
            errs.extend(spec_errors(workloads::validate_replication_controller(new)));
            errs
        }
        ("batch", "Job") => {
            let mut errs = meta_update();
            errs.extend(job::validate_job_spec_update(new, old));
            errs
        }
        ("batch", "CronJob") => {
            let mut errs = meta_update();
            errs.extend(job::validate_cron_job_spec(new.get("spec"), old.get("spec")));
            errs
        }
        ("", "Service") => service::validate_service_update(new, old),
        ("", "ConfigMap") => config::validate_config_map_update(new, old),
        ("", "Secret") => config::validate_secret_update(new, old),
        ("", "PersistentVolumeClaim") => pvc::validate_pvc_update(new, old),
        ("rbac.authorization.k8s.io", "RoleBinding") => rbac::validate_binding_update(new, old, true),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding") => rbac::validate_binding_update(new, old, false),
        // Namespaces: only metadata (finalizers and status are reset from the old object).
        ("", "Namespace") => meta_update(),
        _ => {
            // The remaining strategies validate metadata on update and the new object as on
            // create; the create-time ObjectMeta checks are superseded by the update ones.
            let mut errs = meta_update();
            errs.extend(spec_errors(super::validate_create(kind, new)));
            errs
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    fn kind(api_version: &str, k: &str) -> &'static KindInfo {
        crate::api::lookup(api_version, k).expect("kind is registered")
    }

    fn deployment(app: &str) -> Value {
        json!({"metadata": {"name": "web", "namespace": "default", "uid": "u1"}, "spec": {
            "selector": {"matchLabels": {"app": app}},
            "template": {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})
    }

    #[test]
    fn deployment_selector_is_immutable_in_apps_v1() {
        let errs = validate_update(kind("apps/v1", "Deployment"), &deployment("web"), &deployment("web2"));
        assert_eq!(aggregate(&errs), "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web2\"}}: field is immutable");
        assert_eq!(validate_update(kind("apps/v1", "Deployment"), &deployment("web"), &deployment("web")), vec![]);
    }

    #[test]
    fn stateful_set_other_fields_are_forbidden() {
        let old = deployment("web");
        let mut new = old.clone();
        new["spec"]["serviceName"] = json!("other");
        assert_eq!(
            aggregate(&validate_update(kind("apps/v1", "StatefulSet"), &old, &new)),
            "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
        );
    }

    #[test]
    fn metadata_uid_is_immutable() {
        let old = json!({"metadata": {"name": "c", "namespace": "default", "uid": "a"}});
        let new = json!({"metadata": {"name": "c", "namespace": "default", "uid": "b"}});
        assert_eq!(
            aggregate(&validate_update(kind("v1", "ConfigMap"), &old, &new)),
            "metadata.uid: Invalid value: \"b\": field is immutable"
        );
    }
}
