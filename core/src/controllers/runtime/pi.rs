//! The digits of pi, for the Job every Kubernetes tutorial runs: `perl -Mbignum=bpi -wle
//! 'print bpi(2000)'`. A spigot (Rabinowitz and Wagon) in base 10,000 on integers, so the
//! simulation prints the real digits without a big-number library.

/// At most this many digits are computed (bpi(N) with a larger N is clamped).
pub const MAX_DIGITS: usize = 10_000;

/// Pi to `digits` significant digits, rounded as Math::BigFloat's `bpi` rounds: `3.14159...`.
pub fn pi(digits: usize) -> String {
    let digits = digits.clamp(1, MAX_DIGITS);
    // Four guard digits beyond what is printed, then round half up.
    let raw = spigot(digits + 4);
    let mut d: Vec<u8> = raw.bytes().map(|b| b - b'0').collect();
    let round_up = d.get(digits).is_some_and(|&x| x >= 5);
    d.truncate(digits);
    if round_up {
        for x in d.iter_mut().rev() {
            if *x == 9 {
                *x = 0;
            } else {
                *x += 1;
                break;
            }
        }
    }
    let text: String = d.iter().map(|x| char::from(b'0' + x)).collect();
    match text.split_at(1) {
        (int, "") => int.to_string(),
        (int, frac) => format!("{int}.{frac}"),
    }
}

/// At least `n` decimal digits of pi, starting with the 3, as one string.
fn spigot(n: usize) -> String {
    // Base 10,000: each step yields four digits; len = n * 14 / 4 terms suffice.
    let steps = n.div_ceil(4) + 1;
    let len = steps * 14;
    let mut r: Vec<u64> = vec![2_000; len + 1];
    let mut out = String::with_capacity(steps * 4);
    let mut carry: u64 = 0;
    let mut k = len;
    while k > 0 {
        let mut d: u64 = 0;
        let mut i = k;
        while i > 0 {
            d = d * i as u64 + r[i] * 10_000;
            let g = 2 * i as u64 - 1;
            r[i] = d % g;
            d /= g;
            i -= 1;
        }
        out.push_str(&format!("{:04}", carry + d / 10_000));
        carry = d % 10_000;
        k = k.saturating_sub(14);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digits() {
        assert_eq!(pi(10), "3.141592654");
        assert_eq!(pi(1), "3");
        let long = pi(2000);
        assert_eq!(long.len(), 2001);
        assert!(long.starts_with("3.14159265358979323846264338327950288419716939937510"));
        // Digits 761-767 after the point are the Feynman point "999999".
        assert_eq!(&long[2 + 761..2 + 767], "999999");
    }
}
