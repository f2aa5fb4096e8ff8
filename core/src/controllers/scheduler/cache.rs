//! The scheduler's cache of nodes (`pkg/scheduler/backend/cache`): a [`NodeInfo`] per node,
//! with the pods bound there, kept between steps and brought up to date from the informers'
//! notifications, as kube-scheduler's `UpdateSnapshot` copies only the NodeInfos whose
//! generation moved. Rebuilding all of them whenever a pod waited was a tenth of a 5,000-node
//! scheduling run.
//!
//! A node is rebuilt from the informers when its Node or a pod on it changed, and when a step
//! changed its NodeInfo (an assumed pod, a preemption dry run): its `generation` is then no
//! longer 0. So the snapshot a step gets is exactly what building it from the informers would
//! give.

use super::node_info::NodeInfo;
use super::node_snapshot;
use crate::controllers::informer::Notification;
use crate::controllers::Caches;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default)]
pub struct NodeCache {
    nodes: BTreeMap<String, NodeInfo>,
    /// Nodes to rebuild before the next snapshot.
    dirty: BTreeSet<String>,
    /// Whether `nodes` was ever built; until then the first snapshot builds every node.
    built: bool,
}

fn node_name_of(pod: &Value) -> Option<&str> {
    pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty())
}

impl NodeCache {
    /// Notes the nodes this step's notifications concern. Called at every step, whether or not
    /// a snapshot is taken.
    pub fn observe(&mut self, caches: &Caches) {
        if !self.built {
            return;
        }
        for n in caches.nodes.notifications() {
            if let Some(name) = caches.nodes.object_of(n).and_then(|o| o["metadata"]["name"].as_str()) {
                self.dirty.insert(name.to_string());
            }
        }
        for n in caches.pods.notifications() {
            let old = match n {
                Notification::Updated { old, .. } | Notification::Deleted { old, .. } => node_name_of(old),
                _ => None,
            };
            let new = caches.pods.cache.get(n.key()).and_then(node_name_of);
            self.dirty.extend(old.into_iter().chain(new).map(str::to_string));
        }
    }

    /// The snapshot for this step, up to date; give it back with [`NodeCache::put_back`].
    pub fn take(&mut self, caches: &Caches) -> BTreeMap<String, NodeInfo> {
        if !self.built {
            self.nodes = node_snapshot(caches);
            self.built = true;
            self.dirty.clear();
            self.nodes.values_mut().for_each(|n| n.generation = 0);
        }
        for name in std::mem::take(&mut self.dirty) {
            match caches.nodes.get("", &name) {
                Some(node) => {
                    let mut info = NodeInfo::from_node(node);
                    for p in caches.pods.on_node(&name).filter(|p| super::events::is_assigned(p)) {
                        info.add_pod(p);
                    }
                    info.generation = 0;
                    self.nodes.insert(name, info);
                }
                None => {
                    self.nodes.remove(&name);
                }
            }
        }
        std::mem::take(&mut self.nodes)
    }

    /// Takes the snapshot back after the step; the NodeInfos the step changed are rebuilt from
    /// the informers before the next one.
    pub fn put_back(&mut self, nodes: BTreeMap<String, NodeInfo>) {
        self.dirty.extend(nodes.iter().filter(|(_, n)| n.generation != 0).map(|(name, _)| name.clone()));
        self.nodes = nodes;
    }
}
