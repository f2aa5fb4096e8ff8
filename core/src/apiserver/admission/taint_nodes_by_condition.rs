//! TaintNodesByCondition: mirrors `plugin/pkg/admission/nodetaint`.
//!
//! A Node is born tainted `node.kubernetes.io/not-ready:NoSchedule`, so the scheduler places
//! nothing on it before its kubelet reports Ready; the node lifecycle controller removes the taint
//! then. A node that already carries a taint with that key and effect is left as it is.

use super::{Operation, Rejection, Request, Target, Verdict};
use crate::apiserver::Objects;
use crate::sim::Rng;
use serde_json::json;

const NOT_READY: &str = "node.kubernetes.io/not-ready";

pub(super) fn admit(_objects: &dyn Objects, req: &Request, obj: &mut Target, _rng: &mut Rng) -> Result<Verdict, Rejection> {
    if !(req.is("", "nodes") && req.subresource.is_empty() && req.operation == Operation::Create && obj.is_object()) {
        return Ok(Verdict::skip());
    }
    let tainted = obj["spec"]["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| t["key"] == NOT_READY && t["effect"] == "NoSchedule");
    if tainted {
        return Ok(Verdict::note("the node already has the not-ready taint"));
    }
    let obj = obj.edit();
    if !obj["spec"].is_object() {
        obj["spec"] = json!({});
    }
    let taint = json!({"key": NOT_READY, "effect": "NoSchedule"});
    match obj["spec"]["taints"].as_array_mut() {
        Some(list) => list.push(taint),
        None => obj["spec"]["taints"] = json!([taint]),
    }
    Ok(Verdict::default())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Operation;
    use serde_json::json;

    #[test]
    fn new_nodes_are_not_ready() {
        let objects = dev_objects();
        let node = json!({"metadata": {"name": "node-1"}, "spec": {"taints": [{"key": "gpu", "value": "true", "effect": "NoSchedule"}]}});
        let out = run_mutate(&objects, &req_cluster(Operation::Create, "nodes", "node-1"), &node).unwrap();
        assert_eq!(out["spec"]["taints"][1], json!({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}));
        let again = run_mutate(&objects, &req_cluster(Operation::Create, "nodes", "node-1"), &out).unwrap();
        assert_eq!(again, out);
        let bare = run_mutate(&objects, &req_cluster(Operation::Create, "nodes", "n"), &json!({"metadata": {"name": "n"}})).unwrap();
        assert_eq!(bare["spec"]["taints"].as_array().map(Vec::len), Some(1));
    }
}
