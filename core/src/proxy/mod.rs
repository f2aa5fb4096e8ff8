//! kube-proxy, one per node, in iptables mode (`pkg/proxy/iptables`). It runs as the
//! `kube-system/kube-proxy` service account (bound to `system:node-proxier` by kubeadm's
//! `kubeadm:node-proxier` binding), watches Services and EndpointSlices, and on every change
//! rewrites the node's nat table with `iptables-restore`: the sync is a trace record, the table is
//! what `iptables-save NODE` prints and what `connect` walks.
//!
//! - `hash.rs`: SHA-256 and base32 for the `KUBE-SVC-`/`KUBE-SEP-`/`KUBE-EXT-` chain names;
//! - `rules.rs`: the rules `syncProxyRules` writes, and their `iptables-save` rendering;
//! - `route.rs`: a connection followed through those rules to one backend.
//!
//! kube-proxy writes nothing through the API, so its informers here are the control plane's
//! shared caches (it reads the same watch events a separate LIST/WATCH would deliver).

pub mod hash;
pub mod route;
pub mod rules;

use crate::apiserver::Context;
use crate::trace::{Actor, Event};
use rules::{nat_table, service_ports, NatTable};
use serde_json::Value;

/// One node's kube-proxy: the nat table it last wrote.
#[derive(Debug, Clone, Default)]
pub struct KubeProxy {
    pub node: String,
    pub table: NatTable,
    /// The Services' and EndpointSlices' resource versions the table was computed from.
    seen: String,
}

/// What kube-proxy's informers hold, reduced to what decides the rules.
pub fn fingerprint<'a>(services: impl Iterator<Item = &'a Value>, slices: impl Iterator<Item = &'a Value>) -> String {
    let mut s = String::new();
    for o in services.chain(slices) {
        s.push_str(o["metadata"]["uid"].as_str().unwrap_or(""));
        s.push('@');
        s.push_str(o["metadata"]["resourceVersion"].as_str().unwrap_or(""));
        s.push(',');
    }
    s
}

impl KubeProxy {
    pub fn new(node: &str) -> Self {
        KubeProxy { node: node.to_string(), ..Default::default() }
    }

    /// Whether the table was computed from what the informers hold now (`seen`, a
    /// [`fingerprint`]).
    pub fn is_current(&self, seen: &str) -> bool {
        self.seen == seen
    }

    /// `syncProxyRules` after the Services or EndpointSlices changed: `table` is what they give
    /// (the same for every node, so the caller computes it once); it is written, and traced,
    /// only when it differs from the node's.
    pub fn install(&mut self, ctx: &mut Context, seen: &str, table: &NatTable) {
        self.seen = seen.to_string();
        if *table == self.table {
            return;
        }
        let chains = table.chains().len();
        let detail = format!("kube-proxy: iptables-restore nat table, {} rules in {chains} chains", table.rules.len());
        self.table = table.clone();
        ctx.trace.push(ctx.now, Actor::User("kube-proxy".into()), Event::Node { node: self.node.clone(), detail });
    }
}

/// The nat table the Services and EndpointSlices give.
pub fn table_for(services: &[&Value], slices: &[&Value]) -> NatTable {
    nat_table(&service_ports(services.iter().copied(), slices))
}
