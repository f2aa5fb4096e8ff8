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
        // Some notifications were dropped at their bound: which nodes they concern is unknown,
        // so the next snapshot is built from the informers again.
        if !caches.nodes.notifications_complete() || !caches.pods.notifications_complete() {
            self.built = false;
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
            self.rebuild(name, caches);
        }
        Snapshot { nodes: std::mem::take(&mut self.nodes), image_nodes: std::mem::take(&mut self.image_nodes) }
    }

    /// Rebuilds a node's NodeInfo from the informers, as `NodeInfo::from_node` and `add_pod` of
    /// each of its assigned pods would, reusing what did not change: the Node's own fields
    /// while its resourceVersion is the one they were read from, and each pod's PodInfo while
    /// the pod's is (rebuilding every pod of each node a step touched was 2% of a 5,000-node
    /// scheduling run). A step's assumed pods are the pending versions, so they are not reused.
    fn rebuild(&mut self, name: String, caches: &Caches) {
        let Some(node) = caches.nodes.get("", &name) else {
            self.replace(name, None);
            return;
        };
        let rv = node["metadata"]["resourceVersion"].as_str().unwrap_or("");
        let (mut info, mut old_pods) = match self.nodes.remove(&name) {
            Some(mut old) if !rv.is_empty() && old.node_rv == rv => {
                let pods = old.take_pods();
                (old, pods)
            }
            old => {
                let info = NodeInfo::from_node(node);
                let old_images = old.as_ref().map(|n| &n.images);
                // As `replace`: a node rebuilt with the same images leaves the counts alone.
                if old_images != Some(&info.images) {
                    uncount_images(&mut self.image_nodes, old_images);
                    count_node_images(&mut self.image_nodes, Some(&info.images));
                }
                (info, old.map(|n| n.pods).unwrap_or_default())
            }
        };
        for p in caches.pods.on_node(&name).filter(|p| super::events::is_assigned(p)) {
            let uid = p["metadata"]["uid"].as_str().unwrap_or("");
            let pod_rv = p["metadata"]["resourceVersion"].as_str().unwrap_or("");
            match old_pods.iter().position(|o| !pod_rv.is_empty() && o.resource_version == pod_rv && o.uid == uid) {
                Some(i) => info.add_pod_info(old_pods.swap_remove(i)),
                None => info.add_pod(p),
            }
        }
        info.generation = 0;
        self.nodes.insert(name, info);
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

    /// Rebuilding only the touched nodes, reusing unchanged Nodes' fields and unchanged pods'
    /// PodInfos, gives what building every node from the informers gives.
    #[test]
    fn the_rebuilt_snapshot_equals_one_built_from_the_informers() {
        let (Some(node_kind), Some(pod_kind)) = (crate::api::lookup("v1", "Node"), crate::api::lookup("v1", "Pod")) else { panic!("kinds") };
        let Some(mut caches) = Caches::new() else { panic!("caches") };
        let mut cache = NodeCache::default();
        let mut rng = Rng::new(3);
        let mut rv = 0u64;
        let images = ["pause:3.10", "nginx:1.27"];
        for step in 0..300 {
            let mut touched = BTreeSet::new();
            for _ in 0..rng.below(5) {
                rv += 1;
                let name = format!("node-{}", rng.below(6));
                if rng.below(3) == 0 {
                    // A Node added, changed (labels, images, allocatable) or deleted.
                    let key = node_kind.etcd_key("", &name);
                    if rng.below(6) == 0 {
                        caches.nodes.remove(&key);
                    } else {
                        let held: Vec<Value> = images.iter().filter(|_| rng.below(2) == 0).map(|i| json!({"names": [i], "sizeBytes": 1000})).collect();
                        let node = json!({"metadata": {"name": name, "resourceVersion": rv.to_string(), "labels": {"zone": format!("z{}", rng.below(2))}},
                            "status": {"allocatable": {"cpu": format!("{}", 1 + rng.below(4)), "memory": "8Gi", "pods": "110"}, "images": held}});
                        caches.nodes.insert(key, node);
                    }
                    touched.insert(name);
                } else {
                    // A pod bound, changed, finished, moved or deleted.
                    let pod_name = format!("p{}", rng.below(20));
                    let key = pod_kind.etcd_key("default", &pod_name);
                    if let Some(old) = caches.pods.cache.get(&key).and_then(|p| p["spec"]["nodeName"].as_str()) {
                        touched.insert(old.to_string());
                    }
                    if rng.below(5) == 0 {
                        caches.pods.remove(&key);
                    } else {
                        let phase = if rng.below(6) == 0 { "Succeeded" } else { "Running" };
                        let affinity = if rng.below(4) == 0 { json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": []}}) } else { Value::Null };
                        let pod = json!({"metadata": {"namespace": "default", "name": pod_name, "uid": format!("u-{pod_name}"), "resourceVersion": rv.to_string(), "labels": {"app": "a"}},
                            "spec": {"nodeName": name, "affinity": affinity, "containers": [{"resources": {"requests": {"cpu": format!("{}m", 100 * rng.below(5))}}}]},
                            "status": {"phase": phase, "startTime": format!("2026-01-01T00:00:{:02}Z", rng.below(60))}});
                        caches.pods.insert(key, pod);
                    }
                    touched.insert(name);
                }
            }
            cache.dirty.extend(touched);
            let mut snapshot = cache.take(&caches);
            let fresh = node_snapshot(&caches);
            let shown = |nodes: &BTreeMap<String, NodeInfo>| format!("{:?}", nodes.values().map(|n| NodeInfo { generation: 0, ..n.clone() }).collect::<Vec<_>>());
            assert_eq!(shown(&snapshot.nodes), shown(&fresh), "step {step}");
            assert_eq!(snapshot.image_nodes, count_images(&fresh), "step {step}");
            // A step assumes a pod somewhere: that node is rebuilt next time.
            if let Some(n) = snapshot.nodes.values_mut().next().filter(|_| rng.below(2) == 0) {
                n.add_pod(&json!({"metadata": {"uid": "assumed", "resourceVersion": "1"}, "spec": {"containers": []}}));
            }
            cache.put_back(snapshot);
        }
        assert!(!cache.nodes.is_empty());
    }
}
