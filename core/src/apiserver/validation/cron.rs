//! The CronJob schedule check, mirroring `github.com/robfig/cron/v3`'s `ParseStandard` (five
//! fields, names for months and weekdays, `*`/`?`, ranges, steps, lists, and the descriptors
//! `@yearly` ... `@hourly` and `@every <duration>`) with its error texts, which kube-apiserver
//! returns verbatim as `spec.schedule: Invalid value: "<schedule>": <error>`.

struct Bounds {
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
}

const MONTHS: &[(&str, u64)] = &[
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];
const DAYS: &[(&str, u64)] = &[("sun", 0), ("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6)];

const FIELDS: [Bounds; 5] = [
    Bounds { min: 0, max: 59, names: &[] },
    Bounds { min: 0, max: 23, names: &[] },
    Bounds { min: 1, max: 31, names: &[] },
    Bounds { min: 1, max: 12, names: MONTHS },
    Bounds { min: 0, max: 6, names: DAYS },
];

/// `cron.ParseStandard(spec)`: `Ok` when the schedule parses, else the library's message.
pub fn parse_standard(spec: &str) -> Result<(), String> {
    if spec.is_empty() {
        return Err("empty spec string".into());
    }
    let mut spec = spec;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        // The zone is checked by the caller's TZ rules; the parser needs the rest.
        let Some(i) = spec.find(' ') else { return Err(format!("provided bad location {}", spec)) };
        spec = spec[i..].trim_start();
    }
    if spec.starts_with('@') {
        return parse_descriptor(spec);
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("expected exactly 5 fields, found {}: [{}]", fields.len(), fields.join(" ")));
    }
    for (field, bounds) in fields.iter().zip(FIELDS.iter()) {
        for range in field.split(',').filter(|r| !r.is_empty()) {
            get_range(range, bounds)?;
        }
    }
    Ok(())
}

fn parse_descriptor(spec: &str) -> Result<(), String> {
    match spec {
        "@yearly" | "@annually" | "@monthly" | "@weekly" | "@daily" | "@midnight" | "@hourly" => Ok(()),
        _ => match spec.strip_prefix("@every ") {
            Some(d) => {
                if is_go_duration(d) {
                    Ok(())
                } else {
                    Err(format!("failed to parse duration {spec}: time: invalid duration \"{d}\""))
                }
            }
            None => Err(format!("unrecognized descriptor: {spec}")),
        },
    }
}

/// A `time.ParseDuration` shape: `[+-]?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+` or `0`.
fn is_go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.').len();
        if digits == 0 || rest[..digits] == *"." {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"].iter().find(|u| rest.starts_with(*u));
        match unit {
            // "m" must not swallow the "ms" unit: the list tries "ms" first.
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

/// `mustParseInt`: Go's `strconv.Atoi` then a sign check.
fn must_parse_int(expr: &str) -> Result<u64, String> {
    match expr.parse::<i64>() {
        Ok(n) if n < 0 => Err(format!("negative number ({n}) not allowed: {expr}")),
        Ok(n) => Ok(n as u64),
        Err(e) => {
            let reason = if matches!(e.kind(), std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow) {
                "value out of range"
            } else {
                "invalid syntax"
            };
            Err(format!("failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": {reason}"))
        }
    }
}

fn parse_int_or_name(expr: &str, names: &[(&str, u64)]) -> Result<u64, String> {
    let lower = expr.to_lowercase();
    if let Some((_, n)) = names.iter().find(|(name, _)| *name == lower) {
        return Ok(*n);
    }
    must_parse_int(expr)
}

/// `getRange`.
fn get_range(expr: &str, r: &Bounds) -> Result<(), String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_and_high.len() == 1;
    let (start, mut end);
    if low_and_high[0] == "*" || low_and_high[0] == "?" {
        start = r.min;
        end = r.max;
    } else {
        start = parse_int_or_name(low_and_high[0], r.names)?;
        end = match low_and_high.len() {
            1 => start,
            2 => parse_int_or_name(low_and_high[1], r.names)?,
            _ => return Err(format!("too many hyphens: {expr}")),
        };
    }
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = must_parse_int(range_and_step[1])?;
            if single {
                end = r.max;
            }
            step
        }
        _ => return Err(format!("too many slashes: {expr}")),
    };
    if start < r.min {
        return Err(format!("beginning of range ({start}) below minimum ({}): {expr}", r.min));
    }
    if end > r.max {
        return Err(format!("end of range ({end}) above maximum ({}): {expr}", r.max));
    }
    if start > end {
        return Err(format!("beginning of range ({start}) beyond end of range ({end}): {expr}"));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_standard_schedules() {
        for s in ["*/5 * * * *", "0 0 * * 0", "0 9-17 * jan-mar MON-FRI", "@hourly", "@every 1h30m", "5,10 1 1 1 ?", "0 0 1/2 * *"] {
            assert_eq!(parse_standard(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn rejects_with_robfig_messages() {
        assert_eq!(parse_standard("* * *"), Err("expected exactly 5 fields, found 3: [* * *]".into()));
        assert_eq!(parse_standard("61 * * * *"), Err("end of range (61) above maximum (59): 61".into()));
        assert_eq!(parse_standard("* * 0 * *"), Err("beginning of range (0) below minimum (1): 0".into()));
        assert_eq!(parse_standard("5-2 * * * *"), Err("beginning of range (5) beyond end of range (2): 5-2".into()));
        assert_eq!(parse_standard("*/0 * * * *"), Err("step of range should be a positive number: */0".into()));
        assert_eq!(parse_standard("@fortnightly"), Err("unrecognized descriptor: @fortnightly".into()));
        assert_eq!(
            parse_standard("x * * * *"),
            Err("failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax".into())
        );
        assert_eq!(parse_standard("1-2-3 * * * *"), Err("too many hyphens: 1-2-3".into()));
        assert_eq!(parse_standard(""), Err("empty spec string".into()));
    }
}
