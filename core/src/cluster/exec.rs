//! `kubectl exec`: a POST of the `pods/<name>/exec` subresource. kube-apiserver authorizes it
//! (`create` on `pods/exec`), reads the pod and proxies the stream to the kubelet of its node,
//! which runs the command in the container (`controllers/runtime/exec.rs`). For `TYPE/NAME`,
//! kubectl first picks one of the object's pods. A command that exits non-zero is kubectl's
//! `command terminated with exit code N`, and kubectl exits with N.

use crate::apiserver::{handle, Context, Request, Verb};
use crate::cli::kubectl::exec::Exec;
use crate::cli::kubectl::Kubectl;
use crate::cli::Output;
use crate::controllers::ControlPlane;

pub fn run(ctx: &mut Context, cp: Option<&ControlPlane>, k: &Kubectl, e: &Exec, cause: Option<u64>) -> Output {
    let namespace = k.namespace.clone().unwrap_or_else(|| "default".into());
    let user = super::kubectl::user_of(k);
    let pod_name = match e.target.split_once('/') {
        None => e.target.clone(),
        Some((ty, name)) => match super::logs::pod_for(ctx, &user, &namespace, ty, name, cause) {
            Ok((pod, _)) => pod,
            Err(out) => return out,
        },
    };
    let Some(pod_kind) = crate::api::lookup("v1", "Pod") else { return Output::fail("error: internal: no Pod kind\n") };
    let mut req = Request::new(Verb::Create, pod_kind, &namespace, &pod_name);
    req.subresource = "exec".into();
    req.user = user;
    req.cause = cause;
    let pod = match handle(ctx, &req).result {
        Ok(p) => p,
        Err(s) => return Output::fail(format!("Error from server ({}): {}\n", s.reason, s.message)),
    };
    if let Some(phase) = pod["status"]["phase"].as_str().filter(|p| matches!(*p, "Succeeded" | "Failed")) {
        return Output::fail(format!("error: cannot exec into a container in a completed pod; current phase is {phase}\n"));
    }
    let names: Vec<String> = pod["spec"]["containers"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str().map(str::to_string)).collect();
    let mut stderr = String::new();
    let container = match &e.container {
        Some(c) if names.contains(c) => c.clone(),
        Some(c) => return Output::fail(format!("Error from server (BadRequest): container {c} is not valid for pod {pod_name}\n")),
        None => {
            let default = pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str().filter(|d| names.iter().any(|n| n == d));
            let Some(first) = default.map(str::to_string).or_else(|| names.first().cloned()) else {
                return Output::fail(format!("error: pod {pod_name} does not have a container\n"));
            };
            if default.is_none() && names.len() > 1 {
                stderr.push_str(&format!("Defaulted container {first:?} out of: {}\n", names.join(", ")));
            }
            first
        }
    };
    let node = pod["spec"]["nodeName"].as_str().unwrap_or("");
    let ran = cp.and_then(|cp| cp.exec(node, &pod, &container, &e.command, ctx.now));
    let Some(ran) = ran else {
        stderr.push_str(&format!("error: unable to upgrade connection: container not found ({container:?})\n"));
        return Output { stderr, exit_code: 1, ..Default::default() };
    };
    let shell = e.command.len() == 1 && matches!(e.command[0].rsplit('/').next(), Some("sh" | "bash" | "ash" | "dash" | "zsh"));
    if e.interactive && shell {
        stderr.push_str("kubeplay: an interactive shell is not simulated; run one command at a time: kubectl exec POD -- COMMAND\n");
        return Output { stderr, exit_code: 1, ..Default::default() };
    }
    // kubectl's notes come before the command's output on a terminal; an `Output` keeps its two
    // streams apart and a terminal shows stdout first, so the notes lead stdout (as `logs` does).
    let mut stdout = std::mem::take(&mut stderr);
    stdout.push_str(&ran.output);
    if !ran.known {
        stderr.push_str(&format!("kubeplay: {:?} is not simulated in the container: it ran and printed nothing\n", e.command[0]));
    }
    let mut out = Output { stdout, stderr, exit_code: 0, diagnostics: Vec::new() };
    if ran.code != 0 {
        out.stderr.push_str(&format!("command terminated with exit code {}\n", ran.code));
        out.exit_code = ran.code;
    }
    out
}
