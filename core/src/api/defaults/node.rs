//! Node defaults: mirrors `pkg/apis/core/v1/defaults.go` `SetDefaults_NodeStatus`: a node that
//! reports capacity but no allocatable has all of its capacity allocatable.
//!
//! Not here: the `node.kubernetes.io/not-ready:NoSchedule` taint, which the TaintNodesByCondition
//! admission plugin adds.

use super::fields::{child, fill_missing_keys, is_nil, Object};

pub(super) fn default_node(node: &mut Object) {
    let Some(status) = child(node, "status") else {
        return;
    };
    if !is_nil(status.get("allocatable")) {
        return;
    }
    let capacity = status.get("capacity").and_then(|c| c.as_object()).cloned();
    if let Some(capacity) = capacity {
        fill_missing_keys(status, &capacity, "allocatable");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn allocatable_copies_capacity_only_when_nil() {
        let mut v = json!({"status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"}}});
        if let Some(o) = v.as_object_mut() {
            default_node(o);
        }
        assert_eq!(
            v["status"]["allocatable"],
            json!({"cpu": "4", "memory": "8Gi", "pods": "110"})
        );
        let mut v = json!({"status": {"capacity": {"cpu": "4"}, "allocatable": {"cpu": "3500m"}}});
        if let Some(o) = v.as_object_mut() {
            default_node(o);
        }
        assert_eq!(v["status"]["allocatable"], json!({"cpu": "3500m"}));
    }
}
