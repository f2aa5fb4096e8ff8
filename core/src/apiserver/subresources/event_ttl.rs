//! Events live for kube-apiserver's `--event-ttl` (1 hour by default): each is stored with an
//! etcd lease, so etcd itself deletes it when the lease runs out in virtual time.
//!
//! Mirrors the events registry (`pkg/registry/core/event/storage/storage.go`, whose `TTLFunc`
//! returns the TTL for every write) and the etcd3 store's lease manager
//! (`staging/src/k8s.io/apiserver/pkg/storage/etcd3/lease_manager.go`): rather than one lease
//! per event, a lease granted for `ttl + reuse` seconds (reuse = min(60 s, 5% of the TTL)) is
//! shared by every event created while it still has between `ttl` and `ttl + reuse` seconds
//! left, up to 1,000 objects. So an event disappears between one hour and one hour and a minute
//! after it was written.
//!
//! As the real manager does, the API server remembers the lease it granted last
//! ([`ApiMemory::event_lease`](crate::apiserver::ApiMemory)) and reuses only that one, checked
//! against the lessor (it may have been revoked by `etcdctl lease revoke`). Scanning every lease
//! instead cost O(leases) per event: a quarter of a 5,000-node scheduling benchmark.

use super::super::Run;
use crate::apiserver::Request;
use crate::store::LeaseGrantRequest;
use crate::trace::{Stage, Verdict};

/// `--event-ttl`'s default.
pub const EVENT_TTL_S: i64 = 3_600;
/// `--lease-reuse-duration-seconds`' default.
const LEASE_REUSE_DURATION_S: i64 = 60;
/// The lease manager's reuse share of the TTL (5%).
const LEASE_REUSE_PERCENT: i64 = 5;
/// `--lease-max-object-count`' default: objects attached to one lease at most.
const LEASE_MAX_OBJECTS: usize = 1_000;

/// core/v1 and events.k8s.io/v1 Events share `/registry/events`.
pub fn has_ttl(req: &Request) -> bool {
    req.kind.resource == "events" && matches!(req.kind.group, "" | "events.k8s.io")
}

/// The lease ID to attach to the object `req` creates: 0 (none) for everything but events.
pub fn lease_for(run: &mut Run, req: &Request) -> i64 {
    if !has_ttl(req) {
        return 0;
    }
    let ttl = EVENT_TTL_S;
    let reuse = (ttl * LEASE_REUSE_PERCENT / 100).min(LEASE_REUSE_DURATION_S);
    let now_ms = run.ctx.now.as_ms();
    let lo = now_ms.saturating_add(ttl as u64 * 1000);
    let hi = now_ms.saturating_add((ttl + reuse) as u64 * 1000);
    // Go's test is `now+ttl+reuse` strictly after the lease's expiry; its clock has advanced by
    // nanoseconds between two events, ours (in milliseconds) not between two served in one
    // instant, which must share the lease too (else a burst of events grants one each).
    let remembered = run.ctx.memory.event_lease;
    let reusable = run
        .ctx
        .store
        .lease(remembered)
        .filter(|l| l.ttl_s == ttl + reuse && l.expiry_ms > lo && l.expiry_ms <= hi && l.keys.len() < LEASE_MAX_OBJECTS)
        .map(|l| l.id);
    if let Some(id) = reusable {
        run.stage(Stage::Storage, Verdict::Passed, format!("event TTL {ttl}s: reusing lease {id:016x}"));
        return id;
    }
    match run.ctx.store.lease_grant(LeaseGrantRequest { ttl: ttl + reuse, id: 0 }) {
        Ok(granted) => {
            run.ctx.memory.event_lease = granted.id;
            run.stage(Stage::Storage, Verdict::Passed, format!("event TTL {ttl}s: granted lease {:016x} with TTL {}s", granted.id, granted.ttl));
            granted.id
        }
        // No lease, no TTL: the event is still written, as it would be without --event-ttl.
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use crate::api::lookup;
    use crate::apiserver::{handle, ApiMemory, Context, Request, User, Verb};
    use crate::sim::{Rng, Time};
    use crate::store::Store;
    use crate::trace::Trace;
    use serde_json::json;

    fn create_event(api: &mut Api, now_ms: u64, name: &str) -> i64 {
        let Api { store, trace, rng, next, memory } = api;
        store.advance_to(now_ms);
        let mut ctx = Context { store, trace, rng, now: Time(now_ms), next_request_id: next, memory };
        let kind = lookup("v1", "Event").unwrap();
        let body = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"}, "reason": "Test", "message": "m", "type": "Normal"});
        let mut req = Request::new(Verb::Create, kind, "default", "").with_body(body);
        req.user = User::apiserver();
        handle(&mut ctx, &req).result.unwrap();
        let key = format!("/registry/events/default/{name}");
        let resp = ctx.store.range(&crate::store::RangeRequest::key(key.as_bytes())).unwrap();
        resp.kvs[0].lease
    }

    /// One API server: its store, trace, RNG, request counter and memory (which remembers the
    /// last event lease, as kube-apiserver's lease manager does).
    struct Api {
        store: Store,
        trace: Trace,
        rng: Rng,
        next: u64,
        memory: ApiMemory,
    }

    /// An API server whose store holds the `default` namespace.
    fn with_default_namespace() -> Api {
        let (mut store, mut trace, mut rng, mut next, mut memory) = (Store::new(), Trace::with_capacity(10_000), Rng::new(1), 1, ApiMemory::default());
        {
            let mut ctx = Context { store: &mut store, trace: &mut trace, rng: &mut rng, now: Time(0), next_request_id: &mut next, memory: &mut memory };
            let mut ns = Request::new(Verb::Create, lookup("v1", "Namespace").unwrap(), "", "")
                .with_body(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}));
            ns.user = User::apiserver();
            handle(&mut ctx, &ns).result.unwrap();
        }
        Api { store, trace, rng, next, memory }
    }

    #[test]
    fn events_share_a_lease_within_the_reuse_window_and_expire_with_it() {
        let mut api = with_default_namespace();
        let a = create_event(&mut api, 1_000, "a");
        let b = create_event(&mut api, 30_000, "b");
        let c = create_event(&mut api, 70_000, "c");
        assert!(a != 0);
        assert_eq!(a, b, "30 s later the lease still has more than an hour left");
        assert_ne!(a, c, "past the 60 s reuse window a new lease is granted");
        let store = &mut api.store;
        assert_eq!(store.lease(a).unwrap().ttl_s, 3_660);
        // The first lease runs out 3,660 s after its grant, taking a and b with it.
        store.advance_to(1_000 + 3_660_000);
        let left = store.range(&crate::store::RangeRequest::prefix(b"/registry/events/")).unwrap();
        let names: Vec<String> = left.kvs.iter().map(|kv| String::from_utf8_lossy(&kv.key).into_owned()).collect();
        assert_eq!(names, ["/registry/events/default/c"]);
    }

    /// Events served in one virtual instant (a burst of kubelet events) share the lease, as
    /// they do in kube-apiserver, whose clock has moved by nanoseconds between them.
    #[test]
    fn events_in_one_instant_share_a_lease() {
        let mut api = with_default_namespace();
        let a = create_event(&mut api, 1_000, "a");
        let b = create_event(&mut api, 1_000, "b");
        let c = create_event(&mut api, 60_999, "c");
        let d = create_event(&mut api, 61_000, "d");
        assert_eq!(a, b);
        assert_eq!(a, c, "just under 60 s later the lease has more than an hour left");
        assert_ne!(c, d);
        assert_eq!(api.store.lease(a).unwrap().keys.len(), 3);
    }

    /// A recorder's PATCH of a repeated event is a write too: the event gets a lease granted
    /// then, so it outlives the lease it was created with.
    #[test]
    fn a_patched_event_lives_an_hour_from_its_last_write() {
        let mut api = with_default_namespace();
        let created = create_event(&mut api, 1_000, "a");
        let Api { store, trace, rng, next, memory } = &mut api;
        store.advance_to(3_000_000);
        {
            let mut ctx = Context { store, trace, rng, now: Time(3_000_000), next_request_id: next, memory };
            let mut patch = Request::new(Verb::Patch(crate::apiserver::PatchType::Strategic), lookup("v1", "Event").unwrap(), "default", "a").with_body(json!({"count": 2}));
            patch.user = User::apiserver();
            handle(&mut ctx, &patch).result.unwrap();
        }
        let key = b"/registry/events/default/a";
        let lease = store.range(&crate::store::RangeRequest::key(key)).unwrap().kvs[0].lease;
        assert!(lease != 0 && lease != created);
        store.advance_to(1_000 + 3_660_000);
        assert_eq!(store.range(&crate::store::RangeRequest::key(key)).unwrap().kvs.len(), 1, "the first lease is gone, the event is not");
        store.advance_to(3_000_000 + 3_660_000);
        assert!(store.range(&crate::store::RangeRequest::key(key)).unwrap().kvs.is_empty());
    }

    /// The remembered lease is checked against etcd: once `etcdctl lease revoke` took it (and
    /// the events on it), the next event gets a new lease rather than a put that would fail.
    #[test]
    fn a_revoked_lease_is_not_reused() {
        let mut api = with_default_namespace();
        let a = create_event(&mut api, 1_000, "a");
        api.store.lease_revoke(a).unwrap();
        let b = create_event(&mut api, 2_000, "b");
        assert!(b != 0 && b != a);
        assert_eq!(api.store.lease(b).unwrap().keys.len(), 1);
    }
}
