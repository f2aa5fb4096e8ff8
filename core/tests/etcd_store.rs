//! The store through its public API: the MVCC invariants etcd guarantees, lease expiry in
//! virtual time, watches that fall behind, the quota, and restore from snapshot + WAL.

use kubeplay::store::*;

fn put(s: &mut Store, k: &str, v: &str) -> i64 {
    s.put(PutRequest { key: k.into(), value: v.into(), ..Default::default() }).expect("put").header.revision
}

fn get_at(s: &Store, k: &str, rev: i64) -> Result<Vec<KeyValue>, StoreError> {
    s.range(&RangeRequest { revision: rev, ..RangeRequest::key(k.as_bytes()) }).map(|r| r.kvs)
}

fn all_at(s: &Store, rev: i64) -> Result<RangeResponse, StoreError> {
    s.range(&RangeRequest { key: vec![0], range_end: vec![0], revision: rev, ..Default::default() })
}

#[test]
fn every_write_request_is_one_revision() {
    let mut s = Store::new();
    assert_eq!(s.revision(), 1);
    assert_eq!(put(&mut s, "a", "1"), 2);
    let t = s
        .txn(TxnRequest {
            success: vec![
                RequestOp::Put(PutRequest { key: "b".into(), value: "1".into(), ..Default::default() }),
                RequestOp::Put(PutRequest { key: "c".into(), value: "1".into(), ..Default::default() }),
                RequestOp::DeleteRange(DeleteRangeRequest { key: "a".into(), ..Default::default() }),
            ],
            ..Default::default()
        })
        .expect("txn");
    assert_eq!(t.header.revision, 3);
    let none = s.delete_range(DeleteRangeRequest { key: "zzz".into(), ..Default::default() }).expect("del");
    assert_eq!((none.deleted, none.header.revision), (0, 3));
    assert_eq!(get_at(&s, "a", 2).expect("read").len(), 1);
    assert!(get_at(&s, "a", 3).expect("read").is_empty());
}

#[test]
fn compaction_errors_and_keeps_the_compacted_revision_readable() {
    let mut s = Store::new();
    for v in ["1", "2", "3"] {
        put(&mut s, "k", v);
    }
    s.compact(CompactionRequest { revision: 3, physical: false }).expect("compact");
    assert_eq!(get_at(&s, "k", 2), Err(StoreError::Compacted));
    assert_eq!(get_at(&s, "k", 3).expect("read")[0].value, b"2");
    assert_eq!(get_at(&s, "k", 9), Err(StoreError::FutureRev));
    assert_eq!(s.compact(CompactionRequest { revision: 3, physical: false }).err(), Some(StoreError::Compacted));
    assert_eq!(StoreError::Compacted.to_string(), "etcdserver: mvcc: required revision has been compacted");
}

#[test]
fn lease_expiry_deletes_every_key_in_one_revision() {
    let mut s = Store::new();
    let l = s.lease_grant(LeaseGrantRequest { ttl: 5, id: 0 }).expect("grant").id;
    for k in ["x", "y", "z"] {
        s.put(PutRequest { key: k.into(), value: "v".into(), lease: l, ..Default::default() }).expect("put");
    }
    let w = s.watch(WatchCreateRequest { key: vec![0], range_end: vec![0], ..Default::default() });
    let before = s.revision();
    assert!(s.advance_to(4_999).is_empty());
    assert_eq!(s.advance_to(5_000), vec![l]);
    assert_eq!(s.revision(), before + 1);
    let resps = s.take_watch_responses(w);
    assert_eq!(resps.len(), 1);
    assert_eq!(resps[0].events.len(), 3);
    assert!(resps[0].events.iter().all(|e| e.kind == EventType::Delete && e.kv.mod_revision == before + 1));
    assert_eq!(s.lease_time_to_live(l, true).ttl, -1);
}

#[test]
fn a_watcher_that_falls_behind_catches_up_from_history() {
    let mut s = Store::new();
    let w = s.watch(WatchCreateRequest { key: "k".into(), ..Default::default() });
    for i in 0..1_000 {
        put(&mut s, "k", &i.to_string());
    }
    let resps = s.take_watch_responses(w);
    let revs: Vec<i64> = resps.iter().flat_map(|r| r.events.iter().map(|e| e.kv.mod_revision)).collect();
    assert_eq!(revs, (2..1_002).collect::<Vec<_>>());
    put(&mut s, "k", "live");
    assert_eq!(s.take_watch_responses(w)[0].events[0].kv.value, b"live");
}

#[test]
fn watch_filters_and_progress() {
    let mut s = Store::new();
    let w = s.watch(WatchCreateRequest { key: "a".into(), range_end: "b".into(), no_put: true, ..Default::default() });
    put(&mut s, "a1", "x");
    s.delete_range(DeleteRangeRequest { key: "a1".into(), ..Default::default() }).expect("del");
    let evs: Vec<EventType> = s.take_watch_responses(w).iter().flat_map(|r| r.events.iter().map(|e| e.kind)).collect();
    assert_eq!(evs, vec![EventType::Delete]);
    assert!(s.request_progress(w));
    let p = s.take_watch_responses(w);
    assert!(p[0].events.is_empty() && p[0].header.revision == s.revision());
}

#[test]
fn the_quota_refuses_writes_past_it() {
    let mut s = Store::with_config(StoreConfig { quota_bytes: 64 * 1024, ..Default::default() });
    let big = "x".repeat(4_000);
    let mut err = None;
    for i in 0..100 {
        if let Err(e) = s.put(PutRequest { key: format!("k{i}").into(), value: big.clone().into(), ..Default::default() }) {
            err = Some(e);
            break;
        }
    }
    assert_eq!(err.map(|e| e.to_string()), Some("etcdserver: mvcc: database space exceeded".to_string()));
    assert!(s.range(&RangeRequest::key(b"k0")).is_ok(), "reads still work");
    // The NOSPACE alarm is sticky: even a tiny write fails until it is disarmed.
    let tiny = || PutRequest { key: "t".into(), value: "1".into(), ..Default::default() };
    assert_eq!(s.put(tiny()).err(), Some(StoreError::NoSpace));
    let member = s.config().member_id;
    assert_eq!(s.status().errors, vec![format!("memberID:{member} alarm:NOSPACE ")]);
    assert_eq!(s.alarm_disarm().len(), 1);
    assert!(s.status().errors.is_empty());
}

#[test]
fn etcdctl_shows_the_nospace_alarm() {
    use kubeplay::cli::etcdctl;
    let mut s = Store::with_config(StoreConfig { quota_bytes: 40 * 1024, ..Default::default() });
    let words = |l: &str| kubeplay::cli::split_words(l).expect("words");
    let big = "x".repeat(8_000);
    let mut last = etcdctl::run(&words(&format!("put k0 {big}")), &mut s);
    for i in 1..10 {
        if !last.success() {
            break;
        }
        last = etcdctl::run(&words(&format!("put k{i} {big}")), &mut s);
    }
    assert_eq!(last.stderr, "Error: etcdserver: mvcc: database space exceeded\n");
    let member = s.config().member_id;
    assert_eq!(etcdctl::run(&words("alarm list"), &mut s).stdout, format!("memberID:{member} alarm:NOSPACE \n"));
    assert!(etcdctl::run(&words("endpoint status"), &mut s).stdout.ends_with(&format!("memberID:{member} alarm:NOSPACE \n")));
    assert_eq!(etcdctl::run(&words("alarm disarm"), &mut s).stdout, format!("memberID:{member} alarm:NOSPACE \n"));
    assert_eq!(etcdctl::run(&words("alarm list"), &mut s).stdout, "");
}

#[test]
fn request_limits_are_etcds() {
    let mut s = Store::new();
    let huge = PutRequest { key: "k".into(), value: vec![b'x'; MAX_REQUEST_BYTES], ..Default::default() };
    assert_eq!(s.put(huge).err(), Some(StoreError::RequestTooLarge));
    assert_eq!(s.put(PutRequest::default()).err(), Some(StoreError::EmptyKey));
    let ops = (0..129).map(|i| RequestOp::Put(PutRequest { key: format!("k{i}").into(), ..Default::default() })).collect();
    assert_eq!(s.txn(TxnRequest { success: ops, ..Default::default() }).err(), Some(StoreError::TooManyOps));
    assert_eq!(s.revision(), 1);
}

/// A workload touching every kind of WAL entry, with snapshots taken along the way.
fn busy_store(config: StoreConfig) -> Store {
    let mut s = Store::with_config(config);
    let lease = s.lease_grant(LeaseGrantRequest { ttl: 1_000, id: 0 }).expect("grant").id;
    // A short lease that expires part-way through, deleting its keys in one revision.
    let short = s.lease_grant(LeaseGrantRequest { ttl: 10, id: 0 }).expect("grant").id;
    for k in ["/short/a", "/short/b"] {
        s.put(PutRequest { key: k.into(), value: "v".into(), lease: short, ..Default::default() }).expect("put");
    }
    for i in 0..60 {
        let k = format!("/registry/k{}", i % 7);
        let lease = if i % 5 == 0 { lease } else { 0 };
        s.put(PutRequest { key: k.clone().into(), value: format!("v{i}").into(), lease, ..Default::default() }).expect("put");
        if i % 9 == 0 {
            s.delete_range(DeleteRangeRequest { key: k.into(), ..Default::default() }).expect("del");
        }
        if i % 11 == 0 {
            let cmp = Compare { key: "/registry/k1".into(), range_end: vec![], result: CompareResult::Greater, target: CompareTarget::Mod(0) };
            let op = RequestOp::Put(PutRequest { key: format!("/txn/{i}").into(), ..Default::default() });
            s.txn(TxnRequest { compare: vec![cmp], success: vec![op.clone()], failure: vec![] }).expect("txn");
        }
        if i == 25 || i == 45 {
            let rev = s.revision() - 3;
            s.compact(CompactionRequest { revision: rev, physical: false }).expect("compact");
        }
        s.advance_to(s.now_ms() + 1_000);
    }
    s
}

#[test]
fn restore_from_snapshot_and_wal_gives_an_identical_store() {
    let config = StoreConfig { snapshot_count: 7, ..Default::default() };
    let live = busy_store(config.clone());
    assert!(live.snapshots().len() > 1, "snapshots were taken");
    assert!(live.compact_revision() > 0);
    let snap = live.latest_snapshot().expect("a snapshot");
    let restored = Store::restore(config, &snap, live.wal());
    assert_eq!(restored.revision(), live.revision());
    assert_eq!(restored.compact_revision(), live.compact_revision());
    assert_eq!(restored.index_snapshot(), live.index_snapshot(), "key index and backend, key by key");
    for rev in live.compact_revision()..=live.revision() {
        assert_eq!(all_at(&restored, rev), all_at(&live, rev), "range at revision {rev}");
    }
    assert_eq!(restored.lease_leases().leases, live.lease_leases().leases);
    // A snapshot keeps leases without their keys (etcd's lease bucket); restore attaches each
    // live key to the lease its newest record names.
    assert!(snap.leases.values().all(|l| l.keys.is_empty()));
    let attached: Vec<_> = live.lease_leases().leases.iter().map(|id| live.lease_time_to_live(*id, true).keys).collect();
    assert!(attached.iter().any(|keys| !keys.is_empty()), "some lease has keys: {attached:?}");
    for id in live.lease_leases().leases {
        let (r, l) = (restored.lease_time_to_live(id, true), live.lease_time_to_live(id, true));
        assert_eq!((r.granted_ttl, r.keys), (l.granted_ttl, l.keys), "lease {id:x}");
    }
    assert_eq!(restored.wal().last().map(|e| e.index), live.wal().last().map(|e| e.index));
    assert_eq!(restored.status().raft_index, live.status().raft_index);
}

#[test]
fn restore_is_identical_for_every_snapshot_spacing_also_right_after_compaction() {
    for count in 3..=12 {
        let config = StoreConfig { snapshot_count: count, ..Default::default() };
        let mut live = busy_store(config.clone());
        put(&mut live, "/after", "1");
        let rev = live.revision() - 1;
        live.compact(CompactionRequest { revision: rev, physical: true }).expect("compact");
        put(&mut live, "/after", "2");
        let snap = live.latest_snapshot().expect("a snapshot");
        let restored = Store::restore(config, &snap, live.wal());
        assert_eq!(restored.index_snapshot(), live.index_snapshot(), "snapshot-count {count}");
        assert_eq!((restored.revision(), restored.compact_revision()), (live.revision(), live.compact_revision()));
        for rev in live.compact_revision()..=live.revision() {
            assert_eq!(all_at(&restored, rev), all_at(&live, rev), "snapshot-count {count}, revision {rev}");
        }
    }
}

#[test]
fn a_prefix_fingerprint_moves_with_every_change_under_the_prefix_and_only_then() {
    let mut s = Store::new();
    put(&mut s, "/r/a", "1");
    let b = put(&mut s, "/r/b", "1");
    let before = s.fingerprint(b"/r/");
    assert_eq!(before, (2, b));
    // Writes elsewhere leave it.
    put(&mut s, "/other", "x");
    assert_eq!(s.fingerprint(b"/r/"), before);
    // An update, a create and a delete each move it.
    let a = put(&mut s, "/r/a", "2");
    assert_eq!(s.fingerprint(b"/r/"), (2, a));
    let c = put(&mut s, "/r/c", "1");
    assert_eq!(s.fingerprint(b"/r/"), (3, c));
    s.delete_range(DeleteRangeRequest { key: "/r/c".into(), ..Default::default() }).expect("del");
    assert_eq!(s.fingerprint(b"/r/"), (2, a));
    s.delete_range(DeleteRangeRequest { key: "/r/b".into(), ..Default::default() }).expect("del");
    assert_eq!(s.fingerprint(b"/r/"), (1, a));
}
