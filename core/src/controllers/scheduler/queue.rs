//! kube-scheduler's scheduling queue (`pkg/scheduler/backend/queue`, `PriorityQueue`):
//!
//! - **activeQ**: pods ready to be tried, popped by PrioritySort's order: higher `spec.priority`
//!   first, then the earlier queue timestamp (then arrival order, so it stays deterministic).
//! - **podBackoffQ**: pods that a cluster event made worth retrying but whose back-off has not
//!   run out: `1 s · 2^(attempts - 1)`, at most 10 s, counted from their last attempt
//!   (`calculateBackoffDuration`). With `SchedulerPopFromBackoffQ` (beta and on since 1.33) an
//!   idle scheduler pops from here when activeQ is empty, so the back-off only holds a pod back
//!   while others wait.
//! - **unschedulablePods**: pods the last attempt could not place. A cluster event that one of the
//!   plugins which rejected the pod cares about (a node added, a pod deleted, a claim bound...)
//!   moves it to backoffQ or activeQ (`MoveAllToActiveOrBackoffQueue`); otherwise it stays until
//!   `flushUnschedulablePodsLeftover`, which runs every 30 s and moves pods that have waited more
//!   than 5 min (`podMaxInUnschedulablePodsDuration`).

use crate::sim::Time;
use std::collections::{BTreeMap, BTreeSet};

pub const POD_INITIAL_BACKOFF_MS: u64 = 1_000;
pub const POD_MAX_BACKOFF_MS: u64 = 10_000;
pub const POD_MAX_IN_UNSCHEDULABLE_PODS_MS: u64 = 5 * 60_000;
/// How often `flushUnschedulablePodsLeftover` runs.
pub const FLUSH_UNSCHEDULABLE_INTERVAL_MS: u64 = 30_000;
/// `SchedulerPopFromBackoffQ`.
const POP_FROM_BACKOFF_Q: bool = true;
/// Pods the queue holds at most; more wait outside until there is room (bounded memory).
const MAX_QUEUED_PODS: usize = 10_000;

/// A pod in the queue (`framework.QueuedPodInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedPodInfo {
    pub uid: String,
    /// `namespace/name`.
    pub key: String,
    pub priority: i32,
    /// When the pod was last added to a queue: PrioritySort's tie-break, and the start of the
    /// back-off after a failed attempt.
    pub timestamp: Time,
    /// Times popped for an attempt.
    pub attempts: u32,
    /// The plugins that rejected the pod at its last attempt (empty: an error, or not tried).
    pub unschedulable_plugins: BTreeSet<&'static str>,
    /// Arrival order, the last tie-break.
    seq: u64,
}

impl QueuedPodInfo {
    pub fn new(uid: &str, key: &str, priority: i32) -> Self {
        QueuedPodInfo { uid: uid.into(), key: key.into(), priority, timestamp: Time(0), attempts: 0, unschedulable_plugins: BTreeSet::new(), seq: 0 }
    }

    /// `calculateBackoffDuration`: none before the first attempt, then 1 s doubling to 10 s.
    pub fn backoff_ms(&self) -> u64 {
        if self.attempts == 0 {
            return 0;
        }
        let mut d = POD_INITIAL_BACKOFF_MS;
        for _ in 1..self.attempts {
            if d > POD_MAX_BACKOFF_MS - d {
                return POD_MAX_BACKOFF_MS;
            }
            d += d;
        }
        d
    }

    pub fn backoff_expiry(&self) -> Time {
        self.timestamp.after(crate::sim::Duration::from_ms(self.backoff_ms()))
    }

    /// PrioritySort's `Less`, with arrival order last: unique per queued pod, since every pod
    /// entering the queue gets the next `seq`.
    fn sort_key(&self) -> SortKey {
        (std::cmp::Reverse(self.priority), self.timestamp, self.seq)
    }
}

/// A change in the cluster that may make pods schedulable (`framework.ClusterEvent`), as the
/// scheduler's informers see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClusterEvent {
    NodeAdd,
    NodeAllocatableChange,
    NodeLabelChange,
    NodeTaintChange,
    NodeSpecUnschedulableChange,
    NodeConditionChange,
    AssignedPodAdd,
    AssignedPodLabelChange,
    AssignedPodDelete,
    /// PersistentVolumeClaim, PersistentVolume or StorageClass added or changed.
    StorageChange,
}

/// Whether a pod rejected by `plugin` may fit after `event` (the plugins' `EventsToRegister`,
/// without their finer queueing hints).
pub fn interested(plugin: &str, event: ClusterEvent) -> bool {
    use ClusterEvent::*;
    match plugin {
        "NodeUnschedulable" => matches!(event, NodeAdd | NodeSpecUnschedulableChange | NodeTaintChange),
        "NodeName" => matches!(event, NodeAdd),
        "TaintToleration" => matches!(event, NodeAdd | NodeTaintChange),
        "NodeAffinity" => matches!(event, NodeAdd | NodeLabelChange),
        "NodePorts" => matches!(event, NodeAdd | AssignedPodDelete),
        "NodeResourcesFit" => matches!(event, NodeAdd | NodeAllocatableChange | AssignedPodDelete),
        "VolumeBinding" => matches!(event, NodeAdd | NodeLabelChange | StorageChange),
        "PodTopologySpread" => matches!(event, NodeAdd | NodeLabelChange | NodeTaintChange | AssignedPodAdd | AssignedPodLabelChange | AssignedPodDelete),
        "InterPodAffinity" => matches!(event, NodeAdd | NodeLabelChange | AssignedPodAdd | AssignedPodLabelChange | AssignedPodDelete),
        // Not tried yet or failed on an error: any event.
        _ => true,
    }
}

/// PrioritySort's order of activeQ.
type SortKey = (std::cmp::Reverse<i32>, Time, u64);

/// activeQ, podBackoffQ and unschedulablePods.
#[derive(Debug, Default)]
pub struct SchedulingQueue {
    /// activeQ by PrioritySort's order (kube-scheduler's heap): a pop takes the first entry
    /// instead of scanning the queue, which with thousands of pods waiting was a scan per pop.
    active: BTreeMap<SortKey, QueuedPodInfo>,
    backoff: Vec<QueuedPodInfo>,
    unschedulable: BTreeMap<String, QueuedPodInfo>,
    /// The uids in activeQ or backoffQ: membership without a scan, which at ten thousand
    /// pending pods made every step's "is this pod queued?" quadratic.
    queued: BTreeSet<String>,
    next_seq: u64,
}

impl SchedulingQueue {
    pub fn len(&self) -> usize {
        self.active.len() + self.backoff.len() + self.unschedulable.len()
    }

    pub fn contains(&self, uid: &str) -> bool {
        self.unschedulable.contains_key(uid) || self.queued.contains(uid)
    }

    /// Every queued uid (the incremental queue sync's test compares queues by it).
    #[cfg(test)]
    pub fn uids(&self) -> Vec<String> {
        self.active.values().chain(&self.backoff).map(|p| p.uid.clone()).chain(self.unschedulable.keys().cloned()).collect()
    }

    fn stamp(&mut self, mut p: QueuedPodInfo, now: Time) -> QueuedPodInfo {
        p.timestamp = now;
        p.seq = self.next_seq;
        self.next_seq += 1;
        p
    }

    /// A new pending pod (`Add`): straight to activeQ.
    pub fn add(&mut self, p: QueuedPodInfo, now: Time) {
        if self.contains(&p.uid) || self.len() >= MAX_QUEUED_PODS {
            return;
        }
        let p = self.stamp(p, now);
        self.queued.insert(p.uid.clone());
        self.push_active(p);
    }

    fn push_active(&mut self, p: QueuedPodInfo) {
        self.active.insert(p.sort_key(), p);
    }

    /// The pod is gone, bound, or no longer ours.
    pub fn delete(&mut self, uid: &str) {
        if self.queued.remove(uid) {
            self.active.retain(|_, p| p.uid != uid);
            self.backoff.retain(|p| p.uid != uid);
        }
        self.unschedulable.remove(uid);
    }

    /// `Pop`: the first of activeQ, or with an empty activeQ the backoffQ pod whose back-off
    /// ends first. The attempt is counted.
    pub fn pop(&mut self) -> Option<QueuedPodInfo> {
        let mut p = if let Some((_, p)) = self.active.pop_first() {
            p
        } else if POP_FROM_BACKOFF_Q && !self.backoff.is_empty() {
            let i = (0..self.backoff.len()).min_by_key(|&i| (self.backoff[i].backoff_expiry(), self.backoff[i].sort_key()))?;
            self.backoff.remove(i)
        } else {
            return None;
        };
        self.queued.remove(&p.uid);
        p.attempts += 1;
        Some(p)
    }

    /// After a failed attempt (`AddUnschedulableIfNotPresent`): into unschedulablePods, or
    /// straight to backoffQ when no plugin rejected it (an error).
    pub fn add_unschedulable(&mut self, p: QueuedPodInfo, now: Time) {
        if self.contains(&p.uid) {
            return;
        }
        let p = self.stamp(p, now);
        if p.unschedulable_plugins.is_empty() {
            self.queued.insert(p.uid.clone());
            self.backoff.push(p);
        } else {
            self.unschedulable.insert(p.uid.clone(), p);
        }
    }

    /// Out of unschedulablePods: to backoffQ while backing off, else activeQ.
    fn requeue(&mut self, p: QueuedPodInfo, now: Time) {
        self.queued.insert(p.uid.clone());
        if p.backoff_expiry() > now {
            self.backoff.push(p);
        } else {
            self.push_active(p);
        }
    }

    /// `MoveAllToActiveOrBackoffQueue` for one event: the pods a rejecting plugin of which cares.
    pub fn on_event(&mut self, event: ClusterEvent, now: Time) -> usize {
        let moving: Vec<String> = self
            .unschedulable
            .values()
            .filter(|p| p.unschedulable_plugins.is_empty() || p.unschedulable_plugins.iter().any(|pl| interested(pl, event)))
            .map(|p| p.uid.clone())
            .collect();
        for uid in &moving {
            if let Some(p) = self.unschedulable.remove(uid) {
                self.requeue(p, now);
            }
        }
        moving.len()
    }

    /// The pod itself changed (its spec or labels, not its status): retry it.
    pub fn on_pod_update(&mut self, uid: &str, now: Time) {
        if let Some(p) = self.unschedulable.remove(uid) {
            self.requeue(p, now);
        }
    }

    /// `flushBackoffQCompleted`: pods whose back-off is over go to activeQ.
    pub fn flush_backoff_completed(&mut self, now: Time) {
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.backoff).into_iter().partition(|p| p.backoff_expiry() <= now);
        self.backoff = waiting;
        for p in done {
            self.push_active(p);
        }
    }

    /// `flushUnschedulablePodsLeftover` at one of its 30 s ticks.
    pub fn flush_unschedulable_leftover(&mut self, now: Time) {
        let old: Vec<String> = self
            .unschedulable
            .values()
            .filter(|p| now.as_ms().saturating_sub(p.timestamp.as_ms()) > POD_MAX_IN_UNSCHEDULABLE_PODS_MS)
            .map(|p| p.uid.clone())
            .collect();
        for uid in old {
            if let Some(p) = self.unschedulable.remove(&uid) {
                self.requeue(p, now);
            }
        }
    }

    /// True when a pod waits in activeQ or backoffQ: the scheduler has work now.
    pub fn has_ready(&self) -> bool {
        !self.active.is_empty() || !self.backoff.is_empty()
    }

    /// The next 30 s tick at which a pod in unschedulablePods will have waited long enough.
    pub fn next_leftover_flush(&self) -> Option<Time> {
        let oldest = self.unschedulable.values().map(|p| p.timestamp.as_ms()).min()?;
        let due = oldest + POD_MAX_IN_UNSCHEDULABLE_PODS_MS;
        Some(Time((due / FLUSH_UNSCHEDULABLE_INTERVAL_MS + 1) * FLUSH_UNSCHEDULABLE_INTERVAL_MS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(uid: &str, priority: i32) -> QueuedPodInfo {
        QueuedPodInfo::new(uid, &format!("default/{uid}"), priority)
    }

    #[test]
    fn active_q_pops_by_priority_then_timestamp() {
        let mut q = SchedulingQueue::default();
        q.add(pod("low", 0), Time(0));
        q.add(pod("high", 1000), Time(5));
        q.add(pod("later-low", 0), Time(3));
        q.add(pod("same-time", 0), Time(0));
        let order: Vec<String> = std::iter::from_fn(|| q.pop()).map(|p| p.uid).collect();
        assert_eq!(order, ["high", "low", "same-time", "later-low"]);
    }

    #[test]
    fn backoff_is_one_second_doubling_to_ten() {
        let mut p = pod("a", 0);
        let by_attempts: Vec<u64> = (0..7)
            .map(|a| {
                p.attempts = a;
                p.backoff_ms()
            })
            .collect();
        assert_eq!(by_attempts, [0, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    }

    #[test]
    fn an_unschedulable_pod_waits_for_an_event_its_plugins_care_about() {
        let mut q = SchedulingQueue::default();
        q.add(pod("big", 0), Time(0));
        let mut p = q.pop().unwrap();
        p.unschedulable_plugins.insert("NodeResourcesFit");
        q.add_unschedulable(p, Time(100));
        assert!(q.pop().is_none());
        // A label change cannot free cpu; a deleted pod can.
        assert_eq!(q.on_event(ClusterEvent::NodeLabelChange, Time(200)), 0);
        assert_eq!(q.on_event(ClusterEvent::AssignedPodDelete, Time(300)), 1);
        // Still backing off (1 s from 100 ms): in backoffQ, popped anyway by an idle scheduler.
        assert!(q.active.is_empty() && q.backoff.len() == 1);
        let again = q.pop().unwrap();
        assert_eq!(again.attempts, 2);
        // Once the back-off is over a flush moves it to activeQ.
        let mut again = again;
        again.unschedulable_plugins.clear();
        q.add_unschedulable(again, Time(1_000));
        q.flush_backoff_completed(Time(2_999));
        assert!(q.active.is_empty());
        q.flush_backoff_completed(Time(3_000));
        assert_eq!(q.active.len(), 1);
    }

    #[test]
    fn leftovers_are_flushed_after_five_minutes_at_a_thirty_second_tick() {
        let mut q = SchedulingQueue::default();
        let mut p = pod("stuck", 0);
        p.attempts = 1;
        p.unschedulable_plugins.insert("NodeAffinity");
        q.add_unschedulable(p, Time(12_000));
        // 12 s + 5 min = 312 s; the next tick after that is 330 s.
        assert_eq!(q.next_leftover_flush(), Some(Time(330_000)));
        q.flush_unschedulable_leftover(Time(312_000));
        assert_eq!(q.unschedulable.len(), 1);
        q.flush_unschedulable_leftover(Time(330_000));
        assert_eq!((q.unschedulable.len(), q.active.len()), (0, 1));
    }
}
