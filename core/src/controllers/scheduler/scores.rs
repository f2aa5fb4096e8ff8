//! The node-local score plugins of the default profile and the shared normalisation:
//! NodeResourcesFit with the LeastAllocated strategy, NodeResourcesBalancedAllocation,
//! ImageLocality, and `helper.DefaultNormalizeScore` (TaintToleration reversed, NodeAffinity).
//! PodTopologySpread and InterPodAffinity score across nodes in their own files.
//!
//! Worked example (a worker with 4 CPUs and 8 GiB, 1 CPU and 1 GiB already requested, a pod
//! without requests, so it counts 100m and 200 MiB for LeastAllocated):
//! - LeastAllocated: cpu `(4000 - 1100) · 100 / 4000 = 72`, memory
//!   `(8192 - 1224) · 100 / 8192 = 85` (MiB), weights 1 and 1: `(72 + 85) / 2 = 78`.
//! - BalancedAllocation skips the pod: it requests nothing (a BestEffort pod).

use super::node_info::{NodeInfo, Resources, MAX_NODE_SCORE};
use serde_json::Value;
use std::collections::BTreeMap;

const MB: i64 = 1024 * 1024;
/// ImageLocality's thresholds: below 23 MB an image is not worth favouring a node for; above
/// 1000 MB per container the score is full.
const MIN_THRESHOLD: i64 = 23 * MB;
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// `leastRequestedScore`.
fn least_requested(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

/// NodeResourcesFit, LeastAllocated over cpu and memory (weight 1 each): the node's requests
/// with the defaults for containers without requests, plus the pod's likewise.
pub fn least_allocated(pod_non_zero: Resources, node: &NodeInfo) -> i64 {
    let mut score = 0;
    let mut weights = 0;
    for (alloc, req) in [
        (node.allocatable.milli_cpu, node.non_zero_requested.milli_cpu + pod_non_zero.milli_cpu),
        (node.allocatable.memory, node.non_zero_requested.memory + pod_non_zero.memory),
    ] {
        if alloc == 0 {
            continue;
        }
        score += least_requested(req, alloc);
        weights += 1;
    }
    if weights == 0 {
        0
    } else {
        score / weights
    }
}

/// NodeResourcesBalancedAllocation: `(1 - std of the cpu and memory fractions) · 100`, the
/// fractions from the real requests (`useRequested`) capped at 1; `None` for a pod that
/// requests nothing (PreScore Skip since 1.32, kubernetes#129138).
pub fn balanced_allocation(pod: Resources, node: &NodeInfo) -> Option<i64> {
    if pod.milli_cpu == 0 && pod.memory == 0 {
        return None;
    }
    // Per node of every cycle: no allocation.
    let fraction = |alloc: i64, req: i64| (alloc != 0).then(|| (req as f64 / alloc as f64).min(1.0));
    let cpu = fraction(node.allocatable.milli_cpu, node.requested.milli_cpu + pod.milli_cpu);
    let memory = fraction(node.allocatable.memory, node.requested.memory + pod.memory);
    let std = match (cpu, memory) {
        (Some(a), Some(b)) => ((a - b) / 2.0).abs(),
        _ => 0.0,
    };
    Some(((1.0 - std) * MAX_NODE_SCORE as f64) as i64)
}

/// `normalizedImageName`: a name without a tag gets `:latest`.
pub(super) fn normalized_image(name: &str) -> String {
    if name.rfind(':').unwrap_or(0) <= name.rfind('/').unwrap_or(0) && !name.contains('@') {
        format!("{name}:latest")
    } else {
        name.to_string()
    }
}

/// ImageLocality's view of a pod, computed once per cycle: each container's image (init
/// containers first), normalised, with the share of nodes holding it.
pub struct PodImages {
    images: Vec<(String, f64)>,
}

impl PodImages {
    /// `image_nodes` counts, per image name, the nodes holding it, of `total_nodes`.
    pub fn new(pod: &Value, image_nodes: &BTreeMap<String, usize>, total_nodes: usize) -> Self {
        let spec = &pod["spec"];
        let containers = spec["initContainers"].as_array().into_iter().flatten().chain(spec["containers"].as_array().into_iter().flatten());
        let images = containers
            .map(|c| {
                let image = normalized_image(c["image"].as_str().unwrap_or(""));
                let share = image_nodes.get(&image).copied().unwrap_or(0) as f64 / total_nodes.max(1) as f64;
                (image, share)
            })
            .collect();
        PodImages { images }
    }
}

/// ImageLocality: the sizes of the pod's images the node already holds, each scaled by the share
/// of nodes holding it, clamped to 23 MB .. 1000 MB per container and mapped onto 0..100.
pub fn image_locality(pod: &PodImages, node: &NodeInfo) -> i64 {
    let mut sum: i64 = 0;
    for (image, share) in &pod.images {
        if let Some(size) = node.images.get(image) {
            sum = sum.saturating_add((*size as f64 * share) as i64);
        }
    }
    let max_threshold = MAX_CONTAINER_THRESHOLD * pod.images.len() as i64;
    let clamped = sum.clamp(MIN_THRESHOLD, max_threshold.max(MIN_THRESHOLD));
    if max_threshold <= MIN_THRESHOLD {
        return 0;
    }
    MAX_NODE_SCORE * (clamped - MIN_THRESHOLD) / (max_threshold - MIN_THRESHOLD)
}

/// `helper.DefaultNormalizeScore`: scale so the largest becomes 100 (`reverse`: 100 minus
/// that); when every score is 0, all become 100 if reversed and stay 0 otherwise.
pub fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = MAX_NODE_SCORE);
        }
        return;
    }
    for s in scores.iter_mut() {
        let v = MAX_NODE_SCORE * *s / max;
        *s = if reverse { MAX_NODE_SCORE - v } else { v };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn worker() -> NodeInfo {
        NodeInfo::from_node(&json!({"metadata": {"name": "node-1"}, "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}))
    }

    #[test]
    fn least_allocated_matches_the_formula_by_hand() {
        let mut n = worker();
        n.add_pod(&json!({"spec": {"containers": [{"resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}}));
        let best_effort = Resources { milli_cpu: 100, memory: 200 * MB };
        // The module doc's example: (72 + 85) / 2.
        assert_eq!(least_allocated(best_effort, &n), 78);
        // An empty node: cpu 3900·100/4000 = 97, memory (8192-200)·100/8192 = 97.
        assert_eq!(least_allocated(best_effort, &worker()), 97);
        // Asking for more than the node has scores 0 for that resource.
        assert_eq!(least_allocated(Resources { milli_cpu: 5000, memory: 0 }, &worker()), 50);
    }

    #[test]
    fn balanced_allocation_matches_the_formula_by_hand_and_skips_best_effort() {
        let n = worker();
        // cpu 2000/4000 = 0.5, memory 1Gi/8Gi = 0.125: std = 0.1875, (1 - 0.1875)·100 = 81.
        assert_eq!(balanced_allocation(Resources { milli_cpu: 2000, memory: 1024 * MB }, &n), Some(81));
        // cpu 0.25 and memory 0.25: perfectly balanced.
        assert_eq!(balanced_allocation(Resources { milli_cpu: 1000, memory: 2048 * MB }, &n), Some(100));
        assert_eq!(balanced_allocation(Resources::default(), &n), None);
    }

    #[test]
    fn default_normalize_scales_to_the_maximum_and_reverses() {
        // TaintToleration: intolerable PreferNoSchedule taints 0, 1, 2 -> 100, 50, 0.
        let mut taints = vec![0, 1, 2];
        default_normalize(&mut taints, true);
        assert_eq!(taints, vec![100, 50, 0]);
        let mut none = vec![0, 0];
        default_normalize(&mut none, true);
        assert_eq!(none, vec![100, 100]);
        // NodeAffinity: matched weights 0, 20, 80 -> 0, 25, 100.
        let mut weights = vec![0, 20, 80];
        default_normalize(&mut weights, false);
        assert_eq!(weights, vec![0, 25, 100]);
    }

    #[test]
    fn image_locality_favours_a_node_holding_a_large_image() {
        let mut n = worker();
        n.images.insert("mysql:8.4".into(), 600 * MB);
        let pod = json!({"spec": {"containers": [{"image": "mysql:8.4"}]}});
        let spread: BTreeMap<String, usize> = [("mysql:8.4".to_string(), 1)].into_iter().collect();
        let images = PodImages::new(&pod, &spread, 2);
        // 600 MB held by 1 of 2 nodes -> 300 MB; (300 - 23) · 100 / (1000 - 23) = 28.
        assert_eq!(image_locality(&images, &n), 28);
        assert_eq!(image_locality(&images, &worker()), 0);
        assert_eq!(normalized_image("nginx"), "nginx:latest");
        assert_eq!(normalized_image("registry.k8s.io/pause:3.10"), "registry.k8s.io/pause:3.10");
    }
}
