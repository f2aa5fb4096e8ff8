//! The benchmark workloads of issue 8, as library code so the same work runs in the bench
//! binary (`core/benches/kubeplay_bench.rs`, timed with the wall clock and a counting allocator,
//! `make bench`) and at small sizes in `make test` (`core/tests/bench_smoke.rs`, which checks the
//! result, not the speed). Each workload is deterministic: the same sizes and seed give the same
//! work, request for request, so figures compare across runs.
//!
//! What each mirrors:
//! - [`scheduling`]: kube-scheduler's scheduler_perf `SchedulingBasic/5000Nodes_10000Pods`
//!   (nodes of 4 CPU, 32Gi, 110 pods; pods asking 100m and 500Mi), through the API server, the
//!   informers and the whole plugin set.
//! - [`scale`]: a KWOK-style cluster of many nodes and a Deployment of many replicas, from
//!   `kubectl apply` until every pod is Running.
//! - [`api_writes`]: pod creates and updates through every stage of kube-apiserver's pipeline.
//! - [`store`]: etcd puts, ranges and watch fan-out, as etcd's `benchmark put` and
//!   `benchmark watch` do.
//!
//! Nothing here reads the clock: phases are separate calls, so the caller can time each.

pub mod api_writes;
pub mod scale;
pub mod scheduling;
pub mod store;

use crate::store::{RangeRequest, Store};
use serde_json::Value;

/// What the store holds of the pods in one namespace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PodCounts {
    pub total: usize,
    /// Pods with `spec.nodeName` set.
    pub bound: usize,
    /// Pods whose `status.phase` is `Running`.
    pub running: usize,
}

/// Counts the pods of `namespace` as etcd holds them now (one range over the prefix).
pub fn pod_counts(store: &Store, namespace: &str) -> PodCounts {
    let prefix = format!("/registry/pods/{namespace}/");
    let mut counts = PodCounts::default();
    let Ok(reply) = store.range(&RangeRequest::prefix(prefix.as_bytes())) else { return counts };
    for kv in &reply.kvs {
        let Ok(pod) = serde_json::from_slice::<Value>(&kv.value) else { continue };
        counts.total += 1;
        counts.bound += usize::from(pod["spec"]["nodeName"].as_str().is_some_and(|n| !n.is_empty()));
        counts.running += usize::from(pod["status"]["phase"] == "Running");
    }
    counts
}

/// etcd's default `--quota-backend-bytes` (2 GiB).
pub const ETCD_DEFAULT_QUOTA_BYTES: i64 = 2 * 1024 * 1024 * 1024;

/// The config every cluster workload starts from: `workers` nodes of the given capacity, and
/// the kernel's bounds (queue, trace, steps per run) raised so a large run is not cut short.
pub fn cluster_config(seed: u64, workers: usize, cpu: &str, memory: &str) -> crate::Config {
    // etcd's own default quota (2 GiB), not the playground's 256 MiB: 100,000 pods and their
    // history and events need about 1.3 GB of backend, which the smaller quota stopped at
    // 21,000 pods ("mvcc: database space exceeded"), as a real etcd would at that size.
    let mut config = crate::Config { seed, max_steps_per_run: 50_000_000, etcd_quota_bytes: ETCD_DEFAULT_QUOTA_BYTES, ..crate::Config::default() };
    config.nodes.workers = workers;
    config.nodes.cpu = cpu.into();
    config.nodes.memory = memory.into();
    config.nodes.pods = "110".into();
    config
}
