//! scheduler_perf's `SchedulingBasic` (`test/integration/scheduler_perf/misc/performance-config.yaml`,
//! workload `5000Nodes_10000Pods`, threshold 680 pods/s): `initNodes` nodes from
//! `templates/node-default.yaml` (4 CPU, 32Gi, 110 pods), `initPods` pods, then `measurePods`
//! pods whose scheduling is measured, all from `templates/pod-default.yaml` (one `pause`
//! container asking and limited to 100m CPU and 500Mi memory).
//!
//! Here the nodes are registered by their kubelets as the cluster starts, the pods are POSTed
//! through the API server (authentication, RBAC, admission, validation, etcd) as
//! `kubernetes-admin`, and the scheduler learns of them through its informer and places each
//! with the whole default plugin set, binding through `pods/<name>/binding`. Unlike
//! scheduler_perf's fake nodes, the kubelets then start what was bound while later pods are
//! scheduled: the control plane is the whole one.

use super::{cluster_config, pod_counts, PodCounts};
use crate::api::lookup;
use crate::apiserver::{Request, Verb};
use crate::trace::Event;
use crate::Cluster;
use serde_json::{json, Value};

/// The workload's sizes; `Default` is `5000Nodes_10000Pods`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchedulingBasic {
    pub nodes: usize,
    pub init_pods: usize,
    pub measure_pods: usize,
    pub seed: u64,
}

impl Default for SchedulingBasic {
    fn default() -> Self {
        SchedulingBasic { nodes: 5000, init_pods: 1000, measure_pods: 10_000, seed: 1 }
    }
}

/// The namespace the pods are created in.
pub const NAMESPACE: &str = "default";

/// `templates/pod-default.yaml` with a name (scheduler_perf uses `generateName: pod-`).
pub fn pod(name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {"containers": [{
            "name": "pause",
            "image": "registry.k8s.io/pause:3.10.1",
            "ports": [{"containerPort": 80}],
            "resources": {"limits": {"cpu": "100m", "memory": "500Mi"}, "requests": {"cpu": "100m", "memory": "500Mi"}},
        }]},
    })
}

impl SchedulingBasic {
    /// The cluster with its nodes registered and Ready (`createNodes`).
    pub fn setup(&self) -> Run {
        let cluster = Cluster::new(cluster_config(self.seed, self.nodes, "4", "32Gi"));
        let last_seq = cluster.trace().records().next_back().map_or(0, |r| r.seq);
        Run { cluster, created: 0, bound: 0, last_seq }
    }
}

/// A running workload.
pub struct Run {
    pub cluster: Cluster,
    created: usize,
    bound: usize,
    last_seq: u64,
}

impl Run {
    /// The `count` create requests of the next pods (`pod-00000`, ...), built before they are sent.
    pub fn pod_requests(&self, count: usize) -> Vec<Request> {
        let Some(kind) = lookup("v1", "Pod") else { return Vec::new() };
        (self.created..self.created + count)
            .map(|i| {
                let name = format!("pod-{i:05}");
                Request::new(Verb::Create, kind, NAMESPACE, &name).with_body(pod(&name))
            })
            .collect()
    }

    /// `createPods`: sends the requests to the API server, one after another, as a client does.
    pub fn create(&mut self, requests: Vec<Request>) -> Result<(), String> {
        for req in requests {
            let reply = self.cluster.serve(&req);
            if let Err(status) = reply.result {
                return Err(format!("create pods/{}: {}", req.name, status.message));
            }
            self.created += 1;
        }
        Ok(())
    }

    /// Steps the cluster one event at a time, at most `steps` events, until every pod created so
    /// far is bound. Ok(true) once they are; an error when the cluster goes idle first.
    pub fn schedule(&mut self, steps: usize) -> Result<bool, String> {
        for _ in 0..steps {
            if self.bound >= self.created {
                return Ok(true);
            }
            let idle = self.cluster.run_slice(0, 1).is_some();
            self.count_bindings();
            if idle && self.bound < self.created {
                return Err(format!("the cluster went idle with {} of {} pods bound", self.bound, self.created));
            }
        }
        Ok(self.bound >= self.created)
    }

    /// Pods created so far, and bound so far (as the scheduler's trace records report them).
    pub fn progress(&self) -> (usize, usize) {
        (self.created, self.bound)
    }

    /// The scheduler's successful attempts since the last look, for this workload's pods.
    fn count_bindings(&mut self) {
        let prefix = format!("{NAMESPACE}/pod-");
        let mut newest = self.last_seq;
        for r in self.cluster.trace().records().rev().take_while(|r| r.seq > self.last_seq) {
            newest = newest.max(r.seq);
            if let Event::Scheduling(a) = &r.event {
                if a.selected_node.is_some() && a.pod.starts_with(&prefix) && a.message.starts_with("Successfully assigned") {
                    self.bound += 1;
                }
            }
        }
        self.last_seq = newest;
    }

    /// What etcd holds: every pod created is there and bound to a node that can hold it.
    pub fn verify(&self, nodes: usize) -> Result<PodCounts, String> {
        let counts = pod_counts(self.cluster.store(), NAMESPACE);
        if counts.total != self.created || counts.bound != self.created {
            return Err(format!("{} pods created, etcd holds {} of which {} are bound", self.created, counts.total, counts.bound));
        }
        // 110 pods and 4 CPU (40 pods of 100m) per node: no node may hold more than 40.
        let mut per_node: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        let prefix = format!("/registry/pods/{NAMESPACE}/");
        if let Ok(reply) = self.cluster.store().range(&crate::store::RangeRequest::prefix(prefix.as_bytes())) {
            for kv in &reply.kvs {
                if let Ok(p) = serde_json::from_slice::<Value>(&kv.value) {
                    *per_node.entry(p["spec"]["nodeName"].as_str().unwrap_or("").to_string()).or_default() += 1;
                }
            }
        }
        if let Some((node, n)) = per_node.iter().find(|(_, n)| **n > 40) {
            return Err(format!("node {node} holds {n} pods of 100m CPU on 4 CPUs"));
        }
        if per_node.len() > nodes {
            return Err(format!("pods on {} nodes, the cluster has {nodes} workers", per_node.len()));
        }
        Ok(counts)
    }
}
