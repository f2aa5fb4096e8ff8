//! Leases: a TTL that keys can be attached to; when it runs out, every attached key goes.
//!
//! Mirrors etcd's `lease/lessor.go`. Time is virtual milliseconds passed in by the caller; the
//! lessor never reads a clock. Expiry is found by [`Lessor::expired`] and carried out by the
//! store as one revoke per lease, which deletes all of that lease's keys in a single revision.

use super::errors::StoreError;
use std::collections::{BTreeMap, BTreeSet};

/// etcd's minimum TTL: `3/2 * election-timeout` (1 s by default) rounded up, so a grant of
/// 0 or 1 second comes back as 2.
pub const MIN_TTL_S: i64 = 2;

/// etcd's `MaxLeaseTTL`, about 285 years.
pub const MAX_TTL_S: i64 = 9_000_000_000;

/// One lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub id: i64,
    /// The TTL granted, after raising it to [`MIN_TTL_S`].
    pub ttl_s: i64,
    /// When it runs out, in virtual milliseconds.
    pub expiry_ms: u64,
    /// Attached keys, sorted: a revoke deletes them in this order. Not part of a snapshot: as
    /// etcd's lease bucket holds only ID and TTL, a snapshot's leases have no keys and restore
    /// attaches each live key to the lease its newest record names ([`Lessor::restore`]).
    pub keys: BTreeSet<Vec<u8>>,
}

impl Lease {
    /// Whole seconds left, truncated as etcd's `int64(Remaining().Seconds())`. A real request
    /// always arrives a little after the grant, so one millisecond is taken off: right after
    /// `lease grant 60` etcd reports `remaining(59s)`, and so do we.
    pub fn remaining_s(&self, now_ms: u64) -> i64 {
        (self.expiry_ms.saturating_sub(now_ms).saturating_sub(1) / 1000) as i64
    }
}

/// Every lease, by ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lessor {
    pub(crate) leases: BTreeMap<i64, Lease>,
    /// The next ID to hand out when a grant asks for none.
    pub(crate) next_id: i64,
}

/// The first lease ID; etcd derives its IDs from the member ID and a clock, so the exact value
/// differs per cluster. Ours is fixed, with the same shape (16 hex digits).
const FIRST_LEASE_ID: i64 = 0x694d_7a0b_3e6f_2a01;

impl Default for Lessor {
    fn default() -> Self {
        Lessor { leases: BTreeMap::new(), next_id: FIRST_LEASE_ID }
    }
}

impl Lessor {
    /// Creates a lease; `id == 0` picks the next free one. Returns the ID and granted TTL.
    pub fn grant(&mut self, id: i64, ttl_s: i64, now_ms: u64) -> Result<(i64, i64), StoreError> {
        let id = if id == 0 { self.next_free_id() } else { id };
        if self.leases.contains_key(&id) {
            return Err(StoreError::LeaseExist);
        }
        let ttl_s = ttl_s.clamp(MIN_TTL_S, MAX_TTL_S);
        let expiry_ms = now_ms.saturating_add(ttl_s as u64 * 1000);
        self.leases.insert(id, Lease { id, ttl_s, expiry_ms, keys: BTreeSet::new() });
        // etcd's IDs come from a generator that only moves forward: an ID freed by a revoke is
        // not handed out again. The store peeks the ID before its WAL entry and grants it here.
        if id == self.next_id {
            self.next_id = id.wrapping_add(1);
        }
        Ok((id, ttl_s))
    }

    /// The ID the next grant without an ID will get.
    pub fn peek_free_id(&self) -> i64 {
        let mut id = self.next_id;
        while self.leases.contains_key(&id) || id == 0 {
            id = id.wrapping_add(1);
        }
        id
    }

    fn next_free_id(&mut self) -> i64 {
        while self.leases.contains_key(&self.next_id) || self.next_id == 0 {
            self.next_id = self.next_id.wrapping_add(1);
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    pub fn get(&self, id: i64) -> Option<&Lease> {
        self.leases.get(&id)
    }

    /// Removes a lease and returns its keys; the caller deletes them.
    pub fn revoke(&mut self, id: i64) -> Result<Lease, StoreError> {
        self.leases.remove(&id).ok_or(StoreError::LeaseNotFound)
    }

    /// Restarts the lease's TTL from `now_ms` (etcd's `Renew`); returns the TTL.
    pub fn keep_alive(&mut self, id: i64, now_ms: u64) -> Result<i64, StoreError> {
        let l = self.leases.get_mut(&id).ok_or(StoreError::LeaseNotFound)?;
        l.expiry_ms = now_ms.saturating_add(l.ttl_s as u64 * 1000);
        Ok(l.ttl_s)
    }

    /// The leases as a snapshot holds them: ID, TTL and expiry, without their keys (etcd's
    /// lease bucket). The store snapshots every `--snapshot-count` entries; copying the keys
    /// each time (every Event's key, on one shared lease) was 7% of a 5,000-node scheduling run.
    pub fn without_keys(&self) -> BTreeMap<i64, Lease> {
        self.leases.values().map(|l| (l.id, Lease { id: l.id, ttl_s: l.ttl_s, expiry_ms: l.expiry_ms, keys: BTreeSet::new() })).collect()
    }

    /// A lessor from a snapshot's leases, each live key attached to the lease its newest record
    /// names, as etcd's mvcc restore re-attaches keys while it rebuilds the index.
    pub fn restore(leases: &BTreeMap<i64, Lease>, next_id: i64, records: &BTreeMap<super::revision::Revision, super::kvstore::Record>) -> Lessor {
        let mut lessor = Lessor { leases: leases.clone(), next_id };
        let mut newest: BTreeMap<&[u8], i64> = BTreeMap::new();
        for rec in records.values() {
            if rec.tombstone {
                newest.remove(rec.kv.key.as_slice());
            } else {
                newest.insert(&rec.kv.key, rec.kv.lease);
            }
        }
        for (key, id) in newest {
            if id != 0 {
                lessor.attach(id, key);
            }
        }
        lessor
    }

    pub fn attach(&mut self, id: i64, key: &[u8]) {
        if let Some(l) = self.leases.get_mut(&id) {
            l.keys.insert(key.to_vec());
        }
    }

    pub fn detach(&mut self, id: i64, key: &[u8]) {
        if let Some(l) = self.leases.get_mut(&id).filter(|l| l.keys.contains(key)) {
            l.keys.remove(key);
        }
    }

    /// Leases whose time is up at `now_ms`, earliest expiry first (ties by ID).
    pub fn expired(&self, now_ms: u64) -> Vec<i64> {
        let mut due: Vec<(u64, i64)> =
            self.leases.values().filter(|l| l.expiry_ms <= now_ms).map(|l| (l.expiry_ms, l.id)).collect();
        due.sort_unstable();
        due.into_iter().map(|(_, id)| id).collect()
    }

    /// Every lease ID, soonest expiry first, as etcd's `Leases()` sorts them.
    pub fn ids(&self) -> Vec<i64> {
        let mut all: Vec<(u64, i64)> = self.leases.values().map(|l| (l.expiry_ms, l.id)).collect();
        all.sort_unstable();
        all.into_iter().map(|(_, id)| id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As etcd's ID generator, the lessor never hands out a revoked lease's ID again, even when
    /// the store names the ID itself (it peeks it before writing the grant to its WAL).
    #[test]
    fn a_revoked_id_is_not_granted_again() {
        let mut l = Lessor::default();
        let first = l.peek_free_id();
        l.grant(first, 60, 0).unwrap();
        l.leases.remove(&first);
        assert_ne!(l.peek_free_id(), first);
    }

    #[test]
    fn short_ttls_are_raised_and_expire_in_virtual_time() {
        let mut l = Lessor::default();
        let (id, ttl) = l.grant(0, 1, 1_000).unwrap();
        assert_eq!(ttl, MIN_TTL_S);
        assert_eq!(l.get(id).unwrap().remaining_s(1_000), 1);
        assert!(l.expired(2_999).is_empty());
        assert_eq!(l.expired(3_000), vec![id]);
    }
}
