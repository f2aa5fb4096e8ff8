//! `metadata.managedFields` entries and the managers they stand for, as kube-apiserver's
//! `managedfields/internal` package keeps them (`managedfields.go`, `capmanagers.go`).
//!
//! A manager is identified by its name, operation, subresource and, for `Update` only, the API
//! version it wrote with (`BuildManagerIdentifier`): an applier keeps one entry whatever version
//! it applies with, an updater one per version.

use super::set::FieldSet;
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Apply,
    Update,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// `BuildManagerIdentifier`: what makes two entries the same manager.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Manager {
    pub manager: String,
    pub operation: Operation,
    /// Empty for `Apply`.
    pub api_version: String,
    pub subresource: String,
}

impl Manager {
    pub fn new(manager: &str, operation: Operation, api_version: &str, subresource: &str) -> Self {
        let api_version = if operation == Operation::Apply { String::new() } else { api_version.to_string() };
        Manager { manager: manager.to_string(), operation, api_version, subresource: subresource.to_string() }
    }

    /// `printManager` in `internal/conflict.go`: `"kubectl" with subresource "scale" using apps/v1`.
    pub fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            s.push_str(&format!(" with subresource {:?}", self.subresource));
        }
        if self.operation == Operation::Update {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub set: FieldSet,
    pub api_version: String,
    /// RFC 3339; absent when the manager never changed the object.
    pub time: Option<String>,
}

/// The entries by manager, in manager order: a sorted vector, as an object has a few managers.
/// (A `BTreeMap` allocated a 1.7 KB leaf for even one entry; glibc's malloc serves a request of
/// that size only after consolidating its free lists, which was 8% of a scheduling run.)
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Managed(Vec<(Manager, Entry)>);

impl Managed {
    pub fn new() -> Self {
        Managed(Vec::new())
    }

    fn find(&self, id: &Manager) -> Result<usize, usize> {
        self.0.binary_search_by(|(m, _)| m.cmp(id))
    }

    pub fn get(&self, id: &Manager) -> Option<&Entry> {
        self.find(id).ok().map(|i| &self.0[i].1)
    }

    /// Sets `id`'s entry, returning the one it replaced.
    pub fn insert(&mut self, id: Manager, entry: Entry) -> Option<Entry> {
        match self.find(&id) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, entry)),
            Err(i) => {
                self.0.insert(i, (id, entry));
                None
            }
        }
    }

    pub fn remove(&mut self, id: &Manager) -> Option<Entry> {
        self.find(id).ok().map(|i| self.0.remove(i).1)
    }

    /// `id`'s entry, inserted as `entry` first if it has none.
    pub fn get_or_insert(&mut self, id: Manager, entry: Entry) -> &mut Entry {
        let i = match self.find(&id) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (id, entry));
                i
            }
        };
        &mut self.0[i].1
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Manager, &mut Entry) -> bool) {
        self.0.retain_mut(|(m, e)| keep(m, e));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Manager, &Entry)> {
        self.0.iter().map(|(m, e)| (m, e))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Manager, &mut Entry)> {
        self.0.iter_mut().map(|(m, e)| (&*m, e))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Manager> {
        self.0.iter().map(|(m, _)| m)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Entry> {
        self.0.iter_mut().map(|(_, e)| e)
    }
}

/// `DecodeManagedFields`. `None` when an entry is malformed (the caller then keeps the live
/// object's entries, as `decodeLiveOrNew` does).
pub fn decode(entries: &Value) -> Option<Managed> {
    let mut out = Managed::new();
    for e in entries.as_array()? {
        let (id, entry) = decode_one(e)?;
        out.insert(id, entry);
    }
    Some(out)
}

/// One entry: its manager and, but for the field set, its entry (the set is left empty).
/// `None` when it is malformed.
pub fn identity(e: &Value) -> Option<(Manager, Entry)> {
    let operation = match e["operation"].as_str()? {
        "Apply" => Operation::Apply,
        "Update" => Operation::Update,
        _ => return None,
    };
    if e.get("fieldsType").is_some_and(|t| t != "FieldsV1") {
        return None;
    }
    let api_version = e["apiVersion"].as_str().unwrap_or("").to_string();
    let id = Manager::new(e["manager"].as_str().unwrap_or(""), operation, &api_version, e["subresource"].as_str().unwrap_or(""));
    Some((id, Entry { set: FieldSet::new(), api_version, time: e["time"].as_str().map(str::to_string) }))
}

/// One entry, decoded whole. `None` when it is malformed.
pub fn decode_one(e: &Value) -> Option<(Manager, Entry)> {
    let (id, mut entry) = identity(e)?;
    if let Some(f) = e.get("fieldsV1") {
        entry.set = super::fields_memo::decode(f)?;
    }
    Some((id, entry))
}

/// `encodeManagedFields` with `sortEncodedManagedFields`: Apply before Update, then by time,
/// manager, API version and subresource.
pub fn encode(managed: &Managed) -> Value {
    encode_with(managed, Vec::new())
}

/// [`encode`], with entries `kept` as they were stored (`untouched.rs`) sorted in among them.
pub fn encode_with(managed: &Managed, kept: Vec<Value>) -> Value {
    let mut list: Vec<Value> = managed
        .iter()
        .map(|(m, e)| {
            // Built as a map rather than with `json!`, which would serialise the fieldsV1 tree
            // into a second copy of itself.
            let mut v = Map::new();
            v.insert("manager".into(), Value::String(m.manager.clone()));
            v.insert("operation".into(), Value::String(m.operation.name().into()));
            v.insert("apiVersion".into(), Value::String(e.api_version.clone()));
            v.insert("fieldsType".into(), Value::String("FieldsV1".into()));
            v.insert("fieldsV1".into(), super::fields_memo::encode(&e.set));
            if let Some(t) = &e.time {
                v.insert("time".into(), Value::String(t.clone()));
            }
            if !m.subresource.is_empty() {
                v.insert("subresource".into(), Value::String(m.subresource.clone()));
            }
            Value::Object(v)
        })
        .collect();
    list.extend(kept);
    // The order of the encoded entries, read back from them (a kept entry has the same fields).
    fn order(v: &Value) -> (bool, &str, &str, &str, &str) {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("");
        (s("operation") != "Apply", s("time"), s("manager"), s("apiVersion"), s("subresource"))
    }
    list.sort_by(|a, b| order(a).cmp(&order(b)));
    Value::Array(list)
}

/// `capmanagers.go`: at most this many `Update` entries; the oldest merge into one.
pub const MAX_UPDATE_MANAGERS: usize = 10;

/// Merges the oldest `Update` entries into `ancient-changes` past [`MAX_UPDATE_MANAGERS`].
pub fn cap(managed: &mut Managed) {
    let mut updates: Vec<(Option<String>, Manager)> =
        managed.iter().filter(|(m, _)| m.operation == Operation::Update).map(|(m, e)| (e.time.clone(), m.clone())).collect();
    if updates.len() <= MAX_UPDATE_MANAGERS {
        return;
    }
    updates.sort();
    let excess = updates.len() - MAX_UPDATE_MANAGERS + 1;
    for (_, m) in updates.into_iter().take(excess) {
        let Some(e) = managed.remove(&m) else { continue };
        let id = Manager::new("ancient-changes", Operation::Update, &e.api_version, "");
        let slot = managed.get_or_insert(id, Entry { set: FieldSet::new(), api_version: e.api_version.clone(), time: None });
        slot.set = slot.set.union(&e.set);
        if e.time > slot.time {
            slot.time = e.time;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_sorted_and_capped() {
        let mut m = Managed::new();
        let mut set = FieldSet::new();
        set.insert(&[super::super::set::PathElement::field("spec")]);
        for i in 0..12 {
            let id = Manager::new(&format!("m{i:02}"), Operation::Update, "v1", "");
            m.insert(id, Entry { set: set.clone(), api_version: "v1".into(), time: Some(format!("2026-01-01T00:00:{i:02}Z")) });
        }
        m.insert(Manager::new("kubectl", Operation::Apply, "v1", ""), Entry { set: set.clone(), api_version: "v1".into(), time: None });
        let v = encode(&m);
        assert_eq!(v[0]["manager"], "kubectl");
        assert_eq!(decode(&v), Some(m.clone()));
        cap(&mut m);
        assert_eq!(m.keys().filter(|k| k.operation == Operation::Update).count(), MAX_UPDATE_MANAGERS);
        assert!(m.keys().any(|k| k.manager == "ancient-changes"));
        let scale = Manager::new("kubectl", Operation::Update, "apps/v1", "scale");
        assert_eq!(scale.describe(), "\"kubectl\" with subresource \"scale\" using apps/v1");
        assert_eq!(Manager::new("ci", Operation::Apply, "apps/v1", "").describe(), "\"ci\"");
    }
}
