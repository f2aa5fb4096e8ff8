//! `ControllerRefManager` (`pkg/controller/controller_ref_manager.go`): how a controller decides
//! which objects are its own. Of the candidates (every object of the dependent kind in its
//! namespace), it keeps those whose controller ownerReference names it and its selector still
//! matches, releases those it owns that no longer match, and adopts orphans (no controller at all)
//! that match, so `kubectl delete --cascade=orphan` followed by re-creating the owner, or a pod
//! created by hand with the right labels, ends up controlled again; objects controlled by someone
//! else are never touched.
//!
//! The writes are the patches client-go's helpers send, strategic merge patches whose
//! `metadata.uid` pins the dependent they were computed for:
//!
//! ```text
//! adopt   (ownerRefControllerPatch):
//!   {"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ReplicationController","name":"nginx",
//!     "uid":"<rc>","controller":true,"blockOwnerDeletion":true}],"uid":"<pod>"}}
//! release (GenerateDeleteOwnerRefStrategicMergeBytes):
//!   {"metadata":{"ownerReferences":[{"$patch":"delete","uid":"<rc>"}],"uid":"<pod>"}}
//! ```
//!
//! Before its first adoption a claim re-reads the owner with an uncached GET
//! (`RecheckDeletionTimestamp`): an owner being deleted, or replaced by a same-named one, adopts
//! nothing.

use super::client::{name_of, ns_of, uid_of};
use crate::api::KindInfo;
use crate::apiserver::select::LabelSelector;
use crate::apiserver::{handle, Context, PatchType, Request, User, Verb};
use serde_json::{json, Value};

/// The controller ownerReference of `obj`, if any (`metav1.GetControllerOf`).
pub fn controller_of(obj: &Value) -> Option<&Value> {
    obj["metadata"]["ownerReferences"].as_array()?.iter().find(|r| r["controller"] == json!(true))
}

/// One claim pass of one owner over its candidates.
pub struct ControllerRefManager<'a> {
    pub owner: &'a Value,
    pub owner_kind: &'static KindInfo,
    pub selector: &'a LabelSelector,
    pub user: &'a User,
    /// `canAdopt`'s answer, asked once per pass (client-go wraps it in a `sync.Once`).
    can_adopt: Option<Result<(), String>>,
}

/// What a claim pass found.
#[derive(Debug, Default)]
pub struct Claimed<'b> {
    /// The candidates this owner controls now, adopted ones included, in candidate order.
    pub owned: Vec<&'b Value>,
    /// How many were adopted and released by this pass.
    pub adopted: usize,
    pub released: usize,
    /// The first failure (other than the dependent being gone): the sync's error.
    pub error: Option<String>,
}

impl<'a> ControllerRefManager<'a> {
    pub fn new(owner: &'a Value, owner_kind: &'static KindInfo, selector: &'a LabelSelector, user: &'a User) -> Self {
        ControllerRefManager { owner, owner_kind, selector, user, can_adopt: None }
    }

    /// `ClaimObject` over every candidate (`ClaimPods`, `ClaimReplicaSets`).
    pub fn claim<'b>(&mut self, ctx: &mut Context, kind: &'static KindInfo, candidates: impl IntoIterator<Item = &'b Value>) -> Claimed<'b> {
        let mut out = Claimed::default();
        let owner_uid = uid_of(self.owner);
        let owner_deleting = !self.owner["metadata"]["deletionTimestamp"].is_null();
        let mut last_match: Option<(&Value, bool)> = None;
        for obj in candidates {
            let controller = controller_of(obj);
            // Another owner's: never looked at further (its labels are not even read).
            if controller.is_some_and(|r| r["uid"].as_str() != Some(owner_uid)) {
                continue;
            }
            // A controller's pods mostly carry its template's labels, one map for all of them:
            // the selector's answer for the last map is reused rather than recomputed (which
            // copies the labels into an ordered map first).
            let labels = &obj["metadata"]["labels"];
            let matches = match last_match {
                Some((last, answer)) if last == labels => answer,
                _ => {
                    let answer = self.selector.matches_object(obj);
                    last_match = Some((labels, answer));
                    answer
                }
            };
            match controller {
                Some(r) if r["uid"].as_str() != Some(owner_uid) => {}
                Some(_) if matches => out.owned.push(obj),
                // Ours but no longer selected: release it, unless we are going away anyway.
                Some(_) if owner_deleting => {}
                Some(_) => match self.patch(ctx, kind, obj, self.release_patch(obj)) {
                    Ok(true) => out.released += 1,
                    Ok(false) => {}
                    Err(e) => {
                        out.error.get_or_insert(e);
                    }
                },
                // An orphan: adopt it if it matches, is not being deleted, and we are not either.
                None if owner_deleting || !matches || !obj["metadata"]["deletionTimestamp"].is_null() || ns_of(obj) != ns_of(self.owner) => {}
                None => {
                    if let Err(e) = self.can_adopt(ctx) {
                        let e = format!("can't adopt {} {}/{} ({}): {e}", kind.kind, ns_of(obj), name_of(obj), uid_of(obj));
                        out.error.get_or_insert(e);
                        continue;
                    }
                    match self.patch(ctx, kind, obj, self.adopt_patch(obj)) {
                        Ok(true) => {
                            out.adopted += 1;
                            out.owned.push(obj);
                        }
                        Ok(false) => {}
                        Err(e) => {
                            out.error.get_or_insert(e);
                        }
                    }
                }
            }
        }
        out
    }

    /// `ownerRefControllerPatch`.
    fn adopt_patch(&self, obj: &Value) -> Value {
        let owner = json!({
            "apiVersion": self.owner_kind.api_version(), "kind": self.owner_kind.kind, "name": name_of(self.owner),
            "uid": uid_of(self.owner), "controller": true, "blockOwnerDeletion": true,
        });
        json!({"metadata": {"ownerReferences": [owner], "uid": uid_of(obj)}})
    }

    /// `GenerateDeleteOwnerRefStrategicMergeBytes`.
    fn release_patch(&self, obj: &Value) -> Value {
        json!({"metadata": {"ownerReferences": [{"$patch": "delete", "uid": uid_of(self.owner)}], "uid": uid_of(obj)}})
    }

    /// Sends one claim patch: `Ok(false)` when the object is already gone (404), which is no error.
    fn patch(&self, ctx: &mut Context, kind: &'static KindInfo, obj: &Value, body: Value) -> Result<bool, String> {
        let mut req = Request::new(Verb::Patch(PatchType::Strategic), kind, ns_of(obj), name_of(obj)).with_body(body);
        req.user = self.user.clone();
        match handle(ctx, &req).result {
            Ok(_) => Ok(true),
            Err(status) if status.code == 404 => Ok(false),
            Err(status) => Err(status.message),
        }
    }

    /// `RecheckDeletionTimestamp` over a fresh GET of the owner, once per pass.
    fn can_adopt(&mut self, ctx: &mut Context) -> Result<(), String> {
        if let Some(answer) = &self.can_adopt {
            return answer.clone();
        }
        let mut req = Request::new(Verb::Get, self.owner_kind, ns_of(self.owner), name_of(self.owner));
        req.user = self.user.clone();
        let (ns, name, uid) = (ns_of(self.owner), name_of(self.owner), uid_of(self.owner));
        let answer = match handle(ctx, &req).result {
            Err(status) => Err(status.message),
            Ok(fresh) if uid_of(&fresh) != uid => {
                Err(format!("original {} {ns}/{name} is gone: got uid {}, wanted {uid}", self.owner_kind.kind, uid_of(&fresh)))
            }
            Ok(fresh) => match fresh["metadata"]["deletionTimestamp"].as_str() {
                Some(at) => Err(format!("{ns}/{name} has just been deleted at {at}")),
                None => Ok(()),
            },
        };
        self.can_adopt = Some(answer.clone());
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_controller_reference_is_the_one_marked_controller() {
        let pod = json!({"metadata": {"ownerReferences": [{"uid": "a"}, {"uid": "b", "controller": true}]}});
        assert_eq!(controller_of(&pod).map(|r| r["uid"].clone()), Some(json!("b")));
        assert!(controller_of(&json!({"metadata": {}})).is_none());
    }
}
