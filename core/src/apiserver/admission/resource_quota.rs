//! ResourceQuota: mirrors `k8s.io/apiserver/pkg/admission/plugin/resourcequota` (`checkRequest`
//! in `controller.go`), with the evaluators in `quota_usage.rs`.
//!
//! For a create (or an update of a service or claim) in a namespace with quotas:
//! 1. each quota whose scopes match and whose `hard` names something the object can consume is
//!    "interesting"; if it limits cpu or memory, every container must declare that resource, else
//!    403 `failed quota: compute: must specify limits.cpu for: nginx; limits.memory for: nginx`;
//! 2. the object's usage (minus the stored object's, on updates) is added to each interesting
//!    quota's usage; any resource over `hard` is 403
//!    `exceeded quota: pods-quota, requested: pods=1, used: pods=10, limited: pods=10`,
//!    which the API server wraps as `pods "web-11" is forbidden: exceeded quota: ...`.
//!
//! One deliberate difference: kube-apiserver reads `status.used`, which the resource-quota
//! controller keeps current (and refuses with `status unknown for quota` until it has); the
//! simulator has no such controller yet, so usage is counted here by listing the namespace's
//! objects through [`Objects`], as the controller would, for every resource in `spec.hard`.
//! Not simulated: `LimitedResources` from an admission configuration file (`insufficient quota to
//! consume`), and the pod-update cases (in-place resize, scope changes).

use super::quantity::Quantity;
use super::quota_usage::{Evaluator, ResourceList};
use super::limit_ranger::resource_list;
use super::{forbidden, list, str_at, Operation, Rejection, Request, Verdict};
use crate::apiserver::Objects;
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn validate(objects: &dyn Objects, req: &Request, obj: &Value) -> Result<Verdict, Rejection> {
    if req.namespace.is_empty() || !req.subresource.is_empty() {
        return Ok(Verdict::skip());
    }
    let evaluator = Evaluator::for_resource(req.kind.group, req.kind.resource);
    if !evaluator.handles(req.operation) {
        return Ok(Verdict::skip());
    }
    let quotas = list(objects, "resourcequotas", req.namespace);
    if quotas.is_empty() {
        return Ok(Verdict::note(format!("no ResourceQuota in namespace {}", req.namespace)));
    }

    // Step 1: the quotas that apply, and the per-container declarations they demand.
    let mut interesting: Vec<(&Value, ResourceList)> = Vec::new();
    for quota in &quotas {
        let name = str_at(&quota["metadata"], "name");
        let hard = resource_list(&quota["spec"]["hard"]);
        let hard_names: Vec<String> = hard.keys().cloned().collect();
        if !evaluator.matches_scopes(quota, obj) {
            continue;
        }
        let restricted = evaluator.matching(&hard_names);
        if restricted.is_empty() {
            continue;
        }
        if let Err(why) = evaluator.constraints(&restricted, obj) {
            return Err(forbidden(req, obj, format!("failed quota: {name}: {why}")));
        }
        interesting.push((quota, hard));
    }
    if interesting.is_empty() {
        return Ok(Verdict::note("no ResourceQuota covers this object"));
    }

    // Step 2: what this request adds.
    let mut delta = evaluator.usage(obj);
    let negative: Vec<&str> = delta.iter().filter(|(_, q)| q.is_negative()).map(|(k, _)| k.as_str()).collect();
    if !negative.is_empty() {
        return Err(forbidden(req, obj, format!("quota usage is negative for resource(s): {}", negative.join(","))));
    }
    if req.operation == Operation::Update {
        if let Some(old) = req.old {
            let previous = evaluator.usage(old);
            for (k, v) in delta.iter_mut() {
                if let Some(p) = previous.get(k) {
                    let d = v.minus(*p);
                    *v = if d.is_negative() { Quantity::ZERO } else { d };
                }
            }
        }
    }
    delta.retain(|_, q| !q.is_zero());
    if delta.is_empty() {
        return Ok(Verdict::note("the request consumes nothing a quota counts"));
    }

    // Step 3: charge each quota.
    let mut listed: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut notes = Vec::new();
    for (quota, hard) in &interesting {
        let name = str_at(&quota["metadata"], "name");
        let used = used_in_namespace(objects, req.namespace, quota, hard, &mut listed);
        let requested: ResourceList = delta.iter().filter(|(k, _)| hard.contains_key(*k)).map(|(k, v)| (k.clone(), *v)).collect();
        let exceeded: Vec<&String> = requested
            .iter()
            .filter(|(k, q)| {
                let total = used.get(*k).copied().unwrap_or(Quantity::ZERO).plus(**q);
                hard.get(*k).is_some_and(|h| total > *h)
            })
            .map(|(k, _)| k)
            .collect();
        if !exceeded.is_empty() {
            let pick = |list: &ResourceList| -> String {
                exceeded.iter().filter_map(|k| list.get(*k).map(|v| format!("{k}={v}"))).collect::<Vec<_>>().join(",")
            };
            return Err(forbidden(
                req,
                obj,
                format!("exceeded quota: {name}, requested: {}, used: {}, limited: {}", pick(&requested), pick(&used), pick(hard)),
            ));
        }
        let charged: Vec<String> = requested
            .iter()
            .map(|(k, q)| format!("{k} {} of {}", used.get(k).copied().unwrap_or(Quantity::ZERO).plus(*q), hard.get(k).map(ToString::to_string).unwrap_or_default()))
            .collect();
        if !charged.is_empty() {
            notes.push(format!("{name}: {}", charged.join(", ")));
        }
    }
    Ok(Verdict::note(if notes.is_empty() { "within quota".to_string() } else { format!("within quota ({})", notes.join("; ")) }))
}

/// Current usage of every resource in `hard`, counting the namespace's objects that fall under
/// the quota's scopes (what the resource-quota controller writes to `status.used`). Resources no
/// object uses count as 0, as in `status.used`.
fn used_in_namespace(
    objects: &dyn Objects,
    namespace: &str,
    quota: &Value,
    hard: &ResourceList,
    listed: &mut BTreeMap<String, Vec<Value>>,
) -> ResourceList {
    let mut used = ResourceList::new();
    for key in hard.keys() {
        let mut total = Quantity::ZERO;
        if let Some(evaluator) = Evaluator::for_quota_key(key) {
            let items = listed.entry(evaluator.resource().to_string()).or_insert_with(|| list(objects, evaluator.resource(), namespace));
            for item in items.iter().filter(|o| evaluator.matches_scopes(quota, o)) {
                if let Some(q) = evaluator.usage(item).get(key) {
                    total = total.plus(*q);
                }
            }
        }
        used.insert(key.clone(), total);
    }
    used
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Operation;
    use serde_json::json;

    fn pod(name: &str, resources: serde_json::Value) -> serde_json::Value {
        json!({"metadata": {"name": name, "namespace": "dev"}, "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": resources}]}})
    }

    fn quota(name: &str, hard: serde_json::Value) -> serde_json::Value {
        json!({"metadata": {"name": name, "namespace": "dev"}, "spec": {"hard": hard}})
    }

    #[test]
    fn the_eleventh_pod_exceeds_a_quota_of_ten() {
        let mut objects = dev_objects().with("resourcequotas", quota("pods-quota", json!({"pods": "10"})));
        for i in 0..10 {
            objects.insert("pods", pod(&format!("web-{i}"), json!({})));
        }
        let req = req_in(Operation::Create, "pods", "dev", "web-10");
        let err = run_validate(&objects, &req, &pod("web-10", json!({}))).unwrap_err();
        assert_eq!((err.code, err.reason), (403, "Forbidden"));
        assert_eq!(err.message, r#"pods "web-10" is forbidden: exceeded quota: pods-quota, requested: pods=1, used: pods=10, limited: pods=10"#);

        // The plugin's record carries the inner text.
        let mut records = Vec::new();
        let _ = super::super::validate(&objects, &req, &pod("web-10", json!({})), &mut records);
        let last = records.last().map(|r| (r.plugin, r.detail.clone()));
        assert_eq!(last, Some(("ResourceQuota", "exceeded quota: pods-quota, requested: pods=1, used: pods=10, limited: pods=10".to_string())));

        // A finished pod no longer counts against `pods`.
        let mut done = pod("web-0", json!({}));
        done["status"] = json!({"phase": "Succeeded"});
        objects.insert("pods", done);
        assert!(run_validate(&objects, &req, &pod("web-10", json!({}))).is_ok());
    }

    #[test]
    fn compute_quota_demands_declarations_and_sums_usage() {
        let objects = dev_objects()
            .with("resourcequotas", quota("compute", json!({"requests.cpu": "1", "limits.cpu": "2", "limits.memory": "1Gi"})))
            .with("pods", pod("a", json!({"requests": {"cpu": "600m"}, "limits": {"cpu": "1", "memory": "512Mi"}})));
        let req = req_in(Operation::Create, "pods", "dev", "b");
        let err = run_validate(&objects, &req, &pod("b", json!({"requests": {"cpu": "100m"}}))).unwrap_err();
        assert_eq!(err.message, r#"pods "b" is forbidden: failed quota: compute: must specify limits.cpu for: nginx; limits.memory for: nginx"#);
        let big = pod("b", json!({"requests": {"cpu": "500m"}, "limits": {"cpu": "500m", "memory": "768Mi"}}));
        let err = run_validate(&objects, &req, &big).unwrap_err();
        assert_eq!(
            err.message,
            r#"pods "b" is forbidden: exceeded quota: compute, requested: limits.memory=768Mi,requests.cpu=500m, used: limits.memory=512Mi,requests.cpu=600m, limited: limits.memory=1Gi,requests.cpu=1"#
        );
        let fits = pod("b", json!({"requests": {"cpu": "400m"}, "limits": {"cpu": "1", "memory": "512Mi"}}));
        assert!(run_validate(&objects, &req, &fits).is_ok());
    }

    #[test]
    fn object_counts_and_service_updates() {
        let objects = dev_objects()
            .with("resourcequotas", quota("counts", json!({"count/deployments.apps": "1", "configmaps": "1", "services.loadbalancers": "0"})))
            .with("deployments", json!({"metadata": {"name": "web", "namespace": "dev"}}))
            .with("configmaps", json!({"metadata": {"name": "kube-root-ca.crt", "namespace": "dev"}}))
            .with("services", json!({"metadata": {"name": "svc", "namespace": "dev"}, "spec": {"type": "ClusterIP", "ports": [{"port": 80}]}}));
        let err = run_validate(&objects, &req_in(Operation::Create, "deployments", "dev", "api"), &json!({"metadata": {"name": "api"}})).unwrap_err();
        assert_eq!(
            err.message,
            r#"deployments.apps "api" is forbidden: exceeded quota: counts, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1"#
        );
        let err = run_validate(&objects, &req_in(Operation::Create, "configmaps", "dev", "cfg"), &json!({"metadata": {"name": "cfg"}})).unwrap_err();
        assert_eq!(err.message, r#"configmaps "cfg" is forbidden: exceeded quota: counts, requested: configmaps=1, used: configmaps=1, limited: configmaps=1"#);
        // Turning the service into a LoadBalancer is charged on update.
        let old = json!({"metadata": {"name": "svc"}, "spec": {"type": "ClusterIP", "ports": [{"port": 80}]}});
        let new = json!({"metadata": {"name": "svc"}, "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}});
        let mut req = req_in(Operation::Update, "services", "dev", "svc");
        req.old = Some(&old);
        let err = run_validate(&objects, &req, &new).unwrap_err();
        assert_eq!(
            err.message,
            r#"services "svc" is forbidden: exceeded quota: counts, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0"#
        );
        // Secrets are not limited by this quota.
        assert!(run_validate(&objects, &req_in(Operation::Create, "secrets", "dev", "s"), &json!({"metadata": {"name": "s"}})).is_ok());
    }
}
