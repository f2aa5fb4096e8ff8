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
//! The budget's figures are its status, which the disruption controller
//! (`controllers/disruption.rs`, `pkg/controller/disruption`) keeps: as `checkAndDecrement` does,
//! the request is refused while the controller has not seen the budget's latest generation
//! (`The disruption budget <name> is still being processed by the server.`), refused when
//! `disruptionsAllowed` is 0, and otherwise takes one disruption: `disruptionsAllowed` goes down
//! by one and the pod is recorded in `disruptedPods`, written through the loopback client
//! (`PUT poddisruptionbudgets/<name>/status` as `system:apiserver`) before the pod is deleted.
//! Two evictions in a row thus cannot both spend the last allowed disruption. A pod that is not
//! Ready costs no disruption when the budget is met anyway (or its `unhealthyPodEvictionPolicy`
//! is `AlwaysAllow`); it is deleted with its resourceVersion as a precondition.

use super::super::{delete, not_found, Run};
use crate::apiserver::select::LabelSelector;
use crate::apiserver::{handle, rfc3339, storage, Objects, Request, Status, StoreObjects, User, Verb};
use crate::trace::{Stage, Verdict};
use serde_json::{json, Value};

/// `MaxDisruptedPodSize`: evictions the controller has not yet confirmed, per budget.
const MAX_DISRUPTED_POD_SIZE: usize = 2000;

fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True")
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn too_many_requests() -> Status {
    Status { code: 429, reason: "TooManyRequests", message: "Cannot evict pod as it would violate the pod's disruption budget.".into() }
}

/// `checkAndDecrement`: the budget as it will be stored once this eviction takes a disruption,
/// or the refusal with the trace's account of why.
fn check_and_decrement(pdb: &Value, pod_name: &str, now: crate::sim::Time) -> Result<Value, (Status, String)> {
    let name = pdb["metadata"]["name"].as_str().unwrap_or("");
    let status = &pdb["status"];
    if int(&status["observedGeneration"]) < int(&pdb["metadata"]["generation"]) {
        return Err((too_many_requests(), format!("cause DisruptionBudget: The disruption budget {name} is still being processed by the server.")));
    }
    let allowed = int(&status["disruptionsAllowed"]);
    if allowed < 0 {
        let why = "pdb disruptions allowed is negative";
        return Err((Status::forbidden("poddisruptionbudget.policy", name, why), why.to_string()));
    }
    if status["disruptedPods"].as_object().is_some_and(|m| m.len() > MAX_DISRUPTED_POD_SIZE) {
        let why = "DisruptedPods map too big - too many evictions not confirmed by PDB controller";
        return Err((Status::forbidden("poddisruptionbudget.policy", name, why), why.to_string()));
    }
    if allowed == 0 {
        let cause = format!(
            "cause DisruptionBudget: The disruption budget {name} needs {} healthy pods and has {} currently",
            int(&status["desiredHealthy"]),
            int(&status["currentHealthy"])
        );
        return Err((too_many_requests(), cause));
    }
    let mut new = pdb.clone();
    new["status"]["disruptionsAllowed"] = json!(allowed - 1);
    if allowed - 1 == 0 {
        crate::controllers::set_disruption_allowed_condition(&mut new["status"], now, false, "InsufficientPods", "");
    }
    if !new["status"]["disruptedPods"].is_object() {
        new["status"]["disruptedPods"] = json!({});
    }
    new["status"]["disruptedPods"][pod_name] = json!(rfc3339(now));
    Ok(new)
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
    let pdbs: Vec<Value> = {
        let objects = StoreObjects(run.ctx.store);
        let labels = crate::apiserver::select::labels_of(&pod);
        // A budget with a missing or empty selector matches nothing here.
        objects
            .list("poddisruptionbudgets", Some(&req.namespace))
            .into_iter()
            .filter(|b| LabelSelector::from_object(&b["spec"]["selector"]).is_some_and(|s| !s.is_empty() && s.matches(&labels)))
            .collect()
    };
    if pdbs.len() > 1 {
        let status = Status { code: 500, reason: "InternalError", message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.".into() };
        return run.reject(Stage::ValidatingAdmission, status);
    }
    let Some(pdb) = pdbs.first() else {
        run.stage(Stage::ValidatingAdmission, Verdict::Passed, "no PodDisruptionBudget selects this pod");
        delete(run, &del)?;
        return Ok(success());
    };
    let name = pdb["metadata"]["name"].as_str().unwrap_or("").to_string();
    let status = &pdb["status"];
    let summary = format!(
        "PodDisruptionBudget {name} status: expectedPods {}, desiredHealthy {}, currentHealthy {}, disruptionsAllowed {}",
        int(&status["expectedPods"]),
        int(&status["desiredHealthy"]),
        int(&status["currentHealthy"]),
        int(&status["disruptionsAllowed"])
    );
    if !is_ready(&pod) {
        let always = pdb["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow";
        let met = int(&status["currentHealthy"]) >= int(&status["desiredHealthy"]) && int(&status["desiredHealthy"]) > 0;
        if always || met {
            // An unready pod costs no disruption; the precondition makes sure it did not turn
            // Ready since.
            let why = if always { "unhealthyPodEvictionPolicy AlwaysAllow" } else { "the budget is met without it" };
            run.stage(Stage::ValidatingAdmission, Verdict::Passed, format!("{summary}; pod is not Ready and {why}"));
            del.delete.precondition_resource_version = pod["metadata"]["resourceVersion"].as_str().map(str::to_string);
            if let Err(e) = delete(run, &del) {
                return Err(if e.code == 409 { too_many_requests() } else { e });
            }
            return Ok(success());
        }
    }
    let new = match check_and_decrement(pdb, &req.name, run.ctx.now) {
        Ok(new) => new,
        Err((status, why)) => {
            run.stage(Stage::ValidatingAdmission, Verdict::Rejected, format!("{summary}; {why}"));
            return run.reject(Stage::ValidatingAdmission, status);
        }
    };
    run.stage(Stage::ValidatingAdmission, Verdict::Passed, format!("{summary}: one disruption taken"));
    // The loopback client's UpdateStatus; a conflict means the budget moved under us, and the
    // client is told to retry, as the real retries end in a 429 when the budget is spent.
    let Some(kind) = crate::api::lookup("policy/v1", "PodDisruptionBudget") else { return Err(Status::internal("no PodDisruptionBudget kind")) };
    let mut update = Request::new(Verb::Update, kind, &req.namespace, &name).with_body(new);
    update.subresource = "status".into();
    update.user = User::apiserver();
    if let Err(e) = handle(run.ctx, &update).result {
        return Err(if e.code == 409 { too_many_requests() } else { e });
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
    use crate::sim::Time;

    fn pdb(allowed: i64, generation: i64, observed: i64) -> Value {
        json!({"metadata": {"name": "web-pdb", "generation": generation},
            "status": {"disruptionsAllowed": allowed, "desiredHealthy": 2, "currentHealthy": 2 + allowed, "observedGeneration": observed}})
    }

    #[test]
    fn an_eviction_takes_one_allowed_disruption_and_records_the_pod() {
        let new = check_and_decrement(&pdb(1, 1, 1), "web-a", Time(5000)).unwrap();
        assert_eq!(new["status"]["disruptionsAllowed"], 0);
        assert_eq!(new["status"]["disruptedPods"]["web-a"], "2026-01-01T00:00:05Z");
        assert_eq!(new["status"]["conditions"][0]["reason"], "InsufficientPods");
        let (status, why) = check_and_decrement(&new, "web-b", Time(5000)).unwrap_err();
        assert_eq!(status.code, 429);
        assert!(why.ends_with("The disruption budget web-pdb needs 2 healthy pods and has 3 currently"), "{why}");
    }

    #[test]
    fn a_budget_the_controller_has_not_seen_yet_refuses() {
        let (status, why) = check_and_decrement(&pdb(3, 2, 1), "web-a", Time(0)).unwrap_err();
        assert_eq!(status.code, 429);
        assert!(why.contains("is still being processed by the server."));
        assert_eq!(check_and_decrement(&pdb(-1, 1, 1), "web-a", Time(0)).unwrap_err().0.code, 403);
    }
}
