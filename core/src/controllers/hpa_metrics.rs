//! The metrics half of an HPA sync (`computeReplicasForMetrics` in `horizontal.go`): for each
//! metric spec, the resource metrics read through kube-apiserver from metrics-server (one LIST
//! of `pods.metrics.k8s.io` with the scale's selector), the pods from the informer's cache, and
//! the replica calculator's proposal, with the errors, events and ScalingActive condition the
//! real controller gives when a metric cannot be computed.

use super::client::{self, name_of, ns_of, str_of};
use super::hpa::{Sync, NAME};
use super::hpa_replicas::{self as calc, PodInfo, PodMetric};
use super::Caches;
use crate::apiserver::admission::quantity::Quantity;
use crate::apiserver::aggregator::POD_METRICS;
use crate::apiserver::select::LabelSelector;
use crate::apiserver::{handle_aggregated, Context, Request, Verb};
use crate::sim::Time;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn parse_time(s: &str) -> Option<Time> {
    crate::cli::printers::parse_time(s).map(|ms| Time(ms.max(0) as u64))
}

/// The pods the scale's selector picks, as the calculator sees them.
fn pod_infos(caches: &Caches, ns: &str, selector: &LabelSelector, resource: &str) -> Vec<PodInfo> {
    caches
        .pods
        .values()
        .filter(|p| ns_of(p) == ns && selector.matches_object(p))
        .map(|p| {
            let ready = p["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Ready").map(|c| (c["status"] == "True", c["lastTransitionTime"].as_str().and_then(parse_time).unwrap_or_default()));
            PodInfo {
                name: name_of(p).to_string(),
                phase: str_of(p, &["status", "phase"]).to_string(),
                deleting: !p["metadata"]["deletionTimestamp"].is_null(),
                ready,
                start_time: p["status"]["startTime"].as_str().and_then(parse_time),
                request: pod_request(p, resource),
            }
        })
        .collect()
}

/// `calculatePodRequests`: the sum of the containers' requests, in milli-units.
fn pod_request(pod: &Value, resource: &str) -> Result<i64, String> {
    let mut sum: i64 = 0;
    for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
        let Some(q) = Quantity::from_json(&c["resources"]["requests"][resource]) else {
            return Err(format!("missing request for {resource} in container {} of Pod {}", str_of(c, &["name"]), name_of(pod)));
        };
        sum = sum.saturating_add(i64::try_from(q.milli_value()).unwrap_or(i64::MAX));
    }
    Ok(sum)
}

/// `getPodMetrics`: a pod's usage summed over its containers, skipped when one lacks the resource.
fn pod_metrics(list: &Value, resource: &str) -> BTreeMap<String, PodMetric> {
    let mut out = BTreeMap::new();
    for m in list["items"].as_array().into_iter().flatten() {
        let containers = m["containers"].as_array().cloned().unwrap_or_default();
        let mut sum: i64 = 0;
        let mut missing = containers.is_empty();
        for c in &containers {
            match Quantity::from_json(&c["usage"][resource]) {
                Some(q) => sum = sum.saturating_add(i64::try_from(q.milli_value()).unwrap_or(i64::MAX)),
                None => {
                    missing = true;
                    break;
                }
            }
        }
        if missing {
            continue;
        }
        let timestamp = m["timestamp"].as_str().and_then(parse_time).unwrap_or_default();
        let window_ms = m["window"].as_str().and_then(crate::cli::parse_duration).map_or(0, |d| d.0);
        out.insert(name_of(m).to_string(), PodMetric { value: sum, timestamp, window_ms });
    }
    out
}

/// `NewMilliQuantity(v, DecimalSI).String()`.
fn milli_quantity(v: i64) -> String {
    Quantity::parse(&format!("{v}m")).map_or_else(|| "0".into(), |q| q.to_string())
}

/// Why one metric gave no proposal: the condition reason, the calculator's error (the event and
/// the condition carry it) and the error the metric loop sees.
struct MetricError {
    reason: &'static str,
    error: String,
    wrapped: String,
}

/// `computeReplicasForMetrics`: the largest proposal over the metrics, or the first error.
#[allow(clippy::type_complexity)]
pub(super) fn compute_replicas_for_metrics(ctx: &mut Context, caches: &Caches, s: &mut Sync, scale: &Value, current: i32) -> Result<(i32, String, Vec<Value>), (String, Vec<Value>)> {
    let specs: Vec<Value> = s.hpa["spec"]["metrics"].as_array().cloned().unwrap_or_default();
    let selector_text = str_of(scale, &["status", "selector"]).to_string();
    if selector_text.is_empty() {
        s.event(true, "SelectorRequired", "selector is required".into());
        s.set_condition("ScalingActive", false, "InvalidSelector", "the HPA target's scale is missing a selector".into());
        return Err(("selector is required".into(), Vec::new()));
    }
    let selector = match LabelSelector::parse(&selector_text) {
        Ok(sel) => sel,
        Err(e) => {
            let msg = format!("couldn't convert selector into a corresponding internal selector object: {e}");
            s.event(true, "InvalidSelector", msg.clone());
            s.set_condition("ScalingActive", false, "InvalidSelector", msg.clone());
            return Err((msg, Vec::new()));
        }
    };
    let mut statuses = Vec::new();
    let mut best: Option<(i32, String)> = None;
    let mut invalid: Vec<MetricError> = Vec::new();
    for spec in &specs {
        match compute_for_metric(ctx, caches, s, spec, &selector_text, &selector, current) {
            Ok((replicas, name, status)) => {
                statuses.push(status);
                if best.as_ref().is_none_or(|(r, _)| replicas > *r) {
                    best = Some((replicas, name));
                }
            }
            Err(e) => {
                statuses.push(json!({"type": ""}));
                s.event(true, e.reason, e.error.clone());
                invalid.push(e);
            }
        }
    }
    let proposal = best.as_ref().map_or(0, |(r, _)| *r);
    if let Some(first) = invalid.first() {
        if invalid.len() >= specs.len() || proposal < current {
            s.set_condition("ScalingActive", false, first.reason, format!("the HPA was unable to compute the replica count: {}", first.error));
            return Err((format!("invalid metrics ({} invalid out of {}), first error is: {}", invalid.len(), specs.len(), first.wrapped), statuses));
        }
    }
    let (replicas, metric) = best.unwrap_or((current, String::new()));
    s.set_condition("ScalingActive", true, "ValidMetricFound", format!("the HPA was able to successfully calculate a replica count from {metric}"));
    Ok((replicas, metric, statuses))
}

/// `computeReplicasForMetric` for one metric spec.
#[allow(clippy::too_many_arguments)]
fn compute_for_metric(ctx: &mut Context, caches: &Caches, s: &Sync, spec: &Value, selector_text: &str, selector: &LabelSelector, current: i32) -> Result<(i32, String, Value), MetricError> {
    let kind = str_of(spec, &["type"]);
    if kind != "Resource" {
        let (reason, field) = match kind {
            "Pods" => ("FailedGetPodsMetric", "pods"),
            "Object" => ("FailedGetObjectMetric", "object"),
            "External" => ("FailedGetExternalMetric", "external"),
            "ContainerResource" => ("FailedGetContainerResourceMetric", "containerResource"),
            _ => {
                let error = format!("unknown metric source type {kind:?}");
                return Err(MetricError { reason: "InvalidMetricSourceType", wrapped: error.clone(), error });
            }
        };
        let name = str_of(spec, &[field, "metric", "name"]);
        let error = format!("unable to get metric {name}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered");
        return Err(MetricError { reason, wrapped: format!("failed to get {field} metric value: {error}"), error });
    }
    let resource = str_of(spec, &["resource", "name"]).to_string();
    let target = &spec["resource"]["target"];
    let fail = |error: String| MetricError { reason: "FailedGetResourceMetric", wrapped: format!("failed to get {resource} resource metric value: {error}"), error };
    let utilization = target["averageUtilization"].as_i64();
    let average = Quantity::from_json(&target["averageValue"]);
    if utilization.is_none() && average.is_none() {
        return Err(fail("invalid resource metric source: neither an average utilization target nor an average value target was set".into()));
    }
    let what = if average.is_some() { "usage" } else { "utilization" };
    let metrics = match resource_metrics(ctx, s, selector_text, &resource) {
        Ok(m) => m,
        Err(e) => return Err(fail(format!("failed to get {resource} {what}: unable to get metrics for resource {resource}: {e}"))),
    };
    let pods = pod_infos(caches, ns_of(&s.hpa), selector, &resource);
    let cpu = resource == "cpu";
    if let Some(q) = average {
        let target_milli = i64::try_from(q.milli_value()).unwrap_or(i64::MAX);
        let (replicas, usage) = calc::raw_resource_replicas(current, target_milli, &pods, metrics, cpu, s.now).map_err(|e| fail(format!("failed to get {resource} {what}: {e}")))?;
        let status = json!({"type": "Resource", "resource": {"name": resource, "current": {"averageValue": milli_quantity(usage)}}});
        return Ok((replicas, format!("{resource} resource"), status));
    }
    let target_pct = i32::try_from(utilization.unwrap_or(0)).unwrap_or(i32::MAX);
    let (replicas, pct, raw) = calc::resource_replicas(current, target_pct, &pods, metrics, cpu, s.now).map_err(|e| fail(format!("failed to get {resource} {what}: {e}")))?;
    let status = json!({"type": "Resource", "resource": {"name": resource, "current": {"averageUtilization": pct, "averageValue": milli_quantity(raw)}}});
    Ok((replicas, format!("{resource} resource utilization (percentage of request)"), status))
}

/// `resourceMetricsClient.GetResourceMetric`: LIST pods.metrics.k8s.io with the selector.
fn resource_metrics(ctx: &mut Context, s: &Sync, selector_text: &str, resource: &str) -> Result<BTreeMap<String, PodMetric>, String> {
    let mut req = Request::new(Verb::List, &POD_METRICS, ns_of(&s.hpa), "");
    req.user = client::controller(NAME);
    req.list.label_selector = selector_text.to_string();
    let list = handle_aggregated(ctx, &req, s.metrics).result.map_err(|e| format!("unable to fetch metrics from resource metrics API: {}", e.message))?;
    if list["items"].as_array().is_none_or(|i| i.is_empty()) {
        return Err("no metrics returned from resource metrics API".into());
    }
    Ok(pod_metrics(&list, resource))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_sum_over_containers_or_name_the_first_without_one() {
        let pod = json!({"metadata": {"name": "web-1"}, "spec": {"containers": [
            {"name": "a", "resources": {"requests": {"cpu": "200m"}}},
            {"name": "b", "resources": {"requests": {"cpu": "0.1"}}}]}});
        assert_eq!(pod_request(&pod, "cpu"), Ok(300));
        assert_eq!(pod_request(&pod, "memory"), Err("missing request for memory in container a of Pod web-1".into()));
    }

    #[test]
    fn metrics_sum_containers_and_skip_incomplete_pods() {
        let list = json!({"items": [
            {"metadata": {"name": "a"}, "timestamp": "2026-01-01T00:00:30Z", "window": "15s",
             "containers": [{"name": "x", "usage": {"cpu": "250m", "memory": "10Mi"}}, {"name": "y", "usage": {"cpu": "1", "memory": "1Mi"}}]},
            {"metadata": {"name": "b"}, "timestamp": "2026-01-01T00:00:30Z", "window": "15s", "containers": []}]});
        let m = pod_metrics(&list, "cpu");
        assert_eq!(m.len(), 1);
        assert_eq!(m["a"], PodMetric { value: 1250, timestamp: Time(30_000), window_ms: 15_000 });
        assert_eq!(milli_quantity(1250), "1250m");
        assert_eq!(milli_quantity(2000), "2");
    }
}
