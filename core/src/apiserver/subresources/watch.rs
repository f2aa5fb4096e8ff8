//! The `watch` verb: the changes to a collection since a resourceVersion, as `metav1.WatchEvent`s
//! (`ADDED`, `MODIFIED`, `DELETED`, each with the object).
//!
//! Mirrors kube-apiserver's watch cache (`staging/src/k8s.io/apiserver/pkg/storage/cacher`),
//! served here straight from etcd's history: a store watch opened at `resourceVersion + 1` with
//! `prev_kv`, so an update that makes an object stop matching the selectors is a DELETED and one
//! that makes it start matching an ADDED (`watchCacheEvent` filtering in `cacher.go`). A
//! resourceVersion older than the last compaction is answered `410 Gone` with
//! `too old resource version: <rv> (<compacted>)` (`getAllEventsSinceLocked`); an empty or `0`
//! resourceVersion starts now with one synthetic ADDED per existing object.
//!
//! A real watch is a long-lived stream. The simulation serves it in chunks: each request returns
//! what happened from its resourceVersion up to the revision it is served at (at most
//! [`MAX_WATCH_EVENTS`]), and with `allowWatchBookmarks` ends with a BOOKMARK carrying that
//! revision, from which the client asks for the next chunk.

use super::super::{list_prefix, Run};
use crate::apiserver::{select, storage, Request, Status};
use crate::store::{EventType, KeyValue, WatchCreateRequest};
use crate::trace::{Stage, Verdict};
use serde_json::{json, Value};

/// Events one watch answer carries at most; the client continues from the last one.
pub const MAX_WATCH_EVENTS: usize = 1_000;

/// The first key after every key with this prefix (etcd's `--prefix` range end).
fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

/// An object as the API returns it: stored JSON with `resourceVersion` set to `rv`.
fn object_at(kv: &KeyValue, rv: i64) -> Option<Value> {
    let mut obj: Value = serde_json::from_slice(&kv.value).ok()?;
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), json!(rv.to_string()));
    }
    Some(obj)
}

fn event(kind: &str, object: Value) -> Value {
    json!({"type": kind, "object": object})
}

/// `metav1.StatusReasonExpired`: 410 Gone.
pub fn too_old(rv: i64, compacted: i64) -> Status {
    Status { code: 410, reason: "Expired", message: format!("too old resource version: {rv} ({compacted})") }
}

/// Each change this answer carries is a delivery of its write to this watcher (the requesting
/// user: `kubectl get -w`, `rollout status`), traced as the informers' deliveries are.
fn record_deliveries(run: &mut Run, req: &Request, events: &[Value]) {
    let watcher = format!("{} (watch, request {})", req.user.name, run.id);
    for e in events {
        let meta = &e["object"]["metadata"];
        let (Some(kind), Some(rv), Some(name)) = (
            e["type"].as_str().and_then(crate::trace::WatchEvent::parse),
            meta["resourceVersion"].as_str().and_then(|v| v.parse::<i64>().ok()),
            meta["name"].as_str(),
        ) else {
            continue;
        };
        let key = req.kind.etcd_key(meta["namespace"].as_str().unwrap_or(""), name);
        run.ctx.trace.push_delivery(run.ctx.now, rv, &key, kind, vec![watcher.clone()], false);
    }
}

/// Serves one watch request; the answer is a JSON array of watch events.
pub fn serve(run: &mut Run, req: &Request) -> Result<Value, Status> {
    let labels = select::LabelSelector::parse(&req.list.label_selector).map_err(Status::bad_request)?;
    let fields = select::FieldSelector::parse(&req.list.field_selector, req.kind.resource).map_err(Status::bad_request)?;
    let matches = |o: &Value| labels.matches_object(o) && fields.matches(o);
    let prefix = list_prefix(req);
    let rv_text = req.list.resource_version.as_str();
    let mut events = Vec::new();
    let from = if rv_text.is_empty() || rv_text == "0" {
        // Start now: the current state as synthetic ADDED events.
        let (items, revision, _) = storage::list(run.ctx.store, &prefix, None, 0).map_err(Status::internal)?;
        events.extend(items.into_iter().filter(|s| matches(&s.object)).take(MAX_WATCH_EVENTS).map(|s| event("ADDED", s.object)));
        revision
    } else {
        let Ok(rv) = rv_text.parse::<i64>() else {
            return run.reject(Stage::Storage, Status::bad_request(format!("invalid resource version: {rv_text}")));
        };
        let compacted = run.ctx.store.compact_revision();
        if rv < compacted {
            return run.reject(Stage::Storage, too_old(rv, compacted));
        }
        rv
    };
    let current = run.ctx.store.revision();
    // The synthetic ADDED events of a watch from `0` are the current state, not deliveries.
    let initial = events.len();
    if from < current {
        let watch = WatchCreateRequest {
            key: prefix.as_bytes().to_vec(),
            range_end: prefix_end(&prefix),
            start_revision: from + 1,
            prev_kv: true,
            ..WatchCreateRequest::default()
        };
        let id = run.ctx.store.watch(watch);
        let responses = run.ctx.store.take_watch_responses(id);
        run.ctx.store.cancel_watch(id);
        'all: for resp in responses {
            if resp.canceled {
                return run.reject(Stage::Storage, too_old(from, resp.compact_revision));
            }
            for ev in resp.events {
                if events.len() >= MAX_WATCH_EVENTS {
                    break 'all;
                }
                let rev = ev.kv.mod_revision;
                let prev = ev.prev_kv.as_ref().and_then(|p| object_at(p, p.mod_revision));
                let was = prev.as_ref().is_some_and(&matches);
                match ev.kind {
                    EventType::Delete => {
                        if let Some(obj) = ev.prev_kv.as_ref().and_then(|p| object_at(p, rev)).filter(|_| was) {
                            events.push(event("DELETED", obj));
                        }
                    }
                    EventType::Put => {
                        let Some(obj) = object_at(&ev.kv, rev) else { continue };
                        let is = matches(&obj);
                        let kind = match (was, is) {
                            (true, true) => "MODIFIED",
                            (false, true) => "ADDED",
                            (true, false) => "DELETED",
                            (false, false) => continue,
                        };
                        events.push(event(kind, obj));
                    }
                }
            }
        }
    }
    record_deliveries(run, req, events.get(initial..).unwrap_or(&[]));
    run.stage(Stage::Storage, Verdict::Passed, format!("watch {prefix} from revision {from} to {current}: {} events", events.len()));
    if req.list.allow_watch_bookmarks {
        let object = json!({"apiVersion": req.kind.api_version(), "kind": req.kind.kind, "metadata": {"resourceVersion": current.to_string()}});
        events.push(event("BOOKMARK", object));
    }
    Ok(Value::Array(events))
}

#[cfg(test)]
mod tests {
    use crate::api::lookup;
    use crate::apiserver::{handle, Context, Request, Verb};
    use crate::sim::{Rng, Time};
    use crate::store::{CompactionRequest, Store};
    use crate::trace::Trace;
    use serde_json::{json, Value};

    /// A request from `system:masters`: the bare store has no RBAC policy.
    fn req(verb: Verb, kind: &'static crate::api::KindInfo, ns: &str, name: &str) -> Request {
        let mut r = Request::new(verb, kind, ns, name);
        r.user = crate::apiserver::User::apiserver();
        r
    }

    fn cm(name: &str, app: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default", "labels": {"app": app}}, "data": {"k": "v"}})
    }

    #[test]
    fn watch_replays_changes_since_a_revision_and_expires_after_compaction() {
        let mut store = Store::new();
        let mut trace = Trace::with_capacity(10_000);
        let mut rng = Rng::new(1);
        let mut next = 1;
        let mut ctx = Context { store: &mut store, trace: &mut trace, rng: &mut rng, now: Time(0), next_request_id: &mut next, memory: &mut Default::default() };
        let kind = lookup("v1", "ConfigMap").unwrap();
        let ns = lookup("v1", "Namespace").unwrap();
        let create_ns = req(Verb::Create, ns, "", "").with_body(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}));
        handle(&mut ctx, &create_ns).result.unwrap();
        let start = ctx.store.revision();
        handle(&mut ctx, &req(Verb::Create, kind, "default", "").with_body(cm("a", "web"))).result.unwrap();
        handle(&mut ctx, &req(Verb::Create, kind, "default", "").with_body(cm("b", "db"))).result.unwrap();
        // a stops matching app=web: a DELETED for this watcher.
        let mut moved = cm("a", "other");
        moved["data"]["k"] = json!("w");
        handle(&mut ctx, &req(Verb::Update, kind, "default", "a").with_body(moved)).result.unwrap();

        let mut watch = req(Verb::Watch, kind, "default", "");
        watch.list.resource_version = start.to_string();
        watch.list.label_selector = "app=web".into();
        watch.list.allow_watch_bookmarks = true;
        assert_eq!(watch.path(), format!("/api/v1/namespaces/default/configmaps?resourceVersion={start}&watch=true"));
        let events = handle(&mut ctx, &watch).result.unwrap();
        let types: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["ADDED", "DELETED", "BOOKMARK"]);
        assert_eq!(events[2]["object"]["metadata"]["resourceVersion"], ctx.store.revision().to_string());

        // Starting now: one synthetic ADDED per object.
        watch.list.resource_version = "0".into();
        watch.list.label_selector.clear();
        watch.list.allow_watch_bookmarks = false;
        let events = handle(&mut ctx, &watch).result.unwrap();
        assert_eq!(events.as_array().unwrap().len(), 2);

        let now = ctx.store.revision();
        ctx.store.compact(CompactionRequest { revision: now, ..Default::default() }).unwrap();
        watch.list.resource_version = start.to_string();
        let err = handle(&mut ctx, &watch).result.unwrap_err();
        assert_eq!((err.code, err.reason), (410, "Expired"));
        assert_eq!(err.message, format!("too old resource version: {start} ({now})"));
    }
}
