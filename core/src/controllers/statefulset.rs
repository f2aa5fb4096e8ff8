//! The StatefulSet controller (`pkg/controller/statefulset`): pods with stable names
//! `<sts>-0 … <sts>-N-1`, each with its own PersistentVolumeClaims from `volumeClaimTemplates`
//! (`<claim>-<sts>-<ordinal>`), a stable hostname and, with `serviceName`, a subdomain.
//!
//! `OrderedReady` (the default) creates one pod at a time and waits until it is Running and Ready
//! before the next, and scales down from the highest ordinal, one pod at a time; `Parallel`
//! creates and deletes without waiting. Claims outlive their pods (`whenScaled: Retain`, the
//! default): a pod that comes back finds its claim, and so its volume, again.
//!
//! Updates: every template is a ControllerRevision `<sts>-<hash>` and each pod is labelled
//! `controller-revision-hash` with the revision it was made from. `RollingUpdate` deletes pods
//! from the highest ordinal down to `partition`, one at a time, waiting for each replacement to
//! be Running and Ready; `OnDelete` waits for someone else to delete them.
//!
//! Not modelled: `minReadySeconds`, `maxUnavailable` above 1, the `whenDeleted`/`whenScaled:
//! Delete` claim policies (claims are always retained), and start-ordinal changes.
//!
//! ```text
//! step 1  create Claim www-web-0, create Pod web-0      web-0 Pending
//! step …  (kubelet: 2 s pull, 1 s start)                web-0 Running, Ready
//! step n  create Claim www-web-1, create Pod web-1      …
//! ```

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::controller_revision::{self as history, NewRevision};
use super::replicaset::{condition_true, controlled_by, is_terminating};
use super::sync_retry::SyncRetry;
use super::Caches;
use crate::apiserver::{handle, Context, Request, User, Verb};
use crate::sim::Time;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const NAME: &str = "statefulset-controller";
const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
const REVISION_LABEL: &str = "controller-revision-hash";
const HASH_LABEL: &str = "controller.kubernetes.io/hash";
/// Ordinals one StatefulSet may span (`replicas` beyond this are not created).
const MAX_REPLICAS: i64 = 10_000;

/// StatefulSets whose last pod or claim create was refused wait for their rate-limited retry,
/// as `processNextWorkItem`'s `AddRateLimited` makes them: a ServiceAccount applied after its
/// StatefulSet used to leave the set without pods until its spec changed.
#[derive(Debug, Default)]
pub struct StatefulSetController {
    retry: SyncRetry,
}

/// `getParentNameAndOrdinal`: `web-2` of `web` is 2.
pub fn ordinal_of(set: &str, pod: &str) -> Option<i64> {
    pod.strip_prefix(set)?.strip_prefix('-')?.parse::<i64>().ok().filter(|n| *n >= 0)
}

/// `isRunningAndReady`.
fn running_and_ready(pod: &Value) -> bool {
    pod["status"]["phase"] == "Running" && condition_true(pod, "Ready")
}

fn finished(pod: &Value) -> bool {
    matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

fn healthy(pod: &Value) -> bool {
    running_and_ready(pod) && !is_terminating(pod)
}

/// `getPersistentVolumeClaims`: one claim per template, labelled with the selector's labels.
pub fn claims_for(set: &Value, ordinal: i64) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for template in set["spec"]["volumeClaimTemplates"].as_array().into_iter().flatten() {
        let tname = client::str_of(template, &["metadata", "name"]);
        let name = format!("{tname}-{}-{ordinal}", name_of(set));
        let mut labels: Map<String, Value> = template["metadata"]["labels"].as_object().cloned().unwrap_or_default();
        for (k, v) in set["spec"]["selector"]["matchLabels"].as_object().into_iter().flatten() {
            labels.insert(k.clone(), v.clone());
        }
        let mut meta = json!({"name": name, "namespace": ns_of(set), "labels": labels});
        if let Some(a) = template["metadata"].get("annotations") {
            meta["annotations"] = a.clone();
        }
        out.push((tname.to_string(), json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": template["spec"]})));
    }
    out
}

/// `newVersionedStatefulSetPod`: identity (`initIdentity`), storage (`updateStorage`) and the
/// revision label, from the given template.
pub fn new_pod(set: &Value, template: &Value, revision: &str, ordinal: i64) -> Value {
    let name = format!("{}-{ordinal}", name_of(set));
    let mut labels: Map<String, Value> = template["metadata"]["labels"].as_object().cloned().unwrap_or_default();
    labels.insert(POD_NAME_LABEL.into(), json!(name));
    labels.insert(POD_INDEX_LABEL.into(), json!(ordinal.to_string()));
    labels.insert(REVISION_LABEL.into(), json!(revision));
    let mut meta = json!({
        "name": name, "namespace": ns_of(set), "labels": labels,
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": name_of(set), "uid": uid_of(set), "controller": true, "blockOwnerDeletion": true}],
    });
    if let Some(a) = template["metadata"].get("annotations") {
        meta["annotations"] = a.clone();
    }
    let mut spec = template["spec"].clone();
    spec["hostname"] = json!(name);
    if let Some(s) = set["spec"]["serviceName"].as_str().filter(|s| !s.is_empty()) {
        spec["subdomain"] = json!(s);
    }
    // Claim volumes first, then the template's other volumes.
    let claims = claims_for(set, ordinal);
    let mut volumes: Vec<Value> = claims
        .iter()
        .map(|(tname, claim)| json!({"name": tname, "persistentVolumeClaim": {"claimName": name_of(claim)}}))
        .collect();
    for v in spec["volumes"].as_array().into_iter().flatten() {
        if !claims.iter().any(|(t, _)| v["name"].as_str() == Some(t.as_str())) {
            volumes.push(v.clone());
        }
    }
    if !volumes.is_empty() {
        spec["volumes"] = json!(volumes);
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
}

fn pod_revision(pod: &Value) -> &str {
    client::str_of(pod, &["metadata", "labels", REVISION_LABEL])
}

/// One StatefulSet's sync: what it sees and who it is.
struct Sync<'a> {
    set: &'a Value,
    user: User,
    events: &'a mut EventNames,
}

impl Sync<'_> {
    fn event(&mut self, ctx: &mut Context, warning: bool, reason: &str, message: &str) {
        let source = Source { component: NAME, host: "" };
        client::event(ctx, self.events, &self.user, &source, self.set, warning, reason, message);
    }

    /// `CreateStatefulPod`: the claims first, then the pod. False when something was refused.
    fn create(&mut self, ctx: &mut Context, caches: &Caches, pod: Value, ordinal: i64) -> bool {
        let (Some(pvc_kind), Some(pod_kind)) = (client::kind("v1", "PersistentVolumeClaim"), client::kind("v1", "Pod")) else { return false };
        let set_name = name_of(self.set).to_string();
        let pod_name = name_of(&pod).to_string();
        let ns = ns_of(self.set).to_string();
        for (_, claim) in claims_for(self.set, ordinal) {
            let claim_name = name_of(&claim).to_string();
            match caches.pvcs.get(&ns, &claim_name) {
                Some(existing) if is_terminating(existing) => return false,
                Some(_) => {}
                None => match client::send(ctx, &self.user, Verb::Create, pvc_kind, &ns, &claim_name, Some(claim)).result {
                    Ok(_) => self.event(ctx, false, "SuccessfulCreate", &format!("create Claim {claim_name} Pod {pod_name} in StatefulSet {set_name} success")),
                    Err(status) => {
                        let message = format!("create Claim {claim_name} for Pod {pod_name} in StatefulSet {set_name} failed error: failed to create PVC {claim_name}: {}", status.message);
                        self.event(ctx, true, "FailedCreate", &message);
                        return false;
                    }
                },
            }
        }
        match client::send(ctx, &self.user, Verb::Create, pod_kind, &ns, &pod_name, Some(pod)).result {
            Ok(_) => {
                self.event(ctx, false, "SuccessfulCreate", &format!("create Pod {pod_name} in StatefulSet {set_name} successful"));
                true
            }
            Err(status) => {
                self.event(ctx, true, "FailedCreate", &format!("create Pod {pod_name} in StatefulSet {set_name} failed error: {}", status.message));
                false
            }
        }
    }

    fn delete(&mut self, ctx: &mut Context, pod: &Value) {
        let Some(pod_kind) = client::kind("v1", "Pod") else { return };
        let mut req = Request::new(Verb::Delete, pod_kind, ns_of(pod), name_of(pod));
        req.user = self.user.clone();
        req.delete.precondition_uid = Some(uid_of(pod).to_string());
        if handle(ctx, &req).result.is_ok() {
            let message = format!("delete Pod {} in StatefulSet {} successful", name_of(pod), name_of(self.set));
            self.event(ctx, false, "SuccessfulDelete", &message);
        }
    }
}

impl StatefulSetController {
    pub fn next_wake(&self) -> Option<Time> {
        self.retry.next_wake()
    }

    pub fn next_background_wake(&self) -> Option<Time> {
        self.retry.next_background_wake()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        let live: Vec<&str> = caches.statefulsets.values().map(uid_of).collect();
        self.retry.retain_live(&live, ctx.now);
        for set in caches.statefulsets.values() {
            if !is_terminating(set) {
                self.sync(ctx, caches, events, set);
            }
        }
    }

    fn sync(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames, set: &Value) {
        let user = client::controller(NAME);
        let generation = set["metadata"]["generation"].as_i64().unwrap_or(0);
        // The revisions: the current template's (created or renumbered) and the one pods
        // below the partition keep.
        let revisions = history::owned(caches, set);
        let collision = set["status"]["collisionCount"].as_i64().unwrap_or(0) as i32;
        let hash = history::hash_of_data(&history::patch_of(set), Some(collision));
        let update_name = format!("{}-{hash}", name_of(set));
        let mut labels: Map<String, Value> = set["spec"]["template"]["metadata"]["labels"].as_object().cloned().unwrap_or_default();
        labels.insert(HASH_LABEL.into(), json!(hash));
        let rev = NewRevision { owner: set, owner_kind: "StatefulSet", name: update_name.clone(), labels: Value::Object(labels), annotations: Some(set["metadata"]["annotations"].clone()) };
        if history::ensure_current(ctx, &user, &revisions, rev).is_none() {
            return;
        }
        let current = revisions.iter().find(|cr| set["status"]["currentRevision"].as_str() == Some(name_of(cr)));
        let current_name = current.map_or(update_name.clone(), |cr| name_of(cr).to_string());
        let current_template = current.map_or_else(|| set["spec"]["template"].clone(), |cr| history::template_of(cr));

        let start = set["spec"]["ordinals"]["start"].as_i64().unwrap_or(0).max(0);
        let replicas = set["spec"]["replicas"].as_i64().unwrap_or(1).clamp(0, MAX_REPLICAS);
        let owned: Vec<&Value> = caches.pods.in_namespace(ns_of(set)).filter(|p| ns_of(p) == ns_of(set) && controlled_by(p, uid_of(set))).collect();
        let mut slots: BTreeMap<i64, &Value> = BTreeMap::new();
        let mut condemned: Vec<(i64, &Value)> = Vec::new();
        for p in &owned {
            match ordinal_of(name_of(set), name_of(p)) {
                Some(o) if (start..start + replicas).contains(&o) => {
                    slots.insert(o, p);
                }
                Some(o) => condemned.push((o, p)),
                None => {}
            }
        }
        condemned.sort_by_key(|c| std::cmp::Reverse(c.0));
        let monotonic = set["spec"]["podManagementPolicy"].as_str() != Some("Parallel");
        let strategy = set["spec"]["updateStrategy"]["type"].as_str().unwrap_or("RollingUpdate");
        let partition = set["spec"]["updateStrategy"]["rollingUpdate"]["partition"].as_i64().unwrap_or(0);
        let held = self.retry.is_held(uid_of(set), generation, ctx.now);
        let mut refused = false;

        let mut sync = Sync { set, user: user.clone(), events };
        let mut blocked = false;
        for ordinal in start..start + replicas {
            match slots.get(&ordinal) {
                None if held => blocked = true,
                None => {
                    let below_partition = strategy == "RollingUpdate" && ordinal < partition;
                    let (template, revision) = if below_partition { (&current_template, &current_name) } else { (&set["spec"]["template"], &update_name) };
                    let pod = new_pod(set, template, revision, ordinal);
                    if !sync.create(ctx, caches, pod, ordinal) {
                        refused = true;
                        blocked = true;
                    }
                    blocked |= monotonic;
                }
                // A failed pod is deleted and, at the next step, made again.
                Some(pod) if finished(pod) && !is_terminating(pod) => {
                    sync.delete(ctx, pod);
                    blocked |= monotonic;
                }
                Some(pod) => blocked |= monotonic && !healthy(pod),
            }
            if blocked && monotonic {
                break;
            }
        }
        if !(blocked && monotonic) {
            let unhealthy = owned.iter().find(|p| !healthy(p)).map(|p| name_of(p));
            for (_, pod) in &condemned {
                if is_terminating(pod) {
                    if monotonic {
                        blocked = true;
                        break;
                    }
                    continue;
                }
                if monotonic && unhealthy.is_some_and(|u| u != name_of(pod)) {
                    blocked = true;
                    break;
                }
                sync.delete(ctx, pod);
                if monotonic {
                    blocked = true;
                    break;
                }
            }
        }
        if !blocked && strategy == "RollingUpdate" {
            for ordinal in (partition.max(start)..start + replicas).rev() {
                let Some(pod) = slots.get(&ordinal) else { break };
                if pod_revision(pod) != update_name && !is_terminating(pod) {
                    sync.delete(ctx, pod);
                    break;
                }
                if !healthy(pod) {
                    break;
                }
            }
        }
        match (held, refused) {
            (true, _) => {}
            (false, true) => {
                self.retry.failed(uid_of(set), generation, ctx.now);
            }
            (false, false) => self.retry.succeeded(uid_of(set)),
        }
        write_status(ctx, set, &owned, &current_name, &update_name, strategy);
        let mut in_use: Vec<String> = owned.iter().map(|p| pod_revision(p).to_string()).collect();
        in_use.push(current_name);
        history::truncate(ctx, &user, set, &revisions, &update_name, &in_use);
    }
}

/// `computeReplicaStatus` + `completeRollingUpdate`, written only when it changed.
fn write_status(ctx: &mut Context, set: &Value, pods: &[&Value], current: &str, update: &str, strategy: &str) {
    let Some(kind) = client::kind("apps/v1", "StatefulSet") else { return };
    let (mut replicas, mut ready, mut current_n, mut updated) = (0i64, 0i64, 0i64, 0i64);
    for p in pods {
        replicas += 1;
        ready += i64::from(running_and_ready(p));
        if !is_terminating(p) {
            current_n += i64::from(pod_revision(p) == current);
            updated += i64::from(pod_revision(p) == update);
        }
    }
    let (mut current, mut current_n) = (current.to_string(), current_n);
    if strategy == "RollingUpdate" && updated == replicas && ready == replicas {
        current = update.to_string();
        current_n = updated;
    }
    let mut status = json!({
        "observedGeneration": set["metadata"]["generation"], "replicas": replicas,
        "currentRevision": current, "updateRevision": update,
        "collisionCount": set["status"]["collisionCount"].as_i64().unwrap_or(0),
        "availableReplicas": ready,
    });
    for (field, n) in [("readyReplicas", ready), ("currentReplicas", current_n), ("updatedReplicas", updated)] {
        if n > 0 {
            status[field] = json!(n);
        }
    }
    if set["status"] == status {
        return;
    }
    let mut new = set.clone();
    new["status"] = status;
    client::update_status(ctx, &client::controller(NAME), kind, &new);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web() -> Value {
        json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u1"},
            "spec": {
                "serviceName": "nginx", "selector": {"matchLabels": {"app": "nginx"}},
                "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}], "volumes": [{"name": "tmp", "emptyDir": {}}]}},
                "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}],
            }
        })
    }

    const SET: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  podManagementPolicy: POLICY\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n";

    /// The creation times of web-0, web-1, web-2 after the set settles.
    fn created(policy: &str) -> Vec<String> {
        use crate::cli::MemoryFiles;
        use crate::cluster::{Cluster, Config};
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("web.yaml", SET.replace("POLICY", policy));
        cluster.execute("kubectl apply -f web.yaml", &files);
        let out = cluster.execute("kubectl get pods -o 'jsonpath={range .items[*]}{.metadata.name}={.metadata.creationTimestamp},{end}'", &files);
        out.stdout.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
    }

    #[test]
    fn ordered_ready_waits_for_each_pod_and_parallel_does_not() {
        let ordered = created("OrderedReady");
        assert_eq!(ordered.len(), 3, "{ordered:?}");
        assert!(ordered[0] < ordered[1] && ordered[1] < ordered[2], "{ordered:?}");
        let parallel = created("Parallel");
        assert_eq!(parallel.len(), 3, "{parallel:?}");
        let times: Vec<&str> = parallel.iter().map(|p| p.split('=').nth(1).unwrap_or("")).collect();
        assert!(times.iter().all(|t| *t == times[0]), "{parallel:?}");
    }

    #[test]
    fn ordinals_come_from_the_name_suffix() {
        assert_eq!(ordinal_of("web", "web-2"), Some(2));
        assert_eq!(ordinal_of("web", "web-x"), None);
        assert_eq!(ordinal_of("web", "webby-1"), None);
        assert_eq!(ordinal_of("web", "web-1-2"), None);
    }

    #[test]
    fn a_pod_gets_its_identity_and_its_own_claim() {
        let set = web();
        let pod = new_pod(&set, &set["spec"]["template"], "web-abc", 1);
        assert_eq!(pod["metadata"]["name"], "web-1");
        assert_eq!(pod["metadata"]["labels"][POD_NAME_LABEL], "web-1");
        assert_eq!(pod["metadata"]["labels"][POD_INDEX_LABEL], "1");
        assert_eq!(pod["metadata"]["labels"][REVISION_LABEL], "web-abc");
        assert_eq!(pod["spec"]["hostname"], "web-1");
        assert_eq!(pod["spec"]["subdomain"], "nginx");
        assert_eq!(pod["spec"]["volumes"][0], json!({"name": "www", "persistentVolumeClaim": {"claimName": "www-web-1"}}));
        assert_eq!(pod["spec"]["volumes"][1]["name"], "tmp");
        let claims = claims_for(&set, 1);
        assert_eq!(claims[0].1["metadata"]["name"], "www-web-1");
        assert_eq!(claims[0].1["metadata"]["labels"]["app"], "nginx");
    }
}
