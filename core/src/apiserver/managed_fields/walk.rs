//! Walks over objects that structured-merge-diff's `typed` package does: the set of fields an
//! applied configuration names (`tofieldset.go`), the comparison of two versions
//! (`compare.go`), the merge of a configuration into the live object (`merge.go`) and the
//! removal of fields (`remove.go`). Each walk is bounded by the object's own depth.

use super::schema::{self, At, ListKind, Shape};
use super::set::{FieldSet, KeyValue, Node, Path, PathElement};
use serde_json::{Map, Value};

/// The element a list item stands for: its key fields, its value, or its index.
pub fn item_element(kind: ListKind, item: &Value, index: usize) -> PathElement {
    match kind {
        ListKind::Map(keys) => {
            let mut fields: Vec<(String, KeyValue)> = Vec::new();
            for (k, default) in keys {
                let v = match (item.get(*k), default) {
                    (Some(v), _) => KeyValue::from_json(v),
                    (None, Some(d)) => Some(KeyValue::Str(d.to_string())),
                    (None, None) => None,
                };
                if let Some(v) = v {
                    fields.push((k.to_string(), v));
                }
            }
            fields.sort();
            PathElement::Key(fields)
        }
        ListKind::Set => KeyValue::from_json(item).map(PathElement::Value).unwrap_or(PathElement::Index(index as i64)),
        ListKind::Atomic => PathElement::Index(index as i64),
    }
}

/// Where a walk is: the schema field names and the path elements from the root, `depth` deep.
/// Entries past `depth` are kept from deeper visits and overwritten in place, so a walk spells
/// a field's name into a buffer it already has instead of allocating two strings per field.
struct Walk<'a> {
    kind: &'a str,
    fields: Vec<String>,
    path: Path,
    depth: usize,
}

impl<'a> Walk<'a> {
    fn new(kind: &'a str) -> Self {
        Walk { kind, fields: Vec::new(), path: Vec::new(), depth: 0 }
    }

    fn fields(&self) -> &[String] {
        &self.fields[..self.depth]
    }

    fn path(&self) -> &[PathElement] {
        &self.path[..self.depth]
    }

    fn shape(&self, v: &Value) -> Shape {
        schema::shape(&At { kind: self.kind, fields: self.fields() }, v)
    }

    fn descend(&mut self, field: &str, pe: PathElement) {
        if self.depth < self.fields.len() {
            self.fields[self.depth].clear();
            self.fields[self.depth].push_str(field);
            self.path[self.depth] = pe;
        } else {
            self.fields.push(field.to_string());
            self.path.push(pe);
        }
        self.depth += 1;
    }

    /// [`Walk::descend`] into the struct or map field `name` (`PathElement::Field(name)`).
    fn descend_field(&mut self, name: &str) {
        if let Some(PathElement::Field(f)) = self.path.get_mut(self.depth) {
            f.clear();
            f.push_str(name);
            self.fields[self.depth].clear();
            self.fields[self.depth].push_str(name);
            self.depth += 1;
        } else {
            self.descend(name, PathElement::field(name));
        }
    }

    fn ascend(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// `TypedValue.ToFieldSet`: the fields an applied configuration sets.
pub fn to_field_set(kind: &str, v: &Value) -> FieldSet {
    let mut set = FieldSet::new();
    let mut w = Walk::new(kind);
    to_set(&mut w, v, &mut set);
    set
}

fn to_set(w: &mut Walk, v: &Value, set: &mut FieldSet) {
    match (w.shape(v), v) {
        (Shape::Struct | Shape::Map, Value::Object(m)) => {
            let free_keys = w.shape(v) == Shape::Map;
            for (k, child) in m {
                w.descend_field(k);
                to_set(w, child, set);
                if child.is_null() || child.as_object().is_some_and(Map::is_empty) || free_keys {
                    set.insert(w.path());
                }
                w.ascend();
            }
        }
        (Shape::List(kind @ (ListKind::Map(_) | ListKind::Set)), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                w.descend("*", item_element(kind, item, i));
                to_set(w, item, set);
                set.insert(w.path());
                w.ascend();
            }
        }
        _ => set.insert(w.path()),
    }
}

/// `typed.Comparison`: the fields `rhs` added, changed and removed relative to `lhs`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    pub added: FieldSet,
    pub modified: FieldSet,
    pub removed: FieldSet,
}

/// `TypedValue.Compare`. A field missing from `lhs` that the kind's Go zero value has (as `null`
/// or `{}`) counts as present, as it does when kube-apiserver decodes into a typed object.
pub fn compare(kind: &str, lhs: &Value, rhs: &Value) -> Comparison {
    let mut w = Walk::new(kind);
    // The root itself is no path: what the walk says of it is not recorded.
    compare_at(&mut w, Some(lhs), Some(rhs)).below
}

static NULL: Value = Value::Null;

/// A list's items by the element each stands for (the first of duplicates), borrowed.
fn list_index(kind: ListKind, v: Option<&Value>) -> Vec<(PathElement, &Value)> {
    let items = v.and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let mut out: Vec<(PathElement, &Value)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let pe = item_element(kind, item, i);
        if !out.iter().any(|(p, _)| *p == pe) {
            out.push((pe, item));
        }
    }
    out
}

/// What [`compare_at`] found at one node: whether the node itself was added, modified or
/// removed, and the comparison below it, with paths relative to it. The parent puts it in
/// its own sets under the node's element: every path was inserted from the root, searching
/// each level again (a created pod's sixty fields, up to six levels deep), where a node's
/// finds are now moved into place once.
#[derive(Default)]
struct Found {
    added: bool,
    modified: bool,
    removed: bool,
    below: Comparison,
}

impl Comparison {
    /// Puts a child's finds under its element, spelled by `pe` for each set that takes them
    /// (the elements of one node are distinct, so none is there yet).
    fn adopt(&mut self, pe: impl Fn() -> PathElement, found: Found) {
        let Found { added, modified, removed, below } = found;
        for (set, member, children) in [(&mut self.added, added, below.added), (&mut self.modified, modified, below.modified), (&mut self.removed, removed, below.removed)] {
            if member || !children.is_empty() {
                set.0.insert(pe(), Node { member, children });
            }
        }
    }
}

fn compare_at(w: &mut Walk, lhs: Option<&Value>, rhs: Option<&Value>) -> Found {
    let mut found = Found::default();
    let lhs = lhs.or_else(|| schema::present_in_zero(w.fields()).then_some(&NULL));
    // Equal values add, change and remove nothing at any depth; most of an updated object is
    // untouched, and comparing it costs no allocation where walking it did.
    if let (Some(a), Some(b)) = (lhs, rhs) {
        if a == b {
            return found;
        }
    }
    let shape_of = |v: Option<&Value>| v.filter(|v| !v.is_null()).map(|v| w.shape(v));
    let shape = match (shape_of(lhs), shape_of(rhs)) {
        (Some(a), Some(b)) if a != b => Shape::Atomic,
        (_, Some(s)) | (Some(s), None) => s,
        (None, None) => Shape::Scalar,
    };
    let empty = |v: Option<&Value>| match v {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    };
    let granular = matches!(shape, Shape::Struct | Shape::Map | Shape::List(ListKind::Map(_) | ListKind::Set));
    if !granular || (empty(lhs) && empty(rhs)) {
        match (lhs, rhs) {
            (None, _) => found.added = true,
            (_, None) => found.removed = true,
            (Some(a), Some(b)) if a != b => found.modified = true,
            _ => {}
        }
        return found;
    }
    let c = &mut found.below;
    if let Shape::List(kind) = shape {
        let (l, r) = (list_index(kind, lhs), list_index(kind, rhs));
        let mut all: Vec<&PathElement> = l.iter().map(|(p, _)| p).collect();
        for (p, _) in &r {
            if !all.contains(&p) {
                all.push(p);
            }
        }
        for pe in all {
            let lv = l.iter().find(|(p, _)| p == pe).map(|(_, v)| *v);
            let rv = r.iter().find(|(p, _)| p == pe).map(|(_, v)| *v);
            w.descend("*", pe.clone());
            let below = compare_at(w, lv, rv);
            w.ascend();
            c.adopt(|| pe.clone(), below);
        }
    } else {
        let lm = lhs.and_then(Value::as_object);
        let rm = rhs.and_then(Value::as_object);
        // Each map's keys are sorted and unique already: when one side has none (every field
        // of a created object is added), the other's are the walk's, uncollected and unsorted.
        let keys: Vec<&String> = match (lm.filter(|m| !m.is_empty()), rm.filter(|m| !m.is_empty())) {
            (Some(l), Some(r)) => {
                let mut keys: Vec<&String> = l.keys().chain(r.keys()).collect();
                keys.sort();
                keys.dedup();
                keys
            }
            (Some(one), None) | (None, Some(one)) => one.keys().collect(),
            (None, None) => Vec::new(),
        };
        for k in keys {
            w.descend_field(k);
            let below = compare_at(w, lm.and_then(|m| m.get(k)), rm.and_then(|m| m.get(k)));
            w.ascend();
            c.adopt(|| PathElement::field(k), below);
        }
    }
    match (lhs, rhs) {
        (None, _) => found.added = true,
        (_, None) => found.removed = true,
        _ => {}
    }
    found
}

/// `TypedValue.Merge`: the configuration laid over the live object. Structs and maps merge key by
/// key, associative lists item by item (in the order `merge.go` gives), anything else is replaced.
pub fn merge(kind: &str, live: &Value, config: &Value) -> Value {
    let mut w = Walk::new(kind);
    merge_at(&mut w, Some(live), config)
}

fn merge_at(w: &mut Walk, lhs: Option<&Value>, rhs: &Value) -> Value {
    let Some(lhs) = lhs else { return rhs.clone() };
    match (w.shape(rhs), lhs, rhs) {
        (Shape::Struct | Shape::Map, Value::Object(l), Value::Object(r)) => {
            let mut out = l.clone();
            for (k, rv) in r {
                w.descend_field(k);
                let merged = merge_at(w, l.get(k), rv);
                w.ascend();
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Shape::List(kind @ (ListKind::Map(_) | ListKind::Set)), Value::Array(l), Value::Array(r)) => {
            Value::Array(merge_list(w, kind, l, r))
        }
        _ => rhs.clone(),
    }
}

/// `mergingWalker.visitListItems`: live items keep their places; configured items that are new
/// come in where the configuration puts them relative to the shared ones.
fn merge_list(w: &mut Walk, kind: ListKind, l: &[Value], r: &[Value]) -> Vec<Value> {
    let lpe: Vec<PathElement> = l.iter().enumerate().map(|(i, v)| item_element(kind, v, i)).collect();
    let rpe: Vec<PathElement> = r.iter().enumerate().map(|(i, v)| item_element(kind, v, i)).collect();
    let mut shared: std::collections::VecDeque<&PathElement> = rpe.iter().filter(|p| lpe.contains(p)).collect();
    let mut next_shared = shared.pop_front();
    let mut merged_r: Vec<PathElement> = Vec::new();
    let mut out = Vec::new();
    let (mut li, mut ri) = (0, 0);
    let item = |w: &mut Walk, pe: &PathElement, lv: Option<&Value>, rv: Option<&Value>| -> Option<Value> {
        w.descend("*", pe.clone());
        let v = match rv {
            Some(rv) => Some(merge_at(w, lv, rv)),
            None => lv.cloned(),
        };
        w.ascend();
        v
    };
    while li < lpe.len() || ri < rpe.len() {
        if li < lpe.len() && ri < rpe.len() {
            if lpe[li] == rpe[ri] {
                merged_r.push(lpe[li].clone());
                out.extend(item(w, &lpe[li], Some(&l[li]), Some(&r[ri])));
                li += 1;
                ri += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if rpe.contains(&lpe[li]) && next_shared.is_some_and(|n| *n != lpe[li]) {
                li += 1;
                continue;
            }
        }
        if li < lpe.len() {
            if !rpe.contains(&lpe[li]) {
                out.extend(item(w, &lpe[li], Some(&l[li]), None));
                li += 1;
                continue;
            } else if merged_r.contains(&lpe[li]) {
                li += 1;
            }
        }
        if ri < rpe.len() {
            let pe = rpe[ri].clone();
            merged_r.push(pe.clone());
            let lv = lpe.iter().position(|p| *p == pe).map(|i| &l[i]);
            out.extend(item(w, &pe, lv, Some(&r[ri])));
            ri += 1;
            if next_shared.is_some_and(|n| *n == pe) {
                next_shared = shared.pop_front();
            }
        }
    }
    out
}

/// `TypedValue.RemoveItems`: drops the members of `set` from the object. Structs and maps left
/// empty by a removal are dropped too, as `removingWalker` returns no value for them.
pub fn remove(kind: &str, v: &mut Value, set: &FieldSet) {
    let mut w = Walk::new(kind);
    remove_at(&mut w, v, set);
}

fn remove_at(w: &mut Walk, v: &mut Value, set: &FieldSet) {
    match w.shape(v) {
        Shape::Struct | Shape::Map => {
            let Some(m) = v.as_object_mut() else { return };
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                let Some(node) = set.child(&PathElement::field(&k)) else { continue };
                if node.member {
                    m.remove(&k);
                    continue;
                }
                if let Some(child) = m.get_mut(&k) {
                    let before = !is_empty(child);
                    w.descend_field(&k);
                    remove_at(w, child, &node.children);
                    w.ascend();
                    if before && is_empty(child) {
                        m.remove(&k);
                    }
                }
            }
        }
        Shape::List(kind @ (ListKind::Map(_) | ListKind::Set)) => {
            let Some(items) = v.as_array_mut() else { return };
            let mut kept = Vec::new();
            for (i, mut item) in std::mem::take(items).into_iter().enumerate() {
                let pe = item_element(kind, &item, i);
                match set.child(&pe) {
                    Some(n) if n.member => continue,
                    Some(n) => {
                        w.descend("*", pe.clone());
                        remove_at(w, &mut item, &n.children);
                        w.ascend();
                        kept.push(item);
                    }
                    None => kept.push(item),
                }
            }
            *items = kept;
        }
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fv1(s: &FieldSet) -> Value {
        s.to_fields_v1()
    }

    #[test]
    fn applied_configuration_field_set() {
        let config = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                    {"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}], "args": ["a"]}]}}}
        });
        let set = to_field_set("Deployment", &config);
        assert_eq!(
            fv1(&set),
            json!({
                "f:apiVersion": {}, "f:kind": {},
                "f:metadata": {"f:labels": {"f:app": {}}, "f:name": {}},
                "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {".": {}, "f:args": {}, "f:image": {}, "f:name": {},
                        "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}}}}}
            })
        );
    }

    #[test]
    fn comparison_against_the_zero_value_marks_new_nodes() {
        let new = json!({"metadata": {"labels": {"app": "web"}},
            "spec": {"replicas": 1, "strategy": {"rollingUpdate": {"maxSurge": "25%"}, "type": "RollingUpdate"},
                "template": {"spec": {"containers": [{"name": "a", "image": "x", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}}});
        let c = compare("Deployment", &json!({}), &new);
        assert!(c.modified.is_empty() && c.removed.is_empty());
        assert_eq!(
            fv1(&c.added),
            json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {"f:replicas": {}, "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}}, "f:type": {}},
                    "f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"a\"}": {".": {}, "f:image": {}, "f:name": {},
                        "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}}}}}}}}})
        );
        let mut newer = new.clone();
        newer["spec"]["replicas"] = json!(3);
        newer["metadata"].as_object_mut().unwrap().remove("labels");
        let c = compare("Deployment", &new, &newer);
        assert_eq!(fv1(&c.modified), json!({"f:spec": {"f:replicas": {}}}));
        assert_eq!(fv1(&c.removed), json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}));
    }

    #[test]
    fn merge_and_remove_follow_list_keys() {
        let live = json!({"spec": {"replicas": 3, "containers": [{"name": "a", "image": "x", "imagePullPolicy": "Always"}, {"name": "b", "image": "y"}]}});
        let config = json!({"spec": {"containers": [{"name": "c", "image": "z"}, {"name": "a", "image": "x2"}]}});
        let merged = merge("Pod", &live, &config);
        assert_eq!(
            merged,
            json!({"spec": {"replicas": 3, "containers": [
                {"name": "c", "image": "z"}, {"name": "a", "image": "x2", "imagePullPolicy": "Always"}, {"name": "b", "image": "y"}]}})
        );
        let mut set = FieldSet::new();
        set.insert(&[PathElement::field("spec"), PathElement::field("replicas")]);
        let b = PathElement::Key(vec![("name".into(), KeyValue::Str("b".into()))]);
        set.insert(&[PathElement::field("spec"), PathElement::field("containers"), b]);
        let mut pruned = merged.clone();
        remove("Pod", &mut pruned, &set);
        assert_eq!(pruned["spec"]["containers"].as_array().unwrap().len(), 2);
        assert!(pruned["spec"].get("replicas").is_none());
    }
}
