//! Scale: a cluster of `nodes` workers and one Deployment of `replicas` pods, from
//! `kubectl apply` until every pod is Running — KWOK's showcase (1,000 nodes, 100,000 pods on a
//! laptop). The pods ask for nothing, so only `pods: 110` bounds a node, as KWOK's fake nodes do;
//! their image is `pause`, which runs until stopped.
//!
//! Virtual delays (the 1 ms a controller takes to react, an image pull's seconds) cost no wall
//! time: the kernel jumps its clock to the next due event, so a run is as long as the work in it.

use super::{cluster_config, pod_counts, PodCounts};
use crate::cli::MemoryFiles;
use crate::cluster::CommandId;
use crate::Cluster;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    pub nodes: usize,
    pub replicas: usize,
    pub seed: u64,
    /// `Config::max_trace_records`: how much of the trace is held (the page's default, or less
    /// to see what the trace costs in memory).
    pub trace_records: usize,
}

impl Default for Scale {
    fn default() -> Self {
        Scale { nodes: 1000, replicas: 100_000, seed: 1, trace_records: crate::Config::default().max_trace_records }
    }
}

/// The Deployment applied.
pub fn manifest(replicas: usize) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: scale\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels: {{app: scale}}\n  template:\n    metadata:\n      labels: {{app: scale}}\n    spec:\n      containers:\n      - name: pause\n        image: registry.k8s.io/pause:3.10.1\n"
    )
}

impl Scale {
    /// The cluster with its nodes registered and Ready.
    pub fn setup(&self) -> Run {
        let config = crate::Config { max_trace_records: self.trace_records, ..cluster_config(self.seed, self.nodes, "4", "32Gi") };
        Run { cluster: Cluster::new(config), replicas: self.replicas, command: None, steps: 0 }
    }
}

pub struct Run {
    pub cluster: Cluster,
    replicas: usize,
    command: Option<CommandId>,
    steps: usize,
}

impl Run {
    /// `kubectl apply -f scale.yaml`, submitted (it runs as the cluster steps).
    pub fn apply(&mut self) {
        let files = MemoryFiles::new().with("scale.yaml", manifest(self.replicas));
        self.command = Some(self.cluster.submit("kubectl apply -f scale.yaml", &files));
    }

    /// Steps at most `steps` events of the run to idle; true once the cluster is idle.
    pub fn run(&mut self, steps: usize) -> bool {
        match self.cluster.run_slice(self.steps, steps) {
            Some(outcome) => {
                self.steps = outcome.steps;
                true
            }
            None => {
                self.steps += steps;
                false
            }
        }
    }

    /// Kernel events stepped so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// What etcd holds now.
    pub fn counts(&self) -> PodCounts {
        pod_counts(self.cluster.store(), "default")
    }

    /// The apply printed what kubectl prints and every replica is Running.
    pub fn verify(&self) -> Result<PodCounts, String> {
        let out = self.command.and_then(|id| self.cluster.output(id)).map(|o| o.stdout.clone()).unwrap_or_default();
        if out != "deployment.apps/scale created\n" {
            return Err(format!("kubectl apply printed {out:?}"));
        }
        let counts = self.counts();
        if counts.total != self.replicas || counts.running != self.replicas {
            return Err(format!("{} replicas wanted: {} pods, {} bound, {} Running", self.replicas, counts.total, counts.bound, counts.running));
        }
        Ok(counts)
    }
}
