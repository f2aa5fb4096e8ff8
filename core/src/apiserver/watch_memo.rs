//! The objects the API server has just written, decoded, for the informers its watch feeds.
//! kube-apiserver's watch cache decodes each write once for all its watchers; here every
//! informer parsed each watch event's bytes again, though the API server held that very object
//! a moment before (BENCHMARKS.md: a tenth of a 5,000-node scheduling run).
//!
//! A write ([`remember`]) keeps a copy of the object it stored, in the form an informer caches
//! it: `metadata.resourceVersion` set from the write's revision and `metadata.managedFields`
//! left out (the informers drop them, see `trim_managed_fields`). The informer [`take`]s it by
//! etcd key, and gets it only when the event's `mod_revision` and value bytes are exactly those
//! written, so it gets what parsing would (another cluster in this thread, or a snapshot
//! restored to an older revision, has other bytes). An object with a fractional number is not
//! kept: its text need not parse back to the same `f64`.
//!
//! An entry is taken, not shared, since one informer per kind reads a write; a second reader
//! parses as before. Events, which no informer watches, are not kept. Bounded: past
//! [`MAX_ENTRIES`] (writes no informer reads) it starts over; and when it fills up without a
//! single [`take`] since it last started over, nobody is reading watch events (a script of
//! writes that never steps the control plane, the API-writes benchmark), so it stops copying
//! until the next `take` shows a reader again. Whether an object is remembered changes only
//! how fast an informer gets it, never what it gets.

use crate::store::KeyValue;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Entries kept at most: more than one step's writes of a 5,000-pod burst.
pub const MAX_ENTRIES: usize = 8192;

struct Entry {
    mod_revision: i64,
    value: Vec<u8>,
    object: Value,
}

#[derive(Default)]
struct Memo {
    entries: BTreeMap<Vec<u8>, Entry>,
    /// A `take` was asked for since the entries last started over.
    read: bool,
    /// The entries filled up with no `take` in between: copying waits for the next `take`.
    dormant: bool,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Keeps `object`, just stored under `key` as `value` at `revision`, for the informers.
pub fn remember(key: &str, value: &[u8], revision: i64, object: &Value) {
    // No informer watches Events, the most frequent writes: copying them would only cost.
    if key.starts_with("/registry/events/") {
        return;
    }
    MEMO.with(|m| {
        let Ok(mut m) = m.try_borrow_mut() else { return };
        if m.dormant {
            return;
        }
        if m.entries.len() >= MAX_ENTRIES && !m.entries.contains_key(key.as_bytes()) {
            m.entries.clear();
            m.dormant = !m.read;
            m.read = false;
            if m.dormant {
                return;
            }
        }
        let Some(mut copy) = exact_copy(object) else { return };
        if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), Value::String(revision.to_string()));
        }
        m.entries.insert(key.as_bytes().to_vec(), Entry { mod_revision: revision, value: value.to_vec(), object: copy });
    });
}

/// The object of a watch event's `kv` as an informer caches it, if the write that stored these
/// bytes at this revision was remembered (and not taken yet).
pub fn take(kv: &KeyValue) -> Option<Value> {
    let object = MEMO.with(|m| {
        let mut m = m.try_borrow_mut().ok()?;
        m.read = true;
        m.dormant = false;
        let e = m.entries.get(&kv.key)?;
        if e.mod_revision != kv.mod_revision || e.value != kv.value {
            return None;
        }
        m.entries.remove(&kv.key).map(|e| e.object)
    })?;
    #[cfg(debug_assertions)]
    assert_eq!(Some(&object), informer_form(kv).as_ref(), "watch memo differs from the parsed object");
    Some(object)
}

/// What an informer makes of `kv` without the memo: the bytes parsed, `resourceVersion` set,
/// managed fields dropped.
#[cfg(any(test, debug_assertions))]
fn informer_form(kv: &KeyValue) -> Option<Value> {
    let mut object: Value = serde_json::from_slice(&kv.value).ok()?;
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), Value::String(kv.mod_revision.to_string()));
        meta.remove("managedFields");
    }
    Some(object)
}

/// A copy of `v` without `metadata.managedFields`, or `None` if it
/// holds a number that is not an integer. Checked first, then copied subtree by subtree (a
/// B-tree's own clone, which is faster than inserting key by key).
fn exact_copy(v: &Value) -> Option<Value> {
    if !integral(v) {
        return None;
    }
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, item) in map {
                let item = match item {
                    Value::Object(meta) if k == "metadata" => {
                        Value::Object(meta.iter().filter(|(mk, _)| mk.as_str() != "managedFields").map(|(mk, mv)| (mk.clone(), mv.clone())).collect())
                    }
                    _ => item.clone(),
                };
                out.insert(k.clone(), item);
            }
            Some(Value::Object(out))
        }
        other => Some(other.clone()),
    }
}

/// Whether every number in `v` is an integer (whose text parses back to itself).
fn integral(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_i64() || n.is_u64(),
        Value::Array(items) => items.iter().all(integral),
        Value::Object(map) => map.values().all(integral),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::storage::encode;
    use serde_json::json;

    fn kv(key: &str, rev: i64, value: Vec<u8>) -> KeyValue {
        KeyValue { key: key.as_bytes().to_vec(), mod_revision: rev, value, ..Default::default() }
    }

    #[test]
    fn a_remembered_object_is_what_the_informer_would_parse_and_only_for_its_bytes() {
        let pod = json!({"metadata": {"name": "p", "resourceVersion": "3", "managedFields": [{"manager": "m"}], "labels": {"a": "b"}},
            "spec": {"priority": -5, "big": u64::MAX, "list": [1, {"x": null}, "s\u{e9}\n"]}});
        let key = "/registry/pods/default/p";
        let bytes = encode(&pod);
        remember(key, &bytes, 9, &pod);
        // Another store's bytes or revision for the key: not taken (and the entry stays).
        assert_eq!(take(&kv(key, 8, bytes.clone())), None);
        assert_eq!(take(&kv(key, 9, encode(&json!({"metadata": {"name": "q"}})))), None);
        let k = kv(key, 9, bytes);
        let got = take(&k);
        assert!(got.is_some());
        assert_eq!(got, informer_form(&k));
        assert_eq!(take(&k), None, "taken once");
        // A fractional number is never kept.
        let f = json!({"metadata": {"name": "f"}, "spec": {"ratio": 0.1}});
        let fb = encode(&f);
        remember("/registry/x/f", &fb, 4, &f);
        assert_eq!(take(&kv("/registry/x/f", 4, fb)), None);
    }

    /// A memo that fills up with no `take` in between stops copying; the next `take` wakes it.
    #[test]
    fn writes_nobody_reads_stop_being_copied_until_a_reader_asks() {
        let pod = |i: usize| json!({"metadata": {"name": format!("p{i}")}});
        let key = |i: usize| format!("/registry/pods/default/p{i}");
        let write = |i: usize| remember(&key(i), &encode(&pod(i)), i as i64 + 2, &pod(i));
        let size = || MEMO.with(|m| m.borrow().entries.len());
        // With a reader asking meanwhile, a full memo starts over and goes on copying.
        assert_eq!(take(&kv("/registry/pods/default/none", 1, Vec::new())), None);
        (0..=MAX_ENTRIES).for_each(write);
        assert_eq!(size(), 1);
        // A whole fill with nobody asking: it empties and stays empty.
        (MAX_ENTRIES + 1..2 * MAX_ENTRIES + 1).for_each(write);
        assert_eq!(size(), 0);
        write(3 * MAX_ENTRIES);
        assert_eq!(size(), 0);
        // A reader asks again: the next write is kept and taken as parsing would give it.
        let i = 3 * MAX_ENTRIES + 1;
        assert_eq!(take(&kv(&key(i), 1, Vec::new())), None);
        write(i);
        let k = kv(&key(i), i as i64 + 2, encode(&pod(i)));
        assert_eq!(take(&k), informer_form(&k));
        assert!(take(&k).is_none() && size() == 0);
    }
}
