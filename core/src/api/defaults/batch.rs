//! Job and CronJob defaults: mirrors `pkg/apis/batch/v1/defaults.go` (`SetDefaults_Job`,
//! `SetDefaults_CronJob`, `SetDefaults_PodFailurePolicyOnPodConditionsPattern`).
//!
//! `SetDefaults_Job` belongs to the Job type, not to JobSpec, so a CronJob's `jobTemplate.spec`
//! gets only the nested-type defaults (its PodSpec and pod-failure patterns), never
//! `backoffLimit` or `completions`: those appear when the CronJob controller creates the Job.
//! The selector and `batch.kubernetes.io/*` labels are the Job registry strategy's, not ours.

use serde_json::Value;

use super::fields::{
    child, child_or_insert, default_if_empty, default_if_nil, each, is_len_zero, is_nil, Object,
};
use super::pod::default_template;

/// `SetDefaults_Job`: six retries, or effectively unlimited when retries are counted per index.
const BACKOFF_LIMIT: i64 = 6;
const BACKOFF_LIMIT_WITH_PER_INDEX: i64 = i32::MAX as i64;

pub(super) fn default_job(job: &mut Value) {
    let template_labels = job
        .pointer("/spec/template/metadata/labels")
        .filter(|l| l.is_object())
        .cloned();
    let Some(job) = job.as_object_mut() else {
        return;
    };
    if let Some(spec) = child_or_insert(job, "spec") {
        if is_nil(spec.get("completions")) && is_nil(spec.get("parallelism")) {
            spec.insert("completions".into(), 1.into());
            spec.insert("parallelism".into(), 1.into());
        }
        default_if_nil(spec, "parallelism", 1);
        if is_nil(spec.get("backoffLimit")) {
            let limit = if is_nil(spec.get("backoffLimitPerIndex")) {
                BACKOFF_LIMIT
            } else {
                BACKOFF_LIMIT_WITH_PER_INDEX
            };
            spec.insert("backoffLimit".into(), limit.into());
        }
        default_if_nil(spec, "completionMode", "NonIndexed");
        default_if_nil(spec, "suspend", false);
        // JobPodReplacementPolicy is on by default: with a podFailurePolicy, pods are replaced
        // only once fully failed.
        if is_nil(spec.get("podReplacementPolicy")) {
            let policy = if is_nil(spec.get("podFailurePolicy")) {
                "TerminatingOrFailed"
            } else {
                "Failed"
            };
            spec.insert("podReplacementPolicy".into(), policy.into());
        }
        default_if_nil(spec, "manualSelector", false);
        default_job_spec_nested(spec);
    }
    if let Some(labels) = template_labels {
        if let Some(metadata) = child_or_insert(job, "metadata") {
            if is_len_zero(metadata.get("labels")) {
                metadata.insert("labels".into(), labels);
            }
        }
    }
}

pub(super) fn default_cron_job(spec: &mut Object) {
    default_if_empty(spec, "concurrencyPolicy", "Allow");
    default_if_nil(spec, "suspend", false);
    default_if_nil(spec, "successfulJobsHistoryLimit", 3);
    default_if_nil(spec, "failedJobsHistoryLimit", 1);
    if let Some(job_spec) = child(spec, "jobTemplate").and_then(|t| child(t, "spec")) {
        default_job_spec_nested(job_spec);
    }
}

/// Defaults of types nested in a JobSpec, which apply in a Job and in a CronJob's template alike.
fn default_job_spec_nested(spec: &mut Object) {
    if let Some(policy) = child(spec, "podFailurePolicy") {
        for rule in each(policy, "rules") {
            for pattern in each(rule, "onPodConditions") {
                default_if_empty(pattern, "status", "True");
            }
        }
    }
    default_template(child(spec, "template"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn job_defaults() {
        let mut job = json!({"metadata": {"name": "pi"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": []}}}});
        default_job(&mut job);
        let spec = &job["spec"];
        for (key, want) in [
            ("completions", json!(1)),
            ("parallelism", json!(1)),
            ("backoffLimit", json!(6)),
            ("completionMode", json!("NonIndexed")),
            ("suspend", json!(false)),
            ("podReplacementPolicy", json!("TerminatingOrFailed")),
            ("manualSelector", json!(false)),
        ] {
            assert_eq!(spec[key], want, "{key}");
        }
        // No template labels, so no object labels.
        assert!(job["metadata"].get("labels").is_none());
    }

    #[test]
    fn job_variants() {
        let mut job = json!({"spec": {"completions": 5, "backoffLimitPerIndex": 1,
            "podFailurePolicy": {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]},
            "template": {"metadata": {"labels": {"app": "w"}}}}});
        default_job(&mut job);
        assert_eq!(job["spec"]["completions"], json!(5));
        assert_eq!(job["spec"]["parallelism"], json!(1));
        assert_eq!(job["spec"]["backoffLimit"], json!(2147483647));
        assert_eq!(job["spec"]["podReplacementPolicy"], json!("Failed"));
        assert_eq!(
            job["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"][0],
            json!({"type": "DisruptionTarget", "status": "True"})
        );
        assert_eq!(job["metadata"]["labels"], json!({"app": "w"}));
        // Parallelism alone leaves completions nil: a work-queue job.
        let mut job = json!({"spec": {"parallelism": 3}});
        default_job(&mut job);
        assert!(job["spec"].get("completions").is_none());
    }

    #[test]
    fn cron_job_template_gets_no_job_defaults() {
        let mut spec = json!({"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": []}}}}});
        if let Some(o) = spec.as_object_mut() {
            default_cron_job(o);
        }
        assert_eq!(spec["concurrencyPolicy"], json!("Allow"));
        assert_eq!(spec["suspend"], json!(false));
        assert_eq!(spec["successfulJobsHistoryLimit"], json!(3));
        assert_eq!(spec["failedJobsHistoryLimit"], json!(1));
        assert!(spec["jobTemplate"]["spec"].get("backoffLimit").is_none());
        assert_eq!(
            spec["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"],
            json!("ClusterFirst")
        );
    }
}
