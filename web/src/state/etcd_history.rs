//! What the etcd browser shows besides the keys at a revision: one key's revisions (its
//! generations as etcd's `keyIndex` keeps them), the writes etcd keeps in order (its backend, one
//! record per `{main, sub}` revision, which is what the WAL replays into), the compaction point,
//! the trace record at which a revision was written, so "as of revision N" moves the cursor, and
//! the watch streams open (who watches what, `cluster/watch_streams.rs`).
//!
//! Read from the store and the trace only; everything is bounded by the caller's `max`.

use super::Playground;
use kubeplay::store::{RangeRequest, Revision};
use kubeplay::trace::Event;

/// A write of a key, as its history lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRevision {
    pub revision: Revision,
    /// `create` (first write of a generation), `update`, or `delete` (its tombstone).
    pub op: &'static str,
    /// The key's version after the write (0 for a delete, as etcd reports a deleted key).
    pub version: i64,
    pub lease: i64,
    pub value_bytes: usize,
}

/// One record of etcd's backend: the store's writes in revision order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalRow {
    pub revision: Revision,
    pub key: String,
    pub op: &'static str,
    pub lease: i64,
    pub value_bytes: usize,
}

/// etcd's raft log as the WAL tab summarises it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RaftLog {
    /// Entries kept since the last snapshot.
    pub entries: usize,
    pub last_index: u64,
    pub term: u64,
    pub snapshots: usize,
}

/// The watch streams open: each process's API watches (with the last event each got at or
/// before the cursor) and the streams kube-apiserver holds on etcd.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchStreams {
    pub api: Vec<kubeplay::cluster::watch_streams::ApiWatch>,
    pub etcd: Vec<kubeplay::cluster::watch_streams::EtcdWatch>,
}

impl Playground {
    /// Who watches what, with the last event delivered at or before trace record `upto`.
    pub fn watch_streams(&self, upto: Option<u64>) -> WatchStreams {
        let cluster = self.cluster.borrow();
        WatchStreams { api: cluster.api_watches(upto), etcd: cluster.etcd_watches() }
    }

    /// The last compaction's revision, or -1 when etcd has never compacted.
    pub fn compact_revision(&self) -> i64 {
        self.cluster.borrow().store().compact_revision()
    }

    /// Every write of `key` up to `upto` (a main revision) that etcd still keeps, oldest first,
    /// the newest `max` of them.
    pub fn key_history(&self, key: &str, upto: i64, max: usize) -> Vec<KeyRevision> {
        let cluster = self.cluster.borrow();
        let store = cluster.store();
        let Some(index) = store.key_index(key.as_bytes()) else { return Vec::new() };
        let generations: Vec<_> = index.generations().collect();
        let last = generations.len().saturating_sub(1);
        let mut out = Vec::new();
        for (g, generation) in generations.into_iter().enumerate() {
            let finished = g != last;
            for (i, rev) in generation.revs.iter().enumerate().filter(|(_, r)| r.main <= upto) {
                let tombstone = finished && i + 1 == generation.revs.len();
                let found = if tombstone {
                    None
                } else {
                    let mut req = RangeRequest::key(key.as_bytes());
                    req.revision = rev.main;
                    store.range(&req).ok().and_then(|r| r.kvs.into_iter().next())
                };
                let op = if tombstone {
                    "delete"
                } else if *rev == generation.created || found.as_ref().is_some_and(|kv| kv.version == 1) {
                    "create"
                } else {
                    "update"
                };
                out.push(KeyRevision {
                    revision: *rev,
                    op,
                    version: found.as_ref().map_or(0, |kv| kv.version),
                    lease: found.as_ref().map_or(0, |kv| kv.lease),
                    value_bytes: found.as_ref().map_or(0, |kv| kv.value.len()),
                });
            }
        }
        let extra = out.len().saturating_sub(max);
        out.drain(..extra);
        out
    }

    /// The newest `max` writes etcd keeps up to main revision `upto`, newest first.
    pub fn wal_rows(&self, upto: i64, max: usize) -> Vec<WalRow> {
        let cluster = self.cluster.borrow();
        cluster
            .store()
            .history_between(i64::MIN, upto)
            .rev()
            .take(max)
            .map(|(rev, record)| WalRow {
                revision: *rev,
                key: String::from_utf8_lossy(&record.kv.key).into_owned(),
                op: if record.tombstone {
                    "delete"
                } else if record.kv.version == 1 {
                    "create"
                } else {
                    "update"
                },
                lease: record.kv.lease,
                value_bytes: record.kv.value.len(),
            })
            .collect()
    }

    /// The raft log behind the store: entries since the last snapshot, the newest index and term.
    pub fn raft_log(&self) -> RaftLog {
        let cluster = self.cluster.borrow();
        let store = cluster.store();
        let wal = store.wal();
        RaftLog {
            entries: wal.len(),
            last_index: wal.last().map_or(0, |e| e.index),
            term: wal.last().map_or(0, |e| e.term),
            snapshots: store.snapshots().len(),
        }
    }

    /// The trace record at which the store reached `revision`: the last record before the first
    /// write past it. `None` when no kept record is past it (the cursor goes live).
    pub fn seq_at_revision(&self, revision: i64) -> Option<u64> {
        let cluster = self.cluster.borrow();
        let mut first = None;
        for r in cluster.trace().records() {
            first.get_or_insert(r.seq);
            let written = match &r.event {
                Event::StoreWrite { revision, .. } | Event::Response { revision, .. } => *revision,
                _ => continue,
            };
            if written > revision {
                return Some(r.seq.saturating_sub(1).max(first.unwrap_or(r.seq)));
            }
        }
        None
    }
}
