//! Workload controller defaults: mirrors `pkg/apis/apps/v1/defaults.go` (`SetDefaults_Deployment`,
//! `SetDefaults_DaemonSet`, `SetDefaults_StatefulSet`, `SetDefaults_ReplicaSet`) and, for the
//! core group, `SetDefaults_ReplicationController` plus its declarative `replicas` `+default=1`.
//! Each also defaults its pod template's PodSpec (without the Pod-only defaults), and a
//! StatefulSet its `volumeClaimTemplates` as full PersistentVolumeClaims.

use serde_json::Value;

use super::fields::{
    child, child_or_insert, default_if_empty, default_if_nil, each, is_len_zero, str_of, Object,
};
use super::pod::default_template;
use super::storage::default_claim;

/// Deployment, StatefulSet and DaemonSet keep ten old revisions unless told otherwise.
const REVISION_HISTORY_LIMIT: i64 = 10;
/// `SetDefaults_Deployment`: ten minutes before a rollout is reported as stuck.
const PROGRESS_DEADLINE_SECONDS: i64 = 600;

pub(super) fn default_deployment(spec: &mut Object) {
    default_if_nil(spec, "replicas", 1);
    if let Some(strategy) = child_or_insert(spec, "strategy") {
        default_if_empty(strategy, "type", "RollingUpdate");
        // With `type: Recreate` nothing is added (and a rollingUpdate block is invalid).
        if str_of(strategy, "type") == "RollingUpdate" {
            if let Some(rolling) = child_or_insert(strategy, "rollingUpdate") {
                default_if_nil(rolling, "maxUnavailable", "25%");
                default_if_nil(rolling, "maxSurge", "25%");
            }
        }
    }
    default_if_nil(spec, "revisionHistoryLimit", REVISION_HISTORY_LIMIT);
    default_if_nil(spec, "progressDeadlineSeconds", PROGRESS_DEADLINE_SECONDS);
    default_template(child(spec, "template"));
}

pub(super) fn default_replica_set(spec: &mut Object) {
    default_if_nil(spec, "replicas", 1);
    default_template(child(spec, "template"));
}

pub(super) fn default_daemon_set(spec: &mut Object) {
    if let Some(strategy) = child_or_insert(spec, "updateStrategy") {
        default_if_empty(strategy, "type", "RollingUpdate");
        if str_of(strategy, "type") == "RollingUpdate" {
            if let Some(rolling) = child_or_insert(strategy, "rollingUpdate") {
                // Integers here, unlike the Deployment's percentages.
                default_if_nil(rolling, "maxUnavailable", 1);
                default_if_nil(rolling, "maxSurge", 0);
            }
        }
    }
    default_if_nil(spec, "revisionHistoryLimit", REVISION_HISTORY_LIMIT);
    default_template(child(spec, "template"));
}

pub(super) fn default_stateful_set(spec: &mut Object) {
    default_if_empty(spec, "podManagementPolicy", "OrderedReady");
    if let Some(strategy) = child_or_insert(spec, "updateStrategy") {
        // Only an empty type brings an empty rollingUpdate; `type: RollingUpdate` written without
        // one stays without one (so no partition either).
        if str_of(strategy, "type").is_empty() {
            strategy.insert("type".into(), "RollingUpdate".into());
            child_or_insert(strategy, "rollingUpdate");
        }
        if str_of(strategy, "type") == "RollingUpdate" {
            if let Some(rolling) = child(strategy, "rollingUpdate") {
                default_if_nil(rolling, "partition", 0);
            }
        }
    }
    // StatefulSetAutoDeletePVC is GA: both policies default to Retain.
    if let Some(policy) = child_or_insert(spec, "persistentVolumeClaimRetentionPolicy") {
        default_if_empty(policy, "whenDeleted", "Retain");
        default_if_empty(policy, "whenScaled", "Retain");
    }
    default_if_nil(spec, "replicas", 1);
    default_if_nil(spec, "revisionHistoryLimit", REVISION_HISTORY_LIMIT);
    default_template(child(spec, "template"));
    for claim in each(spec, "volumeClaimTemplates") {
        default_claim(claim);
    }
}

/// `SetDefaults_ReplicationController`: selector and object labels come from the template's
/// labels when empty (the template is the only place a v1 RC can take them from).
pub(super) fn default_replication_controller(rc: &mut Value) {
    let template_labels = rc
        .pointer("/spec/template/metadata/labels")
        .filter(|l| l.is_object())
        .cloned();
    let Some(rc) = rc.as_object_mut() else { return };
    if let Some(labels) = template_labels {
        if let Some(spec) = child(rc, "spec") {
            if is_len_zero(spec.get("selector")) {
                spec.insert("selector".into(), labels.clone());
            }
        }
        if let Some(metadata) = child_or_insert(rc, "metadata") {
            if is_len_zero(metadata.get("labels")) {
                metadata.insert("labels".into(), labels);
            }
        }
    }
    if let Some(spec) = child_or_insert(rc, "spec") {
        default_if_nil(spec, "replicas", 1);
        default_template(child(spec, "template"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(f: fn(&mut Object), v: Value) -> Value {
        let mut v = v;
        if let Some(o) = v.as_object_mut() {
            f(o);
        }
        v
    }

    #[test]
    fn deployment_strategy_variants() {
        let v = run(default_deployment, json!({}));
        assert_eq!(
            v,
            json!({"replicas": 1, "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                   "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600})
        );
        let v = run(
            default_deployment,
            json!({"replicas": 0, "strategy": {"type": "Recreate"}}),
        );
        assert_eq!(v["strategy"], json!({"type": "Recreate"}));
        assert_eq!(v["replicas"], json!(0));
        let v = run(
            default_deployment,
            json!({"strategy": {"rollingUpdate": {"maxSurge": 1}}}),
        );
        assert_eq!(
            v["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}})
        );
    }

    #[test]
    fn daemon_set_uses_integers() {
        let v = run(default_daemon_set, json!({}));
        assert_eq!(
            v,
            json!({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
                   "revisionHistoryLimit": 10})
        );
        let v = run(
            default_daemon_set,
            json!({"updateStrategy": {"type": "OnDelete"}}),
        );
        assert_eq!(v["updateStrategy"], json!({"type": "OnDelete"}));
    }

    #[test]
    fn stateful_set_partition_only_with_a_rolling_update_block() {
        let v = run(default_stateful_set, json!({}));
        assert_eq!(
            v,
            json!({"podManagementPolicy": "OrderedReady",
                   "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                   "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
                   "replicas": 1, "revisionHistoryLimit": 10})
        );
        let v = run(
            default_stateful_set,
            json!({"updateStrategy": {"type": "RollingUpdate"}}),
        );
        assert_eq!(v["updateStrategy"], json!({"type": "RollingUpdate"}));
        let v = run(
            default_stateful_set,
            json!({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {}}}),
        );
        assert_eq!(
            v["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        );
        let v = run(
            default_stateful_set,
            json!({"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete"}}),
        );
        assert_eq!(
            v["persistentVolumeClaimRetentionPolicy"],
            json!({"whenDeleted": "Delete", "whenScaled": "Retain"})
        );
    }

    #[test]
    fn replication_controller_takes_template_labels() {
        let mut rc = json!({"metadata": {"name": "nginx"},
            "spec": {"template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": []}}}});
        default_replication_controller(&mut rc);
        assert_eq!(rc["metadata"]["labels"], json!({"app": "nginx"}));
        assert_eq!(rc["spec"]["selector"], json!({"app": "nginx"}));
        assert_eq!(rc["spec"]["replicas"], json!(1));
        let mut rc = json!({"metadata": {"labels": {"tier": "web"}},
            "spec": {"selector": {"app": "x"}, "replicas": 3, "template": {"metadata": {"labels": {"app": "x", "v": "2"}}}}});
        default_replication_controller(&mut rc);
        assert_eq!(rc["metadata"]["labels"], json!({"tier": "web"}));
        assert_eq!(rc["spec"]["selector"], json!({"app": "x"}));
        assert_eq!(rc["spec"]["replicas"], json!(3));
    }
}
