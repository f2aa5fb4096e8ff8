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

use crate::api::KindInfo;
use crate::apiserver::{handle, Context, Request, User, Verb};
use crate::store::{EventType, WatchCreateRequest};
use crate::trace::WatchEvent;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// At most this many objects per informer; more are dropped (and the LIST is not repeated).
const MAX_CACHED_OBJECTS: usize = 10_000;

#[derive(Debug)]
pub struct Informer {
    pub kind: &'static KindInfo,
    /// The etcd watch, once the initial LIST is done.
    watch_id: Option<i64>,
    /// Objects by etcd key (`/registry/pods/default/web-…`), so iteration is by namespace, name.
    pub cache: BTreeMap<String, Value>,
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
        Informer { kind, watch_id: None, cache: BTreeMap::new() }
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
        let prefix = format!("{}/", self.kind.etcd_prefix());
        let Some(id) = self.watch_id else {
            let mut list = Request::new(Verb::List, self.kind, "", "");
            list.user = User::named("system:kube-controller-manager", &[]);
            let Ok(reply) = handle(ctx, &list).result else { return Vec::new() };
            let revision: i64 = reply["metadata"]["resourceVersion"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
            for item in reply["items"].as_array().into_iter().flatten().take(MAX_CACHED_OBJECTS) {
                let key = self.key_of(item);
                self.cache.insert(key, item.clone());
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
                self.watch_id = None;
                self.cache.clear();
                return changes;
            }
            for ev in resp.events {
                let key = String::from_utf8_lossy(&ev.kv.key).into_owned();
                let revision = ev.kv.mod_revision;
                match ev.kind {
                    EventType::Delete => {
                        // The deleted object is the last version the cache held.
                        let old = self.cache.remove(&key).unwrap_or(Value::Null);
                        changes.push(self.delivered(revision, key, WatchEvent::Deleted, &old));
                    }
                    EventType::Put => {
                        let Ok(mut obj) = serde_json::from_slice::<Value>(&ev.kv.value) else { continue };
                        if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                            meta.insert("resourceVersion".into(), json!(revision.to_string()));
                        }
                        let event = if ev.kv.create_revision == revision { WatchEvent::Added } else { WatchEvent::Modified };
                        changes.push(self.delivered(revision, key.clone(), event, &obj));
                        if self.cache.len() < MAX_CACHED_OBJECTS || self.cache.contains_key(&key) {
                            self.cache.insert(key, obj);
                        }
                    }
                }
            }
        }
        changes
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.cache.values()
    }

    pub fn get(&self, namespace: &str, name: &str) -> Option<&Value> {
        self.cache.get(&self.kind.etcd_key(namespace, name))
    }
}
