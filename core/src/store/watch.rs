//! Watches: streams of events for a key or range, from any revision not compacted.
//!
//! Mirrors etcd's `watchable_store.go` and `watcher_group.go`. A watcher is *synced* when it has
//! seen everything up to the current revision: new writes are handed straight to it. It is
//! *unsynced* when it starts in the past or fell behind (its queue was full); [`WatchHub::sync`]
//! then replays its events from the store's history, as etcd's `syncWatchers` does every 100 ms,
//! and moves it back to synced once caught up. A watcher whose next revision has been compacted
//! is cancelled with `compact_revision` set.

use super::kvstore::KvStore;
use super::rpc::{in_range, Event, EventType, ResponseHeader, WatchCreateRequest, WatchResponse};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Undelivered responses a watcher may hold before it falls behind (etcd's `chanBufLen`).
pub const MAX_PENDING_RESPONSES: usize = 128;

/// Revisions replayed in one response at most (etcd's `watchBatchMaxRevs`).
pub const MAX_REVS_PER_BATCH: usize = 1000;

/// One watch stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watcher {
    pub key: Vec<u8>,
    pub range_end: Vec<u8>,
    /// The next revision this watcher has not been given yet.
    pub min_rev: i64,
    pub prev_kv: bool,
    pub no_put: bool,
    pub no_delete: bool,
    /// Cancelled by the server; removed once the client has read the cancel response.
    pub canceled: bool,
    /// Responses waiting for the client to read them.
    pub pending: VecDeque<WatchResponse>,
}

impl Watcher {
    fn wants(&self, ev: &Event) -> bool {
        let filtered = match ev.kind {
            EventType::Put => self.no_put,
            EventType::Delete => self.no_delete,
        };
        !filtered && in_range(&self.key, &self.range_end, &ev.kv.key)
    }
}

/// Every watcher, split into the synced and unsynced groups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchHub {
    pub(crate) watchers: BTreeMap<i64, Watcher>,
    pub(crate) synced: BTreeSet<i64>,
    pub(crate) unsynced: BTreeSet<i64>,
    next_id: i64,
}

impl WatchHub {
    /// Registers a watcher and returns its ID; history is replayed by the next [`Self::sync`].
    pub fn create(&mut self, req: WatchCreateRequest, current_rev: i64) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let start = req.start_revision;
        let synced = start == 0 || start > current_rev;
        let w = Watcher {
            key: req.key,
            range_end: req.range_end,
            min_rev: if start == 0 { current_rev + 1 } else { start },
            prev_kv: req.prev_kv,
            no_put: req.no_put,
            no_delete: req.no_delete,
            canceled: false,
            pending: VecDeque::new(),
        };
        self.watchers.insert(id, w);
        if synced { self.synced.insert(id) } else { self.unsynced.insert(id) };
        id
    }

    pub fn cancel(&mut self, id: i64) -> bool {
        self.synced.remove(&id);
        self.unsynced.remove(&id);
        self.watchers.remove(&id).is_some()
    }

    pub fn get(&self, id: i64) -> Option<&Watcher> {
        self.watchers.get(&id)
    }

    /// Hands the events of one committed revision to every synced watcher that wants them. A
    /// watcher whose queue is full falls behind and will catch up from history.
    pub fn notify(&mut self, rev: i64, events: &[Event], kv: &KvStore, header: ResponseHeader) {
        let mut fell_behind = Vec::new();
        for id in &self.synced {
            let Some(w) = self.watchers.get_mut(id) else { continue };
            let evs = select(w, events.iter(), kv);
            if evs.is_empty() {
                w.min_rev = rev + 1;
                continue;
            }
            if w.pending.len() >= MAX_PENDING_RESPONSES {
                w.min_rev = rev;
                fell_behind.push(*id);
                continue;
            }
            w.min_rev = rev + 1;
            w.pending.push_back(WatchResponse {
                header: ResponseHeader { revision: rev, ..header },
                watch_id: *id,
                events: evs,
                ..Default::default()
            });
        }
        for id in fell_behind {
            self.synced.remove(&id);
            self.unsynced.insert(id);
        }
    }

    /// Replays history to unsynced watchers with room in their queue (etcd's `syncWatchers`).
    pub fn sync(&mut self, kv: &KvStore, header: ResponseHeader) {
        let ids: Vec<i64> = self.unsynced.iter().copied().collect();
        for id in ids {
            let Some(w) = self.watchers.get_mut(&id) else { continue };
            if w.min_rev < kv.compact_rev {
                // The history this watcher needs is gone: cancel it, telling the client where
                // history now starts so it can re-list and watch from there.
                w.pending.push_back(WatchResponse {
                    header: ResponseHeader { revision: 0, ..header },
                    watch_id: id,
                    canceled: true,
                    compact_revision: kv.compact_rev,
                    cancel_reason: super::errors::StoreError::Compacted.to_string(),
                    ..Default::default()
                });
                w.canceled = true;
                self.unsynced.remove(&id);
                continue;
            }
            while w.pending.len() < MAX_PENDING_RESPONSES && w.min_rev <= kv.current_rev {
                let (evs, next) = replay(w, kv);
                w.min_rev = next;
                if !evs.is_empty() {
                    w.pending.push_back(WatchResponse {
                        header: ResponseHeader { revision: kv.current_rev, ..header },
                        watch_id: id,
                        events: evs,
                        ..Default::default()
                    });
                }
            }
            if w.min_rev > kv.current_rev {
                self.unsynced.remove(&id);
                self.synced.insert(id);
            }
        }
    }

    /// Takes the responses waiting for watcher `id`; a cancelled watcher is then forgotten.
    pub fn take(&mut self, id: i64) -> Vec<WatchResponse> {
        let Some(w) = self.watchers.get_mut(&id) else { return Vec::new() };
        // The queue itself becomes the answer (no copy into a new vector).
        let out: Vec<WatchResponse> = std::mem::take(&mut w.pending).into();
        if w.canceled {
            self.watchers.remove(&id);
        }
        out
    }

    /// A progress notification: an empty response at the current revision, given only to a
    /// synced watcher, as etcd's `RequestProgress`.
    pub fn progress(&mut self, id: i64, header: ResponseHeader) -> bool {
        if !self.synced.contains(&id) {
            return false;
        }
        let Some(w) = self.watchers.get_mut(&id) else { return false };
        w.pending.push_back(WatchResponse { header, watch_id: id, ..Default::default() });
        true
    }
}

/// The events of `events` that watcher `w` wants, with `prev_kv` filled in when asked for.
fn select<'a>(w: &Watcher, events: impl Iterator<Item = &'a Event>, kv: &KvStore) -> Vec<Event> {
    events
        .filter(|ev| w.wants(ev))
        .map(|ev| {
            let mut ev = ev.clone();
            if w.prev_kv {
                // etcd reads the previous value at `mod_revision - 1`; compacted away means none.
                ev.prev_kv = kv.get_at(&ev.kv.key, ev.kv.mod_revision - 1).cloned();
            }
            ev
        })
        .collect()
}

/// The watcher's events from `min_rev` over at most [`MAX_REVS_PER_BATCH`] revisions, and the
/// revision to continue from.
fn replay(w: &Watcher, kv: &KvStore) -> (Vec<Event>, i64) {
    let mut evs = Vec::new();
    let mut revs = 0;
    let mut last_main = 0;
    for (rev, rec) in kv.history_from(w.min_rev) {
        if rev.main != last_main {
            if revs == MAX_REVS_PER_BATCH {
                return (evs, rev.main);
            }
            revs += 1;
            last_main = rev.main;
        }
        let kind = if rec.tombstone { EventType::Delete } else { EventType::Put };
        let ev = Event { kind, kv: rec.kv.clone(), prev_kv: None };
        evs.extend(select(w, std::iter::once(&ev), kv));
    }
    (evs, kv.current_rev + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::revision::Revision;

    fn store_with(keys: &[&str]) -> KvStore {
        let mut kv = KvStore::default();
        for (i, k) in keys.iter().enumerate() {
            kv.put(k.as_bytes(), b"v".to_vec(), 0, Revision::new(i as i64 + 2, 0));
            kv.current_rev = i as i64 + 2;
        }
        kv
    }

    #[test]
    fn a_watch_in_the_past_replays_history_then_joins_the_synced_group() {
        let kv = store_with(&["a", "b", "a"]);
        let mut hub = WatchHub::default();
        let id = hub.create(WatchCreateRequest { key: "a".into(), start_revision: 2, ..Default::default() }, kv.current_rev);
        assert!(hub.unsynced.contains(&id));
        hub.sync(&kv, ResponseHeader::default());
        assert!(hub.synced.contains(&id));
        let resps = hub.take(id);
        let revs: Vec<i64> = resps[0].events.iter().map(|e| e.kv.mod_revision).collect();
        assert_eq!((resps.len(), revs, resps[0].header.revision), (1, vec![2, 4], 4));
    }

    #[test]
    fn a_compacted_start_cancels_with_the_compact_revision() {
        let mut kv = store_with(&["a", "a", "a"]);
        kv.compact(3);
        let mut hub = WatchHub::default();
        let id = hub.create(WatchCreateRequest { key: "a".into(), start_revision: 2, ..Default::default() }, kv.current_rev);
        hub.sync(&kv, ResponseHeader::default());
        let resps = hub.take(id);
        assert!(resps[0].canceled && resps[0].compact_revision == 3);
        assert!(hub.get(id).is_none(), "forgotten once the client has read the cancel");
    }
}
