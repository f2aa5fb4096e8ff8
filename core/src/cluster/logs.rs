//! `kubectl logs`: a GET of the `pods/<name>/log` subresource. kube-apiserver authorizes it
//! (`get` on `pods/log`), reads the pod, picks the container (`LogLocation`), and streams from
//! the kubelet of the pod's node (`/containerLogs/<ns>/<pod>/<container>`), whose checks
//! (`validateContainerLogStatus`) give the "is waiting to start" errors. The log lines come from
//! that kubelet's container runtime. For `TYPE/NAME`, kubectl first finds one of the object's
//! pods (`GetFirstPod`, sorted as `podutils.ByLogging`), as `kubectl logs deploy/web` does.

use crate::apiserver::{handle, Context, ListOptions, Request, Status, User, Verb};
use crate::cli::kubectl::logs::Logs;
use crate::cli::kubectl::{resources, Kubectl};
use crate::cli::Output;
use crate::controllers::ControlPlane;
use serde_json::Value;

fn server_error(s: &Status) -> String {
    format!("Error from server ({}): {}\n", s.reason, s.message)
}

fn bad_request(message: String) -> Output {
    Output::fail(format!("Error from server (BadRequest): {message}\n"))
}

pub fn run(ctx: &mut Context, cp: Option<&ControlPlane>, k: &Kubectl, l: &Logs, cause: Option<u64>) -> Output {
    let namespace = k.namespace.clone().unwrap_or_else(|| "default".into());
    let user = super::kubectl::user_of(k);
    let mut stderr = String::new();
    let pod_name = match l.target.split_once('/') {
        None => l.target.clone(),
        Some((ty, name)) => match pod_for(ctx, &user, &namespace, ty, name, cause) {
            Ok((pod, note)) => {
                stderr.push_str(&note);
                pod
            }
            Err(out) => return out,
        },
    };
    let Some(pod_kind) = crate::api::lookup("v1", "Pod") else { return Output::fail("error: internal: no Pod kind\n") };
    let mut req = Request::new(Verb::Get, pod_kind, &namespace, &pod_name);
    req.subresource = "log".into();
    req.user = user;
    req.cause = cause;
    let pod = match handle(ctx, &req).result {
        Ok(p) => p,
        Err(s) => return Output::fail(server_error(&s)),
    };
    let names: Vec<String> = pod["spec"]["containers"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str().map(str::to_string)).collect();
    let init: Vec<String> = pod["spec"]["initContainers"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str().map(str::to_string)).collect();
    let containers: Vec<String> = if l.all_containers {
        init.iter().chain(names.iter()).cloned().collect()
    } else {
        match &l.container {
            Some(c) if names.contains(c) || init.contains(c) => vec![c.clone()],
            Some(c) => return bad_request(format!("container {c} is not valid for pod {pod_name}")),
            None => {
                let default = pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str().filter(|d| names.iter().any(|n| n == d));
                let Some(first) = default.map(str::to_string).or_else(|| names.first().cloned()) else {
                    return bad_request(format!("a container name must be specified for pod {pod_name}"));
                };
                if default.is_none() && (names.len() > 1 || !init.is_empty()) {
                    let all: Vec<String> = init.iter().map(|n| format!("{n} (init)")).chain(names.iter().cloned()).collect();
                    stderr.push_str(&format!("Defaulted container {first:?} out of: {}\n", all.join(", ")));
                }
                vec![first]
            }
        }
    };
    let node = pod["spec"]["nodeName"].as_str().unwrap_or("");
    if node.is_empty() {
        // No node yet: kube-apiserver has no location to stream from and returns nothing.
        return Output { stderr, ..Default::default() };
    }
    // kubectl writes its notes (`Found 3 pods, using pod/...`, `Defaulted container ...`) to
    // stderr before it streams the log; an `Output` keeps its two streams apart and a terminal
    // shows stdout first, so the notes lead stdout to keep the order a terminal shows.
    let mut stdout = std::mem::take(&mut stderr);
    for c in &containers {
        if let Err(e) = check_status(&pod, c, l.previous) {
            stderr.push_str(&format!("Error from server (BadRequest): {e}\n"));
            return Output { stdout, stderr, exit_code: 1, diagnostics: Vec::new() };
        }
        let tail = usize::try_from(l.tail).ok();
        let lines = cp.and_then(|cp| cp.container_log(node, pod["metadata"]["uid"].as_str().unwrap_or(""), c, l.previous, ctx.now, tail)).unwrap_or_default();
        for line in lines {
            if l.prefix {
                stdout.push_str(&format!("[pod/{pod_name}/{c}] "));
            }
            stdout.push_str(&line);
            stdout.push('\n');
        }
    }
    Output { stdout, stderr, exit_code: 0, diagnostics: Vec::new() }
}

/// The kubelet's `validateContainerLogStatus`.
fn check_status(pod: &Value, container: &str, previous: bool) -> Result<(), String> {
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or("");
    let all = pod["status"]["containerStatuses"].as_array().into_iter().flatten().chain(pod["status"]["initContainerStatuses"].as_array().into_iter().flatten());
    let Some(status) = all.into_iter().find(|s| s["name"] == container) else {
        return Err(format!("container {container:?} in pod {pod_name:?} is waiting to start: ContainerCreating"));
    };
    let last = &status["lastState"]["terminated"];
    let has_id = |v: &Value| v["containerID"].as_str().is_some_and(|s| !s.is_empty());
    let state = &status["state"];
    if previous {
        return if last.is_object() && has_id(last) { Ok(()) } else { Err(format!("previous terminated container {container:?} in pod {pod_name:?} not found")) };
    }
    if state["running"].is_object() {
        return Ok(());
    }
    if state["terminated"].is_object() {
        return if has_id(&state["terminated"]) || has_id(last) { Ok(()) } else { Err(format!("container {container:?} in pod {pod_name:?} is terminated")) };
    }
    if last.is_object() {
        return if has_id(last) { Ok(()) } else { Err(format!("container {container:?} in pod {pod_name:?} is terminated")) };
    }
    match state["waiting"]["reason"].as_str() {
        Some("ErrImagePull") => Err(format!("container {container:?} in pod {pod_name:?} is waiting to start: image can't be pulled")),
        Some("ImagePullBackOff") => Err(format!("container {container:?} in pod {pod_name:?} is waiting to start: trying and failing to pull image")),
        Some(reason) => Err(format!("container {container:?} in pod {pod_name:?} is waiting to start: {reason}")),
        None => Err(format!("container {container:?} in pod {pod_name:?} is waiting to start - no logs yet")),
    }
}

/// `polymorphichelpers.logsForObject` for a controller: its first pod by `ByLogging`, and the
/// `Found N pods, using pod/<name>` note when there are several.
pub(super) fn pod_for(ctx: &mut Context, user: &User, namespace: &str, ty: &str, name: &str, cause: Option<u64>) -> Result<(String, String), Output> {
    let kind = resources::resolve(ty).map_err(|e| Output::fail(format!("{e}\n")))?;
    if kind.resource == "pods" {
        return Ok((name.to_string(), String::new()));
    }
    let mut req = Request::new(Verb::Get, kind, namespace, name);
    req.user = user.clone();
    req.cause = cause;
    let obj = handle(ctx, &req).result.map_err(|s| Output::fail(server_error(&s)))?;
    let selector = match kind.resource {
        "services" => obj["spec"]["selector"].clone(),
        "jobs" if obj["spec"]["selector"]["matchLabels"].is_null() => serde_json::json!({"batch.kubernetes.io/job-name": name}),
        _ => obj["spec"]["selector"]["matchLabels"].clone(),
    };
    let Some(labels) = selector.as_object().filter(|m| !m.is_empty()) else {
        return Err(Output::fail(format!("error: cannot get the logs from {}\n", kind.kubectl_name())));
    };
    let text: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect();
    let Some(pod_kind) = crate::api::lookup("v1", "Pod") else { return Err(Output::fail("error: internal\n")) };
    let mut list = Request::new(Verb::List, pod_kind, namespace, "");
    list.user = user.clone();
    list.cause = cause;
    list.list = ListOptions { label_selector: text.join(","), ..Default::default() };
    let reply = handle(ctx, &list).result.map_err(|s| Output::fail(server_error(&s)))?;
    let mut pods: Vec<Value> = reply["items"].as_array().cloned().unwrap_or_default();
    if pods.is_empty() {
        return Err(Output::fail("error: timed out waiting for the condition\n"));
    }
    pods.sort_by_key(by_logging);
    let first = pods[0]["metadata"]["name"].as_str().unwrap_or("").to_string();
    let note = if pods.len() > 1 { format!("Found {} pods, using pod/{first}\n", pods.len()) } else { String::new() };
    Ok((first, note))
}

/// `podutils.ByLogging`: assigned, Running before Unknown before Pending, ready, more restarts,
/// older first.
fn by_logging(p: &Value) -> (bool, u8, bool, std::cmp::Reverse<i64>, String, String) {
    let unassigned = p["spec"]["nodeName"].as_str().is_none_or(str::is_empty);
    let phase = match p["status"]["phase"].as_str() {
        Some("Running") => 0,
        Some("Unknown") => 1,
        _ => 2,
    };
    let ready = p["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True");
    let restarts: i64 = p["status"]["containerStatuses"].as_array().into_iter().flatten().map(|c| c["restartCount"].as_i64().unwrap_or(0)).sum();
    let created = p["metadata"]["creationTimestamp"].as_str().unwrap_or("").to_string();
    (unassigned, phase, !ready, std::cmp::Reverse(restarts), created, p["metadata"]["name"].as_str().unwrap_or("").to_string())
}
