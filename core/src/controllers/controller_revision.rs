//! ControllerRevisions, the history the DaemonSet and StatefulSet controllers keep of their pod
//! templates (`pkg/controller/history` and each controller's `constructHistory` /
//! `truncateHistory`).
//!
//! A revision's `data` is the patch `getPatch` builds: `{"spec": {"template": {..., "$patch":
//! "replace"}}}`, so applying it to the owner restores that template. Its name is
//! `<owner>-<hash>`; `revision` counts up from 1, and rolling back to a template seen before
//! renumbers the old revision instead of creating a new one.
//!
//! ```text
//! apply ds (image v1) ─► fluentd-7d5c9b4f8b  revision 1
//! apply ds (image v2) ─► fluentd-5b8d4c7f9   revision 2
//! apply ds (image v1) ─► fluentd-7d5c9b4f8b  revision 3   (renumbered, not recreated)
//! ```

use super::client::{self, name_of, ns_of, uid_of};
use super::hash::pod_template_hash;
use super::replicaset::controlled_by;
use super::Caches;
use crate::apiserver::{Context, User, Verb};
use serde_json::{json, Value};

pub fn revision_of(cr: &Value) -> i64 {
    cr["revision"].as_i64().unwrap_or(0)
}

/// `getPatch`: the owner's template as a replacing strategic-merge patch.
pub fn patch_of(owner: &Value) -> Value {
    let mut template = owner["spec"]["template"].clone();
    if template.is_object() {
        template["$patch"] = json!("replace");
    }
    json!({"spec": {"template": template}})
}

/// The template a revision records (its patch without the `$patch` directive).
pub fn template_of(cr: &Value) -> Value {
    let mut template = cr["data"]["spec"]["template"].clone();
    if let Some(m) = template.as_object_mut() {
        m.remove("$patch");
    }
    template
}

/// The revisions `owner` controls, oldest revision first.
pub fn owned<'a>(caches: &'a Caches, owner: &Value) -> Vec<&'a Value> {
    let mut list: Vec<&Value> =
        caches.controllerrevisions.values().filter(|cr| ns_of(cr) == ns_of(owner) && controlled_by(cr, uid_of(owner))).collect();
    list.sort_by(|a, b| revision_of(a).cmp(&revision_of(b)).then_with(|| name_of(a).cmp(name_of(b))));
    list
}

/// The hash of a revision's data (`HashControllerRevision`), with the collision count when set.
pub fn hash_of_data(data: &Value, collision_count: Option<i32>) -> String {
    pod_template_hash(data, collision_count)
}

/// What one owner's history should gain: the revision for its current template.
pub struct NewRevision<'a> {
    pub owner: &'a Value,
    pub owner_kind: &'static str,
    pub name: String,
    pub labels: Value,
    pub annotations: Option<Value>,
}

/// Makes sure a revision named `rev.name` exists with the highest revision number, creating it
/// (revision max+1) or renumbering it. Returns the revision as it now stands, or `None` when the
/// write failed (the next step tries again).
pub fn ensure_current(ctx: &mut Context, user: &User, history: &[&Value], rev: NewRevision) -> Option<Value> {
    let kind = client::kind("apps/v1", "ControllerRevision")?;
    let max = history.iter().map(|cr| revision_of(cr)).max().unwrap_or(0);
    if let Some(existing) = history.iter().find(|cr| name_of(cr) == rev.name) {
        if revision_of(existing) == max {
            return Some((*existing).clone());
        }
        // A template seen before came back: its revision becomes the newest.
        let mut renumbered = (*existing).clone();
        renumbered["revision"] = json!(max + 1);
        return client::send(ctx, user, Verb::Update, kind, ns_of(existing), name_of(existing), Some(renumbered)).result.ok();
    }
    let owner = rev.owner;
    let name = rev.name.clone();
    let mut meta = json!({
        "name": rev.name, "namespace": ns_of(owner), "labels": rev.labels,
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": rev.owner_kind, "name": name_of(owner), "uid": uid_of(owner), "controller": true, "blockOwnerDeletion": true}],
    });
    if let Some(a) = rev.annotations.filter(|a| a.as_object().is_some_and(|m| !m.is_empty())) {
        meta["annotations"] = a;
    }
    let body = json!({"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta, "data": patch_of(owner), "revision": max + 1});
    client::send(ctx, user, Verb::Create, kind, ns_of(owner), &name, Some(body)).result.ok()
}

/// `cleanupHistory` / `truncateHistory`: old revisions no live pod uses, beyond
/// `spec.revisionHistoryLimit` (default 10), are deleted oldest first.
pub fn truncate(ctx: &mut Context, user: &User, owner: &Value, history: &[&Value], current: &str, in_use: &[String]) {
    let Some(kind) = client::kind("apps/v1", "ControllerRevision") else { return };
    let limit = owner["spec"]["revisionHistoryLimit"].as_i64().unwrap_or(10).max(0) as usize;
    let old: Vec<&&Value> = history.iter().filter(|cr| name_of(cr) != current && !in_use.iter().any(|u| u == name_of(cr))).collect();
    if old.len() <= limit {
        return;
    }
    for cr in old.iter().take(old.len() - limit) {
        client::send(ctx, user, Verb::Delete, kind, ns_of(cr), name_of(cr), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patch_replaces_the_template_and_gives_it_back() {
        let ds = json!({"spec": {"selector": {}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": []}}}});
        let patch = patch_of(&ds);
        assert_eq!(patch["spec"]["template"]["$patch"], "replace");
        assert!(patch["spec"].get("selector").is_none());
        let cr = json!({"data": patch});
        assert_eq!(template_of(&cr), ds["spec"]["template"]);
    }
}
