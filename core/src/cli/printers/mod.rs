//! kubectl's printers: the server-side table columns per kind, ages, and `-o yaml|json|name`.

mod columns;
pub mod describe;
pub mod jsonpath;
mod yaml;
mod pod_status;
pub mod sorter;

pub use columns::{columns, headers};
pub use pod_status::pod_status;

use crate::api::KindInfo;
use crate::sim::Time;
use serde_json::Value;

/// `k8s.io/apimachinery/pkg/util/duration.HumanDuration`: the AGE column's format.
pub fn human_duration(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{h}h", hours / 24) };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{dy}d", hours / 24 / 365) };
    }
    format!("{}y", hours / 24 / 365)
}

/// Milliseconds of virtual time at an RFC 3339 timestamp written by the simulation (virtual time
/// 0 is 2026-01-01T00:00:00Z). Unparseable timestamps give `None` (printed `<unknown>`).
pub fn parse_time(ts: &str) -> Option<i64> {
    let b = ts.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| ts.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from civil (Howard Hinnant), relative to 2026-01-01.
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let unix = days * 86_400 + h * 3600 + mi * 60 + s;
    Some((unix - 1_767_225_600) * 1000)
}

/// The AGE of an object at `now`.
pub fn age(obj: &Value, now: Time) -> String {
    match obj["metadata"]["creationTimestamp"].as_str().and_then(parse_time) {
        Some(t) => human_duration(now.as_ms() as i64 - t),
        None => "<unknown>".into(),
    }
}

/// Lays rows out as kubectl's tabwriter does (minimum width 6, padding 3, the last column
/// unpadded), one line each.
pub fn render_table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i + 1 < row.len() {
                widths[i] = widths[i].max((cell.chars().count() + 3).max(6));
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                out.extend(std::iter::repeat_n(' ', widths[i] - cell.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

/// `-o name`: `deployment.apps/web`.
pub fn name_of(kind: &KindInfo, obj: &Value) -> String {
    format!("{}/{}", kind.kubectl_name(), obj["metadata"]["name"].as_str().unwrap_or(""))
}

/// `-o json` without `metadata.managedFields`, as kubectl prints by default.
pub fn to_json(v: &Value) -> String {
    to_json_full(&omit_managed_fields(v, false))
}

/// `-o yaml` without `metadata.managedFields`, as kubectl prints by default.
pub fn to_yaml(v: &Value) -> String {
    yaml::to_yaml(&omit_managed_fields(v, false))
}

/// kubectl's `OmitManagedFieldsPrinter` (kubectl >= 1.21 wraps its JSON and YAML printers in it
/// unless `--show-managed-fields`): the entries are dropped from the object, or from each item
/// of a list.
pub fn omit_managed_fields(v: &Value, show_managed_fields: bool) -> Value {
    let mut v = v.clone();
    if show_managed_fields {
        return v;
    }
    let strip = |o: &mut Value| {
        if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("managedFields");
        }
    };
    strip(&mut v);
    if let Some(items) = v.get_mut("items").and_then(Value::as_array_mut) {
        items.iter_mut().for_each(strip);
    }
    v
}

/// `-o json`: four-space indentation and sorted keys, as kubectl prints unstructured objects.
pub fn to_json_full(v: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if serde::Serialize::serialize(v, &mut ser).is_err() {
        return String::new();
    }
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    s
}

pub use yaml::to_yaml as to_yaml_full;

/// Several objects as kubectl prints them with `-o yaml|json`: one object alone, more as a `List`.
pub fn as_list(items: Vec<Value>) -> Value {
    serde_json::json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_as_kubectl_prints_them() {
        let s = |secs: i64| human_duration(secs * 1000);
        assert_eq!([s(0), s(59), s(119), s(120), s(185), s(600), s(3 * 3600 - 1)], ["0s", "59s", "119s", "2m", "3m5s", "10m", "179m"]);
        assert_eq!([s(3 * 3600), s(3 * 3600 + 60), s(47 * 3600), s(50 * 3600), s(10 * 86_400)], ["3h", "3h1m", "47h", "2d2h", "10d"]);
        assert_eq!(parse_time("2026-01-01T00:01:05Z"), Some(65_000));
        assert_eq!(parse_time("2025-12-31T23:59:59Z"), Some(-1000));
    }

    #[test]
    fn tabwriter_layout() {
        let rows = vec![
            vec!["NAME".into(), "READY".into(), "AGE".into()],
            vec!["web-7d4b9c8f5-x2k9q".into(), "1/1".into(), "5s".into()],
        ];
        assert_eq!(render_table(&rows), "NAME                  READY   AGE\nweb-7d4b9c8f5-x2k9q   1/1     5s\n");
    }
}
