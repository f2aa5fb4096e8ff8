//! The API write path: pod creates, then an update of each (a label added, as `kubectl label`
//! sends it with PUT), through every stage of kube-apiserver's pipeline — authentication, RBAC
//! authorization of `kubernetes-admin`, mutating admission (ServiceAccount, Priority,
//! DefaultTolerationSeconds, ...), the managed fields, validation, validating admission
//! (PodSecurity, ResourceQuota), and the etcd transaction — each stage traced. No component
//! reacts in between: only the API server's work is measured.

use super::scheduling::pod;
use crate::api::lookup;
use crate::apiserver::{Request, Verb};
use crate::store::RangeRequest;
use crate::Cluster;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiWrites {
    pub objects: usize,
    pub seed: u64,
}

impl Default for ApiWrites {
    fn default() -> Self {
        ApiWrites { objects: 20_000, seed: 1 }
    }
}

impl ApiWrites {
    /// A cluster with no workers (only the control-plane node), so nothing else is stored.
    pub fn setup(&self) -> Run {
        Run { cluster: Cluster::new(super::cluster_config(self.seed, 0, "4", "32Gi")), objects: self.objects }
    }
}

pub struct Run {
    pub cluster: Cluster,
    objects: usize,
}

const PREFIX: &str = "/registry/pods/default/";

impl Run {
    /// The create requests (scheduler_perf's pod), built before they are sent.
    pub fn create_requests(&self) -> Vec<Request> {
        let Some(kind) = lookup("v1", "Pod") else { return Vec::new() };
        (0..self.objects)
            .map(|i| {
                let name = format!("write-{i:06}");
                Request::new(Verb::Create, kind, "default", &name).with_body(pod(&name))
            })
            .collect()
    }

    /// Sends every request; the count of writes that succeeded, or the first failure.
    pub fn send(&mut self, requests: Vec<Request>) -> Result<usize, String> {
        let mut n = 0;
        for req in requests {
            if let Err(status) = self.cluster.serve(&req).result {
                return Err(format!("{:?} pods/{}: {}", req.verb, req.name, status.message));
            }
            n += 1;
        }
        Ok(n)
    }

    /// The update requests: each stored pod read back with a label added, sent with its
    /// resourceVersion (an optimistic-concurrency PUT).
    pub fn update_requests(&self) -> Vec<Request> {
        let Some(kind) = lookup("v1", "Pod") else { return Vec::new() };
        self.stored()
            .into_iter()
            .filter(|p| p["metadata"]["name"].as_str().is_some_and(|n| n.starts_with("write-")))
            .map(|mut p| {
                p["metadata"]["labels"] = json!({"bench": "updated"});
                let name = p["metadata"]["name"].as_str().unwrap_or("").to_string();
                Request::new(Verb::Update, kind, "default", &name).with_body(p)
            })
            .collect()
    }

    fn stored(&self) -> Vec<Value> {
        let Ok(reply) = self.cluster.store().range(&RangeRequest::prefix(PREFIX.as_bytes())) else { return Vec::new() };
        reply.kvs.iter().filter_map(|kv| serde_json::from_slice(&kv.value).ok()).collect()
    }

    /// The average size of a stored pod (its JSON in etcd), in bytes.
    pub fn stored_object_bytes(&self) -> usize {
        let Ok(reply) = self.cluster.store().range(&RangeRequest::prefix(PREFIX.as_bytes())) else { return 0 };
        reply.kvs.iter().map(|kv| kv.value.len()).sum::<usize>() / reply.kvs.len().max(1)
    }

    /// Every pod is stored once, with the label, defaulted and admitted (a service account
    /// token volume, tolerations).
    pub fn verify(&self) -> Result<usize, String> {
        let pods = self.stored();
        let ours: Vec<&Value> = pods.iter().filter(|p| p["metadata"]["name"].as_str().is_some_and(|n| n.starts_with("write-"))).collect();
        if ours.len() != self.objects {
            return Err(format!("{} pods created, etcd holds {}", self.objects, ours.len()));
        }
        for p in &ours {
            let name = p["metadata"]["name"].as_str().unwrap_or("");
            if p["metadata"]["labels"]["bench"] != "updated" {
                return Err(format!("pods/{name} was not updated"));
            }
            if p["spec"]["serviceAccountName"] != "default" || !p["spec"]["tolerations"].is_array() {
                return Err(format!("pods/{name} did not pass mutating admission: {}", p["spec"]));
            }
        }
        Ok(ours.len())
    }
}
