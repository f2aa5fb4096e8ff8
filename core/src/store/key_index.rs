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

/// Every generation of one key; the last one is the current (possibly empty) generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyIndex {
    pub modified: Revision,
    pub generations: Vec<Generation>,
}

impl Default for KeyIndex {
    fn default() -> Self {
        KeyIndex { modified: Revision::default(), generations: vec![Generation::default()] }
    }
}

impl KeyIndex {
    /// A key index as rebuilt from its oldest surviving record (etcd's `restore`): one
    /// generation created at `created` that has seen `ver` writes up to `modified`.
    pub fn restore(created: Revision, modified: Revision, ver: i64) -> Self {
        KeyIndex { modified, generations: vec![Generation { ver, created, revs: vec![modified] }] }
    }

    /// Records a put at `rev` in the current generation, starting it if it is empty.
    ///
    /// `created` keeps only the main revision: that is all a read reports, and it is all etcd's
    /// restore can recover, so a restored index equals the live one.
    pub fn put(&mut self, rev: Revision) {
        if self.generations.is_empty() {
            self.generations.push(Generation::default());
        }
        let last = self.generations.len() - 1;
        let g = &mut self.generations[last];
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
        if self.generations.last().is_none_or(|g| g.revs.is_empty()) {
            return false;
        }
        self.put(rev);
        self.generations.push(Generation::default());
        true
    }

    /// Whether the key exists (is between a put and a tombstone) right now.
    pub fn is_alive(&self) -> bool {
        self.generations.last().is_some_and(|g| !g.revs.is_empty())
    }

    /// The generation that was alive at main revision `at`, as etcd's `findGeneration`.
    fn find_generation(&self, at: i64) -> Option<&Generation> {
        let last = self.generations.len().checked_sub(1)?;
        for (i, g) in self.generations.iter().enumerate().rev() {
            let (Some(first), Some(end)) = (g.revs.first(), g.revs.last()) else { continue };
            if i != last && end.main <= at {
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
        for g in &self.generations {
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
        if self.generations.is_empty() {
            return;
        }
        // Skip generations whose tombstone is at or before `at`: nothing in them is readable.
        let mut gen = 0;
        while gen + 1 < self.generations.len() {
            match self.generations[gen].revs.last() {
                Some(tomb) if tomb.main > at => break,
                _ => gen += 1,
            }
        }
        let last_gen = self.generations.len() - 1;
        let g = &mut self.generations[gen];
        if let Some(keep) = g.revs.iter().rposition(|r| r.main <= at) {
            available.insert(g.revs[keep]);
            g.revs.drain(..keep);
            if g.revs.len() == 1 && gen != last_gen {
                // Only the tombstone is left: the generation is gone at `at`.
                available.remove(&g.revs[0]);
                gen += 1;
            }
        }
        self.generations.drain(..gen);
    }

    /// Whether compaction removed every generation that had any revision.
    pub fn is_empty(&self) -> bool {
        self.generations.iter().all(|g| g.revs.is_empty())
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
            ki.generations.iter().map(|g| g.revs.iter().map(|r| r.main).collect()).collect()
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
}
