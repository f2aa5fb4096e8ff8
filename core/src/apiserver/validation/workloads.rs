//! Replicated workloads, mirroring `pkg/apis/apps/validation/validation.go` (`ValidateDeployment`,
//! `ValidateDeploymentSpec`, `ValidateDeploymentStrategy`, `ValidateRollingUpdateDeployment`,
//! `ValidateReplicaSet`, `ValidateStatefulSet`, `ValidateDaemonSet`,
//! `ValidatePodTemplateSpecForReplicaSet`, `ValidatePositiveIntOrPercent`,
//! `IsNotMoreThan100Percent`) and, for ReplicationController, `ValidateReplicationController` in
//! `pkg/apis/core/validation`. The apps/v1 selector immutability on update lives in the
//! registry strategies (`pkg/registry/apps/*/strategy.go`) and is applied in `update.rs`.
//!
//! Defaults read for absent fields: replicas 1, strategy RollingUpdate with 25%/25%, StatefulSet
//! podManagementPolicy OrderedReady and updateStrategy RollingUpdate, DaemonSet updateStrategy
//! RollingUpdate with maxUnavailable 1 / maxSurge 0, RC selector = template labels.

use super::meta::{self, Selector};
use super::names::{self, NameRule};
use super::pod::{restart_policy, validate_pod_template_spec};
use super::{entries, go_struct, has, int_of, nonnegative, obj_of, render_selector, str_of, with_value};
use crate::apiserver::FieldError;
use serde_json::{json, Value};

const SELECTOR_MISMATCH: &str = "`selector` does not match template `labels`";

fn template_labels(template: Option<&Value>) -> Value {
    obj_of(obj_of(template, "metadata"), "labels").cloned().unwrap_or(Value::Null)
}

/// `spec.replicas`, defaulted to 1.
fn replicas(spec: Option<&Value>) -> Option<i64> {
    int_of(spec, "replicas").or(Some(1))
}

/// The selector block shared by Deployment and ReplicaSet (and StatefulSet with its own text):
/// required, strictly valid, non-empty.
fn validate_selector(spec: Option<&Value>, empty_msg: &str, errs: &mut Vec<FieldError>) {
    let sel = spec.and_then(|s| s.get("selector")).filter(|s| !s.is_null());
    match sel {
        None => errs.push(FieldError::required("spec.selector", "")),
        Some(s) => {
            errs.extend(meta::validate_label_selector(Some(s), "spec.selector"));
            if entries(Some(s), "matchLabels").is_empty() && super::arr_of(Some(s), "matchExpressions").is_empty() {
                errs.push(with_value(FieldError::invalid("spec.selector", s, empty_msg), render_selector(s)));
            }
        }
    }
}

/// `ValidatePodTemplateSpecForReplicaSet` (also the shape of RC's template check).
fn validate_template_for_replica_set(template: Option<&Value>, selector: &Selector, kind: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if !selector.is_empty() && !selector.matches(obj_of(obj_of(template, "metadata"), "labels")) {
        errs.push(FieldError::invalid("spec.template.metadata.labels", &template_labels(template), SELECTOR_MISMATCH));
    }
    errs.extend(validate_pod_template_spec(template, "spec.template"));
    let tspec = obj_of(template, "spec");
    let policy = restart_policy(tspec);
    if policy != "Always" {
        errs.push(FieldError::not_supported("spec.template.spec.restartPolicy", &Value::from(policy), &["Always"]));
    }
    if has(tspec, "activeDeadlineSeconds") {
        errs.push(FieldError::forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            format!("activeDeadlineSeconds in {kind} is not Supported"),
        ));
    }
    errs
}

/// `ValidateDeployment`.
pub fn validate_deployment(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    let spec = obj.get("spec");
    nonnegative(&mut errs, replicas(spec), "spec.replicas");
    validate_selector(spec, "empty selector is invalid for deployment", &mut errs);
    let selector = Selector::from_label_selector(spec.and_then(|s| s.get("selector")));
    if selector == Selector::Invalid {
        let v = spec.and_then(|s| s.get("selector")).cloned().unwrap_or(Value::Null);
        errs.push(with_value(FieldError::invalid("spec.selector", &v, "invalid label selector"), render_selector(&v)));
    } else {
        errs.extend(validate_template_for_replica_set(obj_of(spec, "template"), &selector, "ReplicaSet"));
    }
    errs.extend(validate_deployment_strategy(obj_of(spec, "strategy")));
    let min_ready = int_of(spec, "minReadySeconds").unwrap_or(0);
    nonnegative(&mut errs, Some(min_ready), "spec.minReadySeconds");
    nonnegative(&mut errs, int_of(spec, "revisionHistoryLimit"), "spec.revisionHistoryLimit");
    if let Some(pds) = int_of(spec, "progressDeadlineSeconds") {
        nonnegative(&mut errs, Some(pds), "spec.progressDeadlineSeconds");
        if pds <= min_ready {
            errs.push(FieldError::invalid("spec.progressDeadlineSeconds", &Value::from(pds), "must be greater than minReadySeconds"));
        }
    }
    errs
}

/// An IntOrString as Go's `intstr` sees it: `Err` for a string, `Ok` for an int.
fn int_or_string(v: Option<&Value>) -> Result<i64, String> {
    match v {
        Some(Value::String(s)) => Err(s.clone()),
        other => Ok(other.and_then(Value::as_i64).unwrap_or(0)),
    }
}

/// `ValidatePositiveIntOrPercent`.
fn positive_int_or_percent(v: Option<&Value>, path: &str) -> Vec<FieldError> {
    let shown = v.cloned().unwrap_or(json!(0));
    match int_or_string(v) {
        Err(s) => names::percent(&s).into_iter().map(|m| FieldError::invalid(path, &shown, m)).collect(),
        Ok(n) if n < 0 => vec![FieldError::invalid(path, &Value::from(n), "must be greater than or equal to 0")],
        Ok(_) => Vec::new(),
    }
}

/// `getIntOrPercentValue`: the percent's number, the int, or `IntValue()` of a bad string (0
/// unless it parses as an int).
fn int_or_percent_value(v: Option<&Value>) -> i64 {
    match int_or_string(v) {
        Ok(n) => n,
        Err(s) => {
            if names::percent(&s).is_empty() {
                s.trim_end_matches('%').parse().unwrap_or(i64::MAX)
            } else {
                s.parse().unwrap_or(0)
            }
        }
    }
}

/// `IsNotMoreThan100Percent`.
fn not_more_than_100_percent(v: Option<&Value>, path: &str) -> Vec<FieldError> {
    match int_or_string(v) {
        Err(s) if names::percent(&s).is_empty() && int_or_percent_value(v) > 100 => {
            vec![FieldError::invalid(path, &Value::from(s), "must not be greater than 100%")]
        }
        _ => Vec::new(),
    }
}

/// `ValidateDeploymentStrategy` (absent type reads as the default RollingUpdate 25%/25%).
fn validate_deployment_strategy(strategy: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let ru = obj_of(strategy, "rollingUpdate");
    match str_of(strategy, "type") {
        "Recreate" => {
            if ru.is_some() {
                errs.push(FieldError::forbidden(
                    "spec.strategy.rollingUpdate",
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "" | "RollingUpdate" => {
            let Some(ru) = ru else { return errs };
            let ru = Some(ru);
            // Absent fields in rollingUpdate are defaulted to 25%.
            let default = json!("25%");
            let mu = ru.and_then(|r| r.get("maxUnavailable")).filter(|v| !v.is_null()).or(Some(&default));
            let ms = ru.and_then(|r| r.get("maxSurge")).filter(|v| !v.is_null()).or(Some(&default));
            errs.extend(positive_int_or_percent(mu, "spec.strategy.rollingUpdate.maxUnavailable"));
            errs.extend(positive_int_or_percent(ms, "spec.strategy.rollingUpdate.maxSurge"));
            if int_or_percent_value(mu) == 0 && int_or_percent_value(ms) == 0 {
                errs.push(FieldError::invalid(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    mu.unwrap_or(&Value::Null),
                    "may not be 0 when `maxSurge` is 0",
                ));
            }
            errs.extend(not_more_than_100_percent(mu, "spec.strategy.rollingUpdate.maxUnavailable"));
        }
        other => {
            // Go renders the internal DeploymentStrategy struct (no JSON tags) as the value.
            let ru = ru.cloned().unwrap_or(Value::Null);
            let shown = go_struct(&[("Type", &Value::from(other)), ("RollingUpdate", &ru)]);
            errs.push(with_value(FieldError::not_supported("spec.strategy", &Value::Null, &["Recreate", "RollingUpdate"]), shown));
        }
    }
    errs
}

/// `ValidateReplicaSet`.
pub fn validate_replica_set(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    let spec = obj.get("spec");
    nonnegative(&mut errs, replicas(spec), "spec.replicas");
    nonnegative(&mut errs, int_of(spec, "minReadySeconds"), "spec.minReadySeconds");
    // The ReplicaSet validator really does say "deployment" here.
    validate_selector(spec, "empty selector is invalid for deployment", &mut errs);
    let selector = Selector::from_label_selector(spec.and_then(|s| s.get("selector")));
    if selector == Selector::Invalid {
        let v = spec.and_then(|s| s.get("selector")).cloned().unwrap_or(Value::Null);
        errs.push(with_value(FieldError::invalid("spec.selector", &v, "invalid label selector"), render_selector(&v)));
    } else {
        errs.extend(validate_template_for_replica_set(obj_of(spec, "template"), &selector, "ReplicaSet"));
    }
    errs
}

/// `ValidateStatefulSet`. Note the template is checked only for the selector match, labels and
/// annotations, not as a full pod spec (the Go validator leaves that as a TODO).
pub fn validate_stateful_set(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Label);
    let spec = obj.get("spec");
    match str_of(spec, "podManagementPolicy") {
        "" | "OrderedReady" | "Parallel" => {}
        other => errs.push(FieldError::invalid(
            "spec.podManagementPolicy",
            &Value::from(other),
            "must be 'OrderedReady' or 'Parallel'",
        )),
    }
    let us = obj_of(spec, "updateStrategy");
    let ru = obj_of(us, "rollingUpdate");
    match str_of(us, "type") {
        "OnDelete" => {
            if let Some(ru) = ru {
                // The internal RollingUpdateStatefulSetStrategy struct, rendered without tags.
                let partition = Value::from(int_of(Some(ru), "partition").unwrap_or(0));
                let max_unavailable = ru.get("maxUnavailable").cloned().unwrap_or(Value::Null);
                let shown = go_struct(&[("Partition", &partition), ("MaxUnavailable", &max_unavailable)]);
                errs.push(with_value(
                    FieldError::invalid("spec.updateStrategy.rollingUpdate", &Value::Null, "only allowed for updateStrategy 'RollingUpdate'"),
                    shown,
                ));
            }
        }
        "" | "RollingUpdate" => {
            if ru.is_some() {
                nonnegative(&mut errs, int_of(ru, "partition"), "spec.updateStrategy.rollingUpdate.partition");
                if let Some(mu) = ru.and_then(|r| r.get("maxUnavailable")).filter(|v| !v.is_null()) {
                    let p = "spec.updateStrategy.rollingUpdate.maxUnavailable";
                    errs.extend(positive_int_or_percent(Some(mu), p));
                    if int_or_percent_value(Some(mu)) == 0 {
                        errs.push(FieldError::invalid(p, mu, "cannot be 0"));
                    }
                    errs.extend(not_more_than_100_percent(Some(mu), p));
                }
            }
        }
        other => {
            let ru = ru.cloned().unwrap_or(Value::Null);
            let shown = go_struct(&[("Type", &Value::from(other)), ("RollingUpdate", &ru)]);
            errs.push(with_value(FieldError::invalid("spec.updateStrategy", &Value::Null, "must be 'RollingUpdate' or 'OnDelete'"), shown));
        }
    }
    let retention = obj_of(spec, "persistentVolumeClaimRetentionPolicy");
    for field in ["whenDeleted", "whenScaled"] {
        match str_of(retention, field) {
            "" | "Retain" | "Delete" => {}
            other => errs.push(FieldError::not_supported(
                format!("spec.persistentVolumeClaimRetentionPolicy.{field}"),
                &Value::from(other),
                &["Retain", "Delete"],
            )),
        }
    }
    nonnegative(&mut errs, replicas(spec), "spec.replicas");
    nonnegative(&mut errs, int_of(spec, "minReadySeconds"), "spec.minReadySeconds");
    nonnegative(&mut errs, int_of(obj_of(spec, "ordinals"), "start"), "spec.ordinals.start");
    validate_selector(spec, "empty selector is invalid for statefulset", &mut errs);
    let selector = Selector::from_label_selector(spec.and_then(|s| s.get("selector")));
    let template = obj_of(spec, "template");
    if selector == Selector::Invalid {
        let v = spec.and_then(|s| s.get("selector")).cloned().unwrap_or(Value::Null);
        errs.push(with_value(FieldError::invalid("spec.selector", &v, ""), render_selector(&v)));
    } else {
        if !selector.is_empty() && !selector.matches(obj_of(obj_of(template, "metadata"), "labels")) {
            errs.push(FieldError::invalid("spec.template.metadata.labels", &template_labels(template), SELECTOR_MISMATCH));
        }
        let tmeta = obj_of(template, "metadata");
        errs.extend(meta::validate_labels(tmeta, "labels", "spec.template.labels"));
        errs.extend(meta::validate_annotations(tmeta, "annotations", "spec.template.annotations"));
    }
    let tspec = obj_of(template, "spec");
    let policy = restart_policy(tspec);
    if policy != "Always" {
        errs.push(FieldError::not_supported("spec.template.spec.restartPolicy", &Value::from(policy), &["Always"]));
    }
    if has(tspec, "activeDeadlineSeconds") {
        errs.push(FieldError::forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            "activeDeadlineSeconds in StatefulSet is not Supported",
        ));
    }
    errs
}

/// `ValidateDaemonSet` -> `ValidateDaemonSetSpec`. A DaemonSet has no "selector required" check
/// of its own: a nil selector matches nothing, so the template mismatch reports it.
pub fn validate_daemon_set(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    let spec = obj.get("spec");
    let sel = spec.and_then(|s| s.get("selector")).filter(|s| !s.is_null());
    errs.extend(meta::validate_label_selector(sel, "spec.selector"));
    let template = obj_of(spec, "template");
    let selector = Selector::from_label_selector(sel);
    if selector != Selector::Invalid && !selector.matches(obj_of(obj_of(template, "metadata"), "labels")) {
        errs.push(FieldError::invalid("spec.template.metadata.labels", &template_labels(template), SELECTOR_MISMATCH));
    }
    if let Some(s) = sel {
        if entries(Some(s), "matchLabels").is_empty() && super::arr_of(Some(s), "matchExpressions").is_empty() {
            errs.push(with_value(FieldError::invalid("spec.selector", s, "empty selector is invalid for daemonset"), render_selector(s)));
        }
    }
    errs.extend(validate_pod_template_spec(template, "spec.template"));
    let tspec = obj_of(template, "spec");
    let policy = restart_policy(tspec);
    if policy != "Always" {
        errs.push(FieldError::not_supported("spec.template.spec.restartPolicy", &Value::from(policy), &["Always"]));
    }
    if has(tspec, "activeDeadlineSeconds") {
        errs.push(FieldError::forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            "activeDeadlineSeconds in DaemonSet is not Supported",
        ));
    }
    nonnegative(&mut errs, int_of(spec, "minReadySeconds"), "spec.minReadySeconds");
    let us = obj_of(spec, "updateStrategy");
    match str_of(us, "type") {
        "OnDelete" => {}
        "" | "RollingUpdate" => {
            if let Some(ru) = obj_of(us, "rollingUpdate") {
                let ru = Some(ru);
                let one = json!(1);
                let zero = json!(0);
                let mu = ru.and_then(|r| r.get("maxUnavailable")).filter(|v| !v.is_null()).or(Some(&one));
                let ms = ru.and_then(|r| r.get("maxSurge")).filter(|v| !v.is_null()).or(Some(&zero));
                let base = "spec.updateStrategy.rollingUpdate";
                errs.extend(positive_int_or_percent(mu, &format!("{base}.maxUnavailable")));
                errs.extend(positive_int_or_percent(ms, &format!("{base}.maxSurge")));
                errs.extend(not_more_than_100_percent(mu, &format!("{base}.maxUnavailable")));
                errs.extend(not_more_than_100_percent(ms, &format!("{base}.maxSurge")));
                let (has_u, has_s) = (int_or_percent_value(mu) != 0, int_or_percent_value(ms) != 0);
                if has_u && has_s {
                    errs.push(FieldError::invalid(format!("{base}.maxSurge"), ms.unwrap_or(&zero), "may not be set when maxUnavailable is non-zero"));
                } else if !has_u && !has_s {
                    errs.push(FieldError::required(format!("{base}.maxUnavailable"), "cannot be 0 when maxSurge is 0"));
                }
            }
        }
        other => {
            let ru = obj_of(us, "rollingUpdate").cloned().unwrap_or(Value::Null);
            let shown = go_struct(&[("Type", &Value::from(other)), ("RollingUpdate", &ru)]);
            errs.push(with_value(FieldError::not_supported("spec.updateStrategy", &Value::Null, &["RollingUpdate", "OnDelete"]), shown));
        }
    }
    nonnegative(&mut errs, int_of(spec, "revisionHistoryLimit"), "spec.revisionHistoryLimit");
    errs
}

/// `ValidateReplicationController`. The selector is a plain map, defaulted to the template's
/// labels when empty.
pub fn validate_replication_controller(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    let spec = obj.get("spec");
    let template = obj_of(spec, "template");
    nonnegative(&mut errs, int_of(spec, "minReadySeconds"), "spec.minReadySeconds");
    let given = obj_of(spec, "selector").filter(|s| s.as_object().is_some_and(|m| !m.is_empty()));
    let labels = obj_of(obj_of(template, "metadata"), "labels").cloned();
    let selector_map = given.cloned().or(labels).unwrap_or(Value::Null);
    let selector = match selector_map.as_object() {
        Some(m) if !m.is_empty() => Selector::from_label_selector(Some(&json!({"matchLabels": selector_map}))),
        _ => Selector::Everything,
    };
    if selector.is_empty() {
        errs.push(FieldError::required("spec.selector", ""));
    }
    nonnegative(&mut errs, replicas(spec), "spec.replicas");
    if template.is_none() {
        errs.push(FieldError::required("spec.template", ""));
        return errs;
    }
    let rc_selector = if selector == Selector::Invalid { Selector::Everything } else { selector };
    errs.extend(validate_template_for_replica_set(template, &rc_selector, "ReplicationController"));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;

    fn deployment(spec: Value) -> Value {
        json!({"metadata": {"name": "web", "namespace": "default"}, "spec": spec})
    }

    fn template(labels: Value) -> Value {
        json!({"metadata": {"labels": labels}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}})
    }

    #[test]
    fn valid_deployment() {
        let d = deployment(json!({"selector": {"matchLabels": {"app": "web"}}, "template": template(json!({"app": "web"}))}));
        assert_eq!(validate_deployment(&d), vec![]);
    }

    #[test]
    fn missing_selector_also_reports_the_template_mismatch() {
        let d = deployment(json!({"template": template(json!({"app": "web"}))}));
        assert_eq!(
            aggregate(&validate_deployment(&d)),
            "[spec.selector: Required value, spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`]"
        );
    }

    #[test]
    fn rolling_update_both_zero() {
        let d = deployment(json!({"selector": {"matchLabels": {"app": "web"}}, "template": template(json!({"app": "web"})),
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}}}));
        assert_eq!(
            aggregate(&validate_deployment(&d)),
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"
        );
    }

    #[test]
    fn daemon_set_surge_and_unavailable() {
        let d = deployment(json!({"selector": {"matchLabels": {"app": "web"}}, "template": template(json!({"app": "web"})),
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}}}));
        assert_eq!(
            aggregate(&validate_daemon_set(&d)),
            "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"
        );
    }

    #[test]
    fn rc_selector_defaults_to_template_labels() {
        let rc = deployment(json!({"template": template(json!({"app": "web"}))}));
        assert_eq!(validate_replication_controller(&rc), vec![]);
    }
}
