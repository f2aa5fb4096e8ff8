//! The soak test's invariants, checked after every operation (and, for convergence and garbage
//! collection, once the cluster has settled).
//!
//! What a real cluster promises and the simulation must keep: etcd's revisions only go up and
//! every write the API server reported is in the store; etcd watches deliver each event of
//! their range once, in revision order, or are cancelled because their history was compacted
//! (etcd's robustness tests check the same on a real cluster: `tests/robustness/validate`); no
//! pod changes node once bound and no node holds more requests than it can allocate
//! (kube-scheduler's NodeResourcesFit); Deployments reach their replicas when there is room;
//! dependents do not outlive their owners once the garbage collector has run; and RBAC lets
//! jane do exactly what her Role says. The store is read through `Cluster::store` only.

use super::generator::{Model, CONFIGMAPS, ETCD_KEYS, NS};
use kubeplay::store::RangeRequest;
use kubeplay::trace::{Event, Stage, Verdict, WatchEvent};
use kubeplay::Cluster;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One backend record as the checker saw it appear.
struct Rec {
    main: i64,
    sub: i64,
    key: String,
    tombstone: bool,
}

/// One `etcdctl watch` the test opened, and how far its deliveries have been matched.
struct WatchState {
    number: usize,
    prefix: String,
    /// The first revision it is owed (its `--rev`, or the revision after the one it started at).
    start: i64,
    /// The next shadow record to look at.
    cursor: usize,
    live: bool,
}

/// What the checker has seen so far; fed after every operation.
pub struct Checker {
    shadow: Vec<Rec>,
    last_rev: (i64, i64),
    store_rev: i64,
    last_write: (i64, u64),
    next_trace_seq: u64,
    pod_nodes: BTreeMap<String, String>,
    watches: Vec<WatchState>,
    /// Watch cancellations printed since the last check and not yet attributed to a watch.
    cancels: usize,
    /// jane's requests awaiting their authorization record: id -> (verb, path).
    jane_requests: BTreeMap<u64, (String, String)>,
    pub stats: Stats,
}

/// What the checks covered, for RELIABILITY.md's figures.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub checks: u64,
    pub store_writes: u64,
    pub watch_events: u64,
    pub jane_requests: u64,
    pub converged: u64,
    pub convergence_skipped: u64,
    pub owner_refs: u64,
}

impl Stats {
    pub fn add(&mut self, o: &Stats) {
        self.checks += o.checks;
        self.store_writes += o.store_writes;
        self.watch_events += o.watch_events;
        self.jane_requests += o.jane_requests;
        self.converged += o.converged;
        self.convergence_skipped += o.convergence_skipped;
        self.owner_refs += o.owner_refs;
    }
}

pub const CANCEL_TEXT: &str = "Error: watch is canceled by the server";

fn prefix_range(prefix: &str) -> RangeRequest {
    RangeRequest::prefix(prefix.as_bytes())
}

/// The objects stored under `prefix`, decoded.
pub fn objects(cluster: &Cluster, prefix: &str) -> Vec<Value> {
    cluster.store().range(&prefix_range(prefix)).map(|r| r.kvs.iter().filter_map(|kv| serde_json::from_slice(&kv.value).ok()).collect()).unwrap_or_default()
}

pub fn object(cluster: &Cluster, key: &str) -> Option<Value> {
    let r = cluster.store().range(&RangeRequest::key(key.as_bytes())).ok()?;
    r.kvs.first().and_then(|kv| serde_json::from_slice(&kv.value).ok())
}

fn etcd_value(cluster: &Cluster, key: &str) -> Option<String> {
    let r = cluster.store().range(&RangeRequest::key(key.as_bytes())).ok()?;
    r.kvs.first().map(|kv| String::from_utf8_lossy(&kv.value).into_owned())
}

/// A CPU quantity in millicores (`100m`, `4`, `1.5`).
pub fn cpu_milli(q: &str) -> Option<u64> {
    if let Some(m) = q.strip_suffix('m') {
        return m.parse().ok();
    }
    let f: f64 = q.parse().ok()?;
    Some((f * 1000.0).round() as u64)
}

/// A memory quantity in bytes (`64Mi`, `8Gi`, `1000Ki`, `1G`, `512`).
pub fn bytes(q: &str) -> Option<u64> {
    const UNITS: &[(&str, u64)] = &[("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("k", 1000), ("M", 1_000_000), ("G", 1_000_000_000)];
    for (suffix, factor) in UNITS {
        if let Some(n) = q.strip_suffix(suffix) {
            return n.parse::<u64>().ok().map(|n| n * factor);
        }
    }
    q.parse().ok()
}

/// A pod's requests (cpu millicores, memory bytes): the sum over its containers, or the largest
/// init container's when larger, as kube-scheduler's `computePodResourceRequest`.
pub fn pod_requests(pod: &Value) -> (u64, u64) {
    let sum = |list: &Value, max: bool| {
        let mut acc = (0u64, 0u64);
        for c in list.as_array().into_iter().flatten() {
            let r = &c["resources"]["requests"];
            let cpu = r["cpu"].as_str().and_then(cpu_milli).unwrap_or(0);
            let mem = r["memory"].as_str().and_then(bytes).unwrap_or(0);
            if max {
                acc = (acc.0.max(cpu), acc.1.max(mem));
            } else {
                acc = (acc.0 + cpu, acc.1 + mem);
            }
        }
        acc
    };
    let c = sum(&pod["spec"]["containers"], false);
    let i = sum(&pod["spec"]["initContainers"], true);
    (c.0.max(i.0), c.1.max(i.1))
}

fn terminal(pod: &Value) -> bool {
    matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

/// `(verb, group, resource[/subresource], namespace)` of an API path as RBAC sees it.
pub fn rbac_attributes(method: &str, path: &str) -> Option<(String, String, String, String)> {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group, rest) = match parts.as_slice() {
        ["api", _version, rest @ ..] => ("", rest),
        ["apis", group, _version, rest @ ..] => (*group, rest),
        _ => return None,
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (*ns, rest),
        _ => ("", rest),
    };
    let (resource, name, sub) = match rest {
        [r] => (*r, None, None),
        [r, n] => (*r, Some(*n), None),
        [r, n, s] => (*r, Some(*n), Some(*s)),
        _ => return None,
    };
    let verb = match (method, name.is_some()) {
        ("GET", _) if query.contains("watch=true") => "watch",
        ("GET", true) => "get",
        ("GET", false) => "list",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => return None,
    };
    let resource = match sub {
        Some(s) => format!("{resource}/{s}"),
        None => resource.to_string(),
    };
    Some((verb.to_string(), group.to_string(), resource, namespace.to_string()))
}

/// The resources jane's Role speaks of; requests for others (discovery, self-reviews) are
/// governed by the bootstrap policy and not modelled.
const MODELLED: &[&str] = &["configmaps", "pods", "secrets", "deployments", "deployments/scale", "replicasets"];

impl Checker {
    pub fn new(cluster: &Cluster) -> Self {
        let mut c = Checker {
            shadow: Vec::new(),
            last_rev: (0, -1),
            store_rev: cluster.store().revision(),
            last_write: (0, 0),
            next_trace_seq: 0,
            pod_nodes: BTreeMap::new(),
            watches: Vec::new(),
            cancels: 0,
            jane_requests: BTreeMap::new(),
            stats: Stats::default(),
        };
        c.follow_history(cluster).ok();
        c.next_trace_seq = cluster.trace().records().next_back().map_or(0, |r| r.seq + 1);
        c
    }

    /// How many watches the test has opened: the etcdctl session numbers them from 0.
    pub fn watches_opened(&self) -> usize {
        self.watches.len()
    }

    /// Counts watch cancellations a command printed (the watch is named by none of them; they
    /// are matched to watches by what each is missing).
    pub fn note_output(&mut self, stderr: &str) {
        self.cancels += stderr.matches(CANCEL_TEXT).count();
    }

    /// A watch the test just opened: number `number` of the etcdctl session, from `start`
    /// (the first revision it is owed). `canceled` when its own output ended it.
    pub fn add_watch(&mut self, cluster: &Cluster, number: usize, prefix: &str, start: i64, requested: i64) -> Result<bool, String> {
        let compact = cluster.store().compact_revision();
        let expect_cancel = requested != 0 && requested < compact;
        let canceled = self.cancels > 0;
        if canceled != expect_cancel {
            return Err(format!(
                "etcdctl watch --rev {requested} with compaction at {compact}: {} but etcd {}",
                if canceled { "cancelled" } else { "not cancelled" },
                if expect_cancel { "cancels a watch whose start is compacted" } else { "serves it" }
            ));
        }
        self.cancels = 0;
        let cursor = self.shadow.partition_point(|r| r.main < start);
        self.watches.push(WatchState { number, prefix: prefix.to_string(), start, cursor, live: !canceled });
        Ok(!canceled)
    }

    /// Reads the new backend records: revisions only grow, and a pod keeps its node.
    fn follow_history(&mut self, cluster: &Cluster) -> Result<(), String> {
        let store = cluster.store();
        let current = store.revision();
        if current < self.store_rev {
            return Err(format!("store revision went back from {} to {current}", self.store_rev));
        }
        self.store_rev = current;
        for (rev, rec) in store.history() {
            if (rev.main, rev.sub) <= self.last_rev {
                continue;
            }
            if rev.main > current {
                return Err(format!("record at revision {} past the store's revision {current}", rev.main));
            }
            self.last_rev = (rev.main, rev.sub);
            let key = String::from_utf8_lossy(&rec.kv.key).into_owned();
            if key.starts_with("/registry/pods/") && !rec.tombstone {
                if let Ok(pod) = serde_json::from_slice::<Value>(&rec.kv.value) {
                    let uid = pod["metadata"]["uid"].as_str().unwrap_or("").to_string();
                    if let Some(node) = pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) {
                        match self.pod_nodes.get(&uid) {
                            Some(bound) if bound != node => {
                                return Err(format!("pod {key} (uid {uid}) bound to {bound}, then to {node} at revision {}", rev.main));
                            }
                            Some(_) => {}
                            None => {
                                self.pod_nodes.insert(uid, node.to_string());
                            }
                        }
                    }
                }
            }
            self.shadow.push(Rec { main: rev.main, sub: rev.sub, key, tombstone: rec.tombstone });
        }
        Ok(())
    }

    fn shadow_has(&self, revision: i64, key: &str) -> bool {
        let from = self.shadow.partition_point(|r| r.main < revision);
        self.shadow[from..].iter().take_while(|r| r.main == revision).any(|r| r.key == key)
    }

    /// Everything that must hold after each operation. Returns the watches found cancelled.
    pub fn check_step(&mut self, cluster: &Cluster, model: &Model) -> Result<usize, String> {
        self.stats.checks += 1;
        self.follow_history(cluster)?;
        self.follow_trace(cluster, model)?;
        let canceled = self.check_watches_complete(cluster)?;
        check_acknowledged(cluster, model)?;
        check_room(cluster)?;
        Ok(canceled)
    }

    fn follow_trace(&mut self, cluster: &Cluster, model: &Model) -> Result<(), String> {
        let trace = cluster.trace();
        if trace.records().next().is_some_and(|r| r.seq > self.next_trace_seq) {
            return Err("trace records were dropped before the checker read them (raise max_trace_records)".into());
        }
        let new: Vec<_> = trace.records().rev().take_while(|r| r.seq >= self.next_trace_seq).collect();
        for r in new.into_iter().rev() {
            self.next_trace_seq = r.seq + 1;
            match &r.event {
                Event::StoreWrite { request, key, revision, .. } => {
                    self.stats.store_writes += 1;
                    let (last_rev, last_req) = self.last_write;
                    if *revision < last_rev || (*revision == last_rev && *request != last_req) {
                        return Err(format!("#{}: request {request} wrote {key} at revision {revision}, after revision {last_rev}", r.seq));
                    }
                    self.last_write = (*revision, *request);
                    if !self.shadow_has(*revision, key) {
                        return Err(format!("#{}: the write of {key} at revision {revision} is not in etcd's history", r.seq));
                    }
                }
                Event::Watch { revision, key, event, watchers, .. } => {
                    let Some(n) = watchers.first().and_then(|w| w.strip_prefix("etcdctl watch ")).and_then(|n| n.parse::<usize>().ok()) else { continue };
                    self.stats.watch_events += 1;
                    self.match_delivery(n, *revision, key, *event).map_err(|e| format!("#{}: {e}", r.seq))?;
                }
                Event::Request { id, verb, path, user, .. } if user == "jane" => {
                    self.jane_requests.insert(*id, (verb.clone(), path.clone()));
                }
                Event::Stage { request, stage: Stage::Authorization, verdict, detail } => {
                    let Some((method, path)) = self.jane_requests.remove(request) else { continue };
                    let Some((verb, group, resource, ns)) = rbac_attributes(&method, &path) else { continue };
                    if !MODELLED.contains(&resource.as_str()) {
                        continue;
                    }
                    self.stats.jane_requests += 1;
                    let allowed = matches!(verdict, Verdict::Passed | Verdict::Changed);
                    if allowed != model.jane_may(&verb, &group, &resource, &ns) {
                        return Err(format!(
                            "#{}: RBAC {} jane {verb} {resource} (group {group:?}) in {ns:?}; her rules {:?}, bound: {} ({detail})",
                            r.seq,
                            if allowed { "allowed" } else { "denied" },
                            model.role,
                            model.bound
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn match_delivery(&mut self, n: usize, revision: i64, key: &str, event: WatchEvent) -> Result<(), String> {
        let Some(w) = self.watches.iter_mut().find(|w| w.number == n) else { return Err(format!("a delivery to watch {n}, which the test never opened")) };
        if !w.live {
            return Err(format!("watch {n} received {key} at {revision} after it was cancelled"));
        }
        while let Some(rec) = self.shadow.get(w.cursor) {
            w.cursor += 1;
            if rec.main < w.start || !rec.key.starts_with(&w.prefix) {
                continue;
            }
            let deleted = event == WatchEvent::Deleted;
            if rec.main != revision || rec.key != key || rec.tombstone != deleted {
                return Err(format!(
                    "watch {n} ({} from {}) received {} {key} at revision {revision}; next in its range is {} {} at revision {}.{}",
                    w.prefix,
                    w.start,
                    event.name(),
                    if rec.tombstone { "DELETE" } else { "PUT" },
                    rec.key,
                    rec.main,
                    rec.sub
                ));
            }
            return Ok(());
        }
        Err(format!("watch {n} received {key} at revision {revision}, past everything in its range"))
    }

    /// After the flush every live watch has everything of its range; one that does not must
    /// have been cancelled because what it misses was compacted.
    fn check_watches_complete(&mut self, cluster: &Cluster) -> Result<usize, String> {
        let compact = cluster.store().compact_revision();
        let mut canceled = 0;
        for w in self.watches.iter_mut().filter(|w| w.live) {
            let missing = self.shadow[w.cursor.min(self.shadow.len())..].iter().find(|r| r.main >= w.start && r.key.starts_with(&w.prefix));
            let Some(rec) = missing else {
                w.cursor = self.shadow.len();
                continue;
            };
            if self.cancels > 0 && rec.main < compact {
                self.cancels -= 1;
                w.live = false;
                canceled += 1;
                continue;
            }
            return Err(format!("watch {} ({} from {}) never received {} at revision {} (compacted at {compact})", w.number, w.prefix, w.start, rec.key, rec.main));
        }
        if self.cancels > 0 {
            return Err(format!("{} watch cancellation(s) printed with no watch missing compacted history", self.cancels));
        }
        Ok(canceled)
    }

    /// Once the cluster has settled with room to spare: Deployments at their replicas, deletes
    /// done, no dependent whose owner is gone.
    pub fn check_converged(&mut self, cluster: &Cluster, model: &Model) -> Result<(), String> {
        for (name, d) in &model.deployments {
            if d.terminating {
                return Err(format!("deployment {name} was deleted but is still in etcd after the cluster settled"));
            }
        }
        for (name, c) in &model.configmaps {
            if c.gc_pending {
                return Err(format!("configmap {name}'s owner was deleted but the garbage collector left it"));
            }
        }
        self.check_owners(cluster)?;
        if !room_for_deployments(cluster, model) {
            self.stats.convergence_skipped += 1;
            return Ok(());
        }
        for (name, d) in &model.deployments {
            let key = format!("/registry/deployments/{NS}/{name}");
            let Some(dep) = object(cluster, &key) else { return Err(format!("deployment {name} missing")) };
            let status = &dep["status"];
            let field = |f: &str| status[f].as_u64().unwrap_or(0);
            let generation = dep["metadata"]["generation"].as_u64().unwrap_or(0);
            let observed = status["observedGeneration"].as_u64().unwrap_or(0);
            let pods: Vec<Value> = objects(cluster, &format!("/registry/pods/{NS}/"))
                .into_iter()
                .filter(|p| p["metadata"]["labels"]["app"] == name.as_str() && p["metadata"]["deletionTimestamp"].is_null() && !terminal(p))
                .collect();
            let running = pods.iter().filter(|p| p["status"]["phase"] == "Running" && p["spec"]["containers"][0]["image"] == d.image.as_str()).count() as u64;
            let r = d.replicas;
            if observed < generation || field("replicas") != r || field("updatedReplicas") != r || field("readyReplicas") != r || field("availableReplicas") != r || pods.len() as u64 != r || running != r {
                let described: Vec<String> = pods
                    .iter()
                    .map(|p| {
                        let owner = p["metadata"]["ownerReferences"][0]["name"].as_str().unwrap_or("-");
                        format!("{} (owner {owner}, {}, {})", p["metadata"]["name"].as_str().unwrap_or(""), p["spec"]["containers"][0]["image"].as_str().unwrap_or(""), p["status"]["phase"].as_str().unwrap_or(""))
                    })
                    .collect();
                return Err(format!(
                    "deployment {name} did not converge to {r} replicas of {}: generation {generation} observed {observed}, status {status}, {} live pods ({running} running the image): {described:?}",
                    d.image,
                    pods.len()
                ));
            }
        }
        self.stats.converged += 1;
        Ok(())
    }

    fn check_owners(&mut self, cluster: &Cluster) -> Result<(), String> {
        let all = cluster.store().range(&prefix_range("/registry/")).map_err(|e| e.to_string())?;
        let mut uids = BTreeSet::new();
        let mut owned = Vec::new();
        for kv in &all.kvs {
            let Ok(obj) = serde_json::from_slice::<Value>(&kv.value) else { continue };
            if let Some(uid) = obj["metadata"]["uid"].as_str() {
                uids.insert(uid.to_string());
            }
            if let Some(refs) = obj["metadata"]["ownerReferences"].as_array() {
                for r in refs {
                    owned.push((String::from_utf8_lossy(&kv.key).into_owned(), r["kind"].as_str().unwrap_or("").to_string(), r["name"].as_str().unwrap_or("").to_string(), r["uid"].as_str().unwrap_or("").to_string()));
                }
            }
        }
        for (key, kind, name, uid) in owned {
            self.stats.owner_refs += 1;
            if !uids.contains(&uid) {
                return Err(format!("{key} outlived its owner {kind} {name} (uid {uid}) after the cluster settled"));
            }
        }
        Ok(())
    }
}

/// What the test wrote is what etcd holds: each Deployment's replicas and image, each
/// ConfigMap's value, each etcd key, and nothing the test deleted.
fn check_acknowledged(cluster: &Cluster, model: &Model) -> Result<(), String> {
    let stored: BTreeMap<String, Value> = objects(cluster, &format!("/registry/deployments/{NS}/"))
        .into_iter()
        .filter_map(|d| Some((d["metadata"]["name"].as_str()?.to_string(), d)))
        .collect();
    for (name, d) in &model.deployments {
        match stored.get(name) {
            None if d.terminating => {}
            None => return Err(format!("deployment {name} (acknowledged: {} x {}) is not in etcd", d.replicas, d.image)),
            Some(_) if d.terminating => {}
            Some(obj) => {
                let replicas = obj["spec"]["replicas"].as_u64();
                let image = obj["spec"]["template"]["spec"]["containers"][0]["image"].as_str();
                if replicas != Some(d.replicas) || image != Some(d.image.as_str()) {
                    return Err(format!("deployment {name}: acknowledged {} x {}, etcd holds {replicas:?} x {image:?}", d.replicas, d.image));
                }
            }
        }
    }
    for name in stored.keys() {
        if !model.deployments.contains_key(name) {
            return Err(format!("deployment {name} is in etcd though the test deleted it (or never created it)"));
        }
    }
    let mut names: BTreeSet<String> = CONFIGMAPS.iter().map(|s| s.to_string()).collect();
    names.extend(model.configmaps.keys().cloned());
    for name in names {
        let stored = object(cluster, &format!("/registry/configmaps/{NS}/{name}"));
        let value = stored.as_ref().map(|cm| cm["data"]["v"].as_str().unwrap_or("").to_string());
        match (model.configmaps.get(&name), value) {
            (None, None) => {}
            (None, Some(v)) => return Err(format!("configmap {name} (v={v}) is in etcd though it was deleted")),
            (Some(c), None) if c.gc_pending => {}
            (Some(c), None) => return Err(format!("configmap {name} (acknowledged v={}) is not in etcd", c.value)),
            (Some(c), Some(v)) if v != c.value => return Err(format!("configmap {name}: acknowledged v={}, etcd holds v={v}", c.value)),
            _ => {}
        }
    }
    for k in 0..ETCD_KEYS {
        let key = format!("/soak/k{k}");
        let got = etcd_value(cluster, &key);
        if got.as_ref() != model.etcd.get(&key) {
            return Err(format!("etcd key {key}: acknowledged {:?}, store holds {got:?}", model.etcd.get(&key)));
        }
    }
    Ok(())
}

/// A node's allocatable (millicores, bytes, pods).
fn allocatable(node: &Value) -> (u64, u64, u64) {
    let a = &node["status"]["allocatable"];
    (
        a["cpu"].as_str().and_then(cpu_milli).unwrap_or(0),
        a["memory"].as_str().and_then(bytes).unwrap_or(0),
        a["pods"].as_str().and_then(|p| p.parse().ok()).unwrap_or(0),
    )
}

/// No node holds pods whose requests pass its allocatable (pods still terminating count, as
/// kube-scheduler's cache keeps them until they are gone).
fn check_room(cluster: &Cluster) -> Result<(), String> {
    let mut used: BTreeMap<String, (u64, u64, u64, Vec<String>)> = BTreeMap::new();
    for pod in objects(cluster, "/registry/pods/") {
        let Some(node) = pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) else { continue };
        if terminal(&pod) {
            continue;
        }
        let (cpu, mem) = pod_requests(&pod);
        let u = used.entry(node.to_string()).or_default();
        u.0 += cpu;
        u.1 += mem;
        u.2 += 1;
        u.3.push(pod["metadata"]["name"].as_str().unwrap_or("").to_string());
    }
    for node in objects(cluster, "/registry/minions/") {
        let name = node["metadata"]["name"].as_str().unwrap_or("");
        let Some(u) = used.get(name) else { continue };
        let (cpu, mem, pods) = allocatable(&node);
        if u.0 > cpu || u.1 > mem || u.2 > pods {
            return Err(format!("node {name} holds pods requesting {}m CPU, {} bytes, {} pods; allocatable {cpu}m, {mem}, {pods}: {:?}", u.0, u.1, u.2, u.3));
        }
    }
    Ok(())
}

fn ready_schedulable(node: &Value) -> bool {
    let ready = node["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True");
    let tainted = node["spec"]["taints"].as_array().into_iter().flatten().any(|t| t["effect"] == "NoSchedule" || t["effect"] == "NoExecute");
    ready && !tainted && node["spec"]["unschedulable"] != true
}

/// Whether the Deployments fit with room to spare: every pod that is not theirs, plus each one's
/// replicas and rolling-update surge (25%), plus one largest pod per node for fragmentation,
/// within the Ready nodes' allocatable.
fn room_for_deployments(cluster: &Cluster, model: &Model) -> bool {
    let nodes: Vec<Value> = objects(cluster, "/registry/minions/").into_iter().filter(ready_schedulable).collect();
    let supply = nodes.iter().map(allocatable).fold((0, 0), |a, n| (a.0 + n.0, a.1 + n.1));
    let mut demand = (0u64, 0u64);
    for pod in objects(cluster, "/registry/pods/") {
        let app = pod["metadata"]["labels"]["app"].as_str().unwrap_or("");
        if terminal(&pod) || model.deployments.contains_key(app) {
            continue;
        }
        let (c, m) = pod_requests(&pod);
        demand = (demand.0 + c, demand.1 + m);
    }
    let mut largest = (0, 0);
    for (name, d) in &model.deployments {
        let (_, cpu, mem) = super::generator::DEPLOYMENTS.iter().find(|(n, _, _)| n == name).copied().unwrap_or(("", 100, 64));
        let pods = d.replicas + d.replicas.div_ceil(4);
        demand = (demand.0 + pods * cpu, demand.1 + pods * mem * (1 << 20));
        largest = (largest.0.max(cpu), largest.1.max(mem * (1 << 20)));
    }
    let n = nodes.len() as u64;
    demand.0 + n * largest.0 <= supply.0 && demand.1 + n * largest.1 <= supply.1
}
