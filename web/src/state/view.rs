//! What the page's panels show as of the trace cursor: the etcd key rows, the cluster map's
//! nodes, the request at the cursor with what it led to, the selected object, and the
//! scheduler's table, derived from the trace and the store (the way a client reads an object
//! at a past revision of etcd, `RangeRequest::revision`).

use super::scheduler_table::{self, SchedulerTable};
use super::timeline::{self, Caused, Component, Step};
use super::{NodeView, Playground, RequestView, MAX_CAUSED, MAX_PODS_PER_NODE};
#[cfg(test)]
use kubeplay::Cluster;
use kubeplay::store::RangeRequest;
use kubeplay::trace::{Event, Record};
use std::rc::Rc;

/// One row of the etcd key list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRow {
    pub key: String,
    pub create_revision: i64,
    pub mod_revision: i64,
    pub version: i64,
    pub lease: i64,
    pub value_bytes: usize,
}

/// What the views show, derived from the trace and the store as of the cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// The store revision at the cursor.
    pub revision: i64,
    /// Shared with the cache that keeps them (`derived.rs`): a clone is a pointer copy.
    pub keys: Rc<Vec<KeyRow>>,
    pub nodes: Rc<Vec<NodeView>>,
    /// The request the cursor is in, with only the records reached so far.
    pub request: Option<RequestView>,
    /// What that request (or the command at the cursor) led to.
    pub caused: Vec<Caused>,
    /// The component acting at the cursor.
    pub active: Option<Component>,
    /// The components the request at the cursor passes: its client, kube-apiserver, etcd.
    pub path: Vec<Component>,
    /// The record at the cursor.
    pub step: Option<Step>,
    /// The selected key's value (as YAML) at the cursor's revision, and its writes so far.
    pub object: Option<ObjectView>,
    /// When the record at the cursor is a kube-scheduler attempt: its filter/score table.
    pub scheduling: Option<SchedulerTable>,
}

/// An etcd key as the object inspector shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectView {
    pub key: String,
    /// The value as YAML, or empty when the key does not exist at this revision.
    pub yaml: String,
    /// Every write of the key up to the cursor: (revision, operation).
    pub history: Vec<(i64, &'static str)>,
    /// For a pod, kube-scheduler's last attempt to place it as of the cursor.
    pub scheduling: Option<SchedulerTable>,
}

/// Every store entry at `revision`, as key rows, read in one go (the page keeps them instead:
/// `derived.rs`; this is the reference it is tested against).
#[cfg(test)]
pub(super) fn key_rows(cluster: &Cluster, revision: i64) -> Vec<KeyRow> {
    let mut req = RangeRequest::prefix(b"/");
    req.revision = revision;
    cluster
        .store()
        .range(&req)
        .map(|resp| {
            resp.kvs.iter().map(super::derived::row).collect()
        })
        .unwrap_or_default()
}

/// The record numbered `seq`: record numbers are consecutive in the kept trace, so it is found
/// by position (checked, with a search as the fallback) rather than by a scan per step.
fn record_at<'a>(refs: &[&'a Record], seq: u64) -> Option<&'a Record> {
    index_at(refs, seq).and_then(|i| refs.get(i)).copied()
}

/// Where the record numbered `seq` is in `refs`.
fn index_at(refs: &[&Record], seq: u64) -> Option<usize> {
    let first = refs.first()?.seq;
    let at = usize::try_from(seq.checked_sub(first)?).ok()?;
    match refs.get(at) {
        Some(r) if r.seq == seq => Some(at),
        _ => refs.iter().position(|r| r.seq == seq),
    }
}

impl Playground {
    /// Re-derives the views from the trace and the store as of the cursor: what the cursor's
    /// record shows directly, and the store's keyspace and the caused-by links through the
    /// caches of `derived.rs`, which carry over from the last refresh what did not change.
    pub(super) fn refresh(&mut self) {
        // Borrowed through a second handle to the cluster, so the records are read in place
        // rather than cloned on every step.
        let shared = self.cluster.clone();
        let cluster = shared.borrow();
        let refs: Vec<&Record> = cluster.trace().records().collect();
        self.first_seq = refs.first().map_or(0, |r| r.seq);
        self.last_seq = refs.last().map_or(0, |r| r.seq);
        self.revision = cluster.store().revision();
        let at = self.cursor.unwrap_or(self.last_seq);
        let revision = if self.cursor.is_none() { self.revision } else { timeline::revision_at(refs.iter().copied(), at, 1) };
        // Live, the request tab lists the last command's requests; stepping, it shows the one at
        // the cursor stage by stage.
        let request_id = if self.cursor.is_none() { None } else { record_at(&refs, at).and_then(|r| timeline::request_of(&r.event)) };
        // A request's records are its handling, one run of records from its Request record (its
        // watch deliveries come later): the scan starts there instead of at the trace's start.
        let request = request_id.and_then(|id| {
            let end = index_at(&refs, at)?;
            let start = refs.get(..=end)?.iter().rposition(|r| matches!(r.event, Event::Request { id: rid, .. } if rid == id)).unwrap_or(0);
            timeline::request_upto(refs.get(start..=end)?, id, at)
        });
        let root = match request_id {
            Some(id) => Some(timeline::Root::Request(id)),
            None => refs.iter().rev().filter(|r| r.seq <= at).find(|r| matches!(r.event, Event::Command { .. })).map(|r| timeline::Root::Record(r.seq)),
        };
        let mut derived = self.derived.borrow_mut();
        derived.caused.extend(&refs);
        let caused = root.map(|root| derived.caused.tree(root, MAX_CAUSED)).unwrap_or_default();
        derived.store.update(cluster.store(), revision, MAX_PODS_PER_NODE);
        let object = self.selected_key.as_ref().map(|key| {
            let mut req = RangeRequest::key(key.as_bytes());
            req.revision = revision;
            let yaml = cluster
                .store()
                .range(&req)
                .ok()
                .and_then(|r| r.kvs.into_iter().next())
                .map(|kv| match serde_json::from_slice::<serde_json::Value>(&kv.value) {
                    Ok(v) => kubeplay::cli::printers::to_yaml(&v),
                    Err(_) => String::from_utf8_lossy(&kv.value).into_owned(),
                })
                .unwrap_or_default();
            let history = refs
                .iter()
                .filter(|r| r.seq <= at)
                .filter_map(|r| match &r.event {
                    Event::StoreWrite { key: k, revision, op, .. } if k == key => Some((*revision, timeline::op_name(*op))),
                    _ => None,
                })
                .collect();
            let scheduling = scheduler_table::pod_of_key(key).and_then(|pod| scheduler_table::last_attempt(&refs, at, &pod));
            ObjectView { key: key.clone(), yaml, history, scheduling }
        });
        let path = request
            .as_ref()
            .map(|r| {
                let mut v = vec![Component::of_user(&r.user), Component::ApiServer];
                if !r.writes.is_empty() || r.stages.iter().any(|s| s.0 == kubeplay::trace::Stage::Storage) {
                    v.push(Component::Etcd);
                }
                v
            })
            .unwrap_or_default();
        // At a scheduling record its table; at a binding request, the attempt it carries out.
        let scheduling = record_at(&refs, at)
            .and_then(|r| match &r.event {
                Event::Scheduling(a) => Some(SchedulerTable::from_attempt(a)),
                _ => None,
            })
            .or_else(|| {
                let pod = request.as_ref().and_then(|r| scheduler_table::pod_of_binding(&r.path))?;
                scheduler_table::last_attempt(&refs, at, &pod)
            });
        self.view = View {
            path,
            revision,
            keys: derived.store.keys.clone(),
            nodes: derived.store.map.clone(),
            request,
            caused,
            active: record_at(&refs, at).and_then(|r| timeline::component_at(std::slice::from_ref(&r), at)),
            step: record_at(&refs, at).map(timeline::step_of),
            object,
            scheduling,
        };
        drop(derived);
        drop(cluster);
        self.session.cursor = self.cursor;
        self.session.editor = self.editor.clone();
    }

    /// The YAML of `key` at `revision`, for the history diff.
    pub fn value_at(&self, key: &str, revision: i64) -> String {
        let mut req = RangeRequest::key(key.as_bytes());
        req.revision = revision;
        self.cluster
            .borrow()
            .store()
            .range(&req)
            .ok()
            .and_then(|r| r.kvs.into_iter().next())
            .map(|kv| match serde_json::from_slice::<serde_json::Value>(&kv.value) {
                Ok(v) => kubeplay::cli::printers::to_yaml(&v),
                Err(_) => String::from_utf8_lossy(&kv.value).into_owned(),
            })
            .unwrap_or_default()
    }

    /// The records within `radius` of `around`, for the timeline. Record numbers are consecutive
    /// in the kept trace, so the window is found by position, not by a scan of the whole trace.
    pub fn steps_near(&self, around: u64, radius: u64) -> Vec<Step> {
        let lo = around.saturating_sub(radius).max(self.first_seq);
        let hi = around.saturating_add(radius);
        let skip = usize::try_from(lo - self.first_seq).unwrap_or(usize::MAX);
        let cluster = self.cluster.borrow();
        let near = cluster.trace().records().skip(skip).take_while(|r| r.seq <= hi);
        if cluster.trace().records().nth(skip).is_some_and(|r| r.seq == lo) {
            near.filter(|r| r.seq >= lo).map(timeline::step_of).collect()
        } else {
            cluster.trace().records().filter(|r| r.seq >= lo && r.seq <= hi).map(timeline::step_of).collect()
        }
    }
}
