//! DefaultTolerationSeconds: mirrors `plugin/pkg/admission/defaulttolerationseconds`.
//!
//! Every pod tolerates `node.kubernetes.io/not-ready` and `node.kubernetes.io/unreachable`
//! (NoExecute) for 300 seconds (kube-apiserver's `--default-not-ready-toleration-seconds` and
//! `--default-unreachable-toleration-seconds`), unless it already tolerates that key and effect —
//! a toleration with an empty key or empty effect counts as a match. That is why a pod on a dead
//! node is evicted five minutes after the node's taint appears.

use super::{Operation, Rejection, Request, Target, Verdict};
use crate::apiserver::Objects;
use crate::sim::Rng;
use serde_json::{json, Value};

const SECONDS: i64 = 300;
const KEYS: [&str; 2] = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

pub(super) fn admit(_objects: &dyn Objects, req: &Request, obj: &mut Target, _rng: &mut Rng) -> Result<Verdict, Rejection> {
    let applies = req.is("", "pods") && req.subresource.is_empty() && matches!(req.operation, Operation::Create | Operation::Update);
    if !applies || !obj["spec"].is_object() {
        return Ok(Verdict::skip());
    }
    // Read in place: most pods (every update) already tolerate both, and are left as they are.
    let existing: &[Value] = obj["spec"]["tolerations"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let tolerates = |key: &str| {
        existing.iter().any(|t| {
            let k = t["key"].as_str().unwrap_or("");
            let e = t["effect"].as_str().unwrap_or("");
            (k == key || k.is_empty()) && (e == "NoExecute" || e.is_empty())
        })
    };
    let added: Vec<Value> = KEYS
        .iter()
        .filter(|k| !tolerates(k))
        .map(|k| json!({"key": k, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": SECONDS}))
        .collect();
    if added.is_empty() {
        return Ok(Verdict::note("the pod already tolerates not-ready and unreachable"));
    }
    let mut all = existing.to_vec();
    all.extend(added);
    if let Some(mut spec) = obj.edit_spec_fields(&["tolerations"]) {
        spec.set("tolerations", Value::Array(all));
    }
    Ok(Verdict::default())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Operation;
    use serde_json::json;

    #[test]
    fn adds_both_unless_tolerated() {
        let objects = dev_objects();
        let req = req_in(Operation::Create, "pods", "dev", "web");
        let pod = json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "image": "x"}]}});
        let out = run_mutate(&objects, &req, &pod).unwrap();
        assert_eq!(
            out["spec"]["tolerations"],
            json!([
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ])
        );
        // An empty-key toleration (tolerate everything) already covers both.
        let mut all = pod.clone();
        all["spec"]["tolerations"] = json!([{"operator": "Exists"}]);
        let out = run_mutate(&objects, &req, &all).unwrap();
        assert_eq!(out["spec"]["tolerations"], json!([{"operator": "Exists"}]));
        // Only the missing one is added.
        let mut one = pod.clone();
        one["spec"]["tolerations"] = json!([{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]);
        let out = run_mutate(&objects, &req, &one).unwrap();
        assert_eq!(out["spec"]["tolerations"].as_array().map(Vec::len), Some(2));
        assert_eq!(out["spec"]["tolerations"][1]["key"], "node.kubernetes.io/not-ready");
    }
}
