//! The PersistentVolume controller's binder (`pkg/controller/volume/persistentvolume`,
//! `syncClaim` / `syncVolume`): an unbound claim is matched to the smallest Available volume of
//! its class whose access modes, capacity, volume mode and the claim's selector fit; failing
//! that, a claim of a class with a provisioner is handed to that provisioner by annotation
//! (`volume.kubernetes.io/storage-provisioner`), or, for a `WaitForFirstConsumer` class, waits
//! until the scheduler has picked a node for a pod using it (`volume.kubernetes.io/selected-node`).
//!
//! Binding is three writes, one per step, each from what the caches show:
//!
//! ```text
//! PV  spec.claimRef ─► PVC spec.volumeName (+ bind-completed) ─► PV status Bound ─► PVC status Bound
//! (skipped when a provisioner already pre-bound the PV to the claim)
//! ```
//!
//! Phases: a volume is `Available` without a claim, `Bound` with one, `Released` when its claim
//! is gone; a claim is `Pending` until bound, `Lost` when its volume disappears. Events are
//! recorded once per claim and reason (the real controller repeats them at every resync).

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::replicaset::is_terminating;
use super::Caches;
use crate::apiserver::admission::quantity::Quantity;
use crate::apiserver::select::LabelSelector;
use crate::apiserver::{Context, User, Verb};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const NAME: &str = "persistent-volume-binder";
const COMPONENT: &str = "persistentvolume-controller";
pub const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
pub const STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
const BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
pub const BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
const BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

#[derive(Debug, Default)]
pub struct PersistentVolumeController {
    /// The last event reason recorded per claim uid.
    reported: BTreeMap<String, &'static str>,
}

/// `GetPersistentVolumeClaimClass`: the field, else the beta annotation, else "".
pub fn claim_class(claim: &Value) -> &str {
    match claim["spec"]["storageClassName"].as_str() {
        Some(c) => c,
        None => client::str_of(claim, &["metadata", "annotations", "volume.beta.kubernetes.io/storage-class"]),
    }
}

/// `IsDelayBindingMode`: the claim's class exists and binds `WaitForFirstConsumer`.
pub fn delay_binding(caches: &Caches, claim: &Value) -> bool {
    let class = claim_class(claim);
    !class.is_empty() && caches.storageclasses.get("", class).is_some_and(|c| c["volumeBindingMode"] == "WaitForFirstConsumer")
}

fn storage(v: &Value) -> i128 {
    Quantity::from_json(v).map_or(0, |q| q.milli_value())
}

fn modes(v: &Value) -> Vec<&str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}

/// `checkVolumeSatisfyClaim` plus the selector and class checks of `findMatchingVolume`.
fn fits(pv: &Value, claim: &Value) -> bool {
    let want = storage(&claim["spec"]["resources"]["requests"]["storage"]);
    let pv_modes = modes(&pv["spec"]["accessModes"]);
    let selector_ok = match claim["spec"].get("selector") {
        Some(sel) if !sel.is_null() => LabelSelector::from_object(sel).is_some_and(|s| s.matches_object(pv)),
        _ => true,
    };
    client::str_of(pv, &["spec", "storageClassName"]) == claim_class(claim)
        && storage(&pv["spec"]["capacity"]["storage"]) >= want
        && modes(&claim["spec"]["accessModes"]).iter().all(|m| pv_modes.contains(m))
        && pv["spec"]["volumeMode"].as_str().unwrap_or("Filesystem") == claim["spec"]["volumeMode"].as_str().unwrap_or("Filesystem")
        && selector_ok
}

/// True when the volume's `claimRef` names this claim (and its uid, when the ref has one).
fn refers_to(pv: &Value, claim: &Value) -> bool {
    let r = &pv["spec"]["claimRef"];
    r["name"].as_str() == Some(name_of(claim))
        && r["namespace"].as_str() == Some(ns_of(claim))
        && r["uid"].as_str().is_none_or(|u| u.is_empty() || u == uid_of(claim))
}

/// `findBestMatchForClaim`: a volume pre-bound to the claim, else the smallest that fits.
fn best_match<'a>(caches: &'a Caches, claim: &Value, delayed: bool) -> Option<&'a Value> {
    if let Some(pre) = caches.pvs.values().find(|pv| refers_to(pv, claim) && !is_terminating(pv)) {
        return Some(pre);
    }
    // Without a chosen node, a WaitForFirstConsumer claim is left to the scheduler.
    if delayed && client::str_of(claim, &["metadata", "annotations", SELECTED_NODE]).is_empty() {
        return None;
    }
    caches
        .pvs
        .values()
        .filter(|pv| pv["spec"]["claimRef"].is_null() && !is_terminating(pv) && pv["status"]["phase"] != "Released" && fits(pv, claim))
        .min_by_key(|pv| (storage(&pv["spec"]["capacity"]["storage"]), name_of(pv).to_string()))
}

fn claim_ref(claim: &Value) -> Value {
    json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": ns_of(claim), "name": name_of(claim),
        "uid": uid_of(claim), "resourceVersion": claim["metadata"]["resourceVersion"],
    })
}

fn set_phase(ctx: &mut Context, user: &User, obj: &Value, phase: &str, extra: Option<(&Value, &Value)>) {
    let kind = if obj["kind"] == "PersistentVolume" { client::kind("v1", "PersistentVolume") } else { client::kind("v1", "PersistentVolumeClaim") };
    let Some(kind) = kind else { return };
    let mut new = obj.clone();
    new["status"]["phase"] = json!(phase);
    if let Some((capacity, access_modes)) = extra {
        new["status"]["capacity"] = capacity.clone();
        new["status"]["accessModes"] = access_modes.clone();
    }
    if new != *obj {
        client::update_status(ctx, user, kind, &new);
    }
}

impl PersistentVolumeController {
    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        let user = client::controller(NAME);
        let live: Vec<&str> = caches.pvcs.values().map(uid_of).collect();
        self.reported.retain(|uid, _| live.contains(&uid.as_str()));
        for pv in caches.pvs.values() {
            sync_volume(ctx, caches, &user, pv);
        }
        for claim in caches.pvcs.values() {
            if !is_terminating(claim) {
                self.sync_claim(ctx, caches, events, &user, claim);
            }
        }
    }

    fn event(&mut self, ctx: &mut Context, events: &mut EventNames, claim: &Value, warning: bool, reason: &'static str, message: &str) {
        if self.reported.get(uid_of(claim)) == Some(&reason) {
            return;
        }
        self.reported.insert(uid_of(claim).to_string(), reason);
        let source = Source { component: COMPONENT, host: "" };
        client::event(ctx, events, &client::controller(NAME), &source, claim, warning, reason, message);
    }

    fn sync_claim(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames, user: &User, claim: &Value) {
        let (Some(pvc_kind), Some(pv_kind)) = (client::kind("v1", "PersistentVolumeClaim"), client::kind("v1", "PersistentVolume")) else { return };
        let volume_name = client::str_of(claim, &["spec", "volumeName"]);
        if !volume_name.is_empty() {
            // syncBoundClaim: the volume must exist and point back.
            let Some(pv) = caches.pvs.get("", volume_name) else {
                if claim["status"]["phase"] == "Bound" {
                    set_phase(ctx, user, claim, "Lost", None);
                    self.event(ctx, events, claim, true, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
                }
                return;
            };
            if pv["spec"]["claimRef"].is_null() {
                let mut new = pv.clone();
                new["spec"]["claimRef"] = claim_ref(claim);
                client::send(ctx, user, Verb::Update, pv_kind, "", name_of(pv), Some(new));
            } else if refers_to(pv, claim) {
                if claim["metadata"]["annotations"].get(BIND_COMPLETED).is_none() {
                    let mut new = claim.clone();
                    new["metadata"]["annotations"][BIND_COMPLETED] = json!("yes");
                    client::send(ctx, user, Verb::Update, pvc_kind, ns_of(claim), name_of(claim), Some(new));
                } else {
                    set_phase(ctx, user, claim, "Bound", Some((&pv["spec"]["capacity"], &pv["spec"]["accessModes"])));
                }
            }
            return;
        }
        let delayed = delay_binding(caches, claim);
        if let Some(pv) = best_match(caches, claim, delayed) {
            if !refers_to(pv, claim) || pv["spec"]["claimRef"]["uid"].as_str().is_none_or(str::is_empty) {
                // bindVolumeToClaim.
                let mut new = pv.clone();
                new["spec"]["claimRef"] = claim_ref(claim);
                new["metadata"]["annotations"][BOUND_BY_CONTROLLER] = json!("yes");
                client::send(ctx, user, Verb::Update, pv_kind, "", name_of(pv), Some(new));
            } else {
                // bindClaimToVolume.
                let mut new = claim.clone();
                new["spec"]["volumeName"] = json!(name_of(pv));
                new["metadata"]["annotations"][BIND_COMPLETED] = json!("yes");
                new["metadata"]["annotations"][BOUND_BY_CONTROLLER] = json!("yes");
                client::send(ctx, user, Verb::Update, pvc_kind, ns_of(claim), name_of(claim), Some(new));
            }
            return;
        }
        let class_name = claim_class(claim);
        if delayed && client::str_of(claim, &["metadata", "annotations", SELECTED_NODE]).is_empty() {
            self.event(ctx, events, claim, false, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
            return;
        }
        if class_name.is_empty() {
            self.event(ctx, events, claim, false, "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
            return;
        }
        let Some(class) = caches.storageclasses.get("", class_name) else {
            let message = format!("storageclass.storage.k8s.io \"{class_name}\" not found");
            self.event(ctx, events, claim, true, "ProvisioningFailed", &message);
            return;
        };
        let provisioner = client::str_of(class, &["provisioner"]);
        if provisioner == NO_PROVISIONER || provisioner.is_empty() {
            return;
        }
        // provisionClaim for an external provisioner: hand it over by annotation, then wait.
        if client::str_of(claim, &["metadata", "annotations", STORAGE_PROVISIONER]) != provisioner {
            let mut new = claim.clone();
            new["metadata"]["annotations"][BETA_STORAGE_PROVISIONER] = json!(provisioner);
            new["metadata"]["annotations"][STORAGE_PROVISIONER] = json!(provisioner);
            client::send(ctx, user, Verb::Update, pvc_kind, ns_of(claim), name_of(claim), Some(new));
            return;
        }
        let message = format!(
            "Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. \
             If volume creation is delayed, please verify that the provisioner is running and correctly registered."
        );
        self.event(ctx, events, claim, false, "ExternalProvisioning", &message);
    }
}

/// `syncVolume`: the volume's phase from its claim reference.
fn sync_volume(ctx: &mut Context, caches: &Caches, user: &User, pv: &Value) {
    if is_terminating(pv) {
        return;
    }
    let r = &pv["spec"]["claimRef"];
    if r.is_null() {
        set_phase(ctx, user, pv, "Available", None);
        return;
    }
    let claim = caches.pvcs.get(r["namespace"].as_str().unwrap_or(""), r["name"].as_str().unwrap_or(""));
    let ref_uid = r["uid"].as_str().unwrap_or("");
    match claim {
        Some(c) if ref_uid.is_empty() || ref_uid == uid_of(c) => {
            let bound = client::str_of(c, &["spec", "volumeName"]) == name_of(pv);
            set_phase(ctx, user, pv, if bound { "Bound" } else { "Available" }, None);
        }
        // Pre-bound to a claim that does not exist yet.
        None if ref_uid.is_empty() => set_phase(ctx, user, pv, "Available", None),
        _ => set_phase(ctx, user, pv, "Released", None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pv(size: &str, class: &str, modes: &[&str]) -> Value {
        json!({"metadata": {"name": "pv", "labels": {"tier": "fast"}}, "spec": {"capacity": {"storage": size}, "storageClassName": class, "accessModes": modes}})
    }

    fn claim(size: &str, class: &str) -> Value {
        json!({"metadata": {"name": "data", "namespace": "default", "uid": "c1"}, "spec": {"storageClassName": class, "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}})
    }

    #[test]
    fn a_volume_fits_by_class_size_modes_and_selector() {
        assert!(fits(&pv("10Gi", "", &["ReadWriteOnce"]), &claim("1Gi", "")));
        assert!(!fits(&pv("500Mi", "", &["ReadWriteOnce"]), &claim("1Gi", "")));
        assert!(!fits(&pv("10Gi", "slow", &["ReadWriteOnce"]), &claim("1Gi", "")));
        assert!(!fits(&pv("10Gi", "", &["ReadOnlyMany"]), &claim("1Gi", "")));
        let mut c = claim("1Gi", "");
        c["spec"]["selector"] = json!({"matchLabels": {"tier": "slow"}});
        assert!(!fits(&pv("10Gi", "", &["ReadWriteOnce"]), &c));
    }

    #[test]
    fn a_claim_ref_without_uid_matches_by_name() {
        let mut v = pv("1Gi", "", &["ReadWriteOnce"]);
        v["spec"]["claimRef"] = json!({"namespace": "default", "name": "data"});
        assert!(refers_to(&v, &claim("1Gi", "")));
        v["spec"]["claimRef"]["uid"] = json!("other");
        assert!(!refers_to(&v, &claim("1Gi", "")));
    }
}
