//! The Job controller (`pkg/controller/job`): runs pods until `completions` of them succeed,
//! at most `parallelism` at a time, and tracks each finished pod exactly once through the
//! `batch.kubernetes.io/job-tracking` finalizer and `status.uncountedTerminatedPods`:
//! a finished pod's uid goes into the uncounted list, its finalizer is removed, and then it
//! moves to `succeeded` or `failed`.
//!
//! - `completionMode: Indexed` gives each pod an index (`<job>-<index>-<rand>`, the
//!   `batch.kubernetes.io/job-completion-index` annotation and label, `JOB_COMPLETION_INDEX`,
//!   hostname `<job>-<index>`) and records `completedIndexes`.
//! - A failed pod is replaced after a back-off of 10 s doubling per failure since the last
//!   success, capped at 10 min (`backoff.rs`);
//!   past `backoffLimit` failures the Job fails (`FailureTarget`, then `Failed`, reason
//!   `BackoffLimitExceeded`), as it does past `activeDeadlineSeconds` (`DeadlineExceeded`) or on a
//!   `podFailurePolicy` rule with action `FailJob`; `Ignore` rules do not count the failure.
//! - Success adds `SuccessCriteriaMet` then `Complete` (reason `CompletionsReached`) and
//!   `completionTime`.
//! - `suspend: true` deletes the active pods and sets `Suspended`; resuming starts over.
//!
//! The replacement back-off and the deadline are timers that run only as time passes.

mod backoff;

use backoff::BackoffRecord;
use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::replicaset::{condition_true, controlled_by, is_terminating};
use super::informer::KeysWhere;
use super::Caches;
use crate::api::KindInfo;
use crate::apiserver::{handle, rfc3339, Context, Request, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const NAME: &str = "job-controller";
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
const INDEX_KEY: &str = "batch.kubernetes.io/job-completion-index";
/// Pods created per Job per sync (`MaxPodCreateDeletePerSync`).
const MAX_PER_SYNC: usize = 500;
/// `DefaultJobApiBackOff` and `MaxJobApiBackOff`: a sync whose API calls failed is requeued
/// rate-limited (the job queue's exponential failure rate limiter), 1 s doubling up to 1 min.
const API_BACKOFF_MS: u64 = 1_000;
const API_BACKOFF_MAX_MS: u64 = 60_000;

#[derive(Debug, Default)]
pub struct JobController {
    /// Per job uid: the instant a replacement or a deadline is due.
    timers: BTreeMap<String, Time>,
    /// Per job uid: until when a sync whose pod creation failed is held back, and how many
    /// failed in a row. Without it a refused create (a missing ServiceAccount) was retried at
    /// once, its own FailedCreate event waking the controller again: a run that never idled.
    api_backoff: BTreeMap<String, (Time, u32)>,
    /// Per pod uid: the same for an orphan pod whose tracking finalizer could not be removed
    /// (the controller's rate-limited `orphanQueue`); retried as time passes, not at every step.
    orphan_backoff: BTreeMap<String, (Time, u32)>,
    /// The pods carrying the tracking finalizer, kept from the pod informer's notifications (the
    /// controller's pod handlers): looking for orphans among every pod at every step was a
    /// fiftieth of a 10,000-pod run.
    finalized: KeysWhere,
    /// Per job uid: the pod-failure back-off record (`podBackoffStore`), kept in memory as
    /// kube-controller-manager keeps it.
    backoff: BTreeMap<String, BackoffRecord>,
}

/// The next try after `failures` refusals in a row: 1 s doubling up to 1 min.
fn api_backoff_after(now: Time, failures: u32) -> Time {
    now.after(Duration::from_ms(API_BACKOFF_MS.saturating_mul(1 << failures.saturating_sub(1).min(16)).min(API_BACKOFF_MAX_MS)))
}

fn parse_time(s: &str) -> Option<Time> {
    crate::cli::printers::parse_time(s).map(|ms| Time(ms.max(0) as u64))
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn index_of(pod: &Value) -> Option<i64> {
    pod["metadata"]["annotations"][INDEX_KEY].as_str().and_then(|s| s.parse().ok())
}

fn has_finalizer(pod: &Value) -> bool {
    pod["metadata"]["finalizers"].as_array().into_iter().flatten().any(|f| f == TRACKING_FINALIZER)
}

fn is_finished(pod: &Value) -> bool {
    matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed")) || is_terminating(pod)
}

/// `0-2,4` for {0, 1, 2, 4}, as `completedIndexes` is written.
pub fn format_indexes(set: &BTreeSet<i64>) -> String {
    let mut out: Vec<String> = Vec::new();
    let v: Vec<i64> = set.iter().copied().collect();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        out.push(if i == j { v[i].to_string() } else { format!("{}-{}", v[i], v[j]) });
        i = j + 1;
    }
    out.join(",")
}

fn parse_indexes(s: &str) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(a), Ok(b)) = (a.parse::<i64>(), b.parse::<i64>()) {
            for i in a..=b.min(a + 100_000) {
                out.insert(i);
            }
        }
    }
    out
}

/// The `podFailurePolicy` rule a failed pod matches: (index, action, message detail).
fn failure_rule(job: &Value, pod: &Value) -> Option<(usize, String, String)> {
    for (i, rule) in job["spec"]["podFailurePolicy"]["rules"].as_array().into_iter().flatten().enumerate() {
        let action = rule["action"].as_str().unwrap_or("").to_string();
        if let Some(on) = rule.get("onExitCodes").filter(|v| v.is_object()) {
            let values: Vec<i64> = on["values"].as_array().into_iter().flatten().filter_map(Value::as_i64).collect();
            let only = on["containerName"].as_str();
            for c in pod["status"]["containerStatuses"].as_array().into_iter().flatten() {
                if only.is_some_and(|n| c["name"] != n) {
                    continue;
                }
                let Some(code) = c["state"]["terminated"]["exitCode"].as_i64() else { continue };
                if code == 0 {
                    continue;
                }
                let hit = if on["operator"] == "NotIn" { !values.contains(&code) } else { values.contains(&code) };
                if hit {
                    let detail = format!("Container {} for pod {}/{} failed with exit code {code} matching {action} rule at index {i}", c["name"].as_str().unwrap_or(""), ns_of(pod), name_of(pod));
                    return Some((i, action, detail));
                }
            }
        }
        for pc in rule["onPodConditions"].as_array().into_iter().flatten() {
            let want = pc["status"].as_str().unwrap_or("True");
            if pod["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == pc["type"] && c["status"] == want) {
                let detail = format!("Pod {}/{} has condition {} matching {action} rule at index {i}", ns_of(pod), name_of(pod), pc["type"].as_str().unwrap_or(""));
                return Some((i, action, detail));
            }
        }
    }
    None
}

fn condition(kind: &str, reason: &str, message: &str, now: &str) -> Value {
    json!({"type": kind, "status": "True", "lastProbeTime": now, "lastTransitionTime": now, "reason": reason, "message": message})
}

fn has_condition(job: &Value, kind: &str) -> bool {
    condition_true(job, kind)
}

/// True once the Job has its final condition.
pub fn is_finished_job(job: &Value) -> bool {
    has_condition(job, "Complete") || has_condition(job, "Failed")
}

/// When the Job finished: `completionTime`, or the `Failed` condition's transition.
pub fn finish_time(job: &Value) -> Option<Time> {
    if let Some(t) = job["status"]["completionTime"].as_str().and_then(parse_time) {
        return Some(t);
    }
    job["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Failed" && c["status"] == "True").and_then(|c| c["lastTransitionTime"].as_str()).and_then(parse_time)
}

impl JobController {
    pub fn next_timer(&self) -> Option<Time> {
        self.timers.values().chain(self.orphan_backoff.values().map(|(t, _)| t)).min().copied()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        let (Some(job_kind), Some(pod_kind)) = (client::kind("batch/v1", "Job"), client::kind("v1", "Pod")) else { return };
        let user = client::controller(NAME);
        let live: Vec<&str> = caches.jobs.values().map(uid_of).collect();
        self.timers.retain(|uid, _| live.contains(&uid.as_str()));
        self.api_backoff.retain(|uid, _| live.contains(&uid.as_str()));
        self.backoff.retain(|uid, _| live.contains(&uid.as_str()));
        // Pods that still carry the tracking finalizer but whose Job is gone are let go.
        self.finalized.update(&caches.pods, has_finalizer);
        let orphans: Vec<&Value> = self.finalized.objects(&caches.pods);
        self.orphan_backoff.retain(|uid, _| orphans.iter().any(|p| uid_of(p) == uid));
        for pod in orphans {
            let owner = pod["metadata"]["ownerReferences"].as_array().into_iter().flatten().find(|r| r["controller"] == true).and_then(|r| r["uid"].as_str()).unwrap_or("");
            if live.contains(&owner) || self.orphan_backoff.get(uid_of(pod)).is_some_and(|(t, _)| *t > ctx.now) {
                continue;
            }
            if remove_finalizer(ctx, &user, pod_kind, pod) {
                self.orphan_backoff.remove(uid_of(pod));
            } else {
                let failures = self.orphan_backoff.get(uid_of(pod)).map_or(0, |(_, n)| *n).saturating_add(1);
                self.orphan_backoff.insert(uid_of(pod).to_string(), (api_backoff_after(ctx.now, failures), failures));
            }
        }
        for job in caches.jobs.values() {
            if is_terminating(job) {
                continue;
            }
            let pods: Vec<&Value> = caches.pods.in_namespace(ns_of(job)).filter(|p| ns_of(p) == ns_of(job) && controlled_by(p, uid_of(job))).collect();
            match self.sync(ctx, job, &pods, job_kind, pod_kind, events) {
                Some(t) => {
                    self.timers.insert(uid_of(job).to_string(), t);
                }
                None => {
                    self.timers.remove(uid_of(job));
                }
            }
        }
    }

    /// One `syncJob`. Returns when the Job wants to be looked at again with no change.
    fn sync(&mut self, ctx: &mut Context, job: &Value, pods: &[&Value], job_kind: &'static KindInfo, pod_kind: &'static KindInfo, events: &mut EventNames) -> Option<Time> {
        let user = client::controller(NAME);
        let source = Source { component: NAME, host: "" };
        let now_s = rfc3339(ctx.now);
        let spec = &job["spec"];
        let mut status = job["status"].clone();
        if !status.is_object() {
            status = json!({});
        }
        // Finished pods are counted exactly once: uncounted first, then (finalizer gone) counted.
        let by_uid: BTreeMap<&str, &Value> = pods.iter().map(|p| (uid_of(p), *p)).collect();
        let mut succeeded = int(&status["succeeded"]);
        let mut failed = int(&status["failed"]);
        let mut completed: BTreeSet<i64> = parse_indexes(status["completedIndexes"].as_str().unwrap_or(""));
        let mut uncounted: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        for (slot, key) in ["succeeded", "failed"].iter().enumerate() {
            for uid in status["uncountedTerminatedPods"][key].as_array().into_iter().flatten().filter_map(Value::as_str) {
                match by_uid.get(uid).filter(|p| has_finalizer(p)) {
                    Some(_) => uncounted[slot].push(uid.to_string()),
                    None if slot == 0 => succeeded += 1,
                    None => failed += 1,
                }
            }
        }
        let mut fail_job: Option<(String, String)> = None;
        let finished_job = is_finished_job(job);
        if finished_job {
            // A finished Job's record goes (`syncJob` removes it before anything else).
            self.backoff.remove(uid_of(job));
        }
        // `getNewFinishedPods`: what finished since the last sync, for the back-off record.
        let (mut new_succeeded, mut new_failed): (Vec<&Value>, Vec<&Value>) = (Vec::new(), Vec::new());
        for pod in pods.iter().filter(|p| has_finalizer(p) && is_finished(p)) {
            let uid = uid_of(pod).to_string();
            if uncounted.iter().any(|u| u.contains(&uid)) {
                continue;
            }
            if pod["status"]["phase"] == "Succeeded" {
                new_succeeded.push(pod);
                if let Some(i) = index_of(pod) {
                    completed.insert(i);
                }
                uncounted[0].push(uid);
            } else {
                // Failures the policy ignores still delay the replacement.
                new_failed.push(pod);
                match failure_rule(job, pod) {
                    Some((_, action, _)) if action == "Ignore" => {
                        // Not counted: the finalizer goes, the failure does not.
                        remove_finalizer(ctx, &user, pod_kind, pod);
                        continue;
                    }
                    Some((_, action, detail)) if action == "FailJob" && !finished_job => fail_job = Some(("PodFailurePolicy".into(), detail)),
                    _ => {}
                }
                uncounted[1].push(uid);
            }
        }
        let total_succeeded = succeeded + uncounted[0].len() as i64;
        let total_failed = failed + uncounted[1].len() as i64;
        let backoff_record = self.backoff.get(uid_of(job)).copied().unwrap_or_default().with_new_pods(&new_succeeded, &new_failed);
        let active: Vec<&Value> = pods.iter().copied().filter(|p| !is_finished(p)).collect();
        let ready = active.iter().filter(|p| condition_true(p, "Ready")).count();
        let terminating = pods.iter().filter(|p| is_terminating(p) && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))).count();
        let parallelism = spec["parallelism"].as_i64().unwrap_or(1).max(0);
        let completions = spec["completions"].as_i64();
        let indexed = spec["completionMode"] == "Indexed";
        let suspended = spec["suspend"] == true;
        let mut wake: Option<Time> = None;
        let mut conds: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
        let mut new_events: Vec<(bool, String, String)> = Vec::new();

        if !finished_job {
            if status["startTime"].is_null() && !suspended {
                status["startTime"] = json!(now_s);
            }
            // Why the Job is done, if it is.
            let backoff_limit = spec["backoffLimit"].as_i64().unwrap_or(6);
            let start = status["startTime"].as_str().and_then(parse_time);
            let deadline = spec["activeDeadlineSeconds"].as_i64().zip(start).map(|(s, t)| t.after(Duration::from_secs(s.max(0) as u64)));
            let done_ok = if indexed {
                completions.is_some_and(|c| completed.len() as i64 >= c)
            } else {
                match completions {
                    Some(c) => total_succeeded >= c,
                    None => total_succeeded > 0 && active.is_empty(),
                }
            };
            if fail_job.is_none() && total_failed > backoff_limit {
                fail_job = Some(("BackoffLimitExceeded".into(), "Job has reached the specified backoff limit".into()));
            }
            if fail_job.is_none() && !suspended && deadline.is_some_and(|d| ctx.now >= d) {
                fail_job = Some(("DeadlineExceeded".into(), "Job was active longer than specified deadline".into()));
            }
            let has = |conds: &[Value], t: &str| conds.iter().any(|c| c["type"] == t && c["status"] == "True");
            if let Some((reason, message)) = fail_job.clone().or_else(|| conds.iter().find(|c| c["type"] == "FailureTarget").map(|c| (c["reason"].as_str().unwrap_or("").to_string(), c["message"].as_str().unwrap_or("").to_string()))) {
                if !has(&conds, "FailureTarget") {
                    conds.push(condition("FailureTarget", &reason, &message, &now_s));
                }
                // The active pods are terminated; the Job is Failed once none is left running.
                for pod in &active {
                    delete_pod(ctx, &user, pod_kind, pod);
                }
                if active.is_empty() && terminating == 0 {
                    conds.push(condition("Failed", &reason, &message, &now_s));
                    new_events.push((true, reason.clone(), message));
                }
            } else if done_ok || has(&conds, "SuccessCriteriaMet") {
                if !has(&conds, "SuccessCriteriaMet") {
                    conds.push(condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods", &now_s));
                }
                for pod in &active {
                    delete_pod(ctx, &user, pod_kind, pod);
                }
                if active.is_empty() && terminating == 0 {
                    conds.push(condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods", &now_s));
                    status["completionTime"] = json!(now_s);
                    new_events.push((false, "Completed".into(), "Job completed".into()));
                }
            } else if suspended {
                for pod in &active {
                    if delete_pod(ctx, &user, pod_kind, pod) {
                        new_events.push((false, "SuccessfulDelete".into(), format!("Deleted pod: {}", name_of(pod))));
                    }
                }
                if !has(&conds, "Suspended") {
                    conds.retain(|c| c["type"] != "Suspended");
                    conds.push(condition("Suspended", "JobSuspended", "Job suspended", &now_s));
                    new_events.push((false, "Suspended".into(), "Job suspended".into()));
                    if let Some(m) = status.as_object_mut() {
                        m.remove("startTime");
                    }
                }
            } else {
                if has(&conds, "Suspended") {
                    for c in conds.iter_mut().filter(|c| c["type"] == "Suspended") {
                        *c = json!({"type": "Suspended", "status": "False", "lastProbeTime": now_s, "lastTransitionTime": now_s, "reason": "JobResumed", "message": "Job resumed"});
                    }
                    new_events.push((false, "Resumed".into(), "Job resumed".into()));
                }
                // How many should run now.
                let want = if indexed {
                    let c = completions.unwrap_or(0);
                    let running: BTreeSet<i64> = active.iter().filter_map(|p| index_of(p)).collect();
                    let pending: Vec<i64> = (0..c.min(100_000)).filter(|i| !completed.contains(i) && !running.contains(i)).collect();
                    let slots = (parallelism - active.len() as i64).max(0) as usize;
                    pending.into_iter().take(slots.min(MAX_PER_SYNC)).map(Some).collect::<Vec<_>>()
                } else {
                    let target = match completions {
                        Some(c) => parallelism.min((c - total_succeeded).max(0)),
                        None if total_succeeded > 0 => 0,
                        None => parallelism,
                    };
                    vec![None; ((target - active.len() as i64).max(0) as usize).min(MAX_PER_SYNC)]
                };
                // Failures since the last success delay the replacements (`getRemainingTime`).
                let backoff_until = backoff_record.replacement_due();
                let api_hold = self.api_backoff.get(uid_of(job)).map(|(t, _)| *t).filter(|t| *t > ctx.now);
                if !want.is_empty() {
                    match backoff_until.filter(|t| *t > ctx.now).max(api_hold) {
                        Some(t) => wake = Some(t),
                        None => {
                            let mut refused = false;
                            for index in want {
                                match create_pod(ctx, job, index, pod_kind, events) {
                                    Some(name) => new_events.push((false, "SuccessfulCreate".into(), format!("Created pod: {name}"))),
                                    None => {
                                        refused = true;
                                        break;
                                    }
                                }
                            }
                            if refused {
                                // syncJob returns the error and the key is added rate-limited.
                                let failures = self.api_backoff.get(uid_of(job)).map_or(0, |(_, n)| *n).saturating_add(1);
                                let until = api_backoff_after(ctx.now, failures);
                                self.api_backoff.insert(uid_of(job).to_string(), (until, failures));
                                wake = Some(until);
                            } else {
                                self.api_backoff.remove(uid_of(job));
                            }
                        }
                    }
                }
                if let Some(d) = deadline.filter(|d| *d > ctx.now) {
                    wake = Some(wake.map_or(d, |w| w.min(d)));
                }
            }
        }

        // The status as the controller writes it.
        let active_now = active.iter().filter(|p| !is_terminating(p)).count() as i64;
        let active_now = if is_finished_job(&json!({"status": {"conditions": conds}})) { 0 } else { active_now };
        let set = |status: &mut Value, key: &str, n: i64| {
            if n > 0 {
                status[key] = json!(n);
            } else if let Some(m) = status.as_object_mut() {
                m.remove(key);
            }
        };
        set(&mut status, "active", active_now);
        set(&mut status, "succeeded", succeeded);
        set(&mut status, "failed", failed);
        status["ready"] = json!(ready);
        status["terminating"] = json!(terminating);
        let mut unc = json!({});
        for (slot, key) in ["succeeded", "failed"].iter().enumerate() {
            if !uncounted[slot].is_empty() {
                unc[*key] = json!(uncounted[slot]);
            }
        }
        status["uncountedTerminatedPods"] = unc;
        if indexed {
            let text = format_indexes(&completed);
            status["completedIndexes"] = json!(text);
        }
        if !conds.is_empty() {
            status["conditions"] = json!(conds);
        }
        if status != job["status"] {
            let mut new = job.clone();
            new["status"] = status.clone();
            let mut req = Request::new(Verb::Update, job_kind, ns_of(job), name_of(job)).with_body(new);
            req.subresource = "status".into();
            req.user = user.clone();
            if handle(ctx, &req).result.is_ok() {
                // `flushUncountedAndRemoveFinalizers` keeps the record once the status is written.
                if !finished_job {
                    self.backoff.insert(uid_of(job).to_string(), backoff_record);
                }
                // The uncounted pods are recorded: their finalizers can go.
                for uid in uncounted.iter().flatten() {
                    if let Some(pod) = by_uid.get(uid.as_str()) {
                        remove_finalizer(ctx, &user, pod_kind, pod);
                    }
                }
            } else {
                return Some(ctx.now.after(Duration::from_secs(1)));
            }
        }
        for (warning, reason, message) in new_events {
            client::event(ctx, events, &user, &source, job, warning, &reason, &message);
        }
        wake
    }
}

fn delete_pod(ctx: &mut Context, user: &crate::apiserver::User, pod_kind: &'static KindInfo, pod: &Value) -> bool {
    if is_terminating(pod) {
        return false;
    }
    let mut req = Request::new(Verb::Delete, pod_kind, ns_of(pod), name_of(pod));
    req.user = user.clone();
    req.delete.precondition_uid = Some(uid_of(pod).to_string());
    handle(ctx, &req).result.is_ok()
}

/// A PATCH of the pod's finalizers without ours (the job-controller role may patch pods, not
/// update them).
fn remove_finalizer(ctx: &mut Context, user: &crate::apiserver::User, pod_kind: &'static KindInfo, pod: &Value) -> bool {
    let rest: Vec<Value> = pod["metadata"]["finalizers"].as_array().into_iter().flatten().filter(|f| *f != TRACKING_FINALIZER).cloned().collect();
    let body = json!({"metadata": {"finalizers": if rest.is_empty() { Value::Null } else { json!(rest) }}});
    let mut req = Request::new(Verb::Patch(crate::apiserver::PatchType::Merge), pod_kind, ns_of(pod), name_of(pod)).with_body(body);
    req.user = user.clone();
    handle(ctx, &req).result.is_ok()
}

/// A pod from the template, as `podControl.CreatePodsWithGenerateName` sends it.
fn create_pod(ctx: &mut Context, job: &Value, index: Option<i64>, pod_kind: &'static KindInfo, events: &mut EventNames) -> Option<String> {
    let (ns, name, uid) = (ns_of(job), name_of(job), uid_of(job));
    let template = &job["spec"]["template"];
    let mut labels = template["metadata"]["labels"].clone();
    if !labels.is_object() {
        labels = json!({});
    }
    for (k, v) in [("batch.kubernetes.io/controller-uid", uid), ("batch.kubernetes.io/job-name", name), ("controller-uid", uid), ("job-name", name)] {
        if labels.get(k).is_none() {
            labels[k] = json!(v);
        }
    }
    let mut meta = json!({
        "generateName": match index { Some(i) => format!("{name}-{i}-"), None => format!("{name}-") },
        "namespace": ns, "labels": labels,
        "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true}],
        "finalizers": [TRACKING_FINALIZER],
    });
    if let Some(a) = template["metadata"].get("annotations").filter(|a| a.is_object()) {
        meta["annotations"] = a.clone();
    }
    let mut pod_spec = template["spec"].clone();
    if let Some(i) = index {
        meta["annotations"][INDEX_KEY] = json!(i.to_string());
        meta["labels"][INDEX_KEY] = json!(i.to_string());
        pod_spec["hostname"] = json!(format!("{name}-{i}"));
        for c in pod_spec["containers"].as_array_mut().into_iter().flatten() {
            let env = json!({"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {"fieldPath": format!("metadata.annotations['{INDEX_KEY}']")}}});
            match c["env"].as_array_mut() {
                Some(list) => list.push(env),
                None => c["env"] = json!([env]),
            }
        }
    }
    let body = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod_spec});
    let user = client::controller(NAME);
    let reply = client::send(ctx, &user, Verb::Create, pod_kind, ns, "", Some(body));
    match reply.result {
        Ok(pod) => Some(name_of(&pod).to_string()),
        Err(status) => {
            client::event(ctx, events, &user, &Source { component: NAME, host: "" }, job, true, "FailedCreate", &format!("Error creating: {}", status.message));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_indexes_are_written_as_ranges() {
        let set: BTreeSet<i64> = [0, 1, 2, 4, 6, 7].into_iter().collect();
        assert_eq!(format_indexes(&set), "0-2,4,6-7");
        assert_eq!(parse_indexes("0-2,4,6-7"), set);
    }
}
