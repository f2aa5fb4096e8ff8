//! The backend's records by revision: bbolt's `key` bucket, whose keys are revisions.
//!
//! Every write goes to a revision above all before it, so records only ever arrive at the end;
//! compaction removes them from anywhere. A vector sorted by revision serves that shape: an
//! append is a push, a lookup a binary search, and the records lie packed, where a B-tree filled
//! from one side leaves each leaf about half empty (twice the memory, and a fresh node every
//! few writes).

use super::kvstore::Record;
use super::revision::Revision;

/// Records in revision order, at most one per revision.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Backend {
    records: Vec<(Revision, Record)>,
}

impl Backend {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Where `rev` is, or where it would go. Main revisions are nearly dense (one per write,
    /// fewer after a compaction), so the first probe is where `rev.main` would sit if they were
    /// evenly spread; from there the bounds widen by doubling steps until they hold `rev`, and a
    /// binary search finishes inside them. On an uncompacted store the first probe lands within
    /// a txn's records of the answer: a handful of cache misses fewer than a binary search of a
    /// million records.
    fn position(&self, rev: Revision) -> Result<usize, usize> {
        let n = self.records.len();
        let at = |i: usize| self.records[i].0;
        let (Some(first), Some(last)) = (self.records.first().map(|f| f.0), self.records.last().map(|l| l.0)) else {
            return Err(0);
        };
        if rev <= first {
            return if rev == first { Ok(0) } else { Err(0) };
        }
        if rev > last {
            return Err(n);
        }
        let span = u128::try_from(last.main - first.main).unwrap_or(0).max(1);
        let offset = u128::try_from(rev.main - first.main).unwrap_or(0);
        let g = usize::try_from(offset * (n as u128 - 1) / span).unwrap_or(n - 1).min(n - 1);
        let (lo, hi) = if at(g) < rev {
            // The answer is past g.
            let (mut lo, mut step) = (g + 1, 1);
            loop {
                let probe = g + step;
                if probe >= n {
                    break (lo, n);
                }
                if at(probe) >= rev {
                    break (lo, probe + 1);
                }
                lo = probe + 1;
                step *= 2;
            }
        } else {
            // The answer is at g or before.
            let (mut hi, mut step) = (g + 1, 1);
            loop {
                if step > g {
                    break (0, hi);
                }
                let probe = g - step;
                if at(probe) < rev {
                    break (probe + 1, hi);
                }
                hi = probe + 1;
                step *= 2;
            }
        };
        match self.records[lo..hi].binary_search_by(|(r, _)| r.cmp(&rev)) {
            Ok(i) => Ok(lo + i),
            Err(i) => Err(lo + i),
        }
    }

    pub fn get(&self, rev: Revision) -> Option<&Record> {
        self.position(rev).ok().map(|i| &self.records[i].1)
    }

    /// Stores `record` at `rev`, replacing one already there; a push when `rev` is the newest.
    pub fn insert(&mut self, rev: Revision, record: Record) -> &Record {
        let i = match self.records.last() {
            Some((last, _)) if *last >= rev => match self.position(rev) {
                Ok(i) => {
                    self.records[i].1 = record;
                    i
                }
                Err(i) => {
                    self.records.insert(i, (rev, record));
                    i
                }
            },
            _ => {
                self.records.push((rev, record));
                self.records.len() - 1
            }
        };
        &self.records[i].1
    }

    /// Keeps the records `keep` accepts, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Revision, &Record) -> bool) {
        self.records.retain(|(r, rec)| keep(r, rec));
    }

    /// Every record, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Revision, &Record)> + ExactSizeIterator {
        self.records.iter().map(|(r, rec)| (r, rec))
    }

    /// The records at `from` and after, oldest first.
    pub fn from(&self, from: Revision) -> impl DoubleEndedIterator<Item = (&Revision, &Record)> + ExactSizeIterator {
        let start = self.position(from).unwrap_or_else(|i| i);
        self.records[start..].iter().map(|(r, rec)| (r, rec))
    }

    /// The records at `from` and after but before `end`, oldest first.
    pub fn between(&self, from: Revision, end: Revision) -> impl DoubleEndedIterator<Item = (&Revision, &Record)> + ExactSizeIterator {
        let start = self.position(from).unwrap_or_else(|i| i);
        let stop = self.position(end).unwrap_or_else(|i| i).max(start);
        self.records[start..stop].iter().map(|(r, rec)| (r, rec))
    }

    /// The records before `end`, oldest first.
    pub fn before(&self, end: Revision) -> impl DoubleEndedIterator<Item = (&Revision, &Record)> + ExactSizeIterator {
        let stop = self.position(end).unwrap_or_else(|i| i);
        self.records[..stop].iter().map(|(r, rec)| (r, rec))
    }
}

impl FromIterator<(Revision, Record)> for Backend {
    /// Records in any order; of two at one revision the later wins, as repeated inserts would.
    fn from_iter<I: IntoIterator<Item = (Revision, Record)>>(iter: I) -> Self {
        let mut records: Vec<(Revision, Record)> = iter.into_iter().collect();
        records.sort_by_key(|(r, _)| *r);
        let mut out: Vec<(Revision, Record)> = Vec::with_capacity(records.len());
        for (r, rec) in records {
            match out.last_mut() {
                Some(last) if last.0 == r => last.1 = rec,
                _ => out.push((r, rec)),
            }
        }
        Backend { records: out }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::rpc::KeyValue;

    fn rec(key: &str) -> Record {
        Record { kv: KeyValue { key: key.as_bytes().to_vec(), ..Default::default() }, tombstone: false }
    }

    #[test]
    fn keeps_revision_order_whatever_the_insert_order() {
        let mut b = Backend::default();
        for (main, sub, key) in [(2, 0, "b"), (3, 1, "d"), (1, 0, "a"), (3, 0, "c"), (2, 0, "b2")] {
            b.insert(Revision::new(main, sub), rec(key));
        }
        let keys = |it: &mut dyn Iterator<Item = (&Revision, &Record)>| -> Vec<String> {
            it.map(|(_, r)| String::from_utf8_lossy(&r.kv.key).to_string()).collect()
        };
        assert_eq!(keys(&mut b.iter()), ["a", "b2", "c", "d"]);
        assert_eq!(keys(&mut b.from(Revision::new(2, 1))), ["c", "d"]);
        assert_eq!(keys(&mut b.before(Revision::new(3, 0))), ["a", "b2"]);
        assert_eq!(keys(&mut b.between(Revision::new(2, 0), Revision::new(3, 1))), ["b2", "c"]);
        assert_eq!(keys(&mut b.between(Revision::new(3, 0), Revision::new(1, 0))), [] as [&str; 0]);
        assert_eq!(b.get(Revision::new(3, 1)).map(|r| r.kv.key.clone()), Some(b"d".to_vec()));
        assert_eq!(b.get(Revision::new(4, 0)), None);
        let collected: Backend = b.iter().rev().map(|(r, rec)| (*r, rec.clone())).collect();
        assert_eq!(collected, b);
        b.retain(|r, _| r.main != 2);
        assert_eq!(keys(&mut b.iter()), ["a", "c", "d"]);
    }

    /// The probing search answers as a plain binary search does, over backends with gaps of
    /// every size (compactions) and several records per main revision (txns).
    #[test]
    fn position_agrees_with_binary_search() {
        let mut rng = crate::sim::Rng::new(2);
        let mut next = |n: u64| rng.below(n);
        for _ in 0..500 {
            let mut b = Backend::default();
            let mut main = 1 + next(5) as i64;
            for _ in 0..next(200) {
                main += [0, 1, 1, 1, 2, 40][next(6) as usize];
                let sub = b.records.last().filter(|l| l.0.main == main).map_or(0, |l| l.0.sub + 1);
                b.insert(Revision::new(main, sub), rec("k"));
            }
            for main in 0..main + 3 {
                for sub in 0..3 {
                    let rev = Revision::new(main, sub);
                    assert_eq!(b.position(rev), b.records.binary_search_by(|(r, _)| r.cmp(&rev)), "{rev:?}");
                }
            }
        }
    }
}
