//! The object a mutating admission plugin admits, and the copies kept of it so that every change
//! a plugin makes is listed in its record (and undone when it rejects the request).
//!
//! kube-apiserver hands each plugin the object itself; the simulator also wants to show what
//! each plugin changed, which needs the object as it was before the plugin's first edit. A copy
//! costs what it holds, so a plugin asks for the narrowest one it needs: [`Target::edit_spec`]
//! copies only `spec` and gives the plugin only `spec` to change (the pod plugins —
//! ServiceAccount, Priority, DefaultTolerationSeconds — edit nothing else), [`Target::edit`]
//! copies the whole object. A copy is made at the first edit only, and an earlier plugin's copy
//! that is no longer needed is brought up to date ([`changes::sync`]) rather than made anew.

use super::changes;
use crate::apiserver::diff;
use serde_json::Value;

/// The object as it was before a plugin's first edit.
#[derive(Clone, Debug, PartialEq)]
pub enum Before {
    /// The whole object.
    Whole(Value),
    /// Only `spec` (`None`: the object had none); nothing else was changed.
    Spec(Option<Value>),
}

impl Before {
    /// The changed paths from this copy to `now`, as [`changes::diff`] lists them for the
    /// plugin's record. For a copy of `spec` only the rest is unchanged, and the walk of the
    /// whole object would visit only `spec`.
    pub(super) fn plugin_changes(&self, now: &Value) -> Vec<String> {
        match self {
            Before::Whole(before) => changes::diff(before, now),
            Before::Spec(before) => changes::diff_at("spec", before.as_ref(), now.get("spec")),
        }
    }

    /// What the phase changed, as [`diff::changes`] lists it for the trace: for a copy of
    /// `spec`, only `spec` changed.
    pub fn changes(&self, now: &Value, max: usize) -> Vec<String> {
        match self {
            Before::Whole(before) => diff::changes(before, now, max),
            Before::Spec(before) => diff::changes_at("spec", before.as_ref(), now.get("spec"), max),
        }
    }

    /// Puts the object back as it was.
    pub(super) fn restore(self, obj: &mut Value) {
        match self {
            Before::Whole(before) => *obj = before,
            Before::Spec(spec) => set_spec(obj, spec),
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
            Some(Before::Whole(whole)) => whole,
            // The plugin changed only spec so far: the rest is still as it was.
            Some(Before::Spec(spec)) => {
                let mut whole = obj.clone();
                set_spec(&mut whole, spec);
                whole
            }
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
}
