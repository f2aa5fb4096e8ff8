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
//! The real manager remembers the previous lease in memory; here the lessor's own table is that
//! memory: the newest lease of exactly `ttl + reuse` seconds whose expiry is in the reuse window.

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
    let reusable = run
        .ctx
        .store
        .lease_leases()
        .leases
        .into_iter()
        .filter_map(|id| run.ctx.store.lease(id))
        .filter(|l| l.ttl_s == ttl + reuse && l.expiry_ms > lo && l.expiry_ms < hi && l.keys.len() < LEASE_MAX_OBJECTS)
        .max_by_key(|l| (l.expiry_ms, l.id))
        .map(|l| l.id);
    if let Some(id) = reusable {
        run.stage(Stage::Storage, Verdict::Passed, format!("event TTL {ttl}s: reusing lease {id:016x}"));
        return id;
    }
    match run.ctx.store.lease_grant(LeaseGrantRequest { ttl: ttl + reuse, id: 0 }) {
        Ok(granted) => {
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
    use crate::apiserver::{handle, Context, Request, User, Verb};
    use crate::sim::{Rng, Time};
    use crate::store::Store;
    use crate::trace::Trace;
    use serde_json::json;

    fn create_event(store: &mut Store, trace: &mut Trace, rng: &mut Rng, next: &mut u64, now_ms: u64, name: &str) -> i64 {
        store.advance_to(now_ms);
        let mut ctx = Context { store, trace, rng, now: Time(now_ms), next_request_id: next, memory: &mut Default::default() };
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

    /// A store holding the `default` namespace, with the trace, RNG and request counter that
    /// created it.
    fn with_default_namespace() -> (Store, Trace, Rng, u64) {
        let (mut store, mut trace, mut rng, mut next) = (Store::new(), Trace::with_capacity(10_000), Rng::new(1), 1);
        {
            let mut ctx = Context { store: &mut store, trace: &mut trace, rng: &mut rng, now: Time(0), next_request_id: &mut next, memory: &mut Default::default() };
            let mut ns = Request::new(Verb::Create, lookup("v1", "Namespace").unwrap(), "", "")
                .with_body(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}));
            ns.user = User::apiserver();
            handle(&mut ctx, &ns).result.unwrap();
        }
        (store, trace, rng, next)
    }

    #[test]
    fn events_share_a_lease_within_the_reuse_window_and_expire_with_it() {
        let (mut store, mut trace, mut rng, mut next) = with_default_namespace();
        let a = create_event(&mut store, &mut trace, &mut rng, &mut next, 1_000, "a");
        let b = create_event(&mut store, &mut trace, &mut rng, &mut next, 30_000, "b");
        let c = create_event(&mut store, &mut trace, &mut rng, &mut next, 70_000, "c");
        assert!(a != 0);
        assert_eq!(a, b, "30 s later the lease still has more than an hour left");
        assert_ne!(a, c, "past the 60 s reuse window a new lease is granted");
        assert_eq!(store.lease(a).unwrap().ttl_s, 3_660);
        // The first lease runs out 3,660 s after its grant, taking a and b with it.
        store.advance_to(1_000 + 3_660_000);
        let left = store.range(&crate::store::RangeRequest::prefix(b"/registry/events/")).unwrap();
        let names: Vec<String> = left.kvs.iter().map(|kv| String::from_utf8_lossy(&kv.key).into_owned()).collect();
        assert_eq!(names, ["/registry/events/default/c"]);
    }

    /// A recorder's PATCH of a repeated event is a write too: the event gets a lease granted
    /// then, so it outlives the lease it was created with.
    #[test]
    fn a_patched_event_lives_an_hour_from_its_last_write() {
        let (mut store, mut trace, mut rng, mut next) = with_default_namespace();
        let created = create_event(&mut store, &mut trace, &mut rng, &mut next, 1_000, "a");
        store.advance_to(3_000_000);
        {
            let mut ctx = Context { store: &mut store, trace: &mut trace, rng: &mut rng, now: Time(3_000_000), next_request_id: &mut next, memory: &mut Default::default() };
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
}
