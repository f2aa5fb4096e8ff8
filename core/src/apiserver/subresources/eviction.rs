//! The `eviction` subresource: `POST pods/<name>/eviction` with a policy/v1 Eviction deletes the
//! pod gracefully unless that would break a PodDisruptionBudget.
//!
//! Mirrors `EvictionREST.Create` in `pkg/registry/core/pod/storage/eviction.go`: a pod that is
//! Pending, finished or already being deleted goes at once (`canIgnorePDB`); a pod covered by
//! more than one budget is refused with a 500; otherwise the one budget must allow a disruption,
//! or the answer is `429 TooManyRequests` `Cannot evict pod as it would violate the pod's
//! disruption budget.` with the cause `The disruption budget <name> needs <desired> healthy pods
//! and has <current> currently`.
//!
//! The budget's status (`desiredHealthy`, `currentHealthy`, `disruptionsAllowed`) is what the
//! disruption controller (`pkg/controller/disruption`) would have written; the simulation has no
//! such controller yet, so it is computed here from the pods and their controllers at the moment
//! of the request. A pod being evicted gets its deletionTimestamp at once and so stops counting
//! as healthy, which is what the real server's `disruptedPods` bookkeeping achieves.

use super::super::{delete, not_found, Run};
use crate::apiserver::select::LabelSelector;
use crate::apiserver::{storage, Objects, Request, Status, StoreObjects, Verb};
use crate::trace::{Stage, Verdict};
use serde_json::{json, Value};

/// The budget's view of its pods, as the disruption controller's `getExpectedPodCount` and
/// `countHealthyPods` compute it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    pub expected: i64,
    pub desired_healthy: i64,
    pub current_healthy: i64,
    pub disruptions_allowed: i64,
}

fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// `GetScaledValueFromIntOrPercent(value, total, roundUp)`.
fn scaled(value: &Value, total: i64, round_up: bool) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let pct: i64 = value.as_str()?.strip_suffix('%')?.parse().ok()?;
    let num = pct * total;
    Some(if round_up { (num + 99) / 100 } else { num / 100 })
}

/// The replicas a pod's controller wants (`getExpectedScale` with the finders for ReplicaSets,
/// Deployments, StatefulSets and ReplicationControllers); `None` for an unmanaged pod.
fn controller_scale(objects: &dyn Objects, pod: &Value, ns: &str) -> Option<(String, i64)> {
    let owner = pod["metadata"]["ownerReferences"].as_array()?.iter().find(|o| o["controller"] == true)?;
    let name = owner["name"].as_str()?;
    let resource = match owner["kind"].as_str()? {
        "ReplicaSet" => "replicasets",
        "StatefulSet" => "statefulsets",
        "ReplicationController" => "replicationcontrollers",
        _ => return None,
    };
    let obj = objects.get(resource, ns, name)?;
    // A ReplicaSet a Deployment owns is scaled through the Deployment.
    if let Some(d) = obj["metadata"]["ownerReferences"].as_array().into_iter().flatten().find(|o| o["controller"] == true && o["kind"] == "Deployment") {
        let dname = d["name"].as_str()?;
        let dep = objects.get("deployments", ns, dname)?;
        return Some((format!("deployments/{dname}"), dep["spec"]["replicas"].as_i64().unwrap_or(1)));
    }
    Some((format!("{resource}/{name}"), obj["spec"]["replicas"].as_i64().unwrap_or(1)))
}

/// The budget `pdb` over the pods of its namespace.
pub fn budget(objects: &dyn Objects, pdb: &Value, pods: &[Value]) -> Budget {
    let ns = pdb["metadata"]["namespace"].as_str().unwrap_or("");
    let selector = LabelSelector::from_object(&pdb["spec"]["selector"]);
    let matching: Vec<&Value> = match &selector {
        Some(s) if !s.is_empty() => pods.iter().filter(|p| s.matches_object(p)).collect(),
        _ => Vec::new(),
    };
    let spec = &pdb["spec"];
    let controllers = || {
        let mut scales: Vec<(String, i64)> = Vec::new();
        for p in &matching {
            match controller_scale(objects, p, ns) {
                Some(c) if !scales.contains(&c) => scales.push(c),
                Some(_) => {}
                // An unmanaged pod: the controller cannot work out the expected count.
                None => return None,
            }
        }
        Some(scales.iter().map(|(_, n)| n).sum::<i64>())
    };
    let (expected, desired) = if !spec["maxUnavailable"].is_null() {
        let expected = controllers().unwrap_or(0);
        let max = scaled(&spec["maxUnavailable"], expected, true).unwrap_or(0);
        (expected, (expected - max).max(0))
    } else if spec["minAvailable"].is_string() {
        let expected = controllers().unwrap_or(0);
        (expected, scaled(&spec["minAvailable"], expected, true).unwrap_or(0))
    } else {
        (matching.len() as i64, spec["minAvailable"].as_i64().unwrap_or(0))
    };
    let healthy = matching.iter().filter(|p| p["metadata"]["deletionTimestamp"].is_null() && is_ready(p)).count() as i64;
    let allowed = if expected == 0 && !spec["maxUnavailable"].is_null() { 0 } else { (healthy - desired).max(0) };
    Budget { expected, desired_healthy: desired, current_healthy: healthy, disruptions_allowed: allowed }
}

/// `POST pods/<name>/eviction`.
pub fn serve(run: &mut Run, req: &Request) -> Result<Value, Status> {
    if req.verb != Verb::Create {
        return Err(Status::method_not_supported(req.verb.name(), "pods/eviction"));
    }
    let body = req.body.clone().unwrap_or(Value::Null);
    if body["metadata"]["name"].as_str() != Some(req.name.as_str()) {
        return run.reject(Stage::Decode, Status::bad_request("name in URL does not match name in Eviction object"));
    }
    let key = req.kind.etcd_key(&req.namespace, &req.name);
    let Some(current) = storage::get(run.ctx.store, &key).map_err(Status::internal)? else {
        return run.reject(Stage::Storage, not_found(req));
    };
    let pod = current.object;
    let grace = body["deleteOptions"]["gracePeriodSeconds"].as_i64();
    let mut del = Request { verb: Verb::Delete, subresource: String::new(), body: None, ..req.clone() };
    del.delete.grace_period_seconds = grace;
    let phase = pod["status"]["phase"].as_str().unwrap_or("");
    // `canIgnorePDB`: the pod causes no new disruption.
    if matches!(phase, "Succeeded" | "Failed" | "Pending") || !pod["metadata"]["deletionTimestamp"].is_null() {
        run.stage(Stage::ValidatingAdmission, Verdict::Passed, format!("pod is {phase}: no disruption budget applies"));
        delete(run, &del)?;
        return Ok(success());
    }
    let (pdbs, pods) = {
        let objects = StoreObjects(run.ctx.store);
        let labels = crate::apiserver::select::labels_of(&pod);
        let pdbs: Vec<Value> = objects
            .list("poddisruptionbudgets", Some(&req.namespace))
            .into_iter()
            .filter(|b| LabelSelector::from_object(&b["spec"]["selector"]).is_some_and(|s| !s.is_empty() && s.matches(&labels)))
            .collect();
        (pdbs, objects.list("pods", Some(&req.namespace)))
    };
    if pdbs.len() > 1 {
        let status = Status { code: 500, reason: "InternalError", message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.".into() };
        return run.reject(Stage::ValidatingAdmission, status);
    }
    if let Some(pdb) = pdbs.first() {
        let name = pdb["metadata"]["name"].as_str().unwrap_or("");
        let b = budget(&StoreObjects(run.ctx.store), pdb, &pods);
        let summary = format!(
            "PodDisruptionBudget {name}: expected {}, desiredHealthy {}, currentHealthy {}, disruptionsAllowed {}",
            b.expected, b.desired_healthy, b.current_healthy, b.disruptions_allowed
        );
        let unready_spare = !is_ready(&pod) && b.current_healthy >= b.desired_healthy && b.desired_healthy > 0;
        if !unready_spare && b.disruptions_allowed == 0 {
            run.stage(Stage::ValidatingAdmission, Verdict::Rejected, format!(
                "{summary}; cause DisruptionBudget: The disruption budget {name} needs {} healthy pods and has {} currently",
                b.desired_healthy, b.current_healthy
            ));
            let status = Status { code: 429, reason: "TooManyRequests", message: "Cannot evict pod as it would violate the pod's disruption budget.".into() };
            return run.reject(Stage::ValidatingAdmission, status);
        }
        run.stage(Stage::ValidatingAdmission, Verdict::Passed, summary);
    } else {
        run.stage(Stage::ValidatingAdmission, Verdict::Passed, "no PodDisruptionBudget selects this pod");
    }
    delete(run, &del)?;
    Ok(success())
}

fn success() -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::MemoryObjects;

    fn pod(name: &str, ready: bool) -> Value {
        json!({"metadata": {"name": name, "namespace": "default", "labels": {"app": "web"},
            "ownerReferences": [{"kind": "ReplicaSet", "name": "web-1", "controller": true}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}})
    }

    #[test]
    fn budgets_count_healthy_pods_against_min_available_and_max_unavailable() {
        let objects = MemoryObjects::new()
            .with("replicasets", json!({"metadata": {"name": "web-1", "namespace": "default", "ownerReferences": [{"kind": "Deployment", "name": "web", "controller": true}]}, "spec": {"replicas": 3}}))
            .with("deployments", json!({"metadata": {"name": "web", "namespace": "default"}, "spec": {"replicas": 3}}));
        let pods = vec![pod("a", true), pod("b", true), pod("c", false)];
        let min2 = json!({"metadata": {"name": "web-pdb", "namespace": "default"}, "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}});
        assert_eq!(budget(&objects, &min2, &pods), Budget { expected: 3, desired_healthy: 2, current_healthy: 2, disruptions_allowed: 0 });
        let max1 = json!({"metadata": {"name": "p", "namespace": "default"}, "spec": {"maxUnavailable": "34%", "selector": {"matchLabels": {"app": "web"}}}});
        // 34% of 3 rounds up to 2 unavailable: 1 must stay healthy.
        assert_eq!(budget(&objects, &max1, &pods).disruptions_allowed, 1);
        let pct = json!({"metadata": {"name": "p", "namespace": "default"}, "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}}});
        assert_eq!(budget(&objects, &pct, &pods).desired_healthy, 2);
        let empty = json!({"metadata": {"name": "p", "namespace": "default"}, "spec": {"minAvailable": 0, "selector": {}}});
        assert_eq!(budget(&objects, &empty, &pods).expected, 0, "an empty selector matches nothing");
    }
}
