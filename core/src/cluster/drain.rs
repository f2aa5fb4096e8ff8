//! `kubectl drain NODE...` / `kubectl drain -l SELECTOR`: cordon every node, then, one node at a
//! time, evict every pod on it through the eviction subresource (or DELETE them with
//! `--disable-eviction`), retrying those a PodDisruptionBudget protects, and wait until each is
//! gone. `--dry-run=client` sends no writes; `--dry-run=server` sends them as dry runs and does
//! not wait; `--pod-selector` narrows the pods.
//!
//! Mirrors `kubectl/pkg/cmd/drain/drain.go` (`RunDrain`, `deleteOrEvictPodsSimple`) and
//! `kubectl/pkg/drain` (`filters.go` for which pods may go, `drain.go`'s `evictPods` and
//! `waitForDelete`), with their texts. kubectl evicts the pods concurrently, one goroutine each;
//! here they take turns in list order at each instant, so the output is deterministic. The
//! 5-second retry after a `429` and the 1-second polls for deletion happen in virtual time, with
//! the rest of the cluster (kubelets stopping containers, the ReplicaSet controller replacing
//! pods) running in between.
//!
//! `--timeout=0` (the default) means no limit in kubectl; here a drain gives up after
//! [`DEFAULT_BOUND_MS`] of virtual time so a budget that never allows an eviction cannot hold a
//! script forever, with kubectl's `global timeout reached` text.

use super::kubectl::user_of;
use crate::api::{lookup, KindInfo};
use crate::apiserver::{handle, Context, PatchType, Request, Status, User, Verb};
use crate::cli::kubectl::{Command, DryRun, Drain as DrainFlags, Kubectl};
use crate::cli::Output;
use crate::sim::{Duration, Time};
use serde_json::{json, Value};

/// The bound standing in for "no timeout".
pub const DEFAULT_BOUND_MS: u64 = 600_000;
const RETRY_MS: u64 = 5_000;
const POLL_MS: u64 = 1_000;

const DAEMONSET_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL: &str = "Pods with local storage (use --delete-emptydir-data to override)";
const UNMANAGED_FATAL: &str = "cannot delete Pods that declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";

/// `PodDeleteStatus`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Verdict {
    Okay,
    Skip,
    Warning { delete: bool, message: String },
    Error(String),
}

impl Verdict {
    fn delete(&self) -> bool {
        matches!(self, Verdict::Okay | Verdict::Warning { delete: true, .. })
    }
}

#[derive(Clone, Debug)]
enum State {
    Evict { at: Time },
    /// `--disable-eviction`: the DELETE is still to be sent.
    Delete,
    Wait { at: Time, uid: String },
    Done,
}

struct PodWork {
    namespace: String,
    name: String,
    uid: String,
    state: State,
}

/// A running drain: the nodes in order, and the pods of the one being drained.
pub struct Drain {
    flags: DrainFlags,
    nodes: Vec<String>,
    /// The node whose pods are being evicted (an index into `nodes`).
    current: usize,
    user: User,
    cause: Option<u64>,
    pods: Vec<PodWork>,
    /// The current node's errors (`evictPods`' aggregate).
    errors: Vec<String>,
    /// Nodes that could not be drained, and each one's error, for `RunDrain`'s ending.
    remaining: Vec<String>,
    fatal: Vec<String>,
    deadline: Time,
    timeout_text: String,
    out: Output,
}

fn kind(api_version: &str, k: &str) -> Option<&'static KindInfo> {
    lookup(api_version, k)
}

fn server_error(s: &Status) -> String {
    format!("Error from server ({}): {}", s.reason, s.message)
}

/// Go's `time.Duration.String()` for whole milliseconds (`1m0s`, `30s`, `1h0m0s`, `500ms`).
pub fn go_duration(ms: u64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let secs = if frac == 0 { format!("{s}s") } else { format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0')) };
    match (h, m) {
        (0, 0) => secs,
        (0, m) => format!("{m}m{secs}"),
        (h, m) => format!("{h}h{m}m{secs}"),
    }
}

/// `utilerrors.NewAggregate(errs).Error()`: one error as it is, several in brackets.
fn aggregate(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

impl Drain {
    fn request(&self, verb: Verb, kind: &'static KindInfo, ns: &str, name: &str) -> Request {
        let mut req = Request::new(verb, kind, ns, name);
        req.user = self.user.clone();
        req.cause = self.cause;
        req.dry_run = verb.is_write() && self.flags.dry_run == DryRun::Server;
        req
    }

    /// `PrintFlagsWithDryRunStrategy`: the name printer's operation with the dry-run suffix.
    fn print(&mut self, what: &str, operation: &str) {
        let suffix = match self.flags.dry_run {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        };
        self.out.stdout.push_str(&format!("{what} {operation}{suffix}\n"));
    }

    fn node(&self) -> String {
        self.nodes.get(self.current).cloned().unwrap_or_default()
    }

    /// Finds the nodes, cordons them all, and starts on the first. `Err` is a drain that ended
    /// without needing time to pass.
    pub fn start(ctx: &mut Context, k: &Kubectl, cause: Option<u64>) -> Result<Drain, Output> {
        let Command::Drain(flags) = &k.command else { return Err(Output::fail("error: internal: not a drain\n")) };
        let Some(node_kind) = kind("v1", "Node") else { return Err(Output::fail("error: internal: no nodes\n")) };
        let bound = if flags.timeout_ms == 0 { DEFAULT_BOUND_MS } else { flags.timeout_ms };
        let mut d = Drain {
            flags: flags.clone(),
            nodes: Vec::new(),
            current: 0,
            user: user_of(k),
            cause,
            pods: Vec::new(),
            errors: Vec::new(),
            remaining: Vec::new(),
            fatal: Vec::new(),
            deadline: ctx.now,
            timeout_text: go_duration(bound),
            out: Output::default(),
        };
        // `Complete`: the builder reads every node first; a missing one ends the command.
        let mut objects = Vec::new();
        if flags.selector.is_empty() {
            for name in &flags.nodes {
                match handle(ctx, &d.request(Verb::Get, node_kind, "", name)).result {
                    Ok(o) => objects.push(o),
                    Err(s) => return Err(Output::fail(format!("{}\n", server_error(&s)))),
                }
            }
        } else {
            let mut list = d.request(Verb::List, node_kind, "", "");
            list.list.label_selector = flags.selector.clone();
            match handle(ctx, &list).result {
                Ok(l) => objects.extend(l["items"].as_array().cloned().unwrap_or_default()),
                Err(s) => return Err(Output::fail(format!("{}\n", server_error(&s)))),
            }
        }
        d.nodes = objects.iter().map(|o| o["metadata"]["name"].as_str().unwrap_or("").to_string()).collect();
        // `RunCordonOrUncordon(true)` over every node before any is drained.
        for obj in &objects {
            let node = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
            if obj["spec"]["unschedulable"] == true {
                d.print(&format!("node/{node}"), "already cordoned");
                continue;
            }
            if flags.dry_run != DryRun::Client {
                let patch = d.request(Verb::Patch(PatchType::Strategic), node_kind, "", &node).with_body(json!({"spec": {"unschedulable": true}}));
                if let Err(s) = handle(ctx, &patch).result {
                    d.out.stderr.push_str(&format!("error: unable to cordon node {node:?}: {}\n", server_error(&s)));
                    continue;
                }
            }
            d.print(&format!("node/{node}"), "cordoned");
        }
        if d.begin_nodes(ctx) {
            Ok(d)
        } else {
            Err(d.into_output())
        }
    }

    /// `deleteOrEvictPodsSimple` for the current node and the ones after it, up to the first
    /// that has pods to wait for. Returns false when every node is done (the ending printed).
    fn begin_nodes(&mut self, ctx: &mut Context) -> bool {
        while self.current < self.nodes.len() {
            let node = self.node();
            let (to_delete, errors, warnings) = self.pods_for_deletion(ctx, &node);
            if !errors.is_empty() {
                self.node_failed(&aggregate(&errors));
                continue;
            }
            if !warnings.is_empty() {
                self.out.stderr.push_str(&format!("Warning: {warnings}\n"));
            }
            if self.flags.dry_run == DryRun::Client {
                for (ns, name, _) in &to_delete {
                    self.out.stdout.push_str(&format!("evicting pod {ns}/{name} (dry run)\n"));
                }
            }
            let first = if self.flags.disable_eviction { State::Delete } else { State::Evict { at: ctx.now } };
            self.pods = if self.flags.dry_run == DryRun::Client { Vec::new() } else { to_delete.into_iter().map(|(namespace, name, uid)| PodWork { namespace, name, uid, state: first.clone() }).collect() };
            if self.pods.is_empty() {
                self.print(&format!("node/{node}"), "drained");
                self.current += 1;
                continue;
            }
            let bound = if self.flags.timeout_ms == 0 { DEFAULT_BOUND_MS } else { self.flags.timeout_ms };
            self.deadline = ctx.now.after(Duration::from_ms(bound));
            self.errors.clear();
            return true;
        }
        self.finish_all();
        false
    }

    /// `RunDrain`'s line for a node that could not be drained; the command goes on to the next.
    fn node_failed(&mut self, err: &str) {
        let node = self.node();
        self.out.stderr.push_str(&format!("error: unable to drain node {node:?} due to error: {err}, continuing command...\n"));
        self.remaining.push(node);
        self.fatal.push(err.to_string());
        self.current += 1;
    }

    /// The pods on the node with what the filters say of each: those to delete (with their
    /// uids), the grouped errors and the grouped warnings (`PodDeleteList.errors` and
    /// `Warnings`; kubectl groups in a map, here the groups are sorted by message).
    fn pods_for_deletion(&self, ctx: &mut Context, node: &str) -> (Vec<(String, String, String)>, Vec<String>, String) {
        let Some(pod_kind) = kind("v1", "Pod") else { return (Vec::new(), Vec::new(), String::new()) };
        let mut list = self.request(Verb::List, pod_kind, "", "");
        list.list.field_selector = format!("spec.nodeName={node}");
        list.list.label_selector = self.flags.pod_selector.clone();
        let pods = match handle(ctx, &list).result {
            Ok(l) => l["items"].as_array().cloned().unwrap_or_default(),
            Err(s) => return (Vec::new(), vec![server_error(&s)], String::new()),
        };
        let mut to_delete = Vec::new();
        let mut errors: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        let mut warnings: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for pod in &pods {
            let ns = pod["metadata"]["namespace"].as_str().unwrap_or("").to_string();
            let name = pod["metadata"]["name"].as_str().unwrap_or("").to_string();
            let uid = pod["metadata"]["uid"].as_str().unwrap_or("").to_string();
            let verdict = self.filter(ctx, pod);
            let who = format!("{ns}/{name}");
            match &verdict {
                Verdict::Error(m) => errors.entry(m.clone()).or_default().push(who),
                Verdict::Warning { message, .. } => warnings.entry(message.clone()).or_default().push(who),
                _ => {}
            }
            if verdict.delete() {
                to_delete.push((ns, name, uid));
            }
        }
        let errors = errors
            .into_iter()
            .map(|(m, pods)| {
                let prefix = if m.to_ascii_lowercase().starts_with("cannot delete") { String::new() } else { "cannot delete ".into() };
                format!("{prefix}{m}: {}", pods.join(", "))
            })
            .collect();
        let warnings = warnings.into_iter().map(|(m, pods)| format!("{m}: {}", pods.join(", "))).collect::<Vec<_>>().join("; ");
        (to_delete, errors, warnings)
    }

    /// `makeFilters`: skip-deleted, DaemonSet, mirror pod, local storage, unreplicated; the
    /// first filter that keeps a pod decides, otherwise the last one's verdict stands.
    fn filter(&self, ctx: &mut Context, pod: &Value) -> Verdict {
        let finished = matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"));
        let controller = pod["metadata"]["ownerReferences"].as_array().into_iter().flatten().find(|o| o["controller"] == true).cloned();
        // daemonSetFilter
        if let Some(c) = controller.as_ref().filter(|c| c["kind"] == "DaemonSet" && !finished) {
            let ns = pod["metadata"]["namespace"].as_str().unwrap_or("");
            let ds_name = c["name"].as_str().unwrap_or("");
            let found = kind("apps/v1", "DaemonSet").map(|k| handle(ctx, &self.request(Verb::Get, k, ns, ds_name)).result);
            let verdict = match found {
                Some(Err(s)) if s.code == 404 && self.flags.force => Verdict::Warning { delete: true, message: s.message },
                Some(Err(s)) => Verdict::Error(s.message),
                _ if !self.flags.ignore_daemonsets => Verdict::Error(DAEMONSET_FATAL.into()),
                _ => Verdict::Warning { delete: false, message: DAEMONSET_WARNING.into() },
            };
            if !verdict.delete() {
                return verdict;
            }
        }
        // mirrorPodFilter
        if !pod["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_null() {
            return Verdict::Skip;
        }
        // localStorageFilter
        let empty_dir = pod["spec"]["volumes"].as_array().into_iter().flatten().any(|v| !v["emptyDir"].is_null());
        if empty_dir && !finished && !self.flags.delete_emptydir_data {
            return Verdict::Error(LOCAL_STORAGE_FATAL.into());
        }
        // unreplicatedFilter: its verdict is the one kept, so an earlier warning (local
        // storage, an orphaned DaemonSet pod) is dropped, as kubectl's own TODO notes.
        if finished || controller.is_some() {
            return Verdict::Okay;
        }
        if self.flags.force {
            return Verdict::Warning { delete: true, message: UNMANAGED_WARNING.into() };
        }
        Verdict::Error(UNMANAGED_FATAL.into())
    }

    /// Does what is due now; returns when to come back, or `None` once the drain has ended.
    pub fn step(&mut self, ctx: &mut Context) -> Option<Time> {
        let pod_kind = kind("v1", "Pod")?;
        let now = ctx.now;
        // Each of kubectl's goroutines looks at the global deadline only when it wakes: before
        // an eviction attempt and at each 1-second poll.
        let timed_out = now >= self.deadline;
        for i in 0..self.pods.len() {
            let (ns, name) = (self.pods[i].namespace.clone(), self.pods[i].name.clone());
            match self.pods[i].state.clone() {
                State::Done => {}
                State::Delete => {
                    // `deletePods`: a DELETE each, then one wait for all, polled at once.
                    let mut req = self.request(Verb::Delete, pod_kind, &ns, &name);
                    if self.flags.grace_period >= 0 {
                        req.delete.grace_period_seconds = Some(self.flags.grace_period);
                    }
                    self.pods[i].state = match handle(ctx, &req).result {
                        Err(s) if s.code != 404 => {
                            // The first failed DELETE ends `deletePods` with that error.
                            self.errors.push(server_error(&s));
                            for p in &mut self.pods {
                                p.state = State::Done;
                            }
                            break;
                        }
                        _ => State::Wait { at: now, uid: self.pods[i].uid.clone() },
                    };
                }
                State::Evict { at } if at <= now && timed_out => {
                    self.out.stdout.push_str(&format!("evicting pod {ns}/{name}\n"));
                    self.errors.push(format!("error when evicting pods/{name:?} -n {ns:?}: global timeout reached: {}", self.timeout_text));
                    self.pods[i].state = State::Done;
                }
                State::Evict { at } if at <= now => {
                    let server_dry_run = self.flags.dry_run == DryRun::Server;
                    let suffix = if server_dry_run { " (server dry run)" } else { "" };
                    self.out.stdout.push_str(&format!("evicting pod {ns}/{name}{suffix}\n"));
                    let mut body = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": ns}});
                    if self.flags.grace_period >= 0 {
                        body["deleteOptions"] = json!({"gracePeriodSeconds": self.flags.grace_period});
                    }
                    let mut req = self.request(Verb::Create, pod_kind, &ns, &name).with_body(body);
                    req.subresource = "eviction".into();
                    self.pods[i].state = match handle(ctx, &req).result {
                        // A server dry run does not wait for a deletion that did not happen.
                        Ok(_) if server_dry_run => State::Done,
                        Ok(_) => {
                            let uid = handle(ctx, &self.request(Verb::Get, pod_kind, &ns, &name)).result.ok().and_then(|p| p["metadata"]["uid"].as_str().map(str::to_string));
                            match uid {
                                Some(uid) => State::Wait { at: now.after(Duration::from_ms(POLL_MS)), uid },
                                None => {
                                    self.out.stdout.push_str(&format!("pod/{name} evicted\n"));
                                    State::Done
                                }
                            }
                        }
                        Err(s) if s.code == 404 => State::Done,
                        Err(s) if s.code == 429 => {
                            self.out.stderr.push_str(&format!("error when evicting pods/{name:?} -n {ns:?} (will retry after 5s): {}\n", s.message));
                            State::Evict { at: now.after(Duration::from_ms(RETRY_MS)) }
                        }
                        Err(s) => {
                            self.errors.push(format!("error when evicting pods/{name:?} -n {ns:?}: {}", server_error(&s)));
                            State::Done
                        }
                    };
                }
                State::Wait { at, uid } if at <= now => {
                    let got = handle(ctx, &self.request(Verb::Get, pod_kind, &ns, &name)).result;
                    let gone = match &got {
                        Err(s) => s.code == 404,
                        Ok(p) => p["metadata"]["uid"].as_str() != Some(uid.as_str()),
                    };
                    let verb = if self.flags.disable_eviction { "deleted" } else { "evicted" };
                    self.pods[i].state = if gone {
                        self.print(&format!("pod/{name}"), verb);
                        State::Done
                    } else if timed_out && self.flags.disable_eviction {
                        // `wait.PollImmediate` over all the deleted pods gives up once.
                        self.errors.push("timed out waiting for the condition".into());
                        for p in &mut self.pods {
                            p.state = State::Done;
                        }
                        break;
                    } else if timed_out {
                        self.errors.push(format!("error when waiting for pod {name:?} in namespace {ns:?} to terminate: global timeout reached: {}", self.timeout_text));
                        State::Done
                    } else {
                        State::Wait { at: now.after(Duration::from_ms(POLL_MS)), uid }
                    };
                }
                _ => {}
            }
        }
        let next = self
            .pods
            .iter()
            .filter_map(|p| match p.state {
                State::Evict { at } | State::Wait { at, .. } => Some(at),
                State::Delete => Some(now),
                State::Done => None,
            })
            .min();
        if next.is_some() {
            return next;
        }
        self.finish_node(ctx);
        self.current += 1;
        if self.begin_nodes(ctx) {
            Some(now)
        } else {
            None
        }
    }

    /// The end of `deleteOrEvictPodsSimple` for the current node: `drained`, or the pods still
    /// there and the node's failure.
    fn finish_node(&mut self, ctx: &mut Context) {
        let node = self.node();
        if self.errors.is_empty() {
            self.print(&format!("node/{node}"), "drained");
            return;
        }
        let err = aggregate(&self.errors);
        let (pending, _, _) = self.pods_for_deletion(ctx, &node);
        if !pending.is_empty() {
            self.out.stderr.push_str(&format!("There are pending pods in node {node:?} when an error occurred: {err}\n"));
            for (_, name, _) in &pending {
                self.out.stderr.push_str(&format!("pod/{name}\n"));
            }
        }
        // `node_failed` moves on; `step` moves on itself, so step back one first.
        self.node_failed(&err);
        self.current -= 1;
    }

    /// `RunDrain`'s ending: the nodes left, then `CheckErr`'s lines for their errors.
    fn finish_all(&mut self) {
        if self.remaining.is_empty() {
            return;
        }
        self.out.stderr.push_str("There are pending nodes to be drained:\n");
        for node in &self.remaining {
            self.out.stderr.push_str(&format!(" {node}\n"));
        }
        for err in &self.fatal {
            self.out.stderr.push_str(&format!("{err}\n"));
        }
        self.out.exit_code = 1;
    }

    pub fn into_output(self) -> Output {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_does() {
        assert_eq!(go_duration(60_000), "1m0s");
        assert_eq!(go_duration(30_000), "30s");
        assert_eq!(go_duration(3_600_000), "1h0m0s");
        assert_eq!(go_duration(90_500), "1m30.5s");
        assert_eq!(aggregate(&["a".into(), "b".into()]), "[a, b]");
    }
}
