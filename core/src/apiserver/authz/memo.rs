//! The RBAC authorizer's memory of which bindings apply to whom. kube-apiserver's RBAC
//! authorizer reads bindings and roles from informer-fed listers, in memory; here every request
//! listed them from etcd and resolved every binding again, which was two fifths of a request's
//! time (BENCHMARKS.md). The memo keeps, per user, groups and namespace, the bindings that
//! applied with their roles' rules, and answers again only while the RBAC objects it read are
//! exactly as they were.
//!
//! "Exactly as they were" is a fingerprint per etcd prefix: the store's [`Objects::last_change`]
//! of the prefix (the revision of the last put or delete in its directory, kept by the store
//! as it writes, so reading it costs no scan), tagged `(-1, revision)`; or, from a source that
//! cannot say, how many keys are live and the highest revision among them. Within one store's
//! history either names one state: the last change moves to a new revision at every write
//! under the prefix; a put raises the highest revision past every earlier one, and without a
//! put the live keys only shrink, which the count shows. The memo lives beside the store it
//! reads (one per cluster), so two stores' histories never meet in it. It is bounded: past
//! [`MAX_ENTRIES`] it starts over.

use super::resolver::{resolve, ResolvedBinding};
use super::user::UserInfo;
use crate::apiserver::Objects;
use std::collections::BTreeMap;

/// Users, groups and namespaces remembered at most.
pub const MAX_ENTRIES: usize = 1024;

/// (user name, groups, namespace).
type Key = (String, Vec<String>, String);

/// Per etcd prefix read: (-1, last change), or (live keys, highest revision).
type Fingerprint = Vec<(i64, i64)>;

#[derive(Clone, Debug, Default)]
pub struct RbacMemo {
    entries: BTreeMap<Key, (Fingerprint, Vec<ResolvedBinding>)>,
    /// The last answer for an object source without fingerprints, which is never reused.
    uncached: Vec<ResolvedBinding>,
}

impl RbacMemo {
    /// [`resolve`]'s answer, from memory when no binding or role it depends on changed.
    pub fn resolve(&mut self, objects: &dyn Objects, user: &UserInfo, namespace: &str) -> &[ResolvedBinding] {
        let Some(fingerprint) = fingerprint(objects, namespace) else {
            // An object source that cannot say what changed (tests' in-memory objects).
            self.uncached = resolve(objects, user, namespace);
            return &self.uncached;
        };
        let key: Key = (user.name.clone(), user.groups.clone(), namespace.to_string());
        let fresh = self.entries.get(&key).is_some_and(|(f, _)| *f == fingerprint);
        if !fresh {
            if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(&key) {
                self.entries.clear();
            }
            let bindings = resolve(objects, user, namespace);
            self.entries.insert(key.clone(), (fingerprint, bindings));
        }
        self.entries.get(&key).map_or(&[], |(_, b)| b.as_slice())
    }
}

/// What [`resolve`] reads: every ClusterRoleBinding and ClusterRole, and for a namespaced request
/// the namespace's RoleBindings and Roles.
fn fingerprint(objects: &dyn Objects, namespace: &str) -> Option<Fingerprint> {
    let of = |resource: &str, ns: Option<&str>| objects.last_change(resource, ns).map(|rev| (-1, rev)).or_else(|| objects.fingerprint(resource, ns));
    let mut out = vec![of("clusterrolebindings", None)?, of("clusterroles", None)?];
    if !namespace.is_empty() {
        out.push(of("rolebindings", Some(namespace))?);
        out.push(of("roles", Some(namespace))?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::MemoryObjects;
    use serde_json::{json, Value};
    use std::cell::Cell;

    /// In-memory objects whose fingerprint is a version the test sets, and which count lists.
    struct Versioned {
        objects: MemoryObjects,
        version: i64,
        lists: Cell<usize>,
    }

    impl Objects for Versioned {
        fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<Value> {
            self.objects.get(resource, namespace, name)
        }
        fn list(&self, resource: &str, namespace: Option<&str>) -> Vec<Value> {
            self.lists.set(self.lists.get() + 1);
            self.objects.list(resource, namespace)
        }
        fn fingerprint(&self, _resource: &str, _namespace: Option<&str>) -> Option<(i64, i64)> {
            Some((1, self.version))
        }
    }

    fn binding(user: &str) -> Value {
        json!({"metadata": {"name": format!("{user}-view")},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": user}]})
    }

    #[test]
    fn the_memo_answers_while_the_fingerprint_holds_and_resolves_again_when_it_moves() {
        let objects = MemoryObjects::new().with("clusterroles", json!({"metadata": {"name": "view"}, "rules": []})).with("clusterrolebindings", binding("jane"));
        let mut source = Versioned { objects, version: 1, lists: Cell::new(0) };
        let (jane, bob) = (UserInfo::user("jane", &[]), UserInfo::user("bob", &[]));
        let mut memo = RbacMemo::default();
        assert_eq!(memo.resolve(&source, &jane, "").len(), 1);
        let lists = source.lists.get();
        assert_eq!(memo.resolve(&source, &jane, "").len(), 1);
        assert_eq!(source.lists.get(), lists, "the same fingerprint: no list");
        // Another user is resolved on its own.
        assert_eq!(memo.resolve(&source, &bob, "").len(), 0);
        // A binding for bob appears, and the fingerprint moves with it.
        source.objects.insert("clusterrolebindings", binding("bob"));
        source.version = 2;
        assert_eq!(memo.resolve(&source, &bob, "").len(), 1);
        assert_eq!(memo.resolve(&source, &jane, "").len(), 1);
    }

    /// With a real store (fingerprints from `last_change`), after every write of a binding or
    /// role, in any namespace, or of an unrelated object, the memo answers what resolving again
    /// would; unrelated writes leave the fingerprint alone.
    #[test]
    fn with_a_store_the_memo_answers_what_resolving_again_would() {
        use crate::apiserver::StoreObjects;
        use crate::store::{DeleteRangeRequest, PutRequest, Store};
        let rb = |ns: &str, name: &str, kind: &str, role: &str, user: &str| {
            json!({"metadata": {"name": name, "namespace": ns},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
                "subjects": [{"kind": "User", "name": user}]})
        };
        let rules = |verb: &str| json!({"metadata": {"name": "r"}, "rules": [{"verbs": [verb], "apiGroups": [""], "resources": ["pods"]}]});
        let writes: Vec<(&str, Option<Value>)> = vec![
            ("/registry/clusterroles/view", Some(rules("get"))),
            ("/registry/clusterrolebindings/jane-view", Some(binding("jane"))),
            ("/registry/roles/dev/r", Some(rules("list"))),
            ("/registry/rolebindings/dev/bob", Some(rb("dev", "bob", "Role", "r", "bob"))),
            ("/registry/pods/dev/p", Some(json!({"metadata": {"name": "p"}}))),
            ("/registry/roles/dev/r", Some(rules("watch"))),
            ("/registry/rolebindings/prod/bob", Some(rb("prod", "bob", "ClusterRole", "view", "bob"))),
            ("/registry/clusterroles/view", Some(rules("delete"))),
            ("/registry/rolebindings/dev/bob", None),
            ("/registry/clusterrolebindings/bob-view", Some(binding("bob"))),
            ("/registry/clusterrolebindings/jane-view", None),
            ("/registry/roles/dev/r", None),
        ];
        let mut store = Store::new();
        let mut memo = RbacMemo::default();
        let users = [UserInfo::user("jane", &[]), UserInfo::user("bob", &[])];
        for (key, value) in writes {
            let before = fingerprint(&StoreObjects(&store), "dev");
            match &value {
                Some(v) => drop(store.put(PutRequest { key: key.into(), value: serde_json::to_vec(v).unwrap_or_default(), ..Default::default() })),
                None => drop(store.delete_range(DeleteRangeRequest { key: key.into(), ..Default::default() })),
            }
            let objects = StoreObjects(&store);
            if key.starts_with("/registry/pods/") {
                assert_eq!(fingerprint(&objects, "dev"), before, "a pod write leaves the RBAC fingerprint");
            } else {
                assert_ne!(fingerprint(&objects, "dev"), before, "{key}");
            }
            for user in &users {
                for ns in ["", "dev", "prod"] {
                    let memoized = format!("{:?}", memo.resolve(&objects, user, ns));
                    assert_eq!(memoized, format!("{:?}", resolve(&objects, user, ns)), "after {key}: {} in {ns:?}", user.name);
                }
            }
        }
    }

    #[test]
    fn a_source_without_fingerprints_is_read_every_time() {
        let objects = MemoryObjects::new().with("clusterroles", json!({"metadata": {"name": "view"}, "rules": []})).with("clusterrolebindings", binding("jane"));
        let mut memo = RbacMemo::default();
        let jane = UserInfo::user("jane", &[]);
        assert_eq!(memo.resolve(&objects, &jane, "").len(), 1);
        assert!(memo.entries.is_empty());
    }
}
