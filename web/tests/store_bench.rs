//! The etcd store's throughput compiled to wasm, in headless Chromium: the browser half of
//! BENCHMARKS.md (the native half is `core/benches/store_bench.rs`). Ignored in `make test`;
//! run on purpose with
//! `CHROMEDRIVER=$(command -v chromedriver) cargo test -p kubeplay-web --target wasm32-unknown-unknown --release --test store_bench -- --include-ignored --nocapture`.

use kubeplay::store::{RangeRequest, Store, StoreConfig, WatchCreateRequest, PutRequest, prefix_range_end};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn key(i: usize) -> Vec<u8> {
    format!("/registry/k{i:08}").into_bytes()
}

fn store() -> Store {
    Store::with_config(StoreConfig { snapshot_count: 100_000, quota_bytes: i64::MAX, ..StoreConfig::default() })
}

#[wasm_bindgen_test]
#[ignore]
fn store_throughput_in_the_browser() {
    let n = 200_000;
    let mut s = store();
    let t = now_ms();
    for i in 0..n {
        let _ = s.put(PutRequest { key: key(i), value: b"12345678".to_vec(), ..Default::default() });
    }
    let put_ms = now_ms() - t;

    let t = now_ms();
    let gets = 100_000;
    for i in 0..gets {
        let _ = s.range(&RangeRequest::key(&key((i * 7919) % n)));
    }
    let get_ms = now_ms() - t;

    let mut w = store();
    let prefix = b"/registry/".to_vec();
    let ids: Vec<i64> = (0..1000)
        .map(|_| w.watch(WatchCreateRequest { key: prefix.clone(), range_end: prefix_range_end(&prefix), ..Default::default() }))
        .collect();
    let puts = 1000;
    let t = now_ms();
    let mut delivered = 0;
    for i in 0..puts {
        let _ = w.put(PutRequest { key: key(i), value: b"v".to_vec(), ..Default::default() });
        for id in &ids {
            delivered += w.take_watch_responses(*id).iter().map(|r| r.events.len()).sum::<usize>();
        }
    }
    let watch_ms = now_ms() - t;
    web_sys::console::log_1(
        &format!(
            "wasm store: {:.0} puts/s ({n} puts), {:.0} gets/s, {:.0} watch events delivered/s (1,000 watchers, {delivered} events)",
            n as f64 / put_ms * 1000.0,
            gets as f64 / get_ms * 1000.0,
            delivered as f64 / watch_ms * 1000.0
        )
        .into(),
    );
    assert!(delivered >= puts);
}
