//! The CronJob controller (`pkg/controller/cronjob`, the v2 controller): at each scheduled time
//! it creates a Job from `jobTemplate`, named `<cronjob>-<scheduled time in minutes since the
//! epoch>` with the `batch.kubernetes.io/cronjob-scheduled-timestamp` annotation; it keeps
//! `status.active`, `lastScheduleTime` and `lastSuccessfulTime`, and deletes finished Jobs beyond
//! `successfulJobsHistoryLimit` (3) and `failedJobsHistoryLimit` (1), oldest first.
//!
//! - `concurrencyPolicy`: `Allow` runs Jobs side by side, `Forbid` skips a run while one is
//!   active, `Replace` deletes the active Jobs first.
//! - `startingDeadlineSeconds`: a run missed by more than this is skipped.
//! - `suspend: true` creates nothing (runs missed meanwhile count as missed).
//! - `timeZone`: UTC, `Etc/UTC`, `Etc/GMT±N` and a few zones without daylight saving time.
//!
//! The schedule is a timer that runs only as time passes (`run 3m`).

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::cron_schedule::{self, Schedule};
use super::job::is_finished_job;
use super::replicaset::{controlled_by, is_terminating};
use super::Caches;
use crate::apiserver::{handle, rfc3339, Context, Propagation, Request, Verb};
use crate::sim::Time;
use serde_json::{json, Value};

const NAME: &str = "cronjob-controller";
/// Virtual time 0 is 2026-01-01T00:00:00Z.
const EPOCH_UNIX_SECS: u64 = 1_767_225_600;

#[derive(Debug, Default)]
pub struct CronJobController {
    next: Option<Time>,
}

fn to_unix(t: Time) -> u64 {
    EPOCH_UNIX_SECS + t.as_ms() / 1000
}

fn from_unix(s: u64) -> Time {
    Time(s.saturating_sub(EPOCH_UNIX_SECS) * 1000)
}

fn parse_time(s: &str) -> Option<Time> {
    crate::cli::printers::parse_time(s).map(|ms| Time(ms.max(0) as u64))
}

/// The zone's offset from UTC in seconds, for the zones the simulation knows.
fn zone_offset(zone: &str) -> i64 {
    if let Some(n) = zone.strip_prefix("Etc/GMT").and_then(|n| n.parse::<i64>().ok()) {
        // POSIX-style: Etc/GMT+5 is five hours behind UTC.
        return -n * 3600;
    }
    match zone {
        "Asia/Tokyo" | "Asia/Seoul" => 9 * 3600,
        "Asia/Shanghai" | "Asia/Singapore" | "Asia/Hong_Kong" | "Asia/Taipei" => 8 * 3600,
        "Asia/Kolkata" => 5 * 3600 + 1800,
        "Asia/Dubai" => 4 * 3600,
        _ => 0,
    }
}

/// The latest activation in `(after, now]`, if any (`mostRecentScheduleTime`).
fn most_recent(schedule: &Schedule, offset: i64, after: u64, now: u64) -> Option<u64> {
    let shift = |t: u64| (t as i64 + offset).max(0) as u64;
    let unshift = |t: u64| (t as i64 - offset).max(0) as u64;
    let mut t = schedule.next(shift(after)).map(unshift)?;
    if t > now {
        return None;
    }
    // Bounded: at most a day of minute-by-minute activations are walked.
    for _ in 0..1_440 {
        match schedule.next(shift(t)).map(unshift) {
            Some(n) if n <= now => t = n,
            _ => return Some(t),
        }
    }
    Some(t)
}

fn job_ref(job: &Value) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job", "name": name_of(job), "namespace": ns_of(job), "resourceVersion": job["metadata"]["resourceVersion"], "uid": uid_of(job)})
}

fn failed(job: &Value) -> bool {
    super::replicaset::condition_true(job, "Failed")
}

impl CronJobController {
    pub fn next_timer(&self) -> Option<Time> {
        self.next
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        self.next = None;
        let (Some(cj_kind), Some(job_kind)) = (client::kind("batch/v1", "CronJob"), client::kind("batch/v1", "Job")) else { return };
        let user = client::controller(NAME);
        let source = Source { component: NAME, host: "" };
        for cj in caches.cronjobs.values().filter(|c| !is_terminating(c)) {
            let ns = ns_of(cj);
            let jobs: Vec<&Value> = caches.jobs.values().filter(|j| ns_of(j) == ns && controlled_by(j, uid_of(cj))).collect();
            let mut status = if cj["status"].is_object() { cj["status"].clone() } else { json!({}) };
            let mut notes: Vec<(bool, &str, String)> = Vec::new();
            // Jobs that finished since the last look leave `active`.
            let was_active: Vec<String> = status["active"].as_array().into_iter().flatten().filter_map(|r| r["uid"].as_str().map(str::to_string)).collect();
            for job in jobs.iter().filter(|j| is_finished_job(j) && was_active.iter().any(|u| u == uid_of(j))) {
                let cond = if failed(job) { "Failed" } else { "Complete" };
                notes.push((false, "SawCompletedJob", format!("Saw completed job: {}, condition: {cond}", name_of(job))));
            }
            if let Some(t) = jobs.iter().filter(|j| !failed(j)).filter_map(|j| j["status"]["completionTime"].as_str()).max() {
                if status["lastSuccessfulTime"].as_str().is_none_or(|l| l < t) {
                    status["lastSuccessfulTime"] = json!(t);
                }
            }
            let mut active: Vec<&Value> = jobs.iter().copied().filter(|j| !is_finished_job(j) && !is_terminating(j)).collect();
            // The next run.
            let schedule = cron_schedule::parse(cj["spec"]["schedule"].as_str().unwrap_or(""));
            let offset = zone_offset(cj["spec"]["timeZone"].as_str().unwrap_or("UTC"));
            if let Some(schedule) = &schedule {
                let since = status["lastScheduleTime"].as_str().or(cj["metadata"]["creationTimestamp"].as_str()).and_then(parse_time).unwrap_or(ctx.now);
                let now = to_unix(ctx.now);
                let due = most_recent(schedule, offset, to_unix(since), now);
                let too_late = |t: u64| cj["spec"]["startingDeadlineSeconds"].as_i64().is_some_and(|d| now.saturating_sub(t) as i64 > d);
                let policy = cj["spec"]["concurrencyPolicy"].as_str().unwrap_or("Allow");
                match due {
                    Some(t) if cj["spec"]["suspend"] == true || too_late(t) => {}
                    Some(_) if policy == "Forbid" && !active.is_empty() => {}
                    Some(t) => {
                        if policy == "Replace" {
                            for job in active.drain(..) {
                                if delete_job(ctx, job_kind, job) {
                                    notes.push((false, "SuccessfulDelete", format!("Deleted job {}", name_of(job))));
                                }
                            }
                        }
                        let name = format!("{}-{}", name_of(cj), t / 60);
                        let template = &cj["spec"]["jobTemplate"];
                        let mut meta = json!({
                            "name": name, "namespace": ns,
                            "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": rfc3339(from_unix(t))},
                            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": name_of(cj), "uid": uid_of(cj), "controller": true, "blockOwnerDeletion": true}],
                        });
                        if let Some(l) = template["metadata"]["labels"].as_object() {
                            meta["labels"] = json!(l);
                        }
                        if let Some(a) = template["metadata"]["annotations"].as_object() {
                            for (k, v) in a {
                                meta["annotations"][k] = v.clone();
                            }
                        }
                        let body = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": template["spec"]});
                        match client::send(ctx, &user, Verb::Create, job_kind, ns, "", Some(body)).result {
                            Ok(job) => {
                                notes.push((false, "SuccessfulCreate", format!("Created job {name}")));
                                status["lastScheduleTime"] = json!(rfc3339(from_unix(t)));
                                let mut refs: Vec<Value> = active.iter().map(|j| job_ref(j)).collect();
                                refs.push(job_ref(&job));
                                status["active"] = json!(refs);
                            }
                            Err(s) if s.code == 409 => status["lastScheduleTime"] = json!(rfc3339(from_unix(t))),
                            Err(s) => notes.push((true, "FailedCreate", format!("Error creating job: {}", s.message))),
                        }
                    }
                    None => {}
                }
                let last = status["lastScheduleTime"].as_str().and_then(parse_time).unwrap_or(since);
                let after = to_unix(last.max(ctx.now)).max(to_unix(since));
                if let Some(n) = schedule.next((after as i64 + offset).max(0) as u64).map(|n| (n as i64 - offset).max(0) as u64) {
                    let at = from_unix(n);
                    self.next = Some(self.next.map_or(at, |x| x.min(at)));
                }
            }
            if status.get("active").is_none() || status["lastScheduleTime"].is_null() || !notes.iter().any(|n| n.1 == "SuccessfulCreate") {
                let refs: Vec<Value> = active.iter().map(|j| job_ref(j)).collect();
                if refs.is_empty() {
                    if let Some(m) = status.as_object_mut() {
                        m.remove("active");
                    }
                } else {
                    status["active"] = json!(refs);
                }
            }
            // History limits: the oldest finished Jobs beyond the limits go.
            for (want_failed, key, default) in [(false, "successfulJobsHistoryLimit", 3), (true, "failedJobsHistoryLimit", 1)] {
                let limit = cj["spec"][key].as_i64().unwrap_or(default).max(0) as usize;
                let mut done: Vec<&Value> = jobs.iter().copied().filter(|j| is_finished_job(j) && failed(j) == want_failed && !is_terminating(j)).collect();
                done.sort_by_key(|j| (j["status"]["startTime"].as_str().unwrap_or("").to_string(), name_of(j).to_string()));
                let extra = done.len().saturating_sub(limit);
                for job in done.into_iter().take(extra) {
                    if delete_job(ctx, job_kind, job) {
                        notes.push((false, "SuccessfulDelete", format!("Deleted job {}", name_of(job))));
                    }
                }
            }
            if status != cj["status"] {
                let mut new = cj.clone();
                new["status"] = status;
                client::update_status(ctx, &user, cj_kind, &new);
            }
            for (warning, reason, message) in notes {
                client::event(ctx, events, &user, &source, cj, warning, reason, &message);
            }
        }
    }
}

fn delete_job(ctx: &mut Context, job_kind: &'static crate::api::KindInfo, job: &Value) -> bool {
    let mut req = Request::new(Verb::Delete, job_kind, ns_of(job), name_of(job));
    req.user = client::controller(NAME);
    req.delete.propagation = Some(Propagation::Background);
    req.delete.precondition_uid = Some(uid_of(job).to_string());
    handle(ctx, &req).result.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_recent_missed_run_is_the_one_started() {
        let every_minute = cron_schedule::parse("* * * * *").unwrap_or(Schedule::Every(60));
        let t0 = EPOCH_UNIX_SECS;
        assert_eq!(most_recent(&every_minute, 0, t0, t0 + 59), None);
        assert_eq!(most_recent(&every_minute, 0, t0, t0 + 60), Some(t0 + 60));
        assert_eq!(most_recent(&every_minute, 0, t0, t0 + 185), Some(t0 + 180));
        // Minutes since the epoch name the Job.
        assert_eq!((t0 + 60) / 60, 29_453_761);
    }
}
