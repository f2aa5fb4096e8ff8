//! The cluster events the scheduler's informers report (`framework.ClusterEvent`), found by
//! comparing what the caches hold with what the scheduler saw at its previous step: nodes added
//! or changed in what scheduling reads (`nodeSchedulingPropertiesChange`: allocatable, labels,
//! taints, `spec.unschedulable`, condition statuses — not heartbeats), assigned pods added,
//! relabelled or gone, storage objects changed, and pending pods whose spec or labels changed.

use super::queue::ClusterEvent;
use super::super::informer::Notification;
use super::super::Caches;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What scheduling reads of a node.
#[derive(Clone, Debug, PartialEq, Eq)]
struct NodeProps {
    allocatable: String,
    labels: String,
    taints: String,
    unschedulable: bool,
    conditions: String,
}

impl NodeProps {
    fn of(node: &Value) -> Self {
        let conditions: Vec<String> = node["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| format!("{}={}", c["type"].as_str().unwrap_or(""), c["status"].as_str().unwrap_or("")))
            .collect();
        NodeProps {
            allocatable: node["status"]["allocatable"].to_string(),
            labels: node["metadata"]["labels"].to_string(),
            taints: node["spec"]["taints"].to_string(),
            unschedulable: node["spec"]["unschedulable"] == Value::Bool(true),
            conditions: conditions.join(","),
        }
    }
}

/// The scheduler's memory of the last step.
#[derive(Debug, Default)]
pub struct Seen {
    nodes: BTreeMap<String, NodeProps>,
    /// Assigned, not finished pods by uid: their labels.
    assigned: BTreeMap<String, String>,
    /// Storage objects by key: their resourceVersion.
    storage: BTreeMap<String, String>,
    /// Pending pods by uid: their spec and labels.
    pending: BTreeMap<String, String>,
}

pub fn is_assigned(pod: &Value) -> bool {
    !pod["spec"]["nodeName"].as_str().unwrap_or("").is_empty() && !matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

impl Seen {
    /// The events since the last call, and the pending pods that changed. Called once per step,
    /// after the informers synced: only the nodes and pods their notifications name can differ
    /// from what the scheduler saw (at 5,000 nodes, comparing every node and pod at every step
    /// was two fifths of a scheduling run).
    pub fn detect(&mut self, caches: &Caches) -> (BTreeSet<ClusterEvent>, Vec<String>) {
        let mut events = BTreeSet::new();
        for n in caches.nodes.notifications() {
            if let Notification::Deleted { old, .. } = n {
                self.nodes.remove(old["metadata"]["name"].as_str().unwrap_or(""));
            }
        }
        let touched: BTreeSet<&str> = caches.nodes.notifications().iter().map(Notification::key).collect();
        for node in touched.into_iter().filter_map(|key| caches.nodes.cache.get(key)) {
            let name = node["metadata"]["name"].as_str().unwrap_or("").to_string();
            let props = NodeProps::of(node);
            match self.nodes.get(&name) {
                None => {
                    events.insert(ClusterEvent::NodeAdd);
                }
                Some(old) => {
                    if old.allocatable != props.allocatable {
                        events.insert(ClusterEvent::NodeAllocatableChange);
                    }
                    if old.labels != props.labels {
                        events.insert(ClusterEvent::NodeLabelChange);
                    }
                    if old.taints != props.taints {
                        events.insert(ClusterEvent::NodeTaintChange);
                    }
                    if old.unschedulable != props.unschedulable {
                        events.insert(ClusterEvent::NodeSpecUnschedulableChange);
                    }
                    if old.conditions != props.conditions {
                        events.insert(ClusterEvent::NodeConditionChange);
                    }
                }
            }
            self.nodes.insert(name, props);
        }
        let mut updated = Vec::new();
        let mut gone_assigned = false;
        for n in caches.pods.notifications() {
            if let Notification::Deleted { old, .. } = n {
                let uid = old["metadata"]["uid"].as_str().unwrap_or("");
                gone_assigned |= self.assigned.remove(uid).is_some();
                self.pending.remove(uid);
            }
        }
        let touched: BTreeSet<&str> = caches.pods.notifications().iter().map(Notification::key).collect();
        for p in touched.into_iter().filter_map(|key| caches.pods.cache.get(key)) {
            let uid = p["metadata"]["uid"].as_str().unwrap_or("").to_string();
            if is_assigned(p) {
                self.pending.remove(&uid);
                let labels = p["metadata"]["labels"].to_string();
                match self.assigned.get(&uid) {
                    None => {
                        events.insert(ClusterEvent::AssignedPodAdd);
                    }
                    Some(old) if *old != labels => {
                        events.insert(ClusterEvent::AssignedPodLabelChange);
                    }
                    Some(_) => {}
                }
                self.assigned.insert(uid, labels);
                continue;
            }
            // Finished, or not yet bound: no longer an assigned pod.
            gone_assigned |= self.assigned.remove(&uid).is_some();
            if p["spec"]["nodeName"].as_str().unwrap_or("").is_empty() {
                let fingerprint = format!("{}{}", p["spec"], p["metadata"]["labels"]);
                if self.pending.get(&uid).is_some_and(|old| *old != fingerprint) {
                    updated.push(uid.clone());
                }
                self.pending.insert(uid, fingerprint);
            } else {
                self.pending.remove(&uid);
            }
        }
        if gone_assigned {
            events.insert(ClusterEvent::AssignedPodDelete);
        }
        let storage: BTreeMap<String, String> = caches
            .pvcs
            .cache
            .iter()
            .chain(caches.pvs.cache.iter())
            .chain(caches.storageclasses.cache.iter())
            .map(|(k, v)| (k.clone(), v["metadata"]["resourceVersion"].as_str().unwrap_or("").to_string()))
            .collect();
        if storage.iter().any(|(k, rv)| self.storage.get(k) != Some(rv)) {
            events.insert(ClusterEvent::StorageChange);
        }
        self.storage = storage;
        (events, updated)
    }
}
