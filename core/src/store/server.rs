//! The store's write path, as etcd's server runs it: validate, check quota, commit to the WAL
//! (raft), apply, then notify watchers and maybe snapshot.
//!
//! Mirrors `etcdserver/v3_server.go` (validation and quota before raft) and `apply.go` (the
//! applier). Apply is deterministic, so replaying WAL entries over a snapshot rebuilds the same
//! store: [`Store::restore`] uses the very same `apply` as live requests.

use super::errors::StoreError;
use super::kvstore::KvStore;
use super::lease::Lessor;
use super::rpc::*;
use super::snapshot::{Kept, Snapshot, MAX_SNAPSHOTS};
use super::txn::{self, WriteTxn};
use super::wal::{Wal, WalEntry, WalRequest};
use super::watch::WatchHub;
use super::{Store, StoreConfig};
use std::collections::BTreeMap;

/// What one applied WAL entry answered.
enum Applied {
    Put(PutResponse),
    Delete(DeleteRangeResponse),
    Txn(TxnResponse),
    Done,
}

/// An approximation of a request's encoded size, for `--max-request-bytes` and the quota.
fn put_size(p: &PutRequest) -> usize {
    p.key.len() + p.value.len() + 16
}

fn txn_size(t: &TxnRequest) -> usize {
    let op = |o: &RequestOp| match o {
        RequestOp::Put(p) => put_size(p),
        RequestOp::Range(r) => r.key.len() + r.range_end.len() + 8,
        RequestOp::DeleteRange(d) => d.key.len() + d.range_end.len() + 8,
    };
    let cmp: usize = t.compare.iter().map(|c| c.key.len() + c.range_end.len() + 16).sum();
    cmp + t.success.iter().chain(&t.failure).map(op).sum::<usize>()
}

impl Store {
    /// etcd's size check and quota guard. The first write that would pass the quota raises
    /// the NOSPACE alarm (through raft, so it is a WAL entry); from then on every write fails
    /// until `alarm disarm`, as on a real etcd.
    fn check_size_and_quota(&mut self, size: usize, writes: bool) -> Result<(), StoreError> {
        if size > self.config.max_request_bytes {
            return Err(StoreError::RequestTooLarge);
        }
        if writes && !self.nospace && self.db_size() + size as i64 > self.config.quota_bytes {
            let _ = self.commit(WalRequest::Alarm { activate: true });
        }
        if writes && self.nospace {
            return Err(StoreError::NoSpace);
        }
        Ok(())
    }

    /// `Alarm` with `DEACTIVATE` for every alarm: what `etcdctl alarm disarm` sends. Returns the
    /// alarms that were raised.
    pub fn alarm_disarm(&mut self) -> Vec<String> {
        let raised = self.alarms();
        if self.nospace {
            let _ = self.commit(WalRequest::Alarm { activate: false });
        }
        raised
    }

    /// `Put`.
    pub fn put(&mut self, req: PutRequest) -> Result<PutResponse, StoreError> {
        txn::check_put_request(&req)?;
        self.check_size_and_quota(put_size(&req), true)?;
        match self.commit(WalRequest::Put(req))? {
            Applied::Put(r) => Ok(r),
            _ => Err(StoreError::KeyNotFound),
        }
    }

    /// `DeleteRange`.
    pub fn delete_range(&mut self, req: DeleteRangeRequest) -> Result<DeleteRangeResponse, StoreError> {
        if req.key.is_empty() {
            return Err(StoreError::EmptyKey);
        }
        self.check_size_and_quota(req.key.len() + req.range_end.len(), false)?;
        match self.commit(WalRequest::DeleteRange(req))? {
            Applied::Delete(r) => Ok(r),
            _ => Err(StoreError::KeyNotFound),
        }
    }

    /// `Txn`. A txn that only reads is served without raft, as etcd does.
    pub fn txn(&mut self, req: TxnRequest) -> Result<TxnResponse, StoreError> {
        txn::check_txn(&req)?;
        let writes = txn::txn_writes(&req);
        self.check_size_and_quota(txn_size(&req), writes)?;
        if !writes {
            let mut t = WriteTxn::new(&mut self.kv, &mut self.lessor, false);
            let mut resp = t.txn(&req)?;
            resp.header = self.header();
            return Ok(resp);
        }
        match self.commit(WalRequest::Txn(req))? {
            Applied::Txn(r) => Ok(r),
            _ => Err(StoreError::KeyNotFound),
        }
    }

    /// `Compact`: forget history before `revision`.
    pub fn compact(&mut self, req: CompactionRequest) -> Result<CompactionResponse, StoreError> {
        self.commit(WalRequest::Compaction(req))?;
        Ok(CompactionResponse { header: self.header() })
    }

    /// `LeaseGrant`; `ttl` below etcd's minimum is raised to it.
    pub fn lease_grant(&mut self, req: LeaseGrantRequest) -> Result<LeaseGrantResponse, StoreError> {
        self.check_size_and_quota(16, true)?;
        let id = if req.id == 0 { self.peek_lease_id() } else { req.id };
        self.commit(WalRequest::LeaseGrant { id, ttl: req.ttl, now_ms: self.now_ms })?;
        let ttl = self.lessor.get(id).map_or(req.ttl, |l| l.ttl_s);
        Ok(LeaseGrantResponse { header: self.header(), id, ttl, error: String::new() })
    }

    fn peek_lease_id(&self) -> i64 {
        self.lessor.peek_free_id()
    }

    /// `LeaseRevoke`: deletes every attached key in one revision.
    pub fn lease_revoke(&mut self, id: i64) -> Result<LeaseRevokeResponse, StoreError> {
        self.commit(WalRequest::LeaseRevoke { id })?;
        Ok(LeaseRevokeResponse { header: self.header() })
    }

    /// `LeaseKeepAlive`, once. Handled by the leader alone, so it writes no WAL entry.
    pub fn lease_keep_alive(&mut self, id: i64) -> Result<LeaseKeepAliveResponse, StoreError> {
        let ttl = self.lessor.keep_alive(id, self.now_ms)?;
        Ok(LeaseKeepAliveResponse { header: self.header(), id, ttl })
    }

    /// `LeaseTimeToLive`. A lease that does not exist answers `ttl: -1`, not an error.
    pub fn lease_time_to_live(&self, id: i64, keys: bool) -> LeaseTimeToLiveResponse {
        match self.lessor.get(id) {
            Some(l) => LeaseTimeToLiveResponse {
                header: self.header(),
                id,
                ttl: l.remaining_s(self.now_ms),
                granted_ttl: l.ttl_s,
                keys: if keys { l.keys.iter().cloned().collect() } else { Vec::new() },
            },
            None => LeaseTimeToLiveResponse { header: self.header(), id, ttl: -1, granted_ttl: 0, keys: Vec::new() },
        }
    }

    /// `LeaseLeases`.
    pub fn lease_leases(&self) -> LeaseLeasesResponse {
        LeaseLeasesResponse { header: self.header(), leases: self.lessor.ids() }
    }

    /// Moves virtual time to `now_ms` and revokes every lease that ran out, one revision each,
    /// as the leader's lessor does. Returns the revoked lease IDs.
    pub fn advance_to(&mut self, now_ms: u64) -> Vec<i64> {
        self.now_ms = self.now_ms.max(now_ms);
        let due = self.lessor.expired(self.now_ms);
        for id in &due {
            // Cannot fail: the lease was just listed as existing.
            let _ = self.commit(WalRequest::LeaseRevoke { id: *id });
        }
        due
    }

    /// Starts a watch and returns its ID; history from `start_revision` is queued at once.
    pub fn watch(&mut self, req: WatchCreateRequest) -> i64 {
        let id = self.watches.create(req, self.kv.current_rev);
        let header = self.header();
        self.watches.sync(&self.kv, header);
        id
    }

    pub fn cancel_watch(&mut self, id: i64) -> bool {
        self.watches.cancel(id)
    }

    /// Asks for a progress notification on a synced watcher (etcd's `RequestProgress`).
    pub fn request_progress(&mut self, id: i64) -> bool {
        let header = self.header();
        self.watches.progress(id, header)
    }

    /// Takes every response waiting for watcher `id`; a watcher that fell behind catches up
    /// from history as its queue is drained.
    pub fn take_watch_responses(&mut self, id: i64) -> Vec<WatchResponse> {
        let mut out = Vec::new();
        loop {
            let got = self.watches.take(id);
            if got.is_empty() {
                return out;
            }
            // The first batch is the answer itself: extending an empty vector would copy it.
            if out.is_empty() {
                out = got;
            } else {
                out.extend(got);
            }
            let header = self.header();
            self.watches.sync(&self.kv, header);
        }
    }

    /// Saves a snapshot under `path`, as `etcdctl snapshot save` writes a file.
    pub fn save_snapshot(&mut self, path: &str) -> &Snapshot {
        let snap = self.make_snapshot();
        self.saved.entry(path.to_string()).insert_entry(snap).into_mut()
    }

    fn make_snapshot(&self) -> Snapshot {
        Snapshot {
            index: self.wal.last_index(),
            term: self.wal.term(),
            revision: self.kv.current_rev,
            compact_revision: self.kv.compact_rev,
            records: self.kv.backend.iter().map(|(r, rec)| (*r, rec.clone())).collect(),
            leases: self.lessor.without_keys(),
            next_lease_id: self.lessor.next_id,
        }
    }

    /// Rebuilds a store from a snapshot and the WAL entries after it, as etcd does on restart.
    pub fn restore(config: StoreConfig, snap: &Snapshot, wal: &[WalEntry]) -> Store {
        let mut s = Store::with_config(config);
        s.kv = KvStore::from_records(snap.records.clone(), snap.revision, snap.compact_revision);
        s.lessor = Lessor::restore(&snap.leases, snap.next_lease_id, &snap.records);
        s.watches = WatchHub::default();
        s.wal = Wal { entries: Vec::new(), last_index: snap.index, term: snap.term };
        s.last_snapshot = Some(Kept::Taken(snap.clone()));
        s.snapshots = vec![snap.meta()];
        for e in wal.iter().filter(|e| e.index > snap.index) {
            if let WalRequest::LeaseGrant { now_ms, .. } = e.request {
                s.now_ms = s.now_ms.max(now_ms);
            }
            s.wal.term = e.term;
            let _ = s.commit(e.request.clone());
        }
        s
    }

    /// Commits one request to the WAL and applies it.
    fn commit(&mut self, req: WalRequest) -> Result<Applied, StoreError> {
        let index = self.wal.append(req);
        // Take the entry out while applying it, so apply can borrow the store mutably.
        let result = match self.wal.entries.pop() {
            Some(entry) => {
                let r = self.apply(&entry.request);
                self.wal.entries.push(entry);
                r
            }
            None => Ok(Applied::Done),
        };
        self.db_size_high = self.db_size_high.max(self.db_size());
        self.maybe_snapshot(index);
        result
    }

    fn apply(&mut self, req: &WalRequest) -> Result<Applied, StoreError> {
        if let (WalRequest::Compaction(_), Some(Kept::Deferred { .. })) = (req, &self.last_snapshot) {
            // Compaction removes records the deferred snapshot still needs: copy them first.
            self.last_snapshot = self.last_snapshot.as_ref().map(|k| Kept::Taken(k.materialize(&self.kv.backend)));
        }
        let header = self.header();
        let want_events = !self.watches.watchers.is_empty();
        let mut t = WriteTxn::new(&mut self.kv, &mut self.lessor, want_events);
        let applied = match req {
            WalRequest::Bootstrap(_) => Applied::Done,
            WalRequest::Put(p) => {
                t.check_put(p)?;
                Applied::Put(t.put(p))
            }
            WalRequest::DeleteRange(d) => Applied::Delete(t.delete_range(d)),
            WalRequest::Txn(x) => Applied::Txn(t.txn(x)?),
            WalRequest::Compaction(c) => {
                t.kv.check_compact(c.revision)?;
                t.kv.compact(c.revision);
                Applied::Done
            }
            WalRequest::LeaseGrant { id, ttl, now_ms } => {
                t.lessor.grant(*id, *ttl, *now_ms)?;
                Applied::Done
            }
            WalRequest::Alarm { activate } => {
                self.nospace = *activate;
                return Ok(Applied::Done);
            }
            WalRequest::LeaseRevoke { id } => {
                let lease = t.lessor.revoke(*id)?;
                for key in lease.keys.iter() {
                    t.delete_range(&DeleteRangeRequest { key: key.clone(), ..Default::default() });
                }
                Applied::Done
            }
        };
        let events = std::mem::take(&mut t.events);
        if t.changes > 0 {
            self.kv.current_rev += 1;
        }
        let header = ResponseHeader { revision: self.kv.current_rev, ..header };
        if !events.is_empty() {
            self.watches.notify(self.kv.current_rev, &events, &self.kv, header);
        }
        if !self.watches.unsynced.is_empty() {
            self.watches.sync(&self.kv, header);
        }
        Ok(match applied {
            Applied::Put(r) => Applied::Put(PutResponse { header, ..r }),
            Applied::Delete(r) => Applied::Delete(DeleteRangeResponse { header, ..r }),
            Applied::Txn(r) => Applied::Txn(TxnResponse { header, ..r }),
            Applied::Done => Applied::Done,
        })
    }

    /// Takes a snapshot once more than `--snapshot-count` entries were applied since the last.
    fn maybe_snapshot(&mut self, index: u64) {
        let last = self.last_snapshot.as_ref().map_or(0, Kept::index);
        if index.saturating_sub(last) <= self.config.snapshot_count {
            return;
        }
        let (term, revision) = (self.wal.term(), self.kv.current_rev);
        let compaction = if self.kv.compact_rev > 0 { 2 } else { 0 };
        let total_keys = self.kv.backend.len() + self.lessor.leases.len() + 4 + compaction;
        self.snapshots.push(super::SnapshotMeta { index, term, revision, total_keys });
        if self.snapshots.len() > MAX_SNAPSHOTS {
            self.snapshots.remove(0);
        }
        self.wal.truncate_through(index);
        self.last_snapshot = Some(Kept::Deferred {
            index,
            term,
            revision,
            compact_revision: self.kv.compact_rev,
            leases: self.lessor.without_keys(),
            next_lease_id: self.lessor.next_id,
        });
    }

    /// Keys and their index, for comparing two stores in tests.
    pub fn index_snapshot(&self) -> (&BTreeMap<Vec<u8>, super::key_index::KeyIndex>, &super::backend::Backend) {
        (&self.kv.index, &self.kv.backend)
    }
}
