//! The history of one key: its generations, their revisions and the tombstones between them.
//!
//! Mirrors etcd's `mvcc/key_index.go`. A *generation* is one life of the key, from the put that
//! created it to the delete (tombstone) that ended it. Take the key `foo`:
//!
//! ```text
//! put foo @1.0, put foo @2.0, delete foo @3.0, put foo @4.0, put foo @5.0, delete foo @6.0
//! ```
//!
//! Each generation records `created`, `ver` (how many writes it saw) and `revs`; a finished
//! generation ends with its tombstone (t), and the newest generation is empty until the next put:
//!
//! ```text
//! generations:
//!     {empty}
//!     {created 4.0, ver 3, revs [4.0, 5.0, 6.0(t)]}
//!     {created 1.0, ver 3, revs [1.0, 2.0, 3.0(t)]}
//! ```
//!
//! A read at revision 2 finds `2.0` (version 2); at 3 or 6 the key does not exist; at 5 it finds
//! `5.0` with version 2 of the second generation.
//!
//! Compaction at revision `n` keeps, per generation, the largest revision `<= n` (a read at `n`
//! still needs it) and everything after it; a generation that ends up holding only its tombstone
//! is dropped, and so are all generations before it:
//!
//! ```text
//! compact(2): {empty}, {4.0, 5.0, 6.0(t)}, {2.0, 3.0(t)}
//! compact(4): {empty}, {4.0, 5.0, 6.0(t)}                 <- the first life ended at 3: gone
//! compact(5): {empty}, {5.0, 6.0(t)}
//! compact(6): {empty}                                     <- the key index itself is removed
//! ```
//!
//! The revisions compaction keeps are reported in `available` so the backend can drop every
//! other record of the key.

use super::revision::Revision;
use std::collections::BTreeSet;

/// One life of a key, from its creation to its tombstone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generation {
    /// Writes in this generation, including the tombstone; etcd's `ver`.
    pub ver: i64,
    /// The revision that created the key in this generation.
    pub created: Revision,
    /// Every revision of this generation, oldest first; a finished one ends with its tombstone.
    pub revs: Vec<Revision>,
}

/// Where a key was at some revision: what [`KeyIndex::get`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyAt {
    pub modified: Revision,
    pub created: Revision,
    pub version: i64,
}

/// Every generation of one key: the finished ones, oldest first, each ending with its
/// tombstone, then the current one (empty between a tombstone and the next put). The current
/// generation is held inline: most keys never see a delete, and this way their index costs one
/// allocation (the revisions), not two.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyIndex {
    pub modified: Revision,
    finished: Vec<Generation>,
    current: Generation,
}

impl KeyIndex {
    /// A key index as rebuilt from its oldest surviving record (etcd's `restore`): one
    /// generation created at `created` that has seen `ver` writes up to `modified`.
    pub fn restore(created: Revision, modified: Revision, ver: i64) -> Self {
        KeyIndex { modified, finished: Vec::new(), current: Generation { ver, created, revs: vec![modified] } }
    }

    /// Every generation, oldest first; the last is the current one.
    pub fn generations(&self) -> impl DoubleEndedIterator<Item = &Generation> {
        self.finished.iter().chain(std::iter::once(&self.current))
    }

    /// Records a put at `rev` in the current generation, starting it if it is empty.
    ///
    /// `created` keeps only the main revision: that is all a read reports, and it is all etcd's
    /// restore can recover, so a restored index equals the live one.
    pub fn put(&mut self, rev: Revision) {
        let g = &mut self.current;
        if g.revs.is_empty() {
            g.created = Revision::new(rev.main, 0);
        }
        g.revs.push(rev);
        g.ver += 1;
        self.modified = rev;
    }

    /// Records a delete at `rev`: the tombstone ends the current generation and an empty one
    /// begins. Returns false (and changes nothing) when the key is not alive.
    pub fn tombstone(&mut self, rev: Revision) -> bool {
        if self.current.revs.is_empty() {
            return false;
        }
        self.put(rev);
        self.finished.push(std::mem::take(&mut self.current));
        true
    }

    /// Whether the key exists (is between a put and a tombstone) right now.
    pub fn is_alive(&self) -> bool {
        !self.current.revs.is_empty()
    }

    /// The generation that was alive at main revision `at`, as etcd's `findGeneration`.
    fn find_generation(&self, at: i64) -> Option<&Generation> {
        if self.current.revs.first().is_some_and(|first| first.main <= at) {
            return Some(&self.current);
        }
        for g in self.finished.iter().rev() {
            let (Some(first), Some(end)) = (g.revs.first(), g.revs.last()) else { continue };
            if end.main <= at {
                // The key was deleted at or before `at`; older generations are older still.
                return None;
            }
            if first.main <= at {
                return Some(g);
            }
        }
        None
    }

    /// The key's state as of main revision `at`, or `None` if it did not exist then.
    pub fn get(&self, at: i64) -> Option<KeyAt> {
        let g = self.find_generation(at)?;
        let n = g.revs.iter().rposition(|r| r.main <= at)?;
        Some(KeyAt { modified: g.revs[n], created: g.created, version: g.ver - (g.revs.len() - n - 1) as i64 })
    }

    /// Every revision after main revision `since`, oldest first (etcd's `since`), keeping only the
    /// last sub-revision of each main revision.
    pub fn since(&self, since: i64) -> Vec<Revision> {
        let mut out: Vec<Revision> = Vec::new();
        for g in self.generations() {
            for r in g.revs.iter().filter(|r| r.main >= since) {
                match out.last_mut() {
                    Some(last) if last.main == r.main => *last = *r,
                    _ => out.push(*r),
                }
            }
        }
        out
    }

    /// Drops history a read at `at` or later can never need, as described in the module doc;
    /// the revisions still needed are added to `available`.
    pub fn compact(&mut self, at: i64, available: &mut BTreeSet<Revision>) {
        // Skip finished generations whose tombstone is at or before `at`: nothing in them is
        // readable. Position `finished.len()` is the current generation.
        let current = self.finished.len();
        let mut gen = 0;
        while gen < current {
            match self.finished[gen].revs.last() {
                Some(tomb) if tomb.main > at => break,
                _ => gen += 1,
            }
        }
        let g = if gen < current { &mut self.finished[gen] } else { &mut self.current };
        if let Some(keep) = g.revs.iter().rposition(|r| r.main <= at) {
            available.insert(g.revs[keep]);
            g.revs.drain(..keep);
            if g.revs.len() == 1 && gen != current {
                // Only the tombstone is left: the generation is gone at `at`.
                available.remove(&g.revs[0]);
                gen += 1;
            }
        }
        self.finished.drain(..gen);
    }

    /// Whether compaction removed every generation that had any revision.
    pub fn is_empty(&self) -> bool {
        self.generations().all(|g| g.revs.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(main: i64) -> Revision {
        Revision::new(main, 0)
    }

    /// The example from the module doc, step by step.
    fn example() -> KeyIndex {
        let mut ki = KeyIndex::default();
        ki.put(r(1));
        ki.put(r(2));
        assert!(ki.tombstone(r(3)));
        ki.put(r(4));
        ki.put(r(5));
        assert!(ki.tombstone(r(6)));
        ki
    }

    #[test]
    fn reads_follow_generations() {
        let ki = example();
        assert_eq!(ki.get(2), Some(KeyAt { modified: r(2), created: r(1), version: 2 }));
        assert_eq!(ki.get(3), None);
        assert_eq!(ki.get(5), Some(KeyAt { modified: r(5), created: r(4), version: 2 }));
        assert_eq!(ki.get(9), None);
        assert_eq!(ki.since(3), vec![r(3), r(4), r(5), r(6)]);
    }

    #[test]
    fn compaction_matches_the_doc_example() {
        let revs = |ki: &KeyIndex| -> Vec<Vec<i64>> {
            ki.generations().map(|g| g.revs.iter().map(|r| r.main).collect()).collect()
        };
        let mut ki = example();
        let mut avail = BTreeSet::new();
        ki.compact(2, &mut avail);
        assert_eq!(revs(&ki), vec![vec![2, 3], vec![4, 5, 6], vec![]]);
        ki.compact(4, &mut avail);
        assert_eq!(revs(&ki), vec![vec![4, 5, 6], vec![]]);
        ki.compact(5, &mut avail);
        assert_eq!(revs(&ki), vec![vec![5, 6], vec![]]);
        ki.compact(6, &mut avail);
        assert!(ki.is_empty());
    }

    /// What a read at `at` must find, from the key's whole history of (main revision, is a
    /// delete): the last write at or before `at`, its generation's creation and how many writes
    /// that generation had seen by then.
    fn model(history: &[(i64, bool)], at: i64) -> Option<KeyAt> {
        let mut state: Option<KeyAt> = None;
        for &(main, delete) in history.iter().filter(|(m, _)| *m <= at) {
            state = match (delete, state) {
                (true, _) => None,
                (false, Some(k)) => Some(KeyAt { modified: r(main), version: k.version + 1, ..k }),
                (false, None) => Some(KeyAt { modified: r(main), created: r(main), version: 1 }),
            };
        }
        state
    }

    /// Random puts, deletes and compactions: every read at or after the last compaction agrees
    /// with the history, and the index is empty exactly when no such read can find anything.
    #[test]
    fn random_histories_read_as_their_model() {
        let mut rng = crate::sim::Rng::new(1);
        let mut next = |n: u64| rng.below(n);
        for _ in 0..2_000 {
            let mut ki = KeyIndex::default();
            let mut history = Vec::new();
            let mut compacted = 0;
            let mut rev = 1;
            for _ in 0..next(24) {
                rev += 1 + next(2) as i64;
                match next(5) {
                    0..=2 => {
                        ki.put(r(rev));
                        history.push((rev, false));
                    }
                    3 => {
                        if ki.tombstone(r(rev)) {
                            history.push((rev, true));
                        }
                    }
                    _ => {
                        compacted = compacted.max(rev - next(4) as i64);
                        ki.compact(compacted, &mut BTreeSet::new());
                    }
                }
                assert_eq!(ki.is_alive(), model(&history, rev).is_some());
            }
            let last = history.last().map_or(0, |h| h.0).max(compacted);
            for at in compacted..=last + 1 {
                assert_eq!(ki.get(at), model(&history, at), "at {at} after compacting at {compacted}: {history:?}");
            }
            let readable = (compacted..=last + 1).any(|at| model(&history, at).is_some());
            assert_eq!(ki.is_empty(), !readable, "{history:?} compacted at {compacted}");
        }
    }
}
