//! The storage stage: how kube-apiserver's etcd3 store reads and writes objects.
//!
//! Mirrors `k8s.io/apiserver/pkg/storage/etcd3/store.go`: values are the object's JSON (the
//! simulation stores JSON, as `--storage-media-type=application/json` would), `resourceVersion`
//! is never stored but filled from the key's `mod_revision` on every read; create is a txn that
//! puts only if the key's `create_revision` is 0 (`OptimisticPut(key, data, 0)`), update and
//! delete are txns guarded by the `mod_revision` the caller read.

use crate::store::{
    Compare, CompareResult, CompareTarget, DeleteRangeRequest, KeyValue, PutRequest, RangeRequest, RequestOp, Store,
    StoreError, TxnRequest,
};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// Why a guarded write did not happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteError {
    /// The compare failed: for create the key exists, for update/delete it moved on.
    Conflict,
    Store(StoreError),
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> Self {
        WriteError::Store(e)
    }
}

/// An object read from etcd, with `metadata.resourceVersion` filled from `mod_revision`.
#[derive(Clone, Debug)]
pub struct Stored {
    pub object: Value,
    pub mod_revision: i64,
}

fn with_resource_version(kv: &KeyValue) -> Option<Stored> {
    let object = super::decode_cache::owned(kv)?;
    Some(Stored { object, mod_revision: kv.mod_revision })
}

/// The value written to etcd: the object without `resourceVersion` (etcd's revision is its source).
/// Serialised as it stands, skipping that one key, rather than from a copy without it.
///
/// The text is written into a buffer kept between writes and copied out at its length: grown
/// from nothing, a 2 KB pod took six allocations and was stored with 4 KB of capacity.
pub fn encode(object: &Value) -> Vec<u8> {
    /// The largest buffer kept for the next write; a bigger one is let go after its write.
    const KEPT: usize = 1 << 20;
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    let write = |buf: &mut Vec<u8>| {
        buf.clear();
        let text = match serde_json::to_writer(&mut *buf, &WithoutResourceVersion(object)) {
            Ok(()) => buf.to_vec(),
            Err(_) => Vec::new(),
        };
        if buf.capacity() > KEPT {
            *buf = Vec::new();
        }
        text
    };
    BUFFER.with(|b| match b.try_borrow_mut() {
        Ok(mut buf) => write(&mut buf),
        Err(_) => write(&mut Vec::new()),
    })
}

/// An object serialised as `serde_json` would serialise it with `metadata.resourceVersion`
/// removed (when `metadata` is an object): the same entries, in the same order.
struct WithoutResourceVersion<'a>(&'a Value);

/// A map serialised without one key.
struct MapWithout<'a>(&'a Map<String, Value>, &'static str);

impl Serialize for MapWithout<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let MapWithout(map, skip) = self;
        let len = map.len() - usize::from(map.contains_key(*skip));
        let mut out = s.serialize_map(Some(len))?;
        for (k, v) in map.iter().filter(|(k, _)| k.as_str() != *skip) {
            out.serialize_entry(k, v)?;
        }
        out.end()
    }
}

impl Serialize for WithoutResourceVersion<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Value::Object(top) = self.0 else { return self.0.serialize(s) };
        let mut out = s.serialize_map(Some(top.len()))?;
        for (k, v) in top {
            match v {
                Value::Object(meta) if k == "metadata" => out.serialize_entry(k, &MapWithout(meta, "resourceVersion"))?,
                _ => out.serialize_entry(k, v)?,
            }
        }
        out.end()
    }
}

/// Whether two objects are equal once `metadata.resourceVersion` is removed from both (as
/// [`encode`] removes it), compared in place rather than on copies.
pub fn same_but_resource_version(a: &Value, b: &Value) -> bool {
    fn without(m: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
        m.iter().filter(|(k, _)| k.as_str() != "resourceVersion")
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((ka, va), (kb, vb))| {
                    ka == kb
                        && match (va, vb) {
                            (Value::Object(ma), Value::Object(mb)) if ka == "metadata" => without(ma).eq(without(mb)),
                            _ => va == vb,
                        }
                })
        }
        _ => a == b,
    }
}

/// The object at `key` now (a `Range` of the key at the current revision, read in place).
pub fn get(store: &Store, key: &str) -> Result<Option<Stored>, StoreError> {
    if key.is_empty() {
        return Err(StoreError::EmptyKey);
    }
    Ok(store.get_current(key.as_bytes()).and_then(with_resource_version))
}

/// [`get`]'s object, shared with the decode cache rather than copied (`decode_cache.rs`), for
/// readers that only look at it.
pub fn get_shared(store: &Store, key: &str) -> Option<Rc<Value>> {
    store.get_current(key.as_bytes()).and_then(super::decode_cache::shared)
}

/// Every object under `prefix` now, shared as [`get_shared`]'s are, in key order (what
/// [`list`] returns with no start and no limit).
pub fn list_shared(store: &Store, prefix: &str) -> Vec<Rc<Value>> {
    store.prefix_current(prefix.as_bytes()).into_iter().filter_map(super::decode_cache::shared).collect()
}

/// Every object under `prefix` (which must end in `/`), from `start` (inclusive) on, at most
/// `limit` of them when `limit > 0`. Returns the objects, the revision of the read, and whether
/// more remain.
pub fn list(store: &Store, prefix: &str, start: Option<&str>, limit: i64) -> Result<(Vec<Stored>, i64, bool), StoreError> {
    let mut req = RangeRequest::prefix(prefix.as_bytes());
    if let Some(s) = start {
        req.key = s.as_bytes().to_vec();
    }
    req.limit = limit.max(0);
    let resp = store.range(&req)?;
    let items = resp.kvs.iter().filter_map(with_resource_version).collect();
    Ok((items, resp.header.revision, resp.more))
}

fn guard(key: &str, target: CompareTarget) -> Compare {
    Compare { key: key.as_bytes().to_vec(), range_end: Vec::new(), result: CompareResult::Equal, target }
}

/// `If(target(key) == value) Then(op)`: the one txn shape kube-apiserver's etcd3 store uses for
/// every write. Returns the new revision, or `Conflict` when the compare failed.
fn guarded(store: &mut Store, key: &str, target: CompareTarget, op: RequestOp) -> Result<i64, WriteError> {
    let resp = store.txn(TxnRequest { compare: vec![guard(key, target)], success: vec![op], failure: Vec::new() })?;
    if resp.succeeded {
        Ok(resp.header.revision)
    } else {
        Err(WriteError::Conflict)
    }
}

/// `If(create_revision(key) == 0) Then(Put)` (`OptimisticPut(key, data, 0)`).
pub fn create(store: &mut Store, key: &str, object: &Value, lease: i64) -> Result<i64, WriteError> {
    let value = encode(object);
    let put = PutRequest { key: key.as_bytes().to_vec(), value: value.clone(), lease, ..Default::default() };
    let revision = guarded(store, key, CompareTarget::Create(0), RequestOp::Put(put))?;
    super::watch_memo::remember(key, &value, revision, object);
    Ok(revision)
}

/// `If(mod_revision(key) == expected) Then(Put)`. The put carries `lease` (0 for none): etcd
/// detaches a key from its lease on a put without one, so a TTL'd object (an Event) must be given
/// its lease again on every update, as the etcd3 store's `GuaranteedUpdate` does with `ttlOpts`.
pub fn update(store: &mut Store, key: &str, object: &Value, expected: i64, lease: i64) -> Result<i64, WriteError> {
    let value = encode(object);
    let put = PutRequest { key: key.as_bytes().to_vec(), value: value.clone(), lease, ..Default::default() };
    let revision = guarded(store, key, CompareTarget::Mod(expected), RequestOp::Put(put))?;
    super::watch_memo::remember(key, &value, revision, object);
    Ok(revision)
}

/// `If(mod_revision(key) == expected) Then(Delete)`.
pub fn delete(store: &mut Store, key: &str, expected: i64) -> Result<i64, WriteError> {
    let del = DeleteRangeRequest { key: key.as_bytes().to_vec(), ..Default::default() };
    guarded(store, key, CompareTarget::Mod(expected), RequestOp::DeleteRange(del))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn removed(v: &Value) -> Value {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        v
    }

    #[test]
    fn encode_and_compare_leave_out_only_the_resource_version() {
        let objects = [
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "resourceVersion": "7", "uid": "u"}, "spec": {"x": [1, {"y": "z"}]}}),
            json!({"metadata": {"name": "a", "uid": "u"}, "spec": {"x": [1, {"y": "z"}]}, "apiVersion": "v1", "kind": "Pod"}),
            json!({"metadata": {"resourceVersion": "7"}}),
            json!({"metadata": {}}),
            json!({"metadata": "odd", "resourceVersion": "top-level stays"}),
            json!({"metadata": "odd", "resourceVersion": "top-level stays", "x": null}),
            json!([1, 2]),
            json!(null),
        ];
        for a in &objects {
            assert_eq!(encode(a), serde_json::to_vec(&removed(a)).unwrap_or_default(), "{a}");
            for b in &objects {
                assert_eq!(same_but_resource_version(a, b), removed(a) == removed(b), "{a} vs {b}");
            }
        }
    }
}
