//! The write-ahead log as the UI shows it: one entry per request raft committed.
//!
//! Mirrors etcd's `wal` package and raft log. Every request that changes state (put, delete,
//! txn, compaction, lease grant and revoke, including failed ones such as a txn whose guard did
//! not hold, because raft commits before apply decides) becomes one entry with its raft `index`
//! and `term`. Reads, keep-alives and requests rejected before raft (too large, too many txn ops,
//! empty key) do not. A fresh single-member cluster has already written four entries: its
//! membership, the new leader's empty entry, its published member attributes and the cluster
//! version; so the first write is index 5, exactly as on a real etcd.

use super::rpc::{CompactionRequest, DeleteRangeRequest, PutRequest, TxnRequest};
use serde::Serialize;

/// The raft term of a fresh single-member cluster: it starts as a follower in term 1 and
/// elects itself in term 2.
pub const BOOT_TERM: u64 = 2;

/// What one log entry carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum WalRequest {
    /// One of the four entries every new cluster starts with; the text says which.
    Bootstrap(String),
    Put(PutRequest),
    DeleteRange(DeleteRangeRequest),
    Txn(TxnRequest),
    Compaction(CompactionRequest),
    /// `now_ms` is when it was granted, so a replay computes the same expiry.
    LeaseGrant { id: i64, ttl: i64, now_ms: u64 },
    LeaseRevoke { id: i64 },
    /// The NOSPACE alarm raised (quota reached) or disarmed.
    Alarm { activate: bool },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WalEntry {
    pub index: u64,
    pub term: u64,
    pub request: WalRequest,
}

/// The log since the last snapshot, plus the index of the newest entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wal {
    pub(crate) entries: Vec<WalEntry>,
    pub(crate) last_index: u64,
    pub(crate) term: u64,
}

impl Default for Wal {
    fn default() -> Self {
        let boot = [
            (1, "conf change: add member"),
            (BOOT_TERM, "leader elected: empty entry"),
            (BOOT_TERM, "publish member attributes"),
            (BOOT_TERM, "set cluster version 3.4"),
        ];
        let entries: Vec<WalEntry> = boot
            .iter()
            .enumerate()
            .map(|(i, (term, what))| WalEntry {
                index: i as u64 + 1,
                term: *term,
                request: WalRequest::Bootstrap((*what).to_string()),
            })
            .collect();
        Wal { last_index: entries.len() as u64, entries, term: BOOT_TERM }
    }
}

impl Wal {
    /// Appends a committed request and returns its index.
    pub fn append(&mut self, request: WalRequest) -> u64 {
        self.last_index += 1;
        self.entries.push(WalEntry { index: self.last_index, term: self.term, request });
        self.last_index
    }

    /// Forgets entries a snapshot at `index` covers, as etcd's raft log compaction does.
    pub fn truncate_through(&mut self, index: u64) {
        self.entries.retain(|e| e.index > index);
    }

    pub fn entries(&self) -> &[WalEntry] {
        &self.entries
    }

    pub fn last_index(&self) -> u64 {
        self.last_index
    }

    pub fn term(&self) -> u64 {
        self.term
    }
}
