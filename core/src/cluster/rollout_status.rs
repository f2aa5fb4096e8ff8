//! `kubectl rollout status`: kubectl's `UntilWithSync` over a LIST and WATCH of the one object
//! (`fieldSelector=metadata.name=NAME`), printing the status viewer's line
//! (`polymorphichelpers/rollout_status.go`) for the listed object and again for every change
//! the watch delivers, until the rollout is done, fails, or `--timeout` passes.
//!
//! The command spans kernel steps: the watch is an etcd watch on the object's key opened at the
//! LIST's revision + 1 (kube-apiserver's watch cache stands behind it on a real cluster), polled
//! after every step. Virtual time runs while it waits, so `rollout status` sees the controllers
//! and kubelets work. Two endings have no real counterpart: when the cluster goes idle with the
//! rollout unfinished (nothing will ever change it, where kubectl would wait until interrupted),
//! the command stops and says so; `--timeout` ends it with kubectl's
//! `timed out waiting for the condition` at the deadline, the clock moved to it.

use super::rollout::{group_kind, revision_of, server_error, Client};
use super::{Cluster, CommandId, Running};
use crate::api::KindInfo;
use crate::apiserver::{handle, Context, Verb};
use crate::cli::kubectl::rollout::{Rollout, RolloutAction};
use crate::cli::kubectl::{resources, Kubectl};
use crate::cli::printers::describe::format_selector;
use crate::cli::Output;
use crate::sim::Time;
use crate::store::{EventType, WatchCreateRequest};
use serde_json::{json, Value};

/// A running `rollout status`.
pub struct StatusWatch {
    client: Client,
    kind: &'static KindInfo,
    namespace: String,
    watch_id: i64,
    /// `--revision`: 0 follows the latest.
    revision: i64,
    /// `--timeout`, as an instant of virtual time.
    deadline: Option<Time>,
    /// The object as last seen, for [`StatusWatch::progress_deadline`].
    last: Value,
}

/// What the status viewer says about one version of the object: the line, and whether done.
type Viewed = Result<(String, bool), String>;

impl StatusWatch {
    /// GET (kubectl's builder), then LIST with the field selector, and the first line. `Err`
    /// is the finished command: done at once, `--watch=false`, or an error.
    pub fn start(ctx: &mut Context, k: &Kubectl, r: &Rollout, cause: Option<u64>) -> Result<StatusWatch, Output> {
        let RolloutAction::Status { watch, revision, timeout_ms } = r.action else { return Err(Output::fail("error: internal: not rollout status\n")) };
        let mut client = Client::new(k, cause);
        let objects = client.fetch(ctx, &r.targets);
        if !client.errors.is_empty() {
            return Err(client.output());
        }
        let [(kind, obj)] = objects.as_slice() else {
            let found = objects.len();
            client.errors.push(format!("rollout status is only supported on individual resources and resource collections - {found} resources were found"));
            return Err(client.output());
        };
        let kind: &'static KindInfo = kind;
        if !matches!(kind.kind, "Deployment" | "DaemonSet" | "StatefulSet") || kind.group != "apps" {
            client.errors.push(format!("no status viewer has been implemented for {}", group_kind(kind)));
            return Err(client.output());
        }
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
        let namespace = obj["metadata"]["namespace"].as_str().unwrap_or("").to_string();
        let mut list = client.request(Verb::List, kind, &namespace, "");
        list.list.field_selector = format!("metadata.name={name}");
        let listed = match handle(ctx, &list).result {
            Ok(l) => l,
            Err(s) => {
                client.errors.push(server_error(&s));
                return Err(client.output());
            }
        };
        let list_revision: i64 = listed["metadata"]["resourceVersion"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
        let key = kind.etcd_key(&namespace, &name);
        let watch_id = ctx.store.watch(WatchCreateRequest { key: key.into_bytes(), start_revision: list_revision + 1, ..WatchCreateRequest::default() });
        let deadline = timeout_ms.map(|ms| ctx.now.after(crate::sim::Duration::from_ms(ms)));
        let mut w = StatusWatch { client, kind, namespace, watch_id, revision, deadline, last: Value::Null };
        let Some(current) = listed["items"].as_array().and_then(|items| items.first()).cloned() else {
            return Err(w.finish(ctx, Some("object has been deleted".into())));
        };
        match w.view(ctx, &current) {
            Ok(true) => Err(w.finish(ctx, None)),
            Ok(false) if !watch => Err(w.finish(ctx, None)),
            Ok(false) => Ok(w),
            Err(e) => Err(w.finish(ctx, Some(e))),
        }
    }

    /// Prints what the status viewer says about `obj`; true when the rollout is done.
    fn view(&mut self, ctx: &mut Context, obj: &Value) -> Result<bool, String> {
        self.last = obj.clone();
        let (line, done) = match self.kind.kind {
            "Deployment" => {
                let viewed = deployment_status(obj, self.revision)?;
                if viewed.1 {
                    viewed
                } else {
                    (self.append_warning(ctx, obj, viewed.0), false)
                }
            }
            "DaemonSet" => daemon_set_status(obj)?,
            _ => stateful_set_status(obj)?,
        };
        self.client.stdout.push_str(&line);
        Ok(done)
    }

    /// `appendWarning`: a pod that cannot be scheduled or whose container waits on a failing
    /// image or crash, named after the waiting line (one LIST of the Deployment's pods).
    fn append_warning(&mut self, ctx: &mut Context, d: &Value, line: String) -> String {
        let Ok(pod_kind) = resources::resolve("pods") else { return line };
        let mut req = self.client.request(Verb::List, pod_kind, &self.namespace, "");
        let selector = format_selector(&d["spec"]["selector"]);
        req.list.label_selector = if selector == "<none>" { String::new() } else { selector };
        let Ok(pods) = handle(ctx, &req).result else { return line };
        for pod in pods["items"].as_array().into_iter().flatten() {
            for c in pod["status"]["conditions"].as_array().into_iter().flatten() {
                if c["type"] == "PodScheduled" && c["status"] == "False" && c["reason"] == "Unschedulable" {
                    return format!("{} (Warning: {})\n", line.trim(), c["message"].as_str().unwrap_or(""));
                }
            }
            for cs in pod["status"]["containerStatuses"].as_array().into_iter().flatten() {
                let waiting = &cs["state"]["waiting"];
                let reason = waiting["reason"].as_str().unwrap_or("");
                if matches!(reason, "ImagePullBackOff" | "ErrImagePull" | "CrashLoopBackOff" | "CreateContainerConfigError" | "CreateContainerError") {
                    return format!("{} (Warning: {reason} - {})\n", line.trim(), waiting["message"].as_str().unwrap_or(""));
                }
            }
        }
        line
    }

    /// When the deployment controller will mark this rollout `ProgressDeadlineExceeded` if it
    /// makes no progress: its Progressing condition's lastUpdateTime + `progressDeadlineSeconds`
    /// (+ the controller's 1 s). A cluster whose only timers are background ones is not idle for
    /// a `rollout status` until then, since that change is still to come.
    fn progress_deadline(&self) -> Option<Time> {
        let d = &self.last;
        if self.kind.kind != "Deployment" || d["spec"]["paused"] == json!(true) {
            return None;
        }
        let seconds = d["spec"]["progressDeadlineSeconds"].as_i64().filter(|s| *s != i64::from(i32::MAX))?;
        let cond = d["status"]["conditions"].as_array()?.iter().find(|c| c["type"] == "Progressing")?;
        if matches!(cond["reason"].as_str(), Some("NewReplicaSetAvailable" | "ProgressDeadlineExceeded" | "DeploymentPaused")) {
            return None;
        }
        let from = crate::cli::printers::parse_time(cond["lastUpdateTime"].as_str()?)?;
        Some(Time((from + seconds * 1000 + 1000).max(0) as u64))
    }

    /// Reads what the watch delivered since the last step. `Some` is the finished command.
    pub(super) fn poll(&mut self, ctx: &mut Context) -> Option<Output> {
        for resp in ctx.store.take_watch_responses(self.watch_id) {
            if resp.canceled {
                return Some(self.finish(ctx, Some("watch closed before UntilWithoutRetry timeout".into())));
            }
            for ev in resp.events {
                if matches!(ev.kind, EventType::Delete) {
                    return Some(self.finish(ctx, Some("object has been deleted".into())));
                }
                let Ok(mut obj) = serde_json::from_slice::<Value>(&ev.kv.value) else { continue };
                obj["metadata"]["resourceVersion"] = json!(ev.kv.mod_revision.to_string());
                match self.view(ctx, &obj) {
                    Ok(true) => return Some(self.finish(ctx, None)),
                    Ok(false) => {}
                    Err(e) => return Some(self.finish(ctx, Some(e))),
                }
            }
        }
        None
    }

    /// Ends the command: the watch is closed, the lines printed so far and the error if any.
    fn finish(&mut self, ctx: &mut Context, error: Option<String>) -> Output {
        ctx.store.cancel_watch(self.watch_id);
        let user = self.client.user.clone();
        let mut c = std::mem::replace(&mut self.client, Client { user, cause: None, namespace: String::new(), stdout: String::new(), errors: Vec::new() });
        c.errors.extend(error);
        c.output()
    }
}

/// `DeploymentStatusViewer.Status` without the warning, which needs the pods.
pub fn deployment_status(d: &Value, revision: i64) -> Viewed {
    let name = d["metadata"]["name"].as_str().unwrap_or("");
    let n = |path: &[&str]| path.iter().fold(d, |v, p| &v[*p]).as_i64().unwrap_or(0);
    if revision > 0 {
        let current = revision_of(d).ok_or_else(|| format!("cannot get the revision of deployment {name:?}: strconv.ParseInt: parsing \"\": invalid syntax"))?;
        if current != revision {
            return Err(format!("desired revision ({revision}) is different from the running revision ({current})"));
        }
    }
    if n(&["metadata", "generation"]) <= n(&["status", "observedGeneration"]) {
        let timed_out = d["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded");
        if timed_out {
            return Err(format!("deployment {name:?} exceeded its progress deadline"));
        }
        let want = d["spec"]["replicas"].as_i64();
        let (updated, replicas, available) = (n(&["status", "updatedReplicas"]), n(&["status", "replicas"]), n(&["status", "availableReplicas"]));
        if let Some(want) = want.filter(|w| updated < *w) {
            return Ok((format!("Waiting for deployment {name:?} rollout to finish: {updated} out of {want} new replicas have been updated...\n"), false));
        }
        if replicas > updated {
            return Ok((format!("Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...\n", replicas - updated), false));
        }
        if available < updated {
            return Ok((format!("Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available...\n"), false));
        }
        return Ok((format!("deployment {name:?} successfully rolled out\n"), true));
    }
    Ok(("Waiting for deployment spec update to be observed...\n".into(), false))
}

/// `DaemonSetStatusViewer.Status`.
pub fn daemon_set_status(ds: &Value) -> Viewed {
    let name = ds["metadata"]["name"].as_str().unwrap_or("");
    let n = |path: &[&str]| path.iter().fold(ds, |v, p| &v[*p]).as_i64().unwrap_or(0);
    if ds["spec"]["updateStrategy"]["type"].as_str().unwrap_or("RollingUpdate") != "RollingUpdate" {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    if n(&["metadata", "generation"]) <= n(&["status", "observedGeneration"]) {
        let (updated, desired, available) = (n(&["status", "updatedNumberScheduled"]), n(&["status", "desiredNumberScheduled"]), n(&["status", "numberAvailable"]));
        if updated < desired {
            return Ok((format!("Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated...\n"), false));
        }
        if available < desired {
            return Ok((format!("Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available...\n"), false));
        }
        return Ok((format!("daemon set {name:?} successfully rolled out\n"), true));
    }
    Ok(("Waiting for daemon set spec update to be observed...\n".into(), false))
}

/// `StatefulSetStatusViewer.Status`.
pub fn stateful_set_status(sts: &Value) -> Viewed {
    let n = |path: &[&str]| path.iter().fold(sts, |v, p| &v[*p]).as_i64();
    let strategy = &sts["spec"]["updateStrategy"];
    if strategy["type"].as_str().unwrap_or("RollingUpdate") != "RollingUpdate" {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let observed = n(&["status", "observedGeneration"]).unwrap_or(0);
    if observed == 0 || n(&["metadata", "generation"]).unwrap_or(0) > observed {
        return Ok(("Waiting for statefulset spec update to be observed...\n".into(), false));
    }
    let replicas = n(&["spec", "replicas"]);
    let ready = n(&["status", "readyReplicas"]).unwrap_or(0);
    if let Some(want) = replicas.filter(|w| ready < *w) {
        return Ok((format!("Waiting for {} pods to be ready...\n", want - ready), false));
    }
    let updated = n(&["status", "updatedReplicas"]).unwrap_or(0);
    if strategy["rollingUpdate"].is_object() {
        if let (Some(want), Some(partition)) = (replicas, strategy["rollingUpdate"]["partition"].as_i64()) {
            if updated < want - partition {
                return Ok((format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n", want - partition), false));
            }
        }
        return Ok((format!("partitioned roll out complete: {updated} new pods have been updated...\n"), true));
    }
    let (update_rev, current_rev) = (sts["status"]["updateRevision"].as_str().unwrap_or(""), sts["status"]["currentRevision"].as_str().unwrap_or(""));
    if update_rev != current_rev {
        return Ok((format!("waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}...\n"), false));
    }
    Ok((format!("statefulset rolling update complete {} pods at revision {current_rev}...\n", n(&["status", "currentReplicas"]).unwrap_or(0)), true))
}

/// What kubeplay prints when the cluster has gone idle under a `rollout status` that is not
/// done: nothing will change any more, where a real kubectl would wait until interrupted.
const IDLE: &str = "kubeplay: the cluster is idle and the rollout is not finished; kubectl would keep watching until interrupted (give --timeout to bound the wait)\n";

impl Cluster {
    /// Whether a `rollout status` is waiting (the cluster is not idle while one waits).
    pub(super) fn rollout_status_running(&self) -> bool {
        self.running.values().any(|r| matches!(r, Running::RolloutStatus(_)))
    }

    /// Starts `kubectl rollout status` as a running command (or finishes it at once).
    pub(super) fn start_rollout_status(&mut self, id: CommandId, k: &Kubectl, r: &Rollout, cause: Option<u64>) {
        match StatusWatch::start(&mut self.api_context(), k, r, cause) {
            Ok(w) => {
                self.running.insert(id, Running::RolloutStatus(Box::new(w)));
            }
            Err(out) => self.finish(id, out),
        }
    }

    /// Before a step: a `--timeout` that comes before the next event ends its command (the
    /// clock moves to the deadline); with nothing queued, the others end as idle. True when a
    /// command ended, which counts as a step.
    pub(super) fn expire_rollout_status(&mut self) -> bool {
        if !self.rollout_status_running() {
            return false;
        }
        let next = self.queue.peek_time();
        // Heartbeats and other timers of a cluster at rest change nothing a rollout waits for.
        let idle_now = next.is_none() || self.only_background_queued();
        let mut due: Option<(Time, CommandId)> = None;
        let mut idle: Option<CommandId> = None;
        for (id, r) in &self.running {
            let Running::RolloutStatus(w) = r else { continue };
            match w.deadline {
                Some(d) if next.is_none_or(|t| d < t) && due.is_none_or(|(best, _)| d < best) => due = Some((d, *id)),
                // Idle, unless the progress deadline is still to be noticed (a little slack for
                // the controller's reaction, so a missed deadline cannot keep time running).
                None if idle_now && idle.is_none() && w.progress_deadline().is_none_or(|t| self.now().as_ms() > t.as_ms() + 5_000) => idle = Some(*id),
                _ => {}
            }
        }
        if let Some((at, id)) = due {
            let Some(Running::RolloutStatus(mut w)) = self.running.remove(&id) else { return false };
            if at > self.now() {
                self.clock.advance_to(at);
                self.store.advance_to(at.as_ms());
            }
            let out = w.finish(&mut self.api_context(), Some("timed out waiting for the condition".into()));
            self.finish(id, out);
            return true;
        }
        if let Some(id) = idle {
            let Some(Running::RolloutStatus(mut w)) = self.running.remove(&id) else { return false };
            let mut out = w.finish(&mut self.api_context(), None);
            out.stderr.push_str(IDLE);
            out.exit_code = 1;
            self.finish(id, out);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(generation: i64, observed: i64, replicas: i64, status: Value) -> Value {
        let mut s = status;
        s["observedGeneration"] = json!(observed);
        json!({"metadata": {"name": "web", "generation": generation}, "spec": {"replicas": replicas}, "status": s})
    }

    #[test]
    fn deployment_status_lines_are_kubectls() {
        let line = |v: Viewed| v.unwrap().0;
        assert_eq!(line(deployment_status(&d(2, 1, 3, json!({})), 0)), "Waiting for deployment spec update to be observed...\n");
        assert_eq!(
            line(deployment_status(&d(2, 2, 3, json!({"updatedReplicas": 1, "replicas": 4})), 0)),
            "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...\n"
        );
        assert_eq!(
            line(deployment_status(&d(2, 2, 3, json!({"updatedReplicas": 3, "replicas": 4, "availableReplicas": 3})), 0)),
            "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...\n"
        );
        assert_eq!(
            line(deployment_status(&d(2, 2, 3, json!({"updatedReplicas": 3, "replicas": 3, "availableReplicas": 1})), 0)),
            "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are available...\n"
        );
        assert_eq!(deployment_status(&d(2, 2, 3, json!({"updatedReplicas": 3, "replicas": 3, "availableReplicas": 3})), 0).unwrap(), ("deployment \"web\" successfully rolled out\n".to_string(), true));
        let stuck = d(2, 2, 3, json!({"conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}));
        assert_eq!(deployment_status(&stuck, 0).unwrap_err(), "deployment \"web\" exceeded its progress deadline");
    }

    #[test]
    fn pinned_revision_must_be_the_running_one() {
        let mut dep = d(1, 1, 1, json!({}));
        dep["metadata"]["annotations"] = json!({super::super::rollout::REVISION: "3"});
        assert_eq!(deployment_status(&dep, 2).unwrap_err(), "desired revision (2) is different from the running revision (3)");
    }
}
