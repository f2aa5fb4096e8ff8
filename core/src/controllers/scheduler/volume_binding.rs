//! kube-scheduler's VolumeBinding plugin (`pkg/scheduler/framework/plugins/volumebinding`).
//!
//! PreFilter: every claim the pod names must exist and not be terminating; an unbound claim
//! that does not wait for its first consumer (no class, a class that does not exist, or an
//! `Immediate` class) makes the pod unschedulable on every node ("pod has unbound immediate
//! PersistentVolumeClaims") until the PV controller binds it. Filter: a bound claim's volume
//! must allow the node (its `nodeAffinity`); an unbound `WaitForFirstConsumer` claim needs a
//! class that can provision. PreBind: each such claim is annotated with the chosen node
//! (`volume.kubernetes.io/selected-node`) and the pod is bound only once all its claims are.
//!
//! Not modelled: static volumes for `WaitForFirstConsumer` claims (the plugin would bind them
//! itself), storage capacity, and PreBind's `bindTimeoutSeconds` (600 s): a claim that is never
//! bound keeps its pod waiting on the chosen node.

use super::super::client::{self, ns_of};
use super::super::persistent_volume::{self as pv_controller, BIND_COMPLETED, SELECTED_NODE};
use super::super::replicaset::is_terminating;
use super::filters::{node_affinity, NodeInfo, Rejection};
use super::super::Caches;
use crate::apiserver::{Context, User, Verb};
use serde_json::{json, Value};

/// What PreFilter found out about a pod's claims.
#[derive(Debug, Default)]
pub struct PodVolumeClaims<'a> {
    /// Bound claims' volumes.
    pub bound: Vec<&'a Value>,
    /// Unbound claims that wait for this pod's node.
    pub delayed: Vec<&'a Value>,
}

fn claim_names(pod: &Value) -> Vec<&str> {
    pod["spec"]["volumes"].as_array().into_iter().flatten().filter_map(|v| v["persistentVolumeClaim"]["claimName"].as_str()).collect()
}

/// `isPVCFullyBound`.
fn fully_bound(claim: &Value) -> bool {
    !client::str_of(claim, &["spec", "volumeName"]).is_empty() && claim["metadata"]["annotations"].get(BIND_COMPLETED).is_some()
}

/// PreFilter; `Err` carries the message for the `FailedScheduling` event.
pub fn pre_filter<'a>(pod: &Value, caches: &'a Caches) -> Result<PodVolumeClaims<'a>, String> {
    let mut out = PodVolumeClaims::default();
    for name in claim_names(pod) {
        let Some(claim) = caches.pvcs.get(ns_of(pod), name) else {
            return Err(format!("persistentvolumeclaim \"{name}\" not found"));
        };
        if is_terminating(claim) {
            return Err(format!("persistentvolumeclaim \"{name}\" is being deleted"));
        }
        let volume = client::str_of(claim, &["spec", "volumeName"]);
        if fully_bound(claim) {
            match caches.pvs.get("", volume) {
                Some(pv) => out.bound.push(pv),
                None => return Err(format!("persistentvolumeclaim \"{name}\" bound to non-existent persistentvolume \"{volume}\"")),
            }
        } else if volume.is_empty() && pv_controller::delay_binding(caches, claim) {
            out.delayed.push(claim);
        } else {
            return Err("pod has unbound immediate PersistentVolumeClaims".into());
        }
    }
    Ok(out)
}

/// The framework's message when a PreFilter plugin rejects the pod: every node gets the same
/// UnschedulableAndUnresolvable status, so preemption cannot help anywhere.
pub fn pre_filter_error(total: usize, message: &str) -> String {
    format!("0/{total} nodes are available: {message}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling.")
}

/// Filter: the bound volumes' node affinity; the delayed claims' classes can provision.
pub fn filter(claims: &PodVolumeClaims, caches: &Caches, node: &NodeInfo) -> Result<(), Rejection> {
    for pv in &claims.bound {
        let required = &pv["spec"]["nodeAffinity"]["required"];
        if required.is_object() {
            let pod = json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}}});
            if node_affinity(&pod, node).is_err() {
                return Err(Rejection { reasons: vec!["node(s) had volume node affinity conflict".into()], unresolvable: true });
            }
        }
    }
    for claim in &claims.delayed {
        let class = caches.storageclasses.get("", pv_controller::claim_class(claim));
        if class.is_none_or(|c| c["provisioner"] == "kubernetes.io/no-provisioner") {
            return Err(Rejection { reasons: vec!["node(s) didn't find available persistent volumes to bind".into()], unresolvable: true });
        }
    }
    Ok(())
}

/// PreBind: the chosen node goes on each delayed claim for the PV controller and provisioner.
pub fn pre_bind(ctx: &mut Context, user: &User, claims: &PodVolumeClaims, node: &str) {
    let Some(kind) = client::kind("v1", "PersistentVolumeClaim") else { return };
    for claim in &claims.delayed {
        if client::str_of(claim, &["metadata", "annotations", SELECTED_NODE]) == node {
            continue;
        }
        let mut new = (*claim).clone();
        new["metadata"]["annotations"][SELECTED_NODE] = json!(node);
        client::send(ctx, user, Verb::Update, kind, ns_of(claim), client::name_of(claim), Some(new));
    }
}

/// True when every claim the pod names is bound: PreBind's wait is over.
pub fn all_bound(pod: &Value, caches: &Caches) -> bool {
    claim_names(pod).iter().all(|n| caches.pvcs.get(ns_of(pod), n).is_some_and(fully_bound))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pre_filter_message_blames_no_node() {
        assert_eq!(
            pre_filter_error(4, "pod has unbound immediate PersistentVolumeClaims"),
            "0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. \
             preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
        );
    }

    const CLAIM_AND_POD: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  CLASS\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n  volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: data\n";

    /// (pod phase, claim phase) once the cluster settles.
    fn settle(class_line: &str) -> (String, String) {
        use crate::cli::MemoryFiles;
        use crate::cluster::{Cluster, Config};
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("app.yaml", CLAIM_AND_POD.replace("CLASS", class_line));
        cluster.execute("kubectl apply -f app.yaml", &files);
        let pod = cluster.execute("kubectl get pod app -o jsonpath={.status.phase}", &files).stdout;
        let claim = cluster.execute("kubectl get pvc data -o jsonpath={.status.phase}", &files).stdout;
        (pod, claim)
    }

    #[test]
    fn a_default_class_claim_is_provisioned_for_its_pod_and_a_missing_class_blocks_it() {
        assert_eq!(settle("volumeMode: Filesystem"), ("Running".to_string(), "Bound".to_string()));
        assert_eq!(settle("storageClassName: missing"), ("Pending".to_string(), "Pending".to_string()));
    }

    #[test]
    fn a_pod_names_its_claims_by_volume() {
        let pod = json!({"spec": {"volumes": [{"name": "a", "emptyDir": {}}, {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}}]}});
        assert_eq!(claim_names(&pod), vec!["www-web-0"]);
    }
}
