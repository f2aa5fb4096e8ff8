//! The etcd store's own workload, as `core/benches/store_bench.rs` runs it in full (with memory
//! per key and the real etcd beside it): sequential puts of small values to new keys (etcd's
//! `benchmark put`), single-key ranges scattered over them, and watch fan-out, every put to a
//! prefix delivered to each of `watchers` watchers of it (`benchmark watch`).

use crate::store::{PutRequest, RangeRequest, Store, StoreConfig, WatchCreateRequest};

/// etcd's defaults (`--snapshot-count 100000`) without the backend quota, which a million
/// keys would not reach anyway.
pub fn config() -> StoreConfig {
    StoreConfig { snapshot_count: 100_000, quota_bytes: i64::MAX, ..StoreConfig::default() }
}

fn key(i: usize) -> Vec<u8> {
    format!("/registry/k{i:08}").into_bytes()
}

/// `n` puts of an 8-byte value to keys of 20 bytes, built before they are sent.
pub fn put_requests(n: usize) -> Vec<PutRequest> {
    (0..n).map(|i| PutRequest { key: key(i), value: b"value-01".to_vec(), ..Default::default() }).collect()
}

/// Applies the puts in order; the store's revision after them.
pub fn put_all(store: &mut Store, requests: Vec<PutRequest>) -> Result<i64, String> {
    let mut revision = 0;
    for r in requests {
        revision = store.put(r).map_err(|e| format!("{e:?}"))?.header.revision;
    }
    Ok(revision)
}

/// `n` single-key gets scattered over the first `keys` keys.
pub fn get_requests(n: usize, keys: usize) -> Vec<RangeRequest> {
    (0..n).map(|i| RangeRequest::key(&key((i * 7919) % keys.max(1)))).collect()
}

/// Serves the gets; how many found their key.
pub fn get_all(store: &Store, requests: &[RangeRequest]) -> usize {
    requests.iter().map(|g| store.range(g).map_or(0, |r| r.kvs.len())).sum()
}

/// `watchers` watchers on one prefix.
pub struct FanOut {
    pub store: Store,
    ids: Vec<i64>,
}

impl FanOut {
    pub fn new(watchers: usize) -> Self {
        let mut store = Store::with_config(config());
        let ids = (0..watchers).map(|_| store.watch(WatchCreateRequest { key: b"/fan/".to_vec(), range_end: b"/fan0".to_vec(), ..Default::default() })).collect();
        FanOut { store, ids }
    }

    /// `puts` puts under the prefix, in batches of 100, each batch's events taken by every
    /// watcher; the events delivered in all.
    pub fn run(&mut self, puts: usize) -> usize {
        let mut delivered = 0;
        let mut i = 0;
        while i < puts {
            for _ in 0..100.min(puts - i) {
                let _ = self.store.put(PutRequest { key: format!("/fan/{i}").into_bytes(), value: b"v".to_vec(), ..Default::default() });
                i += 1;
            }
            for id in &self.ids {
                delivered += self.store.take_watch_responses(*id).iter().map(|r| r.events.len()).sum::<usize>();
            }
        }
        delivered
    }
}
