//! Watch deliveries: a store write's event reaching the clients whose watches match it.
//!
//! Mirrors kube-apiserver's watch cache (`staging/src/k8s.io/apiserver/pkg/storage/cacher`),
//! which turns each etcd event into an `ADDED`, `MODIFIED` or `DELETED` watch event and
//! dispatches it to every watcher whose resource, namespace and selectors match. A control-plane
//! process keeps one watch per resource for all its controllers (client-go's shared informer
//! factory), so the record names processes, not controllers: one record per store write, however
//! many watchers it reached, so fan-out does not multiply the trace.
//!
//! ```text
//! #2000  0.010s kube-apiserver watch MODIFIED /registry/pods/dev/web revision 183 (write #1951) -> kube-controller-manager, kube-scheduler, kubelet/node-2
//! ```

use super::{Event, Record, Trace};
use serde::Serialize;
use std::fmt;

/// The type of a watch event, as `metav1.WatchEvent` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum WatchEvent {
    Added,
    Modified,
    Deleted,
}

impl WatchEvent {
    pub fn name(self) -> &'static str {
        match self {
            WatchEvent::Added => "ADDED",
            WatchEvent::Modified => "MODIFIED",
            WatchEvent::Deleted => "DELETED",
        }
    }

    /// The watch event type an API client sees for `metav1.WatchEvent`'s `type` string.
    pub fn parse(s: &str) -> Option<WatchEvent> {
        match s {
            "ADDED" => Some(WatchEvent::Added),
            "MODIFIED" => Some(WatchEvent::Modified),
            "DELETED" => Some(WatchEvent::Deleted),
            _ => None,
        }
    }
}

/// At most this many watchers are named in one record; more are counted (a Service write reaches
/// every node's kube-proxy).
pub const MAX_NAMED_WATCHERS: usize = 16;

pub(super) fn render(f: &mut fmt::Formatter<'_>, revision: i64, key: &str, event: WatchEvent, write: Option<u64>, watchers: &[String]) -> fmt::Result {
    write!(f, "watch {} {key} revision {revision}", event.name())?;
    if let Some(w) = write {
        write!(f, " (write #{w})")?;
    }
    f.write_str(" ->")?;
    for (i, w) in watchers.iter().enumerate() {
        f.write_str(if i == 0 { " " } else { ", " })?;
        f.write_str(w)?;
    }
    Ok(())
}

impl Trace {
    /// Records that the write at `revision` (of `key`) was delivered to `watchers`. `indexed`
    /// deliveries are the control plane's informers, which reconciles point back to; a kubectl
    /// or etcdctl watch's delivery is recorded but not indexed. Returns the record's number.
    pub fn push_delivery(&mut self, at: crate::sim::Time, revision: i64, key: &str, event: WatchEvent, mut watchers: Vec<String>, indexed: bool) -> u64 {
        let write = self.write_at(revision);
        if watchers.len() > MAX_NAMED_WATCHERS {
            let more = watchers.len() - MAX_NAMED_WATCHERS + 1;
            watchers.truncate(MAX_NAMED_WATCHERS - 1);
            watchers.push(format!("{more} more"));
        }
        let event = Event::Watch { revision, key: key.to_string(), event, write, watchers };
        let seq = self.push(at, super::Actor::ApiServer, event);
        if indexed {
            self.deliveries.entry(revision).or_insert(seq);
        }
        seq
    }

    /// The informers' delivery record of the write at `revision`, while it is kept.
    pub fn delivery_at(&self, revision: i64) -> Option<u64> {
        self.deliveries.get(&revision).copied()
    }

    /// Forgets the indexes that point at a record dropped from the front.
    pub(super) fn forget(&mut self, dropped: &Record) {
        let (index, revision) = match &dropped.event {
            Event::StoreWrite { revision, .. } => (&mut self.writes, revision),
            Event::Watch { revision, .. } => (&mut self.deliveries, revision),
            _ => return,
        };
        if index.get(revision) == Some(&dropped.seq) {
            index.remove(revision);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Time;
    use crate::trace::{Actor, WriteOp};

    #[test]
    fn a_delivery_names_its_write_and_its_watchers_on_one_line() {
        let mut t = Trace::with_capacity(10);
        t.push(Time(0), Actor::Etcd, Event::StoreWrite { request: 1, key: "/registry/pods/default/a".into(), revision: 5, op: WriteOp::Create });
        let seq = t.push_delivery(Time(0), 5, "/registry/pods/default/a", WatchEvent::Added, vec!["kube-controller-manager".into(), "kube-scheduler".into()], true);
        assert_eq!(t.delivery_at(5), Some(seq));
        let line = t.render();
        assert!(line.contains("watch ADDED /registry/pods/default/a revision 5 (write #0) -> kube-controller-manager, kube-scheduler"), "{line}");
    }

    #[test]
    fn many_watchers_are_counted_past_the_bound() {
        let mut t = Trace::with_capacity(10);
        let watchers: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        t.push_delivery(Time(0), 1, "/registry/services/default/s", WatchEvent::Modified, watchers, false);
        let Some(Record { event: Event::Watch { watchers, .. }, .. }) = t.records().next() else { panic!("no record") };
        assert_eq!(watchers.len(), MAX_NAMED_WATCHERS);
        assert_eq!(watchers.last().map(String::as_str), Some("25 more"));
        assert_eq!(t.delivery_at(1), None, "unindexed");
    }

    #[test]
    fn an_etcdctl_watch_receiving_a_put_is_a_delivery() {
        let mut cluster = crate::Cluster::etcd_only(crate::Config::default());
        let files = crate::cli::MemoryFiles::new();
        cluster.execute("etcdctl watch --prefix /a", &files);
        let out = cluster.execute("etcdctl put /a/b 1", &files);
        assert!(out.stdout.contains("/a/b"), "the watch printed the put: {}", out.stdout);
        let line = cluster.trace().render();
        assert!(line.contains("watch ADDED /a/b revision 2 -> etcdctl watch 0"), "{line}");
    }

    #[test]
    fn indexes_forget_dropped_records() {
        let mut t = Trace::with_capacity(2);
        t.push(Time(0), Actor::Etcd, Event::StoreWrite { request: 1, key: "k".into(), revision: 2, op: WriteOp::Create });
        t.push_delivery(Time(0), 2, "k", WatchEvent::Added, vec!["x".into()], true);
        t.push(Time(0), Actor::ApiServer, Event::Bound { what: "a".into() });
        assert_eq!(t.write_at(2), None);
        t.push(Time(0), Actor::ApiServer, Event::Bound { what: "b".into() });
        assert_eq!(t.delivery_at(2), None);
    }
}
