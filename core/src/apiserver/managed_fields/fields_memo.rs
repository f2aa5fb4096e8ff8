//! A memo of the last few `fieldsV1` trees decoded into field sets and field sets encoded into
//! `fieldsV1`. The objects of one workload share their field sets (every pod a ReplicaSet
//! creates, every one of a benchmark's pods: the same fields, the same list keys), so an update
//! decodes and encodes the same tree again and again; a copy of the earlier answer costs less
//! than parsing every `f:`/`k:` key and spelling it again.
//!
//! It answers exactly as the work would: an entry is used only for an input equal to the one it
//! was computed from, and decoding and encoding are pure functions of their input. Bounded: the
//! most recently used [`ENTRIES_MAX`] of each, an input remembered at its second miss (the
//! fingerprints of the last [`MISSES_KEPT`] misses are kept to tell).
//!
//! The most recent entry is compared directly (a workload's same tree again); the others keep a
//! fingerprint of their input (a hash), compared before the input itself: the trees of a
//! workload's pods differ only deep inside (a pod's status lists its IP as a key), so comparing
//! a new tree with every entry walked most of each before telling them apart, and a kubelet's
//! status updates, which rarely hit, paid sixteen such walks each.

use super::set::FieldSet;
use serde_json::Value;
use std::cell::RefCell;
use std::hash::{Hash, Hasher};

/// Trees remembered per direction.
pub const ENTRIES_MAX: usize = 16;

/// Fingerprints of the latest misses kept per direction: a tree is remembered only when it
/// misses a second time while its first miss is among these.
pub const MISSES_KEPT: usize = 64;

/// One direction's memo: the remembered trees, most recently used first, and the fingerprints
/// of the latest misses. A kubelet's status update carries its pod's IP, so its field set is
/// never seen again: remembering it on its first miss copied the set and its tree, and dropped
/// the entry it pushed out, for nothing (a tenth of a 5,000-node scheduling run's status
/// updates). A tree a workload repeats misses twice and then hits.
struct Memo<K, V> {
    entries: Vec<(u64, K, V)>,
    missed: Vec<u64>,
    next_miss: usize,
}

impl<K, V> Memo<K, V> {
    const fn new() -> Self {
        Memo { entries: Vec::new(), missed: Vec::new(), next_miss: 0 }
    }

    /// Notes a miss of fingerprint `fp`; true when it missed before, lately (remember it now).
    fn missed_again(&mut self, fp: u64) -> bool {
        if self.missed.contains(&fp) {
            return true;
        }
        if self.missed.len() < MISSES_KEPT {
            self.missed.push(fp);
        } else {
            self.missed[self.next_miss] = fp;
            self.next_miss = (self.next_miss + 1) % MISSES_KEPT;
        }
        false
    }
}

thread_local! {
    static DECODED: RefCell<Memo<Value, FieldSet>> = const { RefCell::new(Memo::new()) };
    static ENCODED: RefCell<Memo<FieldSet, Value>> = const { RefCell::new(Memo::new()) };
}

/// The fingerprint of a memo's input. Only ever compared within this run, before the inputs
/// themselves, so its value never decides an answer.
fn fingerprint<K: Hash>(key: &K) -> u64 {
    let mut h = Fx(0);
    key.hash(&mut h);
    h.finish()
}

/// A multiply-rotate hash (rustc's FxHasher): a tree is hashed in many small writes, where
/// SipHash's per-write rounds cost more than the compare they save on a memo hit.
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Looks `key` up in `memo`: a hit moves to the front and its answer is copied out; a miss
/// gives the key's fingerprint, to remember it by. The front entry is compared first and
/// directly (a workload's same tree again), the others by fingerprint first.
fn recall<K: PartialEq + Hash, V: Clone>(memo: &mut Vec<(u64, K, V)>, key: &K) -> Result<V, u64> {
    if let Some((_, _, answer)) = memo.first().filter(|(_, k, _)| k == key) {
        return Ok(answer.clone());
    }
    let fp = fingerprint(key);
    let Some(at) = memo.iter().position(|(f, k, _)| *f == fp && k == key) else { return Err(fp) };
    let hit = memo.remove(at);
    let answer = hit.2.clone();
    memo.insert(0, hit);
    Ok(answer)
}

/// Remembers `key` (copied) with its answer when it has missed before, lately.
fn remember<K: Clone, V: Clone>(memo: &mut Memo<K, V>, fp: u64, key: &K, value: &V) {
    if memo.missed_again(fp) {
        memo.entries.insert(0, (fp, key.clone(), value.clone()));
        memo.entries.truncate(ENTRIES_MAX);
    }
}

/// [`FieldSet::from_fields_v1`], from the memo when the same tree was decoded lately.
pub fn decode(v: &Value) -> Option<FieldSet> {
    let fp = match DECODED.with(|m| recall(&mut m.borrow_mut().entries, v)) {
        Ok(set) => return Some(set),
        Err(fp) => fp,
    };
    let set = FieldSet::from_fields_v1(v)?;
    DECODED.with(|m| remember(&mut m.borrow_mut(), fp, v, &set));
    Some(set)
}

/// [`FieldSet::to_fields_v1`], from the memo when the same set was encoded lately.
pub fn encode(set: &FieldSet) -> Value {
    let fp = match ENCODED.with(|m| recall(&mut m.borrow_mut().entries, set)) {
        Ok(v) => return v,
        Err(fp) => fp,
    };
    let v = set.to_fields_v1();
    ENCODED.with(|m| remember(&mut m.borrow_mut(), fp, set, &v));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Many distinct trees, each seen several times and in changing order: every answer is what
    /// decoding or encoding again gives, and malformed trees stay refused.
    #[test]
    fn answers_equal_the_work() {
        let trees: Vec<Value> = (0..40)
            .map(|i| {
                json!({"f:metadata": {"f:labels": {".": {}, format!("f:app{}", i % 7): {}}},
                    "f:spec": {format!("f:n{}", i % 5): {}, "f:containers": {format!("k:{{\"name\":\"c{}\"}}", i % 3): {".": {}, "f:image": {}}}}})
            })
            .collect();
        for round in 0..3 {
            for (i, t) in trees.iter().enumerate().filter(|(i, _)| (i + round) % 2 == 0 || *i < 20) {
                let want = FieldSet::from_fields_v1(t);
                assert_eq!(decode(t), want, "tree {i}");
                if let Some(set) = want {
                    assert_eq!(encode(&set), set.to_fields_v1(), "tree {i}");
                }
            }
        }
        for bad in [json!({"x": {}}), json!({"f:a": 1}), json!([])] {
            assert_eq!(decode(&bad), None);
            assert_eq!(decode(&bad), None);
        }
        assert!(DECODED.with(|m| m.borrow().entries.len()) <= ENTRIES_MAX);
        assert!(DECODED.with(|m| m.borrow().missed.len()) <= MISSES_KEPT);
    }
}
