//! The Pod Security Standards checks: mirrors `k8s.io/pod-security-admission/policy/check_*.go`
//! at their latest versions, with the same reasons and details.
//!
//! A check looks at a pod's metadata and spec and either allows it or returns a
//! `(reason, detail)` pair; the plugin joins failed checks as `reason (detail), reason (detail)`.
//! Checks run in the order pod-security-admission sorts them: baseline checks by ID, then
//! restricted checks by ID (Go's byte order, so `seLinuxOptions` sorts before `seccomp...`). The
//! restricted level runs every baseline check except the three it replaces with stricter versions
//! (capabilities, hostPath volumes, seccomp).
//!
//! Simulated checks — baseline: capabilities_baseline, hostNamespaces, hostPathVolumes, hostPorts,
//! privileged, seccompProfile_baseline; restricted: allowPrivilegeEscalation,
//! capabilities_restricted, restrictedVolumes, runAsNonRoot, runAsUser, seccompProfile_restricted.
//! Not simulated: appArmorProfile, hostProbesAndHostLifecycle, procMount, seLinuxOptions, sysctls,
//! windowsHostProcess, and the per-version differences of old policy versions (every version is
//! evaluated as `latest`).

use serde_json::Value;
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub(super) fn name(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// A failed check: `(forbidden reason, forbidden detail)`.
pub(super) type Failure = (&'static str, String);

type CheckFn = fn(&Value, &Value) -> Option<Failure>;

/// `(id, level, overridden by restricted, check)`, in evaluation order.
const CHECKS: &[(&str, Level, bool, CheckFn)] = &[
    ("capabilities_baseline", Level::Baseline, true, capabilities_baseline),
    ("hostNamespaces", Level::Baseline, false, host_namespaces),
    ("hostPathVolumes", Level::Baseline, true, host_path_volumes),
    ("hostPorts", Level::Baseline, false, host_ports),
    ("privileged", Level::Baseline, false, privileged),
    ("seccompProfile_baseline", Level::Baseline, true, seccomp_baseline),
    ("allowPrivilegeEscalation", Level::Restricted, false, allow_privilege_escalation),
    ("capabilities_restricted", Level::Restricted, false, capabilities_restricted),
    ("restrictedVolumes", Level::Restricted, false, restricted_volumes),
    ("runAsNonRoot", Level::Restricted, false, run_as_non_root),
    ("runAsUser", Level::Restricted, false, run_as_user),
    ("seccompProfile_restricted", Level::Restricted, false, seccomp_restricted),
];

/// Every failure of the pod at `level`, in order.
pub(super) fn evaluate(level: Level, metadata: &Value, spec: &Value) -> Vec<Failure> {
    CHECKS
        .iter()
        .filter(|(_, check_level, overridden, _)| match level {
            Level::Privileged => false,
            Level::Baseline => *check_level == Level::Baseline,
            Level::Restricted => !(*check_level == Level::Baseline && *overridden),
        })
        .filter_map(|(_, _, _, check)| check(metadata, spec))
        .collect()
}

/// `ForbiddenDetail()`: `reason (detail), reason, ...`.
pub(super) fn render(failures: &[Failure]) -> String {
    failures
        .iter()
        .map(|(reason, detail)| if detail.is_empty() { reason.to_string() } else { format!("{reason} ({detail})") })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `ForbiddenReason()`: the reasons alone, for namespace-wide warnings.
pub(super) fn reasons(failures: &[Failure]) -> String {
    failures.iter().map(|(r, _)| *r).collect::<Vec<_>>().join(", ")
}

/// `visitContainers`: init containers, containers, ephemeral containers.
fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers", "ephemeralContainers"].into_iter().flat_map(move |k| spec[k].as_array().into_iter().flatten())
}

fn name(c: &Value) -> String {
    c["name"].as_str().unwrap_or("").to_string()
}

fn join_quote<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items.into_iter().map(|s| format!("\"{}\"", s.as_ref())).collect::<Vec<_>>().join(", ")
}

fn pluralize(singular: &'static str, plural: &'static str, count: usize) -> &'static str {
    if count == 1 {
        singular
    } else {
        plural
    }
}

/// `"container \"a\""` / `"containers \"a\", \"b\""`.
fn containers_phrase(names: &[String]) -> String {
    format!("{} {}", pluralize("container", "containers", names.len()), join_quote(names))
}

fn is_windows(spec: &Value) -> bool {
    spec["os"]["name"] == "windows"
}

/// `relaxPolicyForUserNamespacePod`: pods in a user namespace (`hostUsers: false`).
fn in_user_namespace(spec: &Value) -> bool {
    spec["hostUsers"] == false
}

const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn added_capabilities(c: &Value) -> impl Iterator<Item = &str> {
    c["securityContext"]["capabilities"]["add"].as_array().into_iter().flatten().filter_map(Value::as_str)
}

fn capabilities_baseline(_: &Value, spec: &Value) -> Option<Failure> {
    let mut bad = Vec::new();
    let mut caps = BTreeSet::new();
    for c in containers(spec) {
        let extra: Vec<&str> = added_capabilities(c).filter(|cap| !BASELINE_CAPABILITIES.contains(cap)).collect();
        if !extra.is_empty() {
            bad.push(name(c));
            caps.extend(extra);
        }
    }
    (!bad.is_empty()).then(|| {
        ("non-default capabilities", format!("{} must not include {} in securityContext.capabilities.add", containers_phrase(&bad), join_quote(caps)))
    })
}

fn host_namespaces(_: &Value, spec: &Value) -> Option<Failure> {
    let set: Vec<&str> = [("hostNetwork", "hostNetwork=true"), ("hostPID", "hostPID=true"), ("hostIPC", "hostIPC=true")]
        .into_iter()
        .filter(|(field, _)| spec[*field] == true)
        .map(|(_, text)| text)
        .collect();
    (!set.is_empty()).then(|| ("host namespaces", set.join(", ")))
}

fn host_path_volumes(_: &Value, spec: &Value) -> Option<Failure> {
    let names: Vec<String> =
        spec["volumes"].as_array().into_iter().flatten().filter(|v| !v["hostPath"].is_null()).map(name).collect();
    (!names.is_empty()).then(|| ("hostPath volumes", format!("{} {}", pluralize("volume", "volumes", names.len()), join_quote(&names))))
}

fn host_ports(_: &Value, spec: &Value) -> Option<Failure> {
    let mut bad = Vec::new();
    // Ports are collected as strings, so they sort as strings ("443" < "80"), as in Go.
    let mut ports = BTreeSet::new();
    for c in containers(spec) {
        let used: Vec<String> = c["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["hostPort"].as_i64())
            .filter(|p| *p != 0)
            .map(|p| p.to_string())
            .collect();
        if !used.is_empty() {
            bad.push(name(c));
            ports.extend(used);
        }
    }
    (!bad.is_empty()).then(|| {
        let detail = format!(
            "{} {} {} {}",
            containers_phrase(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.into_iter().collect::<Vec<_>>().join(", ")
        );
        ("hostPort", detail)
    })
}

fn privileged(_: &Value, spec: &Value) -> Option<Failure> {
    let bad: Vec<String> = containers(spec).filter(|c| c["securityContext"]["privileged"] == true).map(name).collect();
    (!bad.is_empty()).then(|| ("privileged", format!("{} must not set securityContext.privileged=true", containers_phrase(&bad))))
}

fn valid_seccomp(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

/// The pod-level and explicitly bad container-level seccomp types: `(bad setters, bad values,
/// pod sets a valid profile)`.
fn seccomp_setters(spec: &Value) -> (Vec<String>, BTreeSet<String>, bool, Vec<String>) {
    let mut setters = Vec::new();
    let mut values = BTreeSet::new();
    let mut pod_valid = false;
    let pod_profile = &spec["securityContext"]["seccompProfile"];
    if pod_profile.is_object() {
        let t = pod_profile["type"].as_str().unwrap_or("");
        if valid_seccomp(t) {
            pod_valid = true;
        } else {
            setters.push("pod".to_string());
            values.insert(t.to_string());
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in containers(spec) {
        let profile = &c["securityContext"]["seccompProfile"];
        if profile.is_object() {
            let t = profile["type"].as_str().unwrap_or("");
            if !valid_seccomp(t) {
                explicit.push(name(c));
                values.insert(t.to_string());
            }
        } else if !pod_valid {
            implicit.push(name(c));
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    (setters, values, pod_valid, implicit)
}

fn seccomp_baseline(_: &Value, spec: &Value) -> Option<Failure> {
    let (setters, values, _, _) = seccomp_setters(spec);
    (!setters.is_empty()).then(|| {
        ("seccompProfile", format!("{} must not set securityContext.seccompProfile.type to {}", setters.join(" and "), join_quote(values)))
    })
}

fn seccomp_restricted(meta: &Value, spec: &Value) -> Option<Failure> {
    if is_windows(spec) {
        return None;
    }
    let (setters, _, _, implicit) = seccomp_setters(spec);
    if !setters.is_empty() {
        return seccomp_baseline(meta, spec);
    }
    (!implicit.is_empty()).then(|| {
        (
            "seccompProfile",
            format!(r#"pod or {} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#, containers_phrase(&implicit)),
        )
    })
}

fn allow_privilege_escalation(_: &Value, spec: &Value) -> Option<Failure> {
    if is_windows(spec) {
        return None;
    }
    let bad: Vec<String> =
        containers(spec).filter(|c| c["securityContext"]["allowPrivilegeEscalation"] != false).map(name).collect();
    (!bad.is_empty()).then(|| {
        ("allowPrivilegeEscalation != false", format!("{} must set securityContext.allowPrivilegeEscalation=false", containers_phrase(&bad)))
    })
}

fn capabilities_restricted(_: &Value, spec: &Value) -> Option<Failure> {
    if is_windows(spec) {
        return None;
    }
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut caps = BTreeSet::new();
    for c in containers(spec) {
        let capabilities = &c["securityContext"]["capabilities"];
        if !capabilities.is_object() {
            missing_drop.push(name(c));
            continue;
        }
        let drops_all = capabilities["drop"].as_array().into_iter().flatten().any(|d| d == "ALL");
        if !drops_all {
            missing_drop.push(name(c));
        }
        let extra: Vec<&str> = added_capabilities(c).filter(|cap| *cap != "NET_BIND_SERVICE").collect();
        if !extra.is_empty() {
            adding.push(name(c));
            caps.extend(extra);
        }
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(r#"{} must set securityContext.capabilities.drop=["ALL"]"#, containers_phrase(&missing_drop)));
    }
    if !adding.is_empty() {
        details.push(format!("{} must not include {} in securityContext.capabilities.add", containers_phrase(&adding), join_quote(caps)));
    }
    (!details.is_empty()).then(|| ("unrestricted capabilities", details.join("; ")))
}

/// Inline volume sources the restricted profile allows.
const ALLOWED_VOLUMES: [&str; 9] =
    ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"];
/// The restricted sources, in the order the check names them.
const RESTRICTED_VOLUMES: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn restricted_volumes(_: &Value, spec: &Value) -> Option<Failure> {
    let mut bad = Vec::new();
    let mut kinds = BTreeSet::new();
    for v in spec["volumes"].as_array().into_iter().flatten() {
        let set = |k: &str| !v[k].is_null();
        if ALLOWED_VOLUMES.iter().any(|k| set(k)) {
            continue;
        }
        bad.push(name(v));
        kinds.insert(RESTRICTED_VOLUMES.iter().find(|k| set(k)).copied().unwrap_or("unknown"));
    }
    (!bad.is_empty()).then(|| {
        let detail = format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", bad.len()),
            join_quote(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize("restricted volume type", "restricted volume types", kinds.len()),
            join_quote(kinds)
        );
        ("restricted volume types", detail)
    })
}

fn run_as_non_root(_: &Value, spec: &Value) -> Option<Failure> {
    if in_user_namespace(spec) {
        return None;
    }
    let mut setters = Vec::new();
    let mut pod_non_root = false;
    match spec["securityContext"]["runAsNonRoot"].as_bool() {
        Some(false) => setters.push("pod".to_string()),
        Some(true) => pod_non_root = true,
        None => {}
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in containers(spec) {
        match c["securityContext"]["runAsNonRoot"].as_bool() {
            Some(false) => explicit.push(name(c)),
            Some(true) => {}
            None if !pod_non_root => implicit.push(name(c)),
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        return Some(("runAsNonRoot != true", format!("{} must not set securityContext.runAsNonRoot=false", setters.join(" and "))));
    }
    (!implicit.is_empty())
        .then(|| ("runAsNonRoot != true", format!("pod or {} must set securityContext.runAsNonRoot=true", containers_phrase(&implicit))))
}

fn run_as_user(_: &Value, spec: &Value) -> Option<Failure> {
    if in_user_namespace(spec) {
        return None;
    }
    let mut setters = Vec::new();
    if spec["securityContext"]["runAsUser"] == 0 {
        setters.push("pod".to_string());
    }
    let bad: Vec<String> = containers(spec).filter(|c| c["securityContext"]["runAsUser"] == 0).map(name).collect();
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    (!setters.is_empty()).then(|| ("runAsUser=0", format!("{} must not set runAsUser=0", setters.join(" and "))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn detail(level: Level, spec: Value) -> String {
        render(&evaluate(level, &json!({}), &spec))
    }

    #[test]
    fn restricted_texts_for_a_plain_pod() {
        let spec = json!({"containers": [{"name": "nginx", "image": "nginx"}]});
        assert_eq!(detail(Level::Baseline, spec.clone()), "");
        assert_eq!(
            detail(Level::Restricted, spec),
            r#"allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
        );
        let good = json!({
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "nginx", "image": "nginx", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}],
            "volumes": [{"name": "t", "projected": {}}]
        });
        assert_eq!(detail(Level::Restricted, good), "");
    }

    #[test]
    fn baseline_texts() {
        let spec = json!({
            "hostNetwork": true, "hostPID": true,
            "containers": [
                {"name": "a", "securityContext": {"privileged": true, "capabilities": {"add": ["NET_ADMIN", "CHOWN", "SYS_TIME"]}}, "ports": [{"containerPort": 80, "hostPort": 80}]},
                {"name": "b", "securityContext": {"seccompProfile": {"type": "Unconfined"}}, "ports": [{"containerPort": 8080, "hostPort": 8080}]}
            ],
            "volumes": [{"name": "host", "hostPath": {"path": "/"}}, {"name": "nfs", "nfs": {"server": "x", "path": "/"}}]
        });
        assert_eq!(
            detail(Level::Baseline, spec.clone()),
            r#"non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add), host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "host"), hostPort (containers "a", "b" use hostPorts 80, 8080), privileged (container "a" must not set securityContext.privileged=true), seccompProfile (container "b" must not set securityContext.seccompProfile.type to "Unconfined")"#
        );
        let restricted = detail(Level::Restricted, spec);
        assert!(restricted.contains(r#"restricted volume types (volumes "host", "nfs" use restricted volume types "hostPath", "nfs")"#), "{restricted}");
        assert!(!restricted.contains("hostPath volumes"));
    }
}
