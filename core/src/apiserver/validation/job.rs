//! Jobs and CronJobs, mirroring `pkg/apis/batch/validation/validation.go`: `ValidateJob`,
//! `ValidateJobSpec`, `validateJobSpec`, `validatePodReplacementPolicy`, `ValidateCronJobCreate`,
//! `validateCronJobSpec`, `validateConcurrencyPolicy`, `validateScheduleFormat`,
//! `ValidateJobTemplateSpec`, and `ValidateJobSpecUpdate` for updates.
//!
//! Unless `manualSelector: true`, the Job strategy generates the selector and template labels
//! (`batch.kubernetes.io/controller-uid`) before validation; that step belongs to the request
//! pipeline, so here an absent selector on a non-manual Job is taken as generated and
//! `validateGeneratedSelector` is not run. Pod failure and success policies are not checked.

use super::meta::{self, Selector};
use super::names::{self, NameRule};
use super::pod::{restart_policy, validate_pod_template_spec};
use super::{bool_of, cron, has, immutable, int_of, nonnegative, obj_of, render_selector, str_of, with_value};
use crate::apiserver::FieldError;
use serde_json::Value;

/// `ValidateJob`.
pub fn validate_job(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    let generated = with_generated_name_labels(obj);
    errs.extend(validate_job_spec_with_selector(generated.get("spec")));
    let spec = obj.get("spec");
    if str_of(spec, "completionMode") == "Indexed" {
        if let Some(c) = int_of(spec, "completions").filter(|c| *c > 0) {
            let name = str_of(obj.get("metadata"), "name");
            let hostname = format!("{name}-{}", c - 1);
            if !names::dns1123_label(&hostname).is_empty() {
                errs.push(FieldError::invalid(
                    "metadata.name",
                    &Value::from(name),
                    format!("will not able to create pod with invalid DNS label: {hostname}"),
                ));
            }
        }
    }
    errs
}

/// The job-name labels the strategy's `generateSelector` puts on the template before `Validate`
/// runs (unless `manualSelector`), so a name that is no valid label value (`process-item-$ITEM`,
/// or longer than 63 characters) also fails at `spec.template.labels`.
fn with_generated_name_labels(obj: &Value) -> Value {
    let mut obj = obj.clone();
    if bool_of(obj.get("spec"), "manualSelector") {
        return obj;
    }
    let name = str_of(obj.get("metadata"), "name").to_string();
    if let Some(template) = obj.get_mut("spec").and_then(|s| s.get_mut("template")).filter(|t| t.is_object()) {
        let meta = template.as_object_mut().map(|t| t.entry("metadata").or_insert_with(|| Value::Object(Default::default())));
        if let Some(meta) = meta.filter(|m| m.is_object()) {
            let labels = meta.as_object_mut().map(|m| m.entry("labels").or_insert_with(|| Value::Object(Default::default())));
            if let Some(labels) = labels.and_then(Value::as_object_mut) {
                for key in ["batch.kubernetes.io/job-name", "job-name"] {
                    labels.entry(key).or_insert_with(|| Value::from(name.clone()));
                }
            }
        }
    }
    obj
}

/// `ValidateJobSpec`: the spec, then the selector (required and checked when manual).
fn validate_job_spec_with_selector(spec: Option<&Value>) -> Vec<FieldError> {
    let mut errs = validate_job_spec(spec, "spec");
    if !bool_of(spec, "manualSelector") {
        return errs;
    }
    let sel = spec.and_then(|s| s.get("selector")).filter(|s| !s.is_null());
    match sel {
        None => errs.push(FieldError::required("spec.selector", "")),
        Some(s) => errs.extend(meta::validate_label_selector(Some(s), "spec.selector")),
    }
    let selector = Selector::from_label_selector(sel);
    let template_labels = obj_of(obj_of(obj_of(spec, "template"), "metadata"), "labels");
    if selector != Selector::Invalid && !selector.matches(template_labels) {
        errs.push(FieldError::invalid(
            "spec.template.metadata.labels",
            template_labels.unwrap_or(&Value::Null),
            "`selector` does not match template `labels`",
        ));
    }
    errs
}

/// `validateJobSpec` at `path` (`spec`, or `spec.jobTemplate.spec` for a CronJob).
fn validate_job_spec(spec: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for field in ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished", "backoffLimitPerIndex"] {
        nonnegative(&mut errs, int_of(spec, field), &format!("{path}.{field}"));
    }
    if let Some(m) = int_of(spec, "maxFailedIndexes") {
        nonnegative(&mut errs, Some(m), &format!("{path}.maxFailedIndexes"));
        if !has(spec, "backoffLimitPerIndex") {
            errs.push(FieldError::required(format!("{path}.backoffLimitPerIndex"), "when maxFailedIndexes is specified"));
        }
    }
    let mode = str_of(spec, "completionMode");
    match mode {
        "" | "NonIndexed" => {
            for field in ["backoffLimitPerIndex", "maxFailedIndexes"] {
                if let Some(v) = int_of(spec, field) {
                    errs.push(FieldError::invalid(format!("{path}.{field}"), &Value::from(v), "requires indexed completion mode"));
                }
            }
        }
        "Indexed" => {
            if !has(spec, "completions") {
                errs.push(FieldError::required(format!("{path}.completions"), "when completion mode is Indexed"));
            }
            if let Some(p) = int_of(spec, "parallelism").filter(|p| *p > 100_000) {
                errs.push(FieldError::invalid(
                    format!("{path}.parallelism"),
                    &Value::from(p),
                    "must be less than or equal to 100000 when completion mode is Indexed",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(format!("{path}.completionMode"), &Value::from(other), &["NonIndexed", "Indexed"])),
    }
    let replacement = str_of(spec, "podReplacementPolicy");
    if !replacement.is_empty() {
        if has(spec, "podFailurePolicy") {
            if replacement != "Failed" {
                errs.push(FieldError::not_supported(format!("{path}.podReplacementPolicy"), &Value::from(replacement), &["Failed"]));
            }
        } else if !matches!(replacement, "Failed" | "TerminatingOrFailed") {
            errs.push(FieldError::not_supported(
                format!("{path}.podReplacementPolicy"),
                &Value::from(replacement),
                &["Failed", "TerminatingOrFailed"],
            ));
        }
    }
    let template = obj_of(spec, "template");
    errs.extend(validate_pod_template_spec(template, &format!("{path}.template")));
    // PodSpec defaulting turns an absent restartPolicy into Always, which a Job rejects.
    let rp_path = format!("{path}.template.spec.restartPolicy");
    match restart_policy(obj_of(template, "spec")) {
        "Always" => errs.push(FieldError::required(rp_path, "valid values: \"OnFailure\", \"Never\"")),
        "OnFailure" if has(spec, "podFailurePolicy") => {
            errs.push(FieldError::invalid(rp_path, &Value::from("OnFailure"), "only \"Never\" is supported when podFailurePolicy is specified"))
        }
        "OnFailure" | "Never" => {}
        other => errs.push(FieldError::not_supported(rp_path, &Value::from(other), &["OnFailure", "Never"])),
    }
    errs
}

/// `ValidateCronJobCreate`.
pub fn validate_cron_job(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    errs.extend(validate_cron_job_spec(obj.get("spec"), None));
    let name = str_of(obj.get("metadata"), "name");
    // The controller appends an 11-character suffix to make Job names (63 - 11 = 52).
    if name.len() > 52 {
        errs.push(FieldError::invalid("metadata.name", &Value::from(name), "must be no more than 52 characters"));
    }
    errs
}

/// `validateCronJobSpec`; `old` is the stored spec on update (it allows a TZ already there).
pub fn validate_cron_job_spec(spec: Option<&Value>, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let schedule = str_of(spec, "schedule");
    if schedule.is_empty() {
        errs.push(FieldError::required("spec.schedule", ""));
    } else {
        let shown = Value::from(schedule);
        if let Err(msg) = cron::parse_standard(schedule) {
            errs.push(FieldError::invalid("spec.schedule", &shown, msg));
        }
        let allow_tz = str_of(old, "schedule").contains("TZ");
        if allow_tz && schedule.contains("TZ") && has(spec, "timeZone") {
            errs.push(FieldError::invalid("spec.schedule", &shown, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
        } else if !allow_tz && schedule.contains("TZ") {
            errs.push(FieldError::invalid("spec.schedule", &shown, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
        }
    }
    nonnegative(&mut errs, int_of(spec, "startingDeadlineSeconds"), "spec.startingDeadlineSeconds");
    let tz_changed = spec.and_then(|s| s.get("timeZone")) != old.and_then(|s| s.get("timeZone"));
    if old.is_none() || tz_changed {
        errs.extend(validate_time_zone(spec.and_then(|s| s.get("timeZone")).and_then(Value::as_str)));
    }
    match str_of(spec, "concurrencyPolicy") {
        "" | "Allow" | "Forbid" | "Replace" => {}
        other => errs.push(FieldError::not_supported(
            "spec.concurrencyPolicy",
            &Value::from(other),
            &["Allow", "Forbid", "Replace"],
        )),
    }
    // ValidateJobTemplateSpec.
    let jt_spec = obj_of(obj_of(spec, "jobTemplate"), "spec");
    errs.extend(validate_job_spec(jt_spec, "spec.jobTemplate.spec"));
    if let Some(sel) = jt_spec.and_then(|s| s.get("selector")).filter(|s| !s.is_null()) {
        errs.push(with_value(FieldError::invalid("spec.jobTemplate.spec.selector", sel, "`selector` will be auto-generated"), render_selector(sel)));
    }
    if bool_of(jt_spec, "manualSelector") {
        errs.push(FieldError::not_supported("spec.jobTemplate.spec.manualSelector", &Value::Bool(true), &["nil", "false"]));
    }
    nonnegative(&mut errs, int_of(spec, "successfulJobsHistoryLimit"), "spec.successfulJobsHistoryLimit");
    nonnegative(&mut errs, int_of(spec, "failedJobsHistoryLimit"), "spec.failedJobsHistoryLimit");
    errs
}

/// `validateTimeZone`: the name's shape, `Local` refused, then `time.LoadLocation`, which knows
/// the names of the zone database (`time_zones.rs`).
fn validate_time_zone(tz: Option<&str>) -> Vec<FieldError> {
    let Some(tz) = tz else { return Vec::new() };
    let shown = Value::from(tz);
    if tz.is_empty() {
        return vec![FieldError::invalid("spec.timeZone", &shown, "timeZone must be nil or non-empty string")];
    }
    for part in tz.split('/') {
        let chars_ok = (1..=14).contains(&part.len())
            && part.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'+'));
        if part == "." || part == ".." || part.starts_with('-') || !chars_ok {
            return vec![FieldError::invalid("spec.timeZone", &shown, format!("unknown time zone {tz}"))];
        }
    }
    let mut errs = Vec::new();
    // Not a return: `local` is refused here and then again by LoadLocation (only `Local` loads).
    if tz.eq_ignore_ascii_case("local") {
        errs.push(FieldError::invalid(
            "spec.timeZone",
            &shown,
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        ));
    }
    if !super::time_zones::load_location_ok(tz) {
        errs.push(FieldError::invalid("spec.timeZone", &shown, format!("unknown time zone {tz}")));
    }
    errs
}

/// `ValidateJobUpdate`'s spec part (`ValidateJobSpecUpdate`): the new spec validated, then the
/// fields that may never change. The template may change only while the Job is suspended and
/// has not started; that exception (scheduling directives) is not modelled.
pub fn validate_job_spec_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let (ns, os) = (new.get("spec"), old.get("spec"));
    let mut errs = validate_job_spec_with_selector(ns);
    let get = |s: Option<&Value>, f: &str| s.and_then(|s| s.get(f)).cloned();
    for (field, path) in [("completions", "spec.completions"), ("selector", "spec.selector"), ("template", "spec.template")] {
        immutable(&mut errs, get(ns, field).as_ref(), get(os, field).as_ref(), path);
    }
    for field in ["completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"] {
        immutable(&mut errs, get(ns, field).as_ref(), get(os, field).as_ref(), &format!("spec.{field}"));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    fn job(template_spec: Value) -> Value {
        json!({"metadata": {"name": "pi", "namespace": "default"}, "spec": {"template": {"spec": template_spec}}})
    }

    #[test]
    fn job_restart_policy() {
        let ok = job(json!({"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl"}]}));
        assert_eq!(validate_job(&ok), vec![]);
        let always = job(json!({"containers": [{"name": "pi", "image": "perl"}]}));
        assert_eq!(
            aggregate(&validate_job(&always)),
            "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""
        );
    }

    /// generateSelector adds the job's name as a template label value before validation.
    #[test]
    fn a_name_that_is_no_label_value_fails_on_the_template_too() {
        let mut bad = job(json!({"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl"}]}));
        bad["metadata"]["name"] = json!("process-item-$ITEM");
        let msg = aggregate(&validate_job(&bad));
        assert!(msg.starts_with("[metadata.name: Invalid value: \"process-item-$ITEM\": a lowercase RFC 1123 subdomain"), "{msg}");
        assert!(msg.contains("spec.template.labels: Invalid value: \"process-item-$ITEM\": a valid label must be an empty string"), "{msg}");
        bad["spec"]["manualSelector"] = json!(true);
        bad["spec"]["selector"] = json!({"matchLabels": {"a": "b"}});
        bad["spec"]["template"]["metadata"] = json!({"labels": {"a": "b"}});
        assert!(!aggregate(&validate_job(&bad)).contains("spec.template.labels"));
    }

    #[test]
    fn cron_schedule() {
        let cj = json!({"metadata": {"name": "c", "namespace": "default"}, "spec": {"schedule": "* * *",
            "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}}}}});
        assert_eq!(
            aggregate(&validate_cron_job(&cj)),
            "spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]"
        );
    }

    #[test]
    fn job_selector_and_template_are_immutable() {
        let old = json!({"metadata": {"name": "pi"}, "spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "pi", "image": "perl"}]}}}});
        let mut new = old.clone();
        new["spec"]["template"]["spec"]["containers"][0]["image"] = json!("perl:2");
        let errs = validate_job_spec_update(&new, &old);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "spec.template");
        assert_eq!(errs[0].detail, "field is immutable");
    }
}
