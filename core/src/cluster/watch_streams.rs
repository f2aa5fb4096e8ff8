//! "Who is watching?": the watch streams open in the cluster, for the etcd browser's Watches tab
//! and the `watches` command.
//!
//! Two levels, as in a real cluster:
//! - API watches: every process's informers (`controllers/watch_streams.rs`) and the terminal's
//!   running `kubectl get -w`, each with the last event it was delivered, read from the trace;
//! - etcd watches: the streams kube-apiserver holds open on etcd, one per resource prefix (its
//!   watch cache, `Cacher`, which fans each event out to the API watchers), and any `etcdctl
//!   watch` the learner started.

use super::Cluster;
use crate::api::registry::served_by_default;
use crate::api::all_kinds;
use crate::cli::printers::render_table;
use crate::trace::{Event, WatchEvent};

/// The last event a stream was delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastEvent {
    pub record: u64,
    pub revision: i64,
    pub key: String,
    pub event: WatchEvent,
}

/// One API watch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiWatch {
    /// `kube-controller-manager`, `kubelet/node-1`, `kubectl (jane)`.
    pub process: String,
    pub resource: String,
    /// `None` for all namespaces.
    pub namespace: Option<String>,
    /// The field selector, empty for none.
    pub selector: String,
    /// The etcd prefix the resource lives under (`/registry/minions` for nodes).
    pub prefix: String,
    pub last: Option<LastEvent>,
}

/// One stream open on etcd.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EtcdWatch {
    pub id: i64,
    pub key: String,
    /// Empty for a single key.
    pub range_end: String,
    /// The next revision the stream has not delivered yet.
    pub next_revision: i64,
    /// `etcdctl` for the terminal's `etcdctl watch`, else `kube-apiserver` (its watch cache).
    pub holder: &'static str,
}

fn prefix_of(resource: &str) -> String {
    all_kinds()
        .iter()
        .find(|k| k.resource == resource && served_by_default(k))
        .map_or_else(|| format!("/registry/{resource}"), |k| k.etcd_prefix())
}

impl Cluster {
    /// The API watches open now, each with the last event delivered to it at or before trace
    /// record `upto` (the whole trace for `None`).
    pub fn api_watches(&self, upto: Option<u64>) -> Vec<ApiWatch> {
        let mut out: Vec<ApiWatch> = Vec::new();
        if let Some(cp) = &self.control_plane {
            for s in cp.watch_streams() {
                let prefix = prefix_of(&s.resource);
                out.push(ApiWatch { process: s.process, resource: s.resource, namespace: None, selector: s.selector.to_string(), prefix, last: None });
            }
        }
        for id in &self.open_watches {
            if let Some(super::Running::Watch(w)) = self.running.get(id) {
                let (user, kind, ns, selector) = w.stream();
                out.push(ApiWatch {
                    process: format!("kubectl ({user})"),
                    resource: kind.resource.to_string(),
                    namespace: ns.map(str::to_string),
                    selector: selector.to_string(),
                    prefix: kind.etcd_prefix(),
                    last: None,
                });
            }
        }
        self.fill_last_events(&mut out, upto);
        out
    }

    /// One pass over the trace, newest first, until every stream has its last event.
    fn fill_last_events(&self, watches: &mut [ApiWatch], upto: Option<u64>) {
        let mut missing = watches.iter().filter(|w| !w.process.starts_with("kubectl")).count();
        for r in self.trace.records().rev() {
            if missing == 0 {
                break;
            }
            if upto.is_some_and(|u| r.seq > u) {
                continue;
            }
            let Event::Watch { revision, key, event, watchers, .. } = &r.event else { continue };
            for w in watches.iter_mut().filter(|w| w.last.is_none() && watchers.contains(&w.process)) {
                if key.strip_prefix(w.prefix.as_str()).is_some_and(|rest| rest.starts_with('/')) {
                    w.last = Some(LastEvent { record: r.seq, revision: *revision, key: key.clone(), event: *event });
                    missing -= 1;
                }
            }
        }
    }

    /// The streams open on etcd now, by watch ID.
    pub fn etcd_watches(&self) -> Vec<EtcdWatch> {
        let etcdctl: Vec<i64> = self.etcdctl.watch_ids().collect();
        self.store
            .watchers()
            .filter(|(_, w)| !w.canceled)
            .map(|(id, w)| {
                let key = String::from_utf8_lossy(&w.key).into_owned();
                EtcdWatch {
                    id,
                    range_end: String::from_utf8_lossy(&w.range_end).into_owned(),
                    key,
                    next_revision: w.min_rev,
                    holder: if etcdctl.contains(&id) { "etcdctl" } else { "kube-apiserver" },
                }
            })
            .collect()
    }

    /// The `watches` command: both tables.
    pub(super) fn watches_table(&self) -> String {
        let or_none = |s: &str| if s.is_empty() { "<none>".to_string() } else { s.to_string() };
        let mut rows = vec![["PROCESS", "RESOURCE", "NAMESPACE", "SELECTOR", "LAST EVENT"].map(String::from).to_vec()];
        for w in self.api_watches(None) {
            let last = w.last.map_or("<none>".to_string(), |l| format!("{} {} (revision {})", l.event.name(), l.key, l.revision));
            rows.push(vec![w.process, w.resource, w.namespace.unwrap_or_else(|| "<all>".into()), or_none(&w.selector), last]);
        }
        let mut out = render_table(&rows);
        out.push('\n');
        let mut rows = vec![["ETCD WATCH", "KEY", "RANGE END", "NEXT REVISION", "HELD BY"].map(String::from).to_vec()];
        for w in self.etcd_watches() {
            rows.push(vec![w.id.to_string(), w.key, or_none(&w.range_end), w.next_revision.to_string(), w.holder.to_string()]);
        }
        out.push_str(&render_table(&rows));
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::cluster::{Cluster, Config};

    #[test]
    fn every_process_watches_and_kube_apiserver_holds_one_etcd_stream_per_resource() {
        let c = Cluster::new(Config::default());
        let api = c.api_watches(None);
        let kubelet = api.iter().find(|w| w.process == "kubelet/node-1" && w.resource == "pods");
        assert_eq!(kubelet.map(|w| w.selector.as_str()), Some("spec.nodeName=node-1"));
        let node = api.iter().find(|w| w.process == "kubelet/node-1" && w.resource == "nodes");
        let last = node.and_then(|w| w.last.as_ref()).map(|l| l.key.as_str());
        assert_eq!(last, Some("/registry/minions/node-1"), "the kubelet saw its own Node's last change");
        let etcd = c.etcd_watches();
        assert!(etcd.iter().any(|w| w.key == "/registry/minions/" && w.holder == "kube-apiserver"));
        assert!(etcd.iter().all(|w| w.holder == "kube-apiserver"), "no etcdctl watch was started");
        let table = c.watches_table();
        let scheduler_pods = table.lines().any(|l| l.split_whitespace().take(2).eq(["kube-scheduler", "pods"]));
        assert!(scheduler_pods, "{table}");
    }
}
