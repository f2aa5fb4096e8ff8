//! Field sets and their `FieldsV1` encoding, as structured-merge-diff's `fieldpath` package
//! has them (`fieldpath/set.go`, `element.go`, `serialize.go`, `serialize-pe.go`).
//!
//! A set is a tree of path elements. Each element is a field name (`f:replicas`), the key of an
//! associative list item (`k:{"containerPort":80,"protocol":"TCP"}`), the value of a set-list
//! item (`v:"foregroundDeletion"`) or a list index (`i:0`). A node is a *member* when the path to
//! it is itself in the set; it may also have children. On the wire a member without children is
//! `{}`, and a member with children carries `".": {}` among them:
//!
//! ```text
//! f:metadata:            <- only a parent of owned fields
//!   f:labels:
//!     .: {}              <- metadata.labels itself is owned, and
//!     f:app: {}          <- so is metadata.labels.app
//! ```

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A scalar in a list item's key, ordered as `value.Compare` orders them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyValue {
    Null,
    Bool(bool),
    Int(i64),
    /// Floats keep their JSON text; they compare as text (never seen in keys of built-in kinds).
    Float(String),
    Str(String),
}

impl KeyValue {
    pub fn from_json(v: &Value) -> Option<KeyValue> {
        Some(match v {
            Value::Null => KeyValue::Null,
            Value::Bool(b) => KeyValue::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => KeyValue::Int(i),
                None => KeyValue::Float(n.to_string()),
            },
            Value::String(s) => KeyValue::Str(s.clone()),
            _ => return None,
        })
    }

    fn to_json(&self) -> Value {
        match self {
            KeyValue::Null => Value::Null,
            KeyValue::Bool(b) => Value::Bool(*b),
            KeyValue::Int(i) => Value::from(*i),
            KeyValue::Float(f) => serde_json::from_str(f).unwrap_or(Value::Null),
            KeyValue::Str(s) => Value::String(s.clone()),
        }
    }

    /// `value.ToString`: strings quoted, everything else as JSON.
    fn display(&self) -> String {
        self.to_json().to_string()
    }
}

/// One step of a field path (`fieldpath.PathElement`). The derived order is SMD's: field names
/// first, then keys, then values, then indexes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElement {
    Field(String),
    /// Key fields sorted by name.
    Key(Vec<(String, KeyValue)>),
    Value(KeyValue),
    Index(i64),
}

impl PathElement {
    pub fn field(name: &str) -> Self {
        PathElement::Field(name.to_string())
    }

    /// The `f:`/`k:`/`v:`/`i:` form used as a key in `fieldsV1`.
    pub fn encode(&self) -> String {
        match self {
            PathElement::Field(f) => format!("f:{f}"),
            PathElement::Key(fields) => {
                let mut m = Map::new();
                for (k, v) in fields {
                    m.insert(k.clone(), v.to_json());
                }
                // serde_json's map keeps keys sorted, as the key fields already are.
                format!("k:{}", Value::Object(m))
            }
            PathElement::Value(v) => format!("v:{}", v.to_json()),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    /// `DeserializePathElement`.
    pub fn decode(s: &str) -> Option<Self> {
        let (kind, rest) = (s.get(..2)?, s.get(2..)?);
        Some(match kind {
            "f:" => PathElement::Field(rest.to_string()),
            "k:" => {
                let Value::Object(m) = serde_json::from_str::<Value>(rest).ok()? else { return None };
                let mut fields: Vec<(String, KeyValue)> = Vec::new();
                for (k, v) in m {
                    fields.push((k, KeyValue::from_json(&v)?));
                }
                fields.sort();
                PathElement::Key(fields)
            }
            "v:" => PathElement::Value(KeyValue::from_json(&serde_json::from_str::<Value>(rest).ok()?)?),
            "i:" => PathElement::Index(rest.parse().ok()?),
            _ => return None,
        })
    }

    /// `PathElement.String`, as conflict messages print paths: `.spec`, `[name="nginx"]`.
    pub fn display(&self) -> String {
        match self {
            PathElement::Field(f) => format!(".{f}"),
            PathElement::Key(fields) => {
                let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", v.display())).collect();
                format!("[{}]", parts.join(","))
            }
            PathElement::Value(v) => format!("[={}]", v.display()),
            PathElement::Index(i) => format!("[{i}]"),
        }
    }
}

pub type Path = Vec<PathElement>;

/// `Path.String`.
pub fn path_string(path: &[PathElement]) -> String {
    path.iter().map(PathElement::display).collect()
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Node {
    pub member: bool,
    pub children: FieldSet,
}

impl Node {
    /// Marks `rest` below this node: the node itself when `rest` is empty.
    fn insert(&mut self, rest: &[PathElement]) {
        if rest.is_empty() {
            self.member = true;
        } else {
            self.children.insert(rest);
        }
    }
}

/// `fieldpath.Set`: ordered, so iteration and encoding are deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldSet(pub BTreeMap<PathElement, Node>);

impl FieldSet {
    pub fn new() -> Self {
        FieldSet::default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn insert(&mut self, path: &[PathElement]) {
        let Some((first, rest)) = path.split_first() else { return };
        // One search of the level when the element is there; when it is new, one more (the
        // entry's), and only then is the element copied.
        if let Some(node) = self.0.get_mut(first) {
            node.insert(rest);
            return;
        }
        self.0.entry(first.clone()).or_default().insert(rest);
    }

    pub fn has(&self, path: &[PathElement]) -> bool {
        let Some((first, rest)) = path.split_first() else { return false };
        match self.0.get(first) {
            Some(n) if rest.is_empty() => n.member,
            Some(n) => n.children.has(rest),
            None => false,
        }
    }

    /// Whether the set holds `path` or anything below it.
    pub fn has_prefix(&self, path: &[PathElement]) -> bool {
        let Some((first, rest)) = path.split_first() else { return !self.is_empty() };
        match self.0.get(first) {
            Some(_) if rest.is_empty() => true,
            Some(n) => n.children.has_prefix(rest),
            None => false,
        }
    }

    /// The subtree below `pe` (`Set.WithPrefix`).
    pub fn child(&self, pe: &PathElement) -> Option<&Node> {
        self.0.get(pe)
    }

    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.union_with(other);
        out
    }

    /// [`FieldSet::union`] in place: `other`'s subtrees that `self` lacks are copied, the rest
    /// merged level by level (rebuilding each level's children was a copy per level).
    pub fn union_with(&mut self, other: &FieldSet) {
        for (pe, n) in &other.0 {
            match self.0.get_mut(pe) {
                Some(mine) => {
                    mine.member |= n.member;
                    mine.children.union_with(&n.children);
                }
                None => {
                    self.0.insert(pe.clone(), n.clone());
                }
            }
        }
    }

    /// Members of `self` that are not members of `other` (`Set.Difference`: not recursive over
    /// whole subtrees, member by member).
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet::new();
        for (pe, n) in &self.0 {
            let (member, children) = match other.0.get(pe) {
                Some(o) => (n.member && !o.member, n.children.difference(&o.children)),
                None => (n.member, n.children.clone()),
            };
            if member || !children.is_empty() {
                out.0.insert(pe.clone(), Node { member, children });
            }
        }
        out
    }

    /// [`FieldSet::difference`] in place: `self` becomes `self.difference(other)` without a
    /// copy of the members `other` does not touch.
    pub fn subtract(&mut self, other: &FieldSet) {
        for (pe, n) in self.0.iter_mut() {
            if let Some(o) = other.0.get(pe) {
                n.member &= !o.member;
                n.children.subtract(&o.children);
            }
        }
        self.0.retain(|_, n| n.member || !n.children.is_empty());
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet::new();
        for (pe, n) in &self.0 {
            if let Some(o) = other.0.get(pe) {
                let member = n.member && o.member;
                let children = n.children.intersection(&o.children);
                if member || !children.is_empty() {
                    out.0.insert(pe.clone(), Node { member, children });
                }
            }
        }
        out
    }

    /// Removes `path` and everything below it (`RecursiveDifference` of one path).
    pub fn remove_subtree(&mut self, path: &[PathElement]) {
        let Some((first, rest)) = path.split_first() else { return };
        if rest.is_empty() {
            self.0.remove(first);
            return;
        }
        if let Some(n) = self.0.get_mut(first) {
            n.children.remove_subtree(rest);
            if !n.member && n.children.is_empty() {
                self.0.remove(first);
            }
        }
    }

    /// Removes one member, keeping whatever lies below it.
    pub fn remove_member(&mut self, path: &[PathElement]) {
        let Some((first, rest)) = path.split_first() else { return };
        if let Some(n) = self.0.get_mut(first) {
            if rest.is_empty() {
                n.member = false;
            } else {
                n.children.remove_member(rest);
            }
            if !n.member && n.children.is_empty() {
                self.0.remove(first);
            }
        }
    }

    /// Every member path, in order.
    pub fn members(&self) -> Vec<Path> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut Path, out: &mut Vec<Path>) {
        for (pe, n) in &self.0 {
            prefix.push(pe.clone());
            if n.member {
                out.push(prefix.clone());
            }
            n.children.collect(prefix, out);
            prefix.pop();
        }
    }

    /// Every member path in `Set.Iterate` order: a level's members, then its children's.
    pub fn iterate(&self) -> Vec<Path> {
        let mut out = Vec::new();
        self.iterate_prefix(&mut Vec::new(), &mut out);
        out
    }

    fn iterate_prefix(&self, prefix: &mut Path, out: &mut Vec<Path>) {
        for (pe, n) in &self.0 {
            if n.member {
                let mut p = prefix.clone();
                p.push(pe.clone());
                out.push(p);
            }
        }
        for (pe, n) in &self.0 {
            prefix.push(pe.clone());
            n.children.iterate_prefix(prefix, out);
            prefix.pop();
        }
    }

    /// The `fieldsV1` JSON object (`Set.ToJSON`).
    pub fn to_fields_v1(&self) -> Value {
        Value::Object(self.emit(false))
    }

    fn emit(&self, include_self: bool) -> Map<String, Value> {
        let mut m = Map::new();
        if include_self && !self.is_empty() {
            m.insert(".".into(), Value::Object(Map::new()));
        }
        for (pe, n) in &self.0 {
            m.insert(pe.encode(), Value::Object(n.children.emit(n.member)));
        }
        m
    }

    /// Parses a `fieldsV1` object (`Set.FromJSON`); `None` when it is malformed.
    pub fn from_fields_v1(v: &Value) -> Option<FieldSet> {
        let mut set = FieldSet::new();
        for (k, child) in v.as_object()? {
            if k == "." {
                continue;
            }
            let pe = PathElement::decode(k)?;
            let inner = child.as_object()?;
            let children = FieldSet::from_fields_v1(child)?;
            let member = inner.is_empty() || inner.contains_key(".");
            set.0.insert(pe, Node { member, children });
        }
        Some(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(s: &str) -> PathElement {
        PathElement::field(s)
    }

    #[test]
    fn encodes_members_children_and_dot() {
        let mut s = FieldSet::new();
        s.insert(&[f("metadata"), f("labels")]);
        s.insert(&[f("metadata"), f("labels"), f("app")]);
        let port = PathElement::Key(vec![("containerPort".into(), KeyValue::Int(80)), ("protocol".into(), KeyValue::Str("TCP".into()))]);
        let c = PathElement::Key(vec![("name".into(), KeyValue::Str("nginx".into()))]);
        s.insert(&[f("spec"), f("containers"), c.clone()]);
        s.insert(&[f("spec"), f("containers"), c.clone(), f("image")]);
        s.insert(&[f("spec"), f("containers"), c.clone(), f("ports"), port.clone(), f("containerPort")]);
        s.insert(&[f("metadata"), f("finalizers"), PathElement::Value(KeyValue::Str("x".into()))]);
        let v = s.to_fields_v1();
        assert_eq!(
            v,
            json!({
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}, "f:finalizers": {"v:\"x\"": {}}},
                "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {},
                    "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {"f:containerPort": {}}}}}}
            })
        );
        assert_eq!(FieldSet::from_fields_v1(&v), Some(s.clone()));
        assert_eq!(
            path_string(&[f("spec"), f("containers"), c, f("ports"), port]),
            ".spec.containers[name=\"nginx\"].ports[containerPort=80,protocol=\"TCP\"]"
        );
    }

    #[test]
    fn set_algebra() {
        let mut a = FieldSet::new();
        a.insert(&[f("spec"), f("replicas")]);
        a.insert(&[f("spec"), f("paused")]);
        let mut b = FieldSet::new();
        b.insert(&[f("spec"), f("replicas")]);
        b.insert(&[f("spec")]);
        assert_eq!(a.intersection(&b).members(), vec![vec![f("spec"), f("replicas")]]);
        assert_eq!(a.difference(&b).members(), vec![vec![f("spec"), f("paused")]]);
        assert_eq!(b.difference(&a).members(), vec![vec![f("spec")]]);
        assert_eq!(a.union(&b).members().len(), 3);
        let mut merged = a.clone();
        merged.union_with(&b);
        assert_eq!(merged, a.union(&b));
        assert_eq!(merged, b.union(&a));
        assert!(a.has_prefix(&[f("spec")]) && !a.has(&[f("spec")]));
        a.remove_subtree(&[f("spec")]);
        assert!(a.is_empty());
        assert_eq!(FieldSet::from_fields_v1(&json!({"x": {}})), None);
    }

    /// In place, the difference is the copying one, for sets that overlap in every way (members
    /// with and without children, empty non-member nodes from a decoded entry).
    #[test]
    fn subtract_equals_difference() {
        let paths: Vec<Vec<PathElement>> = vec![
            vec![f("spec")],
            vec![f("spec"), f("replicas")],
            vec![f("spec"), f("template"), f("metadata")],
            vec![f("spec"), f("template"), f("metadata"), f("labels")],
            vec![f("metadata"), f("labels"), f("app")],
            vec![f("metadata")],
            vec![f("status"), PathElement::Index(0)],
        ];
        let set_of = |bits: u32| {
            let mut s = FieldSet::new();
            for (i, p) in paths.iter().enumerate() {
                if bits & (1 << i) != 0 {
                    s.insert(p);
                }
            }
            s
        };
        let mut odd = set_of(0b11);
        odd.0.insert(f("empty"), Node::default());
        for a in 0..(1u32 << paths.len()) {
            for b in [0u32, 0b1, 0b10, 0b101, 0b1010, 0b1111111, a, a ^ 0b110] {
                let (x, y) = (set_of(a), set_of(b));
                let mut z = x.clone();
                z.subtract(&y);
                assert_eq!(z, x.difference(&y), "{a:b} - {b:b}");
                let mut w = odd.clone();
                w.subtract(&y);
                assert_eq!(w, odd.difference(&y));
            }
        }
    }
}
