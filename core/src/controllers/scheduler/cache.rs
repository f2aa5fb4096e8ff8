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
//!
//! The cache also counts, per image name, the nodes holding it (the cache's `imageStates`,
//! `ImageStateSummary.NumNodes`), kept up to date as nodes are rebuilt, added and removed, so
//! ImageLocality reads a pod's images in O(images) instead of looking through every node.

use super::node_info::NodeInfo;
use super::node_snapshot;
use crate::controllers::informer::Notification;
use crate::controllers::Caches;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Image name -> how many nodes of the snapshot hold it (`ImageStateSummary.NumNodes`).
pub type ImageNodes = BTreeMap<String, usize>;

/// What a step schedules against (`Snapshot`): every node's NodeInfo and the image counts.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub nodes: BTreeMap<String, NodeInfo>,
    pub image_nodes: ImageNodes,
}

#[derive(Debug, Default)]
pub struct NodeCache {
    nodes: BTreeMap<String, NodeInfo>,
    /// The nodes of `nodes` holding each image, always in step with `nodes`' images.
    image_nodes: ImageNodes,
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
    pub fn take(&mut self, caches: &Caches) -> Snapshot {
        if !self.built {
            self.nodes = node_snapshot(caches);
            self.built = true;
            self.dirty.clear();
            self.nodes.values_mut().for_each(|n| n.generation = 0);
            self.image_nodes = count_images(&self.nodes);
        }
        for name in std::mem::take(&mut self.dirty) {
            let info = caches.nodes.get("", &name).map(|node| {
                let mut info = NodeInfo::from_node(node);
                for p in caches.pods.on_node(&name).filter(|p| super::events::is_assigned(p)) {
                    info.add_pod(p);
                }
                info.generation = 0;
                info
            });
            self.replace(name, info);
        }
        Snapshot { nodes: std::mem::take(&mut self.nodes), image_nodes: std::mem::take(&mut self.image_nodes) }
    }

    /// Puts a node's rebuilt NodeInfo in place (`None`: the node is gone), keeping the image
    /// counts in step (`UpdateNode`, `RemoveNode`).
    fn replace(&mut self, name: String, info: Option<NodeInfo>) {
        let old = self.nodes.get(&name).map(|n| &n.images);
        // A node rebuilt because of its pods holds the same images: nothing to count.
        if old != info.as_ref().map(|n| &n.images) {
            uncount_images(&mut self.image_nodes, old);
            count_node_images(&mut self.image_nodes, info.as_ref().map(|n| &n.images));
        }
        match info {
            Some(info) => {
                self.nodes.insert(name, info);
            }
            None => {
                self.nodes.remove(&name);
            }
        }
    }

    /// Takes the snapshot back after the step; the NodeInfos the step changed are rebuilt from
    /// the informers before the next one.
    pub fn put_back(&mut self, snapshot: Snapshot) {
        let Snapshot { nodes, image_nodes } = snapshot;
        self.dirty.extend(nodes.iter().filter(|(_, n)| n.generation != 0).map(|(name, _)| name.clone()));
        self.nodes = nodes;
        self.image_nodes = image_nodes;
    }
}

/// Counts, per image name, the nodes holding it (`createImageExistenceMap`), from scratch.
pub fn count_images(nodes: &BTreeMap<String, NodeInfo>) -> ImageNodes {
    let mut counts = ImageNodes::new();
    for n in nodes.values() {
        count_node_images(&mut counts, Some(&n.images));
    }
    counts
}

/// A node holding `images` joined the count (`addNodeImageStates`).
fn count_node_images(counts: &mut ImageNodes, images: Option<&BTreeMap<String, i64>>) {
    for name in images.into_iter().flat_map(BTreeMap::keys) {
        *counts.entry(name.clone()).or_insert(0) += 1;
    }
}

/// A node holding `images` left the count (`removeNodeImageStates`); an image no node holds
/// any more is forgotten.
fn uncount_images(counts: &mut ImageNodes, images: Option<&BTreeMap<String, i64>>) {
    for name in images.into_iter().flat_map(BTreeMap::keys) {
        if let Some(c) = counts.get_mut(name) {
            *c = c.saturating_sub(1);
            if *c == 0 {
                counts.remove(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Rng;
    use serde_json::json;

    fn node(name: &str, images: &[&str]) -> NodeInfo {
        let images: Vec<Value> = images.iter().map(|i| json!({"names": [format!("sha256:{i}"), i], "sizeBytes": 1 << 20})).collect();
        NodeInfo::from_node(&json!({"metadata": {"name": name}, "status": {"images": images}}))
    }

    #[test]
    fn the_incremental_image_counts_equal_a_full_recount() {
        let pool = ["pause:3.10", "nginx:1.27", "redis:7", "mysql:8.4", "busybox:1.36"];
        let mut cache = NodeCache::default();
        let mut rng = Rng::new(7);
        for round in 0..400 {
            let name = format!("node-{}", rng.below(12));
            // Adds and updates (a different image list, or the same one as a pod change
            // rebuilds it), and deletes.
            let info = (rng.below(4) != 0).then(|| {
                let held: Vec<&str> = pool.iter().copied().filter(|_| rng.below(2) == 0).collect();
                node(&name, &held)
            });
            cache.replace(name, info);
            assert_eq!(cache.image_nodes, count_images(&cache.nodes), "round {round}");
        }
        assert!(!cache.nodes.is_empty());
        // The snapshot carries the counts and gives them back.
        cache.built = true;
        let Some(caches) = Caches::new() else { panic!("caches") };
        let snapshot = cache.take(&caches);
        assert_eq!(snapshot.image_nodes, count_images(&snapshot.nodes));
        cache.put_back(snapshot);
        assert_eq!(cache.image_nodes, count_images(&cache.nodes));
    }
}
