//! Container defaults: mirrors `pkg/apis/core/v1/defaults.go` `SetDefaults_Container` (also
//! reached through `SetDefaults_EphemeralContainer`), `SetDefaults_Probe`,
//! `SetDefaults_HTTPGetAction`, `SetDefaults_ObjectFieldSelector`, and the declarative markers
//! `ContainerPort.protocol` `+default="TCP"`, `GRPCAction.service` `+default=""` and
//! `FileKeySelector.optional` `+default=false` from `k8s.io/api/core/v1/types.go`, applied in
//! the order the generated `SetObjectDefaults_Pod` walks a container.

use super::fields::{child, default_if_empty, default_if_nil, each, str_of, Object};
use super::image::default_pull_policy;

/// The three container lists of a PodSpec; all get the same container defaults.
pub(super) const CONTAINER_LISTS: [&str; 3] =
    ["initContainers", "containers", "ephemeralContainers"];

/// Defaults one container (regular, init or ephemeral).
pub(super) fn default_container(container: &mut Object) {
    if str_of(container, "imagePullPolicy").is_empty() {
        let policy = default_pull_policy(str_of(container, "image"));
        container.insert("imagePullPolicy".into(), policy.into());
    }
    default_if_empty(container, "terminationMessagePath", "/dev/termination-log");
    default_if_empty(container, "terminationMessagePolicy", "File");
    for port in each(container, "ports") {
        default_if_empty(port, "protocol", "TCP");
    }
    for env in each(container, "env") {
        if let Some(value_from) = child(env, "valueFrom") {
            if let Some(field_ref) = child(value_from, "fieldRef") {
                default_field_ref(field_ref);
            }
            if let Some(file_key_ref) = child(value_from, "fileKeyRef") {
                default_if_nil(file_key_ref, "optional", false);
            }
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(probe) = child(container, probe) {
            default_probe(probe);
        }
    }
    if let Some(lifecycle) = child(container, "lifecycle") {
        for hook in ["postStart", "preStop"] {
            if let Some(http_get) = child(lifecycle, hook).and_then(|h| child(h, "httpGet")) {
                default_http_get(http_get);
            }
        }
    }
}

/// `SetDefaults_ObjectFieldSelector`: a field reference is to the v1 Pod unless it says otherwise.
pub(super) fn default_field_ref(field_ref: &mut Object) {
    default_if_empty(field_ref, "apiVersion", "v1");
}

/// `SetDefaults_Probe` (plain int32 fields, so 0 counts as unset; `initialDelaySeconds` keeps
/// 0) plus the defaults of its handler.
fn default_probe(probe: &mut Object) {
    default_if_empty(probe, "timeoutSeconds", 1);
    default_if_empty(probe, "periodSeconds", 10);
    default_if_empty(probe, "successThreshold", 1);
    default_if_empty(probe, "failureThreshold", 3);
    if let Some(http_get) = child(probe, "httpGet") {
        default_http_get(http_get);
    }
    if let Some(grpc) = child(probe, "grpc") {
        default_if_nil(grpc, "service", "");
    }
}

fn default_http_get(http_get: &mut Object) {
    default_if_empty(http_get, "path", "/");
    default_if_empty(http_get, "scheme", "HTTP");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn defaulted(v: Value) -> Value {
        let mut v = v;
        if let Some(c) = v.as_object_mut() {
            default_container(c);
        }
        v
    }

    #[test]
    fn minimal_container() {
        assert_eq!(
            defaulted(
                json!({"name": "app", "image": "nginx:1.14.2", "ports": [{"containerPort": 80}]})
            ),
            json!({
                "name": "app", "image": "nginx:1.14.2", "imagePullPolicy": "IfNotPresent",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
            })
        );
    }

    #[test]
    fn user_values_are_kept() {
        let c = json!({
            "name": "app", "image": "nginx", "imagePullPolicy": "Never",
            "terminationMessagePath": "/tmp/x", "terminationMessagePolicy": "FallbackToLogsOnError",
            "ports": [{"containerPort": 53, "protocol": "UDP"}]
        });
        assert_eq!(defaulted(c.clone()), c);
    }

    #[test]
    fn probes_env_and_hooks() {
        let c = defaulted(json!({
            "name": "a", "image": "x:1",
            "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    {"name": "V", "value": "1"}],
            "livenessProbe": {"httpGet": {"port": 8080}, "periodSeconds": 3},
            "readinessProbe": {"tcpSocket": {"port": 80}, "initialDelaySeconds": 0},
            "startupProbe": {"grpc": {"port": 2379}},
            "lifecycle": {"preStop": {"httpGet": {"port": 80, "path": "/stop"}}}
        }));
        assert_eq!(
            c["env"][0]["valueFrom"]["fieldRef"],
            json!({"fieldPath": "metadata.name", "apiVersion": "v1"})
        );
        assert_eq!(c["env"][1], json!({"name": "V", "value": "1"}));
        assert_eq!(
            c["livenessProbe"],
            json!({"httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"}, "periodSeconds": 3,
                   "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3})
        );
        assert_eq!(
            c["readinessProbe"],
            json!({"tcpSocket": {"port": 80}, "initialDelaySeconds": 0, "timeoutSeconds": 1,
                   "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
        );
        assert_eq!(
            c["startupProbe"]["grpc"],
            json!({"port": 2379, "service": ""})
        );
        assert_eq!(
            c["lifecycle"]["preStop"]["httpGet"],
            json!({"port": 80, "path": "/stop", "scheme": "HTTP"})
        );
    }
}
