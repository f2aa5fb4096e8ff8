//! Steps the kube-proxies (`crate::proxy`): one per machine, whether or not its kubelet runs (the
//! kube-proxy container keeps running when kubelet stops), each synced from the Services and
//! EndpointSlices the informers hold.

use super::kubelet::Kubelet;
use super::Caches;
use crate::apiserver::Context;
use crate::proxy::{fingerprint, KubeProxy};
use serde_json::Value;

pub fn sync(proxies: &mut Vec<KubeProxy>, kubelets: &[Kubelet], ctx: &mut Context, caches: &Caches) {
    proxies.retain(|p| kubelets.iter().any(|k| k.name() == p.node));
    for k in kubelets {
        if !proxies.iter().any(|p| p.node == k.name()) {
            proxies.push(KubeProxy::new(k.name()));
        }
    }
    let services: Vec<&Value> = caches.services.values().collect();
    let slices: Vec<&Value> = caches.endpointslices.values().collect();
    let seen = fingerprint(services.iter().copied(), slices.iter().copied());
    for p in proxies.iter_mut() {
        p.sync(ctx, &services, &slices, &seen);
    }
}
