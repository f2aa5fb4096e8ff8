//! A revision: the position of one change in the store's history.
//!
//! Mirrors etcd's `mvcc/revision.go`. `main` is the cluster revision the write transaction
//! produced; `sub` numbers the changes inside that transaction (a txn that puts two keys writes
//! `{main: 7, sub: 0}` and `{main: 7, sub: 1}`). Ordering is by `main`, then `sub`, which is also
//! the order etcd's backend stores them in, so history is a `BTreeMap<Revision, _>` walk.

/// One change's place in history.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Revision {
    pub main: i64,
    pub sub: i64,
}

impl Revision {
    pub fn new(main: i64, sub: i64) -> Self {
        Revision { main, sub }
    }
}

impl std::fmt::Display for Revision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.main, self.sub)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_main_then_sub() {
        assert!(Revision::new(2, 5) < Revision::new(3, 0));
        assert!(Revision::new(3, 0) < Revision::new(3, 1));
    }
}
