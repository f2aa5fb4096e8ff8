//! kubectl's describers for the policy kinds: `describeQuota` (ResourceQuota),
//! `describeLimitRange` (LimitRange, its table shared with the namespace describer),
//! `describePriorityClass` and `describePodDisruptionBudgetV1`.
//!
//! Quotas and limit ranges list no events; priority classes and disruption budgets do (the caller
//! appends them).

use super::fields::{arr, format_labels, int_or_string, n, quantity_string, s, selector_string};
use super::tabwriter::PrefixWriter;
use crate::apiserver::validation::quantity::Quantity;
use serde_json::Value;

const NANO: i128 = 1_000_000_000;

/// `helpTextForResourceQuotaScope`.
fn scope_help(scope: &str) -> &'static str {
    match scope {
        "Terminating" => "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
        "NotTerminating" => "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
        "BestEffort" => "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
        "NotBestEffort" => "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
        _ => "",
    }
}

/// `describeQuota`: the scopes with their help text, then each resource of `status.hard` (sorted)
/// with its `status.used`. A used quantity whose format differs from the hard one's is printed
/// as its integer value (rounded up) in the hard one's format.
pub(super) fn resource_quota(w: &mut PrefixWriter, q: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(q, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(q, &["metadata", "namespace"])));
    let mut scopes: Vec<&str> = arr(q, &["spec", "scopes"]).iter().filter_map(Value::as_str).collect();
    if !scopes.is_empty() {
        scopes.sort_unstable();
        w.write(0, &format!("Scopes:\t{}\n", scopes.join(", ")));
        for help in scopes.iter().map(|sc| scope_help(sc)).filter(|h| !h.is_empty()) {
            w.write(0, &format!(" * {help}\n"));
        }
    }
    w.write(0, "Resource\tUsed\tHard\n");
    w.write(0, "--------\t----\t----\n");
    let hard = q["status"]["hard"].as_object().into_iter().flatten();
    let mut resources: Vec<(&String, &Value)> = hard.collect();
    resources.sort_by(|a, b| a.0.cmp(b.0));
    for (name, hard) in resources {
        let used = used_in_format_of(&q["status"]["used"][name.as_str()], hard);
        w.write(0, &format!("{name}\t{used}\t{}\n", quantity_string(hard)));
    }
}

fn parse(v: &Value) -> Option<Quantity> {
    match v {
        Value::String(x) => Quantity::parse(x).ok(),
        Value::Number(x) => Quantity::parse(&x.to_string()).ok(),
        _ => None,
    }
}

/// `resource.NewQuantity(used.Value(), hard.Format)` when the formats differ (a missing used
/// quantity has none, so it always does).
fn used_in_format_of(used: &Value, hard: &Value) -> String {
    let Some(hard) = parse(hard) else { return quantity_string(used) };
    match parse(used) {
        Some(u) if u.format == hard.format => u.canonical(),
        u => {
            // `Value()` rounds away from zero to a whole number.
            let nanos = u.map_or(0, |u| u.nanos);
            let units = nanos.signum() * (nanos.abs() + NANO - 1) / NANO;
            Quantity { nanos: units * NANO, format: hard.format }.canonical()
        }
    }
}

/// `describeLimitRange`: the table shares its columns with the name lines above it.
pub(super) fn limit_range(w: &mut PrefixWriter, lr: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(lr, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(lr, &["metadata", "namespace"])));
    w.write(0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
    w.write(0, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
    limit_range_items(w, lr, "");
}

/// `describeLimitRangeSpec`: one row per limit and resource named in any of its lists, `-` where a
/// list does not name it. kubectl ranges over a Go map here, so its row order varies from run to
/// run; these rows are sorted by resource name.
pub(super) fn limit_range_items(w: &mut PrefixWriter, lr: &Value, prefix: &str) {
    const LISTS: [&str; 5] = ["min", "max", "defaultRequest", "default", "maxLimitRequestRatio"];
    for item in arr(lr, &["spec", "limits"]) {
        let mut names: Vec<&String> = LISTS.iter().flat_map(|f| item[*f].as_object().into_iter().flat_map(|m| m.keys())).collect();
        names.sort();
        names.dedup();
        for name in names {
            let cells: Vec<String> = LISTS.iter().map(|f| if item[*f][name.as_str()].is_null() { "-".into() } else { quantity_string(&item[*f][name.as_str()]) }).collect();
            w.write(0, &format!("{prefix}{}\t{name}\t{}\n", s(item, &["type"]), cells.join("\t")));
        }
    }
}

/// `describePriorityClass`.
pub(super) fn priority_class(w: &mut PrefixWriter, pc: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(pc, &["metadata", "name"])));
    w.write(0, &format!("Value:\t{}\n", n(pc, &["value"])));
    w.write(0, &format!("GlobalDefault:\t{}\n", pc["globalDefault"].as_bool().unwrap_or(false)));
    w.write(0, &format!("PreemptionPolicy:\t{}\n", s(pc, &["preemptionPolicy"])));
    w.write(0, &format!("Description:\t{}\n", s(pc, &["description"])));
    w.write(0, &format!("Annotations:\t{}\n", format_labels(&pc["metadata"]["annotations"])));
}

/// `describePodDisruptionBudgetV1`: the budget (min available, else max unavailable), the
/// selector, and the disruption controller's counts.
pub(super) fn pod_disruption_budget(w: &mut PrefixWriter, pdb: &Value) {
    let (spec, status) = (&pdb["spec"], &pdb["status"]);
    w.write(0, &format!("Name:\t{}\n", s(pdb, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(pdb, &["metadata", "namespace"])));
    if !spec["minAvailable"].is_null() {
        w.write(0, &format!("Min available:\t{}\n", int_or_string(&spec["minAvailable"], "")));
    } else if !spec["maxUnavailable"].is_null() {
        w.write(0, &format!("Max unavailable:\t{}\n", int_or_string(&spec["maxUnavailable"], "")));
    }
    if spec["selector"].is_object() {
        // `metav1.FormatLabelSelector`.
        let selector = selector_string(&spec["selector"]);
        w.write(0, &format!("Selector:\t{}\n", if selector.is_empty() { "<none>" } else { &selector }));
    } else {
        w.write(0, "Selector:\t<unset>\n");
    }
    w.write(0, "Status:\n");
    w.write(2, &format!("Allowed disruptions:\t{}\n", n(status, &["disruptionsAllowed"])));
    w.write(2, &format!("Current:\t{}\n", n(status, &["currentHealthy"])));
    w.write(2, &format!("Desired:\t{}\n", n(status, &["desiredHealthy"])));
    w.write(2, &format!("Total:\t{}\n", n(status, &["expectedPods"])));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use super::super::tests::text;

    #[test]
    fn quota_lists_scopes_with_help_and_hard_resources_in_order() {
        let q = json!({
            "metadata": {"name": "compute", "namespace": "dev"},
            "spec": {"hard": {"pods": "10"}, "scopes": ["NotTerminating", "BestEffort"]},
            "status": {
                "hard": {"requests.memory": "1Gi", "pods": "10", "limits.cpu": "2", "requests.storage": "10Gi"},
                "used": {"pods": "3", "limits.cpu": "500m", "requests.storage": "1536Mi"}
            }
        });
        assert_eq!(
            text(resource_quota, &q),
            "Name:       compute\n\
             Namespace:  dev\n\
             Scopes:     BestEffort, NotTerminating\n \
             * Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.\n \
             * Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.\n\
             Resource          Used    Hard\n\
             --------          ----    ----\n\
             limits.cpu        500m    2\n\
             pods              3       10\n\
             requests.memory   0       1Gi\n\
             requests.storage  1536Mi  10Gi\n"
        );
    }

    #[test]
    fn used_takes_the_hard_quantitys_format_when_they_differ() {
        assert_eq!(used_in_format_of(&json!("500M"), &json!("1Gi")), "500000000");
        assert_eq!(used_in_format_of(&json!("1024"), &json!("1Gi")), "1Ki");
        assert_eq!(used_in_format_of(&json!("1500m"), &json!("1Gi")), "2");
        assert_eq!(used_in_format_of(&Value::Null, &json!("1Gi")), "0");
        assert_eq!(used_in_format_of(&json!("2Gi"), &json!("4Gi")), "2Gi");
    }

    #[test]
    fn limit_range_table_shares_columns_with_the_name() {
        let lr = json!({
            "metadata": {"name": "limits", "namespace": "default"},
            "spec": {"limits": [
                {"type": "Container", "default": {"memory": "512Mi", "cpu": "1"}, "defaultRequest": {"memory": "256Mi", "cpu": "0.5"}, "max": {"cpu": "2"}},
                {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}}
            ]}
        });
        assert_eq!(
            text(limit_range, &lr),
            "Name:                  limits\n\
             Namespace:             default\n\
             Type                   Resource  Min  Max  Default Request  Default Limit  Max Limit/Request Ratio\n\
             ----                   --------  ---  ---  ---------------  -------------  -----------------------\n\
             Container              cpu       -    2    500m             1              -\n\
             Container              memory    -    -    256Mi            512Mi          -\n\
             PersistentVolumeClaim  storage   1Gi  -    -                -              -\n"
        );
    }

    #[test]
    fn priority_class_prints_value_policy_and_annotations() {
        let pc = json!({
            "metadata": {"name": "high", "annotations": {"team": "a", "owner": "b"}},
            "value": 1000000, "preemptionPolicy": "PreemptLowerPriority", "description": "For important pods."
        });
        assert_eq!(
            text(priority_class, &pc),
            "Name:              high\n\
             Value:             1000000\n\
             GlobalDefault:     false\n\
             PreemptionPolicy:  PreemptLowerPriority\n\
             Description:       For important pods.\n\
             Annotations:       owner=b,team=a\n"
        );
    }

    #[test]
    fn disruption_budget_prints_budget_selector_and_status() {
        let pdb = json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe", "be"]}]}},
            "status": {"disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3}
        });
        assert_eq!(
            text(pod_disruption_budget, &pdb),
            "Name:           web\n\
             Namespace:      default\n\
             Min available:  50%\n\
             Selector:       app=web,tier in (be,fe)\n\
             Status:\n    \
                 Allowed disruptions:  1\n    \
                 Current:              3\n    \
                 Desired:              2\n    \
                 Total:                3\n"
        );
        let unset = json!({"metadata": {"name": "x", "namespace": "d"}, "spec": {"maxUnavailable": 1}, "status": {}});
        assert!(text(pod_disruption_budget, &unset).contains("Max unavailable:  1\nSelector:         <unset>\n"));
    }
}
