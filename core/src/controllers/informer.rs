//! A small shared informer: one per resource type, fed by an etcd watch, holding a cache of the
//! objects as kube-apiserver would return them (JSON with `metadata.resourceVersion` set from the
//! key's `mod_revision`).
//!
//! Like client-go's reflector it starts with a LIST and then watches from the list's revision. The
//! LIST goes through the API server (so it is traced, under kube-controller-manager's identity);
//! the watch is opened on the store at `list revision + 1`, which stands in for kube-apiserver's
//! watch cache serving `?watch=1&resourceVersion=<rv>`. Reading the cache costs no request.

use crate::api::KindInfo;
use crate::apiserver::{handle, Context, Request, User, Verb};
use crate::store::{EventType, WatchCreateRequest};
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

    /// Brings the cache up to date: the LIST on first use, then whatever the watch delivered.
    /// Returns how many changes were applied.
    pub fn sync(&mut self, ctx: &mut Context) -> usize {
        let prefix = format!("{}/", self.kind.etcd_prefix());
        let Some(id) = self.watch_id else {
            let mut list = Request::new(Verb::List, self.kind, "", "");
            list.user = User::named("system:kube-controller-manager", &[]);
            let Ok(reply) = handle(ctx, &list).result else { return 0 };
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
            return self.cache.len();
        };
        let mut changes = 0;
        for resp in ctx.store.take_watch_responses(id) {
            if resp.canceled {
                // Compacted past our revision: relist next time, as a reflector does on 410 Gone.
                self.watch_id = None;
                self.cache.clear();
                return changes;
            }
            for ev in resp.events {
                let key = String::from_utf8_lossy(&ev.kv.key).into_owned();
                match ev.kind {
                    EventType::Delete => {
                        self.cache.remove(&key);
                    }
                    EventType::Put => {
                        let Ok(mut obj) = serde_json::from_slice::<Value>(&ev.kv.value) else { continue };
                        if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                            meta.insert("resourceVersion".into(), json!(ev.kv.mod_revision.to_string()));
                        }
                        if self.cache.len() < MAX_CACHED_OBJECTS || self.cache.contains_key(&key) {
                            self.cache.insert(key, obj);
                        }
                    }
                }
                changes += 1;
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
