//! Which manager a write is recorded under: the request's `fieldManager`, or the default
//! kube-apiserver derives from the user agent (`managerOrUserAgent` takes the agent up to its
//! first `/`: `kube-controller-manager/v1.35.0 (linux/amd64) ...` is `kube-controller-manager`).
//!
//! kubectl's commands send `fieldManager` themselves (`AddFieldManagerFlagVar` in each command:
//! `kubectl-create`, `kubectl-label`, ...); the ones without the flag (`scale`, `cordon`,
//! `rollout undo`, ...) fall back to kubectl's user agent, `kubectl`. The simulation's kubectl
//! requests name the command they belong to as their cause, so the command line tells the
//! default here; the components are known by their identities.

use super::super::Request;
use crate::trace::{Event, Trace};

/// `fieldManager` when given, else the user agent's name.
pub fn manager_for(req: &Request, trace: &Trace) -> String {
    if !req.field_manager.is_empty() {
        return req.field_manager.clone();
    }
    if let Some(line) = command_line(trace, req.cause) {
        if let Some(args) = line.strip_prefix("kubectl ") {
            return kubectl_default(args).to_string();
        }
    }
    let user = req.user.name.as_str();
    if user == "system:apiserver" {
        "kube-apiserver"
    } else if user == "system:kube-scheduler" {
        "kube-scheduler"
    } else if user.starts_with("system:node:") {
        "kubelet"
    } else if user == "system:kube-controller-manager" || user.starts_with("system:serviceaccount:kube-system:") {
        "kube-controller-manager"
    } else {
        "kubectl"
    }
    .to_string()
}

/// The command record a request names as its cause (records are numbered consecutively, so
/// the lookup is by position).
fn command_line(trace: &Trace, cause: Option<u64>) -> Option<String> {
    let seq = cause?;
    let index = usize::try_from(seq.checked_sub(trace.dropped())?).ok()?;
    match &trace.records().nth(index)?.event {
        Event::Command { line, .. } => Some(line.clone()),
        _ => None,
    }
}

/// kubectl's default `--field-manager` for a command line (the words after `kubectl`).
pub fn kubectl_default(args: &str) -> &'static str {
    const TAKES_VALUE: &[&str] = &["-n", "--namespace", "--as", "--as-group", "--context", "--kubeconfig", "-s", "--server"];
    let words: Vec<&str> = args.split_whitespace().collect();
    let mut verbs = Vec::new();
    let mut i = 0;
    while i < words.len() && verbs.len() < 2 {
        let w = words[i];
        if TAKES_VALUE.contains(&w) {
            i += 2;
            continue;
        }
        if !w.starts_with('-') {
            verbs.push(w);
        }
        i += 1;
    }
    match verbs.as_slice() {
        ["annotate", ..] => "kubectl-annotate",
        ["apply", ..] => "kubectl-client-side-apply",
        ["autoscale", ..] => "kubectl-autoscale",
        ["create", ..] => "kubectl-create",
        ["edit", ..] => "kubectl-edit",
        ["expose", ..] => "kubectl-expose",
        ["label", ..] => "kubectl-label",
        ["patch", ..] => "kubectl-patch",
        ["replace", ..] => "kubectl-replace",
        ["rollout", "pause" | "restart" | "resume"] => "kubectl-rollout",
        ["run", ..] => "kubectl-run",
        ["set", ..] => "kubectl-set",
        ["taint", ..] => "kubectl-taint",
        _ => "kubectl",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_defaults_per_command() {
        assert_eq!(kubectl_default("-n dev label pod a x=y"), "kubectl-label");
        assert_eq!(kubectl_default("scale deploy/web --replicas=3"), "kubectl");
        assert_eq!(kubectl_default("rollout restart deploy/web"), "kubectl-rollout");
        assert_eq!(kubectl_default("rollout undo deploy/web"), "kubectl");
        assert_eq!(kubectl_default("create deployment web --image=nginx"), "kubectl-create");
        assert_eq!(kubectl_default("set image deploy/web nginx=nginx:1.27"), "kubectl-set");
    }
}
