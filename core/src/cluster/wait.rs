//! `kubectl wait`: the objects the resource builder finds, then, one object after another, each
//! `--for` condition in turn, printing `pod/web condition met` as each is met
//! (`RunWaitContext`). A condition is watched as kubectl's `UntilWithSync` does: a LIST of the
//! one object (`fieldSelector=metadata.name=NAME`), then an etcd watch on its key from that
//! revision, read after every kernel step while virtual time runs.
//!
//! One `--timeout` (30 s by default) bounds the whole command: at the deadline the clock moves
//! to it and the command fails with `timed out waiting for the condition on pods/web`.
//! `--timeout=0` checks once (`condition not met for pods/web`). A negative timeout waits a
//! week in kubectl; here, once the cluster is idle with the condition unmet, nothing will ever
//! meet it, so the command stops and says so, as `rollout status` does.
//! `--for=create` waits for named objects to exist first (kubectl polls every 500 ms).

use super::rollout::{server_error, Client};
use super::{Cluster, CommandId, Running};
use crate::api::{decode_manifest, KindInfo, Limits};
use crate::apiserver::{handle, Context, Verb};
use crate::cli::kubectl::resources;
use crate::cli::kubectl::wait::{ForCondition, Wait, WaitTimeout, WEEK_MS};
use crate::cli::kubectl::Kubectl;
use crate::cli::printers::jsonpath::{go_value, JsonPath};
use crate::cli::Output;
use crate::sim::{Duration, Time};
use crate::store::{EventType, WatchCreateRequest};
use serde_json::{json, Value};

/// Waits longer than this stop when the cluster goes idle instead of running to the deadline.
const RUN_TO_DEADLINE_MS: u64 = 10 * 60_000;

/// What kubeplay prints when a wait that would last a week finds the cluster idle.
const IDLE: &str = "kubeplay: the cluster is idle and the condition is not met; kubectl would keep waiting until its --timeout (give a shorter --timeout to see it expire)\n";

/// One object to wait on.
struct Target {
    kind: &'static KindInfo,
    namespace: String,
    name: String,
    /// The uid when found: `--for=delete` is met by a new object of the same name too.
    uid: String,
}

/// A running `kubectl wait`.
pub struct WaitCmd {
    client: Client,
    conditions: Vec<ForCondition>,
    targets: Vec<Target>,
    /// The object and the condition being waited for.
    at: (usize, usize),
    /// The watch on the current object's key, once opened.
    watch_id: Option<i64>,
    /// The current object as last seen; `None` once it is gone.
    current: Option<Value>,
    deadline: Time,
    /// Still waiting for named objects to exist (`--for=create`).
    creating: Option<Vec<(String, Vec<String>)>>,
    selector: String,
    all_namespaces: bool,
    for_delete: bool,
}

enum Step {
    /// The condition is not met yet.
    Waiting,
    /// Met: print, go on.
    Met,
    /// The command fails with this error.
    Failed(String),
}

impl WaitCmd {
    /// Resolves the objects and checks what is already met. `Err` is the finished command.
    pub fn start(ctx: &mut Context, k: &Kubectl, w: &Wait, cause: Option<u64>) -> Result<WaitCmd, Output> {
        let client = Client::new(k, cause);
        let deadline = ctx.now.after(Duration::from_ms(match w.timeout {
            WaitTimeout::CheckOnce => 0,
            WaitTimeout::Ms(ms) => ms,
            WaitTimeout::Week => WEEK_MS,
        }));
        let for_delete = w.conditions.contains(&ForCondition::Delete);
        let mut cmd = WaitCmd {
            client,
            conditions: w.conditions.clone(),
            targets: Vec::new(),
            at: (0, 0),
            watch_id: None,
            current: None,
            deadline,
            creating: None,
            selector: w.selector.clone(),
            all_namespaces: k.all_namespaces,
            for_delete,
        };
        if !w.sources.files.is_empty() {
            cmd.targets_from_files(ctx, w);
        } else if w.conditions.first() == Some(&ForCondition::Create) && w.targets.iter().all(|(_, names)| !names.is_empty()) {
            cmd.creating = Some(w.targets.clone());
            cmd.conditions.retain(|c| *c != ForCondition::Create);
            return match cmd.try_create(ctx, w.timeout == WaitTimeout::CheckOnce) {
                Some(out) => Err(out),
                None => Ok(cmd),
            };
        } else {
            cmd.conditions.retain(|c| *c != ForCondition::Create);
            cmd.find(ctx, &w.targets);
        }
        if !cmd.client.errors.is_empty() {
            return Err(cmd.finish(ctx, None));
        }
        if cmd.targets.is_empty() {
            let error = if for_delete { None } else { Some("no matching resources found".to_string()) };
            return Err(cmd.finish(ctx, error));
        }
        match cmd.advance(ctx, w.timeout == WaitTimeout::CheckOnce) {
            Some(out) => Err(out),
            None => Ok(cmd),
        }
    }

    /// The resource builder: a GET per name, a LIST for a type with `-l` or `--all`. For
    /// `--for=delete` an object not found is no error: it is simply not waited on.
    fn find(&mut self, ctx: &mut Context, targets: &[(String, Vec<String>)]) {
        let namespace = if self.all_namespaces { String::new() } else { self.client.namespace.clone() };
        for (typed, names) in targets {
            let kind = match resources::resolve(typed) {
                Ok(k) => k,
                Err(e) => {
                    self.client.errors.push(e.trim_start_matches("error: ").to_string());
                    continue;
                }
            };
            if names.is_empty() {
                let mut req = self.client.request(Verb::List, kind, &namespace, "");
                req.list.label_selector = self.selector.clone();
                match handle(ctx, &req).result {
                    Ok(list) => {
                        for o in list["items"].as_array().into_iter().flatten() {
                            self.push(kind, o);
                        }
                    }
                    Err(s) => self.client.errors.push(server_error(&s)),
                }
                continue;
            }
            for name in names {
                match handle(ctx, &self.client.request(Verb::Get, kind, &self.client.namespace, name)).result {
                    Ok(o) => self.push(kind, &o),
                    Err(s) if s.code == 404 && self.for_delete => {}
                    Err(s) => self.client.errors.push(server_error(&s)),
                }
            }
        }
    }

    fn push(&mut self, kind: &'static KindInfo, o: &Value) {
        let field = |f: &str| o["metadata"][f].as_str().unwrap_or("").to_string();
        self.targets.push(Target { kind, namespace: field("namespace"), name: field("name"), uid: field("uid") });
    }

    /// `-f`: the objects the files name, each fetched in its own namespace as the builder does.
    fn targets_from_files(&mut self, ctx: &mut Context, w: &Wait) {
        self.conditions.retain(|c| *c != ForCondition::Create);
        for (source, bytes) in &w.sources.files {
            for r in decode_manifest(bytes, source, &Limits::default()) {
                let obj = match r {
                    Ok(obj) => obj,
                    Err(diag) => {
                        self.client.errors.push(diag.message);
                        continue;
                    }
                };
                let ns = obj.namespace.clone().filter(|_| obj.kind.namespaced).unwrap_or_else(|| self.client.namespace.clone());
                match handle(ctx, &self.client.request(Verb::Get, obj.kind, &ns, &obj.name)).result {
                    Ok(o) => self.push(obj.kind, &o),
                    Err(s) if s.code == 404 && self.for_delete => {}
                    Err(s) => self.client.errors.push(server_error(&s)),
                }
            }
        }
    }

    /// `--for=create`: the named objects exist? Then the wait goes on with them.
    fn try_create(&mut self, ctx: &mut Context, once: bool) -> Option<Output> {
        let targets = self.creating.clone()?;
        let all_there = targets.iter().all(|(typed, names)| {
            let Ok(kind) = resources::resolve(typed) else { return true };
            let ns = if kind.namespaced { self.client.namespace.as_str() } else { "" };
            names.iter().all(|n| ctx.store.get_current(kind.etcd_key(ns, n).as_bytes()).is_some())
        });
        if !all_there {
            return once.then(|| self.finish(ctx, Some("timed out waiting for the condition".into())));
        }
        self.creating = None;
        self.find(ctx, &targets);
        if !self.client.errors.is_empty() {
            return Some(self.finish(ctx, None));
        }
        if self.conditions.is_empty() {
            return Some(self.finish(ctx, None));
        }
        self.advance(ctx, once)
    }

    /// Checks conditions in order while they are met, opening the next object's watch as the
    /// wait reaches it. `Some` is the finished command.
    fn advance(&mut self, ctx: &mut Context, once: bool) -> Option<Output> {
        while self.at.0 < self.targets.len() {
            let Some(condition) = self.conditions.get(self.at.1).cloned() else {
                self.at = (self.at.0 + 1, 0);
                self.close_watch(ctx);
                continue;
            };
            if self.watch_id.is_none() {
                if let Err(out) = self.open_watch(ctx) {
                    return Some(out);
                }
            }
            let Some(target) = self.targets.get(self.at.0) else { break };
            match check(&condition, target, self.current.as_ref()) {
                Step::Met => {
                    self.client.stdout.push_str(&format!("{}/{} condition met\n", target.kind.kubectl_name(), target.name));
                    self.at.1 += 1;
                }
                Step::Failed(e) => return Some(self.finish(ctx, Some(e))),
                Step::Waiting if once => {
                    let e = format!("condition not met for {}/{}", target.kind.resource, target.name);
                    return Some(self.finish(ctx, Some(e)));
                }
                Step::Waiting => return None,
            }
        }
        Some(self.finish(ctx, None))
    }

    /// `UntilWithSync`'s LIST of the one object, and a watch on its key from there.
    fn open_watch(&mut self, ctx: &mut Context) -> Result<(), Output> {
        let Some(t) = self.targets.get(self.at.0) else { return Ok(()) };
        let (kind, namespace, name) = (t.kind, t.namespace.clone(), t.name.clone());
        let mut list = self.client.request(Verb::List, kind, &namespace, "");
        list.list.field_selector = format!("metadata.name={name}");
        let listed = match handle(ctx, &list).result {
            Ok(l) => l,
            Err(s) => return Err(self.finish(ctx, Some(server_error(&s)))),
        };
        let revision: i64 = listed["metadata"]["resourceVersion"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
        self.current = listed["items"].as_array().and_then(|items| items.first()).cloned();
        let key = kind.etcd_key(&namespace, &name);
        self.watch_id = Some(ctx.store.watch(WatchCreateRequest { key: key.into_bytes(), start_revision: revision + 1, ..WatchCreateRequest::default() }));
        Ok(())
    }

    fn close_watch(&mut self, ctx: &mut Context) {
        if let Some(id) = self.watch_id.take() {
            ctx.store.cancel_watch(id);
        }
        self.current = None;
    }

    /// Reads what the watch delivered since the last step. `Some` is the finished command.
    fn poll(&mut self, ctx: &mut Context) -> Option<Output> {
        if self.creating.is_some() {
            return self.try_create(ctx, false);
        }
        let id = self.watch_id?;
        let mut changed = false;
        for resp in ctx.store.take_watch_responses(id) {
            for ev in resp.events {
                changed = true;
                self.current = match ev.kind {
                    EventType::Delete => None,
                    EventType::Put => serde_json::from_slice::<Value>(&ev.kv.value).ok().map(|mut o| {
                        o["metadata"]["resourceVersion"] = json!(ev.kv.mod_revision.to_string());
                        o
                    }),
                };
            }
        }
        if changed {
            self.advance(ctx, false)
        } else {
            None
        }
    }

    /// The current object's resource and name, for the timeout error.
    fn current_name(&self) -> String {
        match self.targets.get(self.at.0) {
            Some(t) => format!(" on {}/{}", t.kind.resource, t.name),
            None => String::new(),
        }
    }

    /// Ends the command: the watch closed, the lines printed so far and the error if any.
    fn finish(&mut self, ctx: &mut Context, error: Option<String>) -> Output {
        self.close_watch(ctx);
        let user = self.client.user.clone();
        let mut c = std::mem::replace(&mut self.client, Client { user, cause: None, namespace: String::new(), stdout: String::new(), errors: Vec::new() });
        c.errors.extend(error);
        c.output()
    }
}

/// One condition on the object as last seen (`None`: gone).
fn check(condition: &ForCondition, target: &Target, obj: Option<&Value>) -> Step {
    match (condition, obj) {
        (ForCondition::Delete, None) => Step::Met,
        (ForCondition::Delete, Some(o)) if o["metadata"]["uid"].as_str().is_some_and(|u| u != target.uid) => Step::Met,
        (ForCondition::Delete | ForCondition::Create, Some(_)) => Step::Waiting,
        (ForCondition::Create, None) => Step::Met,
        // The object went away while a condition on it was awaited (`UntilWithSync`'s precondition).
        (_, None) => Step::Failed(format!("Error from server (NotFound): {} {:?} not found", crate::apiserver::qualified_resource(target.kind), target.name)),
        (ForCondition::Condition { name, value }, Some(o)) => {
            if condition_met(o, name, value) {
                Step::Met
            } else {
                Step::Waiting
            }
        }
        (ForCondition::JsonPath { expr, value }, Some(o)) => json_path_met(expr, value.as_deref(), o),
    }
}

/// `ConditionalWait.checkCondition`: the first condition of that type (compared after case
/// folding) decides, unless the status it reports predates the object's generation.
fn condition_met(o: &Value, name: &str, value: &str) -> bool {
    let Some(c) = o["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"].as_str().is_some_and(|t| t.to_lowercase() == name.to_lowercase())) else {
        return false;
    };
    let Some(status) = c["status"].as_str() else { return false };
    if let Some(generation) = o["metadata"]["generation"].as_i64() {
        let observed = c["observedGeneration"].as_i64().or_else(|| o["status"]["observedGeneration"].as_i64());
        if observed.is_some_and(|g| g < generation) {
            return false;
        }
    }
    status.to_lowercase() == value.to_lowercase()
}

/// `JSONPathWait.checkCondition`: one value, not an object or a list, equal to the wanted one
/// (both trimmed); with no wanted value, anything found.
fn json_path_met(expr: &str, want: Option<&str>, o: &Value) -> Step {
    let Ok(path) = JsonPath::parse(expr) else { return Step::Waiting };
    let found = path.find(o);
    let Some(first) = found.first() else { return Step::Waiting };
    if found.len() > 1 {
        return Step::Failed("given jsonpath expression matches more than one value".into());
    }
    let Some(want) = want else { return Step::Met };
    if first.is_object() || first.is_array() {
        return Step::Failed("jsonpath leads to a nested object or list which is not supported".into());
    }
    if go_value(first).trim() == want.trim() {
        Step::Met
    } else {
        Step::Waiting
    }
}

impl Cluster {
    /// Whether a `kubectl wait` is waiting (the cluster is not idle while one waits).
    pub(super) fn wait_running(&self) -> bool {
        self.running.values().any(|r| matches!(r, Running::Wait(_)))
    }

    /// Starts `kubectl wait` as a running command (or finishes it at once).
    pub(super) fn start_wait(&mut self, id: CommandId, k: &Kubectl, w: &Wait, cause: Option<u64>) {
        match WaitCmd::start(&mut self.api_context(), k, w, cause) {
            Ok(cmd) => {
                self.running.insert(id, Running::Wait(Box::new(cmd)));
            }
            Err(out) => self.finish(id, out),
        }
    }

    /// After a step: each command that spans steps by watching (`rollout status`, `wait`) reads
    /// what its watch delivered, and ends when it has what it waited for.
    pub(super) fn poll_watching_commands(&mut self) {
        let ids: Vec<CommandId> = self.running.iter().filter(|(_, r)| matches!(r, Running::RolloutStatus(_) | Running::Wait(_))).map(|(id, _)| *id).collect();
        for id in ids {
            let Some(running) = self.running.remove(&id) else { continue };
            let (done, running) = match running {
                Running::RolloutStatus(mut w) => (w.poll(&mut self.api_context()), Running::RolloutStatus(w)),
                Running::Wait(mut w) => (w.poll(&mut self.api_context()), Running::Wait(w)),
                other => (None, other),
            };
            match done {
                Some(out) => self.finish(id, out),
                None => {
                    self.running.insert(id, running);
                }
            }
        }
    }

    /// Before a step: a deadline that comes before the next event ends its wait (the clock
    /// moves to it); a wait of more than ten minutes ends when the cluster is idle. True when a
    /// command ended, which counts as a step.
    pub(super) fn expire_waits(&mut self) -> bool {
        if !self.wait_running() {
            return false;
        }
        let next = self.queue.peek_time();
        let idle_now = next.is_none() || self.only_background_queued();
        let now = self.now();
        let mut due: Option<(Time, CommandId)> = None;
        let mut idle: Option<CommandId> = None;
        for (id, r) in &self.running {
            let Running::Wait(w) = r else { continue };
            let long = w.deadline.as_ms().saturating_sub(now.as_ms()) > RUN_TO_DEADLINE_MS;
            if long {
                if idle_now && idle.is_none() {
                    idle = Some(*id);
                }
            } else if next.is_none_or(|t| w.deadline < t) && due.is_none_or(|(best, _)| w.deadline < best) {
                due = Some((w.deadline, *id));
            }
        }
        if let Some((at, id)) = due {
            let Some(Running::Wait(mut w)) = self.running.remove(&id) else { return false };
            if at > self.now() {
                self.clock.advance_to(at);
                self.store.advance_to(at.as_ms());
            }
            let error = format!("timed out waiting for the condition{}", w.current_name());
            let out = w.finish(&mut self.api_context(), Some(error));
            self.finish(id, out);
            return true;
        }
        if let Some(id) = idle {
            let Some(Running::Wait(mut w)) = self.running.remove(&id) else { return false };
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

    fn pod(generation: Option<i64>, observed: Option<i64>, ready: &str) -> Value {
        let mut p = json!({"metadata": {"name": "web", "uid": "u1"}, "status": {"conditions": [{"type": "Ready", "status": ready}], "phase": "Running"}});
        if let Some(g) = generation {
            p["metadata"]["generation"] = json!(g);
        }
        if let Some(o) = observed {
            p["status"]["observedGeneration"] = json!(o);
        }
        p
    }

    #[test]
    fn conditions_compare_after_case_folding_and_wait_for_the_generation() {
        assert!(condition_met(&pod(None, None, "True"), "ready", "true"));
        assert!(!condition_met(&pod(None, None, "False"), "Ready", "true"));
        assert!(condition_met(&pod(None, None, "False"), "Ready", "False"));
        assert!(!condition_met(&pod(Some(2), Some(1), "True"), "Ready", "true"), "status from an older generation");
        assert!(condition_met(&pod(Some(2), Some(2), "True"), "Ready", "true"));
        assert!(!condition_met(&pod(None, None, "True"), "Available", "true"));
    }

    #[test]
    fn json_path_waits_compare_one_plain_value() {
        let p = pod(None, None, "True");
        assert!(matches!(json_path_met("{.status.phase}", Some("Running"), &p), Step::Met));
        assert!(matches!(json_path_met("{.status.phase}", Some("Pending"), &p), Step::Waiting));
        assert!(matches!(json_path_met("{.status.podIP}", None, &p), Step::Waiting));
        assert!(matches!(json_path_met("{.status.phase}", None, &p), Step::Met));
        assert!(matches!(json_path_met("{.status.conditions}", Some("x"), &p), Step::Failed(e) if e.contains("nested object or list")));
    }
}
