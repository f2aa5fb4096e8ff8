//! The Job controller's pod-failure back-off (`pkg/controller/job/backoff_utils.go`): how long
//! the controller waits before it creates a replacement for a failed pod.
//!
//! kube-controller-manager keeps one `backoffRecord` per Job in memory: the failures counted
//! since the last success (`failuresAfterLastSuccess`) and when the latest of them finished.
//! Each sync folds the pods that finished since the previous one into it (`newBackoffRecord`):
//! a success resets the count, keeping only the failures that finished after it. The delay is
//! `DefaultJobPodFailureBackOff` (10 s) doubled once per further failure and capped at
//! `MaxJobPodFailureBackOff` (10 min, `job_controller.go`; the concepts page still says six
//! minutes, the source is what runs): 10 s, 20 s, 40 s, 80 s, 160 s, 320 s, then 600 s.
//! The delay runs from the last failure's finish time (`getFinishedTime`), not from the sync.

use crate::sim::{Duration, Time};
use serde_json::Value;

/// `DefaultJobPodFailureBackOff`: the delay after one failure.
pub const DEFAULT_JOB_POD_FAILURE_BACKOFF_MS: u64 = 10_000;
/// `MaxJobPodFailureBackOff`: the longest delay, reached at the seventh failure in a row.
pub const MAX_JOB_POD_FAILURE_BACKOFF_MS: u64 = 600_000;

/// `backoffRecord`, the per-Job state the controller keeps between syncs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BackoffRecord {
    pub failures_after_last_success: u32,
    pub last_failure_time: Option<Time>,
}

impl BackoffRecord {
    /// `newBackoffRecord`: the record after the pods that newly succeeded and failed in this
    /// sync (those not yet in `uncountedTerminatedPods`) are folded in.
    pub fn with_new_pods(self, new_succeeded: &[&Value], new_failed: &[&Value]) -> BackoffRecord {
        let mut failed: Vec<Time> = new_failed.iter().map(|p| finished_time(p)).collect();
        failed.sort();
        let Some(last_success) = new_succeeded.iter().map(|p| finished_time(p)).max() else {
            let Some(last) = failed.last() else { return self };
            return BackoffRecord {
                failures_after_last_success: self.failures_after_last_success.saturating_add(failed.len() as u32),
                last_failure_time: Some(*last),
            };
        };
        // A success starts the count again from the failures that finished after it.
        let after: Vec<Time> = failed.into_iter().filter(|t| *t > last_success).collect();
        BackoffRecord { failures_after_last_success: after.len() as u32, last_failure_time: after.last().copied() }
    }

    /// `getRemainingTime` as an instant: when a replacement may be created, or None when no
    /// failure holds it back.
    pub fn replacement_due(&self) -> Option<Time> {
        if self.failures_after_last_success == 0 {
            return None;
        }
        let last = self.last_failure_time?;
        Some(last.after(Duration::from_ms(backoff_duration_ms(self.failures_after_last_success))))
    }
}

/// The delay after `failures` failures in a row (`getRemainingTimeForFailuresCount`): the
/// default doubled for each failure after the first, stopping at the cap.
pub fn backoff_duration_ms(failures: u32) -> u64 {
    if failures == 0 {
        return 0;
    }
    let mut backoff = DEFAULT_JOB_POD_FAILURE_BACKOFF_MS;
    for _ in 1..failures {
        backoff = backoff.saturating_mul(2);
        if backoff >= MAX_JOB_POD_FAILURE_BACKOFF_MS {
            return MAX_JOB_POD_FAILURE_BACKOFF_MS;
        }
    }
    backoff
}

fn parse_time(s: &str) -> Option<Time> {
    crate::cli::printers::parse_time(s).map(|ms| Time(ms.max(0) as u64))
}

/// `getFinishedTime`: when a finished pod finished, looked up in this order: the latest
/// `finishedAt` once every container (and every sidecar) has terminated; the `Ready=False`
/// condition's transition (the kubelet sets it on the way to a terminal phase); the deletion
/// timestamp less the grace period (an orphan deleted by PodGC); the creation time.
pub fn finished_time(pod: &Value) -> Time {
    from_containers(pod)
        .or_else(|| from_ready_false(pod))
        .or_else(|| from_deletion(pod))
        .or_else(|| pod["metadata"]["creationTimestamp"].as_str().and_then(parse_time))
        .unwrap_or_default()
}

/// `getFinishTimeFromContainers`: None while any container has no finish time. Sidecars
/// (init containers with `restartPolicy: Always`) finish after the regular containers, so
/// they count too.
fn from_containers(pod: &Value) -> Option<Time> {
    let regular = latest_finish_time(None, pod["status"]["containerStatuses"].as_array().map_or(&[][..], Vec::as_slice), |_| true);
    let sidecars: Vec<&str> = pod["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["restartPolicy"] == "Always")
        .filter_map(|c| c["name"].as_str())
        .collect();
    let init = pod["status"]["initContainerStatuses"].as_array().map_or(&[][..], Vec::as_slice);
    latest_finish_time(regular, init, |s| s["name"].as_str().is_some_and(|n| sidecars.contains(&n)))
}

/// `latestFinishTime`: the latest `finishedAt` among the statuses `check` keeps, starting from
/// `previous`; None as soon as one of them has not terminated.
fn latest_finish_time(previous: Option<Time>, statuses: &[Value], check: impl Fn(&Value) -> bool) -> Option<Time> {
    let mut finish = previous;
    for status in statuses.iter().filter(|s| check(s)) {
        let t = status["state"]["terminated"]["finishedAt"].as_str().and_then(parse_time)?;
        if finish.is_none_or(|f| f < t) {
            finish = Some(t);
        }
    }
    finish
}

fn from_ready_false(pod: &Value) -> Option<Time> {
    let ready = pod["status"]["conditions"].as_array()?.iter().find(|c| c["type"] == "Ready")?;
    (ready["status"] == "False").then(|| ready["lastTransitionTime"].as_str().and_then(parse_time)).flatten()
}

fn from_deletion(pod: &Value) -> Option<Time> {
    let deleted = pod["metadata"]["deletionTimestamp"].as_str().and_then(parse_time)?;
    let grace_ms = pod["metadata"]["deletionGracePeriodSeconds"].as_i64().unwrap_or(0).max(0) as u64 * 1000;
    Some(Time(deleted.0.saturating_sub(grace_ms)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_delay_doubles_from_ten_seconds_and_stops_at_ten_minutes() {
        let delays: Vec<u64> = (0..=9).map(backoff_duration_ms).collect();
        assert_eq!(delays, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000, 600_000]);
        assert_eq!(backoff_duration_ms(u32::MAX), MAX_JOB_POD_FAILURE_BACKOFF_MS);
    }

    fn failed_at(s: &str) -> Value {
        json!({"status": {"phase": "Failed", "containerStatuses": [{"name": "c", "state": {"terminated": {"exitCode": 1, "finishedAt": s}}}]}})
    }

    fn succeeded_at(s: &str) -> Value {
        json!({"status": {"phase": "Succeeded", "containerStatuses": [{"name": "c", "state": {"terminated": {"exitCode": 0, "finishedAt": s}}}]}})
    }

    #[test]
    fn failures_accumulate_and_a_success_resets_the_count() {
        let (f1, f2, f3) = (failed_at("2026-01-01T00:00:10Z"), failed_at("2026-01-01T00:00:30Z"), failed_at("2026-01-01T00:01:00Z"));
        let r = BackoffRecord::default().with_new_pods(&[], &[&f2, &f1]);
        assert_eq!(r.failures_after_last_success, 2);
        assert_eq!(r.last_failure_time, parse_time("2026-01-01T00:00:30Z"));
        // The second failure in a row: 20 s after the latest.
        assert_eq!(r.replacement_due(), parse_time("2026-01-01T00:00:50Z"));
        let r = r.with_new_pods(&[], &[]);
        assert_eq!(r.failures_after_last_success, 2);
        // A success at 0:45 leaves only the failure after it.
        let s = succeeded_at("2026-01-01T00:00:45Z");
        let r = r.with_new_pods(&[&s], &[&f3]);
        assert_eq!(r, BackoffRecord { failures_after_last_success: 1, last_failure_time: parse_time("2026-01-01T00:01:00Z") });
        let r = r.with_new_pods(&[&s], &[]);
        assert_eq!(r.replacement_due(), None);
    }

    #[test]
    fn the_finish_time_falls_back_to_ready_false_then_deletion_then_creation() {
        let mut pod = json!({
            "metadata": {"creationTimestamp": "2026-01-01T00:00:00Z"},
            "status": {"containerStatuses": [{"name": "c", "state": {"waiting": {"reason": "ContainerCreating"}}}]}
        });
        assert_eq!(Some(finished_time(&pod)), parse_time("2026-01-01T00:00:00Z"));
        pod["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:01:00Z");
        pod["metadata"]["deletionGracePeriodSeconds"] = json!(30);
        assert_eq!(Some(finished_time(&pod)), parse_time("2026-01-01T00:00:30Z"));
        pod["status"]["conditions"] = json!([{"type": "Ready", "status": "False", "lastTransitionTime": "2026-01-01T00:00:20Z"}]);
        assert_eq!(Some(finished_time(&pod)), parse_time("2026-01-01T00:00:20Z"));
        pod["status"]["containerStatuses"] = json!([{"name": "c", "state": {"terminated": {"finishedAt": "2026-01-01T00:00:15Z"}}}]);
        assert_eq!(Some(finished_time(&pod)), parse_time("2026-01-01T00:00:15Z"));
        // A sidecar still running leaves the containers' time unknown.
        pod["spec"]["initContainers"] = json!([{"name": "log", "restartPolicy": "Always"}]);
        pod["status"]["initContainerStatuses"] = json!([{"name": "log", "state": {"running": {}}}]);
        assert_eq!(Some(finished_time(&pod)), parse_time("2026-01-01T00:00:20Z"));
    }
}
