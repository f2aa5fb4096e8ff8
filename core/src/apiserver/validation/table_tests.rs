//! The error table: bad manifests decoded by `api::decode_manifest`, validated, and compared with
//! the exact aggregate text kube-apiserver returns after `<Kind> "<name>" is invalid: `. Each
//! expectation was worked out from the Go validators (see the file headers), not from this code.
//!
//! Manifests are written as JSON merge patches over a valid base object of the kind, so each row
//! shows only what is wrong. The request pipeline fills `metadata.namespace` before validation;
//! the harness does the same.

use super::validate_create;
use crate::api::{decode_manifest, Limits};
use crate::apiserver::field::aggregate;
use serde_json::{json, Value};

// The update table: a child, so it shares this table's bases and decoding.
#[path = "update_table_tests.rs"]
mod update_table_tests;

const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const KEY_NAME: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CONFIG_KEY: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const PERCENT: &str = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const PORT_RANGE: &str = "must be between 1 and 65535, inclusive";
const MISMATCH: &str = "`selector` does not match template `labels`";
const PORT_CHARS: &str = "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
const PORT_LETTER: &str = "must contain at least one letter (a-z)";

/// RFC 7386 merge patch: objects merge, `null` deletes, anything else replaces.
fn merge(base: &Value, patch: &Value) -> Value {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            let mut out = b.clone();
            for (k, v) in p {
                if v.is_null() {
                    out.remove(k);
                } else {
                    let merged = merge(out.get(k).unwrap_or(&Value::Null), v);
                    out.insert(k.clone(), merged);
                }
            }
            Value::Object(out)
        }
        (_, p) => p.clone(),
    }
}

fn containers() -> Value {
    json!([{"name": "web", "image": "nginx"}])
}

fn template() -> Value {
    json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers()}})
}

fn base(kind: &str) -> Value {
    match kind {
        "Pod" => json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": containers()}}),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => json!({"apiVersion": "apps/v1", "kind": kind,
            "metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template()}}),
        "ReplicationController" => json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "template": template()}}),
        "Job" => json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"}, "spec": {"template": {
            "metadata": {"labels": {"app": "pi"}}, "spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl"}]}}}}),
        "CronJob" => json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"}, "spec": {"schedule": "*/5 * * * *",
            "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "tick", "image": "busybox"}]}}}}}}),
        "Service" => json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}),
        "ConfigMap" => json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1"}}),
        "Secret" => json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"a": "1"}}),
        "Namespace" => json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}),
        "Role" | "ClusterRole" => json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "reader"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
        "RoleBinding" | "ClusterRoleBinding" => json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "read"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "reader"},
            "subjects": [{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"}]}),
        "PersistentVolumeClaim" => json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}),
        "ResourceQuota" => json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "q"}, "spec": {"hard": {"pods": "10"}}}),
        "Ingress" => json!({"apiVersion": "networking.k8s.io/v1", "kind": kind, "metadata": {"name": "web"}, "spec": {"rules": [{"http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}),
        other => json!({"apiVersion": "v1", "kind": other, "metadata": {"name": "x"}}),
    }
}

/// Decodes a manifest as `kubectl apply -f x.yaml` would and fills the request namespace.
fn decode(manifest: &Value) -> (&'static crate::api::KindInfo, Value) {
    let text = serde_json::to_string_pretty(manifest).unwrap_or_default();
    let mut docs = decode_manifest(text.as_bytes(), "x.yaml", &Limits::default());
    assert_eq!(docs.len(), 1, "one document in {text}");
    let decoded = match docs.remove(0) {
        Ok(d) => d,
        Err(diag) => panic!("manifest does not decode: {diag:?}\n{text}"),
    };
    let mut obj = decoded.object;
    if decoded.kind.namespaced && obj["metadata"].get("namespace").is_none() {
        obj["metadata"]["namespace"] = json!("default");
    }
    (decoded.kind, obj)
}

fn check(kind: &str, patch: Value, expected: &str) -> Option<String> {
    let manifest = merge(&base(kind), &patch);
    let (info, obj) = decode(&manifest);
    let got = aggregate(&validate_create(info, &obj));
    (got != expected).then(|| format!("{kind} {patch}\n  expected: {expected}\n       got: {got}"))
}

#[test]
fn the_bases_are_valid() {
    for kind in [
        "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController", "Job", "CronJob", "Service",
        "ConfigMap", "Secret", "Namespace", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
        "PersistentVolumeClaim", "ResourceQuota", "Ingress",
    ] {
        let (info, obj) = decode(&base(kind));
        assert_eq!(validate_create(info, &obj), vec![], "{kind}");
    }
}

#[test]
fn error_table() {
    let long_name = "a".repeat(254);
    let long_value = "x".repeat(64);
    let cron_name = "c".repeat(53);
    let with_ports = |ports: Value| json!({"spec": {"containers": [{"name": "web", "image": "nginx", "ports": ports}]}});
    let with_container = |c: Value| json!({"spec": {"containers": [merge(&json!({"name": "web", "image": "nginx"}), &c)]}});
    let tmpl_spec = |spec: Value| json!({"spec": {"template": {"spec": spec}}});
    let cases: Vec<(&str, Value, String)> = vec![
        // ---- ObjectMeta and names ----
        ("Deployment", json!({"metadata": {"name": "Web_1"}}), format!("metadata.name: Invalid value: \"Web_1\": {SUBDOMAIN}")),
        ("ConfigMap", json!({"metadata": {"name": null}}), "metadata.name: Required value: name or generateName is required".into()),
        (
            "ConfigMap",
            json!({"metadata": {"name": null, "generateName": "Bad_"}}),
            format!("[metadata.generateName: Invalid value: \"Bad_\": {SUBDOMAIN}, metadata.name: Required value: name or generateName is required]"),
        ),
        ("Namespace", json!({"metadata": {"name": "my.ns"}}), "metadata.name: Invalid value: \"my.ns\": must not contain dots".into()),
        ("Namespace", json!({"metadata": {"name": "Prod"}}), format!("metadata.name: Invalid value: \"Prod\": {LABEL}")),
        ("Service", json!({"metadata": {"name": "1web"}}), format!("metadata.name: Invalid value: \"1web\": {DNS1035}")),
        ("Service", json!({"metadata": {"name": "web.svc"}}), format!("metadata.name: Invalid value: \"web.svc\": {DNS1035}")),
        ("Role", json!({"metadata": {"name": "a/b"}}), "metadata.name: Invalid value: \"a/b\": may not contain '/'".into()),
        ("ClusterRole", json!({"metadata": {"name": ".."}}), "metadata.name: Invalid value: \"..\": may not be '..'".into()),
        ("ConfigMap", json!({"metadata": {"name": long_name}}), format!("metadata.name: Invalid value: \"{long_name}\": must be no more than 253 characters")),
        ("ConfigMap", json!({"metadata": {"labels": {"-bad": "x"}}}), format!("metadata.labels: Invalid value: \"-bad\": {KEY_NAME}")),
        ("ConfigMap", json!({"metadata": {"labels": {"app": "bad value"}}}), format!("metadata.labels: Invalid value: \"bad value\": {LABEL_VALUE}")),
        (
            "ConfigMap",
            json!({"metadata": {"labels": {"example.com/": "x"}}}),
            format!("[metadata.labels: Invalid value: \"example.com/\": name part must be non-empty, metadata.labels: Invalid value: \"example.com/\": {KEY_NAME}]"),
        ),
        (
            "ConfigMap",
            json!({"metadata": {"labels": {"Example.com/app": "x"}}}),
            format!("metadata.labels: Invalid value: \"Example.com/app\": prefix part {SUBDOMAIN}"),
        ),
        (
            "ConfigMap",
            json!({"metadata": {"labels": {"app": long_value}}}),
            format!("metadata.labels: Invalid value: \"{long_value}\": must be no more than 63 bytes"),
        ),
        (
            "ConfigMap",
            json!({"metadata": {"annotations": {"a/b/c": "x"}}}),
            "metadata.annotations: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".into(),
        ),
        (
            "ConfigMap",
            json!({"metadata": {"annotations": {"big": "x".repeat(262_142)}}}),
            "metadata.annotations: Too long: may not be more than 262144 bytes".into(),
        ),
        ("ClusterRole", json!({"metadata": {"namespace": "default"}}), "metadata.namespace: Forbidden: not allowed on this type".into()),
        (
            "ConfigMap",
            json!({"metadata": {"finalizers": ["custom"]}}),
            "metadata.finalizers[0]: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified".into(),
        ),
        // ---- Pod spec ----
        ("Pod", json!({"spec": {"containers": []}}), "spec.containers: Required value".into()),
        ("Pod", json!({"spec": {"containers": [{"name": "web"}]}}), "spec.containers[0].image: Required value".into()),
        ("Pod", json!({"spec": {"containers": [{"name": "Web", "image": "nginx"}]}}), format!("spec.containers[0].name: Invalid value: \"Web\": {LABEL}")),
        (
            "Pod",
            json!({"spec": {"containers": [{"name": "web", "image": "nginx"}, {"name": "web", "image": "redis"}]}}),
            "spec.containers[1].name: Duplicate value: \"web\"".into(),
        ),
        (
            "Pod",
            json!({"spec": {"initContainers": [{"name": "web", "image": "busybox"}]}}),
            "spec.initContainers[0].name: Duplicate value: \"web\"".into(),
        ),
        ("Pod", with_ports(json!([{"containerPort": 70000}])), format!("spec.containers[0].ports[0].containerPort: Invalid value: 70000: {PORT_RANGE}")),
        ("Pod", with_ports(json!([{"containerPort": 0}])), "spec.containers[0].ports[0].containerPort: Required value".into()),
        (
            "Pod",
            with_ports(json!([{"containerPort": 80, "protocol": "HTTP"}])),
            "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"".into(),
        ),
        (
            "Pod",
            with_ports(json!([{"containerPort": 80, "name": "HTTP"}])),
            format!("[spec.containers[0].ports[0].name: Invalid value: \"HTTP\": {PORT_CHARS}, spec.containers[0].ports[0].name: Invalid value: \"HTTP\": {PORT_LETTER}]"),
        ),
        (
            "Pod",
            with_ports(json!([{"containerPort": 80, "name": "web-server-port-1"}])),
            "spec.containers[0].ports[0].name: Invalid value: \"web-server-port-1\": must be no more than 15 characters".into(),
        ),
        (
            "Pod",
            with_ports(json!([{"containerPort": 80, "name": "http"}, {"containerPort": 81, "name": "http"}])),
            "spec.containers[0].ports[1].name: Duplicate value: \"http\"".into(),
        ),
        (
            "Pod",
            json!({"spec": {"restartPolicy": "Sometimes"}}),
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"".into(),
        ),
        (
            "Pod",
            json!({"spec": {"dnsPolicy": "Google"}}),
            "spec.dnsPolicy: Unsupported value: \"Google\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"".into(),
        ),
        (
            "Pod",
            with_container(json!({"resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "500m"}}})),
            "spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu limit of 500m".into(),
        ),
        (
            "Pod",
            with_container(json!({"resources": {"requests": {"memory": "2Gi"}, "limits": {"memory": "1024Mi"}}})),
            "spec.containers[0].resources.requests: Invalid value: \"2Gi\": must be less than or equal to memory limit of 1Gi".into(),
        ),
        (
            "Pod",
            with_container(json!({"resources": {"limits": {"foo": "1"}}})),
            "[spec.containers[0].resources.limits[foo]: Invalid value: \"foo\": must be a standard resource type or fully qualified, spec.containers[0].resources.limits[foo]: Invalid value: \"foo\": must be a standard resource for containers]".into(),
        ),
        (
            "Pod",
            with_container(json!({"resources": {"requests": {"cpu": "-1"}}})),
            "spec.containers[0].resources.requests[cpu]: Invalid value: \"-1\": must be greater than or equal to 0".into(),
        ),
        (
            "Pod",
            json!({"spec": {"volumes": [{"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}}]}}),
            "spec.volumes[1].name: Duplicate value: \"data\"".into(),
        ),
        (
            "Pod",
            json!({"spec": {"volumes": [{"name": "data", "emptyDir": {}, "hostPath": {"path": "/tmp"}}]}}),
            "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type".into(),
        ),
        ("Pod", json!({"spec": {"volumes": [{"name": "Data", "emptyDir": {}}]}}), format!("spec.volumes[0].name: Invalid value: \"Data\": {LABEL}")),
        ("Pod", json!({"spec": {"volumes": [{"name": "h", "hostPath": {"path": ""}}]}}), "spec.volumes[0].hostPath.path: Required value".into()),
        (
            "Pod",
            with_container(json!({"volumeMounts": [{"name": "cache", "mountPath": "/cache"}]})),
            "spec.containers[0].volumeMounts[0].name: Not found: \"cache\"".into(),
        ),
        (
            "Pod",
            json!({"spec": {"volumes": [{"name": "data", "emptyDir": {}}], "containers": [{"name": "web", "image": "nginx",
                "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "data", "mountPath": "/data"}]}]}}),
            "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/data\": must be unique".into(),
        ),
        (
            "Pod",
            with_container(json!({"livenessProbe": {"initialDelaySeconds": 5}})),
            "spec.containers[0].livenessProbe: Required value: must specify a handler type".into(),
        ),
        (
            "Pod",
            with_container(json!({"livenessProbe": {"exec": {"command": ["true"]}, "httpGet": {"port": 80}}})),
            "spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type".into(),
        ),
        (
            "Pod",
            with_container(json!({"livenessProbe": {"tcpSocket": {"port": 80}, "successThreshold": 2}})),
            "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1".into(),
        ),
        (
            "Pod",
            with_container(json!({"readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": -1}})),
            "spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0".into(),
        ),
        (
            "Pod",
            with_container(json!({"livenessProbe": {"tcpSocket": {"port": 80}, "terminationGracePeriodSeconds": 0}})),
            "spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0".into(),
        ),
        (
            "Pod",
            with_container(json!({"livenessProbe": {"httpGet": {"port": 0}}})),
            format!("spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: {PORT_RANGE}"),
        ),
        (
            "Pod",
            with_container(json!({"env": [{"name": "A=B", "value": "1"}]})),
            "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='".into(),
        ),
        (
            "Pod",
            json!({"spec": {"activeDeadlineSeconds": 0}}),
            "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive".into(),
        ),
        // ---- Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController ----
        // (A missing selector cannot be written here: the typed decode turns it into `{}`.)
        (
            "Deployment",
            json!({"spec": {"selector": {"matchLabels": {"app": "bad value"}}}}),
            format!("[spec.selector.matchLabels: Invalid value: \"bad value\": {LABEL_VALUE}, spec.selector: Invalid value: {{\"matchLabels\":{{\"app\":\"bad value\"}}}}: invalid label selector]"),
        ),
        (
            "Deployment",
            json!({"spec": {"selector": {"matchLabels": {"app": "api"}}}}),
            format!("spec.template.metadata.labels: Invalid value: {{\"app\":\"web\"}}: {MISMATCH}"),
        ),
        ("Deployment", json!({"spec": {"selector": {"matchLabels": null}}}), "spec.selector: Invalid value: {}: empty selector is invalid for deployment".into()),
        ("Deployment", json!({"spec": {"replicas": -1}}), "spec.replicas: Invalid value: -1: must be greater than or equal to 0".into()),
        (
            "Deployment",
            tmpl_spec(json!({"restartPolicy": "Never"})),
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"".into(),
        ),
        (
            "Deployment",
            json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}}}}),
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0".into(),
        ),
        (
            "Deployment",
            json!({"spec": {"strategy": {"rollingUpdate": {"maxSurge": "25"}}}}),
            format!("spec.strategy.rollingUpdate.maxSurge: Invalid value: \"25\": {PERCENT}"),
        ),
        (
            "Deployment",
            json!({"spec": {"strategy": {"rollingUpdate": {"maxUnavailable": "150%"}}}}),
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%".into(),
        ),
        (
            "Deployment",
            json!({"spec": {"minReadySeconds": 10, "progressDeadlineSeconds": 10}}),
            "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds".into(),
        ),
        (
            "Deployment",
            json!({"spec": {"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}}}),
            "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'".into(),
        ),
        ("Deployment", json!({"spec": {"revisionHistoryLimit": -1}}), "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0".into()),
        (
            "Deployment",
            json!({"spec": {"selector": {"matchLabels": null, "matchExpressions": [{"key": "app", "operator": "Foo"}]}}}),
            "[spec.selector.matchExpressions[0].operator: Invalid value: \"Foo\": not a valid selector operator, spec.selector: Invalid value: {\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Foo\"}]}: invalid label selector]".into(),
        ),
        (
            "Deployment",
            json!({"spec": {"template": {"spec": {"containers": [{"name": "web"}]}}}}),
            "spec.template.spec.containers[0].image: Required value".into(),
        ),
        ("ReplicaSet", json!({"spec": {"selector": {"matchLabels": null}}}), "spec.selector: Invalid value: {}: empty selector is invalid for deployment".into()),
        ("StatefulSet", json!({"metadata": {"name": "web.db"}}), "metadata.name: Invalid value: \"web.db\": must not contain dots".into()),
        (
            "StatefulSet",
            tmpl_spec(json!({"restartPolicy": "OnFailure"})),
            "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"".into(),
        ),
        (
            "StatefulSet",
            json!({"spec": {"podManagementPolicy": "Random"}}),
            "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'".into(),
        ),
        ("StatefulSet", json!({"spec": {"selector": {"matchLabels": null}}}), "spec.selector: Invalid value: {}: empty selector is invalid for statefulset".into()),
        (
            "DaemonSet",
            json!({"spec": {"selector": {"matchLabels": {"app": "agent"}}}}),
            format!("spec.template.metadata.labels: Invalid value: {{\"app\":\"web\"}}: {MISMATCH}"),
        ),
        ("DaemonSet", json!({"spec": {"selector": {"matchLabels": null}}}), "spec.selector: Invalid value: {}: empty selector is invalid for daemonset".into()),
        (
            "DaemonSet",
            json!({"spec": {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}}}}),
            "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0".into(),
        ),
        ("ReplicationController", json!({"spec": {"replicas": -1}}), "spec.replicas: Invalid value: -1: must be greater than or equal to 0".into()),
        (
            "ReplicationController",
            json!({"spec": {"selector": {"app": "api"}}}),
            format!("spec.template.metadata.labels: Invalid value: {{\"app\":\"web\"}}: {MISMATCH}"),
        ),
        // ---- Job and CronJob ----
        (
            "Job",
            tmpl_spec(json!({"restartPolicy": null})),
            "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"".into(),
        ),
        (
            "Job",
            tmpl_spec(json!({"restartPolicy": "Always"})),
            "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"".into(),
        ),
        ("Job", json!({"spec": {"parallelism": -1}}), "spec.parallelism: Invalid value: -1: must be greater than or equal to 0".into()),
        ("Job", json!({"spec": {"backoffLimit": -1}}), "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0".into()),
        (
            "Job",
            json!({"spec": {"completionMode": "Random"}}),
            "spec.completionMode: Unsupported value: \"Random\": supported values: \"NonIndexed\", \"Indexed\"".into(),
        ),
        (
            "Job",
            json!({"spec": {"manualSelector": true}}),
            format!("[spec.selector: Required value, spec.template.metadata.labels: Invalid value: {{\"app\":\"pi\"}}: {MISMATCH}]"),
        ),
        ("CronJob", json!({"spec": {"schedule": ""}}), "spec.schedule: Required value".into()),
        (
            "CronJob",
            json!({"spec": {"schedule": "61 * * * *"}}),
            "spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61".into(),
        ),
        (
            "CronJob",
            json!({"spec": {"schedule": "* * *"}}),
            "spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]".into(),
        ),
        (
            "CronJob",
            json!({"spec": {"schedule": "@fortnightly"}}),
            "spec.schedule: Invalid value: \"@fortnightly\": unrecognized descriptor: @fortnightly".into(),
        ),
        (
            "CronJob",
            json!({"spec": {"schedule": "TZ=UTC 0 * * * *"}}),
            "spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead".into(),
        ),
        (
            "CronJob",
            json!({"spec": {"concurrencyPolicy": "Sometimes"}}),
            "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\"".into(),
        ),
        (
            "CronJob",
            json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": null}}}}}}),
            "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"".into(),
        ),
        (
            "CronJob",
            json!({"metadata": {"name": cron_name}}),
            format!("metadata.name: Invalid value: \"{cron_name}\": must be no more than 52 characters"),
        ),
        // ---- Service ----
        (
            "Service",
            json!({"spec": {"type": "Foo"}}),
            "spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"".into(),
        ),
        ("Service", json!({"spec": {"ports": []}}), "spec.ports: Required value".into()),
        (
            "Service",
            json!({"spec": {"ports": [{"port": 70000}]}}),
            format!("[spec.ports[0].port: Invalid value: 70000: {PORT_RANGE}, spec.ports[0].targetPort: Invalid value: 70000: {PORT_RANGE}]"),
        ),
        (
            "Service",
            json!({"spec": {"ports": [{"port": 80}, {"port": 443}]}}),
            "[spec.ports[0].name: Required value, spec.ports[1].name: Required value]".into(),
        ),
        (
            "Service",
            json!({"spec": {"ports": [{"name": "http", "port": 80}, {"name": "http", "port": 81}]}}),
            "spec.ports[1].name: Duplicate value: \"http\"".into(),
        ),
        (
            "Service",
            json!({"spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 80}]}}),
            "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767".into(),
        ),
        (
            "Service",
            json!({"spec": {"ports": [{"port": 80, "nodePort": 30080}]}}),
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'".into(),
        ),
        (
            "Service",
            json!({"spec": {"sessionAffinity": "Sticky"}}),
            "spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"".into(),
        ),
        (
            "Service",
            json!({"spec": {"type": "NodePort", "clusterIP": "None"}}),
            "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services".into(),
        ),
        ("Service", json!({"spec": {"type": "ExternalName", "ports": null}}), "spec.externalName: Required value".into()),
        (
            "Service",
            json!({"spec": {"ports": [{"port": 80, "targetPort": "HTTP"}]}}),
            format!("[spec.ports[0].targetPort: Invalid value: \"HTTP\": {PORT_CHARS}, spec.ports[0].targetPort: Invalid value: \"HTTP\": {PORT_LETTER}]"),
        ),
        (
            "Service",
            json!({"spec": {"clusterIP": "10.0.0.300"}}),
            "spec.clusterIPs[0]: Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)".into(),
        ),
        // ---- ConfigMap, Secret ----
        ("ConfigMap", json!({"data": {"bad key": "x"}}), format!("data[bad key]: Invalid value: \"bad key\": {CONFIG_KEY}")),
        ("ConfigMap", json!({"data": {"..": "x"}}), "data[..]: Invalid value: \"..\": must not be '..'".into()),
        (
            "ConfigMap",
            json!({"binaryData": {"a": "eA=="}}),
            "data[a]: Invalid value: \"a\": duplicate of key present in binaryData".into(),
        ),
        ("ConfigMap", json!({"data": {"big": "x".repeat(1_048_577)}}), ": Too long: may not be more than 1048576 bytes".into()),
        ("Secret", json!({"stringData": {"a/b": "x"}}), format!("data[a/b]: Invalid value: \"a/b\": {CONFIG_KEY}")),
        ("Secret", json!({"type": "kubernetes.io/tls"}), "[data[tls.crt]: Required value, data[tls.key]: Required value]".into()),
        (
            "Secret",
            json!({"type": "kubernetes.io/basic-auth"}),
            "[data[username]: Required value, data[password]: Required value]".into(),
        ),
        // ---- RBAC ----
        (
            "Role",
            json!({"rules": [{"apiGroups": [""], "resources": ["pods"]}]}),
            "rules[0].verbs: Required value: verbs must contain at least one value".into(),
        ),
        (
            "Role",
            json!({"rules": [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]}),
            "rules[0].nonResourceURLs: Invalid value: [\"/healthz\"]: namespaced rules cannot apply to non-resource URLs".into(),
        ),
        (
            "ClusterRole",
            json!({"rules": [{"verbs": ["get"]}]}),
            "[rules[0].apiGroups: Required value: resource rules must supply at least one api group, rules[0].resources: Required value: resource rules must supply at least one resource]".into(),
        ),
        (
            "RoleBinding",
            json!({"roleRef": {"kind": "Foo"}}),
            "roleRef.kind: Unsupported value: \"Foo\": supported values: \"Role\", \"ClusterRole\"".into(),
        ),
        (
            "ClusterRoleBinding",
            json!({"roleRef": {"kind": "Role"}}),
            "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"".into(),
        ),
        (
            "RoleBinding",
            json!({"subjects": [{"kind": "Robot", "name": "r2"}]}),
            "subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"".into(),
        ),
        (
            "ClusterRoleBinding",
            json!({"subjects": [{"kind": "ServiceAccount", "name": "builder"}]}),
            "subjects[0].namespace: Required value".into(),
        ),
        // ---- PVC, ResourceQuota, Ingress ----
        (
            "PersistentVolumeClaim",
            json!({"spec": {"accessModes": null}}),
            "spec.accessModes: Required value: at least 1 access mode is required".into(),
        ),
        ("PersistentVolumeClaim", json!({"spec": {"resources": null}}), "spec.resources[storage]: Required value".into()),
        (
            "PersistentVolumeClaim",
            json!({"spec": {"accessModes": ["ReadWriteSometimes"]}}),
            "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"".into(),
        ),
        ("ResourceQuota", json!({"spec": {"hard": {"pods": "1.5"}}}), "spec.hard[pods]: Invalid value: \"1500m\": must be an integer".into()),
        ("Ingress", json!({"spec": {"rules": null}}), "spec: Invalid value: null: either `defaultBackend` or `rules` must be specified".into()),
        (
            "Ingress",
            json!({"spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Regex", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}),
            "spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"".into(),
        ),
    ];
    assert!(cases.len() >= 60, "the table keeps at least 60 rows ({})", cases.len());
    let failures: Vec<String> = cases.into_iter().filter_map(|(kind, patch, expected)| check(kind, patch, &expected)).collect();
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
