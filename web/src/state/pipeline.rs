//! The last command's API requests, stage by stage, derived from the trace: what the pipeline
//! stepper shows.

use kubeplay::trace::{Event, Record, Stage, Verdict, WriteOp};

/// One request as the pipeline panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestView {
    pub id: u64,
    /// The trace record where the request arrived.
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub user: String,
    pub dry_run: bool,
    pub stages: Vec<(Stage, Verdict, String)>,
    pub writes: Vec<(String, i64, WriteOp)>,
    /// For each written revision, the watchers its event was delivered to so far (the
    /// control-plane processes, a kubectl or etcdctl watch), from the watch-delivery records.
    pub notified: Vec<(i64, Vec<String>)>,
    /// HTTP status, message, store revision after the request.
    pub response: Option<(u16, String, i64)>,
}

impl RequestView {
    /// Adds a delivery of the write at `revision` to `watchers`.
    pub fn notify(&mut self, revision: i64, watchers: &[String]) {
        match self.notified.iter_mut().find(|(r, _)| *r == revision) {
            Some((_, list)) => list.extend(watchers.iter().filter(|w| !list.contains(w)).cloned().collect::<Vec<_>>()),
            None => self.notified.push((revision, watchers.to_vec())),
        }
    }

    /// The watchers the write at `revision` reached so far.
    pub fn watchers_of(&self, revision: i64) -> &[String] {
        self.notified.iter().find(|(r, _)| *r == revision).map_or(&[], |(_, w)| w.as_slice())
    }
}

/// Every request whose records appear after `from_seq` (the last command's record), in order.
/// Bounded: at most `max` requests, the first ones kept.
pub fn requests_since<'a>(records: impl Iterator<Item = &'a Record>, from_seq: u64, max: usize) -> Vec<RequestView> {
    let mut out: Vec<RequestView> = Vec::new();
    for r in records.filter(|r| r.seq >= from_seq) {
        match &r.event {
            Event::Request { id, verb, path, user, dry_run, .. } => {
                if out.len() == max {
                    break;
                }
                out.push(RequestView {
                    id: *id,
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
            Event::Stage { request, stage, verdict, detail } => {
                if let Some(v) = out.iter_mut().rev().find(|v| v.id == *request) {
                    v.stages.push((*stage, *verdict, detail.clone()));
                }
            }
            Event::StoreWrite { request, key, revision, op } => {
                if let Some(v) = out.iter_mut().rev().find(|v| v.id == *request) {
                    v.writes.push((key.clone(), *revision, *op));
                }
            }
            Event::Response { id, code, message, revision } => {
                if let Some(v) = out.iter_mut().rev().find(|v| v.id == *id) {
                    v.response = Some((*code, message.clone(), *revision));
                }
            }
            Event::Watch { revision, watchers, .. } => {
                if let Some(v) = out.iter_mut().rev().find(|v| v.writes.iter().any(|w| w.1 == *revision)) {
                    v.notify(*revision, watchers);
                }
            }
            _ => {}
        }
    }
    out
}
