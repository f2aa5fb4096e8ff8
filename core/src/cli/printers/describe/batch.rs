//! kubectl's `JobDescriber` (parallelism, completions, the pods' statuses, the pod template) and
//! `CronJobDescriber` (schedule, history limits, the job template, the active jobs).

use super::fields::{annotations_multiline, arr, controlled_by, labels_multiline, n, rfc1123z, s, selector_string};
use super::pod::pod_template;
use super::tabwriter::PrefixWriter;
use crate::cli::printers::{human_duration, parse_time};
use serde_json::Value;

pub(super) fn job(w: &mut PrefixWriter, job: &Value) {
    let (spec, status) = (&job["spec"], &job["status"]);
    w.write(0, &format!("Name:\t{}\n", s(job, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(job, &["metadata", "namespace"])));
    w.write(0, &format!("Selector:\t{}\n", selector_string(&spec["selector"])));
    labels_multiline(w, "", "Labels", &job["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &job["metadata"]["annotations"]);
    if let Some(c) = controlled_by(job) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(p) = spec["parallelism"].as_i64() {
        w.write(0, &format!("Parallelism:\t{p}\n"));
    }
    match spec["completions"].as_i64() {
        Some(c) => w.write(0, &format!("Completions:\t{c}\n")),
        None => w.write(0, "Completions:\t<unset>\n"),
    }
    if let Some(m) = spec["completionMode"].as_str() {
        w.write(0, &format!("Completion Mode:\t{m}\n"));
    }
    if let Some(b) = spec["suspend"].as_bool() {
        w.write(0, &format!("Suspend:\t{b}\n"));
    }
    if let Some(b) = spec["backoffLimit"].as_i64() {
        w.write(0, &format!("Backoff Limit:\t{b}\n"));
    }
    if let Some(t) = spec["ttlSecondsAfterFinished"].as_i64() {
        w.write(0, &format!("TTL Seconds After Finished:\t{t}\n"));
    }
    let (start, done) = (status["startTime"].as_str(), status["completionTime"].as_str());
    if let Some(t) = start {
        w.write(0, &format!("Start Time:\t{}\n", rfc1123z(t)));
    }
    if let Some(t) = done {
        w.write(0, &format!("Completed At:\t{}\n", rfc1123z(t)));
    }
    if let (Some(a), Some(b)) = (start.and_then(parse_time), done.and_then(parse_time)) {
        w.write(0, &format!("Duration:\t{}\n", human_duration(b - a)));
    }
    if let Some(d) = spec["activeDeadlineSeconds"].as_i64() {
        w.write(0, &format!("Active Deadline Seconds:\t{d}s\n"));
    }
    let (active, succeeded, failed) = (n(status, &["active"]), n(status, &["succeeded"]), n(status, &["failed"]));
    match status["ready"].as_i64() {
        None => w.write(0, &format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n")),
        Some(ready) => w.write(0, &format!("Pods Statuses:\t{active} Active ({ready} Ready) / {succeeded} Succeeded / {failed} Failed\n")),
    }
    if spec["completionMode"].as_str() == Some("Indexed") {
        w.write(0, &format!("Completed Indexes:\t{}\n", cap_indexes(s(status, &["completedIndexes"]), 50)));
    }
    pod_template(w, &spec["template"]);
}

/// `capIndexesListOrNone`: the list cut after the first comma past `soft_limit`, with `...`.
fn cap_indexes(indexes: &str, soft_limit: usize) -> String {
    if indexes.is_empty() {
        return "<none>".into();
    }
    match indexes.get(soft_limit..).and_then(|rest| rest.find(',')) {
        Some(i) => format!("{}...", &indexes[..soft_limit + i + 1]),
        None => indexes.to_string(),
    }
}

pub(super) fn cronjob(w: &mut PrefixWriter, cj: &Value) {
    let (spec, status) = (&cj["spec"], &cj["status"]);
    w.write(0, &format!("Name:\t{}\n", s(cj, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(cj, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", &cj["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &cj["metadata"]["annotations"]);
    w.write(0, &format!("Schedule:\t{}\n", s(spec, &["schedule"])));
    w.write(0, &format!("Concurrency Policy:\t{}\n", s(spec, &["concurrencyPolicy"])));
    // `printBoolPtr`.
    let suspend = match spec["suspend"].as_bool() {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    w.write(0, &format!("Suspend:\t{suspend}\n"));
    let unset = |v: &Value, suffix: &str| v.as_i64().map_or_else(|| "<unset>".to_string(), |x| format!("{x}{suffix}"));
    w.write(0, &format!("Successful Job History Limit:\t{}\n", unset(&spec["successfulJobsHistoryLimit"], "")));
    w.write(0, &format!("Failed Job History Limit:\t{}\n", unset(&spec["failedJobsHistoryLimit"], "")));
    w.write(0, &format!("Starting Deadline Seconds:\t{}\n", unset(&spec["startingDeadlineSeconds"], "s")));
    // `describeJobTemplate`.
    let jt = &spec["jobTemplate"]["spec"];
    if jt["selector"].is_object() {
        w.write(0, &format!("Selector:\t{}\n", selector_string(&jt["selector"])));
    } else {
        w.write(0, "Selector:\t<unset>\n");
    }
    w.write(0, &format!("Parallelism:\t{}\n", unset(&jt["parallelism"], "")));
    w.write(0, &format!("Completions:\t{}\n", unset(&jt["completions"], "")));
    if let Some(d) = jt["activeDeadlineSeconds"].as_i64() {
        w.write(0, &format!("Active Deadline Seconds:\t{d}s\n"));
    }
    pod_template(w, &jt["template"]);
    match status["lastScheduleTime"].as_str() {
        Some(t) => w.write(0, &format!("Last Schedule Time:\t{}\n", rfc1123z(t))),
        None => w.write(0, "Last Schedule Time:\t<unset>\n"),
    }
    // `printActiveJobs`.
    let active: Vec<&str> = arr(status, &["active"]).iter().map(|r| s(r, &["name"])).collect();
    w.write(0, &format!("Active Jobs:\t{}\n", if active.is_empty() { "<none>".to_string() } else { active.join(", ") }));
}

#[cfg(test)]
mod tests {
    use super::cap_indexes;

    #[test]
    fn completed_indexes_are_capped_after_the_soft_limit() {
        assert_eq!(cap_indexes("", 50), "<none>");
        assert_eq!(cap_indexes("0-2", 50), "0-2");
        assert_eq!(cap_indexes("1,3,5,7", 2), "1,3,...");
    }
}
