//! `metadata.managedFields`: who owns which field of an object, recorded on every write, and
//! server-side apply on top of it. Mirrors kube-apiserver's field manager
//! (`k8s.io/apimachinery/pkg/util/managedfields`, the handlers in
//! `staging/src/k8s.io/apiserver/pkg/endpoints/handlers`) and `sigs.k8s.io/structured-merge-diff`.
//!
//! - [`set`]: field sets and their `FieldsV1` encoding (`f:`, `k:{...}`, `v:`, `.`).
//! - [`schema`]: which lists are keyed by what, which objects are maps or atomic.
//! - [`walk`]: field set of a configuration, comparison, merge, removal.
//! - [`entries`]: the entries on the object and the manager identities (`fields_memo.rs`
//!   remembers the last few `fieldsV1` trees decoded and encoded).
//! - [`manager`]: the manager name of a request (fieldManager or user agent).
//! - [`conflicts`]: apply conflicts and their message.
//! - [`apply`]: the apply patch itself.
//!
//! On a create or update ([`record_update`]) the new object is compared with the old one (the
//! kind's zero value for a create); what was added or changed becomes the writer's, and is taken
//! from every other manager. kube-apiserver does this before mutating admission, so fields that
//! admission plugins set belong to nobody.

pub mod apply;
pub mod conflicts;
pub mod entries;
mod fields_memo;
pub mod manager;
pub mod schema;
pub mod set;
mod untouched;
pub mod walk;

use entries::{Entry, Managed, Manager, Operation};
use serde_json::Value;
use set::{FieldSet, PathElement};
use std::sync::OnceLock;

/// The server-owned metadata no manager owns (`NewStripMetaManager`).
pub fn strip_meta(set: &mut FieldSet) {
    // The paths are spelled once: this runs for every entry of every write.
    static PATHS: OnceLock<Vec<Vec<PathElement>>> = OnceLock::new();
    let paths = PATHS.get_or_init(|| {
        let f = PathElement::field;
        let mut paths: Vec<Vec<PathElement>> = ["apiVersion", "kind", "metadata"].iter().map(|top| vec![f(top)]).collect();
        for m in ["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"] {
            paths.push(vec![f("metadata"), f(m)]);
        }
        paths
    });
    for path in paths {
        set.remove_member(path);
    }
}

/// The fields a write through this endpoint may not set (`ResetFieldsStrategy`): a kind with a
/// status subresource ignores `status` on the main resource and `spec` through `/status`, and
/// a few status strategies some metadata too (`GetResetFields`).
fn reset_fields(set: &mut FieldSet, w: &Writer) {
    match w.subresource {
        "" if w.has_status => set.remove_subtree(&[PathElement::field("status")]),
        "status" => {
            set.remove_subtree(&[PathElement::field("spec")]);
            let group = w.api_version.rsplit_once('/').map_or("", |(g, _)| g);
            for f in super::strategy::status_resets_metadata(group, w.kind) {
                set.remove_subtree(&[PathElement::field("metadata"), PathElement::field(f)]);
            }
        }
        _ => {}
    }
}

/// The entries a write starts from (`decodeLiveOrNew`): the request's own when it sends valid
/// ones (an empty list resets them), the live object's otherwise; subresources always use the
/// live object's.
fn managed_of(live: Option<&Value>, sent: Option<&Value>, subresource: &str) -> Managed {
    managed_of_entries(live.and_then(|l| l["metadata"].get("managedFields")), sent, subresource)
}

/// [`managed_of`] for the live object's entries (`None` when it has none).
fn managed_of_entries(live: Option<&Value>, sent: Option<&Value>, subresource: &str) -> Managed {
    let from_live = || live.and_then(entries::decode).unwrap_or_default();
    if !subresource.is_empty() {
        return from_live();
    }
    match sent {
        Some(Value::Array(a)) if a.is_empty() => Managed::new(),
        Some(v) => match entries::decode(v) {
            Some(m) if !m.is_empty() => m,
            _ => from_live(),
        },
        None => from_live(),
    }
}

/// The object without its entries, as the comparison sees it.
pub fn without_managed_fields(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    v
}

/// Writes the entries onto the object (dropping the key when there are none).
pub fn set_entries(obj: &mut Value, managed: &Managed) {
    set_entries_with(obj, managed, Vec::new());
}

/// [`set_entries`] with entries `kept` as they were stored (`untouched.rs`).
fn set_entries_with(obj: &mut Value, managed: &Managed, kept: Vec<Value>) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else { return };
    if managed.is_empty() && kept.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), entries::encode_with(managed, kept));
    }
}

/// What an `Update` operation is recorded as.
pub struct Writer<'a> {
    pub kind: &'a str,
    pub api_version: &'a str,
    pub manager: &'a str,
    pub subresource: &'a str,
    /// Whether the kind has a `status` subresource (so the main resource does not own status).
    pub has_status: bool,
    /// The virtual clock, RFC 3339.
    pub now: &'a str,
}

/// `FieldManager.Update` for a create (`old` is `None`) or an update: records the write in
/// `new`'s `metadata.managedFields`.
pub fn record_update(w: &Writer, old: Option<&Value>, new: &mut Value) {
    let mut old = old.cloned();
    record_update_in_place(w, old.as_mut(), new);
}

/// Takes `metadata.managedFields` out of an object (when its metadata is an object).
fn take_managed_fields(v: &mut Value) -> Option<Value> {
    v.get_mut("metadata").and_then(Value::as_object_mut).and_then(|m| m.remove("managedFields"))
}

/// [`record_update`] without copying either object: the comparison must not see the entries,
/// so they are taken out of `old` for it and put back after (`old` ends as it began), and out
/// of `new`, whose entries are written anew at the end.
pub fn record_update_in_place(w: &Writer, old: Option<&mut Value>, new: &mut Value) {
    let sent = take_managed_fields(new);
    record_update_sent(w, old, new, sent.as_ref());
}

/// [`record_update_in_place`] for a `new` whose entries as the request sent them are `sent`
/// (the request's own, left out of the copy of its body that `new` is). Entries still in `new`
/// are replaced.
pub fn record_update_sent(w: &Writer, old: Option<&mut Value>, new: &mut Value, sent: Option<&Value>) {
    take_managed_fields(new);
    let id = Manager::new(w.manager, Operation::Update, w.api_version, w.subresource);
    let (c, mut managed, kept) = match old {
        None => (walk::compare(w.kind, &Value::Object(Default::default()), new), managed_of_entries(None, sent, w.subresource), Vec::new()),
        Some(old) => {
            let entries = take_managed_fields(old);
            let c = walk::compare(w.kind, old, new);
            // Entries from the live object (`managed_of`) that the write cannot change are kept
            // as stored rather than decoded and encoded again (`untouched.rs`).
            let from_live = !w.subresource.is_empty() || sent.is_none();
            let split = entries.as_ref().filter(|_| from_live).and_then(|e| untouched::split(e, &c.modified, &c.added, &c.removed, &id));
            let (managed, kept) = split.unwrap_or_else(|| (managed_of_entries(entries.as_ref(), sent, w.subresource), Vec::new()));
            if let (Some(entries), Some(m)) = (entries, old.get_mut("metadata").and_then(Value::as_object_mut)) {
                m.insert("managedFields".into(), entries);
            }
            (c, managed, kept)
        }
    };
    take_changed(w, &mut managed, c, id);
    set_entries_with(new, &managed, kept);
}

/// The write's part of an update, on the decoded entries: `managedFieldsUpdater` records the
/// write as a fresh manager `id`, so it takes the changed fields from everyone, its own older
/// entry included, and then merges into that entry; the entries are then capped.
fn take_changed(w: &Writer, managed: &mut Managed, c: walk::Comparison, id: Manager) {
    // A create modifies nothing: what it added is the union, taken rather than copied.
    let mut changed = c.modified;
    if changed.is_empty() {
        changed = c.added;
    } else {
        changed.union_with(&c.added);
    }
    for e in managed.values_mut() {
        e.set.subtract(&changed);
        e.set.subtract(&c.removed);
        strip_meta(&mut e.set);
    }
    let mut mine = changed;
    reset_fields(&mut mine, w);
    strip_meta(&mut mine);
    if !mine.is_empty() {
        let set = match managed.remove(&id) {
            Some(Entry { set: mut previous, .. }) => {
                previous.union_with(&mine);
                previous
            }
            None => mine,
        };
        managed.insert(id, Entry { set, api_version: w.api_version.to_string(), time: Some(w.now.to_string()) });
    }
    managed.retain(|_, e| !e.set.is_empty());
    entries::cap(managed);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn writer<'a>(manager: &'a str, subresource: &'a str, now: &'a str) -> Writer<'a> {
        Writer { kind: "Deployment", api_version: "apps/v1", manager, subresource, has_status: true, now }
    }

    #[test]
    fn updates_take_fields_from_other_managers_and_status_is_separate() {
        let mut obj = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": 1, "paused": false}, "status": {"replicas": 0}});
        record_update(&writer("kubectl-create", "", "2026-01-01T00:00:00Z"), None, &mut obj);
        let mf = &obj["metadata"]["managedFields"];
        assert_eq!(mf.as_array().unwrap().len(), 1);
        assert_eq!(
            mf[0],
            json!({"apiVersion": "apps/v1", "fieldsType": "FieldsV1", "manager": "kubectl-create", "operation": "Update",
                "time": "2026-01-01T00:00:00Z",
                "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {"f:paused": {}, "f:replicas": {}}}})
        );
        let old = obj.clone();
        obj["spec"]["replicas"] = json!(3);
        record_update(&writer("kubectl", "scale", "2026-01-01T00:00:05Z"), Some(&old), &mut obj);
        let old = obj.clone();
        obj["status"]["replicas"] = json!(3);
        record_update(&writer("kube-controller-manager", "status", "2026-01-01T00:00:06Z"), Some(&old), &mut obj);
        let mf = obj["metadata"]["managedFields"].as_array().unwrap().clone();
        let names: Vec<(&str, &str)> = mf.iter().map(|e| (e["manager"].as_str().unwrap(), e["subresource"].as_str().unwrap_or(""))).collect();
        assert_eq!(names, [("kubectl-create", ""), ("kubectl", "scale"), ("kube-controller-manager", "status")]);
        assert_eq!(mf[0]["fieldsV1"]["f:spec"], json!({"f:paused": {}}));
        assert_eq!(mf[1]["fieldsV1"], json!({"f:spec": {"f:replicas": {}}}));
        assert_eq!(mf[2]["fieldsV1"], json!({"f:status": {"f:replicas": {}}}));
        // An update that changes nothing leaves the entries (and their times) alone.
        let before = obj.clone();
        record_update(&writer("kubectl-label", "", "2026-01-01T00:01:00Z"), Some(&before), &mut obj);
        assert_eq!(obj, before);
    }
}
