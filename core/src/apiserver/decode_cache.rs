//! A decode cache for the RBAC objects the authorizer reads on every request. kube-apiserver's
//! RBAC authorizer reads ClusterRoleBindings, RoleBindings and their roles from informer-fed
//! listers, never from etcd; here every request ranged etcd and parsed each binding's JSON
//! again, which was half of a pod create's time (BENCHMARKS.md). The admission plugins read
//! from listers too, and a pod write parses the same few objects each time: its namespace
//! (NamespaceLifecycle), its service account (ServiceAccount) and the PriorityClasses
//! (Priority); those are cached as well.
//!
//! The cache is keyed by etcd key and only answers when the key's `mod_revision` and stored
//! bytes are exactly those it parsed, so it returns what parsing would (it holds no state that
//! could change a result, whichever store or cluster asks). It is bounded: past
//! [`MAX_ENTRIES`] it starts over. Its objects are shared ([`Rc`]) and already carry their
//! `metadata.resourceVersion`, so a plugin that only reads a namespace or a service account
//! copies nothing.

use crate::store::KeyValue;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Entries kept at most (a bootstrap policy has about 150 RBAC objects).
pub const MAX_ENTRIES: usize = 4096;

/// The etcd prefixes whose objects are cached: what the RBAC authorizer reads, and what the
/// admission plugins read on every pod write.
const CACHED: [&[u8]; 7] = [
    b"/registry/clusterrolebindings/",
    b"/registry/clusterroles/",
    b"/registry/rolebindings/",
    b"/registry/roles/",
    b"/registry/namespaces/",
    b"/registry/serviceaccounts/",
    b"/registry/priorityclasses/",
];

struct Entry {
    mod_revision: i64,
    value: Vec<u8>,
    object: Rc<Value>,
}

thread_local! {
    static CACHE: RefCell<BTreeMap<Vec<u8>, Entry>> = const { RefCell::new(BTreeMap::new()) };
}

/// The stored object of `kv` as the etcd3 store decodes it: the JSON value, with
/// `metadata.resourceVersion` filled from `mod_revision` (it is never stored).
fn parse(kv: &KeyValue) -> Option<Value> {
    // Checked as UTF-8 once, whole, the text is parsed as a `str`: parsed as bytes, every
    // string in it was checked on its own (a pod has a hundred), for the same answer. Bytes
    // that are not UTF-8 are parsed as before (and refused the same way).
    let parsed = match std::str::from_utf8(&kv.value) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(&kv.value),
    };
    let mut object: Value = parsed.ok()?;
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), json!(kv.mod_revision.to_string()));
    }
    Some(object)
}

fn cached(kv: &KeyValue) -> bool {
    CACHED.iter().any(|p| kv.key.starts_with(p))
}

/// [`parse`]'s answer, shared: from the cache when `kv` is an object of a cached prefix parsed
/// before at this revision with these bytes (remembered otherwise).
pub fn shared(kv: &KeyValue) -> Option<Rc<Value>> {
    if !cached(kv) {
        return parse(kv).map(Rc::new);
    }
    let hit = CACHE.with(|c| c.borrow().get(&kv.key).filter(|e| e.mod_revision == kv.mod_revision && e.value == kv.value).map(|e| e.object.clone()));
    if hit.is_some() {
        return hit;
    }
    let object = Rc::new(parse(kv)?);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_ENTRIES && !c.contains_key(&kv.key) {
            c.clear();
        }
        c.insert(kv.key.clone(), Entry { mod_revision: kv.mod_revision, value: kv.value.clone(), object: object.clone() });
    });
    Some(object)
}

/// [`parse`]'s answer, owned (a copy of the cached object for a cached prefix).
pub fn owned(kv: &KeyValue) -> Option<Value> {
    if !cached(kv) {
        return parse(kv);
    }
    shared(kv).map(Rc::unwrap_or_clone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kv(key: &str, rev: i64, value: &Value) -> KeyValue {
        KeyValue { key: key.as_bytes().to_vec(), mod_revision: rev, value: serde_json::to_vec(value).unwrap_or_default(), ..Default::default() }
    }

    #[test]
    fn a_cached_object_is_returned_only_for_the_same_revision_and_bytes() {
        let a = json!({"metadata": {"name": "a"}, "roleRef": {"name": "x"}});
        let b = json!({"metadata": {"name": "a"}, "roleRef": {"name": "y"}});
        let with_rv = |v: &Value, rv: &str| {
            let mut v = v.clone();
            v["metadata"]["resourceVersion"] = json!(rv);
            v
        };
        let key = "/registry/clusterrolebindings/a";
        assert_eq!(owned(&kv(key, 5, &a)), Some(with_rv(&a, "5")));
        let first = shared(&kv(key, 5, &a));
        assert!(first.as_ref().is_some_and(|f| shared(&kv(key, 5, &a)).is_some_and(|again| Rc::ptr_eq(f, &again))), "a hit shares the parsed object");
        // Same revision, other bytes (another cluster's store): parsed again.
        assert_eq!(owned(&kv(key, 5, &b)), Some(with_rv(&b, "5")));
        assert_eq!(owned(&kv(key, 6, &b)), Some(with_rv(&b, "6")), "a new revision is parsed");
        let mut bad = kv(key, 7, &b);
        bad.value = b"{".to_vec();
        assert_eq!(owned(&bad), None);
        // Objects outside the cached prefixes are parsed every time, and never shared.
        let pod = kv("/registry/pods/default/p", 5, &a);
        assert_eq!(owned(&pod), Some(with_rv(&a, "5")));
        assert!(!Rc::ptr_eq(&shared(&pod).unwrap_or_default(), &shared(&pod).unwrap_or_default()));
    }
}
