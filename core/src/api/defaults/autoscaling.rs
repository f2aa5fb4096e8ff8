//! HorizontalPodAutoscaler defaults: mirrors `pkg/apis/autoscaling/v2/defaults.go`
//! (`SetDefaults_HorizontalPodAutoscaler`, `SetDefaults_HorizontalPodAutoscalerBehavior`) and
//! `pkg/apis/autoscaling/v1/defaults.go` (`minReplicas` only).
//!
//! `behavior` is filled in only when the user wrote one: an HPA without it is stored without it
//! (the controller then uses the same values implicitly). When present, both `scaleUp` and
//! `scaleDown` are completed field by field from the historic HPA behaviour.

use serde_json::{json, Value};

use super::fields::{child, default_if_nil, is_len_zero, is_nil, Object};

/// `autoscaling.DefaultCPUUtilization`: the target when an HPA names no metric.
const DEFAULT_CPU_UTILIZATION: i64 = 80;

pub(super) fn default_hpa_v1(hpa: &mut Object) {
    if let Some(spec) = child(hpa, "spec") {
        default_if_nil(spec, "minReplicas", 1);
    }
}

pub(super) fn default_hpa_v2(hpa: &mut Object) {
    let Some(spec) = child(hpa, "spec") else {
        return;
    };
    default_if_nil(spec, "minReplicas", 1);
    if is_len_zero(spec.get("metrics")) {
        spec.insert(
            "metrics".into(),
            json!([{"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]),
        );
    }
    if let Some(behavior) = child(spec, "behavior") {
        // Scale up: no stabilisation, the larger of +4 pods or +100% every 15 seconds.
        let scale_up = json!({"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
            {"type": "Pods", "value": 4, "periodSeconds": 15},
            {"type": "Percent", "value": 100, "periodSeconds": 15}]});
        // Scale down: -100% every 15 seconds; the stabilisation window stays nil because the
        // controller's --horizontal-pod-autoscaler-downscale-stabilization flag supplies it.
        let scale_down = json!({"selectPolicy": "Max", "policies": [
            {"type": "Percent", "value": 100, "periodSeconds": 15}]});
        complete_rules(behavior, "scaleUp", scale_up);
        complete_rules(behavior, "scaleDown", scale_down);
    }
}

/// `copyHPAScalingRules`: the defaults, overridden by every non-nil field the user set.
fn complete_rules(behavior: &mut Object, key: &str, defaults: Value) {
    let Value::Object(mut rules) = defaults else {
        return;
    };
    if let Some(user) = behavior.get(key).and_then(Value::as_object) {
        for field in [
            "selectPolicy",
            "stabilizationWindowSeconds",
            "policies",
            "tolerance",
        ] {
            if let Some(value) = user.get(field).filter(|v| !is_nil(Some(v))) {
                rules.insert(field.into(), value.clone());
            }
        }
    }
    behavior.insert(key.into(), Value::Object(rules));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_without_behavior() {
        let mut v = json!({"spec": {"maxReplicas": 10, "scaleTargetRef": {"kind": "Deployment", "name": "x"}}});
        if let Some(o) = v.as_object_mut() {
            default_hpa_v2(o);
        }
        assert_eq!(v["spec"]["minReplicas"], json!(1));
        assert_eq!(
            v["spec"]["metrics"][0]["resource"]["target"],
            json!({"type": "Utilization", "averageUtilization": 80})
        );
        assert!(v["spec"].get("behavior").is_none());
    }

    #[test]
    fn v2_behavior_is_completed() {
        let mut v = json!({"spec": {"minReplicas": 2, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}});
        if let Some(o) = v.as_object_mut() {
            default_hpa_v2(o);
        }
        assert_eq!(v["spec"]["minReplicas"], json!(2));
        assert_eq!(
            v["spec"]["behavior"],
            json!({"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                        {"type": "Pods", "value": 4, "periodSeconds": 15},
                        {"type": "Percent", "value": 100, "periodSeconds": 15}]},
                   "scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max", "policies": [
                        {"type": "Percent", "value": 100, "periodSeconds": 15}]}})
        );
    }
}
