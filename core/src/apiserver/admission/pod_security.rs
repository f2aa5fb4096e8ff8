//! PodSecurity: mirrors the in-tree `plugin/pkg/admission/security/podsecurity` wrapper around
//! `k8s.io/pod-security-admission/admission` (the checks are in `pod_security_checks.rs`).
//!
//! A namespace chooses its policy with labels `pod-security.kubernetes.io/<mode>` and
//! `<mode>-version`, modes `enforce`, `warn`, `audit`, levels `privileged`, `baseline`,
//! `restricted`, versions `latest` or `v1.<n>`. Unlabelled modes are `privileged:latest`; when
//! only `enforce` is set to a stricter level, `warn` follows it.
//!
//! - Pods (create, and updates that change images or the number of containers): `enforce`
//!   rejects with 403 `pods "x" is forbidden: violates PodSecurity "restricted:latest": ...`;
//!   otherwise `warn` adds the warning `would violate PodSecurity "restricted:latest": ...`
//!   (kubectl prints it as `Warning: ...`). Subresources such as `status`, `binding`, `exec` are
//!   not evaluated.
//! - Pod controllers (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs,
//!   ReplicationControllers, PodTemplates): never rejected, only `warn` (and `audit`) are
//!   evaluated on their pod template, so a Deployment is created and its pods then fail.
//! - Namespaces: invalid label values are 422 on create (and on updates that change them); a new,
//!   stricter `enforce` level warns about the existing pods that would violate it.
//!
//! `audit` violations would go to the audit log; here they are noted in the record's detail.
//! No namespaces, users or runtime classes are exempt (the default configuration).

use super::pod_security_checks::{evaluate, reasons, render, Level};
use super::{forbidden, list, object_name, Operation, Rejection, Request, Verdict};
use crate::apiserver::field::FieldError;
use crate::apiserver::{Objects, Status};
use serde_json::Value;

const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";
const IGNORED_POD_SUBRESOURCES: [&str; 8] = ["exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status"];
/// `(group, resource)` of the kinds that embed a pod template.
const POD_CONTROLLERS: [(&str, &str); 8] = [
    ("", "podtemplates"),
    ("", "replicationcontrollers"),
    ("apps", "replicasets"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

/// A level and the policy version it is evaluated at (`latest` or `v1.<n>`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct LevelVersion {
    level: Level,
    version: String,
}

impl LevelVersion {
    fn privileged() -> Self {
        LevelVersion { level: Level::Privileged, version: "latest".into() }
    }

    /// `restricted:latest`, as the messages quote it.
    fn label(&self) -> String {
        format!("{}:{}", self.level.name(), self.version)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Policy {
    enforce: LevelVersion,
    audit: LevelVersion,
    warn: LevelVersion,
}

/// `api.PolicyToEvaluate`: the policy and the label errors (a bad level reads as `restricted` for
/// enforce and `privileged` for warn and audit; a bad version as `latest`).
fn policy_of(labels: &Value) -> (Policy, Vec<FieldError>) {
    let mut p = Policy { enforce: LevelVersion::privileged(), audit: LevelVersion::privileged(), warn: LevelVersion::privileged() };
    let mut errors = Vec::new();
    // A namespace without any PodSecurity label (most of them) is privileged in every mode; the
    // nine label lookups below each spelled a key.
    if !labels.as_object().is_some_and(|m| m.keys().any(|k| k.starts_with(LABEL_PREFIX))) {
        return (p, errors);
    }
    let label = |mode: &str| -> Option<String> { labels.get(format!("{LABEL_PREFIX}{mode}")).and_then(Value::as_str).map(str::to_string) };
    let (mut has_enforce_level, mut has_warn_level, mut has_warn_version) = (false, false, false);
    for mode in ["enforce", "audit", "warn"] {
        let level_label = label(mode);
        let version_label = label(&format!("{mode}-version"));
        let target = match mode {
            "enforce" => &mut p.enforce,
            "audit" => &mut p.audit,
            _ => &mut p.warn,
        };
        if let Some(level) = level_label {
            match parse_level(&level) {
                Some(l) => {
                    target.level = l;
                    has_enforce_level |= mode == "enforce";
                }
                None => {
                    // Fail closed for enforce, open for audit and warn.
                    target.level = if mode == "enforce" { Level::Restricted } else { Level::Privileged };
                    errors.push(label_error(mode, &level, "must be one of privileged, baseline, restricted"));
                }
            }
            has_warn_level |= mode == "warn";
        }
        if let Some(version) = version_label {
            target.version = if valid_version(&version) {
                version.clone()
            } else {
                errors.push(label_error(&format!("{mode}-version"), &version, r#"must be "latest" or "v1.x""#));
                "latest".into()
            };
            has_warn_version |= mode == "warn";
        }
    }
    if !has_warn_level && has_enforce_level && p.enforce.level > p.warn.level {
        p.warn.level = p.enforce.level;
        if !has_warn_version {
            p.warn.version = p.enforce.version.clone();
        }
    }
    (p, errors)
}

fn parse_level(s: &str) -> Option<Level> {
    match s {
        "privileged" => Some(Level::Privileged),
        "baseline" => Some(Level::Baseline),
        "restricted" => Some(Level::Restricted),
        _ => None,
    }
}

/// `latest` or `v1.<n>` with no leading zero.
fn valid_version(s: &str) -> bool {
    if s == "latest" {
        return true;
    }
    let Some(minor) = s.strip_prefix("v1.") else { return false };
    !minor.is_empty() && minor.len() <= 9 && minor.chars().all(|c| c.is_ascii_digit()) && (minor == "0" || !minor.starts_with('0'))
}

fn label_error(mode: &str, value: &str, detail: &str) -> FieldError {
    FieldError::invalid(format!("metadata.labels[{LABEL_PREFIX}{mode}]"), &Value::String(value.to_string()), detail)
}

pub(super) fn validate(objects: &dyn Objects, req: &Request, obj: &Value) -> Result<Verdict, Rejection> {
    if !matches!(req.operation, Operation::Create | Operation::Update) {
        return Ok(Verdict::skip());
    }
    if req.is("", "namespaces") {
        return validate_namespace(objects, req, obj);
    }
    if req.is("", "pods") {
        return validate_pod(objects, req, obj);
    }
    if POD_CONTROLLERS.iter().any(|(g, r)| req.is(g, r)) {
        return validate_controller(objects, req, obj);
    }
    Ok(Verdict::skip())
}

fn validate_pod(objects: &dyn Objects, req: &Request, pod: &Value) -> Result<Verdict, Rejection> {
    if IGNORED_POD_SUBRESOURCES.contains(&req.subresource) {
        return Ok(Verdict::skip());
    }
    let Some(namespace) = objects.get_shared("namespaces", "", req.namespace) else {
        let status = Status::internal(format!("failed to lookup namespace {:?}", req.namespace));
        return Err(Rejection { reason: status.message.clone(), status });
    };
    let (policy, _) = policy_of(&namespace["metadata"]["labels"]);
    if [&policy.enforce, &policy.audit, &policy.warn].iter().all(|lv| lv.level == Level::Privileged) {
        return Ok(Verdict::note(format!("namespace {} is privileged", req.namespace)));
    }
    if req.operation == Operation::Update {
        if let Some(old) = req.old {
            if !significant_update(pod, old) {
                return Ok(Verdict::note("the update changes no image or container"));
            }
        }
    }
    evaluate_pod(req, pod, &pod["metadata"], &pod["spec"], &policy, true)
}

fn validate_controller(objects: &dyn Objects, req: &Request, obj: &Value) -> Result<Verdict, Rejection> {
    if !req.subresource.is_empty() {
        return Ok(Verdict::skip());
    }
    let Some(namespace) = objects.get_shared("namespaces", "", req.namespace) else {
        return Ok(Verdict::note(format!("failed to lookup namespace {:?}", req.namespace)));
    };
    let (policy, _) = policy_of(&namespace["metadata"]["labels"]);
    if policy.warn.level == Level::Privileged && policy.audit.level == Level::Privileged {
        return Ok(Verdict::note(format!("namespace {} warns and audits nothing", req.namespace)));
    }
    let template = if req.is("batch", "cronjobs") {
        &obj["spec"]["jobTemplate"]["spec"]["template"]
    } else if req.is("", "podtemplates") {
        &obj["template"]
    } else {
        &obj["spec"]["template"]
    };
    if !template.is_object() {
        return Ok(Verdict::note("no pod template"));
    }
    evaluate_pod(req, obj, &template["metadata"], &template["spec"], &policy, false)
}

/// `EvaluatePod`: enforce (pods only), then audit, then warn unless already rejected.
fn evaluate_pod(req: &Request, obj: &Value, meta: &Value, spec: &Value, policy: &Policy, enforce: bool) -> Result<Verdict, Rejection> {
    let mut notes = Vec::new();
    if enforce {
        let failures = evaluate(policy.enforce.level, meta, spec);
        if !failures.is_empty() {
            return Err(forbidden(req, obj, format!("violates PodSecurity {:?}: {}", policy.enforce.label(), render(&failures))));
        }
        notes.push(format!("allowed by enforce {:?}", policy.enforce.label()));
    }
    let audit = evaluate(policy.audit.level, meta, spec);
    if !audit.is_empty() {
        notes.push(format!("audit: would violate PodSecurity {:?}: {}", policy.audit.label(), render(&audit)));
    }
    let mut warnings = Vec::new();
    let warn = evaluate(policy.warn.level, meta, spec);
    if !warn.is_empty() {
        warnings.push(format!("would violate PodSecurity {:?}: {}", policy.warn.label(), render(&warn)));
    }
    if notes.is_empty() && warnings.is_empty() {
        notes.push(format!("meets {:?}", policy.warn.label()));
    }
    Ok(Verdict { note: notes.join("; "), warnings })
}

/// `isSignificantPodUpdate`: only image changes and container additions are evaluated (other pod
/// fields are immutable anyway).
fn significant_update(pod: &Value, old: &Value) -> bool {
    let images = |p: &Value, key: &str| -> Vec<String> {
        p["spec"][key].as_array().into_iter().flatten().map(|c| c["image"].as_str().unwrap_or("").to_string()).collect()
    };
    ["containers", "initContainers"].iter().any(|k| images(pod, k) != images(old, k)) || {
        let named = |p: &Value| -> Vec<(String, String)> {
            p["spec"]["ephemeralContainers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| (c["name"].as_str().unwrap_or("").to_string(), c["image"].as_str().unwrap_or("").to_string()))
                .collect()
        };
        let old_named = named(old);
        named(pod).iter().any(|c| !old_named.contains(c))
    }
}

/// `ValidateNamespace`.
fn validate_namespace(objects: &dyn Objects, req: &Request, ns: &Value) -> Result<Verdict, Rejection> {
    if !req.subresource.is_empty() {
        return Ok(Verdict::skip());
    }
    let (policy, errors) = policy_of(&ns["metadata"]["labels"]);
    let invalid = |errors: &[FieldError]| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let name = object_name(req, ns);
        let message = format!("Namespace {name:?} is invalid: {}", super::aggregate(&list));
        Rejection { reason: super::aggregate(&list), status: Status { code: 422, reason: "Invalid", message } }
    };
    let Some(old) = req.old.filter(|_| req.operation == Operation::Update) else {
        return if errors.is_empty() { Ok(Verdict::note("valid PodSecurity labels")) } else { Err(invalid(&errors)) };
    };
    let (old_policy, old_errors) = policy_of(&old["metadata"]["labels"]);
    if !errors.is_empty() && (old_errors.is_empty() || errors != old_errors) {
        return Err(invalid(&errors));
    }
    let (new, old) = (&policy.enforce, &old_policy.enforce);
    let relaxed = new.version == old.version && new.level <= old.level;
    if new == old || new.level == Level::Privileged || relaxed {
        return Ok(Verdict::note("the enforce level did not get stricter"));
    }
    let name = object_name(req, ns);
    let warnings = existing_pod_warnings(objects, &name, new);
    Ok(Verdict { note: format!("checked existing pods against {:?}", new.label()), warnings })
}

/// `EvaluatePodsInNamespace`: one warning per distinct set of reasons, naming the first pod.
fn existing_pod_warnings(objects: &dyn Objects, namespace: &str, enforce: &LevelVersion) -> Vec<String> {
    // (reasons, first pod name, count), in first-seen order.
    let mut groups: Vec<(String, String, usize)> = Vec::new();
    for pod in list(objects, "pods", namespace) {
        let failures = evaluate(enforce.level, &pod["metadata"], &pod["spec"]);
        if failures.is_empty() {
            continue;
        }
        let why = reasons(&failures);
        let name = pod["metadata"]["name"].as_str().unwrap_or("").to_string();
        match groups.iter_mut().find(|(w, _, _)| *w == why) {
            Some(group) => {
                if name < group.1 {
                    group.1 = name;
                }
                group.2 += 1;
            }
            None => groups.push((why, name, 1)),
        }
    }
    if groups.is_empty() {
        return Vec::new();
    }
    let mut pod_warnings: Vec<String> = groups
        .into_iter()
        .map(|(why, first, count)| match count {
            1 => format!("{first}: {why}"),
            2 => format!("{first} (and 1 other pod): {why}"),
            n => format!("{first} (and {} other pods): {why}", n - 1),
        })
        .collect();
    pod_warnings.sort();
    let mut out = vec![format!("existing pods in namespace {namespace:?} violate the new PodSecurity enforce level {:?}", enforce.label())];
    out.extend(pod_warnings);
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Operation;
    use serde_json::json;

    fn plain_pod() -> serde_json::Value {
        json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})
    }

    const RESTRICTED_DETAIL: &str = r#"allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#;

    #[test]
    fn enforce_rejects_pods_and_warn_warns() {
        let objects = dev_objects_labelled(&[("pod-security.kubernetes.io/enforce", "restricted")]);
        let err = run_validate(&objects, &req_in(Operation::Create, "pods", "dev", "web"), &plain_pod()).unwrap_err();
        assert_eq!(err.code, 403);
        assert_eq!(err.message, format!(r#"pods "web" is forbidden: violates PodSecurity "restricted:latest": {RESTRICTED_DETAIL}"#));

        let objects = dev_objects_labelled(&[("pod-security.kubernetes.io/enforce", "baseline"), ("pod-security.kubernetes.io/warn", "restricted"), ("pod-security.kubernetes.io/warn-version", "v1.30")]);
        let w = warnings(&objects, &req_in(Operation::Create, "pods", "dev", "web"), &plain_pod());
        assert_eq!(w, vec![format!(r#"would violate PodSecurity "restricted:v1.30": {RESTRICTED_DETAIL}"#)]);
    }

    #[test]
    fn deployments_only_warn() {
        let objects = dev_objects_labelled(&[("pod-security.kubernetes.io/enforce", "restricted")]);
        let deploy = json!({"metadata": {"name": "web"}, "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}});
        let req = req_in(Operation::Create, "deployments", "dev", "web");
        let records = run_validate(&objects, &req, &deploy).unwrap();
        let w: Vec<String> = records.into_iter().flat_map(|r| r.warnings).collect();
        // Warn follows enforce when only enforce is labelled.
        assert_eq!(w, vec![format!(r#"would violate PodSecurity "restricted:latest": {RESTRICTED_DETAIL}"#)]);
    }

    #[test]
    fn namespace_labels_are_validated_and_tightening_warns() {
        let ns = json!({"metadata": {"name": "dev", "labels": {"pod-security.kubernetes.io/enforce": "strict"}}});
        let err = run_validate(&dev_objects(), &req_cluster(Operation::Create, "namespaces", "dev"), &ns).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (422, r#"Namespace "dev" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted"#)
        );
        let objects = dev_objects()
            .with("pods", json!({"metadata": {"name": "a", "namespace": "dev"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}))
            .with("pods", json!({"metadata": {"name": "b", "namespace": "dev"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}));
        let old = json!({"metadata": {"name": "dev"}});
        let new = json!({"metadata": {"name": "dev", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}});
        let mut req = req_cluster(Operation::Update, "namespaces", "dev");
        req.old = Some(&old);
        assert_eq!(
            warnings(&objects, &req, &new),
            vec![
                r#"existing pods in namespace "dev" violate the new PodSecurity enforce level "restricted:latest""#.to_string(),
                "a (and 1 other pod): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile".to_string(),
            ]
        );
    }
}
