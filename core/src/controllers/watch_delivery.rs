//! Who a store write's watch event reaches, recorded when the components' informers sync.
//!
//! Each control-plane process keeps one watch per resource it needs (`watch_streams.rs` lists
//! them). In the simulation all of them read the same caches, so one delivery record per write
//! names every process whose watch matched it.
//!
//! The same pass queues work: an event queues the object's own key and its owners' keys, as
//! controllers' event handlers do (the replicaset controller enqueues a pod's owning
//! ReplicaSet). A reconcile of a queued key names the delivery as its trigger.

use super::informer::{Delivered, Informer};
use crate::apiserver::Context;
use std::collections::BTreeMap;

pub use super::watch_streams::Machine;

/// The processes whose watches match this event.
fn watchers(d: &Delivered, machines: &[Machine], by_name: &[usize]) -> Vec<String> {
    let resource = d.queues.first().map_or("", |(r, _)| r.as_str());
    let name = d.queues.first().map_or("", |(_, k)| k.as_str());
    super::watch_streams::reached(resource, name, d.node.as_deref(), machines, by_name)
}

/// Queues the Services that select each delivered pod, as the endpoint and EndpointSlice
/// controllers' pod handlers do (`getPodServiceMemberships`).
pub fn queue_services(delivered: &mut [Delivered], services: &Informer) {
    for d in delivered.iter_mut() {
        let Some(ns) = d.queues.first().filter(|(r, _)| r == "pods").and_then(|(_, k)| k.split_once('/')).map(|(ns, _)| ns.to_string()) else {
            continue;
        };
        for svc in services.values().filter(|s| s["metadata"]["namespace"].as_str() == Some(ns.as_str())) {
            let Some(selector) = svc["spec"]["selector"].as_object().filter(|s| !s.is_empty()) else { continue };
            if selector.iter().all(|(k, v)| v.as_str().is_some_and(|v| d.labels.get(k).is_some_and(|l| l == v))) {
                let q = ("services".to_string(), format!("{ns}/{}", svc["metadata"]["name"].as_str().unwrap_or("")));
                if !d.queues.contains(&q) {
                    d.queues.push(q);
                }
            }
        }
    }
}

/// Records one delivery per write the informers applied, in revision order, and returns the
/// keys they queued: (resource, `namespace/name`) -> (delivery record, revision), the latest
/// delivery winning. `by_name` is the machines' `watch_streams::name_order`.
pub fn deliver(ctx: &mut Context, mut delivered: Vec<Delivered>, machines: &[Machine], by_name: &[usize]) -> BTreeMap<(String, String), (u64, i64)> {
    delivered.sort_by(|a, b| (a.revision, &a.key).cmp(&(b.revision, &b.key)));
    let mut queued = BTreeMap::new();
    for d in delivered {
        let watchers = watchers(&d, machines, by_name);
        let seq = ctx.trace.push_delivery(ctx.now, d.revision, &d.key, d.event, watchers, true);
        for q in d.queues {
            queued.insert(q, (seq, d.revision));
        }
    }
    queued
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::WatchEvent;

    fn pod(node: Option<&str>) -> Delivered {
        Delivered {
            revision: 9,
            key: "/registry/pods/default/web-1".into(),
            event: WatchEvent::Modified,
            queues: vec![("pods".into(), "default/web-1".into()), ("replicasets".into(), "default/web".into())],
            node: node.map(str::to_string),
            labels: Default::default(),
        }
    }

    #[test]
    fn a_bound_pod_reaches_its_nodes_kubelet_only_while_it_runs() {
        let machines = [Machine { name: "node-1", kubelet_running: true }, Machine { name: "node-2", kubelet_running: false }];
        let by_name = [0, 1];
        assert_eq!(watchers(&pod(None), &machines, &by_name), ["kube-controller-manager", "kube-scheduler"]);
        assert_eq!(watchers(&pod(Some("node-1")), &machines, &by_name), ["kube-controller-manager", "kube-scheduler", "kubelet/node-1"]);
        assert_eq!(watchers(&pod(Some("node-2")), &machines, &by_name), ["kube-controller-manager", "kube-scheduler"]);
    }

    #[test]
    fn a_pod_queues_the_services_that_select_it() {
        let Some(kind) = crate::api::lookup("v1", "Service") else { panic!("Service is served") };
        let mut services = Informer::new(kind);
        for (name, app) in [("web", "web"), ("other", "other")] {
            let svc = serde_json::json!({"metadata": {"name": name, "namespace": "default"}, "spec": {"selector": {"app": app}}});
            services.cache.insert(kind.etcd_key("default", name), svc);
        }
        let mut d = vec![Delivered { labels: [("app".to_string(), "web".to_string())].into(), ..pod(None) }];
        queue_services(&mut d, &services);
        assert_eq!(d[0].queues.last(), Some(&("services".to_string(), "default/web".to_string())));
        assert_eq!(d[0].queues.len(), 3, "{:?}", d[0].queues);
    }

    #[test]
    fn a_service_reaches_every_machines_kube_proxy() {
        let machines = [Machine { name: "node-1", kubelet_running: true }, Machine { name: "node-2", kubelet_running: false }];
        let d = Delivered { queues: vec![("services".into(), "default/web".into())], node: None, ..pod(None) };
        assert_eq!(watchers(&d, &machines, &[0, 1]), ["kube-controller-manager", "kube-proxy/node-1", "kube-proxy/node-2"]);
    }
}
