//! The one trace: every request stage, store write, watch delivery and reconcile is a record here,
//! appended in the order it happened. The UI renders from the trace plus the store at a revision;
//! the determinism tests compare two traces byte for byte.

mod delivery;
mod reconcile;

pub use delivery::{WatchEvent, MAX_NAMED_WATCHERS};
pub use reconcile::{go_duration, Outcome, ReconcileDecision, Trigger};

pub mod scheduling;

use crate::sim::Time;
use serde::Serialize;
use std::fmt;

/// Who acted: the learner, or a control-plane component under its own identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Actor {
    /// The learner typing a command (kubectl as `kubernetes-admin`, or etcdctl).
    User(String),
    ApiServer,
    Etcd,
    /// A control-plane component reconciling: a kube-controller-manager controller by its name
    /// (`deployment-controller`), `kube-scheduler`, `kubelet/<node>`.
    Component(String),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(name) => f.write_str(name),
            Actor::ApiServer => f.write_str("kube-apiserver"),
            Actor::Etcd => f.write_str("etcd"),
            Actor::Component(name) => f.write_str(name),
        }
    }
}

/// A stage of kube-apiserver's request pipeline, in the order a write passes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Stage {
    Authentication,
    Authorization,
    /// Decoding the body (strict field validation) and scheme defaulting.
    Decode,
    MutatingAdmission,
    Validation,
    ValidatingAdmission,
    Storage,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Authentication => "authentication",
            Stage::Authorization => "authorization",
            Stage::Decode => "decode",
            Stage::MutatingAdmission => "mutating-admission",
            Stage::Validation => "validation",
            Stage::ValidatingAdmission => "validating-admission",
            Stage::Storage => "storage",
        }
    }
}

/// What a stage decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    Passed,
    /// The stage changed the object (defaults, admission mutations); the detail says how.
    Changed,
    Rejected,
    /// Not run for this request (dry run skips storage; reads skip admission).
    Skipped,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Changed => "changed",
            Verdict::Rejected => "rejected",
            Verdict::Skipped => "skipped",
        }
    }
}

/// The kind of write etcd performed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum WriteOp {
    Create,
    Update,
    Delete,
}

/// What happened. Each renders on one line so a human can read a trace top to bottom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Event {
    /// A command line entered by the learner.
    Command { id: u64, line: String },
    /// A client decoded a manifest document (or failed to).
    Decode { kind: String, outcome: String },
    /// A request reached the API server. `cause` is the trace record that led to it.
    Request { id: u64, verb: String, path: String, user: String, cause: Option<u64>, dry_run: bool },
    /// One stage of the request's pipeline and what it decided.
    Stage { request: u64, stage: Stage, verdict: Verdict, detail: String },
    /// etcd applied a write for the request: the key and the revision it became.
    StoreWrite { request: u64, key: String, revision: i64, op: WriteOp },
    /// The API server answered; `code` is the HTTP status, `revision` the store's after it.
    Response { id: u64, code: u16, message: String, revision: i64 },
    /// A command finished with this exit status.
    CommandDone { id: u64, exit_code: i32 },
    /// A bound was hit (queue full, step budget exhausted); the run stops visibly instead of growing.
    Bound { what: String },
    /// Something that happened on a node outside the API: a kube-proxy sync, a packet's hop
    /// through netfilter, a kubelet stopped or started.
    Node { node: String, detail: String },
    /// The event of the store write at `revision` reached the watchers named (processes, each
    /// with one watch per resource); `write` is the write's record while kept. See `delivery.rs`.
    Watch { revision: i64, key: String, event: WatchEvent, write: Option<u64>, watchers: Vec<String> },
    /// A component's reconcile of one work-queue key (`namespace/name`, or `name` for cluster
    /// objects), what queued it and what it decided. Its requests name it as their cause. See
    /// `reconcile.rs`.
    Reconcile { resource: String, key: String, trigger: Trigger, decision: ReconcileDecision },
    /// kube-scheduler's attempt to place one pod: every node's filter verdicts and scores, the
    /// node chosen, preemption (see [`scheduling::SchedulingAttempt`] for the fields).
    Scheduling(Box<scheduling::SchedulingAttempt>),
}

/// One line of the trace: when, who, what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Record {
    pub seq: u64,
    pub at: Time,
    pub actor: Actor,
    pub event: Event,
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:<4} {:>9} {:<16} ", self.seq, self.at.to_string(), self.actor.to_string())?;
        match &self.event {
            Event::Command { id, line } => write!(f, "command {id}: {line}"),
            Event::Decode { kind, outcome } => write!(f, "decode {kind}: {outcome}"),
            Event::Request { id, verb, path, user, cause, dry_run } => {
                write!(f, "request {id}: {verb} {path} as {user}")?;
                if *dry_run {
                    f.write_str(" (dry run)")?;
                }
                match cause {
                    Some(c) => write!(f, " (cause #{c})"),
                    None => Ok(()),
                }
            }
            Event::Stage { request, stage, verdict, detail } => {
                write!(f, "request {request}: {} {}", stage.name(), verdict.name())?;
                if detail.is_empty() {
                    Ok(())
                } else {
                    write!(f, ": {detail}")
                }
            }
            Event::StoreWrite { request, key, revision, op } => {
                let op = match op {
                    WriteOp::Create => "create",
                    WriteOp::Update => "update",
                    WriteOp::Delete => "delete",
                };
                write!(f, "request {request}: txn {op} {key} -> revision {revision}")
            }
            Event::Response { id, code, message, revision } => {
                write!(f, "request {id}: response {code} {message} (revision {revision})")
            }
            Event::CommandDone { id, exit_code } => write!(f, "command {id} exited {exit_code}"),
            Event::Bound { what } => write!(f, "bound reached: {what}"),
            Event::Node { node, detail } => write!(f, "node {node}: {detail}"),
            Event::Scheduling(attempt) => f.write_str(&attempt.summary()),
            Event::Watch { revision, key, event, write, watchers } => delivery::render(f, *revision, key, *event, *write, watchers),
            Event::Reconcile { resource, key, trigger, decision } => reconcile::render(f, resource, key, trigger, decision),
        }
    }
}

/// The append-only trace. Bounded: past `capacity` records the oldest are dropped and counted, so
/// a long session cannot exhaust memory while the record numbers stay stable.
#[derive(Clone, Debug)]
pub struct Trace {
    records: std::collections::VecDeque<Record>,
    next_seq: u64,
    capacity: usize,
    /// Store revision -> the record of the write that made it, for the records still kept: how a
    /// component's request finds the write it reacted to (its cause).
    writes: std::collections::BTreeMap<i64, u64>,
    /// Store revision -> the record of the informers' delivery of that write, for the records
    /// still kept: what a reconcile points back to.
    deliveries: std::collections::BTreeMap<i64, u64>,
    /// The control-plane step in progress, while one is (see `reconcile.rs`).
    step: Option<reconcile::Step>,
}

impl Trace {
    pub fn with_capacity(capacity: usize) -> Self {
        Trace {
            records: Default::default(),
            next_seq: 0,
            capacity: capacity.max(1),
            writes: Default::default(),
            deliveries: Default::default(),
            step: None,
        }
    }

    pub fn push(&mut self, at: Time, actor: Actor, mut event: Event) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.records.len() == self.capacity {
            if let Some(dropped) = self.records.pop_front() {
                self.forget(&dropped);
            }
        } else if self.records.len() == self.records.capacity() {
            // Doubling as usual, but never past the bound: at 200,000 records a doubling to
            // 262,144 slots would hold 62,144 that are never used.
            let room = self.capacity.saturating_sub(self.records.len()).max(1);
            let more = self.records.len().max(1).min(room);
            self.records.reserve_exact(more);
        }
        match &mut event {
            Event::StoreWrite { revision, .. } => {
                self.writes.insert(*revision, seq);
            }
            // The rows were pushed one by one; the record keeps them for as long as it is kept.
            Event::Scheduling(attempt) => attempt.nodes.shrink_to_fit(),
            _ => {}
        }
        self.records.push_back(Record { seq, at, actor, event });
        seq
    }

    /// The record of the store write that produced `revision`, while it is kept.
    pub fn write_at(&self, revision: i64) -> Option<u64> {
        self.writes.get(&revision).copied()
    }

    pub fn records(&self) -> impl DoubleEndedIterator<Item = &Record> + ExactSizeIterator {
        self.records.iter()
    }

    /// How many records were dropped from the front because of the bound.
    pub fn dropped(&self) -> u64 {
        self.next_seq - self.records.len() as u64
    }

    /// The whole trace, one record a line: what the determinism tests compare byte for byte.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for r in &self.records {
            out.push_str(&r.to_string());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trace_grows_to_its_bound_and_no_further() {
        let mut t = Trace::with_capacity(5);
        for i in 0..12 {
            t.push(Time(i), Actor::Etcd, Event::Bound { what: i.to_string() });
        }
        assert_eq!((t.records().len(), t.dropped()), (5, 7));
        assert_eq!(t.records().next().map(|r| r.seq), Some(7));
        // Doubling would have reserved 8 slots.
        assert_eq!(t.records.capacity(), 5);
    }
}
