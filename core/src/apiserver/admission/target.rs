//! The object a mutating admission plugin admits, and the copies kept of it so that every change
//! a plugin makes is listed in its record (and undone when it rejects the request).
//!
//! kube-apiserver hands each plugin the object itself; the simulator also wants to show what
//! each plugin changed, which needs the object as it was before the plugin's first edit. A copy
//! costs what it holds, so a plugin asks for the narrowest one it needs:
//! [`Target::edit_spec_fields`] copies only the named fields of `spec` and lets the plugin set
//! only those (Priority's three, DefaultTolerationSeconds' `tolerations`),
//! [`Target::edit_spec`] copies only `spec` and gives the plugin only `spec` to change
//! (ServiceAccount), [`Target::edit`] copies the whole object. A copy is made at the first edit only, and an earlier plugin's copy
//! that is no longer needed is brought up to date ([`changes::sync`]) rather than made anew.

use super::changes;
use crate::apiserver::diff;
use serde_json::{Map, Value};

/// The object as it was before a plugin's first edit.
#[derive(Clone, Debug, PartialEq)]
pub enum Before {
    /// The whole object.
    Whole(Value),
    /// Only `spec` (`None`: the object had none); nothing else was changed.
    Spec(Option<Value>),
    /// Only the named fields of `spec` (the object had a spec), as they were: a name without
    /// an entry was absent. Nothing else was changed.
    SpecFields(Vec<&'static str>, Map<String, Value>),
}

/// The named fields of an object's spec that it has, copied.
fn spec_fields(obj: &Value, names: &[&'static str]) -> Map<String, Value> {
    let spec = obj.get("spec").and_then(Value::as_object);
    names.iter().filter_map(|n| spec.and_then(|s| s.get(*n)).map(|v| ((*n).to_string(), v.clone()))).collect()
}

/// Puts the named fields of a spec back as `fields` holds them (removing those it lacks).
fn restore_fields(spec: &mut Value, names: &[&'static str], fields: &Map<String, Value>) {
    let Some(spec) = spec.as_object_mut() else { return };
    for n in names {
        match fields.get(*n) {
            Some(v) => {
                spec.insert((*n).to_string(), v.clone());
            }
            None => {
                spec.remove(*n);
            }
        }
    }
}

impl Before {
    /// The changed paths from this copy to `now`, as [`changes::diff`] lists them for the
    /// plugin's record. For a copy of `spec` only the rest is unchanged, and the walk of the
    /// whole object would visit only `spec`.
    pub(super) fn plugin_changes(&self, now: &Value) -> Vec<String> {
        match self {
            Before::Whole(before) => changes::diff(before, now),
            Before::Spec(before) => changes::diff_at("spec", before.as_ref(), now.get("spec")),
            // The walk of the specs would visit only the named fields, in key order, as the
            // walk of these two small maps does.
            Before::SpecFields(names, before) => {
                let now = Value::Object(spec_fields(now, names));
                changes::diff_at("spec", Some(&Value::Object(before.clone())), Some(&now))
            }
        }
    }

    /// What the phase changed, as [`diff::changes`] lists it for the trace: for a copy of
    /// `spec`, only `spec` changed.
    pub fn changes(&self, now: &Value, max: usize) -> Vec<String> {
        match self {
            Before::Whole(before) => diff::changes(before, now, max),
            Before::Spec(before) => diff::changes_at("spec", before.as_ref(), now.get("spec"), max),
            Before::SpecFields(names, before) => {
                let now = Value::Object(spec_fields(now, names));
                diff::changes_at("spec", Some(&Value::Object(before.clone())), Some(&now), max)
            }
        }
    }

    /// Puts the object back as it was.
    pub(super) fn restore(self, obj: &mut Value) {
        match self {
            Before::Whole(before) => *obj = before,
            Before::Spec(spec) => set_spec(obj, spec),
            Before::SpecFields(names, fields) => {
                if let Some(spec) = obj.get_mut("spec") {
                    restore_fields(spec, &names, &fields);
                }
            }
        }
    }

    /// This copy widened to the whole object, `now` being the object at the time (which differs
    /// from the copy only where the copy says).
    fn into_whole(self, now: &Value) -> Value {
        match self {
            Before::Whole(whole) => whole,
            Before::Spec(spec) => {
                let mut whole = now.clone();
                set_spec(&mut whole, spec);
                whole
            }
            Before::SpecFields(names, fields) => {
                let mut whole = now.clone();
                if let Some(spec) = whole.get_mut("spec") {
                    restore_fields(spec, &names, &fields);
                }
                whole
            }
        }
    }
}

/// Sets (or, for `None`, removes) `spec` in an object.
fn set_spec(obj: &mut Value, spec: Option<Value>) {
    let Some(map) = obj.as_object_mut() else { return };
    match spec {
        Some(spec) => {
            map.insert("spec".into(), spec);
        }
        None => {
            map.remove("spec");
        }
    }
}

/// The copy of the phase's starting object, `original` (the first editing plugin's), combined
/// with a later plugin's copy `before`; returns what is left over as a spare. A whole copy made
/// after only `spec` had changed is the starting object once its `spec` is put back.
pub(super) fn combine(original: &mut Option<Before>, before: Option<Before>) -> Option<Before> {
    match (original.take(), before) {
        (None, before) => {
            *original = before;
            None
        }
        (Some(Before::Spec(spec)), Some(Before::Whole(mut whole))) => {
            set_spec(&mut whole, spec);
            *original = Some(Before::Whole(whole));
            None
        }
        // Only the named fields had changed before the later copy was made.
        (Some(Before::SpecFields(names, fields)), Some(Before::Whole(mut whole))) => {
            if let Some(spec) = whole.get_mut("spec") {
                restore_fields(spec, &names, &fields);
            }
            *original = Some(Before::Whole(whole));
            None
        }
        (Some(Before::SpecFields(names, fields)), Some(Before::Spec(Some(mut spec)))) => {
            restore_fields(&mut spec, &names, &fields);
            *original = Some(Before::Spec(Some(spec)));
            None
        }
        // Fields the later plugin copied that no earlier one changed were still as the phase
        // received them.
        (Some(Before::SpecFields(mut names, mut fields)), Some(Before::SpecFields(later, later_fields))) => {
            for n in later {
                if !names.contains(&n) {
                    names.push(n);
                    if let Some(v) = later_fields.get(n) {
                        fields.insert(n.to_string(), v.clone());
                    }
                }
            }
            *original = Some(Before::SpecFields(names, fields));
            None
        }
        (Some(o), before) => {
            *original = Some(o);
            before
        }
    }
}

static NULL: Value = Value::Null;

/// The object a mutating plugin admits. A plugin reads it freely (it derefs to the object) and
/// asks for [`Target::edit_spec`] or [`Target::edit`] before changing it.
pub(crate) struct Target<'a> {
    obj: &'a mut Value,
    /// The object (or its `spec`) as it was before the plugin's first edit.
    pub(super) before: Option<Before>,
    /// An earlier plugin's copy, no longer needed: brought up to date it serves as this
    /// plugin's, which copies only what the plugins between changed.
    pub(super) spare: Option<Before>,
}

impl<'a> Target<'a> {
    pub(super) fn new(obj: &'a mut Value, spare: Option<Before>) -> Self {
        Target { obj, before: None, spare }
    }

    /// The object, to change: the first call keeps a copy of it as it was.
    pub(crate) fn edit(&mut self) -> &mut Value {
        self.edited().0
    }

    /// [`Target::edit`], with the object as it was before the first edit.
    pub(crate) fn edited(&mut self) -> (&mut Value, &Value) {
        let Target { obj, before, spare } = self;
        let whole = match before.take() {
            // The plugin changed only (part of) spec so far: the rest is still as it was.
            Some(b) => b.into_whole(obj),
            None => match spare.take() {
                Some(Before::Whole(mut copy)) => {
                    changes::sync(&mut copy, obj);
                    copy
                }
                _ => obj.clone(),
            },
        };
        *before = Some(Before::Whole(whole));
        let before = match before {
            Some(Before::Whole(whole)) => &*whole,
            _ => &NULL,
        };
        (&mut **obj, before)
    }

    /// The object's `spec`, to change (`None` when it has none); the plugin may change nothing
    /// else. The first edit keeps a copy of `spec` as it was.
    pub(crate) fn edit_spec(&mut self) -> Option<&mut Value> {
        if let Some(Before::SpecFields(names, fields)) = &self.before {
            // Widened: the spec now, with the fields changed so far as they were.
            let mut spec = self.obj.get("spec").cloned();
            if let Some(spec) = spec.as_mut() {
                restore_fields(spec, names, fields);
            }
            self.before = Some(Before::Spec(spec));
        }
        if self.before.is_none() {
            let now = self.obj.get("spec");
            let copy = match (self.spare.take(), now) {
                (Some(Before::Spec(Some(mut copy))), Some(now)) => {
                    changes::sync(&mut copy, now);
                    Some(copy)
                }
                (Some(Before::Whole(mut whole)), Some(now)) => match whole.as_object_mut().and_then(|m| m.remove("spec")) {
                    Some(mut copy) => {
                        changes::sync(&mut copy, now);
                        Some(copy)
                    }
                    None => Some(now.clone()),
                },
                (_, now) => now.cloned(),
            };
            self.before = Some(Before::Spec(copy));
        }
        self.obj.get_mut("spec")
    }
}

impl Target<'_> {
    /// The fields `names` of the object's `spec`, to set (`None` when it has no spec object);
    /// the plugin may change nothing else. The first edit copies only those fields (a wider copy
    /// made earlier covers them).
    pub(crate) fn edit_spec_fields(&mut self, names: &[&'static str]) -> Option<SpecFields<'_>> {
        if !self.obj.get("spec").is_some_and(Value::is_object) {
            return None;
        }
        match &mut self.before {
            None => self.before = Some(Before::SpecFields(names.to_vec(), spec_fields(self.obj, names))),
            Some(Before::SpecFields(have, fields)) => {
                // Fields not named before are still as the plugin received them.
                for n in names {
                    if !have.contains(n) {
                        have.push(*n);
                        if let Some(v) = self.obj.get("spec").and_then(|s| s.get(*n)) {
                            fields.insert((*n).to_string(), v.clone());
                        }
                    }
                }
            }
            Some(_) => {}
        }
        let spec = self.obj.get_mut("spec").and_then(Value::as_object_mut)?;
        Some(SpecFields { spec, names: names.to_vec() })
    }
}

/// Some fields of a spec, the only ones a plugin that asked for them may set.
pub(crate) struct SpecFields<'a> {
    spec: &'a mut Map<String, Value>,
    names: Vec<&'static str>,
}

impl SpecFields<'_> {
    /// Sets one of the fields (a name not asked for is ignored: it was not copied, so its
    /// change could not be shown).
    pub(crate) fn set(&mut self, name: &str, value: Value) {
        if self.names.contains(&name) {
            self.spec.insert(name.to_string(), value);
        }
    }
}

impl std::ops::Deref for Target<'_> {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.obj
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn objects() -> Vec<Value> {
        vec![
            json!({"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"containers": [{"name": "c"}], "n": 1}}),
            json!({"metadata": {"name": "a", "annotations": {"k.io/y": "2"}}, "spec": {"containers": [{"name": "c", "image": "i"}], "m": [1, 2]}}),
            json!({"metadata": {"name": "a"}, "spec": {}}),
            json!({"metadata": {"name": "a"}}),
            json!({"metadata": {"name": "b"}, "spec": {"n": 2}, "status": {"phase": "Pending"}}),
        ]
    }

    /// Replaces `to`'s spec with `from`'s, or null (the only edit a spec-only plugin can make).
    fn with_spec_of(to: &Value, from: &Value) -> Value {
        let mut out = to.clone();
        set_spec(&mut out, Some(from.get("spec").cloned().unwrap_or(Value::Null)));
        out
    }

    /// Every way to reach an edit (no spare, a spare of either shape, spec then whole) keeps a
    /// copy that lists and undoes exactly what the whole-object copy would.
    #[test]
    fn spec_copies_list_and_undo_what_whole_copies_do() {
        for start in objects() {
            for end in objects() {
                for spare in [None, Some(Before::Whole(end.clone())), Some(Before::Spec(end.get("spec").cloned())), Some(Before::Spec(None))] {
                    // A spec-only edit.
                    let target_end = with_spec_of(&start, &end);
                    let mut obj = start.clone();
                    let mut t = Target::new(&mut obj, spare.clone());
                    if let Some(spec) = t.edit_spec() {
                        *spec = end.get("spec").cloned().unwrap_or(Value::Null);
                    }
                    let before = t.before.take();
                    if start.get("spec").is_none() {
                        // Nothing to edit: nothing changed.
                        assert_eq!(obj, start);
                    } else {
                        let before = before.unwrap_or(Before::Whole(Value::Null));
                        assert_eq!(obj, target_end);
                        assert_eq!(before.plugin_changes(&obj), changes::diff(&start, &obj), "{start} -> {obj}");
                        assert_eq!(before.changes(&obj, 12), diff::changes(&start, &obj, 12), "{start} -> {obj}");
                        before.restore(&mut obj);
                        assert_eq!(obj, start);
                    }
                    // A spec edit followed by a whole edit.
                    let mut obj = start.clone();
                    let mut t = Target::new(&mut obj, spare.clone());
                    if let Some(spec) = t.edit_spec() {
                        spec["added"] = json!(true);
                    }
                    *t.edit() = end.clone();
                    let before = t.before.take().unwrap_or(Before::Spec(None));
                    assert_eq!(before, Before::Whole(start.clone()));
                }
            }
        }
    }

    /// The phase's starting object is kept whichever shapes the plugins' copies take.
    #[test]
    fn combine_keeps_the_starting_object() {
        let start = json!({"metadata": {"name": "a"}, "spec": {"n": 1}});
        let after_spec = json!({"metadata": {"name": "a"}, "spec": {"n": 2}});
        // A spec copy first, then a whole copy made after only spec changed.
        let mut original = None;
        assert_eq!(combine(&mut original, Some(Before::Spec(start.get("spec").cloned()))), None);
        assert_eq!(combine(&mut original, Some(Before::Whole(after_spec.clone()))), None);
        assert_eq!(original, Some(Before::Whole(start.clone())));
        // A later copy is a spare once the start is known; no copy changes nothing.
        assert_eq!(combine(&mut original, Some(Before::Spec(None))), Some(Before::Spec(None)));
        assert_eq!(combine(&mut original, None), None);
        assert_eq!(original, Some(Before::Whole(start)));
    }

    /// One plugin's edit in the sequences below.
    fn apply(t: &mut Target, kind: usize, step: usize) {
        let names: &[&'static str] = if step.is_multiple_of(2) { &["a", "tolerations"] } else { &["b"] };
        let set_fields = |t: &mut Target| {
            if let Some(mut f) = t.edit_spec_fields(names) {
                for n in names {
                    f.set(n, json!(format!("{n}-{step}")));
                }
                f.set("not-asked-for", json!(true));
            }
        };
        match kind {
            0 => {}
            1 => set_fields(t),
            2 => {
                if let Some(spec) = t.edit_spec() {
                    spec["x"] = json!(step);
                    if let Some(m) = spec.as_object_mut() {
                        m.remove("a");
                    }
                }
            }
            3 => {
                let obj = t.edit();
                obj["metadata"]["labels"] = json!({"s": step});
                obj["spec"]["b"] = json!(step);
            }
            4 => {
                set_fields(t);
                if let Some(spec) = t.edit_spec() {
                    spec["y"] = json!(step);
                }
            }
            5 => {
                set_fields(t);
                t.edit()["metadata"]["name"] = json!(format!("n{step}"));
            }
            _ => {
                if let Some(spec) = t.edit_spec() {
                    spec["z"] = json!(step);
                }
                set_fields(t);
            }
        }
    }

    /// Every sequence of three plugins' edits of every shape: each plugin's record and undo, and
    /// the phase's, are what whole copies give.
    #[test]
    fn sequences_of_narrow_and_wide_copies_keep_the_start() {
        let starts = [
            json!({"metadata": {"name": "a"}, "spec": {"a": 1, "c": [1, 2], "tolerations": []}}),
            json!({"metadata": {"name": "a", "labels": {"s": 0}}, "spec": {"b": "x"}}),
            json!({"metadata": {"name": "a"}}),
        ];
        for start in &starts {
            for seq in 0..7usize.pow(3) {
                let kinds = [seq % 7, seq / 7 % 7, seq / 49];
                let mut obj = start.clone();
                let (mut original, mut spare) = (None, None);
                for (step, kind) in kinds.into_iter().enumerate() {
                    let was = obj.clone();
                    let mut t = Target::new(&mut obj, spare.take());
                    apply(&mut t, kind, step);
                    let (before, left) = (t.before.take(), t.spare.take());
                    spare = left;
                    match &before {
                        Some(b) => {
                            assert_eq!(b.plugin_changes(&obj), changes::diff(&was, &obj), "{kinds:?} step {step} of {start}");
                            let mut undone = obj.clone();
                            b.clone().restore(&mut undone);
                            assert_eq!(undone, was, "{kinds:?} step {step} of {start}");
                        }
                        None => assert_eq!(obj, was),
                    }
                    if let Some(left) = combine(&mut original, before) {
                        spare = Some(left);
                    }
                }
                match original {
                    Some(o) => {
                        assert_eq!(o.changes(&obj, 12), diff::changes(start, &obj, 12), "{kinds:?} of {start}");
                        o.restore(&mut obj);
                        assert_eq!(&obj, start, "{kinds:?}");
                    }
                    None => assert_eq!(&obj, start),
                }
            }
        }
    }
}
