//! Aggregated ClusterRoles: mirrors `syncClusterRole` in
//! `pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go` and
//! `metav1.LabelSelectorAsSelector`.
//!
//! A ClusterRole with `aggregationRule.clusterRoleSelectors` owns no rules of its own: its
//! `rules` are the union of the rules of every other ClusterRole matching any selector, taken
//! selector by selector, roles by name, without repeating an identical rule. Aggregation is
//! one level per pass: `admin` selects `edit` (labelled aggregate-to-admin), whose rules are
//! themselves aggregated, so the controller converges after a few passes, as the real one does
//! through its watch on ClusterRoles.

use super::rbac::{rule_json, rules_of};
use crate::apiserver::Objects;
use k8s_openapi::api::rbac::v1::{AggregationRule, PolicyRule};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;

/// For every ClusterRole with an `aggregationRule`, its name and the `rules` (a JSON array) it
/// should have now. The clusterrole-aggregation controller updates those that differ.
pub fn aggregate_cluster_roles(objects: &dyn Objects) -> Vec<(String, Value)> {
    let roles = objects.list("clusterroles", None);
    aggregate_from(&roles)
}

fn aggregate_from(roles: &[Value]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for shared in roles {
        let Some(rule) = aggregation_rule(shared) else { continue };
        let name = shared["metadata"]["name"].as_str().unwrap_or("");
        let mut rules: Vec<PolicyRule> = Vec::new();
        for selector in rule.cluster_role_selectors.unwrap_or_default() {
            // `roles` is sorted by name, as the controller sorts the lister's result.
            for other in roles.iter().filter(|r| r["metadata"]["name"].as_str() != Some(name) && selector_matches(&selector, &r["metadata"]["labels"])) {
                for r in rules_of(other) {
                    if !rules.contains(&r) {
                        rules.push(r);
                    }
                }
            }
        }
        out.push((name.to_string(), Value::Array(rules.iter().map(rule_json).collect())));
    }
    out
}

/// Fills the `rules` of the aggregated ClusterRoles in `objects` (e.g. [`super::bootstrap_policy`])
/// until nothing changes: the state a cluster reaches once the controller has run. Bounded by
/// the number of roles (each pass settles at least one more level).
pub fn settle_aggregation(mut objects: Vec<Value>) -> Vec<Value> {
    for _ in 0..=objects.len() {
        let mut roles: Vec<Value> = objects.iter().filter(|o| o["kind"] == "ClusterRole").cloned().collect();
        roles.sort_by(|a, b| a["metadata"]["name"].as_str().cmp(&b["metadata"]["name"].as_str()));
        let mut changed = false;
        for (name, rules) in aggregate_from(&roles) {
            for o in objects.iter_mut().filter(|o| o["kind"] == "ClusterRole" && o["metadata"]["name"] == name.as_str()) {
                let current = o.get("rules").cloned().unwrap_or(Value::Array(Vec::new()));
                if current != rules {
                    o["rules"] = rules.clone();
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    objects
}

fn aggregation_rule(role: &Value) -> Option<AggregationRule> {
    role.get("aggregationRule").filter(|v| !v.is_null()).and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// `LabelSelectorAsSelector(...).Matches(labels)`: every `matchLabels` pair and every
/// `matchExpressions` requirement must hold; an empty selector matches everything.
pub fn selector_matches(selector: &LabelSelector, labels: &Value) -> bool {
    let label = |k: &str| labels.get(k).and_then(Value::as_str);
    let labels_ok = selector.match_labels.iter().flatten().all(|(k, v)| label(k) == Some(v.as_str()));
    let exprs_ok = selector.match_expressions.iter().flatten().all(|e| {
        let values = e.values.as_deref().unwrap_or(&[]);
        match e.operator.as_str() {
            "In" => label(&e.key).is_some_and(|v| values.iter().any(|x| x == v)),
            "NotIn" => label(&e.key).is_none_or(|v| !values.iter().any(|x| x == v)),
            "Exists" => label(&e.key).is_some(),
            "DoesNotExist" => label(&e.key).is_none(),
            _ => false,
        }
    });
    labels_ok && exprs_ok
}

#[cfg(test)]
mod tests {
    use super::super::bootstrap_policy;
    use super::*;
    use crate::apiserver::MemoryObjects;
    use serde_json::json;

    #[test]
    fn one_level_per_pass_then_settled() {
        let mut objects = MemoryObjects::new();
        for o in bootstrap_policy().into_iter().filter(|o| o["kind"] == "ClusterRole") {
            objects.insert("clusterroles", o);
        }
        let first = aggregate_cluster_roles(&objects);
        let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["admin", "edit", "view"]);
        // view gets its piece at once; admin only the admin piece (edit is still empty).
        let count = |n: &str| first.iter().find(|(x, _)| x == n).map(|(_, r)| r.as_array().map_or(0, Vec::len)).unwrap_or(0);
        assert_eq!(count("view"), 10);
        assert_eq!(count("admin"), 2);

        let settled = settle_aggregation(bootstrap_policy());
        let rules = |n: &str| settled.iter().find(|o| o["kind"] == "ClusterRole" && o["metadata"]["name"] == n).map(rules_of).unwrap_or_default();
        assert_eq!(rules("view").len(), 10);
        assert_eq!(rules("edit").len(), 12 + 10);
        assert_eq!(rules("admin").len(), 2 + 22);
    }

    #[test]
    fn expressions() {
        let sel: LabelSelector = serde_json::from_value(json!({"matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["a", "b"]}, {"key": "x", "operator": "DoesNotExist"}]}))
        .unwrap_or_default();
        assert!(selector_matches(&sel, &json!({"tier": "a"})));
        assert!(!selector_matches(&sel, &json!({"tier": "a", "x": "1"})));
        assert!(!selector_matches(&sel, &json!({"tier": "c"})));
        assert!(selector_matches(&LabelSelector::default(), &Value::Null));
    }
}
