//! Snapshots: the whole store at one raft index, from which it can be rebuilt.
//!
//! Mirrors etcd's snapshot of the bbolt backend (`--snapshot-count`): it holds every backend
//! record still kept (history since the last compaction included) and the leases, but not the
//! key index, which restore rebuilds from the records exactly as etcd does on start. Restoring a
//! snapshot and replaying the WAL entries after it gives back an identical store.

use super::backend::Backend;
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

/// The newest snapshot as the store keeps it. Copying every record each `--snapshot-count`
/// entries would cost O(keys) per snapshot, so the copy is deferred: the backend only ever
/// appends, and until the next compaction the records with `main <= revision` are exactly the
/// snapshot's. A compaction (or a reader) materialises it first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kept {
    Deferred { index: u64, term: u64, revision: i64, compact_revision: i64, leases: BTreeMap<i64, Lease>, next_lease_id: i64 },
    Taken(Snapshot),
}

impl Kept {
    pub fn index(&self) -> u64 {
        match self {
            Kept::Deferred { index, .. } => *index,
            Kept::Taken(s) => s.index,
        }
    }

    /// The full snapshot, copying its records out of `backend` if it was deferred.
    pub fn materialize(&self, backend: &Backend) -> Snapshot {
        match self {
            Kept::Taken(s) => s.clone(),
            Kept::Deferred { index, term, revision, compact_revision, leases, next_lease_id } => Snapshot {
                index: *index,
                term: *term,
                revision: *revision,
                compact_revision: *compact_revision,
                records: backend.before(Revision::new(revision + 1, 0)).map(|(r, rec)| (*r, rec.clone())).collect(),
                leases: leases.clone(),
                next_lease_id: *next_lease_id,
            },
        }
    }
}

/// What the UI lists for each snapshot on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotMeta {
    pub index: u64,
    pub term: u64,
    pub revision: i64,
    /// bbolt keys in the file, as `snapshot status` counts them: one per record, one per lease,
    /// and etcd's own bookkeeping (see [`Snapshot::total_keys`]).
    pub total_keys: usize,
}

impl Snapshot {
    pub fn meta(&self) -> SnapshotMeta {
        SnapshotMeta { index: self.index, term: self.term, revision: self.revision, total_keys: self.total_keys() }
    }

    /// Keys across bbolt's buckets: the records, the leases, and etcd's bookkeeping: the
    /// consistent index, the cluster version, the member and the auth revision, plus the
    /// scheduled and finished compaction revisions once something was compacted.
    pub fn total_keys(&self) -> usize {
        let compaction = if self.compact_revision > 0 { 2 } else { 0 };
        self.records.len() + self.leases.len() + 4 + compaction
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
