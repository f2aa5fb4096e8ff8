//! What every describer shares: reading fields of the JSON object, times as kubectl prints them
//! (`time.RFC1123Z`, ages), `printLabelsMultiline`, `printAnnotationsMultiline`, the
//! `Controlled By` owner and `metav1.FormatLabelSelector`.

use crate::apiserver::validation::quantity::Quantity;
use crate::cli::printers::{human_duration, jsonpath::go_value, parse_time};
use crate::sim::Time;
use serde_json::Value;
use super::tabwriter::PrefixWriter;

pub(super) fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    get(v, path).as_str().unwrap_or("")
}

pub(super) fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}

pub(super) fn n(v: &Value, path: &[&str]) -> i64 {
    get(v, path).as_i64().unwrap_or(0)
}

pub(super) fn arr<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    get(v, path).as_array().map_or(&[], Vec::as_slice)
}

pub(super) fn string_map(v: &Value) -> Vec<(String, String)> {
    v.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| go_value(v), str::to_string))).collect()
}

/// `time.RFC1123Z` of an RFC 3339 timestamp: `Thu, 01 Jan 2026 00:00:05 +0000`.
pub fn rfc1123z(ts: &str) -> String {
    let Some(ms) = parse_time(ts) else { return "Mon, 01 Jan 0001 00:00:00 +0000".into() };
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let day = DAYS[ms.div_euclid(86_400_000).rem_euclid(7) as usize];
    let month = ts.get(5..7).and_then(|m| m.parse::<usize>().ok()).and_then(|m| MONTHS.get(m.wrapping_sub(1))).unwrap_or(&"Jan");
    format!("{day}, {} {month} {} {} +0000", &ts[8..10], &ts[0..4], &ts[11..19])
}

pub(super) fn since(ts: &str, now: Time) -> String {
    match parse_time(ts) {
        Some(t) => human_duration(now.as_ms() as i64 - t),
        None => "<unknown>".into(),
    }
}

pub(super) fn labels_multiline(w: &mut PrefixWriter, initial: &str, title: &str, labels: &Value) {
    w.write(0, &format!("{initial}{title}:\t"));
    let labels = string_map(labels);
    if labels.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            w.write(0, &format!("{initial}\t"));
        }
        w.write(0, &format!("{k}={v}\n"));
    }
}

/// `printAnnotationsMultiline`: the last-applied configuration is skipped; long or multi-line
/// values go on their own lines.
pub(super) fn annotations_multiline(w: &mut PrefixWriter, title: &str, annotations: &Value) {
    const MAX: usize = 140;
    w.write(0, &format!("{title}:\t"));
    let entries: Vec<(String, String)> =
        string_map(annotations).into_iter().filter(|(k, _)| k != "kubectl.kubernetes.io/last-applied-configuration").collect();
    if entries.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            w.write(0, "\t");
        }
        let v = v.strip_suffix('\n').unwrap_or(v);
        if v.len() + k.len() + 2 > MAX || v.contains('\n') {
            w.write(0, &format!("{k}:\n"));
            for line in v.split('\n') {
                let short = if line.len() > MAX - 2 { format!("{}...", &line[..floor_char_boundary(line, MAX - 2)]) } else { line.to_string() };
                w.write(0, &format!("\t  {short}\n"));
            }
        } else {
            w.write(0, &format!("{k}: {v}\n"));
        }
    }
}

/// The largest char boundary at or below `i` (Go slices bytes; Rust must not split a char).
pub(super) fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub(super) fn controlled_by(obj: &Value) -> Option<String> {
    arr(obj, &["metadata", "ownerReferences"])
        .iter()
        .find(|r| r["controller"].as_bool() == Some(true))
        .map(|r| format!("{}/{}", s(r, &["kind"]), s(r, &["name"])))
}

/// `metav1.FormatLabelSelector`.
pub fn format_selector(sel: &Value) -> String {
    let mut parts: Vec<String> = string_map(&sel["matchLabels"]).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    for e in arr(sel, &["matchExpressions"]) {
        let key = s(e, &["key"]);
        let values: Vec<&str> = arr(e, &["values"]).iter().filter_map(Value::as_str).collect();
        parts.push(match s(e, &["operator"]) {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            op => format!("{key} {op} ({})", values.join(",")),
        });
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

pub(super) fn conditions_type_status_reason(w: &mut PrefixWriter, obj: &Value) {
    let conditions = arr(obj, &["status", "conditions"]);
    if conditions.is_empty() {
        return;
    }
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(1, "----\t------\t------\n");
    for c in conditions {
        w.write(1, &format!("{} \t{}\t{}\n", s(c, &["type"]), s(c, &["status"]), s(c, &["reason"])));
    }
}

pub(super) fn int_or_string(v: &Value, default: &str) -> String {
    match v {
        Value::String(x) => x.clone(),
        Value::Number(x) => x.to_string(),
        _ => default.to_string(),
    }
}

/// `metav1.LabelSelectorAsSelector(sel).String()`: every requirement (matchLabels as `k=v`,
/// expressions with their values sorted) ordered by key; empty for an empty or missing selector.
pub(super) fn selector_string(sel: &Value) -> String {
    let mut reqs: Vec<(String, String)> = string_map(&sel["matchLabels"]).into_iter().map(|(k, v)| (k.clone(), format!("{k}={v}"))).collect();
    for e in arr(sel, &["matchExpressions"]) {
        let key = s(e, &["key"]).to_string();
        let mut values: Vec<&str> = arr(e, &["values"]).iter().filter_map(Value::as_str).collect();
        values.sort_unstable();
        let text = match s(e, &["operator"]) {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            op => format!("{key} {op} ({})", values.join(",")),
        };
        reqs.push((key, text));
    }
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    reqs.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(",")
}

/// `labels.FormatLabels`: `k=v` pairs in key order, `<none>` when there are none.
pub(super) fn format_labels(m: &Value) -> String {
    let pairs: Vec<String> = string_map(m).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    if pairs.is_empty() {
        "<none>".into()
    } else {
        pairs.join(",")
    }
}

/// `getPodStatusForController`'s counts over pods the caller already narrowed to the
/// controller's: Running, Pending (shown as Waiting), Succeeded and Failed.
pub(super) fn pod_phase_counts(pods: &[Value]) -> String {
    let count = |phase: &str| pods.iter().filter(|p| s(p, &["status", "phase"]) == phase).count();
    format!("{} Running / {} Waiting / {} Succeeded / {} Failed", count("Running"), count("Pending"), count("Succeeded"), count("Failed"))
}

/// `Quantity.String()` of a quantity in a resource list: the canonical form (`1024Mi` prints as
/// `1Gi`); `0` for a missing one, as a zero `resource.Quantity` prints.
pub(super) fn quantity_string(v: &Value) -> String {
    let text = match v {
        Value::String(x) => x.clone(),
        Value::Number(x) => x.to_string(),
        _ => return "0".into(),
    };
    Quantity::parse(&text).map_or(text, |q| q.canonical())
}

/// `%v` of a `[]string`: `[a b]`, `[]` when empty.
pub(super) fn go_strings(items: &[Value]) -> String {
    format!("[{}]", items.iter().map(|v| v.as_str().unwrap_or("")).collect::<Vec<_>>().join(" "))
}
