//! `resource.Quantity` from k8s.io/apimachinery: parsing (`100m`, `0.5`, `1Gi`, `500Mi`, `1e3`,
//! `2k`), exact addition, comparison and the canonical form Kubernetes prints.
//!
//! A quantity is held as an integer count of nano-units (`i128`), which is exact for every suffix
//! from `n` to `E`/`Ei`; finer input is rounded up to the nano, as apimachinery does. The format
//! (decimal SI, binary SI or decimal exponent) comes from the suffix and decides how the value is
//! printed:
//!
//! ```text
//! parse     canonical   why
//! 0.5       500m        decimal values print with the largest suffix that keeps an integer
//! 1000      1k
//! 1500      1500        (1.5k is not an integer)
//! 2000m     2
//! 1024Mi    1Gi         binary values likewise with Ki..Ei
//! 1.5Gi     1536Mi
//! 0.5Ki     512         binary values under 1024 print as decimal
//! 1e3       1e3         exponent form keeps its form, exponent a multiple of 3
//! ```
//!
//! Sums keep the format of the left operand unless it is zero (then the right one's), as
//! `Quantity.Add` does; so summing `128Mi` onto an empty total prints in `Mi`.

use serde_json::Value;
use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    DecimalSI,
    BinarySI,
    DecimalExponent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    nanos: i128,
    pub format: Format,
}

const NANO: i128 = 1_000_000_000;

/// Input longer than this is refused rather than risking overflow (real quantities are short).
const INPUT_CHARS_MAX: usize = 40;

impl Quantity {
    pub const ZERO: Quantity = Quantity { nanos: 0, format: Format::DecimalSI };

    /// An integer count (`pods=1`), decimal SI.
    pub fn from_units(units: i64) -> Self {
        Quantity { nanos: i128::from(units) * NANO, format: Format::DecimalSI }
    }

    /// Parses Kubernetes' quantity syntax: `<signed number><suffix>` with suffix one of
    /// `n u m "" k M G T P E`, `Ki Mi Gi Ti Pi Ei`, or `e<int>`/`E<int>`. None when malformed.
    pub fn parse(s: &str) -> Option<Quantity> {
        let s = s.trim();
        if s.is_empty() || s.len() > INPUT_CHARS_MAX {
            return None;
        }
        let (negative, rest) = match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(number_len);
        let (int_part, frac_part) = match number.split_once('.') {
            Some((i, f)) => (i, f),
            None => (number, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
            return None;
        }
        let mut mantissa: i128 = 0;
        for c in int_part.chars().chain(frac_part.chars()) {
            mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(c.to_digit(10)?))?;
        }
        let frac_digits = frac_part.len() as i32;
        let (format, dec_exp, bin_exp) = parse_suffix(suffix)?;
        // value = mantissa * 10^(dec_exp - frac_digits) * 2^bin_exp, in nanos: * 10^9.
        let mut nanos = mantissa.checked_mul(1i128.checked_shl(bin_exp)?)?;
        let exp10 = dec_exp - frac_digits + 9;
        if exp10 >= 0 {
            nanos = nanos.checked_mul(10i128.checked_pow(exp10 as u32)?)?;
        } else {
            let div = 10i128.checked_pow((-exp10) as u32)?;
            nanos = (nanos + div - 1) / div; // round up to the nano, as apimachinery does
        }
        Some(Quantity { nanos: if negative { -nanos } else { nanos }, format })
    }

    /// A quantity from JSON: a string (`"500m"`) or a bare number (`1`, `0.5`).
    pub fn from_json(v: &Value) -> Option<Quantity> {
        match v {
            Value::String(s) => Quantity::parse(s),
            Value::Number(n) => Quantity::parse(&n.to_string()),
            _ => None,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// `MilliValue()`: thousandths, rounded up.
    pub fn milli_value(&self) -> i128 {
        let d = NANO / 1000;
        if self.nanos >= 0 {
            (self.nanos + d - 1) / d
        } else {
            self.nanos / d
        }
    }

    pub fn plus(self, other: Quantity) -> Quantity {
        let format = if self.nanos == 0 { other.format } else { self.format };
        Quantity { nanos: self.nanos.saturating_add(other.nanos), format }
    }

    pub fn minus(self, other: Quantity) -> Quantity {
        let format = if self.nanos == 0 { other.format } else { self.format };
        Quantity { nanos: self.nanos.saturating_sub(other.nanos), format }
    }

    /// The larger of the two by value (ties keep `self`).
    pub fn max(self, other: Quantity) -> Quantity {
        if other.nanos > self.nanos {
            other
        } else {
            self
        }
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.nanos.cmp(&other.nanos))
    }
}

/// `(format, decimal exponent, binary exponent)` of a suffix.
fn parse_suffix(suffix: &str) -> Option<(Format, i32, u32)> {
    let dec = |e| Some((Format::DecimalSI, e, 0));
    let bin = |e| Some((Format::BinarySI, 0, e));
    match suffix {
        "" => dec(0),
        "n" => dec(-9),
        "u" => dec(-6),
        "m" => dec(-3),
        "k" => dec(3),
        "M" => dec(6),
        "G" => dec(9),
        "T" => dec(12),
        "P" => dec(15),
        "E" => dec(18),
        "Ki" => bin(10),
        "Mi" => bin(20),
        "Gi" => bin(30),
        "Ti" => bin(40),
        "Pi" => bin(50),
        "Ei" => bin(60),
        _ => {
            let exp = suffix.strip_prefix('e').or_else(|| suffix.strip_prefix('E'))?;
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 3 {
                return None;
            }
            Some((Format::DecimalExponent, exp.parse().ok()?, 0))
        }
    }
}

impl fmt::Display for Quantity {
    /// The canonical form (`Quantity.String()`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        let sign = if self.nanos < 0 { "-" } else { "" };
        let abs = self.nanos.unsigned_abs();
        let binary = self.format == Format::BinarySI && abs >= 1024 * NANO as u128 && abs.is_multiple_of(NANO as u128);
        if binary {
            let mut units = abs / NANO as u128;
            let mut k = 0;
            while k < 6 && units.is_multiple_of(1024) {
                units /= 1024;
                k += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][k];
            return write!(f, "{sign}{units}{suffix}");
        }
        let mut mantissa = abs;
        let mut exp: i32 = -9;
        while exp < 18 && mantissa.is_multiple_of(1000) {
            mantissa /= 1000;
            exp += 3;
        }
        if self.format == Format::DecimalExponent {
            if exp == 0 {
                write!(f, "{sign}{mantissa}")
            } else {
                write!(f, "{sign}{mantissa}e{exp}")
            }
        } else {
            let suffix = match exp {
                -9 => "n",
                -6 => "u",
                -3 => "m",
                0 => "",
                3 => "k",
                6 => "M",
                9 => "G",
                12 => "T",
                15 => "P",
                _ => "E",
            };
            write!(f, "{sign}{mantissa}{suffix}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Quantity::parse(s).map(|q| q.to_string()).unwrap_or_else(|| "<invalid>".into())
    }

    #[test]
    fn canonical_forms() {
        for (input, want) in [
            ("100m", "100m"),
            ("0.5", "500m"),
            (".5", "500m"),
            ("1Gi", "1Gi"),
            ("500Mi", "500Mi"),
            ("1e3", "1e3"),
            ("1E3", "1e3"),
            ("2k", "2k"),
            ("1000", "1k"),
            ("1500", "1500"),
            ("1500m", "1500m"),
            ("2000m", "2"),
            ("1024Mi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("0.5Ki", "512"),
            ("0.1", "100m"),
            ("10", "10"),
            ("0", "0"),
            ("-1", "-1"),
            ("+2", "2"),
            ("1.5e3", "1500"),
            ("1n", "1n"),
            ("0.0000000001", "1n"),
            ("128974848", "128974848"),
            ("129M", "129M"),
            ("123Mi", "123Mi"),
        ] {
            assert_eq!(canon(input), want, "{input}");
        }
        for bad in ["", "1K", "abc", "1.2.3", "1Qi", "--1", "1e", "."] {
            assert_eq!(canon(bad), "<invalid>", "{bad:?}");
        }
    }

    #[test]
    fn arithmetic_and_order() {
        let q = |s| Quantity::parse(s).unwrap_or(Quantity::ZERO);
        assert_eq!(q("100m").plus(q("400m")).to_string(), "500m");
        assert_eq!(q("1").plus(q("500m")).to_string(), "1500m");
        assert_eq!(Quantity::ZERO.plus(q("128Mi")).to_string(), "128Mi");
        assert_eq!(q("1Gi").plus(q("1Gi")).to_string(), "2Gi");
        assert_eq!(q("1").minus(q("1")).to_string(), "0");
        assert!(q("1") > q("999m"));
        assert!(q("1Gi") > q("1G"));
        assert_eq!(q("1").partial_cmp(&q("1000m")), Some(Ordering::Equal));
        assert_eq!(q("100m").milli_value(), 100);
        assert_eq!(q("1n").milli_value(), 1);
        assert_eq!(Quantity::from_json(&serde_json::json!(2)).map(|q| q.to_string()), Some("2".into()));
        assert_eq!(Quantity::from_json(&serde_json::json!(0.25)).map(|q| q.to_string()), Some("250m".into()));
    }
}
