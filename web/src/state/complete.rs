//! Tab completion for the terminal: the command words, kubectl's verbs, resource types and short
//! names, the names of stored objects of the resource typed, and common flags. Pure, over the
//! etcd keys the page already holds.

use super::KeyRow;

const TOP: &[&str] = &["kubectl", "etcdctl", "run", "wait", "sleep", "trace", "node", "watches"];
const KUBECTL: &[&str] = &[
    "annotate", "api-resources", "api-versions", "apply", "auth", "autoscale", "cluster-info", "config", "cordon", "create", "delete", "diff",
    "describe", "drain", "events", "exec", "explain", "expose", "get", "label", "logs", "patch", "replace", "rollout", "run", "scale", "set",
    "taint", "top", "uncordon", "version", "wait",
];
const ETCDCTL: &[&str] = &["get", "put", "del", "watch", "txn", "compact", "lease", "endpoint", "member", "snapshot", "version"];
const FLAGS: &[&str] = &[
    "--all-namespaces", "--dry-run=server", "--namespace", "--output=wide", "--output=yaml", "--prefix", "--keys-only", "--selector",
    "--show-labels", "--replicas=", "--image=", "--as=", "--watch",
];
/// Resource words kubectl accepts, with the short names learners type.
const RESOURCES: &[&str] = &[
    "pods", "po", "deployments", "deploy", "replicasets", "rs", "services", "svc", "nodes", "no", "namespaces", "ns", "configmaps", "cm",
    "secrets", "serviceaccounts", "sa", "endpoints", "ep", "endpointslices", "events", "ev", "jobs", "cronjobs", "cj", "daemonsets", "ds",
    "statefulsets", "sts", "persistentvolumeclaims", "pvc", "persistentvolumes", "pv", "storageclasses", "sc", "ingresses", "ing",
    "roles", "rolebindings", "clusterroles", "clusterrolebindings", "resourcequotas", "quota", "limitranges", "limits",
    "horizontalpodautoscalers", "hpa", "poddisruptionbudgets", "pdb", "priorityclasses", "pc", "leases", "all",
];
/// Most suggestions offered at once.
const MAX_CANDIDATES: usize = 50;

/// The etcd folder of a resource word (`deploy` → `deployments`), for object names.
fn folder(resource: &str) -> Option<&'static str> {
    Some(match resource.split('/').next().unwrap_or("") {
        "pods" | "pod" | "po" => "pods",
        "deployments" | "deployment" | "deploy" => "deployments",
        "replicasets" | "replicaset" | "rs" => "replicasets",
        "services" | "service" | "svc" => "services/specs",
        "nodes" | "node" | "no" => "minions",
        "namespaces" | "namespace" | "ns" => "namespaces",
        "configmaps" | "configmap" | "cm" => "configmaps",
        "secrets" | "secret" => "secrets",
        "jobs" | "job" => "jobs",
        "cronjobs" | "cronjob" | "cj" => "cronjobs",
        "daemonsets" | "daemonset" | "ds" => "daemonsets",
        "statefulsets" | "statefulset" | "sts" => "statefulsets",
        "serviceaccounts" | "serviceaccount" | "sa" => "serviceaccounts",
        _ => return None,
    })
}

/// Candidates for the last word of `line`.
pub fn candidates(line: &str, keys: &[KeyRow]) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let typing = if line.ends_with(' ') || line.is_empty() { "" } else { words.last().copied().unwrap_or("") };
    let before: Vec<&str> = if typing.is_empty() { words.clone() } else { words[..words.len() - 1].to_vec() };
    let pool: Vec<String> = if typing.starts_with('-') {
        FLAGS.iter().map(|s| s.to_string()).collect()
    } else {
        match before.as_slice() {
            [] => TOP.iter().map(|s| s.to_string()).collect(),
            ["kubectl"] => KUBECTL.iter().map(|s| s.to_string()).collect(),
            ["etcdctl"] => ETCDCTL.iter().map(|s| s.to_string()).collect(),
            ["etcdctl", ..] => {
                let mut folders: Vec<String> = keys.iter().map(|k| k.key.clone()).collect();
                folders.dedup();
                folders
            }
            ["kubectl", "get" | "describe" | "delete" | "edit" | "label" | "annotate" | "explain" | "scale"] => RESOURCES.iter().map(|s| s.to_string()).collect(),
            ["kubectl", "get" | "describe" | "delete" | "label" | "annotate" | "scale" | "logs", resource, ..] | ["kubectl", "rollout", _, resource, ..] => {
                let resource = if before[1] == "logs" { "pods" } else { resource };
                match folder(resource) {
                    Some(f) => {
                        let prefix = format!("/registry/{f}/");
                        let mut names: Vec<String> = keys
                            .iter()
                            .filter_map(|k| k.key.strip_prefix(&prefix))
                            .map(|rest| rest.rsplit('/').next().unwrap_or(rest).to_string())
                            .collect();
                        names.sort();
                        names.dedup();
                        names
                    }
                    None => Vec::new(),
                }
            }
            ["kubectl", "rollout"] => ["status", "history", "undo", "restart", "pause", "resume"].iter().map(|s| s.to_string()).collect(),
            ["kubectl", "create"] => ["deployment", "namespace", "configmap", "secret", "serviceaccount", "role", "rolebinding", "clusterrole", "clusterrolebinding", "job", "cronjob"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ["node"] => ["stop", "start", "add", "remove"].iter().map(|s| s.to_string()).collect(),
            _ => Vec::new(),
        }
    };
    pool.into_iter().filter(|c| c.starts_with(typing) && c != typing).take(MAX_CANDIDATES).collect()
}

/// The line after pressing Tab: the longest common prefix of the candidates, plus a space when
/// only one fits.
pub fn complete(line: &str, keys: &[KeyRow]) -> (String, Vec<String>) {
    let c = candidates(line, keys);
    let typing_len = if line.ends_with(' ') || line.is_empty() { 0 } else { line.split_whitespace().last().map_or(0, str::len) };
    let stem = &line[..line.len() - typing_len];
    match c.as_slice() {
        [] => (line.to_string(), c),
        [one] => (format!("{stem}{one} "), c),
        many => {
            let first = &many[0];
            let common = many.iter().skip(1).fold(first.len(), |n, s| first.bytes().zip(s.bytes()).take(n).take_while(|(a, b)| a == b).count());
            (format!("{stem}{}", &first[..common]), c)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> KeyRow {
        KeyRow { key: k.into(), create_revision: 1, mod_revision: 1, version: 1, lease: 0, value_bytes: 1 }
    }

    #[test]
    fn completes_commands_resources_and_names() {
        assert_eq!(complete("kub", &[]).0, "kubectl ");
        assert_eq!(complete("kubectl ge", &[]).0, "kubectl get ");
        assert_eq!(complete("kubectl get deplo", &[]).0, "kubectl get deploy", "deploy and deployments share it");
        assert_eq!(complete("kubectl get deploym", &[]).0, "kubectl get deployments ");
        let keys = [key("/registry/deployments/shop/web"), key("/registry/deployments/default/worker")];
        assert_eq!(complete("kubectl get deploy w", &keys).1, ["web", "worker"]);
        assert_eq!(complete("kubectl get deploy w", &keys).0, "kubectl get deploy w");
        assert_eq!(complete("kubectl get deploy we", &keys).0, "kubectl get deploy web ");
        assert_eq!(complete("kubectl get pods --all-n", &[]).0, "kubectl get pods --all-namespaces ");
        assert_eq!(complete("etcdctl get /registry/deployments/sh", &keys).0, "etcdctl get /registry/deployments/shop/web ");
        assert_eq!(complete("", &[]).1.len(), TOP.len());
        assert_eq!(complete("zzz", &[]).0, "zzz");
    }
}
