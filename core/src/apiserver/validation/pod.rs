//! Pods and pod templates, mirroring `pkg/apis/core/validation/validation.go`: `ValidatePodCreate`
//! / `ValidatePodSpec` / `ValidatePodTemplateSpec`, `ValidateVolumes`, `validateContainers`,
//! `validateContainerCommon`, `validateContainerPorts`, `ValidateEnv`, `ValidateVolumeMounts`,
//! `ValidateResourceRequirements`, the probe validators, `validateRestartPolicy`,
//! `validateDNSPolicy`, and `ValidatePodUpdate`.
//!
//! Covered: container names (DNS-1123 label, unique across containers and init containers),
//! images, termination message policy, ports (number, IANA name, protocol, duplicate names), env
//! names and key refs, volume sources (one per volume), volume names, mounts referring to
//! volumes, restart and DNS policy, node selector, service account / node / priority class names.
//! Resources are checked in `resources.rs`, probes in `probe.rs`.
//! Left out: security contexts, affinity, topology spread, DNS config, host aliases, ephemeral
//! containers, resize policy, resource claims, sysctls, AppArmor/seccomp annotations.

use super::meta::{self, validate_labels};
use super::names::{self, NameRule};
use super::probe::{validate_probe, Probe};
use super::resources::validate_resource_requirements;
use super::{arr_of, has, int_of, obj_of, str_of};
use crate::apiserver::FieldError;
use serde_json::Value;
use std::collections::BTreeSet;

/// `ValidatePodCreate` -> `ValidatePod`.
pub fn validate_pod(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    let spec = obj.get("spec");
    errs.extend(validate_pod_spec(spec, "spec"));
    // validateContainersOnlyForPod: images may not carry surrounding whitespace in a Pod.
    for list in ["containers", "initContainers"] {
        for (i, c) in arr_of(spec, list).iter().enumerate() {
            let image = str_of(Some(c), "image");
            if image.len() != image.trim().len() {
                errs.push(FieldError::invalid(
                    format!("spec.{list}[{i}].image"),
                    &Value::from(image),
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    if !arr_of(spec, "ephemeralContainers").is_empty() {
        errs.push(FieldError::forbidden("spec.ephemeralContainers", "cannot be set on create"));
    }
    errs
}

/// `ValidatePodTemplateSpec`: labels and annotations at `<path>.labels` / `<path>.annotations`
/// (the template's ObjectMeta is inline in Go's paths), then the pod spec.
pub fn validate_pod_template_spec(template: Option<&Value>, path: &str) -> Vec<FieldError> {
    let tmeta = obj_of(template, "metadata");
    let mut errs = validate_labels(tmeta, "labels", &format!("{path}.labels"));
    errs.extend(meta::validate_annotations(tmeta, "annotations", &format!("{path}.annotations")));
    errs.extend(validate_pod_spec(obj_of(template, "spec"), &format!("{path}.spec")));
    if !arr_of(obj_of(template, "spec"), "ephemeralContainers").is_empty() {
        errs.push(FieldError::forbidden(format!("{path}.spec.ephemeralContainers"), "ephemeral containers not allowed in pod template"));
    }
    errs
}

/// The defaulted `restartPolicy` of a pod spec (`Always` when absent).
pub fn restart_policy(spec: Option<&Value>) -> &str {
    match spec.and_then(|s| s.get("restartPolicy")).and_then(Value::as_str) {
        Some(p) if !p.is_empty() => p,
        _ => "Always",
    }
}

/// `ValidatePodSpec`.
pub fn validate_pod_spec(spec: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let (volumes, verrs) = validate_volumes(spec, &format!("{path}.volumes"));
    errs.extend(verrs);
    let containers = arr_of(spec, "containers");
    let mut all_names = BTreeSet::new();
    errs.extend(validate_containers(containers, &volumes, &mut all_names, &format!("{path}.containers")));
    errs.extend(validate_init_containers(arr_of(spec, "initContainers"), &volumes, &mut all_names, &format!("{path}.initContainers")));

    match restart_policy(spec) {
        "Always" | "OnFailure" | "Never" => {}
        other => errs.push(FieldError::not_supported(
            format!("{path}.restartPolicy"),
            &Value::from(other),
            &["Always", "OnFailure", "Never"],
        )),
    }
    match str_of(spec, "dnsPolicy") {
        "" | "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => {}
        other => errs.push(FieldError::not_supported(
            format!("{path}.dnsPolicy"),
            &Value::from(other),
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
    errs.extend(validate_labels(spec, "nodeSelector", &format!("{path}.nodeSelector")));
    for (field, rule) in [("serviceAccountName", NameRule::Subdomain), ("nodeName", NameRule::Subdomain)] {
        let v = str_of(spec, field);
        if !v.is_empty() {
            for msg in names::check_name(rule, v, false) {
                errs.push(FieldError::invalid(format!("{path}.{field}"), &Value::from(v), msg));
            }
        }
    }
    if let Some(v) = int_of(spec, "activeDeadlineSeconds") {
        if !(1..=i64::from(i32::MAX)).contains(&v) {
            errs.push(FieldError::invalid(
                format!("{path}.activeDeadlineSeconds"),
                &Value::from(v),
                names::inclusive_range_error(1, i64::from(i32::MAX)),
            ));
        }
    }
    for field in ["hostname", "subdomain"] {
        let v = str_of(spec, field);
        if !v.is_empty() {
            for msg in names::dns1123_label(v) {
                errs.push(FieldError::invalid(format!("{path}.{field}"), &Value::from(v), msg));
            }
        }
    }
    let pc = str_of(spec, "priorityClassName");
    if !pc.is_empty() {
        for msg in names::dns1123_subdomain(pc) {
            errs.push(FieldError::invalid(format!("{path}.priorityClassName"), &Value::from(pc), msg));
        }
    }
    errs
}

/// The volume sources `validateVolumeSource` knows, in the order it checks them, with the path
/// its "more than 1 volume type" error names (Go spells two of them `cephFS` and `downwarAPI`).
const VOLUME_SOURCES: &[(&str, &str)] = &[
    ("emptyDir", "emptyDir"),
    ("hostPath", "hostPath"),
    ("gitRepo", "gitRepo"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("secret", "secret"),
    ("nfs", "nfs"),
    ("iscsi", "iscsi"),
    ("glusterfs", "glusterfs"),
    ("flocker", "flocker"),
    ("persistentVolumeClaim", "persistentVolumeClaim"),
    ("rbd", "rbd"),
    ("cinder", "cinder"),
    ("cephfs", "cephFS"),
    ("quobyte", "quobyte"),
    ("downwardAPI", "downwarAPI"),
    ("fc", "fc"),
    ("flexVolume", "flexVolume"),
    ("configMap", "configMap"),
    ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"),
    ("storageos", "storageos"),
    ("projected", "projected"),
    ("scaleIO", "scaleIO"),
    ("csi", "csi"),
    ("ephemeral", "ephemeral"),
    ("image", "image"),
];

/// `ValidateVolumes`: returns the names of volumes that validated (only those can be mounted).
fn validate_volumes(spec: Option<&Value>, path: &str) -> (BTreeSet<String>, Vec<FieldError>) {
    let mut errs = Vec::new();
    let mut names_ok = BTreeSet::new();
    let mut all_names = BTreeSet::new();
    for (i, vol) in arr_of(spec, "volumes").iter().enumerate() {
        let v = Some(vol);
        let idx = format!("{path}[{i}]");
        let mut el = Vec::new();
        // validateVolumeSource: exactly one source (none at all is defaulted to emptyDir).
        let mut found = 0;
        for (src, shown) in VOLUME_SOURCES {
            if !has(v, src) {
                continue;
            }
            if found > 0 {
                el.push(FieldError::forbidden(format!("{idx}.{shown}"), "may not specify more than 1 volume type"));
                continue;
            }
            found += 1;
            let s = obj_of(v, src);
            let required = |field: &str| match str_of(s, field) {
                "" => Some(FieldError::required(format!("{idx}.{src}.{field}"), "")),
                _ => None,
            };
            match *src {
                "hostPath" => el.extend(required("path")),
                "secret" => el.extend(required("secretName")),
                "configMap" => el.extend(required("name")),
                "persistentVolumeClaim" => el.extend(required("claimName")),
                "nfs" => {
                    el.extend(required("server"));
                    el.extend(required("path"));
                }
                _ => {}
            }
        }
        let name = str_of(v, "name");
        if name.is_empty() {
            el.push(FieldError::required(format!("{idx}.name"), ""));
        } else {
            for msg in names::dns1123_label(name) {
                el.push(FieldError::invalid(format!("{idx}.name"), &Value::from(name), msg));
            }
        }
        if all_names.contains(name) {
            el.push(FieldError::duplicate(format!("{idx}.name"), &Value::from(name)));
        }
        if el.is_empty() {
            all_names.insert(name.to_string());
            names_ok.insert(name.to_string());
        } else {
            errs.extend(el);
        }
    }
    (names_ok, errs)
}

/// `validateContainers`.
fn validate_containers(
    containers: &[Value],
    volumes: &BTreeSet<String>,
    all_names: &mut BTreeSet<String>,
    path: &str,
) -> Vec<FieldError> {
    if containers.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let mut errs = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let c = Some(c);
        errs.extend(validate_container_common(c, volumes, &p));
        let name = str_of(c, "name");
        if !all_names.insert(name.to_string()) {
            errs.push(FieldError::duplicate(format!("{p}.name"), &Value::from(name)));
        }
        errs.extend(validate_probe(obj_of(c, "livenessProbe"), &format!("{p}.livenessProbe"), Probe::Liveness));
        errs.extend(validate_probe(obj_of(c, "readinessProbe"), &format!("{p}.readinessProbe"), Probe::Readiness));
        errs.extend(validate_probe(obj_of(c, "startupProbe"), &format!("{p}.startupProbe"), Probe::Startup));
    }
    errs
}

/// `validateInitContainers`: names are unique across both lists; probes and lifecycle only on
/// restartable (sidecar) init containers.
fn validate_init_containers(
    containers: &[Value],
    volumes: &BTreeSet<String>,
    all_names: &mut BTreeSet<String>,
    path: &str,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let c = Some(c);
        errs.extend(validate_container_common(c, volumes, &p));
        let name = str_of(c, "name");
        if !all_names.insert(name.to_string()) {
            errs.push(FieldError::duplicate(format!("{p}.name"), &Value::from(name)));
        }
        if str_of(c, "restartPolicy") == "Always" {
            errs.extend(validate_probe(obj_of(c, "livenessProbe"), &format!("{p}.livenessProbe"), Probe::Liveness));
            errs.extend(validate_probe(obj_of(c, "readinessProbe"), &format!("{p}.readinessProbe"), Probe::Readiness));
            errs.extend(validate_probe(obj_of(c, "startupProbe"), &format!("{p}.startupProbe"), Probe::Startup));
        } else {
            for field in ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"] {
                if has(c, field) {
                    errs.push(FieldError::forbidden(format!("{p}.{field}"), "may not be set for init containers without restartPolicy=Always"));
                }
            }
        }
    }
    errs
}

/// `validateContainerCommon`.
fn validate_container_common(c: Option<&Value>, volumes: &BTreeSet<String>, p: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = str_of(c, "name");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{p}.name"), ""));
    } else {
        for msg in names::dns1123_label(name) {
            errs.push(FieldError::invalid(format!("{p}.name"), &Value::from(name), msg));
        }
    }
    if str_of(c, "image").is_empty() {
        errs.push(FieldError::required(format!("{p}.image"), ""));
    }
    match str_of(c, "terminationMessagePolicy") {
        "" | "File" | "FallbackToLogsOnError" => {}
        other => errs.push(FieldError::not_supported(
            format!("{p}.terminationMessagePolicy"),
            &Value::from(other),
            &["File", "FallbackToLogsOnError"],
        )),
    }
    errs.extend(validate_container_ports(arr_of(c, "ports"), &format!("{p}.ports")));
    errs.extend(validate_env(arr_of(c, "env"), &format!("{p}.env")));
    errs.extend(validate_volume_mounts(arr_of(c, "volumeMounts"), volumes, &format!("{p}.volumeMounts")));
    match str_of(c, "imagePullPolicy") {
        "" | "Always" | "IfNotPresent" | "Never" => {}
        other => errs.push(FieldError::not_supported(
            format!("{p}.imagePullPolicy"),
            &Value::from(other),
            &["Always", "IfNotPresent", "Never"],
        )),
    }
    errs.extend(validate_resource_requirements(obj_of(c, "resources"), &format!("{p}.resources")));
    errs
}

/// `validateContainerPorts`.
fn validate_container_ports(ports: &[Value], path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut all_names = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let port = Some(port);
        let name = str_of(port, "name");
        if !name.is_empty() {
            let msgs = names::port_name(name);
            if !msgs.is_empty() {
                for msg in msgs {
                    errs.push(FieldError::invalid(format!("{p}.name"), &Value::from(name), msg));
                }
            } else if !all_names.insert(name.to_string()) {
                errs.push(FieldError::duplicate(format!("{p}.name"), &Value::from(name)));
            }
        }
        match int_of(port, "containerPort").unwrap_or(0) {
            0 => errs.push(FieldError::required(format!("{p}.containerPort"), "")),
            n => {
                for msg in names::port_num(n) {
                    errs.push(FieldError::invalid(format!("{p}.containerPort"), &Value::from(n), msg));
                }
            }
        }
        if let Some(h) = int_of(port, "hostPort").filter(|h| *h != 0) {
            for msg in names::port_num(h) {
                errs.push(FieldError::invalid(format!("{p}.hostPort"), &Value::from(h), msg));
            }
        }
        errs.extend(validate_protocol(port, &format!("{p}.protocol")));
    }
    errs
}

/// The port protocol check shared with Service ports (`TCP` when absent, as defaulted).
pub fn validate_protocol(port: Option<&Value>, path: &str) -> Vec<FieldError> {
    match str_of(port, "protocol") {
        "" | "TCP" | "UDP" | "SCTP" => Vec::new(),
        other => vec![FieldError::not_supported(path, &Value::from(other), &["SCTP", "TCP", "UDP"])],
    }
}

/// `ValidateEnv` with relaxed names (RelaxedEnvironmentVariableValidation is on by default).
fn validate_env(vars: &[Value], path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, ev) in vars.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let ev = Some(ev);
        let name = str_of(ev, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{p}.name"), ""));
        }
        for msg in names::relaxed_env_var_name(name) {
            errs.push(FieldError::invalid(format!("{p}.name"), &Value::from(name), msg));
        }
        let from = obj_of(ev, "valueFrom");
        for sel in ["configMapKeyRef", "secretKeyRef"] {
            let Some(r) = obj_of(from, sel) else { continue };
            let sp = format!("{p}.valueFrom.{sel}");
            if str_of(Some(r), "name").is_empty() {
                errs.push(FieldError::required(format!("{sp}.name"), ""));
            }
            let key = str_of(Some(r), "key");
            if key.is_empty() {
                errs.push(FieldError::required(format!("{sp}.key"), ""));
            } else {
                for msg in names::config_map_key(key) {
                    errs.push(FieldError::invalid(format!("{sp}.key"), &Value::from(key), msg));
                }
            }
        }
    }
    errs
}

/// `ValidateVolumeMounts`.
fn validate_volume_mounts(mounts: &[Value], volumes: &BTreeSet<String>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut mount_points = BTreeSet::new();
    for (i, m) in mounts.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let m = Some(m);
        let name = str_of(m, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{p}.name"), ""));
        }
        if !volumes.contains(name) {
            errs.push(FieldError::not_found(format!("{p}.name"), &Value::from(name)));
        }
        let mount_path = str_of(m, "mountPath");
        if mount_path.is_empty() {
            errs.push(FieldError::required(format!("{p}.mountPath"), ""));
        }
        if !mount_points.insert(mount_path.to_string()) {
            errs.push(FieldError::invalid(format!("{p}.mountPath"), &Value::from(mount_path), "must be unique"));
        }
        // validateLocalDescendingPath, called with the list's path (no index) as in Go.
        let sub = str_of(m, "subPath");
        if !sub.is_empty() {
            if sub.starts_with('/') {
                errs.push(FieldError::invalid(format!("{path}.subPath"), &Value::from(sub), "must be a relative path"));
            }
            if sub.split(['/', '\\']).any(|part| part == "..") {
                errs.push(FieldError::invalid(format!("{path}.subPath"), &Value::from(sub), "must not contain '..'"));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    fn pod(spec: Value) -> Value {
        json!({"metadata": {"name": "p", "namespace": "default"}, "spec": spec})
    }

    #[test]
    fn a_valid_pod_has_no_errors() {
        let p = pod(json!({"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "name": "http"}],
            "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1"}},
            "livenessProbe": {"httpGet": {"port": "http"}}, "volumeMounts": [{"name": "data", "mountPath": "/d"}]}],
            "volumes": [{"name": "data", "emptyDir": {}}]}));
        assert_eq!(validate_pod(&p), vec![]);
    }

    #[test]
    fn requests_above_limits() {
        let p = pod(json!({"containers": [{"name": "web", "image": "nginx",
            "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "500m"}}}]}));
        assert_eq!(
            aggregate(&validate_pod(&p)),
            "spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu limit of 500m"
        );
    }

    #[test]
    fn probes_need_exactly_one_handler() {
        let p = pod(json!({"containers": [{"name": "web", "image": "nginx",
            "readinessProbe": {"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}},
            "livenessProbe": {}}]}));
        assert_eq!(
            aggregate(&validate_pod(&p)),
            "[spec.containers[0].livenessProbe: Required value: must specify a handler type, \
             spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type]"
        );
    }

    #[test]
    fn volumes_and_mounts() {
        let p = pod(json!({"containers": [{"name": "web", "image": "nginx", "volumeMounts": [{"name": "x", "mountPath": "/x"}]}],
            "volumes": [{"name": "a", "emptyDir": {}, "configMap": {"name": "c"}}]}));
        assert_eq!(
            aggregate(&validate_pod(&p)),
            "[spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type, spec.containers[0].volumeMounts[0].name: Not found: \"x\"]"
        );
    }
}
