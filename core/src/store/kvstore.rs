//! The multi-version key-value store: an in-memory index of every key's history over a backend
//! of records keyed by revision.
//!
//! Mirrors etcd's `mvcc/kvstore.go` with `index.go` (a B-tree of [`KeyIndex`] by key) and the
//! bbolt `key` bucket (records by [`Revision`], a [`Backend`]). A read at revision `r` asks each
//! key's index for the revision it had at `r` and loads that record; a write adds a record under
//! a new revision and tells the key's index. Nothing is ever overwritten, only compacted away.

use super::backend::Backend;
use super::errors::StoreError;
use super::key_index::KeyIndex;
use super::revision::Revision;
use super::rpc::{Event, EventType, KeyValue};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

/// One record of the backend: the key as it was after the change at its revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub kv: KeyValue,
    /// A delete; `kv` then holds only `key` and `mod_revision`, as etcd's tombstone records do.
    pub tombstone: bool,
}

/// The key index and the backend, with the current and compacted revisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvStore {
    pub(crate) index: BTreeMap<Vec<u8>, KeyIndex>,
    pub(crate) backend: Backend,
    /// The revision of the last committed write; a fresh store is at 1, as etcd.
    pub(crate) current_rev: i64,
    /// The last compaction, -1 before the first (etcd's `compactMainRev`).
    pub(crate) compact_rev: i64,
    /// Bytes held by backend records, for the db-size and quota estimates.
    pub(crate) backend_bytes: i64,
    /// Per directory (a key up to its third `/`: `/registry/clusterroles/`), the main revision
    /// of the last put or delete of a key in it: [`KvStore::last_change`] answers in O(1)
    /// what comparing [`KvStore::fingerprint`] scans would, for the readers that only need to
    /// know whether anything under a prefix changed (the RBAC authorizer's memo).
    pub(crate) changed: BTreeMap<Vec<u8>, i64>,
    /// The revision a restored store started from: what changed before it is not known, so no
    /// directory reports an earlier change.
    pub(crate) changed_floor: i64,
}

impl Default for KvStore {
    fn default() -> Self {
        KvStore {
            index: BTreeMap::new(),
            backend: Backend::default(),
            current_rev: 1,
            compact_rev: -1,
            backend_bytes: 0,
            changed: BTreeMap::new(),
            changed_floor: 0,
        }
    }
}

/// The directory of a key or prefix: up to and including its third `/` (`/registry/pods/`),
/// `None` when it has fewer. Every key under a prefix that has a directory shares it.
fn directory(key: &[u8]) -> Option<&[u8]> {
    let (third, _) = key.iter().enumerate().filter(|(_, b)| **b == b'/').nth(2)?;
    Some(&key[..=third])
}

/// What a backend record costs, roughly as bbolt lays it out: key and value plus the revision
/// key and the encoded `KeyValue` header.
fn record_bytes(kv: &KeyValue) -> i64 {
    (kv.key.len() + kv.value.len() + 48) as i64
}

/// A key range as `BTreeMap` bounds.
pub(crate) type KeyBounds<'a> = (Bound<&'a [u8]>, Bound<&'a [u8]>);

/// The keys a range covers as `BTreeMap` bounds; `None` when the range is empty.
pub(crate) fn bounds<'a>(key: &'a [u8], range_end: &'a [u8]) -> Option<KeyBounds<'a>> {
    if range_end.is_empty() {
        Some((Bound::Included(key), Bound::Included(key)))
    } else if range_end == [0] {
        Some((Bound::Included(key), Bound::Unbounded))
    } else if range_end > key {
        Some((Bound::Included(key), Bound::Excluded(range_end)))
    } else {
        None
    }
}

impl KvStore {
    /// Checks that `rev` can be read: not compacted, not in the future. `rev <= 0` is current.
    pub fn check_rev(&self, rev: i64) -> Result<i64, StoreError> {
        if rev <= 0 {
            return Ok(self.current_rev);
        }
        if rev > self.current_rev {
            return Err(StoreError::FutureRev);
        }
        if rev < self.compact_rev {
            return Err(StoreError::Compacted);
        }
        Ok(rev)
    }

    /// Every key of the range alive at main revision `at`, in key order, with how many there
    /// are; at most `limit` are returned (0 means all). `at` must have passed [`Self::check_rev`].
    /// Without `values` the records come with empty values: a keys-only range, a count or a
    /// revision compare does not copy what it never reads.
    pub fn range_at(&self, key: &[u8], range_end: &[u8], at: i64, limit: usize, values: bool) -> (Vec<KeyValue>, i64) {
        let copy = |kv: &KeyValue| if values { kv.clone() } else { KeyValue { value: Vec::new(), key: kv.key.clone(), ..*kv } };
        if range_end.is_empty() {
            // One key: a point lookup rather than a range walk.
            return match self.get_at(key, at) {
                Some(kv) => (vec![copy(kv)], 1),
                None => (Vec::new(), 0),
            };
        }
        let Some(b) = bounds(key, range_end) else { return (Vec::new(), 0) };
        let mut kvs = Vec::new();
        let mut count = 0;
        for (_, ki) in self.index.range::<[u8], _>(b) {
            let Some(found) = ki.get(at) else { continue };
            count += 1;
            if limit == 0 || kvs.len() < limit {
                if let Some(rec) = self.backend.get(found.modified) {
                    kvs.push(copy(&rec.kv));
                }
            }
        }
        (kvs, count)
    }

    /// The live keys under `prefix` and the highest main revision among their last writes.
    pub fn fingerprint(&self, prefix: &[u8]) -> (i64, i64) {
        let end = super::rpc::prefix_range_end(prefix);
        let Some(b) = bounds(prefix, &end) else { return (0, 0) };
        let mut count = 0;
        let mut highest = 0;
        for (_, ki) in self.index.range::<[u8], _>(b) {
            if let Some(found) = ki.get(self.current_rev) {
                count += 1;
                highest = highest.max(found.modified.main);
            }
        }
        (count, highest)
    }

    /// The records of the keys under `prefix` as of main revision `at`, in key order, borrowed.
    pub fn prefix_at(&self, prefix: &[u8], at: i64) -> Vec<&KeyValue> {
        let end = super::rpc::prefix_range_end(prefix);
        let Some(b) = bounds(prefix, &end) else { return Vec::new() };
        self.index
            .range::<[u8], _>(b)
            .filter_map(|(_, ki)| ki.get(at))
            .filter_map(|found| self.backend.get(found.modified).map(|r| &r.kv))
            .collect()
    }

    /// The main revision of the last put or delete of a key under `prefix`, or the revision the
    /// store was restored at when later: it moves at every write under the prefix, to a revision
    /// never reported before, so an unchanged answer means no key under it changed. `None` for a
    /// prefix shorter than a directory (`/registry/`), which this does not track.
    pub fn last_change(&self, prefix: &[u8]) -> Option<i64> {
        let dir = directory(prefix)?;
        Some(self.changed.get(dir).copied().unwrap_or(0).max(self.changed_floor))
    }

    /// Notes a write of `key` at main revision `rev` in its directory.
    fn note_change(&mut self, key: &[u8], rev: i64) {
        let Some(dir) = directory(key) else { return };
        match self.changed.get_mut(dir) {
            Some(r) => *r = rev,
            None => {
                self.changed.insert(dir.to_vec(), rev);
            }
        }
    }

    /// The key as of main revision `at`, if it existed then.
    pub fn get_at(&self, key: &[u8], at: i64) -> Option<&KeyValue> {
        let found = self.index.get(key)?.get(at)?;
        self.backend.get(found.modified).map(|r| &r.kv)
    }

    /// Writes `key` at `rev` and returns the new record; `lease` is attached as given.
    pub fn put(&mut self, key: &[u8], value: Vec<u8>, lease: i64, rev: Revision) -> &KeyValue {
        // One search of the index whether the key is new or not: an overwrite allocates a key
        // it drops, which costs less than a second descent of a large index for every new key.
        let ki = self.index.entry(key.to_vec()).or_default();
        let (create_revision, version) = match ki.get(rev.main) {
            Some(at) => (at.created.main, at.version + 1),
            None => (rev.main, 1),
        };
        ki.put(rev);
        self.note_change(key, rev.main);
        let kv = KeyValue { key: key.to_vec(), create_revision, mod_revision: rev.main, version, value, lease };
        self.backend_bytes += record_bytes(&kv);
        &self.backend.insert(rev, Record { kv, tombstone: false }).kv
    }

    /// Deletes `key` at `rev`, writing a tombstone; `None` if the key was not alive.
    pub fn delete(&mut self, key: &[u8], rev: Revision) -> Option<Event> {
        let ki = self.index.get_mut(key)?;
        if !ki.tombstone(rev) {
            return None;
        }
        self.note_change(key, rev.main);
        let kv = KeyValue { key: key.to_vec(), mod_revision: rev.main, ..Default::default() };
        self.backend_bytes += record_bytes(&kv);
        self.backend.insert(rev, Record { kv: kv.clone(), tombstone: true });
        Some(Event { kind: EventType::Delete, kv, prev_kv: None })
    }

    /// The live keys of a range right now (at main revision `at`), for deletes.
    pub fn live_keys(&self, key: &[u8], range_end: &[u8], at: i64) -> Vec<Vec<u8>> {
        let Some(b) = bounds(key, range_end) else { return Vec::new() };
        self.index.range::<[u8], _>(b).filter(|(_, ki)| ki.get(at).is_some()).map(|(k, _)| k.clone()).collect()
    }

    /// Validates a compaction to `rev` (etcd's `updateCompactRev`).
    pub fn check_compact(&self, rev: i64) -> Result<(), StoreError> {
        if rev <= self.compact_rev {
            return Err(StoreError::Compacted);
        }
        if rev > self.current_rev {
            return Err(StoreError::FutureRev);
        }
        Ok(())
    }

    /// Drops every record no read at `rev` or later can need (etcd's `scheduleCompaction`).
    pub fn compact(&mut self, rev: i64) {
        self.compact_rev = rev;
        let mut available = BTreeSet::new();
        for ki in self.index.values_mut() {
            ki.compact(rev, &mut available);
        }
        self.index.retain(|_, ki| !ki.is_empty());
        let mut freed = 0;
        self.backend.retain(|r, rec| {
            let keep = r.main > rev || available.contains(r);
            if !keep {
                freed += record_bytes(&rec.kv);
            }
            keep
        });
        self.backend_bytes -= freed;
    }

    /// Records from main revision `from` on, oldest first: the history watchers replay.
    pub fn history_from(&self, from: i64) -> impl Iterator<Item = (&Revision, &Record)> {
        self.backend.from(Revision::new(from, 0))
    }

    /// Rebuilds a store from backend records, as etcd's `restore` rebuilds its index on start.
    pub fn from_records(records: BTreeMap<Revision, Record>, current_rev: i64, compact_rev: i64) -> Self {
        let mut index: BTreeMap<Vec<u8>, KeyIndex> = BTreeMap::new();
        let mut backend_bytes = 0;
        for (rev, rec) in &records {
            backend_bytes += record_bytes(&rec.kv);
            match index.get_mut(&rec.kv.key) {
                Some(ki) if rec.tombstone => {
                    ki.tombstone(*rev);
                }
                Some(ki) => ki.put(*rev),
                None if rec.tombstone => {}
                None => {
                    let created = Revision::new(rec.kv.create_revision, 0);
                    index.insert(rec.kv.key.clone(), KeyIndex::restore(created, *rev, rec.kv.version));
                }
            }
        }
        KvStore { index, backend: records.into_iter().collect(), current_rev, compact_rev, backend_bytes, changed: BTreeMap::new(), changed_floor: current_rev }
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::Rng;
    use crate::store::*;

    const KEYS: [&str; 8] = [
        "/registry/clusterroles/a",
        "/registry/clusterroles/b",
        "/registry/rolebindings/dev/x",
        "/registry/rolebindings/dev/y",
        "/registry/rolebindings/prod/x",
        "/registry/roles/dev/r",
        "/registry/rolesx/dev/r",
        "/other",
    ];
    const PREFIXES: [&str; 6] =
        ["/registry/clusterroles/", "/registry/rolebindings/", "/registry/rolebindings/dev/", "/registry/rolebindings/prod/", "/registry/roles/", "/registry/roles/dev/"];

    /// What a prefix holds now, read by a range (the content a reader of the prefix sees).
    fn content(store: &Store, prefix: &str) -> Vec<(Vec<u8>, Vec<u8>, i64)> {
        let resp = store.range(&RangeRequest::prefix(prefix.as_bytes())).unwrap_or_default();
        resp.kvs.into_iter().map(|kv| (kv.key, kv.value, kv.lease)).collect()
    }

    /// Random puts, deletes, txns, lease expiries and compactions: `last_change` of a prefix
    /// moves exactly when a key under it was written or deleted (so an unchanged answer means the
    /// content and the scanned fingerprint are unchanged), and the in-place reads equal ranges.
    #[test]
    fn last_change_moves_exactly_when_a_key_under_the_prefix_is_written() {
        let mut rng = Rng::new(7);
        let mut store = Store::new();
        let lease = store.lease_grant(LeaseGrantRequest { ttl: 5, id: 0 }).map(|r| r.id).unwrap_or(0);
        let mut now = 0;
        for step in 0..600 {
            let before: Vec<_> = PREFIXES.iter().map(|p| (store.last_change(p.as_bytes()), content(&store, p), store.fingerprint(p.as_bytes()))).collect();
            let key = KEYS[rng.below(KEYS.len() as u64) as usize];
            let mut touched: Vec<&str> = vec![key];
            match rng.below(6) {
                0 | 1 => {
                    let value = format!("v{}", rng.below(3)).into_bytes();
                    let with_lease = if rng.below(4) == 0 { lease } else { 0 };
                    let _ = store.put(PutRequest { key: key.into(), value, lease: with_lease, ..Default::default() });
                }
                2 => {
                    let _ = store.delete_range(DeleteRangeRequest { key: key.into(), ..Default::default() });
                }
                3 => {
                    // A prefix delete: everything under the key's directory.
                    let dir = &key[..key.rfind('/').unwrap_or(0) + 1];
                    let end = prefix_range_end(dir.as_bytes());
                    touched = KEYS.iter().copied().filter(|k| k.starts_with(dir)).collect();
                    let _ = store.delete_range(DeleteRangeRequest { key: dir.into(), range_end: end, prev_kv: false });
                }
                4 => {
                    let other = KEYS[rng.below(KEYS.len() as u64) as usize];
                    if other != key {
                        touched.push(other);
                        let put = |k: &str| RequestOp::Put(PutRequest { key: k.into(), value: b"t".to_vec(), ..Default::default() });
                        let _ = store.txn(TxnRequest { compare: Vec::new(), success: vec![put(key), put(other)], failure: Vec::new() });
                    }
                }
                _ => {
                    // Time passes (the lease may expire and delete its keys) or history is compacted.
                    now += 2_000;
                    touched = KEYS.to_vec();
                    store.advance_to(now);
                    if step % 5 == 0 {
                        let _ = store.compact(CompactionRequest { revision: store.revision(), physical: false });
                    }
                }
            }
            for (p, (last, held, fp)) in PREFIXES.iter().zip(before) {
                let now_last = store.last_change(p.as_bytes());
                assert!(now_last.is_some());
                if now_last == last {
                    assert_eq!(content(&store, p), held, "step {step}: {p} unchanged by last_change but its keys changed");
                    assert_eq!(store.fingerprint(p.as_bytes()), fp);
                } else {
                    // Moved: a key in the prefix's directory was written (the directory is
                    // what is tracked, so a sibling prefix in it moves too).
                    let dir: String = p.split_inclusive('/').take(3).collect();
                    assert!(touched.iter().any(|k| k.starts_with(&dir)), "step {step}: {p} moved without a write in {dir}");
                }
            }
            for k in KEYS {
                let range = store.range(&RangeRequest::key(k.as_bytes())).unwrap_or_default();
                assert_eq!(store.get_current(k.as_bytes()), range.kvs.first());
            }
            for p in PREFIXES {
                let range = store.range(&RangeRequest::prefix(p.as_bytes())).unwrap_or_default();
                assert_eq!(store.prefix_current(p.as_bytes()), range.kvs.iter().collect::<Vec<_>>());
            }
        }
        assert_eq!(store.last_change(b"/registry/"), None, "above a directory: not tracked");
    }

    #[test]
    fn a_restored_store_reports_no_change_before_its_snapshot() {
        let mut store = Store::new();
        let _ = store.put(PutRequest { key: "/registry/roles/dev/r".into(), value: b"1".to_vec(), ..Default::default() });
        let snap = store.save_snapshot("s").clone();
        let restored = Store::restore(store.config().clone(), &snap, &[]);
        assert_eq!(restored.last_change(b"/registry/roles/"), Some(snap.revision));
        assert_eq!(restored.last_change(b"/registry/pods/"), Some(snap.revision));
    }
}
