//! The etcd v3 store the simulated kube-apiserver writes to, and `kubeplay --etcd-only` serves.
//!
//! It behaves like a single-member etcd 3.4: one cluster-wide revision (a fresh store is at 1,
//! every write request adds exactly one), per-key `create_revision`, `mod_revision`, `version` and
//! `lease`, reads at any revision not compacted, txns, leases expiring in virtual time, watches
//! replaying history, a WAL with snapshots, and etcd's exact error texts. The conformance suite
//! (`core/tests/etcd_conformance.rs`) runs the same `etcdctl` scripts here and on a real etcd.
//!
//! Codemap, one concept per file as in etcd's `server/storage/mvcc`:
//! - [`revision`]: `{main, sub}` positions in history.
//! - [`key_index`]: one key's generations and tombstones, with a worked example.
//! - [`kvstore`]: the index over the backend of records; range, put, delete, compact.
//! - [`backend`]: the records by revision, appended in order and found by a probing search.
//! - [`txn`]: compares and ops inside one revision, and request validation.
//! - [`watch`]: synced and unsynced watcher groups.
//! - [`lease`]: TTLs in virtual time and their attached keys.
//! - [`wal`], [`snapshot`]: the disk as the UI shows it; [`server`]: this facade's write path.
//! - [`rpc`]: request and response types; [`errors`]: etcd's error texts.
//!
//! The store never reads a clock: time arrives as `now_ms` through [`Store::advance_to`].

pub mod backend;
pub mod errors;
pub mod key_index;
pub mod kvstore;
pub mod lease;
pub mod revision;
pub mod rpc;
mod server;
pub mod snapshot;
pub mod txn;
pub mod wal;
pub mod watch;

pub use errors::StoreError;
pub use revision::Revision;
pub use rpc::*;
pub use snapshot::{Snapshot, SnapshotMeta};
pub use wal::{WalEntry, WalRequest};

use kvstore::KvStore;
use lease::Lessor;
use std::collections::BTreeMap;
use wal::Wal;
use watch::WatchHub;

/// etcd's request size limit (`--max-request-bytes` default, 1.5 MiB).
pub const MAX_REQUEST_BYTES: usize = 1_572_864;

/// etcd's default backend quota (`--quota-backend-bytes`), 2 GiB in etcd; the simulation uses
/// 256 MiB so a learner can reach it.
pub const DEFAULT_QUOTA_BYTES: i64 = 256 * 1024 * 1024;

/// The etcd release whose behaviour and output this store reproduces.
pub const ETCD_VERSION: &str = "3.4.23";

/// Knobs a real etcd takes as flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreConfig {
    /// `--snapshot-count`: WAL entries between snapshots.
    pub snapshot_count: u64,
    /// `--quota-backend-bytes`.
    pub quota_bytes: i64,
    /// `--max-request-bytes`.
    pub max_request_bytes: usize,
    pub cluster_id: u64,
    pub member_id: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            snapshot_count: snapshot::DEFAULT_SNAPSHOT_COUNT,
            quota_bytes: DEFAULT_QUOTA_BYTES,
            max_request_bytes: MAX_REQUEST_BYTES,
            // The IDs a real single-member cluster named `default` on 127.0.0.1:2380 gets.
            cluster_id: 0xcdf8_18194e3a8c32,
            member_id: 0x8e9e_05c52164694d,
        }
    }
}

/// The store: key-value history, leases, watchers and the disk.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) config: StoreConfig,
    pub(crate) kv: KvStore,
    pub(crate) lessor: Lessor,
    pub(crate) watches: WatchHub,
    pub(crate) wal: Wal,
    /// The newest snapshot, which restore starts from, and what is listed on disk.
    pub(crate) last_snapshot: Option<snapshot::Kept>,
    pub(crate) snapshots: Vec<SnapshotMeta>,
    /// Files written by `etcdctl snapshot save`, by path.
    pub(crate) saved: BTreeMap<String, Snapshot>,
    pub(crate) now_ms: u64,
    /// bbolt never shrinks its file without a defrag; this is its largest size so far.
    pub(crate) db_size_high: i64,
    /// The NOSPACE alarm: raised when a write would pass the quota, cleared by `alarm disarm`.
    pub(crate) nospace: bool,
}

impl Default for Store {
    fn default() -> Self {
        Self::with_config(StoreConfig::default())
    }
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_config(config: StoreConfig) -> Self {
        Store {
            config,
            kv: KvStore::default(),
            lessor: Lessor::default(),
            watches: WatchHub::default(),
            wal: Wal::default(),
            last_snapshot: None,
            snapshots: Vec::new(),
            saved: BTreeMap::new(),
            now_ms: 0,
            db_size_high: 0,
            nospace: false,
        }
    }

    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// The current revision of the whole keyspace.
    pub fn revision(&self) -> i64 {
        self.kv.current_rev
    }

    /// The revision of the last compaction, or -1 if there was none (etcd's `compactMainRev`).
    pub fn compact_revision(&self) -> i64 {
        self.kv.compact_rev
    }

    /// The virtual time the store last heard of.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// The header of a top-level response.
    pub fn header(&self) -> ResponseHeader {
        ResponseHeader {
            cluster_id: self.config.cluster_id,
            member_id: self.config.member_id,
            revision: self.kv.current_rev,
            raft_term: self.wal.term(),
        }
    }

    /// One key's history, for the etcd browser.
    pub fn key_index(&self, key: &[u8]) -> Option<&key_index::KeyIndex> {
        self.kv.index.get(key)
    }

    /// Every backend record still kept, oldest revision first, for the etcd browser.
    pub fn history(&self) -> impl Iterator<Item = (&Revision, &kvstore::Record)> {
        self.kv.backend.iter()
    }

    /// The backend records whose main revision is after `after` and at most `upto`, oldest
    /// first: found by two searches, not a walk from the oldest record.
    pub fn history_between(&self, after: i64, upto: i64) -> impl DoubleEndedIterator<Item = (&Revision, &kvstore::Record)> {
        self.kv.backend.between(Revision::new(after.saturating_add(1), 0), Revision::new(upto.saturating_add(1), 0))
    }

    pub fn wal(&self) -> &[WalEntry] {
        self.wal.entries()
    }

    pub fn snapshots(&self) -> &[SnapshotMeta] {
        &self.snapshots
    }

    /// The newest snapshot taken every `--snapshot-count` entries, which restore starts from.
    pub fn latest_snapshot(&self) -> Option<Snapshot> {
        self.last_snapshot.as_ref().map(|k| k.materialize(&self.kv.backend))
    }

    /// A snapshot saved by `etcdctl snapshot save <path>`.
    pub fn saved_snapshot(&self, path: &str) -> Option<&Snapshot> {
        self.saved.get(path)
    }

    pub fn lease(&self, id: i64) -> Option<&lease::Lease> {
        self.lessor.get(id)
    }

    pub fn watcher(&self, id: i64) -> Option<&watch::Watcher> {
        self.watches.get(id)
    }

    /// Every open watch stream by ID, in ID order.
    pub fn watchers(&self) -> impl Iterator<Item = (i64, &watch::Watcher)> {
        self.watches.watchers.iter().map(|(id, w)| (*id, w))
    }

    /// `Range`.
    /// How many keys under `prefix` are live now and the highest revision that wrote one of
    /// them: within this store's history the pair changes whenever the keys under the prefix do
    /// (a put raises the highest revision; without one, keys only go, which the count shows).
    pub fn fingerprint(&self, prefix: &[u8]) -> (i64, i64) {
        self.kv.fingerprint(prefix)
    }

    /// The revision of the last write under `prefix` (see [`KvStore::last_change`]): unchanged
    /// exactly while no key under it was put or deleted. `None` for a prefix above the
    /// `/registry/<resource>/` level.
    pub fn last_change(&self, prefix: &[u8]) -> Option<i64> {
        self.kv.last_change(prefix)
    }

    /// The key's current record, read in place: what a `Range` of that one key at the current
    /// revision returns, without copying the value out (the API server's reads parse it).
    pub fn get_current(&self, key: &[u8]) -> Option<&KeyValue> {
        self.kv.get_at(key, self.kv.current_rev)
    }

    /// The current records of the keys under `prefix`, in key order, read in place: what a
    /// prefix `Range` at the current revision returns, without copying.
    pub fn prefix_current(&self, prefix: &[u8]) -> Vec<&KeyValue> {
        self.kv.prefix_at(prefix, self.kv.current_rev)
    }

    pub fn range(&self, req: &RangeRequest) -> Result<RangeResponse, StoreError> {
        if req.key.is_empty() {
            return Err(StoreError::EmptyKey);
        }
        let mut resp = txn::range(&self.kv, req, self.kv.current_rev)?;
        resp.header = self.header();
        Ok(resp)
    }

    /// `Status`, what `etcdctl endpoint status` shows.
    pub fn status(&self) -> StatusResponse {
        StatusResponse {
            header: self.header(),
            version: ETCD_VERSION.to_string(),
            db_size: self.db_size(),
            leader: self.config.member_id,
            raft_index: self.wal.last_index(),
            raft_term: self.wal.term(),
            raft_applied_index: self.wal.last_index(),
            db_size_in_use: self.db_size_in_use(),
            is_learner: false,
            errors: self.alarms(),
        }
    }

    /// Raised alarms as etcd prints an `AlarmMember` (`memberID:<id> alarm:NOSPACE `).
    pub fn alarms(&self) -> Vec<String> {
        if self.nospace {
            vec![format!("memberID:{} alarm:NOSPACE ", self.config.member_id)]
        } else {
            Vec::new()
        }
    }

    /// Bytes bbolt would use: 4 pages of metadata, freelist and bucket roots, then one page per
    /// 4 KiB of records and leases. An estimate of bbolt's layout, exact for small stores.
    pub fn db_size_in_use(&self) -> i64 {
        let bytes = self.kv.backend_bytes + 64 * self.lessor.leases.len() as i64;
        16_384 + 4_096 * (bytes / 4_096)
    }

    /// The database file size: in use plus one free page, never shrinking (no defrag here).
    pub fn db_size(&self) -> i64 {
        self.db_size_high.max(self.db_size_in_use() + 4_096)
    }
}
