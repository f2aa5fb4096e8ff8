//! The deployment controller's helpers, as `pkg/controller/deployment/util/deployment_util.go`
//! has them: the annotations it keeps on ReplicaSets, `maxSurge`/`maxUnavailable` resolved
//! against the replica count (`ResolveFenceposts`), how far a new ReplicaSet may grow
//! (`NewRSNewReplicas`), template equality ignoring the hash label (`EqualIgnoreHash`), the
//! revision annotations of a rollback (`SetNewReplicaSetAnnotations`), conditions
//! (`SetDeploymentCondition`) and `DeploymentComplete`.

use super::super::client;
use serde_json::{json, Value};

pub const HASH_LABEL: &str = "pod-template-hash";
pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// `maxRevHistoryLengthInChars` of `SetNewReplicaSetAnnotations`.
const MAX_REVISION_HISTORY_CHARS: usize = 2000;
/// Annotations never copied from a Deployment to its ReplicaSets (`skipCopyAnnotation`).
const SKIP_COPY: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED, MAX_REPLICAS, "deprecated.deployment.rollback.to"];

pub fn i64_at(v: &Value, path: &[&str]) -> i64 {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_i64().unwrap_or(0)
}

pub fn replicas(obj: &Value) -> i64 {
    obj["spec"]["replicas"].as_i64().unwrap_or(1).max(0)
}

pub fn available(rs: &Value) -> i64 {
    i64_at(rs, &["status", "availableReplicas"])
}

/// `intstr.GetScaledValueFromIntOrPercent`: an int as it is, "25%" of `total` rounded up or down.
pub fn resolve(v: &Value, total: i64, round_up: bool, default_percent: i64) -> i64 {
    let percent = match v {
        Value::Number(n) => return n.as_i64().unwrap_or(0).max(0),
        Value::String(s) => s.trim_end_matches('%').parse::<i64>().unwrap_or(default_percent),
        _ => default_percent,
    };
    let scaled = total * percent;
    if round_up {
        (scaled + 99) / 100
    } else {
        scaled / 100
    }
}

/// `ResolveFenceposts`: (maxSurge, maxUnavailable); both 0 makes maxUnavailable 1.
pub fn fenceposts(d: &Value) -> (i64, i64) {
    let ru = &d["spec"]["strategy"]["rollingUpdate"];
    let n = replicas(d);
    let surge = resolve(&ru["maxSurge"], n, true, 25);
    let unavailable = resolve(&ru["maxUnavailable"], n, false, 25);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

pub fn is_recreate(d: &Value) -> bool {
    d["spec"]["strategy"]["type"] == "Recreate"
}

pub fn is_paused(d: &Value) -> bool {
    d["spec"]["paused"] == json!(true)
}

/// The template without the `pod-template-hash` label (`EqualIgnoreHash`).
pub fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t["metadata"]["labels"].as_object_mut() {
        labels.remove(HASH_LABEL);
        if labels.is_empty() {
            if let Some(m) = t["metadata"].as_object_mut() {
                m.remove("labels");
            }
        }
    }
    t
}

pub fn with_label(v: &Value, hash: &str) -> Value {
    let mut m = v.as_object().cloned().unwrap_or_default();
    m.insert(HASH_LABEL.into(), json!(hash));
    Value::Object(m)
}

/// `NewRSNewReplicas` for RollingUpdate: how far the new ReplicaSet may grow now.
pub fn new_rs_replicas(d: &Value, all_spec_replicas: i64, new_replicas: i64) -> i64 {
    let (surge, _) = fenceposts(d);
    let want = replicas(d);
    let max_total = want + surge;
    if all_spec_replicas >= max_total {
        return new_replicas;
    }
    let scale_up = max_total - all_spec_replicas;
    new_replicas + scale_up.min(want - new_replicas).max(0)
}

/// The new ReplicaSet's `desired-replicas` annotation is not the Deployment's replicas.
pub fn annotations_stale(d: &Value, rs: &Value) -> bool {
    client::str_of(rs, &["metadata", "annotations", DESIRED]) != replicas(d).to_string()
}

/// `HasProgressDeadline`: the deadline in ms, unless unset or MaxInt32.
pub fn progress_deadline_ms(d: &Value) -> Option<i64> {
    d["spec"]["progressDeadlineSeconds"].as_i64().filter(|s| *s != i64::from(i32::MAX)).map(|s| s * 1000)
}

pub fn progressing_condition(d: &Value) -> Option<&Value> {
    d["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Progressing")
}

/// `SetDeploymentCondition`: re-setting moves the condition to the end; `lastTransitionTime`
/// survives while the status stays the same; an identical status and reason changes nothing.
pub fn set_condition(conds: &mut Vec<Value>, kind: &str, status: &str, reason: &str, message: &str, now: &str) {
    let current = conds.iter().find(|c| c["type"] == kind).cloned();
    if let Some(c) = &current {
        if c["status"] == status && c["reason"] == reason {
            return;
        }
    }
    let transition = match &current {
        Some(c) if c["status"] == status => c["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    conds.retain(|c| c["type"] != kind);
    conds.push(json!({"type": kind, "status": status, "lastUpdateTime": now, "lastTransitionTime": transition, "reason": reason, "message": message}));
}

/// `DeploymentComplete`: every replica updated and available, the generation observed, by
/// `status` (the one the controller last wrote, or the one it is about to).
pub fn complete(d: &Value, status: &Value) -> bool {
    let want = replicas(d);
    i64_at(status, &["updatedReplicas"]) == want
        && i64_at(status, &["replicas"]) == want
        && i64_at(status, &["availableReplicas"]) == want
        && i64_at(status, &["observedGeneration"]) >= i64_at(d, &["metadata", "generation"])
}

/// `SetNewReplicaSetAnnotations` for an existing new ReplicaSet: the Deployment's annotations
/// copied, the revision raised above every old one (a rollback), the revision it had kept in
/// the revision history. `Some` is the ReplicaSet to write.
pub fn new_rs_annotations(d: &Value, rs: &Value, old: &[&Value]) -> Option<Value> {
    let mut annotations = rs["metadata"]["annotations"].as_object().cloned().unwrap_or_default();
    for (k, v) in d["metadata"]["annotations"].as_object().into_iter().flatten() {
        if !SKIP_COPY.contains(&k.as_str()) && annotations.get(k) != Some(v) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    let max_old = old.iter().filter_map(|o| client::str_of(o, &["metadata", "annotations", REVISION]).parse::<i64>().ok()).max().unwrap_or(0);
    let new_revision = max_old + 1;
    let had = annotations.get(REVISION).and_then(Value::as_str).map(str::to_string);
    let old_revision = match had.as_deref() {
        None | Some("") => 0,
        Some(r) => r.parse::<i64>().ok()?,
    };
    if old_revision < new_revision {
        annotations.insert(REVISION.into(), json!(new_revision.to_string()));
        if let Some(previous) = had {
            let history = annotations.get(REVISION_HISTORY).and_then(Value::as_str).unwrap_or("").to_string();
            let value = if history.is_empty() {
                previous
            } else {
                let mut revisions: Vec<&str> = history.split(',').collect();
                let mut total = history.len() + previous.len() + 1;
                while total > MAX_REVISION_HISTORY_CHARS && !revisions.is_empty() {
                    total -= revisions.remove(0).len() + 1;
                }
                revisions.push(&previous);
                revisions.join(",")
            };
            annotations.insert(REVISION_HISTORY.into(), json!(value));
        }
    }
    if rs["metadata"]["annotations"].as_object() == Some(&annotations) {
        return None;
    }
    let mut updated = rs.clone();
    updated["metadata"]["annotations"] = Value::Object(annotations);
    Some(updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deploy(replicas: i64, surge: Value, unavailable: Value) -> Value {
        json!({"spec": {"replicas": replicas, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}}})
    }

    #[test]
    fn fenceposts_round_surge_up_and_unavailable_down() {
        assert_eq!(fenceposts(&deploy(4, json!("25%"), json!("25%"))), (1, 1));
        assert_eq!(fenceposts(&deploy(3, json!("25%"), json!("25%"))), (1, 0));
        assert_eq!(fenceposts(&deploy(1, json!("25%"), json!("25%"))), (1, 0));
        assert_eq!(fenceposts(&deploy(10, json!(0), json!(0))), (0, 1));
        assert_eq!(fenceposts(&deploy(10, json!(2), json!("50%"))), (2, 5));
    }

    #[test]
    fn new_replica_set_grows_within_max_surge() {
        let d = deploy(3, json!("25%"), json!("25%"));
        // 3 old pods, surge 1: the new RS may have 1.
        assert_eq!(new_rs_replicas(&d, 3, 0), 1);
        // Already at 4 in total: no growth.
        assert_eq!(new_rs_replicas(&d, 4, 1), 1);
        // Old scaled to 2, new 1: total 3, may grow to 2.
        assert_eq!(new_rs_replicas(&d, 3, 1), 2);
        // Never above replicas.
        assert_eq!(new_rs_replicas(&d, 3, 3), 3);
    }

    #[test]
    fn a_rollback_raises_the_revision_and_remembers_the_old_one() {
        let d = json!({"metadata": {"annotations": {"kubernetes.io/change-cause": "undo"}}});
        let old = json!({"metadata": {"annotations": {REVISION: "3"}}});
        let rs = json!({"metadata": {"annotations": {REVISION: "1", REVISION_HISTORY: "0"}}});
        let Some(updated) = new_rs_annotations(&d, &rs, &[&old]) else { panic!("the revision moves") };
        let a = &updated["metadata"]["annotations"];
        assert_eq!((a[REVISION].as_str(), a[REVISION_HISTORY].as_str()), (Some("4"), Some("0,1")));
        assert_eq!(a["kubernetes.io/change-cause"], "undo");
        assert_eq!(new_rs_annotations(&d, &updated, &[&old]), None);
    }
}
