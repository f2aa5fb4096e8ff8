//! kubectl's `DescribeEvents`: the `Events:` section every describer ends with.

use crate::cli::printers::parse_time;
use crate::sim::Time;
use serde_json::Value;
use super::fields::{n, s, since};
use super::tabwriter::PrefixWriter;

/// `DescribeEvents`: oldest first (by last timestamp), with ages and repeat counts.
pub(super) fn describe_events(w: &mut PrefixWriter, events: &[Value], now: Time) {
    if events.is_empty() {
        w.write(0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut sorted = events.to_vec();
    // event.SortableEvents orders by LastTimestamp alone.
    sorted.sort_by_key(|e| e["lastTimestamp"].as_str().and_then(parse_time).unwrap_or(i64::MIN));
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(1, "----\t------\t----\t----\t-------\n");
    for e in &sorted {
        let first = match e["eventTime"].as_str() {
            Some(t) => since(t, now),
            None => e["firstTimestamp"].as_str().map_or("<unknown>".to_string(), |t| since(t, now)),
        };
        let count = n(e, &["count"]);
        let interval = if !e["series"].is_null() {
            format!("{} (x{} over {first})", since(s(e, &["series", "lastObservedTime"]), now), n(e, &["series", "count"]))
        } else if count > 1 {
            format!("{} (x{count} over {first})", since(s(e, &["lastTimestamp"]), now))
        } else {
            first
        };
        let source = e["source"]["component"].as_str().filter(|x| !x.is_empty()).unwrap_or(s(e, &["reportingController"]));
        let mut message = s(e, &["message"]).trim().to_string();
        if let Some(fp) = e["involvedObject"]["fieldPath"].as_str().filter(|x| !x.is_empty()) {
            message = format!("{fp}: {message}");
        }
        w.write(1, &format!("{}\t{}\t{interval}\t{source}\t{message}\n", s(e, &["type"]), s(e, &["reason"])));
    }
}
