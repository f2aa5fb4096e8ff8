//! Snapshots: the whole store at one raft index, from which it can be rebuilt.
//!
//! Mirrors etcd's snapshot of the bbolt backend (`--snapshot-count`): it holds every backend
//! record still kept (history since the last compaction included) and the leases, but not the
//! key index, which restore rebuilds from the records exactly as etcd does on start. Restoring a
//! snapshot and replaying the WAL entries after it gives back an identical store.

use super::kvstore::Record;
use super::lease::Lease;
use super::revision::Revision;
use std::collections::BTreeMap;

/// etcd 3.4's default is 100,000; ours is small so a learner sees snapshots being taken.
pub const DEFAULT_SNAPSHOT_COUNT: u64 = 100;

/// The most recent snapshots kept (etcd's `--max-snapshots` default is 5).
pub const MAX_SNAPSHOTS: usize = 5;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The raft index and term of the last entry the snapshot covers.
    pub index: u64,
    pub term: u64,
    pub revision: i64,
    pub compact_revision: i64,
    pub records: BTreeMap<Revision, Record>,
    pub leases: BTreeMap<i64, Lease>,
    pub next_lease_id: i64,
}

/// What the UI lists for each snapshot on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotMeta {
    pub index: u64,
    pub term: u64,
    pub revision: i64,
    /// Records it holds (etcd's `snapshot status` "total keys" counts bbolt keys likewise).
    pub total_keys: usize,
}

impl Snapshot {
    pub fn meta(&self) -> SnapshotMeta {
        SnapshotMeta { index: self.index, term: self.term, revision: self.revision, total_keys: self.records.len() }
    }

    /// A 32-bit FNV-1a hash of the records, shown as `snapshot status`'s HASH. etcd hashes the
    /// bbolt file instead, so the figure is ours alone.
    pub fn hash(&self) -> u32 {
        let mut h: u32 = 0x811c_9dc5;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                h ^= u32::from(*b);
                h = h.wrapping_mul(0x0100_0193);
            }
        };
        for (rev, rec) in &self.records {
            eat(&rev.main.to_be_bytes());
            eat(&rev.sub.to_be_bytes());
            eat(&rec.kv.key);
            eat(&rec.kv.value);
        }
        h
    }
}
