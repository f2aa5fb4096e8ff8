//! The pods the scheduler is responsible for and may try now (unassigned, not terminating,
//! ours, ungated: [`super::pending`]), kept from the pod informer's notifications as
//! kube-scheduler's unassigned-pod event handlers (`addPodToSchedulingQueue`,
//! `updatePodInSchedulingQueue`, `deletePodFromSchedulingQueue`) keep its queue.
//!
//! Each step the queue follows this set: pods no longer pending leave it, pending pods neither
//! queued nor waiting for their volumes join it, in uid order. Finding those by scanning every
//! pending pod at every step (their uids, their nominations) was about a tenth of the
//! scheduler's time with ten thousand pods pending; so the set remembers which uids stopped
//! being pending and which may need queueing ("candidates": new pending pods, popped pods,
//! pods done waiting for volumes), which gives the same queue as the scan.

use super::node_info::pod_priority;
use super::queue::{QueuedPodInfo, SchedulingQueue};
use crate::controllers::client::{name_of, ns_of, uid_of};
use crate::controllers::informer::Informer;
use crate::sim::Time;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default)]
pub struct PendingPods {
    /// Informer key -> uid of each pending pod; `None` until the first update.
    by_key: Option<BTreeMap<String, String>>,
    /// uid -> informer key of each pending pod.
    by_uid: BTreeMap<String, String>,
    /// Keys of the pending pods nominated to a node (`status.nominatedNodeName`).
    nominated: BTreeSet<String>,
    /// uids that stopped being pending since the last [`PendingPods::sync_queue`].
    left: BTreeSet<String>,
    /// uids that may be pending yet in neither the queue nor the volume wait: a superset of
    /// those, kept between steps while the queue is full.
    candidates: BTreeSet<String>,
}

fn nominated_node(pod: &Value) -> Option<&str> {
    pod["status"]["nominatedNodeName"].as_str().filter(|n| !n.is_empty())
}

impl PendingPods {
    /// Brings the set up to date with the pod informer's notifications of this step. Call it
    /// at every step.
    pub fn update(&mut self, pods: &Informer) {
        if self.by_key.is_none() {
            self.by_key = Some(BTreeMap::new());
            for (key, pod) in &pods.cache {
                self.note(key, Some(pod));
            }
            return;
        }
        for n in pods.notifications() {
            self.note(n.key(), pods.cache.get(n.key()));
        }
    }

    fn note(&mut self, key: &str, pod: Option<&Value>) {
        let Some(by_key) = self.by_key.as_mut() else { return };
        let pod = pod.filter(|p| super::pending(p));
        let uid = pod.map(uid_of);
        if by_key.get(key).map(String::as_str) != uid {
            if let Some(old) = by_key.remove(key) {
                self.by_uid.remove(&old);
                self.left.insert(old);
            }
            if let Some(uid) = uid {
                by_key.insert(key.to_string(), uid.to_string());
                self.by_uid.insert(uid.to_string(), key.to_string());
                self.candidates.insert(uid.to_string());
            }
        }
        if pod.and_then(nominated_node).is_some() {
            if !self.nominated.contains(key) {
                self.nominated.insert(key.to_string());
            }
        } else {
            self.nominated.remove(key);
        }
    }

    /// The pending pod with this uid, from the informer's cache.
    pub fn pod<'c>(&self, uid: &str, pods: &'c Informer) -> Option<&'c Value> {
        self.by_uid.get(uid).and_then(|key| pods.cache.get(key))
    }

    /// A popped pod, or one done waiting for its volumes: it may need queueing again.
    pub fn reconsider(&mut self, uid: &str) {
        if !self.candidates.contains(uid) {
            self.candidates.insert(uid.to_string());
        }
    }

    /// The queue follows the set: pods no longer pending out, pending pods neither queued nor
    /// in `waiting` (for their volumes) in, in uid order.
    pub fn sync_queue(&mut self, queue: &mut SchedulingQueue, waiting: &BTreeMap<String, String>, pods: &Informer, now: Time) {
        for uid in std::mem::take(&mut self.left) {
            if !self.by_uid.contains_key(&uid) {
                queue.delete(&uid);
            }
        }
        let mut kept = BTreeSet::new();
        for uid in std::mem::take(&mut self.candidates) {
            let Some(pod) = self.pod(&uid, pods) else { continue };
            if queue.contains(&uid) || waiting.contains_key(&uid) {
                continue;
            }
            let key = format!("{}/{}", ns_of(pod), name_of(pod));
            queue.add(QueuedPodInfo::new(&uid, &key, pod_priority(pod)), now);
            // Turned away by the queue's bound: tried again at the next step.
            if !queue.contains(&uid) {
                kept.insert(uid);
            }
        }
        self.candidates = kept;
    }

    /// The pending pods nominated to a node by preemption, with that node, in the informer's
    /// order.
    pub fn nominated<'c>(&self, pods: &'c Informer) -> Vec<(&'c str, &'c Value)> {
        self.nominated.iter().filter_map(|k| pods.cache.get(k)).filter_map(|p| nominated_node(p).map(|n| (n, p))).collect()
    }

    /// Every pending pod's uid, for tests.
    #[cfg(test)]
    pub fn uids(&self) -> Vec<&str> {
        self.by_uid.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::client::kind;
    use crate::sim::Rng;
    use serde_json::json;

    /// The queue sync as it was done by scanning every pending pod at every step.
    fn scan_sync(queue: &mut SchedulingQueue, waiting: &BTreeMap<String, String>, pods: &Informer, now: Time) {
        let by_uid: BTreeMap<&str, &Value> = pods.cache.values().filter(|p| super::super::pending(p)).map(|p| (uid_of(p), p)).collect();
        for uid in queue.uids() {
            if !by_uid.contains_key(uid.as_str()) {
                queue.delete(&uid);
            }
        }
        for (uid, p) in &by_uid {
            if !queue.contains(uid) && !waiting.contains_key(*uid) {
                let key = format!("{}/{}", ns_of(p), name_of(p));
                queue.add(QueuedPodInfo::new(uid, &key, pod_priority(p)), now);
            }
        }
    }

    #[test]
    fn the_incremental_queue_sync_equals_scanning_every_pending_pod() {
        let Some(pod_kind) = kind("v1", "Pod") else { panic!("Pod kind") };
        let mut pods = Informer::new(pod_kind);
        let mut rng = Rng::new(11);
        let (mut set, mut incremental, mut scanned) = (PendingPods::default(), SchedulingQueue::default(), SchedulingQueue::default());
        let mut waiting: BTreeMap<String, String> = BTreeMap::new();
        let mut generation = 0;
        for step in 0..600u64 {
            let now = Time(step * 100);
            // Pods created (or recreated with a new uid), bound, deleted, nominated, gated.
            let mut changed = Vec::new();
            for _ in 0..rng.below(4) {
                let i = rng.below(25);
                let key = format!("/registry/pods/default/p{i}");
                generation += 1;
                let mut pod = pods.cache.get(&key).cloned().unwrap_or(Value::Null);
                match rng.below(6) {
                    0 | 1 => pod = json!({"metadata": {"namespace": "default", "name": format!("p{i}"), "uid": format!("u{i}-{generation}")}, "spec": {"priority": rng.below(3)}, "status": {}}),
                    2 if !pod.is_null() => pod["spec"]["nodeName"] = json!("node-1"),
                    3 if !pod.is_null() => pod["status"]["nominatedNodeName"] = json!(if rng.below(2) == 0 { "node-2" } else { "" }),
                    4 if !pod.is_null() => pod["spec"]["schedulingGates"] = json!(if rng.below(2) == 0 { json!([{"name": "g"}]) } else { json!([]) }),
                    _ => pod = Value::Null,
                }
                if pod.is_null() {
                    pods.remove(&key);
                } else {
                    pods.insert(key.clone(), pod);
                }
                changed.push(key);
            }
            if step == 0 {
                set.update(&pods);
            } else {
                for key in &changed {
                    set.note(key, pods.cache.get(key));
                }
            }
            // Pods done waiting for their volumes.
            if rng.below(5) == 0 {
                for uid in std::mem::take(&mut waiting).into_keys() {
                    set.reconsider(&uid);
                }
            }
            set.sync_queue(&mut incremental, &waiting, &pods, now);
            scan_sync(&mut scanned, &waiting, &pods, now);
            assert_eq!(incremental.uids(), scanned.uids(), "step {step}");
            let nominated: Vec<(&str, &Value)> = pods.cache.values().filter(|p| super::super::pending(p)).filter_map(|p| nominated_node(p).map(|n| (n, p))).collect();
            assert_eq!(set.nominated(&pods), nominated, "step {step}");
            // Attempts: bound (the pod stays pending until its binding is seen), unschedulable,
            // or waiting for volumes.
            for _ in 0..rng.below(4) {
                let (Some(a), Some(b)) = (incremental.pop(), scanned.pop()) else { break };
                assert_eq!(a, b, "step {step}");
                set.reconsider(&a.uid);
                match rng.below(3) {
                    0 => {}
                    1 => {
                        let mut p = a;
                        p.unschedulable_plugins = BTreeSet::from(["NodeResourcesFit"]);
                        incremental.add_unschedulable(p.clone(), now);
                        scanned.add_unschedulable(p, now);
                    }
                    _ => {
                        waiting.insert(a.uid, "node-1".into());
                    }
                }
            }
            incremental.on_event(super::super::queue::ClusterEvent::AssignedPodDelete, now);
            scanned.on_event(super::super::queue::ClusterEvent::AssignedPodDelete, now);
        }
        assert!(!set.uids().is_empty());
    }
}
