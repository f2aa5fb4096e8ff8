//! Reconcile records: a component's pass over one work-queue key, what queued it, and what it
//! decided, as kube-rs returns a reconcile's `Action` and client-go controllers call their
//! `syncHandler(key)`.
//!
//! The control plane opens a step (`begin_reconciles`) with the keys its watches just queued; the
//! first request a component sends about a key opens that key's reconcile record, and every
//! request of the step about the key names that record as its cause. When the step ends
//! (`end_reconciles`) each record gets its decision, summarised from the requests' answers. So
//! the trace reads as a chain:
//!
//! ```text
//! #2000 kube-apiserver          watch MODIFIED /registry/deployments/default/web revision 412 (write #1990) -> kube-controller-manager
//! #2001 deployment-controller   reconcile deployments default/web (watch #2000, revision 412): created replicasets/web-7d9c, recorded 1 event
//! #2002 kube-apiserver          request 90: POST /apis/apps/v1/namespaces/default/replicasets as system:serviceaccount:kube-system:deployment-controller (cause #2001)
//! ```
//!
//! A pass that sends nothing ("no change") leaves no record: every component looks at every
//! object each step, and recording those looks would swamp the trace.

use super::{Event, Trace};
use crate::sim::Time;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// What put a key in front of the component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Trigger {
    /// A watch event delivered at the start of this step queued the key (the object's own, or a
    /// dependent's whose owner it is): the delivery record and the write's revision.
    Watch { record: u64, revision: i64 },
    /// Nothing new about the key arrived: a timer came due, a retry or a back-off ended, or a
    /// level-triggered pass found work. The component acted on the version its cache holds:
    /// that version's delivery (or write) record, while kept, and its revision.
    Resync { record: Option<u64>, revision: i64 },
    /// The key's object is not in the store.
    Gone,
}

impl Trigger {
    /// The record this reconcile follows from, for the "led to" tree.
    pub fn record(&self) -> Option<u64> {
        match self {
            Trigger::Watch { record, .. } => Some(*record),
            Trigger::Resync { record, .. } => *record,
            Trigger::Gone => None,
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Watch { record, revision } => write!(f, "watch #{record}, revision {revision}"),
            Trigger::Resync { record: Some(r), revision } => write!(f, "resync of revision {revision} #{r}"),
            Trigger::Resync { record: None, revision } => write!(f, "resync of revision {revision}"),
            Trigger::Gone => f.write_str("object gone"),
        }
    }
}

/// What became of a key after its sync, for a component whose sync returns its decision to a
/// work queue (`controllers/workqueue.rs`): client-go's `handleErr`, kube-rs' `Action`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// In sync: the key's failures are forgotten and nothing more is queued.
    Done,
    /// In sync for now; the key comes back after this long (`AddAfter`).
    RequeuedAfter { after_ms: u64 },
    /// The sync failed with `error`; it is retried after the rate limiter's delay.
    RequeuedRateLimited { after_ms: u64, error: String },
    /// The sync failed too often (`maxRetries`): the key is dropped out of the queue.
    Dropped { error: String },
}

/// A span of virtual time as Go's `time.Duration.String` prints it: `5ms`, `1.28s`, `10m1s`.
pub fn go_duration(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (h, m) = (ms / 3_600_000, ms / 60_000 % 60);
    let mut seconds = format!("{}", ms / 1000 % 60);
    let frac = ms % 1000;
    if frac > 0 {
        seconds.push_str(format!(".{frac:03}").trim_end_matches('0'));
    }
    match (h, m) {
        (0, 0) => format!("{seconds}s"),
        (0, m) => format!("{m}m{seconds}s"),
        (h, m) => format!("{h}h{m}m{seconds}s"),
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Done => f.write_str("done"),
            Outcome::RequeuedAfter { after_ms } => write!(f, "requeued after {}", go_duration(*after_ms)),
            Outcome::RequeuedRateLimited { after_ms, error } => write!(f, "requeued after {}: {error}", go_duration(*after_ms)),
            Outcome::Dropped { error } => write!(f, "dropped out of the queue: {error}"),
        }
    }
}

/// A reconcile's decision: what its requests did, summarised from their answers, and, for a
/// component with a work queue, what became of the key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReconcileDecision {
    /// `created 3 pods, recorded 3 events`; empty until the step ends.
    pub summary: String,
    /// `None` for the components that are still passes over their caches.
    pub outcome: Option<Outcome>,
}

impl ReconcileDecision {
    pub fn is_empty(&self) -> bool {
        self.summary.is_empty() && self.outcome.as_ref().is_none_or(|o| *o == Outcome::Done)
    }
}

impl fmt::Display for ReconcileDecision {
    /// The summary, then the outcome unless it is plain `Done`: `failed to create 1 pod (403),
    /// recorded 1 event; requeued after 5ms: pods "web-x" is forbidden: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary)?;
        match &self.outcome {
            None | Some(Outcome::Done) => Ok(()),
            Some(o) if self.summary.is_empty() => write!(f, "{o}"),
            Some(o) => write!(f, "; {o}"),
        }
    }
}

pub(super) fn render(f: &mut fmt::Formatter<'_>, resource: &str, key: &str, trigger: &Trigger, decision: &ReconcileDecision) -> fmt::Result {
    write!(f, "reconcile {resource} {key} ({trigger})")?;
    if decision.is_empty() {
        Ok(())
    } else {
        write!(f, ": {decision}")
    }
}

/// The control-plane step in progress.
#[derive(Clone, Debug, Default)]
pub(super) struct Step {
    /// (resource, key) -> the delivery record that queued it this step and its revision.
    queued: BTreeMap<(String, String), (u64, i64)>,
    /// The store revision the step's caches were synced to: what components act on.
    synced_revision: i64,
    /// Set by the control plane when a component's requests run under another component's
    /// identity (the taint eviction controller as `node-controller`).
    component: Option<String>,
    /// (component, resource, key) -> the reconcile record opened this step.
    open: BTreeMap<(String, String, String), u64>,
    /// The work-queue key a component with a work queue is syncing, as (resource, key): its
    /// requests belong to it, with no need to work the key out from the request.
    syncing: Option<(String, String)>,
    /// Reconcile record -> what became of its key, for components with work queues.
    outcomes: BTreeMap<u64, Outcome>,
}

/// A reconcile decision has at most this many parts; more are counted.
const MAX_DECISION_PARTS: usize = 8;

impl Trace {
    /// A control-plane step starts: `queued` holds the keys its watch deliveries queued.
    pub fn begin_reconciles(&mut self, queued: BTreeMap<(String, String), (u64, i64)>, synced_revision: i64) {
        self.step = Some(Step { queued, synced_revision, ..Step::default() });
    }

    /// The component acting next, when its identity does not say (None: its identity does).
    pub fn reconciling_as(&mut self, component: Option<&str>) {
        if let Some(step) = self.step.as_mut() {
            step.component = component.map(str::to_string);
        }
    }

    /// Within a control-plane step: the component named by `reconciling_as`, if any.
    pub fn reconciling(&self) -> Option<Option<&str>> {
        self.step.as_ref().map(|s| s.component.as_deref())
    }

    /// The revision the step's caches were synced to, within a step.
    pub fn synced_revision(&self) -> Option<i64> {
        self.step.as_ref().map(|s| s.synced_revision)
    }

    /// A component with a work queue starts (`Some`) or ends (`None`) the sync of one key.
    pub fn syncing(&mut self, key: Option<(&str, &str)>) {
        if let Some(step) = self.step.as_mut() {
            step.syncing = key.map(|(r, k)| (r.to_string(), k.to_string()));
        }
    }

    /// The key being synced, set by [`Trace::syncing`], as (resource, key).
    pub fn syncing_key(&self) -> Option<(&str, &str)> {
        self.step.as_ref()?.syncing.as_ref().map(|(r, k)| (r.as_str(), k.as_str()))
    }

    /// What became of `key` after `component`'s sync, kept on the key's reconcile record if one
    /// is open (`controllers::reconcile::record_outcome` opens one for a requeue).
    pub fn reconcile_outcome(&mut self, component: &str, resource: &str, key: &str, outcome: Outcome) {
        let Some(step) = self.step.as_mut() else { return };
        if let Some(seq) = step.open.get(&(component.to_string(), resource.to_string(), key.to_string())) {
            step.outcomes.insert(*seq, outcome);
        }
    }

    /// The delivery that queued `key` of `resource` this step, if one did.
    pub fn queued(&self, resource: &str, key: &str) -> Option<(u64, i64)> {
        self.step.as_ref()?.queued.get(&(resource.to_string(), key.to_string())).copied()
    }

    /// The reconcile record of `component` for `key` this step, opened on first use.
    pub fn reconcile(&mut self, at: Time, component: &str, resource: &str, key: &str, trigger: Trigger) -> Option<u64> {
        let id = (component.to_string(), resource.to_string(), key.to_string());
        if let Some(seq) = self.step.as_ref()?.open.get(&id) {
            return Some(*seq);
        }
        let event = Event::Reconcile { resource: resource.to_string(), key: key.to_string(), trigger, decision: ReconcileDecision::default() };
        let seq = self.push(at, super::Actor::Component(component.to_string()), event);
        self.step.as_mut()?.open.insert(id, seq);
        Some(seq)
    }

    /// The step ends: each reconcile record gets its decision, from its requests' answers.
    pub fn end_reconciles(&mut self) {
        let Some(step) = self.step.take() else { return };
        let Some(first) = step.open.values().min().copied() else { return };
        let open: BTreeMap<u64, ()> = step.open.values().map(|s| (*s, ())).collect();
        // Request id -> (reconcile, action), in the order the requests were sent.
        let mut actions: BTreeMap<u64, (u64, Action)> = BTreeMap::new();
        // Only the step's own records, found by position: seqs are consecutive.
        let front = self.records.front().map_or(0, |r| r.seq);
        let start = usize::try_from(first.saturating_sub(front)).unwrap_or(usize::MAX).min(self.records.len());
        for r in self.records.range(start..) {
            match &r.event {
                Event::Request { id, verb, path, cause: Some(c), .. } if open.contains_key(c) => {
                    actions.insert(*id, (*c, Action::new(verb, path)));
                }
                Event::StoreWrite { request, key, .. } => {
                    if let Some((_, a)) = actions.get_mut(request) {
                        if a.name.is_empty() {
                            a.name = key.rsplit('/').next().unwrap_or("").to_string();
                        }
                    }
                }
                Event::Response { id, code, .. } => {
                    if let Some((_, a)) = actions.get_mut(id) {
                        a.code = *code;
                    }
                }
                _ => {}
            }
        }
        let mut by_reconcile: BTreeMap<u64, Vec<Action>> = BTreeMap::new();
        for (_, (seq, a)) in actions {
            by_reconcile.entry(seq).or_default().push(a);
        }
        let seqs: std::collections::BTreeSet<u64> = by_reconcile.keys().chain(step.outcomes.keys()).copied().collect();
        for seq in seqs {
            let Some(idx) = seq.checked_sub(front).and_then(|i| usize::try_from(i).ok()) else { continue };
            if let Some(Event::Reconcile { decision, .. }) = self.records.get_mut(idx).filter(|r| r.seq == seq).map(|r| &mut r.event) {
                let summary = by_reconcile.get(&seq).map_or(String::new(), |list| summarize(list));
                *decision = ReconcileDecision { summary, outcome: step.outcomes.get(&seq).cloned() };
            }
        }
    }
}

/// The verb an [`Action`] gets for `DELETE` on a collection (`deletecollection`).
const COLLECTION_DELETE: &str = "DELETECOLLECTION";

/// One request of a reconcile, as its decision names it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Action {
    verb: String,
    resource: String,
    name: String,
    subresource: String,
    code: u16,
}

impl Action {
    /// From the request line: `POST /api/v1/namespaces/default/pods/web/binding`.
    fn new(verb: &str, path: &str) -> Action {
        let path = path.split('?').next().unwrap_or("");
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        // `/api/v1/...` or `/apis/<group>/<version>/...`.
        let rest = match parts.first() {
            Some(&"apis") => parts.get(3..),
            _ => parts.get(2..),
        }
        .unwrap_or(&[]);
        let rest = match rest {
            ["namespaces", _ns, resource, more @ ..] => {
                let mut v = vec![*resource];
                v.extend(more);
                v
            }
            other => other.to_vec(),
        };
        let at = |i: usize| rest.get(i).map_or(String::new(), |s| s.to_string());
        // A DELETE of a whole collection (the namespace controller's) is its own kind of action.
        let verb = if verb == "DELETE" && rest.len() == 1 { COLLECTION_DELETE } else { verb };
        Action { verb: verb.to_string(), resource: at(0), name: at(1), subresource: at(2), code: 0 }
    }

    fn failed(&self) -> bool {
        self.code >= 400
    }

    /// What the request did, in a word, as kubectl's past tenses read.
    fn done(&self) -> &'static str {
        match (self.verb.as_str(), self.subresource.as_str()) {
            ("POST", "binding") => "bound",
            ("POST", "eviction") => "evicted",
            ("POST", _) if self.resource == "events" => "recorded",
            ("POST", _) => "created",
            ("PUT", _) => "updated",
            ("PATCH", _) => "patched",
            ("DELETE" | COLLECTION_DELETE, _) => "deleted",
            ("GET", _) if self.name.is_empty() => "listed",
            ("GET", _) => "read",
            _ => "sent",
        }
    }

    fn doing(&self) -> &'static str {
        match (self.verb.as_str(), self.subresource.as_str()) {
            ("POST", "binding") => "bind",
            ("POST", "eviction") => "evict",
            ("POST", _) => "create",
            ("PUT", _) => "update",
            ("PATCH", _) => "patch",
            ("DELETE" | COLLECTION_DELETE, _) => "delete",
            ("GET", _) => "read",
            _ => "send",
        }
    }

    /// `pods/web`, `replicasets/web-7d9c/status`; a binding or eviction, which its verb already
    /// says, names the pod.
    fn object(&self) -> String {
        let mut s = self.resource.clone();
        let sub = if matches!(self.subresource.as_str(), "binding" | "eviction") { "" } else { self.subresource.as_str() };
        for part in [self.name.as_str(), sub] {
            if !part.is_empty() {
                s.push('/');
                s.push_str(part);
            }
        }
        s
    }
}

/// `pods` -> `pod`, `storageclasses` -> `storageclass`, `networkpolicies` -> `networkpolicy`.
fn singular(resource: &str) -> String {
    if let Some(stem) = resource.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = resource.strip_suffix("sses") {
        format!("{stem}ss")
    } else {
        resource.strip_suffix('s').unwrap_or(resource).to_string()
    }
}

/// The decision as a value a learner reads: `created 3 pods, recorded 3 events`,
/// `updated deployments/web/status`, `failed to update replicasets/web-7d9c (409)`.
fn summarize(actions: &[Action]) -> String {
    // (verb, resource, subresource, failure code) -> the actions, in first-seen order.
    type Group<'a> = ((String, String, String, u16), Vec<&'a Action>);
    let mut groups: Vec<Group> = Vec::new();
    for a in actions {
        let id = (a.verb.clone(), a.resource.clone(), a.subresource.clone(), if a.failed() { a.code } else { 0 });
        match groups.iter_mut().find(|(g, _)| *g == id) {
            Some((_, list)) => list.push(a),
            None => groups.push((id, vec![a])),
        }
    }
    let mut parts: Vec<String> = groups
        .iter()
        .filter_map(|((_, _, sub, code), list)| {
            let a = *list.first()?;
            let one = list.len() == 1 && (!a.name.is_empty() && a.resource != "events");
            // A request on a whole collection names the collection, and how often it was sent.
            let times = if list.len() > 1 { format!(" ({} times)", list.len()) } else { String::new() };
            let what = if a.verb == COLLECTION_DELETE {
                format!("all {}{times}", a.resource)
            } else if a.verb == "GET" && a.name.is_empty() {
                format!("{}{times}", a.resource)
            } else if one {
                a.object()
            } else {
                let noun = if list.len() == 1 { singular(&a.resource) } else { a.resource.clone() };
                if sub.is_empty() || sub == "binding" || sub == "eviction" {
                    format!("{} {noun}", list.len())
                } else {
                    format!("{sub} of {} {noun}", list.len())
                }
            };
            Some(if *code == 0 { format!("{} {what}", a.done()) } else { format!("failed to {} {what} ({code})", a.doing()) })
        })
        .collect();
    if parts.len() > MAX_DECISION_PARTS {
        let more = parts.len() - MAX_DECISION_PARTS;
        parts.truncate(MAX_DECISION_PARTS);
        parts.push(format!("and {more} more"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Actor, WriteOp};

    fn request(t: &mut Trace, id: u64, verb: &str, path: &str, cause: u64, code: u16, key: Option<&str>) {
        let user = "system:serviceaccount:kube-system:replicaset-controller".to_string();
        t.push(Time(0), Actor::ApiServer, Event::Request { id, verb: verb.into(), path: path.into(), user, cause: Some(cause), dry_run: false });
        if let Some(key) = key {
            t.push(Time(0), Actor::Etcd, Event::StoreWrite { request: id, key: key.into(), revision: id as i64, op: WriteOp::Create });
        }
        t.push(Time(0), Actor::ApiServer, Event::Response { id, code, message: String::new(), revision: 0 });
    }

    fn decision(t: &Trace, seq: u64) -> String {
        match t.records().find(|r| r.seq == seq).map(|r| &r.event) {
            Some(Event::Reconcile { decision, .. }) => decision.to_string(),
            other => panic!("not a reconcile: {other:?}"),
        }
    }

    #[test]
    fn requests_about_one_key_share_one_reconcile_whose_decision_sums_them_up() {
        let mut t = Trace::with_capacity(100);
        let mut queued = BTreeMap::new();
        queued.insert(("replicasets".to_string(), "default/web-1".to_string()), (7, 40));
        t.begin_reconciles(queued, 40);
        let trigger = match t.queued("replicasets", "default/web-1") {
            Some((record, revision)) => Trigger::Watch { record, revision },
            None => Trigger::Gone,
        };
        let rs = t.reconcile(Time(0), "replicaset-controller", "replicasets", "default/web-1", trigger.clone()).unwrap();
        for (i, name) in ["web-1-a", "web-1-b", "web-1-c"].iter().enumerate() {
            request(&mut t, 10 + i as u64, "POST", "/api/v1/namespaces/default/pods", rs, 201, Some(&format!("/registry/pods/default/{name}")));
            assert_eq!(t.reconcile(Time(0), "replicaset-controller", "replicasets", "default/web-1", trigger.clone()), Some(rs));
            request(&mut t, 20 + i as u64, "POST", "/api/v1/namespaces/default/events", rs, 201, Some("/registry/events/default/x"));
        }
        request(&mut t, 30, "PUT", "/apis/apps/v1/namespaces/default/replicasets/web-1/status", rs, 409, None);
        let other = t.reconcile(Time(0), "kube-scheduler", "pods", "default/web-1-a", Trigger::Gone).unwrap();
        request(&mut t, 31, "POST", "/api/v1/namespaces/default/pods/web-1-a/binding", other, 201, Some("/registry/pods/default/web-1-a"));
        t.end_reconciles();
        assert_eq!(decision(&t, rs), "created 3 pods, recorded 3 events, failed to update replicasets/web-1/status (409)");
        assert_eq!(decision(&t, other), "bound pods/web-1-a");
        let line = t.records().find(|r| r.seq == rs).unwrap().to_string();
        assert!(line.contains("replicaset-controller reconcile replicasets default/web-1 (watch #7, revision 40): created 3 pods"), "{line}");
        // After the step, no reconcile is open.
        assert_eq!(t.reconcile(Time(0), "kube-scheduler", "pods", "default/x", Trigger::Gone), None);
    }

    #[test]
    fn a_failed_sync_says_when_its_key_comes_back_and_why() {
        let mut t = Trace::with_capacity(100);
        t.begin_reconciles(BTreeMap::new(), 40);
        t.syncing(Some(("replicasets", "default/web-1")));
        assert_eq!(t.syncing_key(), Some(("replicasets", "default/web-1")));
        let rs = t.reconcile(Time(0), "replicaset-controller", "replicasets", "default/web-1", Trigger::Gone).unwrap();
        request(&mut t, 10, "POST", "/api/v1/namespaces/default/pods", rs, 403, None);
        let error = "pods \"web-1-x\" is forbidden: no PriorityClass with name missing was found".to_string();
        t.reconcile_outcome("replicaset-controller", "replicasets", "default/web-1", Outcome::RequeuedRateLimited { after_ms: 5, error: error.clone() });
        // A key whose sync sent nothing has no record to carry its outcome.
        t.reconcile_outcome("replicaset-controller", "replicasets", "default/quiet", Outcome::RequeuedAfter { after_ms: 1 });
        t.syncing(None);
        t.end_reconciles();
        assert_eq!(decision(&t, rs), format!("failed to create 1 pod (403); requeued after 5ms: {error}"));
        assert_eq!(t.records().filter(|r| matches!(r.event, Event::Reconcile { .. })).count(), 1);
    }

    #[test]
    fn durations_read_as_go_prints_them() {
        let cases = [(5, "5ms"), (640, "640ms"), (1_280, "1.28s"), (10_240, "10.24s"), (601_000, "10m1s"), (1_000_000, "16m40s"), (3_600_000, "1h0m0s")];
        for (ms, want) in cases {
            assert_eq!(go_duration(ms), want);
        }
        assert_eq!(ReconcileDecision { summary: String::new(), outcome: Some(Outcome::RequeuedAfter { after_ms: 601_000 }) }.to_string(), "requeued after 10m1s");
        assert!(ReconcileDecision { summary: String::new(), outcome: Some(Outcome::Done) }.is_empty());
    }

    #[test]
    fn one_named_object_is_named_and_many_are_counted() {
        let a = |verb: &str, path: &str, code: u16| Action { code, ..Action::new(verb, path) };
        assert_eq!(summarize(&[a("POST", "/apis/apps/v1/namespaces/d/replicasets", 201)]), "created 1 replicaset");
        let mut named = a("POST", "/apis/apps/v1/namespaces/d/replicasets", 201);
        named.name = "web-7d9c".into();
        assert_eq!(summarize(&[named]), "created replicasets/web-7d9c");
        assert_eq!(summarize(&[a("POST", "/api/v1/namespaces/d/events", 201)]), "recorded 1 event");
        assert_eq!(summarize(&[a("DELETE", "/api/v1/namespaces/d/pods/p", 200), a("DELETE", "/api/v1/namespaces/d/pods/q", 200)]), "deleted 2 pods");
        assert_eq!(summarize(&[a("DELETE", "/api/v1/namespaces/d/pods", 200), a("DELETE", "/apis/apps/v1/namespaces/d/deployments", 200)]), "deleted all pods, deleted all deployments");
        assert_eq!(summarize(&[a("GET", "/api/v1/namespaces/d/pods", 200), a("GET", "/api/v1/namespaces/d/pods", 200)]), "listed pods (2 times)");
        assert_eq!(summarize(&[a("PUT", "/api/v1/nodes/node-1/status", 200)]), "updated nodes/node-1/status");
        assert_eq!(summarize(&[a("POST", "/api/v1/namespaces/d/pods", 403)]), "failed to create 1 pod (403)");
        assert_eq!(summarize(&[a("PATCH", "/apis/discovery.k8s.io/v1/namespaces/d/endpointslices/s", 200)]), "patched endpointslices/s");
        assert_eq!(summarize(&[a("POST", "/api/v1/namespaces/d/endpoints", 201)]), "created 1 endpoint");
        assert_eq!(summarize(&[a("POST", "/apis/policy/v1/namespaces/d/poddisruptionbudgets", 201)]), "created 1 poddisruptionbudget");
        assert_eq!(summarize(&[a("POST", "/apis/storage.k8s.io/v1/storageclasses", 201)]), "created 1 storageclass");
        assert_eq!(summarize(&[a("POST", "/apis/networking.k8s.io/v1/namespaces/d/networkpolicies", 201)]), "created 1 networkpolicy");
    }
}
