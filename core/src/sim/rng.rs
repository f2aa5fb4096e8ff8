//! The one seeded random number generator every decision in a run draws from.
//!
//! SplitMix64 (Steele, Lea and Flood, 2014): tiny, fast, statistically sound for simulation and,
//! above all, the same sequence on every platform for the same seed. Written out here rather than
//! pulled from a crate so the bundle stays small and the sequence can never change under us with a
//! dependency update (a changed sequence would silently rewrite every golden transcript).

/// A deterministic pseudo-random generator. Never seeded from the OS.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value uniformly drawn from `0..bound` (Lemire's multiply-shift; the tiny bias for bounds
    /// that do not divide 2^64 is irrelevant at the sizes a simulation uses). `bound` 0 gives 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        ((self.next_u64() as u128 * bound as u128) >> 64) as u64
    }

    /// One character of `alphabet`, for generated names (`generateName`, pod-template-hash).
    pub fn pick_char(&mut self, alphabet: &[u8]) -> char {
        if alphabet.is_empty() {
            return '0';
        }
        alphabet[self.below(alphabet.len() as u64) as usize] as char
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let xs: Vec<u64> = (0..16).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..16).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(43).next_u64(), xs[0]);
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::new(7);
        for _ in 0..1000 {
            assert!(r.below(27) < 27);
        }
        assert_eq!(r.below(0), 0);
    }
}
