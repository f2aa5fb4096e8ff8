//! The views' derived state, kept between reduces instead of recomputed from the whole store and
//! trace on every step of the cursor (issue 8's UI goals: a step within a frame).
//!
//! - [`StoreView`]: the keyspace as of one revision (the etcd key list) and the decoded nodes and
//!   pods the cluster map draws. Moving to another revision re-reads only the keys written between
//!   the two — the way a watch cache applies events rather than relisting — found in etcd's
//!   backend (its history, in revision order), so a step decodes a few objects, not every pod.
//! - [`CausedIndex`]: the "what this led to" tree's parent links over the trace, extended as the
//!   trace grows rather than rebuilt per step.
//!
//! Both produce exactly what `key_rows` / `cluster_map` / `timeline::caused_tree` compute from
//! scratch (the tests below compare them at every revision).

use super::cluster_map::{self, NodeView, PodInfo};
use super::timeline::{self, Caused, Root};
use super::KeyRow;
use kubeplay::store::{KeyValue, RangeRequest, Store};
use kubeplay::trace::{Event, Record};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

const NODES: &[u8] = b"/registry/minions/";
const PODS: &[u8] = b"/registry/pods/";

/// The keyspace as of `revision`, with the views built from it.
#[derive(Default)]
pub struct StoreView {
    /// The revision the maps hold; None until first built, or after a read that failed.
    revision: Option<i64>,
    rows: BTreeMap<Vec<u8>, KeyRow>,
    nodes: BTreeMap<Vec<u8>, NodeView>,
    pods: BTreeMap<Vec<u8>, PodInfo>,
    /// What the views get: shared, so a render or a clone of the state copies a pointer.
    pub keys: Rc<Vec<KeyRow>>,
    pub map: Rc<Vec<NodeView>>,
    max_pods: usize,
    /// A node or pod changed since the map was last assembled (most writes are neither: events,
    /// leases, endpoints), so the map, and the chips drawn from it, are kept otherwise.
    map_dirty: bool,
}

/// The etcd browser's row for one key as stored.
pub(super) fn row(kv: &KeyValue) -> KeyRow {
    KeyRow {
        key: String::from_utf8_lossy(&kv.key).into_owned(),
        create_revision: kv.create_revision,
        mod_revision: kv.mod_revision,
        version: kv.version,
        lease: kv.lease,
        value_bytes: kv.value.len(),
    }
}

impl StoreView {
    /// Brings the view to `revision` of `store` (a revision the store can read; 0 is current).
    pub fn update(&mut self, store: &Store, revision: i64, max_pods: usize) {
        let revision = if revision <= 0 { store.revision() } else { revision };
        if self.revision == Some(revision) && self.max_pods == max_pods {
            return;
        }
        let compacted = store.compact_revision();
        let readable = |r: i64| r >= compacted && r <= store.revision();
        match self.revision {
            Some(from) if readable(from) && readable(revision) && self.max_pods == max_pods => self.apply_writes_between(store, from, revision),
            _ => self.rebuild(store, revision),
        }
        self.max_pods = max_pods;
        self.publish();
    }

    /// Every key re-read at `revision`.
    fn rebuild(&mut self, store: &Store, revision: i64) {
        self.map_dirty = true;
        self.rows.clear();
        self.nodes.clear();
        self.pods.clear();
        let mut req = RangeRequest::prefix(b"/");
        req.revision = revision;
        match store.range(&req) {
            Ok(resp) => {
                for kv in &resp.kvs {
                    self.set(kv);
                }
                self.revision = Some(revision);
            }
            // Below the compaction point (or not yet written): nothing, as etcd answers.
            Err(_) => self.revision = None,
        }
    }

    /// Only the keys written in (from, to] or (to, from] are read again, at `to`.
    fn apply_writes_between(&mut self, store: &Store, from: i64, to: i64) {
        let (lo, hi) = (from.min(to), from.max(to));
        let changed: BTreeSet<&[u8]> =
            store.history_between(lo, hi).map(|(_, record)| record.kv.key.as_slice()).collect();
        for key in changed {
            let mut req = RangeRequest::key(key);
            req.revision = to;
            match store.range(&req) {
                Ok(resp) => match resp.kvs.first() {
                    Some(kv) => self.set(kv),
                    None => self.remove(key),
                },
                Err(_) => return self.rebuild(store, to),
            }
        }
        self.revision = Some(to);
    }

    fn set(&mut self, kv: &KeyValue) {
        let key = kv.key.clone();
        if key.starts_with(NODES) || key.starts_with(PODS) {
            self.map_dirty = true;
            // Decoded as `cluster_map` decodes them: a value that is not JSON is not drawn.
            match serde_json::from_slice::<serde_json::Value>(&kv.value) {
                Ok(v) if key.starts_with(NODES) => {
                    self.nodes.insert(key.clone(), cluster_map::node_view(&v));
                }
                Ok(v) => {
                    self.pods.insert(key.clone(), cluster_map::pod_info(&v));
                }
                Err(_) => {
                    self.nodes.remove(&key);
                    self.pods.remove(&key);
                }
            }
        }
        self.rows.insert(key, row(kv));
    }

    fn remove(&mut self, key: &[u8]) {
        self.rows.remove(key);
        if self.nodes.remove(key).is_some() | self.pods.remove(key).is_some() {
            self.map_dirty = true;
        }
    }

    fn publish(&mut self) {
        if self.revision.is_none() {
            self.keys = Rc::default();
            self.map = Rc::default();
            self.map_dirty = true;
            return;
        }
        self.keys = Rc::new(self.rows.values().cloned().collect());
        if std::mem::take(&mut self.map_dirty) {
            let map = cluster_map::assemble(self.nodes.values(), self.pods.values(), self.max_pods);
            if *self.map != map {
                self.map = Rc::new(map);
            }
        }
    }
}

/// The caused-by tree's links over the kept trace records, built once and extended as records
/// are appended; rebuilt when the bounded trace dropped records from its front.
#[derive(Default)]
pub struct CausedIndex {
    /// The first record indexed, and the one after the last.
    first: u64,
    next: u64,
    /// seq -> request, for every record that belongs to a request.
    owner: BTreeMap<u64, u64>,
    /// A delivery's seq -> the write record it delivered.
    delivered: BTreeMap<u64, u64>,
    reconciles: BTreeSet<u64>,
    /// parent -> its requests and reconciles, in trace order.
    children: BTreeMap<Root, Vec<(Root, Caused)>>,
}

impl CausedIndex {
    /// Indexes the records of `records` (the whole kept trace, in order) not yet indexed.
    pub fn extend(&mut self, records: &[&Record]) {
        let first = records.first().map_or(0, |r| r.seq);
        if first != self.first || records.last().is_some_and(|r| r.seq + 1 < self.next) {
            *self = CausedIndex { first, next: first, ..CausedIndex::default() };
        }
        // Record numbers are consecutive in the kept trace.
        let start = usize::try_from(self.next.saturating_sub(first)).unwrap_or(usize::MAX);
        let new = records.get(start..).unwrap_or(&[]);
        if new.first().is_some_and(|r| r.seq != self.next) {
            // Not consecutive after all: index everything again.
            *self = CausedIndex { first, next: first, ..CausedIndex::default() };
            return self.extend_from(records);
        }
        self.extend_from(new);
    }

    fn extend_from(&mut self, new: &[&Record]) {
        // Links first, for the whole batch, then the children that use them (a cause precedes
        // what it caused, so a batch never needs a later one's links).
        for r in new {
            if let Some(id) = timeline::request_of(&r.event) {
                self.owner.insert(r.seq, id);
            }
            match &r.event {
                Event::Watch { write: Some(w), .. } => {
                    self.delivered.insert(r.seq, *w);
                }
                Event::Reconcile { .. } => {
                    self.reconciles.insert(r.seq);
                }
                _ => {}
            }
        }
        for r in new {
            match &r.event {
                Event::Request { id, verb, path, user, cause: Some(c), .. } => {
                    let entry = Caused { id: *id, seq: r.seq, line: format!("{verb} {path}"), user: user.clone(), depth: 0, reconcile: false };
                    let parent = self.parent_of(*c);
                    self.children.entry(parent).or_default().push((Root::Request(*id), entry));
                }
                Event::Reconcile { resource, key, trigger, decision } => {
                    let Some(t) = trigger.record() else { continue };
                    let line = if decision.is_empty() { format!("reconcile {resource} {key}") } else { format!("reconcile {resource} {key}: {decision}") };
                    let entry = Caused { id: r.seq, seq: r.seq, line, user: r.actor.to_string(), depth: 0, reconcile: true };
                    let parent = self.parent_of(t);
                    self.children.entry(parent).or_default().push((Root::Reconcile(r.seq), entry));
                }
                _ => {}
            }
        }
        if let Some(last) = new.last() {
            self.next = last.seq + 1;
        }
    }

    fn parent_of(&self, c: u64) -> Root {
        let c = self.delivered.get(&c).copied().unwrap_or(c);
        if let Some(req) = self.owner.get(&c) {
            Root::Request(*req)
        } else if self.reconciles.contains(&c) {
            Root::Reconcile(c)
        } else {
            Root::Record(c)
        }
    }

    /// The tree under `root`, depth first, bounded by `max` entries and a depth of 32.
    pub fn tree(&self, root: Root, max: usize) -> Vec<Caused> {
        let mut out = Vec::new();
        let mut stack: Vec<(Root, Option<&Caused>, usize)> = vec![(root, None, 0)];
        while let Some((node, entry, depth)) = stack.pop() {
            if let Some(entry) = entry {
                if out.len() >= max {
                    break;
                }
                out.push(Caused { depth, ..entry.clone() });
            }
            if depth >= 32 {
                continue;
            }
            for (child, c) in self.children.get(&node).into_iter().flatten().rev() {
                stack.push((*child, Some(c), depth + 1));
            }
        }
        out
    }
}

/// The caches of one cluster, shared by every clone of its `Playground`.
#[derive(Default)]
pub struct Derived {
    pub store: StoreView,
    pub caused: CausedIndex,
}

#[cfg(test)]
mod tests {
    use super::super::{key_rows, Action, Playground, MAX_CAUSED, MAX_PODS_PER_NODE};
    use super::*;
    use yew::Reducible;

    /// The example applied and run a while: nodes, pods, deletes and updates in the store.
    fn busy() -> Rc<Playground> {
        let mut p = Rc::new(Playground::default()).reduce(Action::Apply);
        for line in ["run 5s", "kubectl scale deployment web -n shop --replicas=1", "run 5s"] {
            while p.running.is_some() {
                p = p.reduce(Action::Continue(50));
            }
            p = p.reduce(Action::Run(line.into()));
        }
        while p.running.is_some() {
            p = p.reduce(Action::Continue(50));
        }
        p
    }

    #[test]
    fn the_kept_view_matches_a_fresh_read_at_every_revision_both_ways() {
        let p = busy();
        let cluster = p.cluster.borrow();
        let store = cluster.store();
        let current = store.revision();
        let mut view = StoreView::default();
        let mut check = |rev: i64| {
            view.update(store, rev, MAX_PODS_PER_NODE);
            assert_eq!(*view.keys, key_rows(&cluster, rev), "keys at {rev}");
            assert_eq!(*view.map, cluster_map::cluster_map(store, rev, MAX_PODS_PER_NODE), "map at {rev}");
        };
        for rev in (1..=current).rev().step_by(3) {
            check(rev);
        }
        for rev in (1..=current).step_by(7) {
            check(rev);
        }
        check(current);
        check(1);
        check(current);
    }

    #[test]
    fn the_kept_caused_index_matches_a_fresh_tree() {
        let p = busy();
        let cluster = p.cluster.borrow();
        let refs: Vec<&Record> = cluster.trace().records().collect();
        let mut index = CausedIndex::default();
        // Indexed in pieces, as the trace grows under a running command.
        for end in [refs.len() / 3, refs.len() / 2, refs.len()] {
            index.extend(&refs[..end]);
        }
        index.extend(&refs);
        let roots = refs.iter().filter_map(|r| match &r.event {
            Event::Request { id, .. } => Some(Root::Request(*id)),
            Event::Command { .. } => Some(Root::Record(r.seq)),
            _ => None,
        });
        let mut checked = 0;
        for root in roots.step_by(5) {
            assert_eq!(index.tree(root, MAX_CAUSED), timeline::caused_tree(&refs, root, MAX_CAUSED), "{root:?}");
            checked += 1;
        }
        assert!(checked > 10, "{checked} roots");
    }
}
