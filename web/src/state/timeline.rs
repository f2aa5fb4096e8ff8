//! The timeline: the trace as a sequence of steps the learner moves through one record at a time,
//! and what each view needs to show the cluster *as of* the cursor — the store revision then, the
//! request being served, the component acting, and the requests one request led to — through
//! the watch deliveries and reconciles between them (a write, the reconcile its delivery
//! triggered, that reconcile's requests).
//!
//! Pure functions over trace records, so the stepper is tested natively like the core.

use super::pipeline::RequestView;
use kubeplay::trace::{Actor, Event, Record, Stage, Verdict, WriteOp};

/// A component drawn on the cluster map, which the cursor can highlight.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Component {
    User,
    ApiServer,
    Etcd,
    Scheduler,
    ControllerManager,
    /// The kubelet of the named node.
    Kubelet(String),
    /// kube-proxy of the named node.
    KubeProxy(String),
}

impl Component {
    /// A stable id for the DOM (`data-component`).
    pub fn id(&self) -> String {
        match self {
            Component::User => "user".into(),
            Component::ApiServer => "kube-apiserver".into(),
            Component::Etcd => "etcd".into(),
            Component::Scheduler => "kube-scheduler".into(),
            Component::ControllerManager => "kube-controller-manager".into(),
            Component::Kubelet(node) => format!("kubelet/{node}"),
            Component::KubeProxy(node) => format!("kube-proxy/{node}"),
        }
    }

    /// The component a reconcile record names (`deployment-controller`, `kube-scheduler`,
    /// `kubelet/node-1`); every other controller runs in kube-controller-manager.
    pub fn of_process(name: &str) -> Component {
        if name == "kube-scheduler" {
            Component::Scheduler
        } else if let Some(node) = name.strip_prefix("kubelet/") {
            Component::Kubelet(node.to_string())
        } else if let Some(node) = name.strip_prefix("kube-proxy/") {
            Component::KubeProxy(node.to_string())
        } else {
            Component::ControllerManager
        }
    }

    /// The component behind an authenticated identity, as the real components authenticate.
    pub fn of_user(user: &str) -> Component {
        if user == "system:kube-scheduler" {
            Component::Scheduler
        } else if user == "system:kube-controller-manager" || user.starts_with("system:serviceaccount:kube-system:") && user.ends_with("-controller") {
            Component::ControllerManager
        } else if let Some(node) = user.strip_prefix("system:node:") {
            Component::Kubelet(node.to_string())
        } else if user == "system:kube-proxy" {
            Component::KubeProxy(String::new())
        } else if user == "system:apiserver" {
            Component::ApiServer
        } else {
            Component::User
        }
    }
}

/// One step: a trace record as the timeline lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub seq: u64,
    pub at_ms: u64,
    /// The request this record belongs to, if any.
    pub request: Option<u64>,
    /// The line the trace prints for this record.
    pub text: String,
    pub kind: StepKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Command,
    Request,
    Stage(Verdict),
    Write,
    Response(bool),
    Other,
}

/// Which request a record belongs to.
pub fn request_of(event: &Event) -> Option<u64> {
    match event {
        Event::Request { id, .. } | Event::Response { id, .. } => Some(*id),
        Event::Stage { request, .. } | Event::StoreWrite { request, .. } => Some(*request),
        _ => None,
    }
}

pub fn step_of(r: &Record) -> Step {
    let kind = match &r.event {
        Event::Command { .. } | Event::CommandDone { .. } => StepKind::Command,
        Event::Request { .. } => StepKind::Request,
        Event::Stage { verdict, .. } => StepKind::Stage(*verdict),
        Event::StoreWrite { .. } => StepKind::Write,
        Event::Response { code, .. } => StepKind::Response(*code < 400),
        _ => StepKind::Other,
    };
    Step { seq: r.seq, at_ms: r.at.as_ms(), request: request_of(&r.event), text: r.to_string(), kind }
}

/// The store revision once the record at `cursor` has happened: the newest revision any write or
/// response up to it reported, or `base` (the revision before the first kept record).
pub fn revision_at<'a>(records: impl DoubleEndedIterator<Item = &'a Record>, cursor: u64, base: i64) -> i64 {
    records
        .rev()
        .filter(|r| r.seq <= cursor)
        .find_map(|r| match &r.event {
            Event::StoreWrite { revision, .. } => Some(*revision),
            Event::Response { revision, .. } => Some(*revision),
            _ => None,
        })
        .unwrap_or(base)
}

/// The component acting at the record, for the map's highlight.
pub fn component_at(records: &[&Record], cursor: u64) -> Option<Component> {
    let r = records.iter().find(|r| r.seq == cursor)?;
    Some(match (&r.actor, &r.event) {
        (_, Event::StoreWrite { .. }) => Component::Etcd,
        (Actor::Etcd, _) => Component::Etcd,
        (Actor::User(_), _) => Component::User,
        (Actor::Component(name), _) => Component::of_process(name),
        (Actor::ApiServer, Event::Request { user, .. }) => Component::of_user(user),
        (Actor::ApiServer, _) => Component::ApiServer,
    })
}

/// The request at `id` with only the records up to `cursor`: the stages still to come are not
/// shown yet, so stepping reveals them one by one.
pub fn request_upto(records: &[&Record], id: u64, cursor: u64) -> Option<RequestView> {
    let mut view: Option<RequestView> = None;
    for r in records.iter().filter(|r| r.seq <= cursor) {
        match &r.event {
            Event::Request { id: rid, verb, path, user, dry_run, .. } if *rid == id => {
                view = Some(RequestView {
                    id,
                    seq: r.seq,
                    method: verb.clone(),
                    path: path.clone(),
                    user: user.clone(),
                    dry_run: *dry_run,
                    stages: Vec::new(),
                    writes: Vec::new(),
                    notified: Vec::new(),
                    response: None,
                });
            }
            Event::Stage { request, stage, verdict, detail } if *request == id => {
                if let Some(v) = view.as_mut() {
                    v.stages.push((*stage, *verdict, detail.clone()));
                }
            }
            Event::StoreWrite { request, key, revision, op } if *request == id => {
                if let Some(v) = view.as_mut() {
                    v.writes.push((key.clone(), *revision, *op));
                }
            }
            Event::Response { id: rid, code, message, revision } if *rid == id => {
                if let Some(v) = view.as_mut() {
                    v.response = Some((*code, message.clone(), *revision));
                }
            }
            Event::Watch { revision, watchers, .. } => {
                if let Some(v) = view.as_mut().filter(|v| v.writes.iter().any(|w| w.1 == *revision)) {
                    v.notify(*revision, watchers);
                }
            }
            _ => {}
        }
    }
    view
}

/// A request, or a component's reconcile, in the "what this led to" tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caused {
    /// The request id, or for a reconcile its record's number.
    pub id: u64,
    pub seq: u64,
    pub line: String,
    /// Who sent the request, or which component reconciled.
    pub user: String,
    pub depth: usize,
    /// A reconcile (whose children are the requests it sent), not a request.
    pub reconcile: bool,
}

/// The requests caused by `root` (a request, or a command's record), and the requests those
/// caused, depth first, bounded by `max` entries and a depth of 32. A request's cause is the trace
/// record that led to it; every record of a request counts as that request. A component's
/// requests hang under its reconcile, and the reconcile under the write whose watch delivery
/// triggered it (the delivery itself is named on the reconcile's line, not a node of its own).
pub fn caused_tree(records: &[&Record], root: Root, max: usize) -> Vec<Caused> {
    use std::collections::BTreeMap;
    // seq -> request, for every record that belongs to a request.
    let owner: BTreeMap<u64, u64> = records.iter().filter_map(|r| request_of(&r.event).map(|id| (r.seq, id))).collect();
    // A delivery's seq -> the write record it delivered; the reconcile records.
    let mut delivered: BTreeMap<u64, u64> = BTreeMap::new();
    let mut reconciles: BTreeMap<u64, ()> = BTreeMap::new();
    for r in records {
        match &r.event {
            Event::Watch { write: Some(w), .. } => {
                delivered.insert(r.seq, *w);
            }
            Event::Reconcile { .. } => {
                reconciles.insert(r.seq, ());
            }
            _ => {}
        }
    }
    let parent_of = |c: u64| -> Root {
        let c = delivered.get(&c).copied().unwrap_or(c);
        if let Some(req) = owner.get(&c) {
            Root::Request(*req)
        } else if reconciles.contains_key(&c) {
            Root::Reconcile(c)
        } else {
            Root::Record(c)
        }
    };
    // parent -> its requests and reconciles, in trace order.
    let mut children: BTreeMap<Root, Vec<(Root, Caused)>> = BTreeMap::new();
    for r in records {
        match &r.event {
            Event::Request { id, verb, path, user, cause: Some(c), .. } => {
                let entry = Caused { id: *id, seq: r.seq, line: format!("{verb} {path}"), user: user.clone(), depth: 0, reconcile: false };
                children.entry(parent_of(*c)).or_default().push((Root::Request(*id), entry));
            }
            Event::Reconcile { resource, key, trigger, decision } => {
                let Some(t) = trigger.record() else { continue };
                let line = if decision.is_empty() { format!("reconcile {resource} {key}") } else { format!("reconcile {resource} {key}: {decision}") };
                let entry = Caused { id: r.seq, seq: r.seq, line, user: r.actor.to_string(), depth: 0, reconcile: true };
                children.entry(parent_of(t)).or_default().push((Root::Reconcile(r.seq), entry));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut stack: Vec<(Root, Option<Caused>, usize)> = vec![(root, None, 0)];
    while let Some((node, entry, depth)) = stack.pop() {
        if let Some(entry) = entry {
            if out.len() >= max {
                break;
            }
            out.push(Caused { depth, ..entry });
        }
        if depth >= 32 {
            continue;
        }
        for (child, c) in children.get(&node).into_iter().flatten().rev() {
            stack.push((*child, Some(c.clone()), depth + 1));
        }
    }
    out
}

/// What a caused-by tree starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Root {
    Request(u64),
    /// A record that is not part of a request (a command).
    Record(u64),
    /// A component's reconcile record.
    Reconcile(u64),
}

/// The first record of the next (or previous) request after (before) the cursor.
pub fn neighbour_request(records: &[&Record], cursor: u64, forward: bool) -> Option<u64> {
    let is_start = |r: &&&Record| matches!(r.event, Event::Request { .. });
    if forward {
        records.iter().filter(|r| r.seq > cursor).find(is_start).map(|r| r.seq)
    } else {
        let current = records.iter().find(|r| r.seq == cursor).and_then(|r| request_of(&r.event));
        records
            .iter()
            .rev()
            .filter(|r| r.seq < cursor)
            .filter(is_start)
            .find(|r| request_of(&r.event) != current)
            .map(|r| r.seq)
    }
}

/// A short word for a write, for the views.
pub fn op_name(op: WriteOp) -> &'static str {
    match op {
        WriteOp::Create => "create",
        WriteOp::Update => "update",
        WriteOp::Delete => "delete",
    }
}

/// Every stage a request of this verb passes, in order, so the stepper can show the ones still
/// ahead greyed out. Reads stop after authorization.
pub fn stages_for(method: &str) -> &'static [Stage] {
    match method {
        "GET" => &[Stage::Authentication, Stage::Authorization, Stage::Storage],
        _ => &[
            Stage::Authentication,
            Stage::Authorization,
            Stage::Decode,
            Stage::MutatingAdmission,
            Stage::Validation,
            Stage::ValidatingAdmission,
            Stage::Storage,
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay::cli::MemoryFiles;
    use kubeplay::{Cluster, Config};

    const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n";

    #[test]
    fn the_led_to_tree_runs_through_reconciles_and_a_write_lists_its_watchers() {
        let mut cluster = Cluster::new(Config::default());
        cluster.execute("kubectl apply -f web.yaml", &MemoryFiles::new().with("web.yaml", WEB));
        let records: Vec<&Record> = cluster.trace().records().collect();
        let create = records
            .iter()
            .find_map(|r| match &r.event {
                // Not the bootstrap's CoreDNS Deployment, sent before the control plane runs.
                Event::Request { id, verb, path, .. } if verb == "POST" && path.ends_with("/namespaces/default/deployments") => Some(*id),
                _ => None,
            })
            .expect("the Deployment's create");
        let tree = caused_tree(&records, Root::Request(create), 500);
        // write -> (delivery) -> the deployment controller's reconcile -> its ReplicaSet create ...
        let deploy = tree.iter().position(|c| c.reconcile && c.user == "deployment-controller").expect("{tree:#?}");
        assert_eq!(tree[deploy].depth, 1);
        assert!(tree[deploy + 1].line.ends_with("/replicasets") && tree[deploy + 1].depth == 2, "{tree:#?}");
        // ... -> the replicaset controller's reconcile -> the pods -> the scheduler's bindings.
        let rs = tree.iter().find(|c| c.reconcile && c.user == "replicaset-controller").expect("{tree:#?}");
        assert!(rs.line.contains("created 2 pods") && rs.depth == 3, "{rs:?}");
        assert!(tree.iter().any(|c| !c.reconcile && c.line.ends_with("/binding") && c.user == "system:kube-scheduler"), "{tree:#?}");
        // The write's watchers appear once the cursor passes its delivery.
        let last = records.last().map_or(0, |r| r.seq);
        let view = request_upto(&records, create, last).expect("the request");
        assert_eq!(view.watchers_of(view.writes[0].1), ["kube-controller-manager"]);
        let answered = records.iter().find(|r| matches!(r.event, Event::Response { id, .. } if id == create)).map_or(0, |r| r.seq);
        assert!(request_upto(&records, create, answered).expect("the request").notified.is_empty());
        // A reconcile record highlights its component.
        let scheduling = records.iter().find(|r| matches!(&r.actor, Actor::Component(c) if c == "kube-scheduler")).expect("a scheduling reconcile");
        assert_eq!(component_at(&records, scheduling.seq), Some(Component::Scheduler));
    }
}
