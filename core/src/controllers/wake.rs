//! Which nodes a step's watch deliveries concern, so the per-node components (kubelets, the node
//! lifecycle controller) look only at those.
//!
//! A real kubelet is woken by its own watches: the pods bound to its node (a field-selected
//! watch on `spec.nodeName`), its Node, its Lease, and the ConfigMaps and Secrets its pods
//! mount. Its sync loop otherwise sleeps until a timer (a pull, a probe, a back-off, the next
//! heartbeat). Visiting every kubelet at every step instead cost O(nodes) per step: at 5,000
//! nodes most of a scheduling run went to kubelets and node health checks with nothing to do.
//!
//! [`Woken`] is computed from what the informers delivered in the step, before the deliveries
//! are recorded; a component still wakes for its own timers and after a step in which it sent
//! requests (see `ControlPlane::step`).

use super::informer::{Delivered, Informer, Notification};
use super::node_lease::LEASE_NAMESPACE;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The nodes whose pods, Node or Lease changed in a step, or every node.
#[derive(Debug, Default)]
pub struct Woken {
    nodes: BTreeSet<String>,
    /// A ConfigMap or Secret changed (any pod may mount it), or an informer listed again and
    /// so delivered no events: every node is woken.
    all: bool,
}

impl Woken {
    /// The nodes the deliveries concern; `relisted` wakes every node.
    pub fn of(delivered: &[Delivered], relisted: bool) -> Self {
        let mut woken = Woken { nodes: BTreeSet::new(), all: relisted };
        for d in delivered {
            let Some((resource, key)) = d.queues.first() else { continue };
            match resource.as_str() {
                "pods" => woken.nodes.extend(d.node.clone()),
                "nodes" => {
                    woken.nodes.insert(key.clone());
                }
                "leases" => {
                    if let Some((LEASE_NAMESPACE, name)) = key.split_once('/') {
                        woken.nodes.insert(name.to_string());
                    }
                }
                "configmaps" | "secrets" => woken.all = true,
                _ => {}
            }
        }
        woken
    }

    /// Whether `node` has news (the control plane finds its kubelets from [`Woken::nodes`]).
    #[cfg(test)]
    pub fn node(&self, node: &str) -> bool {
        self.all || self.nodes.contains(node)
    }

    /// Whether every node is woken.
    pub fn everything(&self) -> bool {
        self.all
    }

    /// The woken nodes, when not every node is.
    pub fn nodes(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(String::as_str)
    }
}

/// What a step's pod notifications tell each kubelet, as its field-selected pod watch would:
/// the pods of its node added or changed (by cache key), and those gone. A woken kubelet syncs
/// these and the pods it has something due for, rather than every pod of its node: at 100 pods a
/// node, finding each in the cache to learn it had not changed was most of a kubelet's walk.
#[derive(Debug, Default)]
pub struct PodNews<'a> {
    by_node: BTreeMap<&'a str, NodePods<'a>>,
    /// The informer kept every notification of the step (see `Informer::notifications_complete`).
    complete: bool,
}

/// One node's share of [`PodNews`].
#[derive(Debug, Default)]
pub struct NodePods<'a> {
    /// Cache keys of the node's pods added or changed, in notification order (a key may repeat).
    pub changed: Vec<&'a str>,
    /// (cache key, uid) of pods no longer on the node: deleted, or (which validation forbids)
    /// updated onto another node.
    pub gone: Vec<(&'a str, &'a str)>,
}

fn node_of(pod: &Value) -> Option<&str> {
    pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty())
}

impl<'a> PodNews<'a> {
    /// The pods informer's notifications of this step, by node.
    pub fn of(pods: &'a Informer) -> Self {
        let mut news = PodNews { by_node: BTreeMap::new(), complete: pods.notifications_complete() };
        for n in pods.notifications() {
            let (now, old) = match n {
                Notification::Deleted { old, .. } => (None, Some(old)),
                Notification::Updated { old, .. } => (pods.object_of(n), Some(old)),
                _ => (pods.object_of(n), None),
            };
            let node = now.and_then(node_of);
            if let Some(node) = node {
                news.by_node.entry(node).or_default().changed.push(n.key());
            }
            if let Some(old_node) = old.and_then(node_of).filter(|o| Some(*o) != node) {
                let uid = old.map_or("", |o| o["metadata"]["uid"].as_str().unwrap_or(""));
                news.by_node.entry(old_node).or_default().gone.push((n.key(), uid));
            }
        }
        news
    }

    /// The news for `node`'s kubelet; `None` when the step's notifications are not all known,
    /// so the kubelet must look at every pod of its node.
    pub fn node(&self, node: &str) -> Option<&NodePods<'a>> {
        const NONE: &NodePods<'static> = &NodePods { changed: Vec::new(), gone: Vec::new() };
        self.complete.then(|| self.by_node.get(node).unwrap_or(NONE))
    }

    /// The nodes something concerns.
    pub fn nodes(&self) -> impl Iterator<Item = &str> {
        self.by_node.keys().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::WatchEvent;

    fn delivered(resource: &str, key: &str, node: Option<&str>) -> Delivered {
        Delivered {
            revision: 1,
            key: String::new(),
            event: WatchEvent::Modified,
            queues: vec![(resource.into(), key.into())],
            node: node.map(str::to_string),
            labels: Default::default(),
        }
    }

    #[test]
    fn a_pod_wakes_its_node_a_node_and_its_lease_wake_themselves() {
        let woken = Woken::of(
            &[
                delivered("pods", "default/web-1", Some("node-1")),
                delivered("pods", "default/pending", None),
                delivered("nodes", "node-2", None),
                delivered("leases", "kube-node-lease/node-3", None),
                delivered("leases", "kube-system/kube-scheduler", None),
                delivered("replicasets", "default/web", None),
            ],
            false,
        );
        assert_eq!(woken.nodes().collect::<Vec<_>>(), ["node-1", "node-2", "node-3"]);
        assert!(!woken.node("kube-scheduler") && !woken.everything());
    }

    #[test]
    fn a_configmap_or_a_relist_wakes_every_node() {
        assert!(Woken::of(&[delivered("configmaps", "default/cfg", None)], false).node("node-9"));
        assert!(Woken::of(&[delivered("secrets", "default/s", None)], false).everything());
        assert!(Woken::of(&[], true).everything());
        assert!(!Woken::of(&[], false).node("node-1"));
    }
}
