//! A small `resource.Quantity` (`k8s.io/apimachinery/pkg/api/resource/quantity.go`): parsing
//! `100m`, `1Gi`, `1e3`, `0.5`, exact comparison, and the canonical string that messages print
//! (`quantity.String()`: `1.5` prints as `1500m`, `1024Mi` as `1Gi`).
//!
//! Values are held exactly in nano units (10^-9), the finest scale Kubernetes keeps; finer
//! fractions round up as `ParseQuantity` does. Values beyond an i128 of nanos saturate.

use std::cmp::Ordering;

/// `resource.Format`: which suffix family the canonical form uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    DecimalSi,
    BinarySi,
    DecimalExponent,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantity {
    pub nanos: i128,
    pub format: Format,
}

/// `resource.ErrFormatWrong`, the text kube-apiserver gives for an unparsable quantity.
pub const FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const NANO: i128 = 1_000_000_000;

fn pow10(e: u32) -> Option<i128> {
    10i128.checked_pow(e)
}

impl Quantity {
    /// `resource.ParseQuantity`.
    pub fn parse(s: &str) -> Result<Quantity, &'static str> {
        let s = s.trim_end_matches(' ');
        if s.is_empty() {
            return Err(FORMAT_WRONG);
        }
        let b = s.as_bytes();
        let mut i = 0;
        let negative = match b.first() {
            Some(b'-') => {
                i = 1;
                true
            }
            Some(b'+') => {
                i = 1;
                false
            }
            _ => false,
        };
        let num_start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        let number = &s[num_start..i];
        let suffix = &s[i..];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(FORMAT_WRONG);
        }
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        // Suffix: binary, decimal SI, or an exponent.
        let (format, exp10, exp2): (Format, i64, u32) = match suffix {
            "" => (Format::DecimalSi, 0, 0),
            "n" => (Format::DecimalSi, -9, 0),
            "u" => (Format::DecimalSi, -6, 0),
            "m" => (Format::DecimalSi, -3, 0),
            "k" => (Format::DecimalSi, 3, 0),
            "M" => (Format::DecimalSi, 6, 0),
            "G" => (Format::DecimalSi, 9, 0),
            "T" => (Format::DecimalSi, 12, 0),
            "P" => (Format::DecimalSi, 15, 0),
            "E" => (Format::DecimalSi, 18, 0),
            "Ki" => (Format::BinarySi, 0, 10),
            "Mi" => (Format::BinarySi, 0, 20),
            "Gi" => (Format::BinarySi, 0, 30),
            "Ti" => (Format::BinarySi, 0, 40),
            "Pi" => (Format::BinarySi, 0, 50),
            "Ei" => (Format::BinarySi, 0, 60),
            other => {
                let Some(rest) = other.strip_prefix(['e', 'E']) else { return Err(FORMAT_WRONG) };
                let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
                if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) || digits.len() > 6 {
                    return Err(FORMAT_WRONG);
                }
                let e: i64 = digits.parse().map_err(|_| FORMAT_WRONG)?;
                (Format::DecimalExponent, if rest.starts_with('-') { -e } else { e }, 0)
            }
        };
        // mantissa = int_part.frac_part; value = mantissa * 10^exp10 * 2^exp2, in nanos.
        let digits: String = format!("{int_part}{frac_part}");
        let digits = digits.trim_start_matches('0');
        let scale = exp10 - frac_part.len() as i64 + 9; // power of ten applied to `digits` for nanos
        let nanos = scaled(digits, scale, exp2);
        let nanos = if negative { -nanos } else { nanos };
        // A binary quantity below one is shown in decimal (ParseQuantity switches the format).
        let format = if format == Format::BinarySi && nanos.abs() < NANO { Format::DecimalSi } else { format };
        Ok(Quantity { nanos, format })
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    pub fn sign(&self) -> Ordering {
        self.nanos.cmp(&0)
    }

    /// `Quantity.String()`, the canonical form.
    pub fn canonical(&self) -> String {
        if self.nanos == 0 {
            return "0".into();
        }
        let mut format = self.format;
        if format == Format::BinarySi && (self.nanos.abs() < 1024 * NANO || self.nanos % NANO != 0) {
            format = Format::DecimalSi;
        }
        let sign = if self.nanos < 0 { "-" } else { "" };
        let abs = self.nanos.unsigned_abs();
        if format == Format::BinarySi {
            let mut units = abs / NANO as u128;
            let mut exp = 0;
            while exp < 60 && units.is_multiple_of(1024) {
                units /= 1024;
                exp += 10;
            }
            let suffix = match exp {
                10 => "Ki",
                20 => "Mi",
                30 => "Gi",
                40 => "Ti",
                50 => "Pi",
                60 => "Ei",
                _ => "",
            };
            return format!("{sign}{units}{suffix}");
        }
        // Decimal: strip factors of ten down to an exponent that is a multiple of three.
        let mut mantissa = abs;
        let mut exp: i64 = -9;
        while mantissa.is_multiple_of(1000) && mantissa != 0 && exp < 18 {
            mantissa /= 1000;
            exp += 3;
        }
        if format == Format::DecimalExponent {
            // Go strips every factor of ten then pads back to a multiple of three.
            return if exp == 0 { format!("{sign}{mantissa}") } else { format!("{sign}{mantissa}e{exp}") };
        }
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
        format!("{sign}{mantissa}{suffix}")
    }

    /// `Quantity.MilliValue()` modulo 1000 is zero: the value is a whole number.
    pub fn is_integer(&self) -> bool {
        // MilliValue rounds up to milli first.
        let milli = (self.nanos + 999_999).div_euclid(1_000_000);
        milli % 1000 == 0
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.nanos.cmp(&other.nanos))
    }
}

/// `digits * 10^scale * 2^exp2`, rounding a fractional result up (to the next nano), saturating.
fn scaled(digits: &str, scale: i64, exp2: u32) -> i128 {
    if digits.is_empty() {
        return 0;
    }
    // Keep at most 36 significant digits; anything longer saturates or rounds.
    let significant = digits.len().min(36);
    let mut m: i128 = 0;
    for c in digits.bytes().take(significant) {
        m = m * 10 + i128::from(c - b'0');
    }
    let dropped = (digits.len() - significant) as i64;
    let scale = scale + dropped;
    let mut v = if scale >= 0 {
        match u32::try_from(scale).ok().and_then(pow10).and_then(|p| m.checked_mul(p)) {
            Some(v) => v,
            None => return i128::MAX,
        }
    } else {
        match u32::try_from(-scale).ok().and_then(pow10) {
            Some(p) => {
                let q = m / p;
                if m % p != 0 {
                    q + 1
                } else {
                    q
                }
            }
            None => 1, // a tiny positive fraction rounds up to one nano
        }
    };
    if exp2 > 0 {
        v = v.checked_mul(1i128 << exp2).unwrap_or(i128::MAX);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Quantity::parse(s).map(|q| q.canonical()).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn canonical_forms_match_quantity_string() {
        assert_eq!(canon("100m"), "100m");
        assert_eq!(canon("1000m"), "1");
        assert_eq!(canon("0.5"), "500m");
        assert_eq!(canon("1.5"), "1500m");
        assert_eq!(canon("1Gi"), "1Gi");
        assert_eq!(canon("1024Mi"), "1Gi");
        assert_eq!(canon("1536Mi"), "1536Mi");
        assert_eq!(canon("0.5Ki"), "512");
        assert_eq!(canon("1e3"), "1e3");
        assert_eq!(canon("1000"), "1k");
        assert_eq!(canon("0"), "0");
        assert_eq!(canon("-1"), "-1");
        assert_eq!(canon("0.1m"), "100u");
        assert_eq!(canon("2G"), "2G");
    }

    #[test]
    fn parse_errors_and_comparison() {
        assert_eq!(Quantity::parse("abc"), Err(FORMAT_WRONG));
        assert_eq!(Quantity::parse("1Q"), Err(FORMAT_WRONG));
        assert_eq!(Quantity::parse(""), Err(FORMAT_WRONG));
        assert_eq!(Quantity::parse("1.2.3"), Err(FORMAT_WRONG));
        assert!(Quantity::parse("1e999999999").is_err());
        let a = Quantity::parse("500m").ok();
        let b = Quantity::parse("0.5").ok();
        let c = Quantity::parse("1").ok();
        assert_eq!(a.as_ref().map(|q| q.nanos), b.as_ref().map(|q| q.nanos));
        assert!(c > a);
        assert!(Quantity::parse("1e30").is_ok());
        assert!(Quantity::parse("2").map(|q| q.is_integer()).unwrap_or(false));
        assert!(!Quantity::parse("1500m").map(|q| q.is_integer()).unwrap_or(true));
    }
}
