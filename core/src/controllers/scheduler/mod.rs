//! kube-scheduler (profile `default-scheduler`): pending pods wait in the scheduling queue
//! (`queue.rs`); each pop runs one scheduling cycle (`framework.rs`): PreFilter, the filter
//! plugins on every node, and, when some nodes pass, the score plugins and `selectHost`; the
//! chosen node is bound with a `pods/<name>/binding` POST and a `Scheduled` event. When no node
//! passes, DefaultPreemption (`preemption.rs`) may delete lower-priority pods and nominate a node
//! (`status.nominatedNodeName`); the pod gets `PodScheduled=False` (`Unschedulable`) and a
//! `FailedScheduling` event worded as the real scheduler words it, and waits in the queue for a
//! cluster event (`events.rs`) that may help.
//!
//! Every attempt is a trace record (`trace::scheduling::SchedulingAttempt`) with each node's
//! filter verdicts and scores, which `scheduler explain pod/NAME` prints.
//!
//! The scheduler's cache counts pods it bound in this step ("assumed" pods) at once, so a burst
//! of pods spreads; pods nominated by preemption count on their node for pods of lower or equal
//! priority, so those do not take the room freed for them.

mod cache;
mod events;
pub mod filters;
mod framework;
mod inter_pod_affinity;
mod node_info;
mod pending;
mod preemption;
mod queue;
mod scores;
mod topology_spread;
mod volume_binding;

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::informer::Informer;
use super::replicaset::is_terminating;
use super::Caches;
use crate::apiserver::{handle, rfc3339, Context, PatchType, Request, Verb};
use crate::sim::{Duration, Time};
use crate::trace::scheduling::{NodeResult, Preemption, SchedulingAttempt, MAX_DETAILED_NODES};
use crate::trace::{Actor, Event};
use filters::{NodeInfo, Rejection};
use framework::Cycle;
use inter_pod_affinity::NamespaceLabels;
use node_info::PodInfo;
use queue::{QueuedPodInfo, SchedulingQueue};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Pods one step schedules at most; the rest wait for the next step.
const MAX_PODS_PER_STEP: usize = 100;
const NAME: &str = "default-scheduler";

#[derive(Debug, Default)]
pub struct Scheduler {
    queue: SchedulingQueue,
    /// Pods whose node is chosen while VolumeBinding's PreBind waits for their claims to be
    /// bound, by uid, with that node (the pod counts there meanwhile, as an assumed pod).
    waiting_on_volumes: BTreeMap<String, String>,
    seen: events::Seen,
    node_cache: cache::NodeCache,
    /// PodDisruptionBudgets, which only preemption reads.
    pdbs: Option<Informer>,
    /// The pods [`pending`] holds for (unassigned, not terminating, ours, ungated), kept from the
    /// pod informer's notifications as kube-scheduler's unassigned-pod event handlers keep its
    /// queue: scanning every cached pod at every step was a tenth of a 10,000-pod run.
    pending: pending::PendingPods,
    /// When the scheduler last ran, for its timers.
    last_step: Time,
    /// `nextStartNodeIndex`: where the next cycle's filters start in the node list, so that in
    /// a cluster of 100 nodes or more, where a cycle stops at `numFeasibleNodesToFind`, every
    /// node gets its turn.
    next_start_node_index: usize,
    /// The snapshot's node names in order, so that a cycle finds the node at
    /// `nextStartNodeIndex` without walking the nodes before it (1.2% of a 5,000-node run).
    node_order: Vec<String>,
}

/// `minFeasibleNodesToFind` and `minFeasibleNodesPercentageToFind`.
const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: usize = 5;

/// `numFeasibleNodesToFind` with the default profile (no `percentageOfNodesToScore`): every
/// node below 100 nodes, else an adaptive share, `50 - nodes/125` percent but at least 5%, and at
/// least 100 nodes. Returns the count and the percentage (100 when every node is looked at).
pub fn num_feasible_nodes_to_find(all_nodes: usize) -> (usize, usize) {
    if all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
        return (all_nodes, 100);
    }
    let percentage = 50usize.saturating_sub(all_nodes / 125).max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
    ((all_nodes * percentage / 100).max(MIN_FEASIBLE_NODES_TO_FIND), percentage)
}

/// Every node with the pods bound to it, as the scheduler's cache holds them.
fn node_snapshot(caches: &Caches) -> BTreeMap<String, NodeInfo> {
    let mut nodes: BTreeMap<String, NodeInfo> = caches.nodes.values().map(|n| (name_of(n).to_string(), NodeInfo::from_node(n))).collect();
    for (name, info) in nodes.iter_mut() {
        for p in caches.pods.on_node(name).filter(|p| events::is_assigned(p)) {
            info.add_pod(p);
        }
    }
    nodes
}

/// A pod the scheduler is responsible for and may try now.
fn pending(pod: &Value) -> bool {
    client::str_of(pod, &["spec", "nodeName"]).is_empty()
        && !is_terminating(pod)
        && matches!(pod["spec"]["schedulerName"].as_str(), None | Some("default-scheduler"))
        && pod["spec"]["schedulingGates"].as_array().is_none_or(Vec::is_empty)
}

impl Scheduler {
    /// Work due now: pods in activeQ or backoffQ left over by the per-step bound.
    pub fn next_wake(&self) -> Option<Time> {
        self.queue.has_ready().then(|| self.last_step.after(Duration::from_ms(1)))
    }

    /// `flushUnschedulablePodsLeftover`'s next useful tick.
    pub fn next_background_wake(&self) -> Option<Time> {
        self.queue.next_leftover_flush()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        let now = ctx.now;
        self.last_step = now;
        let pdb_kind = client::kind("policy/v1", "PodDisruptionBudget");
        if self.pdbs.is_none() {
            self.pdbs = pdb_kind.map(Informer::new);
        }
        if let Some(i) = self.pdbs.as_mut() {
            i.sync(ctx);
        }
        self.pending.update(&caches.pods);
        // Cluster events move the pods whose rejecting plugins care.
        let (cluster_events, updated) = self.seen.detect(caches);
        for e in cluster_events {
            self.queue.on_event(e, now);
        }
        for uid in updated {
            self.queue.on_pod_update(&uid, now);
        }
        self.queue.flush_backoff_completed(now);
        let tick = Time(now.as_ms() / queue::FLUSH_UNSCHEDULABLE_INTERVAL_MS * queue::FLUSH_UNSCHEDULABLE_INTERVAL_MS);
        self.queue.flush_unschedulable_leftover(tick);

        // The snapshot (`UpdateSnapshot`) is built only when there is something to schedule:
        // most steps of a settled cluster have nothing pending, and at thousands of nodes and
        // pods the snapshot is the step's largest cost.
        self.node_cache.observe(caches);
        let mut snapshot = None;
        if !self.waiting_on_volumes.is_empty() {
            let snapshot = snapshot.insert(self.node_cache.take(caches));
            self.bind_waiting(ctx, caches, events, &mut snapshot.nodes);
        }
        self.schedule_ready(ctx, caches, events, &mut snapshot);
        if let Some(snapshot) = snapshot {
            self.node_cache.put_back(snapshot);
        }
    }

    /// Brings the queue in line with the informer, then runs a cycle for each pod ready to be
    /// tried, up to the per-step bound.
    fn schedule_ready(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames, snapshot: &mut Option<cache::Snapshot>) {
        let now = ctx.now;

        // The queue follows the informer: new pending pods in, bound or deleted ones out.
        self.pending.sync_queue(&mut self.queue, &self.waiting_on_volumes, &caches.pods, now);
        if !self.queue.has_ready() {
            return;
        }
        let cache::Snapshot { nodes, image_nodes } = snapshot.get_or_insert_with(|| self.node_cache.take(caches));
        let ns_labels: NamespaceLabels = caches.namespaces.values().map(|n| (name_of(n).to_string(), crate::apiserver::select::labels_of(n))).collect();
        let pdbs: Vec<preemption::Pdb> = self.pdbs.as_ref().map(|i| i.values().map(preemption::Pdb::from_object).collect()).unwrap_or_default();
        // The informer's view is fixed for the step, so its nominated pods are found once.
        let nominated = self.pending.nominated(&caches.pods);
        // The nodes with pods with affinity terms, found once per step and kept up to date as
        // the step assumes pods (InterPodAffinity's `HavePodsWithAffinityList`).
        let mut affinity_nodes: BTreeSet<String> = nodes.iter().filter(|(_, n)| n.pods_with_affinity > 0).map(|(name, _)| name.clone()).collect();
        // The step's cycles add pods to nodes, never nodes: the names stay as they are now.
        if !self.node_order.iter().eq(nodes.keys()) {
            self.node_order = nodes.keys().cloned().collect();
        }
        let node_order = std::mem::take(&mut self.node_order);
        for _ in 0..MAX_PODS_PER_STEP {
            let Some(qp) = self.queue.pop() else { break };
            self.pending.reconsider(&qp.uid);
            let Some(pod) = self.pending.pod(&qp.uid, &caches.pods) else { continue };
            let step = Step { nodes, image_nodes, affinity_nodes: &mut affinity_nodes, node_order: &node_order };
            self.schedule_one(ctx, caches, events, step, qp, pod, &ns_labels, &pdbs, &nominated);
        }
        self.node_order = node_order;
    }

    /// One scheduling cycle for `pod`.
    #[allow(clippy::too_many_arguments)]
    fn schedule_one(
        &mut self,
        ctx: &mut Context,
        caches: &Caches,
        events: &mut EventNames,
        step: Step,
        mut qp: QueuedPodInfo,
        pod: &Value,
        ns: &NamespaceLabels,
        pdbs: &[preemption::Pdb],
        nominated_pods: &[(&str, &Value)],
    ) {
        let Step { nodes, image_nodes, affinity_nodes, node_order } = step;
        let user = client::scheduler();
        let source = Source { component: NAME, host: "" };
        let nodes_to_find = num_feasible_nodes_to_find(nodes.len()).0;
        let mut record = SchedulingAttempt {
            pod: qp.key.clone(),
            pod_uid: qp.uid.clone(),
            priority: qp.priority,
            attempt: qp.attempts,
            nodes_total: nodes.len(),
            nodes_to_find,
            filter_plugins: framework::FILTER_PLUGINS.to_vec(),
            score_plugins: framework::score_columns(),
            pre_filter_rejection: None,
            nodes: Vec::new(),
            nodes_summarised: 0,
            feasible_summarised: 0,
            scoring_skipped: false,
            selected_node: None,
            tied_nodes: 0,
            preemption: None,
            message: String::new(),
        };
        let nominated = client::str_of(pod, &["status", "nominatedNodeName"]).to_string();
        let claims = match volume_binding::pre_filter(pod, caches) {
            Ok(claims) => claims,
            Err(reason) => {
                let message = volume_binding::pre_filter_error(nodes.len(), &reason);
                record.pre_filter_rejection = Some(("VolumeBinding".into(), reason));
                record.preemption = Some(Preemption { nominated_node: None, victims: Vec::new(), message: message.split_once(" preemption: ").map(|(_, m)| format!("preemption: {m}")).unwrap_or_default() });
                record.message = message.clone();
                push(ctx, record);
                fail(ctx, pod, &message, None);
                client::event(ctx, events, &user, &source, pod, true, "FailedScheduling", &message);
                qp.unschedulable_plugins = BTreeSet::from(["VolumeBinding"]);
                self.queue.add_unschedulable(qp, ctx.now);
                return;
            }
        };
        // Pods nominated to a node, of at least this pod's priority, hold their room there.
        let info = PodInfo::from_pod(pod);
        let nominated_view = with_nominated(nodes, nominated_pods, &info);
        // Nominated pods may add affinity terms anywhere: then InterPodAffinity walks every node.
        let affinity_hint = if nominated_view.is_some() { None } else { Some(&*affinity_nodes) };
        let view = nominated_view.as_ref().unwrap_or(nodes);
        let mut cycle = Cycle::new(pod, info, claims, caches, ns, view, affinity_hint);
        let mut statuses: BTreeMap<String, Rejection> = BTreeMap::new();
        let mut rejected_by: BTreeSet<&'static str> = BTreeSet::new();
        let mut feasible: Vec<&NodeInfo> = Vec::with_capacity(nodes_to_find);
        // `findNodesThatPassFilters`: from `nextStartNodeIndex` round the list, stopping once
        // `numFeasibleNodesToFind` nodes passed (kube-scheduler checks nodes in parallel and
        // cancels the rest; one at a time is one of its possible orders).
        let start = if view.is_empty() { 0 } else { self.next_start_node_index % view.len() };
        let mut processed = 0;
        // The filters look at least this many nodes (all, or until enough passed), each a row
        // up to the bound: the rows are allocated once, and never more than the record keeps.
        record.nodes.reserve_exact(MAX_DETAILED_NODES.min(nodes_to_find).min(view.len()));
        // The node at `start` and those after it, then those before it.
        let round: Box<dyn Iterator<Item = (&String, &NodeInfo)>> = match node_order.get(start).filter(|_| node_order.len() == view.len()) {
            Some(first) => Box::new(view.range::<String, _>(first..).chain(view.range::<String, _>(..first))),
            None => Box::new(view.iter().skip(start).chain(view.iter().take(start))),
        };
        for (name, node) in round {
            if feasible.len() >= record.nodes_to_find {
                break;
            }
            processed += 1;
            // Past the record's detailed rows only the verdict is kept, so only it is computed.
            let detailed = record.nodes.len() < MAX_DETAILED_NODES;
            let (row, passed_all) = match cycle.verdict(node) {
                None => {
                    feasible.push(node);
                    (detailed.then(|| NodeResult::feasible_row(name.as_str(), framework::FILTER_PLUGINS.len())), true)
                }
                Some((plugin, r)) => {
                    rejected_by.insert(plugin);
                    let passed = framework::FILTER_PLUGINS.iter().position(|p| *p == plugin).unwrap_or(0);
                    let row = detailed.then(|| NodeResult::rejected_row(name.as_str(), passed, r.reasons.join(", "), r.unresolvable));
                    statuses.insert(name.clone(), r);
                    (row, false)
                }
            };
            if let Some(row) = row {
                record.nodes.push(row);
            } else {
                record.nodes_summarised += 1;
                record.feasible_summarised += usize::from(passed_all);
            }
        }
        if !view.is_empty() {
            self.next_start_node_index = (start + processed) % view.len();
        }

        if feasible.is_empty() {
            let outcome = if nodes.is_empty() { None } else { Some(preemption::post_filter(&mut cycle, nodes, &statuses, &nominated, pdbs, ctx.rng)) };
            let (post_filter, nominate, victims) = match outcome {
                None => (String::new(), None, Vec::new()),
                Some(preemption::Outcome::NotEligible(m)) => (format!("preemption: {m}"), None, Vec::new()),
                Some(preemption::Outcome::NoCandidate(m)) => (format!("preemption: {m}"), (!nominated.is_empty()).then(String::new), Vec::new()),
                Some(preemption::Outcome::Nominated(c)) => (String::new(), Some(c.node.clone()), c.victims),
            };
            let message = framework::fit_error(nodes.len(), statuses.values(), &post_filter);
            record.preemption = Some(Preemption {
                nominated_node: nominate.clone().filter(|n| !n.is_empty()),
                victims: victims.iter().map(PodInfo::key).collect(),
                message: post_filter,
            });
            record.message = message.clone();
            push(ctx, record);
            if let Some(node) = nominate.as_deref().filter(|n| !n.is_empty()) {
                self.preempt(ctx, caches, events, pod, node, &victims);
            }
            fail(ctx, pod, &message, nominate.as_deref());
            client::event(ctx, events, &user, &source, pod, true, "FailedScheduling", &message);
            qp.unschedulable_plugins = if rejected_by.is_empty() { BTreeSet::from(["SchedulerError"]) } else { rejected_by };
            self.queue.add_unschedulable(qp, ctx.now);
            return;
        }

        let chosen = if feasible.len() == 1 {
            record.scoring_skipped = true;
            record.tied_nodes = 1;
            feasible[0].name.clone()
        } else {
            let scored = cycle.score(view, image_nodes, &feasible, affinity_hint);
            let totals: Vec<(&str, i64)> = feasible.iter().enumerate().map(|(i, node)| (node.name.as_str(), scored.total(i))).collect();
            // The detailed rows are the first nodes looked at, in the order `feasible` was
            // filled, so the j-th feasible row is `feasible[j]`.
            for (i, row) in record.nodes.iter_mut().filter(|r| r.feasible()).enumerate() {
                row.set_scores(&scored.results(i), totals.get(i).map(|t| t.1));
            }
            match framework::select_host(&totals, ctx.rng) {
                Some((node, ties)) => {
                    record.tied_nodes = ties;
                    node
                }
                None => return,
            }
        };
        record.selected_node = Some(chosen.clone());
        let claims = std::mem::take(&mut cycle.claims);
        let info = std::mem::take(&mut cycle.info);
        // Assume: the pod counts on its node for the rest of this step.
        if info.has_affinity() {
            affinity_nodes.insert(chosen.clone());
        }
        if let Some(n) = nodes.get_mut(&chosen) {
            n.add_pod_info(info);
        }
        if !claims.delayed.is_empty() {
            record.message = format!("waiting for the volumes of {} to be bound on {chosen}", qp.key);
            push(ctx, record);
            // PreBind: the claims learn the node; the binding waits until they are bound.
            volume_binding::pre_bind(ctx, &user, &claims, &chosen);
            self.waiting_on_volumes.insert(qp.uid.clone(), chosen);
            return;
        }
        let message = format!("Successfully assigned {}/{} to {chosen}", ns_of(pod), name_of(pod));
        record.message = message.clone();
        push(ctx, record);
        if bind(ctx, pod, &chosen) {
            client::event(ctx, events, &user, &source, pod, false, "Scheduled", &message);
        }
    }

    /// DefaultPreemption's `prepareCandidate`: each victim gets the `DisruptionTarget`
    /// condition, is deleted, and gets a `Preempted` event; lower-priority pods nominated to the
    /// same node lose their nomination.
    fn preempt(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames, preemptor: &Value, node: &str, victims: &[PodInfo]) {
        let Some(pod_kind) = client::kind("v1", "Pod") else { return };
        let user = client::scheduler();
        let source = Source { component: NAME, host: "" };
        for v in victims {
            let Some(victim) = caches.pods.get(&v.namespace, &v.name) else { continue };
            if is_terminating(victim) {
                continue;
            }
            let message = format!("{NAME}: preempting to accommodate a higher priority pod");
            let condition = client::pod_condition(victim, "DisruptionTarget", true, "PreemptionByScheduler", &message, &rfc3339(ctx.now));
            patch_status(ctx, victim, json!({"status": {"conditions": [condition]}}));
            client::send(ctx, &user, Verb::Delete, pod_kind, &v.namespace, &v.name, None);
            let message = format!("Preempted by pod {} on node {node}", uid_of(preemptor));
            client::event(ctx, events, &user, &source, victim, false, "Preempted", &message);
        }
        let priority = node_info::pod_priority(preemptor);
        for p in caches.pods.values() {
            if client::str_of(p, &["status", "nominatedNodeName"]) == node && uid_of(p) != uid_of(preemptor) && node_info::pod_priority(p) < priority {
                patch_status(ctx, p, json!({"status": {"nominatedNodeName": null}}));
            }
        }
    }

    /// Pods waiting in VolumeBinding's PreBind: counted on their node, and bound (with the
    /// `Scheduled` event) once every claim they use is bound.
    fn bind_waiting(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames, nodes: &mut BTreeMap<String, NodeInfo>) {
        let user = client::scheduler();
        let source = Source { component: NAME, host: "" };
        let waiting = std::mem::take(&mut self.waiting_on_volumes);
        for uid in waiting.keys() {
            self.pending.reconsider(uid);
        }
        for (uid, node) in waiting {
            let Some(pod) = caches.pods.values().find(|p| uid_of(p) == uid) else { continue };
            if !client::str_of(pod, &["spec", "nodeName"]).is_empty() || is_terminating(pod) {
                continue;
            }
            if let Some(info) = nodes.get_mut(&node) {
                info.add_pod(pod);
            }
            if !volume_binding::all_bound(pod, caches) {
                self.waiting_on_volumes.insert(uid, node);
                continue;
            }
            if bind(ctx, pod, &node) {
                let message = format!("Successfully assigned {}/{} to {node}", ns_of(pod), name_of(pod));
                client::event(ctx, events, &user, &source, pod, false, "Scheduled", &message);
            }
        }
    }
}

/// What a step's cycles share: the snapshot, its image counts, and the nodes that may hold
/// pods with affinity terms (at least those that do).
struct Step<'s> {
    nodes: &'s mut BTreeMap<String, NodeInfo>,
    image_nodes: &'s cache::ImageNodes,
    affinity_nodes: &'s mut BTreeSet<String>,
    /// The names of `nodes`, in order.
    node_order: &'s [String],
}

/// The snapshot with the pods nominated to a node (by preemption) added there, when they have
/// at least `pod`'s priority (`addGENominatedPods`); `None` when there are none.
fn with_nominated(nodes: &BTreeMap<String, NodeInfo>, nominated_pods: &[(&str, &Value)], pod: &PodInfo) -> Option<BTreeMap<String, NodeInfo>> {
    let nominated: Vec<(&str, &Value)> =
        nominated_pods.iter().filter(|(_, p)| uid_of(p) != pod.uid && node_info::pod_priority(p) >= pod.priority).copied().collect();
    if nominated.is_empty() {
        return None;
    }
    let mut view = nodes.clone();
    for (node, p) in nominated {
        if let Some(n) = view.get_mut(node) {
            n.add_pod(p);
        }
    }
    Some(view)
}

/// The attempt's trace record.
fn push(ctx: &mut Context, record: SchedulingAttempt) {
    ctx.trace.push(ctx.now, Actor::Component("kube-scheduler".into()), Event::Scheduling(Box::new(record)));
}

/// POST `pods/<name>/binding`.
fn bind(ctx: &mut Context, pod: &Value, node: &str) -> bool {
    let Some(pod_kind) = client::kind("v1", "Pod") else { return false };
    let binding = json!({
        "apiVersion": "v1", "kind": "Binding",
        "metadata": {"name": name_of(pod), "namespace": ns_of(pod), "uid": uid_of(pod)},
        "target": {"apiVersion": "v1", "kind": "Node", "name": node},
    });
    let mut req = Request::new(Verb::Create, pod_kind, ns_of(pod), name_of(pod)).with_body(binding);
    req.subresource = "binding".into();
    req.user = client::scheduler();
    handle(ctx, &req).result.is_ok()
}

/// PATCH `pods/<name>/status` (strategic merge, as `util.PatchPodStatus` sends it).
fn patch_status(ctx: &mut Context, pod: &Value, body: Value) -> bool {
    let Some(pod_kind) = client::kind("v1", "Pod") else { return false };
    let mut req = Request::new(Verb::Patch(PatchType::Strategic), pod_kind, ns_of(pod), name_of(pod)).with_body(body);
    req.subresource = "status".into();
    req.user = client::scheduler();
    handle(ctx, &req).result.is_ok()
}

/// `handleSchedulingFailure`'s status update: `PodScheduled=False` (`Unschedulable`) and, from
/// preemption, the nominated node (`Some("")` clears it), only when something changes.
fn fail(ctx: &mut Context, pod: &Value, message: &str, nominate: Option<&str>) {
    let current = pod["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "PodScheduled");
    let generation = pod["metadata"]["generation"].as_i64().filter(|g| *g != 0);
    let same_condition = current.is_some_and(|c| {
        c["status"] == "False" && c["reason"] == "Unschedulable" && c["message"] == message && c["observedGeneration"].as_i64() == generation
    });
    let nominated = client::str_of(pod, &["status", "nominatedNodeName"]);
    let same_nomination = nominate.is_none_or(|n| n == nominated);
    if same_condition && same_nomination {
        return;
    }
    let transition = match current {
        Some(c) if c["status"] == "False" => c["lastTransitionTime"].clone(),
        _ => json!(rfc3339(ctx.now)),
    };
    let mut condition = client::pod_condition(pod, "PodScheduled", false, "Unschedulable", message, "");
    condition["lastTransitionTime"] = transition;
    let mut status = json!({ "conditions": [condition] });
    match nominate {
        Some("") => status["nominatedNodeName"] = Value::Null,
        Some(n) => status["nominatedNodeName"] = json!(n),
        None => {}
    }
    patch_status(ctx, pod, json!({ "status": status }));
}

#[cfg(test)]
mod tests {
    use super::num_feasible_nodes_to_find;

    #[test]
    fn the_filters_stop_at_kube_schedulers_adaptive_share_of_the_nodes() {
        // Below 100 nodes every node; then 50 - nodes/125 percent, at least 5% and 100 nodes.
        assert_eq!(num_feasible_nodes_to_find(4), (4, 100));
        assert_eq!(num_feasible_nodes_to_find(99), (99, 100));
        assert_eq!(num_feasible_nodes_to_find(100), (100, 50));
        assert_eq!(num_feasible_nodes_to_find(150), (100, 49));
        assert_eq!(num_feasible_nodes_to_find(1000), (420, 42));
        assert_eq!(num_feasible_nodes_to_find(5000), (500, 10));
        assert_eq!(num_feasible_nodes_to_find(6000), (300, 5));
    }
}
