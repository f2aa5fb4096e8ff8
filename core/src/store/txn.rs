//! Transactions: compares, then the success or failure ops, all in one revision.
//!
//! Mirrors etcd's `kvstore_txn.go` and the txn half of `etcdserver/apply.go`. Every write of one
//! request shares the main revision `begin + 1` and gets its own sub-revision in order; a read
//! inside the txn sees the writes before it. A request that writes nothing leaves the revision
//! unchanged. Validation that etcd does before raft (`checkTxnRequest`, `checkIntervals`) and in
//! apply before touching the store (`checkRequests`) is here too, so a failing txn changes nothing.

use super::errors::StoreError;
use super::kvstore::KvStore;
use super::lease::Lessor;
use super::revision::Revision;
use super::rpc::*;
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// etcd's `--max-txn-ops` default.
pub const MAX_TXN_OPS: usize = 128;

/// A write transaction in progress: the store, the lessor and the changes so far.
pub(crate) struct WriteTxn<'a> {
    pub kv: &'a mut KvStore,
    pub lessor: &'a mut Lessor,
    pub begin_rev: i64,
    /// Changes made so far; the next one gets this sub-revision.
    pub changes: i64,
    /// The changes as watch events, collected only when someone watches.
    pub events: Vec<Event>,
    want_events: bool,
}

impl<'a> WriteTxn<'a> {
    pub fn new(kv: &'a mut KvStore, lessor: &'a mut Lessor, want_events: bool) -> Self {
        let begin_rev = kv.current_rev;
        WriteTxn { kv, lessor, begin_rev, changes: 0, events: Vec::new(), want_events }
    }

    /// The revision this txn reads and reports: the next one once it has written anything.
    pub fn rev(&self) -> i64 {
        if self.changes == 0 { self.begin_rev } else { self.begin_rev + 1 }
    }

    fn next_rev(&self) -> Revision {
        Revision::new(self.begin_rev + 1, self.changes)
    }

    pub fn put(&mut self, req: &PutRequest) -> PutResponse {
        let at = self.rev();
        // The previous version is needed for prev_kv, the ignore flags, and to move the key off
        // its old lease; with no leases at all, a plain put can skip the lookup.
        let need_prev = req.prev_kv || req.ignore_value || req.ignore_lease || !self.lessor.leases.is_empty();
        let prev = if need_prev { self.kv.get_at(&req.key, at) } else { None };
        let prev_lease = prev.map_or(0, |p| p.lease);
        let value = match (prev, req.ignore_value) {
            (Some(p), true) => p.value.clone(),
            _ => req.value.clone(),
        };
        let lease = match (prev, req.ignore_lease) {
            (Some(p), true) => p.lease,
            _ => req.lease,
        };
        let prev_kv = if req.prev_kv { prev.cloned() } else { None };
        if prev_lease != 0 && prev_lease != lease {
            self.lessor.detach(prev_lease, &req.key);
        }
        if lease != 0 {
            self.lessor.attach(lease, &req.key);
        }
        let rev = self.next_rev();
        let kv = self.kv.put(&req.key, value, lease, rev);
        if self.want_events {
            self.events.push(Event { kind: EventType::Put, kv: kv.clone(), prev_kv: None });
        }
        self.changes += 1;
        PutResponse { header: ResponseHeader { revision: self.rev(), ..Default::default() }, prev_kv }
    }

    pub fn delete_range(&mut self, req: &DeleteRangeRequest) -> DeleteRangeResponse {
        let at = self.rev();
        let keys = self.kv.live_keys(&req.key, &req.range_end, at);
        let mut prev_kvs = Vec::new();
        for key in &keys {
            let prev = self.kv.get_at(key, at).cloned();
            if let Some(p) = &prev {
                if p.lease != 0 {
                    self.lessor.detach(p.lease, key);
                }
            }
            let rev = self.next_rev();
            if let Some(ev) = self.kv.delete(key, rev) {
                self.changes += 1;
                if self.want_events {
                    self.events.push(ev);
                }
            }
            if let (true, Some(p)) = (req.prev_kv, prev) {
                prev_kvs.push(p);
            }
        }
        DeleteRangeResponse {
            header: ResponseHeader { revision: self.rev(), ..Default::default() },
            deleted: keys.len() as i64,
            prev_kvs,
        }
    }

    pub fn range(&self, req: &RangeRequest) -> Result<RangeResponse, StoreError> {
        range(self.kv, req, self.rev())
    }

    /// Runs one txn request that has passed [`check_txn`].
    pub fn txn(&mut self, req: &TxnRequest) -> Result<TxnResponse, StoreError> {
        let at = self.rev();
        let succeeded = req.compare.iter().all(|c| compare(self.kv, at, c));
        let ops = if succeeded { &req.success } else { &req.failure };
        self.check_ops(ops)?;
        let mut responses = Vec::with_capacity(ops.len());
        for op in ops {
            responses.push(match op {
                RequestOp::Range(r) => ResponseOp::Range(self.range(r)?),
                RequestOp::Put(p) => ResponseOp::Put(self.put(p)),
                RequestOp::DeleteRange(d) => ResponseOp::DeleteRange(self.delete_range(d)),
            });
        }
        Ok(TxnResponse { header: ResponseHeader { revision: self.rev(), ..Default::default() }, succeeded, responses })
    }

    /// etcd's `checkRequests`: leases must exist, ignored values need a key, reads a revision.
    fn check_ops(&self, ops: &[RequestOp]) -> Result<(), StoreError> {
        for op in ops {
            match op {
                RequestOp::Put(p) => self.check_put(p)?,
                RequestOp::Range(r) => {
                    if r.revision > 0 {
                        self.kv.check_rev(r.revision)?;
                    }
                }
                RequestOp::DeleteRange(_) => {}
            }
        }
        Ok(())
    }

    pub fn check_put(&self, p: &PutRequest) -> Result<(), StoreError> {
        if p.lease != 0 && self.lessor.get(p.lease).is_none() {
            return Err(StoreError::LeaseNotFound);
        }
        if (p.ignore_value || p.ignore_lease) && self.kv.get_at(&p.key, self.rev()).is_none() {
            return Err(StoreError::KeyNotFound);
        }
        Ok(())
    }
}

/// A read, as etcd's `applierV3backend.Range`: fetch, sort, then cut to `limit`.
pub(crate) fn range(kv: &KvStore, req: &RangeRequest, current: i64) -> Result<RangeResponse, StoreError> {
    let at = if req.revision <= 0 { current } else { kv.check_rev(req.revision)? };
    let sorted = req.sort_order != SortOrder::None || req.sort_target != SortTarget::Key;
    let mut fetch = if sorted || req.limit <= 0 { 0 } else { req.limit as usize + 1 };
    if req.count_only {
        fetch = 1;
    }
    // A keys-only range drops the values below, unless it sorts by them first.
    let values = !(req.count_only || req.keys_only && req.sort_target != SortTarget::Value);
    let (mut kvs, count) = kv.range_at(&req.key, &req.range_end, at, fetch, values);
    if req.count_only {
        kvs.clear();
    }
    let order = match (req.sort_order, req.sort_target) {
        (SortOrder::None, SortTarget::Key) => SortOrder::None,
        (SortOrder::None, _) => SortOrder::Ascend,
        (o, _) => o,
    };
    if order != SortOrder::None {
        let key = |a: &KeyValue, b: &KeyValue| -> Ordering {
            match req.sort_target {
                SortTarget::Key => a.key.cmp(&b.key),
                SortTarget::Version => a.version.cmp(&b.version),
                SortTarget::Create => a.create_revision.cmp(&b.create_revision),
                SortTarget::Mod => a.mod_revision.cmp(&b.mod_revision),
                SortTarget::Value => a.value.cmp(&b.value),
            }
        };
        // Stable, so ties keep key order in both directions, as Go's insertion sort does for
        // the small ranges a learner makes.
        if order == SortOrder::Descend {
            kvs.sort_by(|a, b| key(b, a));
        } else {
            kvs.sort_by(key);
        }
    }
    let mut more = false;
    if req.limit > 0 && kvs.len() > req.limit as usize {
        kvs.truncate(req.limit as usize);
        more = true;
    }
    if req.keys_only {
        for kv in &mut kvs {
            kv.value.clear();
        }
    }
    Ok(RangeResponse { header: ResponseHeader { revision: current, ..Default::default() }, kvs, more, count })
}

/// One compare against every key of its range at `at` (etcd's `applyCompare`). A value compare
/// on a missing key always fails; other targets compare against zero.
pub(crate) fn compare(kv: &KvStore, at: i64, c: &Compare) -> bool {
    let (kvs, _) = kv.range_at(&c.key, &c.range_end, at, 0, matches!(c.target, CompareTarget::Value(_)));
    if kvs.is_empty() {
        if matches!(c.target, CompareTarget::Value(_)) {
            return false;
        }
        return compare_kv(c, &KeyValue::default());
    }
    kvs.iter().all(|k| compare_kv(c, k))
}

fn compare_kv(c: &Compare, kv: &KeyValue) -> bool {
    let ord = match &c.target {
        CompareTarget::Value(v) => kv.value.as_slice().cmp(v.as_slice()),
        CompareTarget::Version(v) => kv.version.cmp(v),
        CompareTarget::Create(v) => kv.create_revision.cmp(v),
        CompareTarget::Mod(v) => kv.mod_revision.cmp(v),
        CompareTarget::Lease(v) => kv.lease.cmp(v),
    };
    match c.result {
        CompareResult::Equal => ord == Ordering::Equal,
        CompareResult::NotEqual => ord != Ordering::Equal,
        CompareResult::Greater => ord == Ordering::Greater,
        CompareResult::Less => ord == Ordering::Less,
    }
}

/// etcd's `checkPutRequest`.
pub(crate) fn check_put_request(p: &PutRequest) -> Result<(), StoreError> {
    if p.key.is_empty() {
        return Err(StoreError::EmptyKey);
    }
    if p.ignore_value && !p.value.is_empty() {
        return Err(StoreError::ValueProvided);
    }
    if p.ignore_lease && p.lease != 0 {
        return Err(StoreError::LeaseProvided);
    }
    Ok(())
}

fn check_op(op: &RequestOp) -> Result<(), StoreError> {
    match op {
        RequestOp::Range(r) if r.key.is_empty() => Err(StoreError::EmptyKey),
        RequestOp::DeleteRange(d) if d.key.is_empty() => Err(StoreError::EmptyKey),
        RequestOp::Put(p) => check_put_request(p),
        _ => Ok(()),
    }
}

/// etcd's `checkTxnRequest` and `checkIntervals`, done before the request reaches raft.
pub(crate) fn check_txn(req: &TxnRequest) -> Result<(), StoreError> {
    let ops = req.compare.len().max(req.success.len()).max(req.failure.len());
    if ops > MAX_TXN_OPS {
        return Err(StoreError::TooManyOps);
    }
    if req.compare.iter().any(|c| c.key.is_empty()) {
        return Err(StoreError::EmptyKey);
    }
    for op in req.success.iter().chain(&req.failure) {
        check_op(op)?;
    }
    check_intervals(&req.success)?;
    check_intervals(&req.failure)
}

/// One branch may not put a key twice, nor put a key it also deletes.
fn check_intervals(ops: &[RequestOp]) -> Result<(), StoreError> {
    let dels: Vec<&DeleteRangeRequest> =
        ops.iter().filter_map(|op| if let RequestOp::DeleteRange(d) = op { Some(d) } else { None }).collect();
    let mut puts: BTreeSet<&[u8]> = BTreeSet::new();
    for op in ops {
        let RequestOp::Put(p) = op else { continue };
        if !puts.insert(&p.key) || dels.iter().any(|d| in_range(&d.key, &d.range_end, &p.key)) {
            return Err(StoreError::DuplicateKey);
        }
    }
    Ok(())
}

/// Whether a txn writes in either branch (a read-only txn skips the write checks and quota).
pub(crate) fn txn_writes(req: &TxnRequest) -> bool {
    req.success.iter().chain(&req.failure).any(|op| !matches!(op, RequestOp::Range(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(k: &str) -> RequestOp {
        RequestOp::Put(PutRequest { key: k.into(), ..Default::default() })
    }

    fn del(k: &str, end: &str) -> RequestOp {
        RequestOp::DeleteRange(DeleteRangeRequest { key: k.into(), range_end: end.into(), prev_kv: false })
    }

    #[test]
    fn a_branch_may_not_write_a_key_twice() {
        assert_eq!(check_intervals(&[put("a"), put("a")]), Err(StoreError::DuplicateKey));
        assert_eq!(check_intervals(&[del("a", "c"), put("b")]), Err(StoreError::DuplicateKey));
        assert_eq!(check_intervals(&[del("a", "\0"), put("zzz")]), Err(StoreError::DuplicateKey));
        assert_eq!(check_intervals(&[del("a", ""), del("a", ""), put("b")]), Ok(()));
        let both = TxnRequest { success: vec![put("a")], failure: vec![put("a")], ..Default::default() };
        assert_eq!(check_txn(&both), Ok(()), "the branches are checked separately");
    }

    #[test]
    fn compares_on_a_missing_key_use_zero_except_for_values() {
        let kv = KvStore::default();
        let cmp = |target| Compare { key: "nope".into(), range_end: vec![], result: CompareResult::Equal, target };
        assert!(compare(&kv, 1, &cmp(CompareTarget::Create(0))));
        assert!(compare(&kv, 1, &cmp(CompareTarget::Version(0))));
        assert!(!compare(&kv, 1, &cmp(CompareTarget::Value(Vec::new()))));
    }
}
