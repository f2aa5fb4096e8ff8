//! The load the learner drives with the `load` builtin: work arriving from outside the cluster,
//! like the `while true; do wget -q -O- http://php-apache; done` loop of the kubernetes.io
//! HorizontalPodAutoscaler walkthrough.
//!
//! Load on a workload (`load deployment/php-apache --cpu=600m`) is a total demand that its
//! Service spreads over the pods that are Ready, so as the autoscaler adds pods each one's share
//! drops and utilization falls back toward the target; load on a pod (`load pod/web-0 --cpu=200m`)
//! is that pod's alone. Each pod's first container does the work, on top of its idle baseline
//! (`runtime/usage.rs`). Nothing here touches the API: it is the world outside the cluster.

use super::client::{name_of, ns_of, str_of, uid_of};
pub use super::runtime::usage::Usage;
use super::runtime::usage::share;
use super::Caches;
use crate::apiserver::select::LabelSelector;
use std::collections::BTreeMap;

/// How many load targets one cluster keeps.
pub const MAX_LOADS: usize = 100;

/// What a load is aimed at: `deployment/web` in a namespace.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LoadTarget {
    /// `deployment`, `replicaset`, `statefulset`, `daemonset` or `pod`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl LoadTarget {
    /// `deployment/web`, as the builtin prints it.
    pub fn display(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// Every load in force, by target.
#[derive(Debug, Default)]
pub struct Loads {
    loads: BTreeMap<LoadTarget, Usage>,
}

/// Maps what the learner typed (`deploy`, `deployments`, `po`) to a load target kind.
pub fn target_kind(typed: &str) -> Option<&'static str> {
    Some(match typed.to_ascii_lowercase().as_str() {
        "deployment" | "deployments" | "deploy" => "deployment",
        "replicaset" | "replicasets" | "rs" => "replicaset",
        "statefulset" | "statefulsets" | "sts" => "statefulset",
        "daemonset" | "daemonsets" | "ds" => "daemonset",
        "pod" | "pods" | "po" => "pod",
        _ => return None,
    })
}

impl Loads {
    /// Sets (or, with a zero usage, removes) the load on `target`. Fails when too many are set.
    pub fn set(&mut self, target: LoadTarget, usage: Usage) -> Result<(), String> {
        if usage == Usage::default() {
            self.loads.remove(&target);
            return Ok(());
        }
        if self.loads.len() >= MAX_LOADS && !self.loads.contains_key(&target) {
            return Err(format!("at most {MAX_LOADS} loads at once"));
        }
        self.loads.insert(target, usage);
        Ok(())
    }

    pub fn list(&self) -> impl Iterator<Item = (&LoadTarget, &Usage)> {
        self.loads.iter()
    }

    /// The extra usage each pod (by uid) carries now: every target's demand over its ready pods.
    pub fn per_pod(&self, caches: &Caches) -> BTreeMap<String, Usage> {
        let mut out: BTreeMap<String, Usage> = BTreeMap::new();
        for (target, total) in &self.loads {
            let pods = serving_pods(caches, target);
            for (i, uid) in pods.iter().enumerate() {
                let entry = out.entry(uid.clone()).or_default();
                *entry = entry.plus(share(*total, pods.len(), i));
            }
        }
        out
    }
}

/// A pod a Service would send traffic to: running, Ready and not being deleted.
pub fn is_serving(pod: &serde_json::Value) -> bool {
    let ready = pod["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True");
    pod["metadata"]["deletionTimestamp"].is_null() && str_of(pod, &["status", "phase"]) == "Running" && ready
}

/// The uids of the target's serving pods, by pod name.
fn serving_pods(caches: &Caches, target: &LoadTarget) -> Vec<String> {
    let in_ns = caches.pods.in_namespace(&target.namespace).filter(|p| ns_of(p) == target.namespace && is_serving(p));
    if target.kind == "pod" {
        return in_ns.filter(|p| name_of(p) == target.name).map(|p| uid_of(p).to_string()).collect();
    }
    let informer = match target.kind.as_str() {
        "deployment" => &caches.deployments,
        "replicaset" => &caches.replicasets,
        "statefulset" => &caches.statefulsets,
        _ => &caches.daemonsets,
    };
    let Some(owner) = informer.get(&target.namespace, &target.name) else { return Vec::new() };
    let Some(selector) = LabelSelector::from_object(&owner["spec"]["selector"]) else { return Vec::new() };
    if selector.is_empty() {
        return Vec::new();
    }
    // The informer cache iterates by etcd key, so by pod name within the namespace.
    in_ns.filter(|p| selector.matches_object(p)).map(|p| uid_of(p).to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_resolve_as_kubectl_short_names_do() {
        assert_eq!(target_kind("deploy"), Some("deployment"));
        assert_eq!(target_kind("po"), Some("pod"));
        assert_eq!(target_kind("service"), None);
    }

    #[test]
    fn zero_load_removes_the_target() {
        let mut loads = Loads::default();
        let t = LoadTarget { kind: "deployment".into(), namespace: "default".into(), name: "web".into() };
        loads.set(t.clone(), Usage { cpu_milli: 500, memory_bytes: 0 }).unwrap();
        assert_eq!(loads.list().count(), 1);
        loads.set(t, Usage::default()).unwrap();
        assert_eq!(loads.list().count(), 0);
    }
}
