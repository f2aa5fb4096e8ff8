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
//! [`MAX_ENTRIES`] it starts over.

use crate::store::KeyValue;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;

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
    object: Value,
}

thread_local! {
    static CACHE: RefCell<BTreeMap<Vec<u8>, Entry>> = const { RefCell::new(BTreeMap::new()) };
}

/// The stored object of `kv`, parsed: from the cache when `kv` is an RBAC object parsed before
/// at this revision with these bytes, else by `parse` (and remembered when cacheable).
pub fn decode(kv: &KeyValue, parse: impl FnOnce(&[u8]) -> Option<Value>) -> Option<Value> {
    if !CACHED.iter().any(|p| kv.key.starts_with(p)) {
        return parse(&kv.value);
    }
    let hit = CACHE.with(|c| {
        c.borrow().get(&kv.key).filter(|e| e.mod_revision == kv.mod_revision && e.value == kv.value).map(|e| e.object.clone())
    });
    if hit.is_some() {
        return hit;
    }
    let object = parse(&kv.value)?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_ENTRIES && !c.contains_key(&kv.key) {
            c.clear();
        }
        c.insert(kv.key.clone(), Entry { mod_revision: kv.mod_revision, value: kv.value.clone(), object: object.clone() });
    });
    Some(object)
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
        let parse = |b: &[u8]| serde_json::from_slice(b).ok();
        let a = json!({"metadata": {"name": "a"}, "roleRef": {"name": "x"}});
        let b = json!({"metadata": {"name": "a"}, "roleRef": {"name": "y"}});
        let key = "/registry/clusterrolebindings/a";
        assert_eq!(decode(&kv(key, 5, &a), parse), Some(a.clone()));
        // Same revision, other bytes (another cluster's store): parsed again.
        assert_eq!(decode(&kv(key, 5, &b), parse), Some(b.clone()));
        // A hit never calls the parser.
        assert_eq!(decode(&kv(key, 5, &b), |_| None), Some(b.clone()));
        assert_eq!(decode(&kv(key, 6, &b), |_| None), None, "a new revision is parsed");
        // Objects outside RBAC are always parsed.
        assert_eq!(decode(&kv("/registry/pods/default/p", 5, &a), |_| None), None);
    }
}
