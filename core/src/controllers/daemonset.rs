//! The DaemonSet controller (`pkg/controller/daemon`): one pod per eligible node. A node is
//! eligible when the template's `nodeSelector` and required node affinity match it and its
//! NoSchedule/NoExecute taints are tolerated, counting the tolerations every daemon pod gets
//! (`AddOrUpdateDaemonPodTolerations`). Since 1.12 the controller does not place pods itself:
//! each pod carries a required node affinity `matchFields metadata.name In [<node>]` and the
//! default scheduler binds it.
//!
//! Each pod is labelled `controller-revision-hash` (the template hash, also the suffix of the
//! ControllerRevision `<ds>-<hash>`) and `pod-template-generation`. `RollingUpdate` replaces old
//! pods node by node within `maxUnavailable` (default 1; `maxSurge` > 0 is not modelled and acts
//! as 0); `OnDelete` replaces a pod only once someone deletes it. Like `syncDaemonSet`, a step
//! that created or deleted pods for placement leaves the rolling update for the next step.
//!
//! `pod-template-generation` is read from the `deprecated.daemonset.template.generation`
//! annotation when the API server wrote one, else from `metadata.generation`; `minReadySeconds`
//! is not modelled (a Ready pod counts as available at once).

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::controller_revision::{self as history, NewRevision};
use super::hash::pod_template_hash;
use super::replicaset::{condition_true, controlled_by, is_terminating};
use super::scheduler_plugins::{node_affinity, taint_toleration, NodeInfo};
use super::controller_ref_manager::controller_of;
use super::informer::Notification;
use super::sync_retry::SyncRetry;
use super::Caches;
use crate::apiserver::{handle, Context, Request, Verb};
use crate::sim::Time;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

const NAME: &str = "daemon-set-controller";
pub const HASH_LABEL: &str = "controller-revision-hash";
const GENERATION_LABEL: &str = "pod-template-generation";
const TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";
/// Pods created or deleted per DaemonSet per step (`burstReplicas`).
const BURST_REPLICAS: usize = 250;

/// `AddOrUpdateDaemonPodTolerations`: daemon pods survive node problems and cordons.
pub fn add_daemon_tolerations(spec: &mut Value) {
    let mut wanted = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec["hostNetwork"] == json!(true) {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    let mut tolerations: Vec<Value> = spec["tolerations"].as_array().cloned().unwrap_or_default();
    for (key, effect) in wanted {
        let t = json!({"key": key, "operator": "Exists", "effect": effect});
        // `AddOrUpdateTolerationInPodSpec`: a toleration matching key, operator, value and effect
        // is replaced (dropping any tolerationSeconds); otherwise the new one is appended.
        let same = |x: &Value| {
            x["key"] == t["key"] && x["operator"].as_str().unwrap_or("Equal") == "Exists" && x["value"].as_str().unwrap_or("").is_empty() && x["effect"] == t["effect"]
        };
        match tolerations.iter_mut().find(|x| same(x)) {
            Some(existing) => *existing = t,
            None => tolerations.push(t),
        }
    }
    spec["tolerations"] = json!(tolerations);
}

fn template_generation(ds: &Value) -> i64 {
    client::str_of(ds, &["metadata", "annotations", TEMPLATE_GENERATION])
        .parse()
        .unwrap_or_else(|_| ds["metadata"]["generation"].as_i64().unwrap_or(1))
}

/// `CreatePodTemplate`: the template with the daemon tolerations and the two labels.
fn pod_template(ds: &Value, hash: &str) -> Value {
    let mut template = ds["spec"]["template"].clone();
    if !template["spec"].is_object() {
        template["spec"] = json!({});
    }
    add_daemon_tolerations(&mut template["spec"]);
    let mut labels: Map<String, Value> = template["metadata"]["labels"].as_object().cloned().unwrap_or_default();
    labels.insert(GENERATION_LABEL.into(), json!(template_generation(ds).to_string()));
    labels.insert(HASH_LABEL.into(), json!(hash));
    template["metadata"]["labels"] = Value::Object(labels);
    template
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the required terms become "this node only".
fn pin_to_node(spec: &mut Value, node: &str) {
    let term = json!({"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]});
    if !spec["affinity"].is_object() {
        spec["affinity"] = json!({});
    }
    if !spec["affinity"]["nodeAffinity"].is_object() {
        spec["affinity"]["nodeAffinity"] = json!({});
    }
    spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = term;
}

/// `NodeShouldRunDaemonPod`: (should run, should keep running). A pod that tolerates the
/// node's NoExecute taints may stay although a NoSchedule taint keeps new ones away.
#[cfg(test)]
pub fn should_run(ds: &Value, node: &NodeInfo) -> (bool, bool) {
    should_run_pod(&daemon_pod(ds), node)
}

/// The pod `NodeShouldRunDaemonPod` checks: the template's spec with the daemon tolerations.
/// Built once per sync rather than once per node.
fn daemon_pod(ds: &Value) -> Value {
    let mut pod = json!({"spec": ds["spec"]["template"]["spec"].clone()});
    add_daemon_tolerations(&mut pod["spec"]);
    pod
}

/// [`should_run`] for the DaemonSet's [`daemon_pod`].
fn should_run_pod(pod: &Value, node: &NodeInfo) -> (bool, bool) {
    let wanted = pod["spec"]["nodeName"].as_str().unwrap_or("");
    if !wanted.is_empty() && wanted != node.name {
        return (false, false);
    }
    if node_affinity(pod, node).is_err() {
        return (false, false);
    }
    if taint_toleration(pod, node).is_ok() {
        return (true, true);
    }
    let mut no_execute_only = node.clone();
    no_execute_only.taints.retain(|t| t["effect"] == "NoExecute");
    (false, taint_toleration(pod, &no_execute_only).is_ok())
}

/// `GetTargetNodeName`: the bound node, or the node the pod's affinity pins it to.
pub fn target_node(pod: &Value) -> String {
    let bound = client::str_of(pod, &["spec", "nodeName"]);
    if !bound.is_empty() {
        return bound.to_string();
    }
    let terms = &pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
    for term in terms.as_array().into_iter().flatten() {
        for f in term["matchFields"].as_array().into_iter().flatten() {
            if f["key"] == "metadata.name" && f["operator"] == "In" {
                if let Some([only]) = f["values"].as_array().map(Vec::as_slice) {
                    return only.as_str().unwrap_or("").to_string();
                }
            }
        }
    }
    String::new()
}

fn created(pod: &Value) -> (&str, &str) {
    (client::str_of(pod, &["metadata", "creationTimestamp"]), name_of(pod))
}

/// DaemonSets whose last pod create was refused wait for their rate-limited retry, as
/// `processNextWorkItem`'s `AddRateLimited` makes them: a ServiceAccount applied after its
/// DaemonSet used to leave the set without pods until its spec changed.
///
/// A sync is a function of the DaemonSet, the nodes, its pods and its ControllerRevisions, so
/// only the sets the informers' notifications concern are synced, as the real controller's
/// event handlers queue a set when it, a node, one of its pods or revisions changes
/// (`addNode`/`updateNode` queue every set). A set whose sync sent a request, failed or was
/// held back is synced again at the next step, as the pass over every set at every step did.
/// That pass, each set over every node, was a third of the samples of applying kube-prometheus.
#[derive(Debug, Default)]
pub struct DaemonSetController {
    retry: SyncRetry,
    /// DaemonSet cache keys to sync, in key order (the order of a pass over every set).
    dirty: BTreeSet<String>,
    /// Whether the first step, which syncs every set, has run.
    started: bool,
}

impl DaemonSetController {
    pub fn next_wake(&self) -> Option<Time> {
        self.retry.next_wake()
    }

    pub fn next_background_wake(&self) -> Option<Time> {
        self.retry.next_background_wake()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        let live: Vec<&str> = caches.daemonsets.values().map(uid_of).collect();
        self.retry.retain_live(&live, ctx.now);
        self.queue(caches);
        // Read the nodes only when there is a DaemonSet to place: at 5,000 nodes and none, this
        // was a sixth of every step.
        let mut nodes: Option<Vec<NodeInfo>> = None;
        for key in std::mem::take(&mut self.dirty) {
            let Some(ds) = caches.daemonsets.cache.get(&key) else { continue };
            if is_terminating(ds) {
                continue;
            }
            let nodes = nodes.get_or_insert_with(|| caches.nodes.values().map(NodeInfo::from_node).collect());
            let generation = ds["metadata"]["generation"].as_i64().unwrap_or(0);
            let held = self.retry.is_held(uid_of(ds), generation, ctx.now);
            let sent = *ctx.next_request_id;
            let synced = sync(ctx, caches, events, ds, nodes, held);
            match synced {
                _ if held => {}
                true => self.retry.succeeded(uid_of(ds)),
                false => {
                    self.retry.failed(uid_of(ds), generation, ctx.now);
                }
            }
            if held || !synced || *ctx.next_request_id != sent {
                self.dirty.insert(key);
            }
        }
    }

    /// Adds the sets this step's notifications concern (every set at the first step, and after
    /// a node changed).
    fn queue(&mut self, caches: &Caches) {
        let everything = !self.started || !caches.nodes.notifications().is_empty();
        self.started = true;
        if everything {
            self.dirty.extend(caches.daemonsets.cache.keys().cloned());
            return;
        }
        for n in caches.daemonsets.notifications() {
            self.dirty.insert(n.key().to_string());
        }
        if caches.daemonsets.cache.is_empty() {
            return;
        }
        // Pods and revisions name their set by its uid, as the sync finds them.
        let by_uid: BTreeMap<&str, &String> = caches.daemonsets.cache.iter().map(|(k, ds)| (uid_of(ds), k)).collect();
        for informer in [&caches.pods, &caches.controllerrevisions] {
            for n in informer.notifications() {
                let old = match n {
                    Notification::Updated { old, .. } => Some(old),
                    _ => None,
                };
                for obj in informer.object_of(n).into_iter().chain(old) {
                    let Some(owner) = controller_of(obj).and_then(|r| r["uid"].as_str()) else { continue };
                    if let Some(key) = by_uid.get(owner) {
                        self.dirty.insert((*key).clone());
                    }
                }
            }
        }
    }
}

struct Plan<'a> {
    create_on: Vec<String>,
    delete: Vec<&'a Value>,
}

/// One DaemonSet's sync, without creates while `held`; false when a pod create was refused.
fn sync(ctx: &mut Context, caches: &Caches, events: &mut EventNames, ds: &Value, nodes: &[NodeInfo], held: bool) -> bool {
    let user = client::controller(NAME);
    let collision = ds["status"]["collisionCount"].as_i64().map(|c| c as i32);
    let hash = pod_template_hash(&ds["spec"]["template"], collision);
    let revisions = history::owned(caches, ds);
    let mut cr_labels: Map<String, Value> = ds["spec"]["template"]["metadata"]["labels"].as_object().cloned().unwrap_or_default();
    cr_labels.insert(HASH_LABEL.into(), json!(hash));
    let rev_name = format!("{}-{hash}", name_of(ds));
    let rev = NewRevision { owner: ds, owner_kind: "DaemonSet", name: rev_name.clone(), labels: Value::Object(cr_labels), annotations: Some(ds["metadata"]["annotations"].clone()) };
    if history::ensure_current(ctx, &user, &revisions, rev).is_none() {
        return true;
    }

    let (ns, uid) = (ns_of(ds), uid_of(ds));
    let owned: Vec<&Value> = caches.pods.in_namespace(ns).filter(|p| ns_of(p) == ns && controlled_by(p, uid)).collect();
    let mut by_node: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for p in owned.iter().copied().filter(|p| !is_terminating(p)) {
        by_node.entry(target_node(p)).or_default().push(p);
    }
    for pods in by_node.values_mut() {
        pods.sort_by(|a, b| created(a).cmp(&created(b)));
    }

    // manage: what placement needs.
    let mut plan = Plan { create_on: Vec::new(), delete: Vec::new() };
    let mut eligible: Vec<(&NodeInfo, bool)> = Vec::new();
    let daemon_pod = daemon_pod(ds);
    for node in nodes {
        let (run, keep) = should_run_pod(&daemon_pod, node);
        eligible.push((node, run));
        let here: Vec<&Value> = by_node.get(&node.name).cloned().unwrap_or_default();
        // Failed daemon pods are deleted and replaced.
        let (failed, live): (Vec<&Value>, Vec<&Value>) = here.into_iter().partition(|p| p["status"]["phase"] == "Failed");
        plan.delete.extend(failed.iter().copied().filter(|_| run || keep));
        if run && live.is_empty() {
            plan.create_on.push(node.name.clone());
        } else if (run || keep) && live.len() > 1 {
            // More than one daemon pod on a node: keep the oldest.
            plan.delete.extend(live.iter().skip(1).copied());
        } else if !keep {
            plan.delete.extend(live.iter().copied());
        }
    }
    // Unscheduled pods aimed at nodes that no longer exist.
    for (node, pods) in &by_node {
        if !nodes.iter().any(|n| &n.name == node) {
            plan.delete.extend(pods.iter().copied().filter(|p| client::str_of(p, &["spec", "nodeName"]).is_empty()));
        }
    }
    if held {
        plan.create_on.clear();
    }
    let placed = !plan.create_on.is_empty() || !plan.delete.is_empty();
    if !placed && ds["spec"]["updateStrategy"]["type"].as_str().unwrap_or("RollingUpdate") == "RollingUpdate" {
        let desired = eligible.iter().filter(|(_, run)| *run).count() as i64;
        plan.delete = rolling_update(ds, &hash, &eligible, &by_node, desired);
    }
    let created_all = execute(ctx, events, ds, &hash, plan);
    write_status(ctx, ds, &hash, &eligible, &by_node);

    let in_use: Vec<String> = owned.iter().map(|p| format!("{}-{}", name_of(ds), client::str_of(p, &["metadata", "labels", HASH_LABEL]))).collect();
    history::truncate(ctx, &user, ds, &revisions, &rev_name, &in_use);
    created_all
}

fn is_updated(pod: &Value, hash: &str) -> bool {
    client::str_of(pod, &["metadata", "labels", HASH_LABEL]) == hash
}

/// `rollingUpdate` with maxSurge 0: delete old pods while fewer than `maxUnavailable` nodes are
/// without an available pod; an old pod that is not available anyway goes at once.
fn rolling_update<'a>(ds: &Value, hash: &str, eligible: &[(&NodeInfo, bool)], by_node: &BTreeMap<String, Vec<&'a Value>>, desired: i64) -> Vec<&'a Value> {
    let max_unavailable = super::deployment::resolve(&ds["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"], desired, true, 0).max(1);
    let mut unavailable = 0;
    let mut replace_now = Vec::new();
    let mut candidates = Vec::new();
    for (node, run) in eligible {
        if !run {
            continue;
        }
        let pods = by_node.get(&node.name).cloned().unwrap_or_default();
        let new = pods.iter().find(|p| is_updated(p, hash));
        let old = pods.iter().find(|p| !is_updated(p, hash));
        match (old, new) {
            (None, None) | (Some(_), Some(_)) => unavailable += 1,
            (None, Some(n)) => {
                if !condition_true(n, "Ready") {
                    unavailable += 1;
                }
            }
            (Some(o), None) => {
                if !condition_true(o, "Ready") {
                    replace_now.push(*o);
                } else if unavailable < max_unavailable {
                    candidates.push(*o);
                }
            }
        }
    }
    let room = (max_unavailable - unavailable).max(0) as usize;
    replace_now.extend(candidates.into_iter().take(room));
    replace_now
}

/// Sends the creates and deletes; false when a create was refused.
fn execute(ctx: &mut Context, events: &mut EventNames, ds: &Value, hash: &str, plan: Plan) -> bool {
    let Some(pod_kind) = client::kind("v1", "Pod") else { return true };
    let mut ok = true;
    let user = client::controller(NAME);
    let source = Source { component: NAME, host: "" };
    let ns = ns_of(ds);
    let template = pod_template(ds, hash);
    for node in plan.create_on.iter().take(BURST_REPLICAS) {
        let mut meta = json!({
            "generateName": format!("{}-", name_of(ds)), "namespace": ns,
            "labels": template["metadata"]["labels"],
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": name_of(ds), "uid": uid_of(ds), "controller": true, "blockOwnerDeletion": true}],
        });
        if let Some(a) = template["metadata"].get("annotations") {
            meta["annotations"] = a.clone();
        }
        let mut spec = template["spec"].clone();
        pin_to_node(&mut spec, node);
        let body = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec});
        match client::send(ctx, &user, Verb::Create, pod_kind, ns, "", Some(body)).result {
            Ok(pod) => client::event(ctx, events, &user, &source, ds, false, "SuccessfulCreate", &format!("Created pod: {}", name_of(&pod))),
            Err(status) => {
                client::event(ctx, events, &user, &source, ds, true, "FailedCreate", &format!("Error creating: {}", status.message));
                ok = false;
                break;
            }
        }
    }
    for pod in plan.delete.into_iter().take(BURST_REPLICAS) {
        let mut req = Request::new(Verb::Delete, pod_kind, ns, name_of(pod));
        req.user = user.clone();
        req.delete.precondition_uid = Some(uid_of(pod).to_string());
        if handle(ctx, &req).result.is_ok() {
            client::event(ctx, events, &user, &source, ds, false, "SuccessfulDelete", &format!("Deleted pod: {}", name_of(pod)));
        }
    }
    ok
}

/// `updateDaemonSetStatus`, written only when it changed.
fn write_status(ctx: &mut Context, ds: &Value, hash: &str, eligible: &[(&NodeInfo, bool)], by_node: &BTreeMap<String, Vec<&Value>>) {
    let Some(ds_kind) = client::kind("apps/v1", "DaemonSet") else { return };
    let (mut desired, mut current, mut misscheduled, mut ready, mut updated) = (0i64, 0i64, 0i64, 0i64, 0i64);
    for (node, run) in eligible {
        let pods = by_node.get(&node.name).map(Vec::as_slice).unwrap_or_default();
        if !run {
            misscheduled += i64::from(!pods.is_empty());
            continue;
        }
        desired += 1;
        // The oldest pod on the node stands for it.
        let Some(pod) = pods.first() else { continue };
        current += 1;
        ready += i64::from(condition_true(pod, "Ready"));
        updated += i64::from(is_updated(pod, hash));
    }
    let mut status = json!({
        "currentNumberScheduled": current, "numberMisscheduled": misscheduled,
        "desiredNumberScheduled": desired, "numberReady": ready,
        "observedGeneration": ds["metadata"]["generation"],
    });
    // omitempty: zero counts of these are not written.
    for (field, n) in [("updatedNumberScheduled", updated), ("numberAvailable", ready), ("numberUnavailable", desired - ready)] {
        if n > 0 {
            status[field] = json!(n);
        }
    }
    if let Some(c) = ds["status"].get("collisionCount") {
        status["collisionCount"] = c.clone();
    }
    if ds["status"] == status {
        return;
    }
    let mut new = ds.clone();
    new["status"] = status;
    client::update_status(ctx, &client::controller(NAME), ds_kind, &new);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, taints: Value) -> NodeInfo {
        NodeInfo::from_node(&json!({"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}, "spec": {"taints": taints}}))
    }

    fn ds(spec: Value) -> Value {
        json!({"metadata": {"name": "fluentd", "generation": 1}, "spec": {"template": {"metadata": {"labels": {"name": "fluentd"}}, "spec": spec}}})
    }

    #[test]
    fn daemon_pods_tolerate_node_problems_but_not_the_control_plane_taint() {
        let cp = node("control-plane", json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]));
        let cordoned = node("node-1", json!([{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]));
        let plain = ds(json!({"containers": []}));
        assert_eq!(should_run(&plain, &cp), (false, true));
        assert_eq!(should_run(&plain, &cordoned), (true, true));
        let tolerating = ds(json!({"containers": [], "tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]}));
        assert_eq!(should_run(&tolerating, &cp), (true, true));
        let selective = ds(json!({"containers": [], "nodeSelector": {"disk": "ssd"}}));
        assert_eq!(should_run(&selective, &node("node-2", json!([]))), (false, false));
    }

    #[test]
    fn default_tolerations_are_added_once_in_upstream_order() {
        let mut spec = json!({"hostNetwork": true, "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]});
        add_daemon_tolerations(&mut spec);
        add_daemon_tolerations(&mut spec);
        let keys: Vec<&str> = spec["tolerations"].as_array().unwrap().iter().map(|t| t["key"].as_str().unwrap()).collect();
        assert_eq!(keys.len(), 7);
        assert_eq!(keys[0], "node.kubernetes.io/not-ready");
        assert_eq!(keys[6], "node.kubernetes.io/network-unavailable");
        assert!(spec["tolerations"][0].get("tolerationSeconds").is_none());
    }

    #[test]
    fn pods_are_pinned_by_node_affinity_and_found_again_by_it() {
        let mut spec = json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}});
        pin_to_node(&mut spec, "node-2");
        let pod = json!({"spec": spec});
        assert_eq!(target_node(&pod), "node-2");
        assert!(pod["spec"]["affinity"]["nodeAffinity"].get("preferredDuringSchedulingIgnoredDuringExecution").is_some());
    }
}
