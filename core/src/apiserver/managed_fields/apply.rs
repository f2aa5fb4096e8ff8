//! Server-side apply (`application/apply-patch+yaml`): structured-merge-diff's `Updater.Apply`
//! under kube-apiserver's field-manager chain (`merge/update.go`, `internal/structuredmerge.go`,
//! `internal/lastappliedmanager.go`, `internal/lastappliedupdater.go`).
//!
//! 1. The configuration is merged into the live object (the kind's zero value when absent).
//! 2. The applier's new set is the configuration's fields; fields it applied last time and no
//!    longer does are removed, unless another manager owns them (`prune`).
//! 3. What the merge changed is checked against the other managers' sets: a changed field someone
//!    else owns is a conflict, unless `force` takes it from them.
//!
//! The caller defaults the result and runs it through admission, validation and storage.

use super::conflicts::{self, Conflict};
use super::entries::{Entry, Manager, Operation};
use super::set::{FieldSet, PathElement};
use super::{managed_of, reset_fields, set_entries, strip_meta, walk, without_managed_fields, Writer};
use serde_json::Value;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Why an apply was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ApplyError {
    /// 409 Conflict with this message.
    Conflicts(String),
}

/// Applies `config` over `live` (`None` creates). Returns the merged object, not yet defaulted,
/// carrying its new `managedFields`.
pub fn apply(w: &Writer, live: Option<&Value>, config: &Value, force: bool) -> Result<Value, ApplyError> {
    let empty = Value::Object(Default::default());
    let mut managed = live.map(|l| managed_of(Some(l), l["metadata"].get("managedFields"), "")).unwrap_or_default();
    let live_clean = live.map(without_managed_fields).unwrap_or(empty);
    let config = without_managed_fields(config);
    let applier = Manager::new(w.manager, Operation::Apply, w.api_version, w.subresource);

    let mut merged = walk::merge(w.kind, &live_clean, &config);
    let mut new_set = walk::to_field_set(w.kind, &config);
    reset_fields(&mut new_set, w);
    strip_meta(&mut new_set);

    // prune: what this applier owned and no longer applies goes, unless someone else owns it.
    let last = managed.get(&applier).map(|e| e.set.clone()).unwrap_or_default();
    let others = managed.iter().filter(|(m, _)| **m != applier).fold(FieldSet::new(), |acc, (_, e)| acc.union(&e.set));
    let mut gone = FieldSet::new();
    for path in last.difference(&new_set).members() {
        if !others.has_prefix(&path) && !new_set.has_prefix(&path) {
            gone.insert(&path);
        }
    }
    walk::remove(w.kind, &mut merged, &gone);

    // The fields this endpoint resets are left out of the comparison, as structured-merge-diff's
    // ignore filter leaves them out before it looks for conflicts: an apply to `/status` that
    // also sends a spec conflicts with nobody over it.
    let mut c = walk::compare(w.kind, &live_clean, &merged);
    reset_fields(&mut c.removed, w);
    let mut changed = c.modified.union(&c.added);
    reset_fields(&mut changed, w);
    let found = conflicts::find(&managed, &applier, &changed);
    if !found.is_empty() && !force && !allowed_by_last_applied(w.manager, live, &found) {
        return Err(ApplyError::Conflicts(conflicts::message(&found)));
    }
    for (m, e) in managed.iter_mut() {
        if *m != applier {
            e.set = e.set.difference(&changed).difference(&c.removed);
        }
        strip_meta(&mut e.set);
    }
    let unchanged = merged == live_clean;
    let time = if unchanged { managed.get(&applier).and_then(|e| e.time.clone()) } else { Some(w.now.to_string()) };
    managed.insert(applier, Entry { set: new_set, api_version: w.api_version.to_string(), time });
    managed.retain(|_, e| !e.set.is_empty());
    super::entries::cap(&mut managed);
    update_last_applied(w.manager, &mut merged, &config);
    set_entries(&mut merged, &managed);
    Ok(merged)
}

/// `lastAppliedManager`: kubectl's own applier (`kubectl`) may take over the fields an earlier
/// client-side apply set, as recorded in the last-applied annotation, without `--force-conflicts`.
fn allowed_by_last_applied(manager: &str, live: Option<&Value>, found: &[Conflict]) -> bool {
    if manager != "kubectl" {
        return false;
    }
    let Some(text) = live.and_then(|l| l["metadata"]["annotations"][LAST_APPLIED].as_str()) else { return false };
    let Ok(last) = serde_json::from_str::<Value>(text) else { return false };
    let kind = live.and_then(|l| l["kind"].as_str()).unwrap_or("");
    let allowed = walk::to_field_set(kind, &last);
    found.iter().all(|c| allowed.has(&c.path))
}

/// `lastAppliedUpdater`: when `kubectl` applies an object that has the client-side annotation,
/// the annotation follows the applied configuration, so a later client-side apply still works.
fn update_last_applied(manager: &str, merged: &mut Value, config: &Value) {
    if manager != "kubectl" || merged["metadata"]["annotations"].get(LAST_APPLIED).is_none() {
        return;
    }
    let mut text = serde_json::to_string(config).unwrap_or_default();
    text.push('\n');
    merged["metadata"]["annotations"][LAST_APPLIED] = Value::String(text);
}

/// The path of a field as `PathElement`s, for tests and callers that name fields.
pub fn field_path(fields: &[&str]) -> Vec<PathElement> {
    fields.iter().map(|f| PathElement::field(f)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn writer<'a>(manager: &'a str, now: &'a str) -> Writer<'a> {
        Writer { kind: "Deployment", api_version: "apps/v1", manager, subresource: "", has_status: true, now }
    }

    fn deployment(replicas: i64) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}})
    }

    #[test]
    fn apply_creates_conflicts_forces_and_prunes() {
        let created = apply(&writer("kubectl", "2026-01-01T00:00:00Z"), None, &deployment(2), false).unwrap();
        let mf = &created["metadata"]["managedFields"][0];
        assert_eq!((mf["manager"].as_str(), mf["operation"].as_str()), (Some("kubectl"), Some("Apply")));
        assert!(mf["fieldsV1"]["f:metadata"].is_null(), "name is server-owned metadata: {mf}");
        // Same config again: nothing changes, the entry keeps its time.
        let again = apply(&writer("kubectl", "2026-01-01T00:01:00Z"), Some(&created), &deployment(2), false).unwrap();
        assert_eq!(again, created);
        // Someone scales; applying the old count now conflicts.
        let mut scaled = created.clone();
        scaled["spec"]["replicas"] = json!(5);
        super::super::record_update(
            &Writer { kind: "Deployment", api_version: "apps/v1", manager: "kubectl", subresource: "scale", has_status: true, now: "2026-01-01T00:02:00Z" },
            Some(&created),
            &mut scaled,
        );
        let err = apply(&writer("kubectl", "2026-01-01T00:03:00Z"), Some(&scaled), &deployment(2), false).unwrap_err();
        assert_eq!(
            err,
            ApplyError::Conflicts("Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: .spec.replicas".into())
        );
        // The same value is no conflict: both own it.
        assert!(apply(&writer("kubectl", "2026-01-01T00:03:00Z"), Some(&scaled), &deployment(5), false).is_ok());
        let forced = apply(&writer("kubectl", "2026-01-01T00:03:00Z"), Some(&scaled), &deployment(2), true).unwrap();
        assert_eq!(forced["spec"]["replicas"], 2);
        assert_eq!(forced["metadata"]["managedFields"].as_array().unwrap().len(), 1, "the scaler lost its only field");
        // Dropping replicas from the config removes the field (defaulting puts 1 back later).
        let mut config = deployment(2);
        config["spec"].as_object_mut().unwrap().remove("replicas");
        let pruned = apply(&writer("kubectl", "2026-01-01T00:04:00Z"), Some(&forced), &config, false).unwrap();
        assert!(pruned["spec"].get("replicas").is_none());
        assert_eq!(pruned["metadata"]["managedFields"][0]["time"], "2026-01-01T00:04:00Z");
    }
}
