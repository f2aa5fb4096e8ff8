//! The disruption controller (`pkg/controller/disruption` in kube-controller-manager): it keeps
//! each PodDisruptionBudget's status, which the `pods/eviction` subresource then reads and
//! decrements.
//!
//! Mirrors `trySync`: the budget's pods are those its selector matches in its namespace (in
//! policy/v1 an empty selector matches every pod); `getExpectedPodCount` works out how many pods
//! should exist (`expectedPods`) and how many must stay healthy (`desiredHealthy`):
//! - an integer `minAvailable`: desiredHealthy is that number, expectedPods the pods found;
//! - a percentage `minAvailable`, or any `maxUnavailable`: expectedPods is the sum of the scales
//!   of the pods' controllers (`getExpectedScale`: a ReplicaSet, the Deployment above a
//!   ReplicaSet, a StatefulSet, a ReplicationController); pods with no controller are skipped
//!   and reported (`UnmanagedPods`), a controller without a scale subresource (a Job, a
//!   DaemonSet) is an error (`CalculateExpectedPodCountFailed`) and `failSafe` writes
//!   `disruptionsAllowed: 0` with the condition reason `SyncFailed`.
//!
//! `currentHealthy` counts the Ready pods that are not being deleted and that the eviction
//! subresource has not just disrupted (`status.disruptedPods`, trusted for `DeletionTimeout`, 2
//! minutes); `disruptionsAllowed` is `currentHealthy - desiredHealthy`, never below 0 and 0 while
//! no pod is expected. The `DisruptionAllowed` condition is True with reason `SufficientPods`
//! when a disruption is allowed, else False with `InsufficientPods`. The status is written
//! (`PUT poddisruptionbudgets/status` as `system:serviceaccount:kube-system:disruption-controller`)
//! only when one of its figures changed, as `updatePdbStatus` does.

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::Caches;
use crate::apiserver::select::LabelSelector;
use crate::apiserver::{rfc3339, Context};
use crate::sim::{Duration, Time};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

const NAME: &str = "disruption-controller";
/// How long an eviction's entry in `disruptedPods` is trusted (`DeletionTimeout`).
pub const DELETION_TIMEOUT: Duration = Duration::from_secs(120);
/// Budgets written per step.
const MAX_WRITES_PER_STEP: usize = 200;

/// What one sync found for a budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    pub expected_pods: i64,
    pub desired_healthy: i64,
    pub current_healthy: i64,
    pub disruptions_allowed: i64,
    /// The pods an eviction disrupted that are not deleted yet, with when.
    pub disrupted_pods: Map<String, Value>,
    /// Pods the budget selects that no controller owns.
    pub unmanaged: Vec<String>,
}

/// Only the budgets the informers' notifications concern are synced, as the real controller's
/// handlers queue a budget when it, a pod it selects or a controller of its namespace changes
/// (`addPdb`, `addPod`/`updatePod`/`deletePod` through `getPdbForPod`): a sync is a function of
/// those and of the time, which only the pending `disruptedPods` read, so a budget with some is
/// synced at every step. A budget whose sync sent a request, or that the step's write bound left
/// for later, is synced again at the next step, as the pass over every budget at every step did.
#[derive(Debug, Default)]
pub struct DisruptionController {
    /// Per budget uid: when an entry of `disruptedPods` runs out (`enqueuePdbForRecheck`).
    recheck: BTreeMap<String, Time>,
    /// Budget cache keys to sync, in key order (the order of a pass over every budget).
    dirty: BTreeSet<String>,
    /// Whether the first step, which syncs every budget, has run.
    started: bool,
}

fn parse_time(s: &str) -> Option<Time> {
    crate::cli::printers::parse_time(s).map(|ms| Time(ms.max(0) as u64))
}

/// `podutil.IsPodReady`.
pub fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// `GetScaledValueFromIntOrPercent(value, total, roundUp)`.
pub fn scaled(value: &Value, total: i64, round_up: bool) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let pct: i64 = value.as_str()?.strip_suffix('%')?.parse().ok()?;
    let num = pct * total;
    Some(if round_up { (num + 99) / 100 } else { num / 100 })
}

/// `getPodsForPdb`: the pods of the budget's namespace its selector matches (none for a
/// missing or invalid selector, every pod for an empty one).
fn pods_for<'a>(caches: &'a Caches, pdb: &Value) -> Vec<&'a Value> {
    let Some(selector) = LabelSelector::from_object(&pdb["spec"]["selector"]) else { return Vec::new() };
    caches.pods.in_namespace(ns_of(pdb)).filter(|p| ns_of(p) == ns_of(pdb) && selector.matches_object(p)).collect()
}

fn controller_ref(obj: &Value) -> Option<&Value> {
    obj["metadata"]["ownerReferences"].as_array()?.iter().find(|o| o["controller"] == true)
}

/// The finders of `getExpectedScale`: the controller's uid and scale, or why there is none.
fn controller_scale(caches: &Caches, owner: &Value, ns: &str) -> Result<Option<(String, i64)>, String> {
    let name = owner["name"].as_str().unwrap_or("");
    let uid = owner["uid"].as_str().unwrap_or("");
    let replicas = |obj: &Value| obj["spec"]["replicas"].as_i64().unwrap_or(1);
    match (owner["apiVersion"].as_str().unwrap_or(""), owner["kind"].as_str().unwrap_or("")) {
        ("apps/v1", "ReplicaSet") => {
            let Some(rs) = caches.replicasets.get(ns, name).filter(|rs| uid_of(rs) == uid) else { return Ok(None) };
            match controller_ref(rs) {
                // `getPodDeployment`: a Deployment's ReplicaSet is scaled through the Deployment.
                Some(d) if d["kind"] == "Deployment" => {
                    let dname = d["name"].as_str().unwrap_or("");
                    Ok(caches.deployments.get(ns, dname).filter(|dep| uid_of(dep) == d["uid"].as_str().unwrap_or("")).map(|dep| (uid_of(dep).to_string(), replicas(dep))))
                }
                _ => Ok(Some((uid.to_string(), replicas(rs)))),
            }
        }
        ("apps/v1", "StatefulSet") => Ok(caches.statefulsets.get(ns, name).filter(|s| uid_of(s) == uid).map(|s| (uid.to_string(), replicas(s)))),
        // `getScaleController`: anything else must serve the scale subresource.
        ("apps/v1", "DaemonSet") => Err("daemonsets.apps does not implement the scale subresource".into()),
        ("batch/v1", "Job") => Err("jobs.batch does not implement the scale subresource".into()),
        ("v1", "ReplicationController") => Ok(None),
        (_, _) => Ok(None),
    }
}

/// `getExpectedScale`: the sum of the scales of the pods' controllers, and the unmanaged pods.
fn expected_scale(caches: &Caches, pods: &[&Value]) -> Result<(i64, Vec<String>), String> {
    let mut scales: BTreeMap<String, i64> = BTreeMap::new();
    let mut unmanaged = Vec::new();
    for pod in pods {
        let Some(owner) = controller_ref(pod) else {
            unmanaged.push(name_of(pod).to_string());
            continue;
        };
        if scales.contains_key(owner["uid"].as_str().unwrap_or("")) {
            continue;
        }
        match controller_scale(caches, owner, ns_of(pod))? {
            Some((uid, scale)) => {
                scales.insert(uid, scale);
            }
            None => return Err(format!("found no controllers for pod {:?}", name_of(pod))),
        }
    }
    Ok((scales.values().sum(), unmanaged))
}

/// `getExpectedPodCount`: (expectedPods, desiredHealthy, unmanaged pods).
fn expected_pod_count(caches: &Caches, pdb: &Value, pods: &[&Value]) -> Result<(i64, i64, Vec<String>), String> {
    let spec = &pdb["spec"];
    if !spec["maxUnavailable"].is_null() {
        let (expected, unmanaged) = expected_scale(caches, pods)?;
        let max = scaled(&spec["maxUnavailable"], expected, true).ok_or("invalid value for IntOrString: invalid type: string is not a percentage")?;
        Ok((expected, (expected - max).max(0), unmanaged))
    } else if let Some(n) = spec["minAvailable"].as_i64() {
        Ok((pods.len() as i64, n, Vec::new()))
    } else if spec["minAvailable"].is_string() {
        let (expected, unmanaged) = expected_scale(caches, pods)?;
        let min = scaled(&spec["minAvailable"], expected, true).ok_or("invalid value for IntOrString: invalid type: string is not a percentage")?;
        Ok((expected, min, unmanaged))
    } else {
        Ok((0, 0, Vec::new()))
    }
}

/// `buildDisruptedPodMap`: the entries still pending (pod not yet being deleted, timeout not
/// passed), and when the first of them runs out.
fn disrupted_pod_map(pdb: &Value, pods: &[&Value], now: Time) -> (Map<String, Value>, Option<Time>) {
    let mut out = Map::new();
    let mut recheck: Option<Time> = None;
    let Some(disrupted) = pdb["status"]["disruptedPods"].as_object() else { return (out, None) };
    for pod in pods {
        if !pod["metadata"]["deletionTimestamp"].is_null() {
            continue;
        }
        let Some(at) = disrupted.get(name_of(pod)) else { continue };
        let Some(expected_deletion) = at.as_str().and_then(parse_time).map(|t| t.after(DELETION_TIMEOUT)) else { continue };
        if expected_deletion >= now {
            recheck = Some(recheck.map_or(expected_deletion, |r| r.min(expected_deletion)));
            out.insert(name_of(pod).to_string(), at.clone());
        }
    }
    (out, recheck)
}

/// `countHealthyPods`.
fn count_healthy(pods: &[&Value], disrupted: &Map<String, Value>) -> i64 {
    pods.iter().filter(|p| p["metadata"]["deletionTimestamp"].is_null() && !disrupted.contains_key(name_of(p)) && is_ready(p)).count() as i64
}

/// One budget's status as `trySync` computes it, or the error `failSafe` reports.
pub fn health(caches: &Caches, pdb: &Value, now: Time) -> Result<(Health, Option<Time>), String> {
    let pods = pods_for(caches, pdb);
    let (expected, desired, unmanaged) = expected_pod_count(caches, pdb, &pods)?;
    let (disrupted, recheck) = disrupted_pod_map(pdb, &pods, now);
    let current = count_healthy(&pods, &disrupted);
    let allowed = if expected <= 0 { 0 } else { (current - desired).max(0) };
    let h = Health { expected_pods: expected, desired_healthy: desired, current_healthy: current, disruptions_allowed: allowed, disrupted_pods: disrupted, unmanaged };
    Ok((h, recheck))
}

/// `pdbhelper.UpdateDisruptionAllowedCondition` on a status object: the condition keeps its
/// `lastTransitionTime` while its status does not change (`apimeta.SetStatusCondition`).
pub fn set_disruption_allowed_condition(status: &mut Value, now: Time, status_true: bool, reason: &str, message: &str) {
    let observed = status["observedGeneration"].clone();
    let mut conditions: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
    let new_status = if status_true { "True" } else { "False" };
    let cond = json!({
        "type": "DisruptionAllowed", "status": new_status, "reason": reason, "message": message,
        "observedGeneration": observed, "lastTransitionTime": rfc3339(now),
    });
    match conditions.iter_mut().find(|c| c["type"] == "DisruptionAllowed") {
        Some(c) => {
            let keep = c["status"] == new_status;
            let transition = c["lastTransitionTime"].clone();
            *c = cond;
            if keep && !transition.is_null() {
                c["lastTransitionTime"] = transition;
            }
        }
        None => conditions.push(cond),
    }
    status["conditions"] = json!(conditions);
}

/// The status `updatePdbStatus` writes for `h`.
fn new_status(pdb: &Value, h: &Health, now: Time) -> Value {
    let mut status = json!({
        "currentHealthy": h.current_healthy, "desiredHealthy": h.desired_healthy,
        "expectedPods": h.expected_pods, "disruptionsAllowed": h.disruptions_allowed,
        "observedGeneration": pdb["metadata"]["generation"].as_i64().unwrap_or(1),
        "conditions": pdb["status"]["conditions"].clone(),
    });
    if !h.disrupted_pods.is_empty() {
        status["disruptedPods"] = Value::Object(h.disrupted_pods.clone());
    }
    if status["conditions"].is_null() {
        status.as_object_mut().map(|m| m.remove("conditions"));
    }
    let allowed = h.disruptions_allowed > 0;
    set_disruption_allowed_condition(&mut status, now, allowed, if allowed { "SufficientPods" } else { "InsufficientPods" }, "");
    status
}

/// True when the stored status already says what `status` says (the figures, the pending
/// disruptions, the generation and the condition's status and reason).
fn up_to_date(old: &Value, new: &Value) -> bool {
    let fields = ["currentHealthy", "desiredHealthy", "expectedPods", "disruptionsAllowed", "observedGeneration"];
    let cond = |s: &Value| s["conditions"].as_array().and_then(|cs| cs.iter().find(|c| c["type"] == "DisruptionAllowed")).map(|c| (c["status"].clone(), c["reason"].clone(), c["message"].clone()));
    let disrupted = |s: &Value| s["disruptedPods"].as_object().cloned().unwrap_or_default();
    fields.iter().all(|f| old[*f].as_i64().unwrap_or(0) == new[*f].as_i64().unwrap_or(0)) && disrupted(old) == disrupted(new) && cond(old).is_some() && cond(old) == cond(new)
}

impl DisruptionController {
    /// When a pending disruption runs out and a budget must be looked at again.
    pub fn next_timer(&self) -> Option<Time> {
        self.recheck.values().min().copied()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        let Some(kind) = client::kind("policy/v1", "PodDisruptionBudget") else { return };
        let user = client::controller(NAME);
        let source = Source { component: "controllermanager", host: "" };
        let now = ctx.now;
        self.recheck.retain(|uid, at| *at > now && caches.pdbs.values().any(|p| uid_of(p) == uid));
        self.queue(caches);
        let mut writes = 0;
        let mut dirty = std::mem::take(&mut self.dirty).into_iter();
        while let Some(key) = dirty.next() {
            let Some(pdb) = caches.pdbs.cache.get(&key) else { continue };
            if writes >= MAX_WRITES_PER_STEP {
                self.dirty.insert(key);
                self.dirty.extend(dirty);
                return;
            }
            if !pdb["metadata"]["deletionTimestamp"].is_null() {
                continue;
            }
            // Pending disruptions run out as time passes, with no notification.
            if pdb["status"]["disruptedPods"].as_object().is_some_and(|m| !m.is_empty()) {
                self.dirty.insert(key.clone());
            }
            let (status, notes) = match health(caches, pdb, now) {
                Ok((h, recheck)) => {
                    if let Some(at) = recheck {
                        self.recheck.insert(uid_of(pdb).to_string(), at.after(Duration::from_ms(1)));
                    }
                    let mut notes = Vec::new();
                    if pods_for(caches, pdb).is_empty() {
                        notes.push((false, "NoPods", "No matching pods found".to_string()));
                    }
                    if !h.unmanaged.is_empty() {
                        notes.push((true, "UnmanagedPods", format!("Pods selected by this PodDisruptionBudget (selector: {}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.", go_selector(&pdb["spec"]["selector"]))));
                    }
                    (new_status(pdb, &h, now), notes)
                }
                Err(e) => {
                    // `failSafe`: whatever else is stale, no eviction goes through.
                    let mut status = pdb["status"].clone();
                    if !status.is_object() {
                        status = json!({});
                    }
                    status["disruptionsAllowed"] = json!(0);
                    set_disruption_allowed_condition(&mut status, now, false, "SyncFailed", &e);
                    (status, vec![(true, "CalculateExpectedPodCountFailed", format!("Failed to calculate the number of expected pods: {e}"))])
                }
            };
            if up_to_date(&pdb["status"], &status) {
                continue;
            }
            writes += 1;
            for (warning, reason, message) in &notes {
                client::event(ctx, events, &user, &source, pdb, *warning, reason, message);
            }
            let mut updated = pdb.clone();
            updated["status"] = status;
            client::update_status(ctx, &user, kind, &updated);
            // Looked at again next step, as every budget was: a refused write is retried.
            self.dirty.insert(key);
        }
    }

    /// Adds the budgets this step's notifications concern (every budget at the first step).
    fn queue(&mut self, caches: &Caches) {
        if !self.started {
            self.started = true;
            self.dirty.extend(caches.pdbs.cache.keys().cloned());
            return;
        }
        for n in caches.pdbs.notifications() {
            self.dirty.insert(n.key().to_string());
        }
        if caches.pdbs.cache.is_empty() {
            return;
        }
        // The versions of the pods notified, by namespace; and the namespaces whose controllers
        // (read for the expected scale) changed.
        let pods = caches.pods.notified_by_namespace();
        let mut controllers: BTreeSet<&str> = BTreeSet::new();
        for informer in [&caches.replicasets, &caches.deployments, &caches.statefulsets] {
            controllers.extend(informer.notifications().iter().filter_map(|n| informer.object_of(n)).map(ns_of));
        }
        for (key, pdb) in &caches.pdbs.cache {
            let ns = ns_of(pdb);
            let concerned = controllers.contains(ns)
                || pods.get(ns).is_some_and(|pods| LabelSelector::from_object(&pdb["spec"]["selector"]).is_some_and(|s| pods.iter().any(|p| s.matches_object(p))));
            if concerned {
                self.dirty.insert(key.clone());
            }
        }
    }
}

/// A label selector as Go's `%v` prints a `*metav1.LabelSelector`.
fn go_selector(sel: &Value) -> String {
    let labels: Vec<String> = sel["matchLabels"].as_object().into_iter().flatten().map(|(k, v)| format!("{k}: {},", v.as_str().unwrap_or(""))).collect();
    let exprs: Vec<String> = sel["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let values: Vec<&str> = e["values"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            format!("LabelSelectorRequirement{{Key:{},Operator:{},Values:[{}],}},", e["key"].as_str().unwrap_or(""), e["operator"].as_str().unwrap_or(""), values.join(" "))
        })
        .collect();
    format!("&LabelSelector{{MatchLabels:map[string]string{{{}}},MatchExpressions:[]LabelSelectorRequirement{{{}}},}}", labels.concat(), exprs.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up_as_get_scaled_value_does() {
        assert_eq!(scaled(&json!("34%"), 3, true), Some(2));
        assert_eq!(scaled(&json!("50%"), 3, true), Some(2));
        assert_eq!(scaled(&json!(2), 3, true), Some(2));
        assert_eq!(scaled(&json!("x"), 3, true), None);
    }

    #[test]
    fn the_condition_keeps_its_transition_time_while_its_status_holds() {
        let mut status = json!({"observedGeneration": 1});
        set_disruption_allowed_condition(&mut status, Time(1000), true, "SufficientPods", "");
        set_disruption_allowed_condition(&mut status, Time(9000), true, "SufficientPods", "");
        assert_eq!(status["conditions"][0]["lastTransitionTime"], "2026-01-01T00:00:01Z");
        set_disruption_allowed_condition(&mut status, Time(9000), false, "InsufficientPods", "");
        assert_eq!(status["conditions"][0]["lastTransitionTime"], "2026-01-01T00:00:09Z");
        assert_eq!(status["conditions"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn go_prints_a_selector_as_a_struct() {
        let sel = json!({"matchLabels": {"app": "web"}});
        assert_eq!(go_selector(&sel), "&LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}");
    }
}

#[cfg(test)]
mod cluster_tests {
    use crate::cli::MemoryFiles;
    use crate::cluster::{Cluster, Config};

    const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web-pdb\nspec:\n  minAvailable: 2\n  selector:\n    matchLabels: {app: web}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: none-pdb\nspec:\n  maxUnavailable: 50%\n  selector:\n    matchLabels: {app: none}\n";

    #[test]
    fn budgets_get_their_status_from_the_disruption_controller() {
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("web.yaml", WEB);
        cluster.execute("kubectl apply -f web.yaml", &files);
        cluster.execute("run 10s", &files);
        let table = cluster.execute("kubectl get pdb", &files).stdout;
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.first().copied(), Some("NAME       MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE"), "{table}");
        assert!(lines.iter().any(|l| l.starts_with("web-pdb    2               N/A               1 ")), "{table}");
        assert!(lines.iter().any(|l| l.starts_with("none-pdb   N/A             50%               0 ")), "{table}");
        let yaml = cluster.execute("kubectl get pdb web-pdb -o yaml", &files).stdout;
        for want in ["currentHealthy: 3", "desiredHealthy: 2", "disruptionsAllowed: 1", "expectedPods: 3", "observedGeneration: 1", "reason: SufficientPods", "type: DisruptionAllowed"] {
            assert!(yaml.contains(want), "{want} missing in\n{yaml}");
        }
        let none = cluster.execute("kubectl get pdb none-pdb -o yaml", &files).stdout;
        assert!(none.contains("reason: InsufficientPods") && none.contains("expectedPods: 0"), "{none}");
        let events = cluster.execute("kubectl get events --field-selector reason=NoPods", &files).stdout;
        assert!(events.contains("No matching pods found"), "{events}");
        let writer = cluster.trace().records().map(|r| r.to_string()).any(|r| r.contains("system:serviceaccount:kube-system:disruption-controller"));
        assert!(writer, "the status is written under the controller's service account");
    }
}
