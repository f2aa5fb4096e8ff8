//! Every corpus manifest that creates workloads, applied to a fresh default cluster (one
//! control-plane node, three workers of 4 CPU, 8Gi and 110 pods, kind's `standard` StorageClass)
//! and left to run for five minutes of virtual time; then the state of what it created, compared
//! with `corpus-state-expected.tsv`: the state a real kubeadm cluster reaches with the same nodes.
//!
//! The table was written by reading each manifest and asking what a real cluster does with it
//! (images that exist are pulled and run, a typo or a private image gives `ErrImagePull` then
//! `ImagePullBackOff`, a command that exits 0 gives `Completed`, a claim for a class that does not
//! exist stays `Pending` and so does its pod, requests no node can hold or labels no node has
//! leave pods `Pending`), never by copying this code's output. Where the simulation still differs
//! from a real cluster and the fix is out of reach, the row keeps the real cluster's state and its
//! last column starts with `known difference:` and gives our state and why; such rows are
//! compared against our state instead and listed at the end of the run.
//!
//! One row per file: the path, the state, and why. The state is `; `-separated items, sorted:
//! - `pod/NAME STATUS READY`: kubectl's STATUS and READY columns. A pod with a generated name is
//!   named by its top owner and `-*` (`nginx-deployment-*`, not the template hash and suffix);
//!   identical items are folded into one with `xN`.
//! - `deploy/NAME`, `rs/NAME`, `sts/NAME`, `ds/NAME`: ready/desired as kubectl's READY column.
//! - `job/NAME Complete|Failed|Running`; jobs of a CronJob are named `CRONJOB-*`.
//! - `pvc/NAME Bound|Pending|Lost`.
//!
//! Objects outside the `default` namespace carry it: `pod/NAMESPACE/NAME`. `CORPUS_STATE_ACTUAL=
//! <file>` writes this code's table, to help reading the disagreements.

use kubeplay::cli::printers::pod_status;
use kubeplay::store::RangeRequest;
use kubeplay::{Cluster, Config};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod common;
use common::{corpus_root, manifests, Corpus};

/// The etcd prefixes of the kinds whose state the table records.
const WORKLOADS: [&str; 8] = [
    "/registry/pods/",
    "/registry/deployments/",
    "/registry/replicasets/",
    "/registry/statefulsets/",
    "/registry/daemonsets/",
    "/registry/jobs/",
    "/registry/persistentvolumeclaims/",
    "/registry/controllers/",
];

/// Every workload object in the store, by key.
fn workloads(cluster: &Cluster) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for prefix in WORKLOADS {
        let Ok(resp) = cluster.store().range(&RangeRequest::prefix(prefix.as_bytes())) else { continue };
        for kv in resp.kvs {
            if let Ok(v) = serde_json::from_slice::<Value>(&kv.value) {
                out.insert(String::from_utf8_lossy(&kv.key).into_owned(), v);
            }
        }
    }
    out
}

fn controller_of(obj: &Value) -> Option<(String, String)> {
    obj["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"].as_bool() == Some(true))
        .map(|r| (r["kind"].as_str().unwrap_or("").to_string(), r["name"].as_str().unwrap_or("").to_string()))
}

/// `NAMESPACE/NAME`, or `NAME` in `default`.
fn qualified(obj: &Value, name: &str) -> String {
    match obj["metadata"]["namespace"].as_str() {
        Some(ns) if ns != "default" => format!("{ns}/{name}"),
        _ => name.to_string(),
    }
}

/// A pod's name as the table writes it: generated names by their top owner.
fn pod_name(pod: &Value, all: &BTreeMap<String, Value>) -> String {
    let name = pod["metadata"]["name"].as_str().unwrap_or("");
    if pod["metadata"]["generateName"].as_str().is_none_or(str::is_empty) {
        return name.to_string();
    }
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or("");
    let mut top = match controller_of(pod) {
        Some((_, owner)) => owner,
        None => return format!("{}*", pod["metadata"]["generateName"].as_str().unwrap_or("")),
    };
    // A ReplicaSet of a Deployment, a Job of a CronJob: the name the learner wrote.
    let mut kind = controller_of(pod).map(|(k, _)| k).unwrap_or_default();
    for _ in 0..2 {
        let resource = match kind.as_str() {
            "ReplicaSet" => "replicasets",
            "Job" => "jobs",
            _ => break,
        };
        let Some(owner) = all.get(&format!("/registry/{resource}/{ns}/{top}")) else { break };
        match controller_of(owner) {
            Some((k, n)) if k == "Deployment" || k == "CronJob" => {
                top = n;
                kind = k;
            }
            _ => break,
        }
    }
    format!("{top}-*")
}

fn ratio(ready: &Value, desired: &Value) -> String {
    format!("{}/{}", ready.as_i64().unwrap_or(0), desired.as_i64().unwrap_or(0))
}

fn condition_true(obj: &Value, kind: &str) -> bool {
    obj["status"]["conditions"]
        .as_array()
        .is_some_and(|cs| cs.iter().any(|c| c["type"].as_str() == Some(kind) && c["status"].as_str() == Some("True")))
}

/// The compact state of one object, or None for kinds the table leaves out.
fn item(key: &str, obj: &Value, all: &BTreeMap<String, Value>) -> Option<String> {
    let name = obj["metadata"]["name"].as_str().unwrap_or("");
    let resource = key.trim_start_matches("/registry/").split('/').next().unwrap_or("");
    let spec = &obj["spec"];
    let status = &obj["status"];
    Some(match resource {
        "pods" => {
            // kubectl's READY counts sidecars (init containers with restartPolicy Always) too.
            let sidecars: Vec<&str> = spec["initContainers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["restartPolicy"] == "Always")
                .filter_map(|c| c["name"].as_str())
                .collect();
            let total = spec["containers"].as_array().map_or(0, Vec::len) + sidecars.len();
            let is_ready = |c: &&Value| c["ready"].as_bool() == Some(true);
            let ready = status["containerStatuses"].as_array().map_or(0, |cs| cs.iter().filter(is_ready).count())
                + status["initContainerStatuses"].as_array().map_or(0, |cs| {
                    cs.iter().filter(|c| c["name"].as_str().is_some_and(|n| sidecars.contains(&n)) && c["started"] == true).filter(is_ready).count()
                });
            format!("pod/{} {} {ready}/{total}", qualified(obj, &pod_name(obj, all)), pod_status(obj))
        }
        "deployments" => format!("deploy/{} {}", qualified(obj, name), ratio(&status["readyReplicas"], &spec["replicas"])),
        "replicasets" => {
            // A Deployment's ReplicaSets are its business; the table shows the Deployment.
            if controller_of(obj).is_some() {
                return None;
            }
            format!("rs/{} {}", qualified(obj, name), ratio(&status["readyReplicas"], &spec["replicas"]))
        }
        "statefulsets" => format!("sts/{} {}", qualified(obj, name), ratio(&status["readyReplicas"], &spec["replicas"])),
        "daemonsets" => format!("ds/{} {}", qualified(obj, name), ratio(&status["numberReady"], &status["desiredNumberScheduled"])),
        "controllers" => format!("rc/{} {}", qualified(obj, name), ratio(&status["readyReplicas"], &spec["replicas"])),
        "jobs" => {
            let state = if condition_true(obj, "Complete") {
                "Complete"
            } else if condition_true(obj, "Failed") {
                "Failed"
            } else {
                "Running"
            };
            let shown = match controller_of(obj) {
                Some((k, n)) if k == "CronJob" => format!("{n}-*"),
                _ => name.to_string(),
            };
            format!("job/{} {state}", qualified(obj, &shown))
        }
        "persistentvolumeclaims" => format!("pvc/{} {}", qualified(obj, name), status["phase"].as_str().unwrap_or("Pending")),
        _ => return None,
    })
}

/// The state of what one file created, `; `-separated, or None when it created no workload.
fn state_after(root: &Path, rel: &str) -> Option<String> {
    let mut cluster = Cluster::new(Config::default());
    let before: BTreeSet<String> = workloads(&cluster).into_keys().collect();
    let files = Corpus(root.to_path_buf());
    cluster.execute(&format!("kubectl apply -f '{rel}'"), &files);
    let after = workloads(&cluster);
    if after.keys().all(|k| before.contains(k)) {
        return None;
    }
    cluster.execute("run 5m", &files);
    let all = workloads(&cluster);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (key, obj) in &all {
        if before.contains(key) {
            continue;
        }
        if let Some(item) = item(key, obj, &all) {
            *counts.entry(item).or_default() += 1;
        }
    }
    let items: Vec<String> = counts.into_iter().map(|(item, n)| if n > 1 { format!("{item} x{n}") } else { item }).collect();
    Some(if items.is_empty() { "-".to_string() } else { items.join("; ") })
}

struct Row {
    state: String,
    /// For a known difference: what this code reaches instead.
    ours: Option<String>,
}

fn expected_table() -> BTreeMap<String, Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus-state-expected.tsv");
    let text = std::fs::read_to_string(&path).expect("read corpus-state-expected.tsv");
    let mut table = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() == 3 || cols.len() == 4, "corpus-state-expected.tsv line {}: {} columns, want 3 or 4", n + 1, cols.len());
        assert!(!cols[2].trim().is_empty(), "line {}: every row says why", n + 1);
        let ours = if cols[2].starts_with("known difference:") {
            Some(cols.get(3).map(|s| s.to_string()).unwrap_or_else(|| panic!("line {}: a known difference gives our state in a 4th column", n + 1)))
        } else {
            None
        };
        let row = Row { state: cols[1].to_string(), ours };
        assert!(table.insert(cols[0].to_string(), row).is_none(), "line {}: {} twice", n + 1, cols[0]);
    }
    table
}

#[test]
fn corpus_workloads_reach_the_state_a_real_cluster_reaches() {
    let root = corpus_root();
    if !root.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "the corpus is missing at {}", root.display());
        eprintln!("warning: no corpus at {}; skipping", root.display());
        return;
    }
    let mut files = Vec::new();
    manifests(&root, &mut files);
    let expected = expected_table();
    let mut problems = Vec::new();
    let mut known = 0;
    let mut actual_rows = String::new();
    let mut seen = BTreeSet::new();
    let rels: Vec<String> = files.iter().map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string()).collect();
    // Each file gets its own cluster, so the files split over the machine's cores (CI has two);
    // the results are put back in file order.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    let mut states: Vec<Option<String>> = vec![None; rels.len()];
    std::thread::scope(|scope| {
        let (root, rels) = (&root, &rels);
        let handles: Vec<_> = (0..workers)
            .map(|w| scope.spawn(move || (w..rels.len()).step_by(workers).map(|i| (i, state_after(root, &rels[i]))).collect::<Vec<_>>()))
            .collect();
        for h in handles {
            for (i, state) in h.join().expect("a corpus worker panicked") {
                states[i] = state;
            }
        }
    });
    for (rel, actual) in rels.into_iter().zip(states) {
        if let Some(state) = &actual {
            actual_rows.push_str(&format!("{rel}\t{state}\t-\n"));
        }
        match (expected.get(&rel), actual) {
            (None, None) => {}
            (None, Some(state)) => problems.push(format!("{rel}: no row in corpus-state-expected.tsv; ours: {state}")),
            (Some(_), None) => problems.push(format!("{rel}: row in corpus-state-expected.tsv but the file creates no workload")),
            (Some(want), Some(got)) => {
                let target = want.ours.as_ref().unwrap_or(&want.state);
                if want.ours.is_some() {
                    known += 1;
                }
                if *target != got {
                    problems.push(format!("{rel}:\n  want {target}\n  got  {got}"));
                }
            }
        }
        seen.insert(rel);
    }
    for rel in expected.keys() {
        if !seen.contains(rel) {
            problems.push(format!("{rel}: row for a file the corpus does not have"));
        }
    }
    if let Some(out) = std::env::var_os("CORPUS_STATE_ACTUAL") {
        std::fs::write(out, &actual_rows).expect("write CORPUS_STATE_ACTUAL");
    }
    eprintln!("{} rows, {known} known differences", expected.len());
    assert!(problems.is_empty(), "{} files disagree with corpus-state-expected.tsv:\n{}", problems.len(), problems.join("\n"));
}
