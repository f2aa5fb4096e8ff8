//! kube-controller-manager's namespace controller (`pkg/controller/namespace`): empties a
//! namespace that is being deleted, then takes its `kubernetes` finalizer off so that
//! kube-apiserver removes it.
//!
//! `kubectl delete namespace demo` only marks the Namespace (`deletionTimestamp`, phase
//! `Terminating`; `subresources/namespace.rs`). The controller's informer sees that update and
//! queues the namespace; its sync (`namespacedResourcesDeleter.Delete`) then, under the
//! `namespace-controller` service account:
//!
//! ```text
//! GET namespace ─► (phase Terminating already) ─► pods first (OrderedNamespaceDeletion):
//!   LIST pods (grace estimate) ─► DELETECOLLECTION pods ─► LIST pods
//!   pods remain ─► PUT namespaces/demo/status (deletion conditions) ─► look again in estimate/2+1 s
//! every other namespaced resource discovery serves: DELETECOLLECTION ─► LIST
//!   ─► PUT status (conditions) ─► PUT namespaces/demo/finalize (spec.finalizers without kubernetes)
//!   ─► the API server deletes the Namespace in that update (ShouldDeleteNamespaceDuringUpdate)
//! ```
//!
//! While anything is left the namespace stays `Terminating`, and NamespaceLifecycle refuses new
//! content in it. Conditions, reasons and messages are those of `status_condition_utils.go`.
//!
//! Waiting: a look again that waits for pods' grace periods (or for finalizers, in the first
//! minutes) is work `kubectl delete` waits for, as kubectl's `--wait` does; failed syncs go
//! through the rate limiter (5 ms doubling to 60 s) and run in the background once backed off.

use super::client::{self, name_of, uid_of};
use super::informer::Notification;
use super::workqueue::{ControllerRateLimiter, Decision, WorkQueue};
use super::Caches;
use crate::api::registry::served_by_default;
use crate::api::{all_kinds, KindInfo};
use crate::apiserver::{Context, Propagation, Request, Status, User, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const NAME: &str = "namespace-controller";
/// The finalizer this controller owns (`v1.FinalizerKubernetes`).
const FINALIZER: &str = "kubernetes";
/// `finalizerEstimateSeconds`: how long to allow content with finalizers to finish.
const FINALIZER_ESTIMATE_SECONDS: i64 = 15;
/// A look again is awaited by the deleting command while the namespace has been terminating
/// for less than this; later ones run as virtual time passes (a finalizer nobody removes must
/// not keep a command running).
const AWAIT_WHILE_TERMINATING_MS: u64 = 120_000;
/// Conflicts retried per finalize (`retryOnConflictError` loops; a bound keeps a step finite).
const MAX_CONFLICT_RETRIES: usize = 5;

#[derive(Debug)]
pub struct NamespaceController {
    queue: WorkQueue,
}

impl Default for NamespaceController {
    fn default() -> Self {
        // `nsControllerRateLimiter`: retry at least every minute, never longer.
        NamespaceController { queue: WorkQueue::with_limiter(ControllerRateLimiter::new(Duration::from_ms(5), Duration::from_secs(60)), None) }
    }
}

impl NamespaceController {
    pub fn next_wake(&self) -> Option<Time> {
        self.queue.next_wake()
    }

    pub fn next_background_wake(&self) -> Option<Time> {
        self.queue.next_background_wake()
    }

    /// The informer's handlers (`enqueueNamespace` on add and update: only namespaces being
    /// deleted), then the worker over what is queued.
    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches) {
        for n in caches.namespaces.notifications() {
            if matches!(n, Notification::Deleted { .. }) {
                continue;
            }
            if let Some(ns) = caches.namespaces.object_of(n).filter(|ns| !ns["metadata"]["deletionTimestamp"].is_null()) {
                self.queue.add(name_of(ns));
            }
        }
        let Some(kind) = client::kind("v1", "Namespace") else { return };
        self.queue.process(ctx, NAME, "namespaces", |ctx, key| sync(ctx, kind, key));
    }
}

/// `syncNamespaceFromKey` -> `namespacedResourcesDeleter.Delete`, and the worker's handling of
/// its error (`ResourcesRemainingError`: look again after `estimate/2 + 1` seconds).
fn sync(ctx: &mut Context, kind: &'static KindInfo, name: &str) -> Decision {
    let user = client::controller(NAME);
    let mut ns = match client::send(ctx, &user, Verb::Get, kind, "", name, None).result {
        Ok(ns) => ns,
        Err(s) if s.code == 404 => return Decision::Done,
        Err(s) => return Decision::Error(s.message),
    };
    let Some(deleted_at) = ns["metadata"]["deletionTimestamp"].as_str().and_then(parse_time) else { return Decision::Done };
    // `updateNamespaceStatusFunc`: the API server set the phase when it marked the namespace.
    if ns["status"]["phase"] != "Terminating" {
        ns["status"]["phase"] = json!("Terminating");
        match put(ctx, &user, kind, "status", &ns) {
            Ok(updated) => ns = updated,
            Err(s) if s.code == 404 => return Decision::Done,
            Err(s) => return Decision::Error(s.message),
        }
    }
    if finalizers(&ns).is_empty() {
        return Decision::Done;
    }
    let (estimate, errors) = delete_all_content(ctx, &user, kind, &mut ns, deleted_at);
    if !errors.is_empty() {
        return Decision::Error(aggregate(&errors));
    }
    if estimate > 0 {
        let after = Duration::from_secs((estimate / 2 + 1) as u64);
        let terminating_for = ctx.now.as_ms().saturating_sub(deleted_at.as_ms());
        return if terminating_for < AWAIT_WHILE_TERMINATING_MS { Decision::AwaitAfter(after) } else { Decision::RequeueAfter(after) };
    }
    match finalize(ctx, &user, kind, ns) {
        Ok(()) => Decision::Done,
        Err(s) if s.code == 404 => Decision::Done,
        Err(s) => Decision::Error(s.message),
    }
}

fn parse_time(s: &str) -> Option<Time> {
    crate::cli::printers::parse_time(s).map(|ms| Time(ms.max(0) as u64))
}

fn finalizers(ns: &Value) -> Vec<&str> {
    ns["spec"]["finalizers"].as_array().map(|f| f.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// `utilerrors.NewAggregate`: one error as is, several as `[a, b]`.
fn aggregate(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// PUT the namespace, or one of its subresources (`status`, `finalize`).
fn put(ctx: &mut Context, user: &User, kind: &'static KindInfo, subresource: &str, ns: &Value) -> Result<Value, Status> {
    let mut req = Request::new(Verb::Update, kind, "", name_of(ns)).with_body(ns.clone());
    req.subresource = subresource.to_string();
    req.user = user.clone();
    crate::apiserver::handle(ctx, &req).result
}

/// `finalizeNamespace` under `retryOnConflictError`: PUT `/finalize` with every finalizer but
/// ours (a sorted set, as `sets.String.List` gives them).
fn finalize(ctx: &mut Context, user: &User, kind: &'static KindInfo, mut ns: Value) -> Result<(), Status> {
    let uid = uid_of(&ns).to_string();
    for _ in 0..MAX_CONFLICT_RETRIES {
        let mut rest: Vec<String> = finalizers(&ns).into_iter().filter(|f| *f != FINALIZER).map(str::to_string).collect();
        rest.sort();
        rest.dedup();
        ns["spec"]["finalizers"] = json!(rest);
        match put(ctx, user, kind, "finalize", &ns) {
            Err(s) if s.code == 409 => {
                ns = client::send(ctx, user, Verb::Get, kind, "", name_of(&ns), None).result?;
                if uid_of(&ns) != uid {
                    return Err(Status::internal("namespace uid has changed across retries"));
                }
            }
            other => return other.map(|_| ()),
        }
    }
    Err(Status::conflict("namespaces", name_of(&ns), "the object has been modified; please apply your changes to the latest version and try again"))
}

/// The namespaced resources discovery serves that can be deleted, at their preferred versions
/// (`ServerPreferredNamespacedResources` filtered by the `delete` verb), pods first.
fn deletable_resources() -> Vec<&'static KindInfo> {
    let mut preferred: BTreeMap<(&str, &str), &'static KindInfo> = BTreeMap::new();
    for k in all_kinds().iter().filter(|k| k.namespaced && k.persisted && served_by_default(k)) {
        let entry = preferred.entry((k.group, k.resource)).or_insert(k);
        if version_number(k.version) > version_number(entry.version) {
            *entry = k;
        }
    }
    let mut kinds: Vec<&'static KindInfo> = preferred.into_values().collect();
    kinds.sort_by_key(|k| !(k.group.is_empty() && k.resource == "pods"));
    kinds
}

/// Only GA versions are served by default, so the larger number is the preferred one.
fn version_number(version: &str) -> u32 {
    version.trim_start_matches('v').parse().unwrap_or(0)
}

/// `gvrDeletionMetadata`: what is left of one resource after deleting it.
#[derive(Default)]
struct Remaining {
    estimate: i64,
    count: usize,
    finalizers: BTreeMap<String, usize>,
}

/// `deleteAllContent`: pods first, and nothing else while pods remain; then every other
/// resource. Records the deletion conditions on the namespace's status. Returns the estimate in
/// seconds until what remains is gone, and the errors met.
fn delete_all_content(ctx: &mut Context, user: &User, ns_kind: &'static KindInfo, ns: &mut Value, deleted_at: Time) -> (i64, Vec<String>) {
    let namespace = name_of(ns).to_string();
    let mut estimate = 0;
    let mut errors = Vec::new();
    let mut remaining: Vec<(&'static KindInfo, Remaining)> = Vec::new();
    let resources = deletable_resources();
    let (pods, others) = match resources.split_first() {
        Some((p, rest)) if p.resource == "pods" => (Some(*p), rest),
        _ => (None, resources.as_slice()),
    };
    if let Some(pods) = pods {
        let (left, err) = delete_all_of(ctx, user, pods, &namespace, deleted_at);
        errors.extend(err);
        estimate = estimate.max(left.estimate);
        if left.count > 0 {
            // Pods still terminating: the rest waits for them (`OrderedNamespaceDeletion`).
            let conditions = Conditions { content_errors: errors.clone(), remaining: Vec::new() };
            record_conditions(ctx, user, ns_kind, ns, conditions);
            return (estimate, errors);
        }
    }
    for kind in others {
        let (left, err) = delete_all_of(ctx, user, kind, &namespace, deleted_at);
        errors.extend(err);
        estimate = estimate.max(left.estimate);
        if left.count > 0 {
            remaining.push((kind, left));
        }
    }
    record_conditions(ctx, user, ns_kind, ns, Conditions { content_errors: errors.clone(), remaining });
    (estimate, errors)
}

/// `deleteAllContentForGroupVersionResource`: estimate, DELETECOLLECTION (background
/// propagation, so the garbage collector adds no orphan finalizer), then LIST what is left.
fn delete_all_of(ctx: &mut Context, user: &User, kind: &'static KindInfo, namespace: &str, deleted_at: Time) -> (Remaining, Option<String>) {
    let mut estimate = if kind.group.is_empty() && kind.resource == "pods" {
        match list(ctx, user, kind, namespace) {
            Ok(pods) => pods_grace_estimate(&pods),
            Err(s) => return (Remaining::default(), Some(s.message)),
        }
    } else {
        0
    };
    // `estimateGracefulTermination`: an estimate the namespace's deletion has outlived is 0.
    if ctx.now.as_ms().saturating_sub(deleted_at.as_ms()) >= (estimate.max(0) as u64) * 1000 {
        estimate = 0;
    }
    let mut req = Request::new(Verb::DeleteCollection, kind, namespace, "");
    req.user = user.clone();
    req.delete.propagation = Some(Propagation::Background);
    if let Err(s) = crate::apiserver::handle(ctx, &req).result {
        if s.code != 404 && s.code != 405 {
            return (Remaining { estimate, ..Default::default() }, Some(s.message));
        }
    }
    let items = match list(ctx, user, kind, namespace) {
        Ok(items) => items,
        Err(s) => return (Remaining { estimate, ..Default::default() }, Some(s.message)),
    };
    if items.is_empty() {
        return (Remaining::default(), None);
    }
    let mut finalizers: BTreeMap<String, usize> = BTreeMap::new();
    for f in items.iter().flat_map(|i| i["metadata"]["finalizers"].as_array().into_iter().flatten()).filter_map(Value::as_str) {
        *finalizers.entry(f.to_string()).or_default() += 1;
    }
    let count = items.len();
    if estimate != 0 {
        return (Remaining { estimate, count, finalizers }, None);
    }
    if !finalizers.is_empty() {
        return (Remaining { estimate: FINALIZER_ESTIMATE_SECONDS, count, finalizers }, None);
    }
    // Nothing holds them, yet they are still there.
    let gvr = format!("{}/{}, Resource={}", kind.group, kind.version, kind.resource);
    (Remaining { estimate, count, finalizers }, Some(format!("unexpected items still remain in namespace: {namespace} for gvr: {gvr}")))
}

fn list(ctx: &mut Context, user: &User, kind: &'static KindInfo, namespace: &str) -> Result<Vec<Value>, Status> {
    let listed = client::send(ctx, user, Verb::List, kind, namespace, "", None).result?;
    Ok(listed["items"].as_array().cloned().unwrap_or_default())
}

/// `estimateGracefulTerminationForPods`: the longest grace period among pods not yet finished.
fn pods_grace_estimate(pods: &[Value]) -> i64 {
    pods.iter()
        .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
        .filter_map(|p| p["spec"]["terminationGracePeriodSeconds"].as_i64())
        .max()
        .unwrap_or(0)
        .max(0)
}

/// What one pass found, for the conditions (`namespaceConditionUpdater`).
struct Conditions {
    content_errors: Vec<String>,
    remaining: Vec<(&'static KindInfo, Remaining)>,
}

/// The condition types the deleter maintains, in its order, with their "all is well" reason
/// and message.
const OK_CONDITIONS: [(&str, &str, &str); 5] = [
    ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"),
    ("NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
    ("NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
    ("NamespaceFinalizersRemaining", "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
];

impl Conditions {
    /// `ProcessContentTotals` and `makeDeleteContentCondition`: (type, reason, message) of the
    /// failing conditions; the others are set to their "all is well" variant.
    fn failing(&self) -> Vec<(&'static str, &'static str, String)> {
        let mut out = Vec::new();
        if !self.content_errors.is_empty() {
            let mut msgs = self.content_errors.clone();
            msgs.sort();
            out.push(("NamespaceDeletionContentFailure", "ContentDeletionFailed", format!("Failed to delete all resource types, {} remaining: {}", msgs.len(), msgs.join(", "))));
        }
        if !self.remaining.is_empty() {
            let mut each: Vec<String> = self.remaining.iter().map(|(k, r)| format!("{}.{} has {} resource instances", k.resource, k.group, r.count)).collect();
            each.sort();
            out.push(("NamespaceContentRemaining", "SomeResourcesRemain", format!("Some resources are remaining: {}", each.join(", "))));
        }
        let mut by_finalizer: BTreeMap<&str, usize> = BTreeMap::new();
        for (f, n) in self.remaining.iter().flat_map(|(_, r)| r.finalizers.iter()) {
            *by_finalizer.entry(f).or_default() += n;
        }
        if !by_finalizer.is_empty() {
            let mut each: Vec<String> = by_finalizer.iter().map(|(f, n)| format!("{f} in {n} resource instances")).collect();
            each.sort();
            out.push(("NamespaceFinalizersRemaining", "SomeFinalizersRemain", format!("Some content in the namespace has finalizers remaining: {}", each.join(", "))));
        }
        out
    }
}

/// `updateConditions`: each maintained type gets its failing or "all is well" variant; a
/// condition's `lastTransitionTime` moves only when its status flips. True when anything changed.
fn update_conditions(status: &mut Value, conditions: &Conditions, now: &str) -> bool {
    let failing = conditions.failing();
    let mut list: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
    let mut changed = false;
    for (kind, ok_reason, ok_message) in OK_CONDITIONS {
        let (cond_status, reason, message) = match failing.iter().find(|(t, _, _)| *t == kind) {
            Some((_, reason, message)) => ("True", *reason, message.clone()),
            None => ("False", ok_reason, ok_message.to_string()),
        };
        match list.iter_mut().find(|c| c["type"] == kind) {
            None => {
                list.push(json!({"type": kind, "status": cond_status, "lastTransitionTime": now, "reason": reason, "message": message}));
                changed = true;
            }
            Some(old) if old["status"] != cond_status || old["reason"] != reason || old["message"] != message.as_str() => {
                if old["status"] != cond_status {
                    old["lastTransitionTime"] = json!(now);
                }
                old["status"] = json!(cond_status);
                old["reason"] = json!(reason);
                old["message"] = json!(message);
                changed = true;
            }
            Some(_) => {}
        }
    }
    if changed {
        status["conditions"] = json!(list);
    }
    changed
}

/// Updates the conditions on the namespace and PUTs its status when they changed; a failed
/// status update is only logged by the real controller, so it is not an error here either.
fn record_conditions(ctx: &mut Context, user: &User, kind: &'static KindInfo, ns: &mut Value, conditions: Conditions) {
    let now = crate::apiserver::rfc3339(ctx.now);
    if update_conditions(&mut ns["status"], &conditions, &now) {
        if let Ok(updated) = put(ctx, user, kind, "status", ns) {
            *ns = updated;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_lists_pods_first_and_each_resource_once_at_its_preferred_version() {
        let kinds = deletable_resources();
        assert_eq!(kinds.first().map(|k| k.resource), Some("pods"));
        let hpa: Vec<_> = kinds.iter().filter(|k| k.resource == "horizontalpodautoscalers").map(|k| k.version).collect();
        assert_eq!(hpa, ["v2"]);
        assert!(kinds.iter().all(|k| k.namespaced && k.persisted));
        assert!(!kinds.iter().any(|k| k.resource == "namespaces" || k.resource == "nodes" || k.resource == "bindings"));
        assert!(kinds.iter().any(|k| k.group == "apps" && k.resource == "deployments"));
        // Both event APIs are listed, as discovery lists both groups.
        assert_eq!(kinds.iter().filter(|k| k.resource == "events").count(), 2);
    }

    #[test]
    fn conditions_name_what_remains_as_the_deleter_does() {
        let (Some(pods), Some(claims)) = (client::kind("v1", "Pod"), client::kind("v1", "PersistentVolumeClaim")) else { panic!("served") };
        let mut status = json!({"phase": "Terminating"});
        let all_well = Conditions { content_errors: Vec::new(), remaining: Vec::new() };
        assert!(update_conditions(&mut status, &all_well, "t0"));
        assert_eq!(status["conditions"].as_array().map(Vec::len), Some(5));
        assert_eq!(status["conditions"][3]["message"], "All content successfully removed");
        assert!(!update_conditions(&mut status, &all_well, "t1"), "nothing changed, nothing written");

        let stuck = Remaining { estimate: 15, count: 2, finalizers: [("example.com/hold".to_string(), 2)].into() };
        let left = Conditions { content_errors: Vec::new(), remaining: vec![(claims, stuck), (pods, Remaining { count: 1, ..Default::default() })] };
        assert!(update_conditions(&mut status, &left, "t2"));
        let c = &status["conditions"];
        assert_eq!(c[3]["message"], "Some resources are remaining: persistentvolumeclaims. has 2 resource instances, pods. has 1 resource instances");
        assert_eq!((c[3]["status"].as_str(), c[3]["reason"].as_str(), c[3]["lastTransitionTime"].as_str()), (Some("True"), Some("SomeResourcesRemain"), Some("t2")));
        assert_eq!(c[4]["message"], "Some content in the namespace has finalizers remaining: example.com/hold in 2 resource instances");
        assert_eq!(c[0]["lastTransitionTime"], "t0", "an unchanged condition keeps its time");

        let failed = Conditions { content_errors: vec!["b".into(), "a".into()], remaining: Vec::new() };
        update_conditions(&mut status, &failed, "t3");
        assert_eq!(status["conditions"][2]["message"], "Failed to delete all resource types, 2 remaining: a, b");
    }

    #[test]
    fn the_grace_estimate_skips_finished_pods() {
        let pods = [
            json!({"spec": {"terminationGracePeriodSeconds": 30}, "status": {"phase": "Running"}}),
            json!({"spec": {"terminationGracePeriodSeconds": 600}, "status": {"phase": "Succeeded"}}),
            json!({"spec": {}, "status": {"phase": "Pending"}}),
        ];
        assert_eq!(pods_grace_estimate(&pods), 30);
        assert_eq!(pods_grace_estimate(&[]), 0);
    }
}
