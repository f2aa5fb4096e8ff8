//! The soak test's operations and its model of what the cluster acknowledged.
//!
//! A seeded generator picks one operation at a time from what the model says exists (scale a
//! Deployment that is there, undo one that has history, stop a node that runs), in the command
//! language a learner types: `kubectl` (as the admin or, with `--as jane`, as a user with only
//! the Role the test wrote), `etcdctl`, and kubeplay's builtins (`node stop|start|add|remove`,
//! `run 5m`, `wait`). The model is what a client may rely on after a command succeeded: the
//! values it wrote (client-side apply's three-way patch is taken against the live object, so the
//! manifest's fields win over what `scale` or `set image` wrote since), the rollout history a
//! `rollout undo` goes back to, the RBAC rules jane holds. etcd's robustness tests keep the same
//! kind of model of acknowledged requests (`tests/robustness/model`).

use kubeplay::sim::Rng;
use std::collections::{BTreeMap, BTreeSet};

pub const NS: &str = "soak";
pub const IMAGES: &[&str] = &["nginx:1.25", "nginx:1.26", "nginx:1.27", "httpd:2.4"];
/// Each Deployment's name with its container's requests (millicores, MiB), fixed per name so the
/// pod template changes only with the image.
pub const DEPLOYMENTS: &[(&str, u64, u64)] = &[("web", 100, 64), ("api", 250, 128), ("worker", 50, 32)];
pub const MAX_REPLICAS: u64 = 5;
pub const CONFIGMAPS: &[&str] = &["cm-a", "cm-b", "cm-c", "cm-d"];
pub const ETCD_KEYS: u64 = 4;
/// What the test's etcd watches cover: the objects it writes, and the kubelets' heartbeats.
pub const WATCH_PREFIXES: &[&str] = &[
    "/registry/configmaps/soak/",
    "/registry/deployments/soak/",
    "/registry/replicasets/soak/",
    "/registry/pods/soak/",
    "/soak/",
    "/registry/leases/",
];
const MAX_LIVE_WATCHES: usize = 4;
/// Whether the deployment controller adopts orphaned ReplicaSets (kube's `ClaimReplicaSets`);
/// until it does, the generator does not re-create a Deployment over its orphans.
const ADOPTS_ORPHANS: bool = true;
const MAX_WORKERS: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cascade {
    Background,
    Foreground,
    Orphan,
}

impl Cascade {
    pub fn flag(self) -> &'static str {
        match self {
            Cascade::Background => "background",
            Cascade::Foreground => "foreground",
            Cascade::Orphan => "orphan",
        }
    }
}

/// One rule of jane's Role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub api_groups: Vec<&'static str>,
    pub resources: Vec<&'static str>,
    pub verbs: Vec<&'static str>,
}

impl Rule {
    fn allows(&self, verb: &str, group: &str, resource: &str) -> bool {
        let any = |list: &[&str], x: &str| list.iter().any(|v| *v == "*" || *v == x);
        any(&self.verbs, verb) && any(&self.api_groups, group) && any(&self.resources, resource)
    }
}

/// A request jane makes with `--as jane`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JaneRequest {
    List { resource: &'static str, namespace: &'static str },
    GetConfigMap(String),
    CreateConfigMap { name: String, value: u64 },
    DeleteConfigMap(String),
    PatchConfigMap { name: String, value: u64 },
    Scale { name: &'static str, replicas: u64 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    ApplyDeployment { name: &'static str, replicas: u64, image: &'static str },
    Scale { name: &'static str, replicas: u64 },
    SetImage { name: &'static str, image: &'static str },
    Undo { name: &'static str },
    DeleteDeployment { name: &'static str, cascade: Cascade },
    /// `owner`: the Deployment a new ConfigMap names in its ownerReferences.
    ApplyConfigMap { name: &'static str, value: u64, owner: Option<&'static str> },
    DeleteConfigMap { name: String },
    EtcdPut { key: u64, value: u64 },
    EtcdDel { key: u64 },
    NodeStop(String),
    NodeStart(String),
    NodeRemove(String),
    NodeAdd(String),
    SetQuota { pods: u64, cpu_m: Option<u64> },
    DeleteQuota,
    SetRole(Vec<Rule>),
    DeleteRole,
    Bind,
    Unbind,
    AsJane(JaneRequest),
    CanI { verb: &'static str, resource: &'static str },
    /// Compact at `percent` of the way from the last compaction to the current revision.
    Compact { percent: u64 },
    /// An etcd watch from `back` revisions ago (0: from now); far enough back it is compacted.
    Watch { prefix: &'static str, back: i64 },
    Run { seconds: u64 },
    /// Start every stopped kubelet, add machines up to three, lift the quota, `wait`, then check
    /// that Deployments converge and that garbage collection is done.
    Converge,
}

/// A Deployment the test wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentModel {
    pub replicas: u64,
    pub image: String,
    /// The templates' images in rollout-revision order (last is current); `None` when the
    /// Deployment adopted ReplicaSets orphaned by an earlier one of the same name.
    pub history: Option<Vec<String>>,
    /// Deleted (accepted); the store may still hold it until finalizers and GC are done.
    pub terminating: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigMapModel {
    pub value: String,
    /// The owning Deployment's name and uid.
    pub owner: Option<(String, String)>,
    /// Its owner was deleted with background or foreground propagation: the garbage collector
    /// is to delete it.
    pub gc_pending: bool,
}

/// What the cluster acknowledged, as a client knows it.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub deployments: BTreeMap<String, DeploymentModel>,
    pub configmaps: BTreeMap<String, ConfigMapModel>,
    pub etcd: BTreeMap<String, String>,
    /// Worker machines by name: true while the kubelet runs.
    pub workers: BTreeMap<String, bool>,
    pub next_node: u64,
    pub next_jane_configmap: u64,
    pub quota: bool,
    pub role: Option<Vec<Rule>>,
    pub bound: bool,
    /// Deployment names deleted with `--cascade=orphan`: their ReplicaSets live on, and a new
    /// Deployment of the name adopts them.
    pub orphaned: BTreeSet<String>,
    pub live_watches: usize,
}

impl Model {
    /// RBAC as the test wrote it: jane's Role, bound in `soak` only.
    pub fn jane_may(&self, verb: &str, group: &str, resource: &str, namespace: &str) -> bool {
        namespace == NS && self.bound && self.role.as_ref().is_some_and(|rules| rules.iter().any(|r| r.allows(verb, group, resource)))
    }

    fn live_deployment(&self, name: &str) -> bool {
        self.deployments.get(name).is_some_and(|d| !d.terminating)
    }
}

fn pick<T: Clone>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.below(items.len() as u64) as usize].clone()
}

fn subset(rng: &mut Rng, items: &[&'static str]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = items.iter().copied().filter(|_| rng.below(2) == 0).collect();
    if out.is_empty() {
        out.push(pick(rng, items));
    }
    out
}

fn rules(rng: &mut Rng) -> Vec<Rule> {
    const VERBS: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete"];
    (0..1 + rng.below(3))
        .map(|_| {
            let (api_groups, resources) = match rng.below(5) {
                0 | 1 => (vec![""], subset(rng, &["configmaps", "pods", "secrets"])),
                2 | 3 => (vec!["apps"], subset(rng, &["deployments", "deployments/scale", "replicasets"])),
                _ => (vec!["*"], vec!["*"]),
            };
            let verbs = if rng.below(6) == 0 { vec!["*"] } else { subset(rng, VERBS) };
            Rule { api_groups, resources, verbs }
        })
        .collect()
}

fn configmap_names(model: &Model) -> Vec<String> {
    let mut names: Vec<String> = CONFIGMAPS.iter().map(|s| s.to_string()).collect();
    let more: Vec<String> = model.configmaps.keys().filter(|n| !names.contains(n)).cloned().collect();
    names.extend(more);
    names
}

/// The next operation for this model.
pub fn next_op(rng: &mut Rng, model: &Model) -> Op {
    loop {
        if let Some(op) = try_op(rng, model) {
            return op;
        }
    }
}

fn try_op(rng: &mut Rng, model: &Model) -> Option<Op> {
    let (name, _, _) = pick(rng, DEPLOYMENTS);
    let stopped: Vec<&String> = model.workers.iter().filter(|(_, up)| !**up).map(|(n, _)| n).collect();
    let running: Vec<&String> = model.workers.iter().filter(|(_, up)| **up).map(|(n, _)| n).collect();
    let op = match rng.below(100) {
        0..=11 => {
            // Creating or changing is only for a Deployment not on its way out.
            if model.deployments.get(name).is_some_and(|d| d.terminating) {
                return None;
            }
            // A new Deployment over ReplicaSets orphaned by an earlier one of its name does not
            // adopt them yet (RELIABILITY.md; `orphaned_replicasets_are_adopted`).
            if !ADOPTS_ORPHANS && model.orphaned.contains(name) && !model.deployments.contains_key(name) {
                return None;
            }
            Op::ApplyDeployment { name, replicas: rng.below(MAX_REPLICAS + 1), image: pick(rng, IMAGES) }
        }
        12..=17 if model.live_deployment(name) => Op::Scale { name, replicas: rng.below(MAX_REPLICAS + 1) },
        18..=22 if model.live_deployment(name) => Op::SetImage { name, image: pick(rng, IMAGES) },
        23..=25 if model.live_deployment(name) => Op::Undo { name },
        26..=30 if model.live_deployment(name) => {
            Op::DeleteDeployment { name, cascade: pick(rng, &[Cascade::Background, Cascade::Foreground, Cascade::Orphan]) }
        }
        31..=36 => {
            let cm = pick(rng, CONFIGMAPS);
            if model.configmaps.get(cm).is_some_and(|c| c.gc_pending) {
                return None;
            }
            let owner = (!model.configmaps.contains_key(cm) && model.live_deployment(name) && rng.below(2) == 0).then_some(name);
            Op::ApplyConfigMap { name: cm, value: rng.below(1000), owner }
        }
        37..=38 => Op::DeleteConfigMap { name: pick(rng, &configmap_names(model)) },
        39..=41 => Op::EtcdPut { key: rng.below(ETCD_KEYS), value: rng.below(1000) },
        42 => Op::EtcdDel { key: rng.below(ETCD_KEYS) },
        43..=45 if running.len() > 1 => Op::NodeStop(pick(rng, &running).clone()),
        46..=48 if !stopped.is_empty() => Op::NodeStart(pick(rng, &stopped).clone()),
        49 if model.workers.len() > 1 => Op::NodeRemove(pick(rng, &model.workers.keys().collect::<Vec<_>>()).clone()),
        50..=51 if model.workers.len() < MAX_WORKERS => Op::NodeAdd(format!("soak-{}", model.next_node)),
        52..=53 => Op::SetQuota { pods: 1 + rng.below(8), cpu_m: (rng.below(2) == 0).then(|| 200 + 100 * rng.below(10)) },
        54 if model.quota => Op::DeleteQuota,
        55..=57 => Op::SetRole(rules(rng)),
        58 if model.role.is_some() => Op::DeleteRole,
        59 if !model.bound => Op::Bind,
        60 if model.bound => Op::Unbind,
        61..=72 => Op::AsJane(jane_request(rng, model)),
        73..=76 => {
            let resource = pick(rng, &["configmaps", "pods", "secrets", "deployments", "replicasets"]);
            Op::CanI { verb: pick(rng, &["get", "list", "watch", "create", "update", "patch", "delete"]), resource }
        }
        77..=79 => Op::Compact { percent: rng.below(101) },
        80..=83 if model.live_watches < MAX_LIVE_WATCHES => {
            let back = if rng.below(4) == 0 { 0 } else { 1 + rng.below(400) as i64 };
            Op::Watch { prefix: pick(rng, WATCH_PREFIXES), back }
        }
        84..=92 => Op::Run { seconds: pick(rng, &[1, 5, 15, 30, 60, 120, 300, 600]) },
        93..=95 => Op::Converge,
        _ => return None,
    };
    Some(op)
}

fn jane_request(rng: &mut Rng, model: &Model) -> JaneRequest {
    let (name, _, _) = pick(rng, DEPLOYMENTS);
    match rng.below(8) {
        0 => JaneRequest::List { resource: pick(rng, &["configmaps", "pods", "secrets", "deployments", "replicasets"]), namespace: NS },
        1 => JaneRequest::List { resource: "configmaps", namespace: "default" },
        2 => JaneRequest::GetConfigMap(pick(rng, &configmap_names(model))),
        3 => JaneRequest::CreateConfigMap { name: format!("jane-{}", model.next_jane_configmap), value: rng.below(1000) },
        4 => JaneRequest::DeleteConfigMap(pick(rng, &configmap_names(model))),
        5 => JaneRequest::PatchConfigMap { name: pick(rng, &configmap_names(model)), value: rng.below(1000) },
        _ => JaneRequest::Scale { name, replicas: rng.below(MAX_REPLICAS + 1) },
    }
}

/// The Deployment manifest the test applies.
pub fn deployment_yaml(name: &str, replicas: u64, image: &str) -> String {
    let (cpu, mem) = DEPLOYMENTS.iter().find(|(n, _, _)| *n == name).map_or((100, 64), |(_, c, m)| (*c, *m));
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {NS}\n  labels: {{app: {name}}}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: app\n        image: {image}\n        resources:\n          requests: {{cpu: {cpu}m, memory: {mem}Mi}}\n"
    )
}

pub fn configmap_yaml(name: &str, value: &str, owner: Option<&(String, String)>) -> String {
    let owner = owner.map_or(String::new(), |(n, uid)| {
        format!("  ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, name: {n}, uid: {uid}}}]\n")
    });
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {NS}\n{owner}data: {{v: \"{value}\"}}\n")
}

pub fn quota_yaml(pods: u64, cpu_m: Option<u64>) -> String {
    let cpu = cpu_m.map_or(String::new(), |c| format!(", requests.cpu: {c}m"));
    format!("apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: soak-quota, namespace: {NS}}}\nspec: {{hard: {{pods: \"{pods}\"{cpu}}}}}\n")
}

pub fn role_yaml(rules: &[Rule]) -> String {
    let list = |v: &[&str]| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
    let mut s = format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: jane-role, namespace: {NS}}}\nrules:\n");
    for r in rules {
        s.push_str(&format!("- apiGroups: [{}]\n  resources: [{}]\n  verbs: [{}]\n", list(&r.api_groups), list(&r.resources), list(&r.verbs)));
    }
    s
}

pub fn binding_yaml() -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: jane-binding, namespace: {NS}}}\nsubjects: [{{kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}}]\nroleRef: {{kind: Role, name: jane-role, apiGroup: rbac.authorization.k8s.io}}\n"
    )
}

/// `kubectl rollout undo`'s target: the newest revision before the current one, which then
/// becomes the newest.
pub fn touch(history: &mut Vec<String>, image: &str) {
    history.retain(|i| i != image);
    history.push(image.to_string());
}
