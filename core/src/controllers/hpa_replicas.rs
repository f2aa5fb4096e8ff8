//! The HorizontalPodAutoscaler's replica calculator (`pkg/controller/podautoscaler/
//! replica_calculator.go` and `metrics/utilization.go`): from the pods' resource metrics and
//! requests, how many replicas the target should have.
//!
//! ```text
//! utilization = Σ usage / Σ request × 100  (integer, over pods with a metric)
//! ratio       = utilization / target        within 1 ± 0.1 → keep currentReplicas
//! desired     = ceil(ratio × ready pods)
//! ```
//!
//! Pods are grouped first (`groupPods`): deleted or Failed pods are ignored; Pending pods, and
//! for CPU pods not Ready (or Ready for less than one metric window during their first 5
//! minutes) are unready; running pods without a metric are missing. Then the real calculator is
//! conservative: when scaling up, missing and unready pods count as using nothing; when scaling
//! down, missing pods count as using their whole request (or the target, when it is above 100%);
//! and if that reverses the direction, or lands within the tolerance, nothing changes.

use crate::sim::Time;
use std::collections::{BTreeMap, BTreeSet};

/// `--horizontal-pod-autoscaler-tolerance`.
pub const TOLERANCE: f64 = 0.1;
/// `--horizontal-pod-autoscaler-cpu-initialization-period`.
pub const CPU_INITIALIZATION_PERIOD_MS: u64 = 5 * 60_000;
/// `--horizontal-pod-autoscaler-initial-readiness-delay`.
pub const INITIAL_READINESS_DELAY_MS: u64 = 30_000;

/// What the calculator needs of one pod (from the pod informer's cache).
#[derive(Clone, Debug)]
pub struct PodInfo {
    pub name: String,
    pub phase: String,
    pub deleting: bool,
    /// The Ready condition: status True?, and when it last changed.
    pub ready: Option<(bool, Time)>,
    pub start_time: Option<Time>,
    /// The pod's request for the resource in milli-units, or the error `calculatePodRequests`
    /// gives for the first container without one.
    pub request: Result<i64, String>,
}

/// One pod's metric from the resource metrics API, in milli-units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PodMetric {
    pub value: i64,
    pub timestamp: Time,
    pub window_ms: u64,
}

/// The pods as `groupPods` sorts them.
#[derive(Debug, Default, PartialEq)]
pub struct Groups {
    pub ready: usize,
    pub unready: BTreeSet<String>,
    pub missing: BTreeSet<String>,
    pub ignored: BTreeSet<String>,
}

pub fn group_pods(pods: &[PodInfo], metrics: &BTreeMap<String, PodMetric>, cpu: bool, now: Time) -> Groups {
    let mut g = Groups::default();
    for pod in pods {
        if pod.deleting || pod.phase == "Failed" {
            g.ignored.insert(pod.name.clone());
            continue;
        }
        if pod.phase == "Pending" {
            g.unready.insert(pod.name.clone());
            continue;
        }
        let Some(metric) = metrics.get(&pod.name) else {
            g.missing.insert(pod.name.clone());
            continue;
        };
        if cpu {
            let unready = match (pod.ready, pod.start_time) {
                (Some((is_ready, transition)), Some(start)) => {
                    if start.as_ms() + CPU_INITIALIZATION_PERIOD_MS > now.as_ms() {
                        // Still initializing: only a sample taken a full window after the pod
                        // became ready counts.
                        !is_ready || metric.timestamp.as_ms() < transition.as_ms() + metric.window_ms
                    } else {
                        // Unready and never ready since starting.
                        !is_ready && start.as_ms() + INITIAL_READINESS_DELAY_MS > transition.as_ms()
                    }
                }
                _ => true,
            };
            if unready {
                g.unready.insert(pod.name.clone());
                continue;
            }
        }
        g.ready += 1;
    }
    g
}

/// `GetResourceUtilizationRatio`: (ratio, utilization %, average raw value).
pub fn utilization_ratio(metrics: &BTreeMap<String, PodMetric>, requests: &BTreeMap<String, i64>, target: i32) -> Result<(f64, i32, i64), String> {
    let mut metrics_total: i64 = 0;
    let mut requests_total: i64 = 0;
    let mut entries: i64 = 0;
    for (name, m) in metrics {
        let Some(request) = requests.get(name) else { continue };
        metrics_total = metrics_total.saturating_add(m.value);
        requests_total = requests_total.saturating_add(*request);
        entries += 1;
    }
    if requests_total == 0 || entries == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let utilization = i32::try_from(metrics_total.saturating_mul(100) / requests_total).unwrap_or(i32::MAX);
    Ok((f64::from(utilization) / f64::from(target.max(1)), utilization, metrics_total / entries))
}

/// `GetMetricUsageRatio`: (ratio, average value).
fn usage_ratio(metrics: &BTreeMap<String, PodMetric>, target: i64) -> (f64, i64) {
    let total: i64 = metrics.values().map(|m| m.value).fold(0, i64::saturating_add);
    let average = total / (metrics.len().max(1) as i64);
    (average as f64 / target.max(1) as f64, average)
}

fn ceil_replicas(x: f64) -> i32 {
    let c = x.ceil();
    if c >= f64::from(i32::MAX) {
        i32::MAX
    } else {
        c as i32
    }
}

/// `GetResourceReplicas` after the metrics are fetched: (replicas, utilization %, average raw).
pub fn resource_replicas(current: i32, target: i32, pods: &[PodInfo], mut metrics: BTreeMap<String, PodMetric>, cpu: bool, now: Time) -> Result<(i32, i32, i64), String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let g = group_pods(pods, &metrics, cpu, now);
    metrics.retain(|name, _| !g.ignored.contains(name) && !g.unready.contains(name));
    let mut requests = BTreeMap::new();
    for p in pods {
        requests.insert(p.name.clone(), p.request.clone()?);
    }
    if metrics.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let (ratio, utilization, raw) = utilization_ratio(&metrics, &requests, target)?;
    let scale_up_with_unready = !g.unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && g.missing.is_empty() {
        if (1.0 - ratio).abs() <= TOLERANCE {
            return Ok((current, utilization, raw));
        }
        return Ok((ceil_replicas(ratio * g.ready as f64), utilization, raw));
    }
    if !g.missing.is_empty() {
        if ratio < 1.0 {
            // Scaling down: a pod without a metric counts as using its whole request (or the
            // target, when the target is above 100%).
            let fallback = i64::from(target.max(100));
            for name in &g.missing {
                let value = requests.get(name).copied().unwrap_or(0).saturating_mul(fallback) / 100;
                metrics.insert(name.clone(), PodMetric { value, timestamp: now, window_ms: 0 });
            }
        } else if ratio > 1.0 {
            for name in &g.missing {
                metrics.insert(name.clone(), PodMetric { value: 0, timestamp: now, window_ms: 0 });
            }
        }
    }
    if scale_up_with_unready {
        for name in &g.unready {
            metrics.insert(name.clone(), PodMetric { value: 0, timestamp: now, window_ms: 0 });
        }
    }
    let (new_ratio, _, _) = utilization_ratio(&metrics, &requests, target)?;
    if (1.0 - new_ratio).abs() <= TOLERANCE || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
        return Ok((current, utilization, raw));
    }
    let replicas = ceil_replicas(new_ratio * metrics.len() as f64);
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Ok((current, utilization, raw));
    }
    Ok((replicas, utilization, raw))
}

/// `GetRawResourceReplicas` / `calcPlainMetricReplicas`: an AverageValue target, in milli-units.
/// Returns (replicas, average usage).
pub fn raw_resource_replicas(current: i32, target: i64, pods: &[PodInfo], mut metrics: BTreeMap<String, PodMetric>, cpu: bool, now: Time) -> Result<(i32, i64), String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let g = group_pods(pods, &metrics, cpu, now);
    metrics.retain(|name, _| !g.ignored.contains(name) && !g.unready.contains(name));
    if metrics.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let (ratio, usage) = usage_ratio(&metrics, target);
    let scale_up_with_unready = !g.unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && g.missing.is_empty() {
        if (1.0 - ratio).abs() <= TOLERANCE {
            return Ok((current, usage));
        }
        return Ok((ceil_replicas(ratio * g.ready as f64), usage));
    }
    if !g.missing.is_empty() {
        let value = if ratio < 1.0 { target } else { 0 };
        for name in &g.missing {
            metrics.insert(name.clone(), PodMetric { value, timestamp: now, window_ms: 0 });
        }
    }
    if scale_up_with_unready {
        for name in &g.unready {
            metrics.insert(name.clone(), PodMetric { value: 0, timestamp: now, window_ms: 0 });
        }
    }
    let (new_ratio, _) = usage_ratio(&metrics, target);
    if (1.0 - new_ratio).abs() <= TOLERANCE || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
        return Ok((current, usage));
    }
    let replicas = ceil_replicas(new_ratio * metrics.len() as f64);
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Ok((current, usage));
    }
    Ok((replicas, usage))
}

/// `calculateScaleUpLimit`: at most double, and at least 4.
pub fn scale_up_limit(current: i32) -> i32 {
    current.saturating_mul(2).max(4)
}

/// `convertDesiredReplicasWithRules`: (replicas, ScalingLimited reason, message).
pub fn clamp_with_rules(current: i32, desired: i32, min: i32, max: i32) -> (i32, &'static str, &'static str) {
    let limit = scale_up_limit(current);
    let (maximum, reason, message) = if max > limit {
        (limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
    } else {
        (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
    };
    if desired < min {
        (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
    } else if desired > maximum {
        (maximum, reason, message)
    } else {
        (desired, "DesiredWithinRange", "the desired count is within the acceptable range")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;

    /// A pod started at 0, Ready since 3 s, requesting `request` milli-CPU.
    fn pod(name: &str, request: i64) -> PodInfo {
        PodInfo { name: name.into(), phase: "Running".into(), deleting: false, ready: Some((true, Time(3_000))), start_time: Some(Time(0)), request: Ok(request) }
    }

    fn metrics(values: &[(&str, i64)], at: Time) -> BTreeMap<String, PodMetric> {
        values.iter().map(|(n, v)| (n.to_string(), PodMetric { value: *v, timestamp: at, window_ms: 15_000 })).collect()
    }

    #[test]
    fn the_walkthrough_arithmetic() {
        // One php-apache pod requesting 200m using 601m against a 50% target: utilization
        // 601×100/200 = 300 (integer division), ratio 6, ceil(6 × 1) = 6.
        let now = Time(10 * MIN);
        let got = resource_replicas(1, 50, &[pod("a", 200)], metrics(&[("a", 601)], now), true, now).unwrap();
        assert_eq!(got, (6, 300, 601));
        // Four pods at 151m each: 604/800 → 75%, ratio 1.5, ceil(1.5 × 4) = 6.
        let pods: Vec<PodInfo> = ["a", "b", "c", "d"].iter().map(|n| pod(n, 200)).collect();
        let m = metrics(&[("a", 151), ("b", 151), ("c", 151), ("d", 151)], now);
        assert_eq!(resource_replicas(4, 50, &pods, m, true, now).unwrap(), (6, 75, 151));
    }

    #[test]
    fn within_tolerance_keeps_the_current_count() {
        // 6 pods at 101m of 200m: 606/1200 → 50%, ratio exactly 1.
        let now = Time(10 * MIN);
        let pods: Vec<PodInfo> = (0..6).map(|i| pod(&format!("p{i}"), 200)).collect();
        let m: BTreeMap<String, PodMetric> = (0..6).map(|i| (format!("p{i}"), PodMetric { value: 101, timestamp: now, window_ms: 15_000 })).collect();
        assert_eq!(resource_replicas(6, 50, &pods, m.clone(), true, now).unwrap().0, 6);
        // 54%: ratio 1.08, still inside 1 ± 0.1.
        let m: BTreeMap<String, PodMetric> = m.into_iter().map(|(n, mut p)| {
            p.value = 109;
            (n, p)
        }).collect();
        assert_eq!(resource_replicas(6, 50, &pods, m, true, now).unwrap(), (6, 54, 109));
    }

    #[test]
    fn missing_metrics_count_as_zero_on_the_way_up_and_can_cancel_it() {
        // a uses 151m (75%: up), b..d have no metric yet and count as 0: 151/800 = 18%, which
        // would mean down: the direction flips, so the count stays 4.
        let now = Time(10 * MIN);
        let pods: Vec<PodInfo> = ["a", "b", "c", "d"].iter().map(|n| pod(n, 200)).collect();
        assert_eq!(resource_replicas(4, 50, &pods, metrics(&[("a", 151)], now), true, now).unwrap(), (4, 75, 151));
        // a uses 400m (200%): b..d at 0 give 400/800 = 50% exactly: within tolerance, stay.
        assert_eq!(resource_replicas(4, 50, &pods, metrics(&[("a", 400)], now), true, now).unwrap().0, 4);
        // a uses 800m (400%): 800/800 = 100%, ratio 2, ceil(2 × 4) = 8.
        assert_eq!(resource_replicas(4, 50, &pods, metrics(&[("a", 800)], now), true, now).unwrap().0, 8);
    }

    #[test]
    fn missing_metrics_count_as_their_request_on_the_way_down() {
        // a uses 20m (10%: down); b has no metric and counts as 200m: 220/400 = 55% → ratio
        // 1.1, within tolerance: keep 2.
        let now = Time(10 * MIN);
        let pods = [pod("a", 200), pod("b", 200)];
        assert_eq!(resource_replicas(2, 50, &pods, metrics(&[("a", 20)], now), true, now).unwrap().0, 2);
        // Target 80%: 220/400 = 55% → ratio 0.6875, ceil(0.6875 × 2) = 2 = current.
        assert_eq!(resource_replicas(2, 80, &pods, metrics(&[("a", 20)], now), true, now).unwrap().0, 2);
        // Three pods, two missing, target 200%: missing count as 200% of 100m.
        let pods = [pod("a", 100), pod("b", 100), pod("c", 100)];
        let got = resource_replicas(3, 200, &pods, metrics(&[("a", 10)], now), true, now).unwrap();
        // (10 + 200 + 200) / 300 = 136% → ratio 0.68, ceil(0.68 × 3) = 3.
        assert_eq!(got.0, 3);
    }

    #[test]
    fn young_pods_count_only_a_window_after_becoming_ready() {
        // Started at 0, Ready at 3 s; a sample at 15 s (window 15 s) predates 3 s + 15 s: unready.
        let pods = [pod("a", 200), pod("b", 200)];
        let m = metrics(&[("a", 300), ("b", 300)], Time(15_000));
        let g = group_pods(&pods, &m, true, Time(15_000));
        assert_eq!((g.ready, g.unready.len()), (0, 2));
        assert_eq!(resource_replicas(2, 50, &pods, m, true, Time(15_000)).unwrap_err(), "did not receive metrics for targeted pods (pods might be unready)");
        // At 30 s the sample covers a full window after readiness.
        let m = metrics(&[("a", 300), ("b", 300)], Time(30_000));
        assert_eq!(group_pods(&pods, &m, true, Time(30_000)).ready, 2);
        // Memory ignores readiness.
        let m = metrics(&[("a", 300)], Time(15_000));
        assert_eq!(group_pods(&pods, &m, false, Time(15_000)).ready, 1);
    }

    #[test]
    fn unready_pods_count_as_zero_when_scaling_up() {
        let now = Time(10 * MIN);
        let mut pending = pod("b", 200);
        pending.phase = "Pending".into();
        // a at 300% alone would give ceil(6 × 1) = 6; with b unready at 0: 600/400 = 150% →
        // ratio 3, ceil(3 × 2) = 6 as well; with a at 120m (60%): 120/400 = 30% flips: stay 2.
        assert_eq!(resource_replicas(2, 50, &[pod("a", 200), pending.clone()], metrics(&[("a", 600)], now), true, now).unwrap().0, 6);
        assert_eq!(resource_replicas(2, 50, &[pod("a", 200), pending], metrics(&[("a", 120)], now), true, now).unwrap().0, 2);
    }

    #[test]
    fn errors_read_as_the_real_calculator_words_them() {
        let now = Time(10 * MIN);
        assert_eq!(resource_replicas(1, 50, &[], BTreeMap::new(), true, now).unwrap_err(), "no pods returned by selector while calculating replica count");
        let mut p = pod("web-1", 0);
        p.request = Err("missing request for cpu in container nginx of Pod web-1".into());
        assert_eq!(resource_replicas(1, 50, &[p], metrics(&[("web-1", 5)], now), true, now).unwrap_err(), "missing request for cpu in container nginx of Pod web-1");
    }

    #[test]
    fn average_value_targets() {
        // Two pods averaging 300m against 100m: ratio 3, ceil(3 × 2) = 6.
        let now = Time(10 * MIN);
        let pods = [pod("a", 200), pod("b", 200)];
        assert_eq!(raw_resource_replicas(2, 100, &pods, metrics(&[("a", 200), ("b", 400)], now), true, now).unwrap(), (6, 300));
        assert_eq!(raw_resource_replicas(2, 300, &pods, metrics(&[("a", 290), ("b", 320)], now), true, now).unwrap(), (2, 305));
    }

    #[test]
    fn rules_clamp_and_limit_scale_up() {
        assert_eq!(scale_up_limit(1), 4);
        assert_eq!(scale_up_limit(3), 6);
        assert_eq!(clamp_with_rules(1, 6, 1, 10), (4, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"));
        assert_eq!(clamp_with_rules(4, 12, 1, 10), (8, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"));
        assert_eq!(clamp_with_rules(8, 12, 1, 10).0, 10);
        assert_eq!(clamp_with_rules(8, 12, 1, 10).1, "TooManyReplicas");
        assert_eq!(clamp_with_rules(6, 0, 1, 10), (1, "TooFewReplicas", "the desired replica count is less than the minimum replica count"));
        assert_eq!(clamp_with_rules(6, 6, 1, 10), (6, "DesiredWithinRange", "the desired count is within the acceptable range"));
    }
}
