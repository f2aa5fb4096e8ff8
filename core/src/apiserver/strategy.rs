//! Registry strategies: what the API server itself sets on create and update, per kind
//! (`PrepareForCreate`, `PrepareForUpdate`, `FillObjectMetaSystemFields`, name generation).

use crate::api::KindInfo;
use crate::sim::{Rng, Time};
use serde_json::{json, Map, Value};

/// The alphabet of generated name suffixes (`k8s.io/apimachinery/pkg/util/rand`): no vowels, no
/// 0, 1 or 3, so generated names never spell words.
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `generateName` + 5 random characters, the base cut to 58 characters (`names.SimpleNameGenerator`).
pub fn generate_name(base: &str, rng: &mut Rng) -> String {
    let base: String = base.chars().take(58).collect();
    let suffix: String = (0..5).map(|_| rng.pick_char(NAME_ALPHABET)).collect();
    format!("{base}{suffix}")
}

/// Kinds with a `status` that the main resource may not write (it has a `/status` subresource).
pub fn has_status_subresource(obj: &Value, kind: &KindInfo) -> bool {
    obj.get("status").is_some() || serves_status(kind)
}

/// Kinds kube-apiserver serves a `/status` subresource for (each storage's `StatusREST`).
pub fn serves_status(kind: &KindInfo) -> bool {
    matches!(
        (kind.group, kind.kind),
        ("", "Pod" | "Node" | "Namespace" | "Service" | "PersistentVolume" | "PersistentVolumeClaim" | "ReplicationController" | "ResourceQuota")
            | ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
            | ("batch", "Job" | "CronJob")
            | ("autoscaling", "HorizontalPodAutoscaler")
            | ("policy", "PodDisruptionBudget")
            | ("networking.k8s.io", "Ingress" | "ServiceCIDR")
            | ("certificates.k8s.io", "CertificateSigningRequest" | "PodCertificateRequest")
            | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | ("apiregistration.k8s.io", "APIService")
            | ("flowcontrol.apiserver.k8s.io", "FlowSchema" | "PriorityLevelConfiguration")
            | ("storage.k8s.io", "VolumeAttachment")
            | ("storagemigration.k8s.io", "StorageVersionMigration")
            | ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy")
            | ("resource.k8s.io", "ResourceClaim")
    )
}

/// RFC 3339 with second precision, as `metav1.Time` serialises; virtual time 0 is 2026-01-01.
pub fn rfc3339(now: Time) -> String {
    const EPOCH_UNIX_SECS: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    let secs = EPOCH_UNIX_SECS + now.as_ms() / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = crate::sim::civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A version-4 UUID drawn from the run's RNG, so uids replay with the seed.
pub fn uuid_v4(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x4000;
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xffff, b >> 48, b & 0xffff_ffff_ffff)
}

/// `FillObjectMetaSystemFields` + `PrepareForCreate`: uid, creation time, namespace, generation,
/// status reset for kinds whose status belongs to controllers, and the per-kind extras.
pub fn prepare_for_create(kind: &KindInfo, obj: &mut Value, namespace: &str, now: Time, rng: &mut Rng) {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    {
        let meta = &mut obj["metadata"];
        if kind.namespaced {
            meta["namespace"] = json!(namespace);
        } else if let Some(m) = meta.as_object_mut() {
            m.remove("namespace");
        }
        meta["uid"] = json!(uuid_v4(rng));
        meta["creationTimestamp"] = json!(rfc3339(now));
        if let Some(m) = meta.as_object_mut() {
            for f in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"] {
                m.remove(f);
            }
        }
        if super::generation::tracks_generation(kind) {
            meta["generation"] = json!(1);
        }
    }
    super::generation::daemonset_on_create(kind, obj);
    match (kind.group, kind.kind) {
        ("", "Pod") => {
            obj["status"] = json!({"phase": "Pending", "qosClass": qos_class(&obj["spec"])});
            apply_scheduling_gated_condition(obj);
        }
        ("", "Namespace") => {
            // The `kubernetes` finalizer is required on create, after any the client set.
            let mut finalizers: Vec<Value> = obj["spec"]["finalizers"].as_array().cloned().unwrap_or_default();
            if !finalizers.iter().any(|f| f == "kubernetes") {
                finalizers.push(json!("kubernetes"));
            }
            obj["spec"]["finalizers"] = json!(finalizers);
            obj["status"] = json!({"phase": "Active"});
        }
        ("", "PersistentVolumeClaim") | ("", "PersistentVolume") => {
            obj["status"] = json!({"phase": "Pending"});
        }
        ("", "Service") | ("", "Node") => {}
        ("batch", "Job") => {
            generate_job_selector(obj);
            if obj.get("status").is_some() {
                obj["status"] = json!({});
            }
        }
        ("apps", _) | ("batch", _) | ("autoscaling", _) | ("policy", "PodDisruptionBudget") if obj.get("status").is_some() => {
            obj["status"] = json!({});
        }
        _ => {}
    }
}

/// The pod strategy's `applySchedulingGatedCondition`: a pod created with scheduling gates gets
/// `PodScheduled=False` with reason `SchedulingGated` (kubectl then prints `SchedulingGated`);
/// the scheduler leaves it alone until the gates are removed.
fn apply_scheduling_gated_condition(pod: &mut Value) {
    if pod["spec"]["schedulingGates"].as_array().is_none_or(Vec::is_empty) {
        return;
    }
    pod["status"]["conditions"] = json!([{
        "type": "PodScheduled", "status": "False", "lastProbeTime": null, "lastTransitionTime": null,
        "reason": "SchedulingGated", "message": "Scheduling is blocked due to non-empty scheduling gates",
    }]);
}

/// The Job strategy's `generateSelectorIfNeeded`: unless `spec.manualSelector` is true, the
/// template gets the job-name and controller-uid labels (both the legacy and the
/// `batch.kubernetes.io/` spellings, where the learner did not set them) and the selector matches
/// `batch.kubernetes.io/controller-uid`. A conflicting label the learner set is left for
/// validation to reject, as the real strategy leaves it.
fn generate_job_selector(obj: &mut Value) {
    if obj["spec"]["manualSelector"].as_bool() == Some(true) || !obj.get("spec").is_some_and(Value::is_object) {
        return;
    }
    let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
    let uid = obj["metadata"]["uid"].as_str().unwrap_or("").to_string();
    let template = &mut obj["spec"]["template"];
    if !template.is_object() {
        return;
    }
    if !template["metadata"].is_object() {
        template["metadata"] = json!({});
    }
    if !template["metadata"]["labels"].is_object() {
        template["metadata"]["labels"] = json!({});
    }
    let labels = &mut template["metadata"]["labels"];
    for (key, value) in [
        ("job-name", &name),
        ("batch.kubernetes.io/job-name", &name),
        ("controller-uid", &uid),
        ("batch.kubernetes.io/controller-uid", &uid),
    ] {
        if labels.get(key).is_none() {
            labels[key] = json!(value);
        }
    }
    let selector = &mut obj["spec"]["selector"];
    if !selector.is_object() {
        *selector = json!({});
    }
    if !selector["matchLabels"].is_object() {
        selector["matchLabels"] = json!({});
    }
    if selector["matchLabels"].get("batch.kubernetes.io/controller-uid").is_none() {
        selector["matchLabels"]["batch.kubernetes.io/controller-uid"] = json!(uid);
    }
}

/// `BeforeUpdate` and `PrepareForUpdate`: server-owned metadata survives; the main resource
/// cannot change `status` and a `status` write cannot change its spec; spec changes bump
/// `generation`.
pub fn prepare_for_update(kind: &KindInfo, subresource: &str, old: &Value, new: &mut Value) {
    if !new.get("metadata").is_some_and(Value::is_object) {
        new["metadata"] = json!({});
    }
    // A uid that was sent stays, for validation to refuse a changed one ("field is immutable");
    // only a missing one is the stored object's.
    let keep_uid = new["metadata"]["uid"].as_str().is_some_and(|u| !u.is_empty());
    for f in ["uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name"] {
        if f == "uid" && keep_uid {
            continue;
        }
        match old["metadata"].get(f) {
            Some(v) => new["metadata"][f] = v.clone(),
            None => {
                if let Some(m) = new["metadata"].as_object_mut() {
                    m.remove(f);
                }
            }
        }
    }
    if subresource == "status" {
        prepare_for_status_update(kind, old, new);
        return;
    }
    if kind.group.is_empty() && kind.kind == "Namespace" && subresource != "finalize" {
        // `spec.finalizers` changes only through `/finalize` (`namespaceStrategy.PrepareForUpdate`).
        match old["spec"].get("finalizers") {
            Some(f) => new["spec"]["finalizers"] = f.clone(),
            None => {
                if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
                    spec.remove("finalizers");
                }
            }
        }
    }
    if has_status_subresource(old, kind) {
        match old.get("status") {
            Some(s) => new["status"] = s.clone(),
            None => {
                if let Some(m) = new.as_object_mut() {
                    m.remove("status");
                }
            }
        }
    }
    super::generation::bump_on_update(kind, old, new);
}

/// The metadata a kind's status strategy takes from the stored object on a `/status` write (its
/// `PrepareForUpdate` and `GetResetFields`); the rest of the sent metadata is written.
pub fn status_resets_metadata(group: &str, kind: &str) -> &'static [&'static str] {
    match (group, kind) {
        // Old kubelets corrupted owner references (`podStatusStrategy`); the deletion timestamp
        // is also what `BeforeUpdate` keeps for every kind.
        ("", "Pod") => &["deletionTimestamp", "ownerReferences"],
        ("apps", "Deployment") => &["labels"],
        // `ResetObjectMetaForStatus`, less what `BeforeUpdate` keeps for every kind.
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy") => &["labels", "annotations", "finalizers", "ownerReferences"],
        _ => &[],
    }
}

/// A status strategy's `PrepareForUpdate`: the stored object with the sent status and the sent
/// metadata (its `managedFields` included, which the field manager computed for this write), but
/// for what [`status_resets_metadata`] names. Only the parts that differ are copied: the object
/// a status update sends is mostly the stored one.
fn prepare_for_status_update(kind: &KindInfo, old: &Value, new: &mut Value) {
    let Some(o) = old.as_object() else {
        *new = old.clone();
        return;
    };
    let Some(n) = new.as_object_mut() else {
        *new = Value::Object(o.iter().filter(|(k, _)| k.as_str() != "status").map(|(k, v)| (k.clone(), v.clone())).collect());
        return;
    };
    let status = n.remove("status");
    let meta = n.remove("metadata");
    assign_object(n, o, &["status", "metadata"]);
    if let Some(mut meta) = meta {
        if let (Some(m), Some(om)) = (meta.as_object_mut(), o.get("metadata").and_then(Value::as_object)) {
            for f in status_resets_metadata(kind.group, kind.kind) {
                match om.get(*f) {
                    Some(v) => {
                        m.insert((*f).to_string(), v.clone());
                    }
                    None => {
                        m.remove(*f);
                    }
                }
            }
        }
        n.insert("metadata".into(), meta);
    }
    if let Some(mut s) = status {
        if kind.group.is_empty() && kind.kind == "Pod" {
            // Old kubelets dropped the QoS class: a status without one keeps the stored one
            // (`podStatusStrategy`).
            if s["qosClass"].as_str().is_none_or(str::is_empty) {
                if let (Some(q), Some(sm)) = (old["status"].get("qosClass"), s.as_object_mut()) {
                    sm.insert("qosClass".into(), q.clone());
                }
            }
            preserve_observed_generation(&old["status"], &mut s);
        }
        n.insert("status".into(), s);
    }
}

/// `preserveOldObservedGeneration`: a pod status write that clears `observedGeneration`, of the
/// status or of a condition, keeps the stored value. Conditions are matched by type, in order,
/// since validation lets a type repeat.
fn preserve_observed_generation(old: &Value, new: &mut Value) {
    let generation = |v: &Value| v.get("observedGeneration").and_then(Value::as_i64).unwrap_or(0);
    if generation(new) == 0 && generation(old) != 0 {
        if let Some(n) = new.as_object_mut() {
            n.insert("observedGeneration".into(), json!(generation(old)));
        }
    }
    let Some(conditions) = new.get_mut("conditions").and_then(Value::as_array_mut) else { return };
    let mut old_conditions: Vec<&Value> = old["conditions"].as_array().into_iter().flatten().collect();
    for c in conditions.iter_mut() {
        let at = old_conditions.iter().position(|o| o.get("type") == c.get("type"));
        let Some(o) = at.map(|i| old_conditions.remove(i)) else { continue };
        if generation(c) == 0 && generation(o) != 0 {
            if let Some(m) = c.as_object_mut() {
                m.insert("observedGeneration".into(), json!(generation(o)));
            }
        }
    }
}

/// Makes `dst` equal to `src`, copying only the parts that differ: the object a status update
/// sends is mostly the stored one, and comparing costs less than copying it and dropping what
/// the copy replaces.
fn assign(dst: &mut Value, src: &Value) {
    match (dst, src) {
        (Value::Object(d), Value::Object(s)) => assign_object(d, s, &[]),
        (Value::Array(d), Value::Array(s)) if d.len() == s.len() => d.iter_mut().zip(s).for_each(|(d, s)| assign(d, s)),
        (d, s) => {
            if *d != *s {
                *d = s.clone();
            }
        }
    }
}

/// [`assign`] for objects, leaving out the keys `skip` (absent from `dst` after).
fn assign_object(d: &mut Map<String, Value>, s: &Map<String, Value>, skip: &[&str]) {
    d.retain(|k, _| s.contains_key(k) && !skip.contains(&k.as_str()));
    for (k, v) in s.iter().filter(|(k, _)| !skip.contains(&k.as_str())) {
        match d.get_mut(k) {
            Some(dv) => assign(dv, v),
            None => {
                d.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The pod's QoS class (`GetPodQOS`): Guaranteed when every container has cpu and memory limits
/// equal to requests, BestEffort when none has any, Burstable otherwise.
pub fn qos_class(spec: &Value) -> &'static str {
    let containers: Vec<&Value> = ["containers", "initContainers"]
        .iter()
        .flat_map(|k| spec[*k].as_array().into_iter().flatten())
        .collect();
    let mut any = false;
    let mut guaranteed = !containers.is_empty();
    for c in &containers {
        let req = &c["resources"]["requests"];
        let lim = &c["resources"]["limits"];
        if req.as_object().is_some_and(|m| !m.is_empty()) || lim.as_object().is_some_and(|m| !m.is_empty()) {
            any = true;
        }
        for r in ["cpu", "memory"] {
            let l = &lim[r];
            let q = if req[r].is_null() { l } else { &req[r] };
            if l.is_null() || q != l {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_update_keeps_the_stored_spec_and_the_sent_metadata_but_what_the_kind_resets() {
        let (Some(pod), Some(deployment)) = (crate::api::registry::lookup("v1", "Pod"), crate::api::registry::lookup("apps/v1", "Deployment")) else {
            panic!("kinds");
        };
        let old = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "uid": "u", "creationTimestamp": "t", "labels": {"a": "1"}, "ownerReferences": [{"uid": "o"}], "managedFields": [{"manager": "m"}]},
            "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}], "priority": 0}, "status": {"phase": "Pending", "qosClass": "BestEffort"}, "extra": [1, 2]});
        let sent = [
            // Everything changed: the spec and the other parts stay, the labels change, the
            // owner references and the server-owned fields stay, the QoS class is the sent one.
            (json!({"metadata": {"name": "q", "uid": "u", "labels": {"a": "2", "b": "3"}, "ownerReferences": []}, "spec": {"containers": [{"name": "c", "ports": []}], "priority": 0.0},
                "status": {"phase": "Running", "qosClass": "Burstable"}, "extra": [1], "more": true}),
             json!({"name": "p", "uid": "u", "creationTimestamp": "t", "labels": {"a": "2", "b": "3"}, "ownerReferences": [{"uid": "o"}]}), json!({"phase": "Running", "qosClass": "Burstable"})),
            // The stored object as an informer holds it (no managedFields), a new status: a
            // status without a QoS class keeps the stored one.
            (json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "uid": "u", "creationTimestamp": "t", "labels": {"a": "1"}, "ownerReferences": [{"uid": "o"}]},
                "spec": old["spec"].clone(), "status": {"phase": "Running"}, "extra": [1, 2]}),
             json!({"name": "p", "uid": "u", "creationTimestamp": "t", "labels": {"a": "1"}, "ownerReferences": [{"uid": "o"}]}), json!({"phase": "Running", "qosClass": "BestEffort"})),
            // No metadata at all, or metadata of the wrong type: only what the server keeps.
            (json!({"status": {"phase": "Running"}}), json!({"name": "p", "uid": "u", "creationTimestamp": "t", "ownerReferences": [{"uid": "o"}]}), json!({"phase": "Running", "qosClass": "BestEffort"})),
            (json!({"metadata": [], "spec": "x", "status": {"phase": "Running"}, "extra": {"0": 1}}),
             json!({"name": "p", "uid": "u", "creationTimestamp": "t", "ownerReferences": [{"uid": "o"}]}), json!({"phase": "Running", "qosClass": "BestEffort"})),
        ];
        for (new, meta, status) in sent {
            let mut want = old.clone();
            want["metadata"] = meta;
            want["status"] = status;
            let mut got = new.clone();
            prepare_for_update(pod, "status", &old, &mut got);
            assert_eq!(got, want, "{new}");
            assert_eq!(serde_json::to_string(&got).ok(), serde_json::to_string(&want).ok(), "{new}");
        }
        // A Deployment's status strategy resets its labels (not its annotations), and sent
        // managedFields (server-side apply's, computed before the strategy) stay.
        let old = json!({"metadata": {"name": "d", "uid": "u", "generation": 3, "labels": {"a": "1"}, "annotations": {"x": "1"}}, "spec": {"replicas": 1}, "status": {}});
        let mut got = json!({"metadata": {"name": "d", "generation": 9, "labels": {"a": "2"}, "annotations": {"x": "2"}, "managedFields": [{"manager": "m"}]}, "spec": {"replicas": 5}, "status": {"replicas": 1}});
        prepare_for_update(deployment, "status", &old, &mut got);
        let want = json!({"metadata": {"name": "d", "uid": "u", "generation": 3, "labels": {"a": "1"}, "annotations": {"x": "2"}, "managedFields": [{"manager": "m"}]}, "spec": {"replicas": 1}, "status": {"replicas": 1}});
        assert_eq!(got, want);
    }

    #[test]
    fn a_pod_has_a_generation_and_its_status_writes_keep_the_observed_ones() {
        let pod = crate::api::registry::lookup("v1", "Pod").expect("Pod is served");
        let mut created = json!({"metadata": {"name": "p", "generation": 7}, "spec": {"containers": [{"name": "c", "image": "a"}]}});
        prepare_for_create(pod, &mut created, "default", Time(0), &mut Rng::new(1));
        assert_eq!(created["metadata"]["generation"], 1, "the server's, not the manifest's");
        let generation = |old: &Value, mut new: Value| {
            prepare_for_update(pod, "", old, &mut new);
            new["metadata"]["generation"].as_i64()
        };
        let relabelled = json!({"metadata": {"name": "p", "labels": {"a": "1"}}, "spec": created["spec"].clone()});
        assert_eq!(generation(&created, relabelled), Some(1), "metadata does not bump it");
        let new_image = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "b"}]}});
        assert_eq!(generation(&created, new_image), Some(2), "the spec does");
        // `preserveOldObservedGeneration`: a cleared (absent or 0) value is the stored one; a
        // repeated condition type takes the stored ones of that type in order.
        let old = json!({"metadata": {"name": "p", "generation": 3}, "spec": {}, "status": {"observedGeneration": 3, "conditions": [
            {"type": "Ready", "observedGeneration": 2}, {"type": "X", "observedGeneration": 1}, {"type": "X", "observedGeneration": 3}, {"type": "Y"}]}});
        let mut sent = json!({"metadata": {"name": "p"}, "status": {"observedGeneration": 0, "conditions": [
            {"type": "X"}, {"type": "Ready", "observedGeneration": 3}, {"type": "X"}, {"type": "X"}, {"type": "Y"}, {"type": "Z"}]}});
        prepare_for_update(pod, "status", &old, &mut sent);
        let got: Vec<Option<i64>> = sent["status"]["conditions"].as_array().into_iter().flatten().map(|c| c["observedGeneration"].as_i64()).collect();
        assert_eq!(got, [Some(1), Some(3), Some(3), None, None, None]);
        assert_eq!(sent["status"]["observedGeneration"], 3);
        let mut lower = json!({"metadata": {"name": "p"}, "status": {"observedGeneration": 1}});
        prepare_for_update(pod, "status", &old, &mut lower);
        assert_eq!(lower["status"]["observedGeneration"], 1, "a lower one is written: only clearing is refused");
    }

    #[test]
    fn timestamps_uids_and_names() {
        assert_eq!(rfc3339(Time(0)), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(Time(86_400_000 * 59 + 3_723_000)), "2026-03-01T01:02:03Z");
        let u = uuid_v4(&mut Rng::new(1));
        assert_eq!((u.len(), &u[14..15]), (36, "4"));
        let n = generate_name("web-7d4b9c8f5-", &mut Rng::new(3));
        assert_eq!(n.len(), "web-7d4b9c8f5-".len() + 5);
        assert!(n[14..].bytes().all(|b| NAME_ALPHABET.contains(&b)));
    }

    #[test]
    fn job_selector_is_generated_unless_manual() {
        use serde_json::json;
        let kind = crate::api::registry::lookup("batch/v1", "Job").expect("Job is served");
        let mut job = json!({"metadata": {"name": "pi"}, "spec": {"template": {"spec": {}}}});
        prepare_for_create(kind, &mut job, "default", Time(0), &mut Rng::new(1));
        let uid = job["metadata"]["uid"].as_str().unwrap_or_default().to_string();
        assert_eq!(job["spec"]["selector"], json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}));
        let labels = &job["spec"]["template"]["metadata"]["labels"];
        assert_eq!((labels["job-name"].as_str(), labels["controller-uid"].as_str()), (Some("pi"), Some(uid.as_str())));
        assert_eq!(labels["batch.kubernetes.io/job-name"], json!("pi"));
        let mut manual = json!({"metadata": {"name": "m"}, "spec": {"manualSelector": true, "template": {}}});
        prepare_for_create(kind, &mut manual, "default", Time(0), &mut Rng::new(1));
        assert!(manual["spec"].get("selector").is_none());
    }

    #[test]
    fn gated_pods_are_created_scheduling_gated() {
        let kind = crate::api::registry::lookup("v1", "Pod").expect("Pod is served");
        let mut pod = json!({"metadata": {"name": "test-pod"}, "spec": {"schedulingGates": [{"name": "example.com/foo"}], "containers": [{"name": "c"}]}});
        prepare_for_create(kind, &mut pod, "default", Time(0), &mut Rng::new(1));
        let c = &pod["status"]["conditions"][0];
        assert_eq!((c["type"].as_str(), c["status"].as_str(), c["reason"].as_str()), (Some("PodScheduled"), Some("False"), Some("SchedulingGated")));
        assert_eq!(c["message"], "Scheduling is blocked due to non-empty scheduling gates");
        let mut plain = json!({"metadata": {"name": "p"}, "spec": {"schedulingGates": [], "containers": [{"name": "c"}]}});
        prepare_for_create(kind, &mut plain, "default", Time(0), &mut Rng::new(1));
        assert!(plain["status"].get("conditions").is_none());
    }

    #[test]
    fn qos() {
        use serde_json::json;
        assert_eq!(qos_class(&json!({"containers": [{"name": "a"}]})), "BestEffort");
        let g = json!({"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]});
        assert_eq!(qos_class(&g), "Guaranteed");
        let b = json!({"containers": [{"resources": {"requests": {"cpu": "100m"}}}]});
        assert_eq!(qos_class(&b), "Burstable");
    }
}
