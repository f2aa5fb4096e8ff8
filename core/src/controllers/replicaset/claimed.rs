//! What an owner's last claim found, kept so that its next sync visits only the pods that changed
//! since, instead of every pod of the namespace. kube-controller-manager's `syncReplicaSet`
//! lists the namespace's pods from the informer at every sync and claims them all; that was a
//! third of a 30,000-replica scale run here, the one ReplicaSet's sync at every step going over
//! every pod to find the ones that changed.
//!
//! The outcome is the same as the full claim's: a claim that sent nothing left every pod it saw
//! either owned and selected or untouched (controlled by another owner, finished, an orphan the
//! selector does not match or that is being deleted). A pod that did not change since stays so
//! while the owner's uid, selector and template labels do not change, so only the changed pods
//! need claiming again, in key order, which is the order in which the full claim would have
//! reached them. A claim that sent a request (an adoption, a release, the owner's re-read) is
//! not kept: a failed patch must be tried again, by a full claim.
//!
//! With the owned pods, what the status and `manageReplicas` read of each is kept as [`Facts`],
//! so the counts cost no JSON lookups.

use super::super::client::ns_of;
use super::super::informer::Informer;
use super::sync::ready_condition;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What the sync reads of one owned pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// No `spec.nodeName` yet.
    pub unscheduled: bool,
    /// It carries every label of the owner's template (`fullyLabeledReplicas`).
    pub fully_labeled: bool,
    /// Ready, and when its Ready condition last turned (the parsed `lastTransitionTime`).
    pub ready: Option<Option<i64>>,
}

impl Facts {
    pub fn of(pod: &Value, template_labels: Option<&serde_json::Map<String, Value>>) -> Facts {
        let pod_labels = &pod["metadata"]["labels"];
        Facts {
            unscheduled: super::super::client::str_of(pod, &["spec", "nodeName"]).is_empty(),
            fully_labeled: template_labels.into_iter().flatten().all(|(k, v)| pod_labels[k] == *v),
            ready: ready_condition(pod).map(|c| c["lastTransitionTime"].as_str().and_then(crate::cli::printers::parse_time)),
        }
    }
}

/// The pods one owner controls after its last claim, and the pods notified since.
#[derive(Debug)]
pub struct Claim {
    /// What the claim depended on: the owner's uid, selector and template labels.
    uid: String,
    selector: Value,
    template_labels: Value,
    /// The owned pods' cache keys, in key order, with what the sync reads of each.
    pub owned: BTreeMap<String, Facts>,
    /// Keys of the namespace's pods notified since the claim.
    changed: BTreeSet<String>,
}

impl Claim {
    pub fn new(owner: &Value, owned: BTreeMap<String, Facts>) -> Claim {
        Claim {
            uid: super::super::client::uid_of(owner).to_string(),
            selector: owner["spec"]["selector"].clone(),
            template_labels: owner["spec"]["template"]["metadata"]["labels"].clone(),
            owned,
            changed: BTreeSet::new(),
        }
    }

    /// Whether it still describes `owner`'s pods.
    pub fn fits(&self, owner: &Value) -> bool {
        self.uid == super::super::client::uid_of(owner) && self.selector == owner["spec"]["selector"] && self.template_labels == owner["spec"]["template"]["metadata"]["labels"]
    }

    /// The pods to claim again: the changed ones of the namespace still cached, in key order.
    /// The owned pods among them are forgotten until the claim says again whether they are.
    pub fn take_changed<'c>(&mut self, pods: &'c Informer) -> Vec<&'c Value> {
        let changed = std::mem::take(&mut self.changed);
        for key in &changed {
            self.owned.remove(key);
        }
        changed.iter().filter_map(|k| pods.cache.get(k)).collect()
    }
}

/// Every owner's last claim, by queue key (`namespace/name`).
#[derive(Debug, Default)]
pub struct Claims {
    claims: BTreeMap<String, Claim>,
}

impl Claims {
    /// Notes the pods notified in this step's sync in the claims of their namespace. A claim
    /// that would visit more than its owned pods again and a margin is dropped: a full claim
    /// costs as much, and the set stays bounded.
    pub fn note_changes(&mut self, pods: &Informer) {
        if self.claims.is_empty() {
            return;
        }
        let prefix = format!("{}/", pods.kind.etcd_prefix());
        let mut dropped = Vec::new();
        for n in pods.notifications() {
            let key = n.key();
            let Some((ns, _)) = key.strip_prefix(prefix.as_str()).and_then(|r| r.split_once('/')) else { continue };
            let from = format!("{ns}/");
            for (owner, claim) in self.claims.range_mut(from.clone()..).take_while(|(k, _)| k.starts_with(&from)) {
                if claim.changed.len() > claim.owned.len() + MAX_EXTRA_CHANGED {
                    dropped.push(owner.clone());
                } else if !claim.changed.contains(key) {
                    claim.changed.insert(key.to_string());
                }
            }
        }
        for owner in dropped {
            self.claims.remove(&owner);
        }
    }

    /// The owner's last claim, taken out, if it still describes the owner.
    pub fn take(&mut self, key: &str, owner: &Value) -> Option<Claim> {
        self.claims.remove(key).filter(|c| c.fits(owner) && ns_of(owner) == key.split_once('/').map_or("", |(ns, _)| ns))
    }

    pub fn keep(&mut self, key: &str, claim: Claim) {
        self.claims.insert(key.to_string(), claim);
    }

    pub fn forget(&mut self, key: &str) {
        self.claims.remove(key);
    }
}

/// How many changed pods beyond its owned ones a claim notes before it is dropped.
const MAX_EXTRA_CHANGED: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn facts_read_what_the_status_counts_read() {
        let labels = json!({"app": "web"});
        let labels = labels.as_object();
        let pod = json!({"metadata": {"labels": {"app": "web", "x": "y"}}, "spec": {"nodeName": "n1"},
            "status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:02Z"}]}});
        assert_eq!(Facts::of(&pod, labels), Facts { unscheduled: false, fully_labeled: true, ready: Some(Some(2000)) });
        let pending = json!({"metadata": {"labels": {"app": "db"}}, "spec": {}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}});
        assert_eq!(Facts::of(&pending, labels), Facts { unscheduled: true, fully_labeled: false, ready: None });
    }

    #[test]
    fn a_claim_fits_only_the_same_owner_selector_and_template_labels() {
        let owner = json!({"metadata": {"uid": "u1", "namespace": "default"}, "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}}}});
        let claim = Claim::new(&owner, BTreeMap::new());
        assert!(claim.fits(&owner));
        let mut other = owner.clone();
        other["spec"]["template"]["metadata"]["labels"]["tier"] = json!("x");
        assert!(!claim.fits(&other));
        let mut other = owner.clone();
        other["metadata"]["uid"] = json!("u2");
        assert!(!claim.fits(&other));
        let mut other = owner.clone();
        other["status"] = json!({"replicas": 3});
        other["spec"]["replicas"] = json!(3);
        assert!(claim.fits(&other));
    }
}
