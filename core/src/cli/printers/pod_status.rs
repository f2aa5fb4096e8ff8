//! The pod STATUS column, computed as kubectl's `printPod` computes it.

use serde_json::Value;

/// A pod's READY, STATUS and RESTARTS cells before formatting, as kubectl's `printPod` computes
/// them: while the init containers run, STATUS is the first unfinished one's (`Init:1/2`,
/// `Init:CrashLoopBackOff`) and RESTARTS counts theirs; sidecars (init containers with
/// `restartPolicy: Always`) count in READY once started, and their restarts always count.
pub struct PodRow {
    pub ready: usize,
    pub total: usize,
    pub reason: String,
    pub restarts: i64,
    /// The latest `lastState.terminated.finishedAt` among the counted containers.
    pub last_restart: Option<String>,
}

fn later(a: Option<String>, b: &Value) -> Option<String> {
    match (a, b["lastState"]["terminated"]["finishedAt"].as_str()) {
        (Some(a), Some(b)) if b > a.as_str() => Some(b.to_string()),
        (None, Some(b)) => Some(b.to_string()),
        (a, _) => a,
    }
}

pub fn pod_row(pod: &Value) -> PodRow {
    let status = &pod["status"];
    let mut reason = status["reason"].as_str().or(status["phase"].as_str()).unwrap_or("").to_string();
    // printPod: a pod carrying `PodScheduled` with reason `SchedulingGated` prints that reason.
    if status["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "PodScheduled" && c["reason"] == "SchedulingGated") {
        reason = "SchedulingGated".into();
    }
    let init_specs: Vec<&Value> = pod["spec"]["initContainers"].as_array().into_iter().flatten().collect();
    let restartable = |name: &Value| init_specs.iter().any(|c| c["name"] == *name && c["restartPolicy"] == "Always");
    let total = pod["spec"]["containers"].as_array().map_or(0, Vec::len) + init_specs.iter().filter(|c| c["restartPolicy"] == "Always").count();
    let mut ready = 0;
    let (mut restarts, mut sidecar_restarts) = (0i64, 0i64);
    let (mut last, mut sidecar_last) = (None, None);
    let mut initializing = false;
    for (i, c) in status["initContainerStatuses"].as_array().into_iter().flatten().enumerate() {
        let state = &c["state"];
        restarts += c["restartCount"].as_i64().unwrap_or(0);
        last = later(last, c);
        let sidecar = restartable(&c["name"]);
        if sidecar {
            sidecar_restarts += c["restartCount"].as_i64().unwrap_or(0);
            sidecar_last = later(sidecar_last, c);
        }
        if sidecar && c["started"] == true {
            ready += usize::from(c["ready"] == true);
            continue;
        }
        if let Some(t) = state.get("terminated").filter(|t| !t.is_null()) {
            if t["exitCode"].as_i64() == Some(0) {
                continue;
            }
            reason = match (t["reason"].as_str(), t["signal"].as_i64()) {
                (Some(r), _) if !r.is_empty() => format!("Init:{r}"),
                (_, Some(sig)) if sig != 0 => format!("Init:Signal:{sig}"),
                _ => format!("Init:ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0)),
            };
        } else if let Some(r) = state["waiting"]["reason"].as_str().filter(|r| !r.is_empty() && *r != "PodInitializing") {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }
    let initialized = status["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Initialized" && c["status"] == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last = sidecar_last;
        let mut has_running = false;
        for c in status["containerStatuses"].as_array().into_iter().flatten().rev() {
            let state = &c["state"];
            restarts += c["restartCount"].as_i64().unwrap_or(0);
            last = later(last, c);
            if let Some(r) = state["waiting"]["reason"].as_str().filter(|r| !r.is_empty()) {
                reason = r.to_string();
            } else if let Some(t) = state.get("terminated").filter(|t| !t.is_null()) {
                reason = match (t["reason"].as_str(), t["signal"].as_i64()) {
                    (Some(r), _) if !r.is_empty() => r.to_string(),
                    (_, Some(sig)) if sig != 0 => format!("Signal:{sig}"),
                    _ => format!("ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0)),
                };
            } else if c["ready"].as_bool() == Some(true) && state.get("running").is_some_and(|r| !r.is_null()) {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let ready = status["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True");
            reason = if ready { "Running".into() } else { "NotReady".into() };
        }
    }
    if !pod["metadata"]["deletionTimestamp"].is_null() {
        reason = if status["reason"].as_str() == Some("NodeLost") { "Unknown".into() } else { "Terminating".into() };
    }
    PodRow { ready, total, reason, restarts, last_restart: last }
}

/// The STATUS text of a pod (`Running`, `ContainerCreating`, `CrashLoopBackOff`, `Init:0/1`,
/// `Completed`, `Terminating`, ...).
pub fn pod_status(pod: &Value) -> String {
    pod_row(pod).reason
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_texts() {
        assert_eq!(pod_status(&json!({"status": {"phase": "Pending"}})), "Pending");
        let waiting = json!({"status": {"phase": "Pending", "containerStatuses": [{"state": {"waiting": {"reason": "ContainerCreating"}}}]}});
        assert_eq!(pod_status(&waiting), "ContainerCreating");
        let crash = json!({"status": {"phase": "Running", "containerStatuses": [{"state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        assert_eq!(pod_status(&crash), "CrashLoopBackOff");
        let init = json!({"spec": {"initContainers": [{}]}, "status": {"phase": "Pending", "initContainerStatuses": [{"state": {"running": {}}}]}});
        assert_eq!(pod_status(&init), "Init:0/1");
        let done = json!({"status": {"phase": "Succeeded", "containerStatuses": [{"state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}});
        assert_eq!(pod_status(&done), "Completed");
        let deleting = json!({"metadata": {"deletionTimestamp": "x"}, "status": {"phase": "Running"}});
        assert_eq!(pod_status(&deleting), "Terminating");
        let gated = json!({"status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}});
        assert_eq!(pod_status(&gated), "SchedulingGated");
    }

    #[test]
    fn init_containers_and_sidecars_as_print_pod_counts_them() {
        let spec = json!({"initContainers": [{"name": "log", "restartPolicy": "Always"}, {"name": "migrate"}], "containers": [{"name": "app"}]});
        let started = json!({"name": "log", "started": true, "ready": true, "restartCount": 1, "state": {"running": {}}, "lastState": {"terminated": {"finishedAt": "2026-01-01T00:00:05Z"}}});
        let failing = json!({"name": "migrate", "restartCount": 2, "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "lastState": {"terminated": {"finishedAt": "2026-01-01T00:00:09Z"}}});
        let pod = json!({"spec": spec, "status": {"phase": "Pending", "initContainerStatuses": [started, failing], "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}]}});
        let row = pod_row(&pod);
        assert_eq!((row.reason.as_str(), row.ready, row.total, row.restarts), ("Init:CrashLoopBackOff", 1, 2, 3));
        assert_eq!(row.last_restart.as_deref(), Some("2026-01-01T00:00:09Z"));
        let done = json!({"name": "migrate", "restartCount": 2, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}});
        let running = json!({"name": "app", "ready": true, "restartCount": 0, "state": {"running": {}}});
        let pod = json!({"spec": spec, "status": {"phase": "Running", "conditions": [{"type": "Initialized", "status": "True"}], "initContainerStatuses": [started, done], "containerStatuses": [running]}});
        let row = pod_row(&pod);
        assert_eq!((row.reason.as_str(), row.ready, row.total, row.restarts), ("Running", 2, 2, 1));
        let pod = json!({"spec": {"initContainers": [{"name": "a"}, {"name": "b"}]}, "status": {"phase": "Pending", "initContainerStatuses": [
            {"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}, {"name": "b", "state": {"waiting": {"reason": "PodInitializing"}}}]}});
        assert_eq!(pod_status(&pod), "Init:1/2");
    }
}
