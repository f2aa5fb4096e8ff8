//! CronJob schedules as `robfig/cron/v3`'s `ParseStandard` reads them (five fields — minute,
//! hour, day of month, month, day of week — with `*`, `?`, ranges, steps, lists and month and
//! weekday names, or `@yearly` ... `@hourly` and `@every <duration>`), and the next activation
//! after an instant (`SpecSchedule.Next`). Times are unix seconds in the schedule's zone; the
//! caller shifts by the zone's offset. Parse errors are validation's business: a schedule that
//! does not parse here simply never fires.

/// Bit 63: the field was `*` or `?` (robfig's `starBit`), which changes how day of month and
/// day of week combine.
const STAR: u64 = 1 << 63;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    Fields { minute: u64, hour: u64, dom: u64, month: u64, dow: u64 },
    /// `@every <duration>`: a fixed period in seconds.
    Every(u64),
}

fn names(field: usize) -> &'static [(&'static str, u64)] {
    match field {
        3 => &[("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("may", 5), ("jun", 6), ("jul", 7), ("aug", 8), ("sep", 9), ("oct", 10), ("nov", 11), ("dec", 12)],
        4 => &[("sun", 0), ("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6)],
        _ => &[],
    }
}

const BOUNDS: [(u64, u64); 5] = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];

fn value(s: &str, field: usize) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    names(field).iter().find(|(n, _)| *n == lower).map(|(_, v)| *v).or_else(|| s.parse().ok())
}

fn parse_field(text: &str, field: usize) -> Option<u64> {
    let (min, max) = BOUNDS[field];
    let mut bits = 0u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s.parse::<u64>().ok().filter(|s| *s > 0)?)),
            None => (part, None),
        };
        let (lo, hi, star) = if range == "*" || range == "?" {
            (min, max, step.is_none_or(|s| s == 1))
        } else {
            match range.split_once('-') {
                Some((a, b)) => (value(a, field)?, value(b, field)?, false),
                None => {
                    let v = value(range, field)?;
                    (v, if step.is_some() { max } else { v }, false)
                }
            }
        };
        if lo < min || hi > max || lo > hi {
            return None;
        }
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step.unwrap_or(1);
        }
        if star {
            bits |= STAR;
        }
    }
    Some(bits)
}

/// Go's `time.ParseDuration` for `@every`: `1h30m`, `90s`, `5m` (whole seconds).
fn parse_duration(s: &str) -> Option<u64> {
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let n = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.').len();
        let num: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let (unit, len) = [("ms", 0.001), ("h", 3600.0), ("m", 60.0), ("s", 1.0)].iter().find(|(u, _)| rest.starts_with(*u)).map(|(u, f)| (*f, u.len()))?;
        total += num * unit;
        rest = &rest[len..];
    }
    (total >= 1.0).then_some(total as u64)
}

pub fn parse(spec: &str) -> Option<Schedule> {
    let spec = spec.trim();
    let spec = if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") { spec.split_once(' ')?.1.trim() } else { spec };
    let five = |s: &str| -> Option<Schedule> {
        let f: Vec<&str> = s.split_whitespace().collect();
        if f.len() != 5 {
            return None;
        }
        Some(Schedule::Fields { minute: parse_field(f[0], 0)?, hour: parse_field(f[1], 1)?, dom: parse_field(f[2], 2)?, month: parse_field(f[3], 3)?, dow: parse_field(f[4], 4)? })
    };
    match spec {
        "@yearly" | "@annually" => five("0 0 1 1 *"),
        "@monthly" => five("0 0 1 * *"),
        "@weekly" => five("0 0 * * 0"),
        "@daily" | "@midnight" => five("0 0 * * *"),
        "@hourly" => five("0 * * * *"),
        s if s.starts_with("@every ") => parse_duration(&s[7..]).map(Schedule::Every),
        s => five(s),
    }
}

/// How far ahead `next` looks before giving up (robfig gives up after five years too).
const MAX_YEARS_AHEAD: u64 = 5;

impl Schedule {
    /// The first activation strictly after `t` (unix seconds, in the schedule's zone).
    pub fn next(&self, t: u64) -> Option<u64> {
        let (minute, hour, dom, month, dow) = match self {
            Schedule::Every(p) => return Some(t + p),
            Schedule::Fields { minute, hour, dom, month, dow } => (*minute, *hour, *dom, *month, *dow),
        };
        let mut m = t / 60 + 1;
        let limit = m + MAX_YEARS_AHEAD * 366 * 24 * 60;
        while m < limit {
            let days = (m / 1440) as i64;
            let (_, mon, d) = crate::sim::civil_from_days(days);
            let (mon, d) = (u64::from(mon), u64::from(d));
            let wd = (days + 4).rem_euclid(7) as u64;
            let dom_ok = dom & (1 << d) != 0;
            let dow_ok = dow & (1 << wd) != 0;
            let day_ok = if dom & STAR != 0 || dow & STAR != 0 { dom_ok && dow_ok } else { dom_ok || dow_ok };
            if month & (1 << mon) == 0 || !day_ok {
                m = (m / 1440 + 1) * 1440;
                continue;
            }
            let h = m % 1440 / 60;
            if hour & (1 << h) == 0 {
                m = (m / 60 + 1) * 60;
                continue;
            }
            if minute & (1 << (m % 60)) == 0 {
                m += 1;
                continue;
            }
            return Some(m * 60);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-01T00:00:00Z, a Thursday.
    const T0: u64 = 1_767_225_600;

    #[test]
    fn next_activations() {
        let every_minute = parse("* * * * *").unwrap_or(Schedule::Every(1));
        assert_eq!(every_minute.next(T0), Some(T0 + 60));
        assert_eq!(every_minute.next(T0 + 59), Some(T0 + 60));
        let s = parse("*/15 9-17 * * mon-fri").unwrap_or(Schedule::Every(1));
        assert_eq!(s.next(T0), Some(T0 + 9 * 3600), "Thursday 09:00");
        let s = parse("@weekly").unwrap_or(Schedule::Every(1));
        assert_eq!(s.next(T0), Some(T0 + 3 * 86_400), "Sunday 4 January");
        // Day of month OR day of week when both are restricted.
        let s = parse("0 0 13 * fri").unwrap_or(Schedule::Every(1));
        assert_eq!(s.next(T0), Some(T0 + 86_400), "Friday 2 January");
        assert_eq!(parse("0 0 30 2 *").and_then(|s| s.next(T0)), None);
        assert_eq!(parse("@every 90s"), Some(Schedule::Every(90)));
        assert_eq!(parse("61 * * * *"), None);
    }
}
