//! Read access to stored objects for the stages that consult cluster state (admission plugins,
//! the RBAC authorizer), by resource plural, as kube-apiserver's listers give it.

use super::storage;
use crate::api::{all_kinds, KindInfo};
use crate::store::Store;
use serde_json::Value;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::OnceLock;

/// Objects as stored (JSON, `metadata.resourceVersion` filled), looked up by resource plural
/// (`namespaces`, `serviceaccounts`, `clusterrolebindings`, ...). Cluster-scoped objects have an
/// empty namespace. Lists come back sorted by namespace then name.
pub trait Objects {
    fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<Value>;
    /// Every object of `resource`, in `namespace` when given, else in all namespaces.
    fn list(&self, resource: &str, namespace: Option<&str>) -> Vec<Value>;
    /// What [`Objects::list`] would return, summarised so that a change shows: how many objects
    /// there are and the highest revision among them (`None` when the source cannot say, and
    /// then nothing read from it is remembered).
    fn fingerprint(&self, _resource: &str, _namespace: Option<&str>) -> Option<(i64, i64)> {
        None
    }
    /// A revision that moves whenever any object [`Objects::list`] would return for
    /// `resource` (in `namespace`) is written or deleted, and is never reported again once it
    /// moved, answered without reading the objects (`None` when the source cannot say).
    fn last_change(&self, _resource: &str, _namespace: Option<&str>) -> Option<i64> {
        None
    }
    /// [`Objects::get`], shared rather than copied, for readers that only look.
    fn get_shared(&self, resource: &str, namespace: &str, name: &str) -> Option<Rc<Value>> {
        self.get(resource, namespace, name).map(Rc::new)
    }
    /// [`Objects::list`], shared rather than copied, for readers that only look.
    fn list_shared(&self, resource: &str, namespace: Option<&str>) -> Vec<Rc<Value>> {
        self.list(resource, namespace).into_iter().map(Rc::new).collect()
    }
}

/// The kind stored as `resource` (the first persisted kind of that plural, as the lookups here
/// always took it), from a table built once rather than a scan of every kind per read.
fn persisted_kind(resource: &str) -> Option<&'static KindInfo> {
    static BY_RESOURCE: OnceLock<BTreeMap<&'static str, &'static KindInfo>> = OnceLock::new();
    let table = BY_RESOURCE.get_or_init(|| {
        let mut t = BTreeMap::new();
        for k in all_kinds().iter().filter(|k| k.persisted) {
            t.entry(k.resource).or_insert(k);
        }
        t
    });
    table.get(resource).copied()
}

/// Stored objects seen through the [`Objects`] trait, by resource plural: what the stages read
/// from etcd.
pub struct StoreObjects<'a>(pub &'a Store);

impl StoreObjects<'_> {
    /// The etcd prefix holding `resource` (in `namespace`, when given and namespaced).
    fn prefix(resource: &str, namespace: Option<&str>) -> Option<String> {
        let kind = persisted_kind(resource)?;
        Some(kind.etcd_list_prefix(namespace))
    }
}

impl Objects for StoreObjects<'_> {
    fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<Value> {
        let kind = persisted_kind(resource)?;
        storage::get(self.0, &kind.etcd_key(namespace, name)).ok().flatten().map(|s| s.object)
    }

    fn get_shared(&self, resource: &str, namespace: &str, name: &str) -> Option<Rc<Value>> {
        let kind = persisted_kind(resource)?;
        storage::get_shared(self.0, &kind.etcd_key(namespace, name))
    }

    fn list_shared(&self, resource: &str, namespace: Option<&str>) -> Vec<Rc<Value>> {
        let Some(prefix) = Self::prefix(resource, namespace) else { return Vec::new() };
        storage::list_shared(self.0, &prefix)
    }

    fn last_change(&self, resource: &str, namespace: Option<&str>) -> Option<i64> {
        Self::prefix(resource, namespace).and_then(|prefix| self.0.last_change(prefix.as_bytes()))
    }

    fn list(&self, resource: &str, namespace: Option<&str>) -> Vec<Value> {
        self.list_shared(resource, namespace).into_iter().map(Rc::unwrap_or_clone).collect()
    }

    fn fingerprint(&self, resource: &str, namespace: Option<&str>) -> Option<(i64, i64)> {
        Self::prefix(resource, namespace).map(|prefix| self.0.fingerprint(prefix.as_bytes()))
    }
}

/// An in-memory set of objects, for tests and for stages that build a view once.
#[derive(Clone, Debug, Default)]
pub struct MemoryObjects {
    /// (resource, namespace, name) -> object.
    objects: BTreeMap<(String, String, String), Value>,
}

impl MemoryObjects {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an object under `resource`, reading namespace and name from its metadata.
    pub fn with(mut self, resource: &str, object: Value) -> Self {
        self.insert(resource, object);
        self
    }

    pub fn insert(&mut self, resource: &str, object: Value) {
        let meta = &object["metadata"];
        let ns = meta["namespace"].as_str().unwrap_or("").to_string();
        let name = meta["name"].as_str().unwrap_or("").to_string();
        self.objects.insert((resource.to_string(), ns, name), object);
    }
}

impl Objects for MemoryObjects {
    fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<Value> {
        self.objects.get(&(resource.to_string(), namespace.to_string(), name.to_string())).cloned()
    }

    fn list(&self, resource: &str, namespace: Option<&str>) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|((r, ns, _), _)| r == resource && namespace.is_none_or(|n| n == ns))
            .map(|(_, v)| v.clone())
            .collect()
    }
}
