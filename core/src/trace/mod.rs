//! The one trace: every request stage, store write, watch delivery and reconcile is a record here,
//! appended in the order it happened. The UI renders from the trace plus the store at a revision;
//! the determinism tests compare two traces byte for byte.

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
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(name) => f.write_str(name),
            Actor::ApiServer => f.write_str("kube-apiserver"),
            Actor::Etcd => f.write_str("etcd"),
        }
    }
}

/// What happened. New kinds of record are added as the control plane grows; each renders on one
/// line so a human can read a trace top to bottom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Event {
    /// A command line entered by the learner.
    Command { id: u64, line: String },
    /// A request reached the API server (verb, resource path).
    Request { verb: String, path: String },
    /// The request body was decoded into a typed object (or failed to).
    Decode { kind: String, outcome: String },
    /// The API server wrote to etcd: the key and the revision it became.
    StoreWrite { key: String, revision: i64, created: bool },
    /// The API server answered; `code` is the HTTP status.
    Response { code: u16, message: String },
    /// A command finished with this exit status.
    CommandDone { id: u64, exit_code: i32 },
    /// A bound was hit (queue full, step budget exhausted); the run stops visibly instead of growing.
    Bound { what: String },
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
            Event::Request { verb, path } => write!(f, "{verb} {path}"),
            Event::Decode { kind, outcome } => write!(f, "decode {kind}: {outcome}"),
            Event::StoreWrite { key, revision, created } => {
                let op = if *created { "create" } else { "update" };
                write!(f, "txn {op} {key} -> revision {revision}")
            }
            Event::Response { code, message } => write!(f, "response {code} {message}"),
            Event::CommandDone { id, exit_code } => write!(f, "command {id} exited {exit_code}"),
            Event::Bound { what } => write!(f, "bound reached: {what}"),
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
}

impl Trace {
    pub fn with_capacity(capacity: usize) -> Self {
        Trace { records: Default::default(), next_seq: 0, capacity: capacity.max(1) }
    }

    pub fn push(&mut self, at: Time, actor: Actor, event: Event) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.records.len() == self.capacity {
            self.records.pop_front();
        }
        self.records.push_back(Record { seq, at, actor, event });
        seq
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
