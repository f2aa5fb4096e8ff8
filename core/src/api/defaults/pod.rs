//! Pod and PodSpec defaults: mirrors `pkg/apis/core/v1/defaults.go` `SetDefaults_PodSpec` (which
//! runs wherever a PodSpec appears: pods and every workload template) and `SetDefaults_Pod`
//! (Pod only, so these never show in templates), walked as the generated
//! `SetObjectDefaults_Pod` / `SetObjectDefaults_PodTemplate` do.

use serde_json::Value;

use super::container::{default_container, CONTAINER_LISTS};
use super::fields::{child, default_if_empty, default_if_nil, each, is_empty, is_nil, Object};
use super::volume::default_volume;

/// `v1.DefaultTerminationGracePeriodSeconds`.
const TERMINATION_GRACE_PERIOD_SECONDS: i64 = 30;

/// `SetDefaults_PodSpec` and everything nested in a PodSpec (volumes, containers, probes).
pub(super) fn default_pod_spec(spec: &mut Object) {
    default_if_empty(spec, "dnsPolicy", "ClusterFirst");
    default_if_empty(spec, "restartPolicy", "Always");
    default_if_nil(spec, "securityContext", Value::Object(Object::new()));
    default_if_nil(
        spec,
        "terminationGracePeriodSeconds",
        TERMINATION_GRACE_PERIOD_SECONDS,
    );
    default_if_empty(spec, "schedulerName", "default-scheduler");
    for volume in each(spec, "volumes") {
        default_volume(volume);
    }
    for list in CONTAINER_LISTS {
        for container in each(spec, list) {
            default_container(container);
        }
    }
}

/// The PodSpec of a pod template (`spec.template.spec` and the like).
pub(super) fn default_template(template: Option<&mut Object>) {
    if let Some(spec) = template.and_then(|t| child(t, "spec")) {
        default_pod_spec(spec);
    }
}

/// A Pod object: `SetDefaults_Pod` first, then the PodSpec defaults, as the generated
/// `SetObjectDefaults_Pod` orders them.
pub(super) fn default_pod(pod: &mut Value) {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    default_pod_only(spec);
    default_pod_spec(spec);
}

/// `SetDefaults_Pod`: deliberately on Pod, not PodSpec, "so that it only materializes in the Pod
/// object and not all objects with a PodSpec field".
fn default_pod_only(spec: &mut Object) {
    // Requests default to limits, resource by resource (containers and init containers only).
    for list in ["containers", "initContainers"] {
        for container in each(spec, list) {
            if let Some(resources) = child(container, "resources") {
                let limits = resources.get("limits").and_then(Value::as_object).cloned();
                if let Some(limits) = limits {
                    super::fields::fill_missing_keys(resources, &limits, "requests");
                }
            }
        }
    }
    default_if_nil(spec, "enableServiceLinks", true);
    if !is_empty(spec.get("hostNetwork")) {
        for list in ["containers", "initContainers"] {
            for container in each(spec, list) {
                for port in each(container, "ports") {
                    if is_empty(port.get("hostPort")) && !is_nil(port.get("containerPort")) {
                        let container_port =
                            port.get("containerPort").cloned().unwrap_or(Value::Null);
                        port.insert("hostPort".into(), container_port);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pod_gets_spec_and_pod_only_defaults() {
        let mut pod = json!({"spec": {"containers": [{"name": "c", "image": "busybox:1.28",
            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "250m"}}}]}});
        default_pod(&mut pod);
        assert_eq!(
            pod["spec"],
            json!({
                "containers": [{"name": "c", "image": "busybox:1.28", "imagePullPolicy": "IfNotPresent",
                    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"},
                                  "requests": {"cpu": "250m", "memory": "128Mi"}},
                    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
                "dnsPolicy": "ClusterFirst", "enableServiceLinks": true, "restartPolicy": "Always",
                "schedulerName": "default-scheduler", "securityContext": {},
                "terminationGracePeriodSeconds": 30
            })
        );
    }

    #[test]
    fn template_spec_has_no_pod_only_defaults() {
        let mut template = json!({"spec": {"containers": [{"name": "c", "image": "nginx",
            "resources": {"limits": {"cpu": "1"}}}]}});
        default_template(template.as_object_mut());
        assert!(template["spec"].get("enableServiceLinks").is_none());
        assert!(template["spec"]["containers"][0]["resources"]
            .get("requests")
            .is_none());
        assert_eq!(template["spec"]["restartPolicy"], json!("Always"));
        assert_eq!(
            template["spec"]["containers"][0]["imagePullPolicy"],
            json!("Always")
        );
    }

    #[test]
    fn host_network_copies_container_ports() {
        let mut pod = json!({"spec": {"hostNetwork": true,
            "containers": [{"name": "c", "image": "x:1", "ports": [{"containerPort": 8080}, {"containerPort": 9, "hostPort": 9}]}],
            "initContainers": [{"name": "i", "image": "x:1", "ports": [{"containerPort": 53, "protocol": "UDP"}]}]}});
        default_pod(&mut pod);
        assert_eq!(
            pod["spec"]["containers"][0]["ports"][0],
            json!({"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"})
        );
        assert_eq!(
            pod["spec"]["containers"][0]["ports"][1],
            json!({"containerPort": 9, "hostPort": 9, "protocol": "TCP"})
        );
        assert_eq!(
            pod["spec"]["initContainers"][0]["ports"][0],
            json!({"containerPort": 53, "hostPort": 53, "protocol": "UDP"})
        );
    }

    #[test]
    fn set_values_survive() {
        let spec = json!({"dnsPolicy": "Default", "restartPolicy": "Never", "securityContext": {"runAsUser": 1000},
            "terminationGracePeriodSeconds": 0, "schedulerName": "my-scheduler", "enableServiceLinks": false,
            "containers": []});
        let mut pod = json!({"spec": spec.clone()});
        default_pod(&mut pod);
        assert_eq!(pod["spec"], spec);
    }
}
