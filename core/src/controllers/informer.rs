//! A small shared informer: one per resource type, fed by an etcd watch, holding a cache of the
//! objects as kube-apiserver would return them (JSON with `metadata.resourceVersion` set from the
//! key's `mod_revision`).
//!
//! Like client-go's reflector it starts with a LIST and then watches from the list's revision. The
//! LIST goes through the API server (so it is traced, under kube-controller-manager's identity);
//! the watch is opened on the store at `list revision + 1`, which stands in for kube-apiserver's
//! watch cache serving `?watch=1&resourceVersion=<rv>`. Reading the cache costs no request.
//!
//! Each sync returns what the watch delivered ([`Delivered`]): the control plane records one
//! watch-delivery record per write and queues the keys the event concerns, as client-go's event
//! handlers enqueue an object's key and its controller owner's (`resolveControllerRef`).
//!
//! It also keeps the step's [`Notification`]s, what client-go's shared informer hands its event
//! handlers (`OnAdd`, `OnUpdate(old, new)`, `OnDelete`): the LIST's objects as adds, each watch
//! event, and the periodic resync. A controller with a work queue reads them to queue keys.
//!
//! Resync: an informer of kube-controller-manager's shared informer factory re-delivers every
//! object it caches as an update whose old and new objects are the same, every resync period:
//! `--min-resync-period` (12 h) times a factor drawn once between 1 and 2 (`ResyncPeriod`), so
//! between 12 and 24 h. It reads only the cache: no request, no write. Handlers that compare
//! resourceVersions ignore it; the deployment and replicaset controllers sync the key again,
//! which is what lets a key whose retries were given up be tried once more.

use crate::api::KindInfo;
use crate::apiserver::{handle, watch_memo, Context, Request, User, Verb};
use crate::sim::{Duration, Time};
use crate::store::{EventType, WatchCreateRequest};
use crate::trace::WatchEvent;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// At most this many objects per informer; more are dropped (and the LIST is not repeated).
/// Above issue 8's Deployment of 100,000 replicas, which at 10,000 the scheduler could never
/// finish (it saw only the first 10,000 pods); etcd's 2 GiB quota bounds the objects anyway.
const MAX_CACHED_OBJECTS: usize = 200_000;

/// kube-controller-manager's `--min-resync-period` default: 12 h.
pub const MIN_RESYNC_PERIOD: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug)]
pub struct Informer {
    pub kind: &'static KindInfo,
    /// The etcd watch, once the initial LIST is done.
    watch_id: Option<i64>,
    /// Objects by etcd key (`/registry/pods/default/web-…`), so iteration is by namespace, name.
    /// Change it only through [`Informer::insert`] and [`Informer::remove`], which keep
    /// `by_node` in step.
    pub cache: BTreeMap<String, Value>,
    /// The keys of the cached objects with a `spec.nodeName`, by node: client-go's indexer with
    /// a `spec.nodeName` index, which is how a kubelet's or the pod GC's per-node lookups cost
    /// the pods of one node rather than every pod in the cluster.
    by_node: BTreeMap<String, BTreeSet<String>>,
    /// What the last sync handed the event handlers.
    notifications: Vec<Notification>,
    /// Whether this informer resyncs, and once drawn at the first LIST, its period.
    resync: Option<Option<Duration>>,
    /// When the next resync is due.
    next_resync: Option<Time>,
    /// Whether the last sync was a LIST, whose objects come as notifications but not as
    /// deliveries.
    listed: bool,
}

/// One call of a shared informer's event handlers. The object is the cache's (by `key`) for an
/// add or update; an update carries the version it replaced, a delete the last version cached.
#[derive(Clone, Debug, PartialEq)]
pub enum Notification {
    /// `OnAdd`: a watch ADDED, or an object of the LIST.
    Added { key: String },
    /// `OnUpdate(old, new)` for a MODIFIED event (or a relist that found a newer version).
    Updated { key: String, old: Value },
    /// `OnUpdate(obj, obj)` from the periodic resync: nothing changed.
    Resynced { key: String },
    /// `OnDelete` with the last state the cache held.
    Deleted { key: String, old: Value },
}

impl Notification {
    /// The etcd key of the object it is about.
    pub fn key(&self) -> &str {
        match self {
            Notification::Added { key } | Notification::Updated { key, .. } | Notification::Resynced { key } | Notification::Deleted { key, .. } => key,
        }
    }
}

/// One watch event an informer applied to its cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    pub revision: i64,
    /// The etcd key (`/registry/pods/default/web-…`).
    pub key: String,
    pub event: WatchEvent,
    /// The work-queue keys the event concerns, as (resource, `namespace/name`): the object's own
    /// and each owner's.
    pub queues: Vec<(String, String)>,
    /// For a pod, the node it is bound to: that node's kubelet watches it.
    pub node: Option<String>,
    /// For a pod, its labels: the Services selecting it are queued too.
    pub labels: BTreeMap<String, String>,
}

/// The work-queue key client-go's `MetaNamespaceKeyFunc` makes: `namespace/name`, or `name`.
pub fn queue_key(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}/{name}")
    }
}

/// `ResyncPeriod`: `--min-resync-period` times a factor in [1, 2), drawn from the seeded RNG.
/// From a copy of it, which leaves the run's one sequence where it was: a draw from the sequence
/// itself would change every name generated after it. Every informer drawing at the same
/// moment gets the same period, as the one draw of kube-controller-manager's shared factory.
pub fn resync_period(rng: &crate::sim::Rng) -> Duration {
    let min = MIN_RESYNC_PERIOD.0;
    Duration(min + rng.clone().below(min))
}

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

impl Informer {
    pub fn new(kind: &'static KindInfo) -> Self {
        Informer { kind, watch_id: None, cache: BTreeMap::new(), by_node: BTreeMap::new(), notifications: Vec::new(), resync: None, next_resync: None, listed: false }
    }

    /// An informer of kube-controller-manager's shared factory that resyncs: its period is drawn
    /// at the first LIST ([`resync_period`]).
    pub fn with_resync(mut self) -> Self {
        self.resync = Some(None);
        self
    }

    /// Whether the last sync listed (the first, or after the watch was compacted away).
    pub fn listed(&self) -> bool {
        self.listed
    }

    /// What the event handlers were handed in this step's sync, in order.
    pub fn notifications(&self) -> &[Notification] {
        &self.notifications
    }

    /// Whether [`notifications`](Informer::notifications) holds every call of this step (none
    /// was dropped at the bound), so a handler may rely on them alone.
    pub fn notifications_complete(&self) -> bool {
        self.notifications.len() < 2 * MAX_CACHED_OBJECTS
    }

    /// When the next resync is due, if this informer resyncs.
    pub fn next_resync(&self) -> Option<Time> {
        self.next_resync
    }

    fn notify(&mut self, n: Notification) {
        // A step's notifications are its writes plus, at a resync, one per cached object.
        if self.notifications.len() < 2 * MAX_CACHED_OBJECTS {
            self.notifications.push(n);
        }
    }

    fn key_of(&self, obj: &Value) -> String {
        let ns = obj["metadata"]["namespace"].as_str().unwrap_or("");
        let name = obj["metadata"]["name"].as_str().unwrap_or("");
        self.kind.etcd_key(ns, name)
    }

    /// What an event about `obj` (at `key`) tells the control plane.
    fn delivered(&self, revision: i64, key: String, event: WatchEvent, obj: &Value) -> Delivered {
        // From the key, which a deleted object the cache never held still has.
        let rest = key.strip_prefix(self.kind.etcd_prefix().as_str()).and_then(|r| r.strip_prefix('/')).unwrap_or("");
        let (ns, name) = if self.kind.namespaced { rest.split_once('/').unwrap_or(("", rest)) } else { ("", rest) };
        let mut queues = vec![(self.kind.resource.to_string(), queue_key(ns, name))];
        for owner in obj["metadata"]["ownerReferences"].as_array().into_iter().flatten() {
            let (Some(api_version), Some(kind), Some(owner_name)) = (owner["apiVersion"].as_str(), owner["kind"].as_str(), owner["name"].as_str()) else {
                continue;
            };
            if let Some(k) = crate::api::lookup(api_version, kind) {
                let q = (k.resource.to_string(), queue_key(if k.namespaced { ns } else { "" }, owner_name));
                if !queues.contains(&q) {
                    queues.push(q);
                }
            }
        }
        let is_pod = self.kind.resource == "pods" && self.kind.group.is_empty();
        let node = if is_pod { obj["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()).map(str::to_string) } else { None };
        let labels = if is_pod {
            obj["metadata"]["labels"].as_object().into_iter().flatten().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect()
        } else {
            BTreeMap::new()
        };
        Delivered { revision, key, event, queues, node, labels }
    }

    /// Brings the cache up to date: the LIST on first use, then whatever the watch delivered.
    /// Returns the events applied (none for the LIST).
    pub fn sync(&mut self, ctx: &mut Context) -> Vec<Delivered> {
        self.notifications.clear();
        self.listed = self.watch_id.is_none();
        let changes = self.list_and_watch(ctx);
        if self.next_resync.is_some_and(|due| ctx.now >= due) {
            let keys: Vec<String> = self.cache.keys().cloned().collect();
            for key in keys {
                self.notify(Notification::Resynced { key });
            }
            self.next_resync = self.resync.flatten().map(|p| ctx.now.after(p));
        }
        changes
    }

    fn list_and_watch(&mut self, ctx: &mut Context) -> Vec<Delivered> {
        let prefix = format!("{}/", self.kind.etcd_prefix());
        let Some(id) = self.watch_id else {
            let mut list = Request::new(Verb::List, self.kind, "", "");
            list.user = User::named("system:kube-controller-manager", &[]);
            let Ok(reply) = handle(ctx, &list).result else { return Vec::new() };
            let revision: i64 = reply["metadata"]["resourceVersion"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
            // A relist after the watch expired replaces the cache (`Replace`): what is gone is
            // deleted, what changed updated, the rest added.
            let mut previous = std::mem::take(&mut self.cache);
            self.by_node.clear();
            for item in reply["items"].as_array().into_iter().flatten().take(MAX_CACHED_OBJECTS) {
                let key = self.key_of(item);
                let mut item = item.clone();
                trim_managed_fields(&mut item);
                match previous.remove(&key) {
                    Some(old) if old == item => {}
                    Some(old) => self.notify(Notification::Updated { key: key.clone(), old }),
                    None => self.notify(Notification::Added { key: key.clone() }),
                }
                self.insert(key, item);
            }
            for (key, old) in previous {
                self.notify(Notification::Deleted { key, old });
            }
            if let Some(period) = self.resync {
                let period = period.unwrap_or_else(|| resync_period(ctx.rng));
                self.resync = Some(Some(period));
                self.next_resync = Some(ctx.now.after(period));
            }
            let watch = WatchCreateRequest {
                key: prefix.as_bytes().to_vec(),
                range_end: prefix_end(&prefix),
                start_revision: revision + 1,
                ..WatchCreateRequest::default()
            };
            self.watch_id = Some(ctx.store.watch(watch));
            return Vec::new();
        };
        let mut changes = Vec::new();
        for resp in ctx.store.take_watch_responses(id) {
            if resp.canceled {
                // Compacted past our revision: relist next time, as a reflector does on 410 Gone.
                // The cache stays until the relist replaces it.
                self.watch_id = None;
                return changes;
            }
            for ev in resp.events {
                let key = String::from_utf8_lossy(&ev.kv.key).into_owned();
                let revision = ev.kv.mod_revision;
                match ev.kind {
                    EventType::Delete => {
                        // The deleted object is the last version the cache held.
                        let old = self.remove(&key).unwrap_or(Value::Null);
                        changes.push(self.delivered(revision, key.clone(), WatchEvent::Deleted, &old));
                        self.notify(Notification::Deleted { key, old });
                    }
                    EventType::Put => {
                        // The API server's own decoded copy of what it wrote, if it kept it.
                        let obj = match watch_memo::take(&ev.kv) {
                            Some(obj) => obj,
                            None => {
                                let Ok(mut obj) = serde_json::from_slice::<Value>(&ev.kv.value) else { continue };
                                if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                                    meta.insert("resourceVersion".into(), json!(revision.to_string()));
                                }
                                trim_managed_fields(&mut obj);
                                obj
                            }
                        };
                        let event = if ev.kv.create_revision == revision { WatchEvent::Added } else { WatchEvent::Modified };
                        changes.push(self.delivered(revision, key.clone(), event, &obj));
                        if self.cache.len() < MAX_CACHED_OBJECTS || self.cache.contains_key(&key) {
                            // The handlers are told by what the cache held, as the indexer does.
                            match self.insert(key.clone(), obj) {
                                Some(old) => self.notify(Notification::Updated { key, old }),
                                None => self.notify(Notification::Added { key }),
                            }
                        }
                    }
                }
            }
        }
        changes
    }

    /// `resolveControllerRef`: the cached object of this informer's kind that `obj`'s controller
    /// ownerReference names, if the uid matches (a same-named successor is not the owner).
    pub fn resolve_controller_ref(&self, obj: &Value) -> Option<&Value> {
        let owner = obj["metadata"]["ownerReferences"].as_array()?.iter().find(|r| r["controller"] == json!(true))?;
        if owner["kind"].as_str() != Some(self.kind.kind) || owner["apiVersion"].as_str() != Some(self.kind.api_version().as_str()) {
            return None;
        }
        let ns = obj["metadata"]["namespace"].as_str().unwrap_or("");
        let found = self.get(ns, owner["name"].as_str()?)?;
        (found["metadata"]["uid"] == owner["uid"]).then_some(found)
    }

    /// The object of a notification: the cache's for an add, update or resync, the last version
    /// cached for a delete.
    pub fn object_of<'a>(&'a self, n: &'a Notification) -> Option<&'a Value> {
        match n {
            Notification::Deleted { old, .. } => Some(old),
            _ => self.cache.get(n.key()),
        }
    }

    /// Every version of an object this step's notifications concern, by namespace: the current
    /// one (the last one for a delete) and, for an update, the old one too, as an event
    /// handler's `updatePod(old, new)` looks at both to find who cared before and who cares now.
    pub fn notified_by_namespace(&self) -> BTreeMap<&str, Vec<&Value>> {
        let mut by_ns: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
        for n in &self.notifications {
            let old = match n {
                Notification::Updated { old, .. } => Some(old),
                _ => None,
            };
            for obj in self.object_of(n).into_iter().chain(old) {
                by_ns.entry(obj["metadata"]["namespace"].as_str().unwrap_or("")).or_default().push(obj);
            }
        }
        by_ns
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.cache.values()
    }

    /// The cached objects of one namespace, in key order: the indexer's namespace index (keys
    /// are `<prefix>/<namespace>/<name>`, so they are one range of the cache).
    pub fn in_namespace<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a Value> + 'a {
        let from = format!("{}/{namespace}/", self.kind.etcd_prefix());
        self.cache.range(from.clone()..).take_while(move |(k, _)| k.starts_with(&from)).map(|(_, v)| v)
    }

    /// The cached objects whose `spec.nodeName` is `node`, in key order (as [`Informer::values`]
    /// would give them).
    pub fn on_node<'a>(&'a self, node: &str) -> impl Iterator<Item = &'a Value> + 'a {
        self.by_node.get(node).into_iter().flatten().filter_map(|key| self.cache.get(key))
    }

    /// [`on_node`](Informer::on_node) with each object's cache key.
    pub fn on_node_keyed<'a>(&'a self, node: &str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.by_node.get(node).into_iter().flatten().filter_map(|key| Some((key.as_str(), self.cache.get(key)?)))
    }

    /// The nodes a cached object's `spec.nodeName` names, in order, each once.
    pub fn node_names(&self) -> impl Iterator<Item = &str> {
        self.by_node.keys().map(String::as_str)
    }

    /// Caches `obj` under `key`, returning the version it replaced.
    pub fn insert(&mut self, key: String, obj: Value) -> Option<Value> {
        let node = obj["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()).map(str::to_string);
        let old = self.cache.insert(key.clone(), obj);
        if let Some(old) = &old {
            self.unindex(&key, old);
        }
        if let Some(node) = node {
            self.by_node.entry(node).or_default().insert(key);
        }
        old
    }

    /// Drops `key` from the cache, returning what it held.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let old = self.cache.remove(key)?;
        self.unindex(key, &old);
        Some(old)
    }

    fn unindex(&mut self, key: &str, old: &Value) {
        let Some(node) = old["spec"]["nodeName"].as_str() else { return };
        if let Some(keys) = self.by_node.get_mut(node) {
            keys.remove(key);
            if keys.is_empty() {
                self.by_node.remove(node);
            }
        }
    }

    pub fn get(&self, namespace: &str, name: &str) -> Option<&Value> {
        self.cache.get(&self.kind.etcd_key(namespace, name))
    }
}

/// The cache keys of one informer's objects a predicate holds for, kept from each step's
/// notifications (as a controller's filtered event handlers keep their own set) instead of found
/// by scanning the cache: filled from the whole cache on the first update, then changed only for
/// the keys notified, since a cached object changes only with a notification. In key order.
#[derive(Debug, Default)]
pub struct KeysWhere {
    keys: Option<BTreeSet<String>>,
}

impl KeysWhere {
    /// Brings the set up to date with `informer`'s notifications of this step. Call it at every
    /// step, always with the same predicate.
    pub fn update(&mut self, informer: &Informer, holds: impl Fn(&Value) -> bool) {
        // After a relist, or with notifications dropped at their bound, the set is found again.
        if informer.listed() || !informer.notifications_complete() {
            self.keys = None;
        }
        let Some(keys) = self.keys.as_mut() else {
            self.keys = Some(informer.cache.iter().filter(|(_, o)| holds(o)).map(|(k, _)| k.clone()).collect());
            return;
        };
        for n in informer.notifications() {
            let key = n.key();
            if informer.cache.get(key).is_some_and(&holds) {
                if !keys.contains(key) {
                    keys.insert(key.to_string());
                }
            } else {
                keys.remove(key);
            }
        }
    }

    /// The objects in the set, from `informer`'s cache, in key order.
    pub fn objects<'c>(&self, informer: &'c Informer) -> Vec<&'c Value> {
        self.keys.iter().flatten().filter_map(|k| informer.cache.get(k)).collect()
    }
}

/// The informer factories' transform: kube-controller-manager's shared informers
/// (`CreateControllerContext`: "Informer transform to trim ManagedFields for memory efficiency")
/// and kube-scheduler's pod informer (`newPodInformer`) drop `metadata.managedFields` before an
/// object is cached. Nothing reads them from a cache, and an update sent from a cached copy
/// without them keeps the stored ones, so only memory changes: a pod's managedFields are a tree
/// of small maps, about two thirds of its decoded size.
fn trim_managed_fields(obj: &mut Value) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Rng;
    use crate::store::Store;
    use crate::trace::Trace;

    #[test]
    fn the_resync_period_is_twelve_to_twenty_four_hours_and_leaves_the_rng_alone() {
        for seed in 0..50 {
            let rng = Rng::new(seed);
            let period = resync_period(&rng);
            assert!(period >= MIN_RESYNC_PERIOD && period.0 < 2 * MIN_RESYNC_PERIOD.0, "{period:?}");
            // The same moment, the same period: one draw for the whole factory.
            assert_eq!(resync_period(&rng), period);
            assert_eq!(rng.clone().next_u64(), Rng::new(seed).next_u64());
        }
    }

    #[test]
    fn a_resync_re_delivers_every_cached_object_without_a_request_or_a_write() {
        let Some(kind) = crate::api::lookup("apps/v1", "ReplicaSet") else { panic!("ReplicaSet is served") };
        let (mut store, mut trace, mut rng, mut next) = (Store::new(), Trace::with_capacity(100), Rng::new(1), 1);
        let mut informer = Informer::new(kind).with_resync();
        let watch = WatchCreateRequest { key: b"/registry/replicasets/".to_vec(), range_end: prefix_end("/registry/replicasets/"), ..Default::default() };
        informer.watch_id = Some(store.watch(watch));
        for name in ["a", "b"] {
            informer.cache.insert(kind.etcd_key("default", name), json!({"metadata": {"name": name, "namespace": "default", "resourceVersion": "7"}}));
        }
        let period = Duration::from_secs(13 * 3600);
        informer.resync = Some(Some(period));
        informer.next_resync = Some(Time(period.0));
        let (revision, records) = (store.revision(), trace.records().len());
        let mut memory = crate::apiserver::ApiMemory::default();
        let mut sync_at = |informer: &mut Informer, now: u64| {
            let mut ctx = Context { store: &mut store, trace: &mut trace, rng: &mut rng, now: Time(now), next_request_id: &mut next, memory: &mut memory };
            let delivered = informer.sync(&mut ctx).len();
            (delivered, ctx.store.revision(), ctx.trace.records().len())
        };
        // Not yet due: nothing.
        assert_eq!(sync_at(&mut informer, period.0 - 1), (0, revision, records));
        assert!(informer.notifications().is_empty());
        // Due: every object, as an update that changes nothing, read from the cache alone (no
        // request, no write); the next one a period later.
        assert_eq!(sync_at(&mut informer, period.0), (0, revision, records));
        let keys: Vec<&str> = informer.notifications().iter().map(Notification::key).collect();
        assert_eq!(keys, ["/registry/replicasets/default/a", "/registry/replicasets/default/b"]);
        assert!(informer.notifications().iter().all(|n| matches!(n, Notification::Resynced { .. })));
        assert_eq!(informer.next_resync(), Some(Time(2 * period.0)));
        // The step after, the notifications are gone.
        sync_at(&mut informer, period.0 + 1);
        assert!(informer.notifications().is_empty());
    }

    #[test]
    fn a_controller_reference_resolves_only_to_the_owner_with_that_uid() {
        let Some(kind) = crate::api::lookup("apps/v1", "ReplicaSet") else { panic!("ReplicaSet is served") };
        let mut informer = Informer::new(kind);
        informer.cache.insert(kind.etcd_key("default", "web-1"), json!({"metadata": {"name": "web-1", "namespace": "default", "uid": "u1"}}));
        let pod = |uid: &str, controller: bool| {
            json!({"metadata": {"namespace": "default", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": uid, "controller": controller}]}})
        };
        assert!(informer.resolve_controller_ref(&pod("u1", true)).is_some());
        // A successor with the same name, or an owner that is not the controller: no.
        assert!(informer.resolve_controller_ref(&pod("u0", true)).is_none());
        assert!(informer.resolve_controller_ref(&pod("u1", false)).is_none());
    }
    #[test]
    fn the_cache_drops_managed_fields_as_the_informer_factories_transform_does() {
        let Some(kind) = crate::api::lookup("v1", "Pod") else { panic!("Pod is served") };
        let (mut store, mut trace, mut rng, mut next) = (Store::new(), Trace::with_capacity(100), Rng::new(1), 1);
        let mut informer = Informer::new(kind);
        let watch = WatchCreateRequest { key: b"/registry/pods/".to_vec(), range_end: prefix_end("/registry/pods/"), ..Default::default() };
        informer.watch_id = Some(store.watch(watch));
        let key = kind.etcd_key("default", "web");
        let stored = json!({"metadata": {"name": "web", "namespace": "default", "managedFields": [{"manager": "kubectl", "operation": "Update"}]}});
        let put = crate::store::PutRequest { key: key.as_bytes().to_vec(), value: serde_json::to_vec(&stored).unwrap_or_default(), ..Default::default() };
        assert!(store.put(put).is_ok());
        let mut memory = crate::apiserver::ApiMemory::default();
        let mut ctx = Context { store: &mut store, trace: &mut trace, rng: &mut rng, now: Time(0), next_request_id: &mut next, memory: &mut memory };
        assert_eq!(informer.sync(&mut ctx).len(), 1);
        let revision = ctx.store.revision().to_string();
        // Cached without them (and with the key's revision); etcd keeps them.
        assert_eq!(informer.cache.get(&key), Some(&json!({"metadata": {"name": "web", "namespace": "default", "resourceVersion": revision}})));
        let mut no_fields = Value::Null;
        trim_managed_fields(&mut no_fields);
        assert_eq!(no_fields, Value::Null);
    }
    #[test]
    fn the_namespace_and_node_indexes_agree_with_a_scan() {
        let Some(kind) = crate::api::lookup("v1", "Pod") else { panic!("Pod is served") };
        let mut informer = Informer::new(kind);
        for (ns, name, node) in [("default", "a", "n2"), ("default-2", "b", "n1"), ("default", "c", ""), ("kube-system", "d", "n1"), ("default", "e", "n2")] {
            informer.insert(kind.etcd_key(ns, name), json!({"metadata": {"name": name, "namespace": ns}, "spec": {"nodeName": node}}));
        }
        let names = |it: &mut dyn Iterator<Item = &Value>| it.map(|p| p["metadata"]["name"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>();
        assert_eq!(names(&mut informer.in_namespace("default")), ["a", "c", "e"]);
        assert_eq!(names(&mut informer.in_namespace("default-2")), ["b"]);
        assert!(informer.in_namespace("def").next().is_none());
        assert_eq!(informer.node_names().collect::<Vec<_>>(), ["n1", "n2"]);
        informer.remove(&kind.etcd_key("default-2", "b"));
        informer.remove(&kind.etcd_key("kube-system", "d"));
        assert_eq!(informer.node_names().collect::<Vec<_>>(), ["n2"]);
    }
    #[test]
    fn a_key_set_kept_from_notifications_agrees_with_a_scan() {
        let Some(kind) = crate::api::lookup("v1", "Pod") else { panic!("Pod is served") };
        let mut informer = Informer::new(kind);
        let unbound = |p: &Value| p["spec"]["nodeName"].as_str().is_none_or(str::is_empty);
        let pod = |name: &str, node: &str| json!({"metadata": {"name": name, "namespace": "default"}, "spec": {"nodeName": node}});
        let mut set = KeysWhere::default();
        informer.insert(kind.etcd_key("default", "a"), pod("a", ""));
        informer.insert(kind.etcd_key("default", "b"), pod("b", "n1"));
        set.update(&informer, unbound);
        let names = |set: &KeysWhere, informer: &Informer| set.objects(informer).iter().map(|p| p["metadata"]["name"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>();
        assert_eq!(names(&set, &informer), ["a"]);
        // The next steps see only their notifications.
        informer.insert(kind.etcd_key("default", "c"), pod("c", ""));
        informer.insert(kind.etcd_key("default", "a"), pod("a", "n2"));
        informer.notifications = vec![
            Notification::Added { key: kind.etcd_key("default", "c") },
            Notification::Updated { key: kind.etcd_key("default", "a"), old: pod("a", "") },
        ];
        set.update(&informer, unbound);
        assert_eq!(names(&set, &informer), ["c"]);
        let old = informer.remove(&kind.etcd_key("default", "c")).unwrap_or(Value::Null);
        informer.notifications = vec![Notification::Deleted { key: kind.etcd_key("default", "c"), old }];
        set.update(&informer, unbound);
        assert!(names(&set, &informer).is_empty());
    }
}
