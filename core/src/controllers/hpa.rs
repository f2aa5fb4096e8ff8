//! The HorizontalPodAutoscaler controller (`pkg/controller/podautoscaler/horizontal.go`), as
//! kube-controller-manager runs it under the `horizontal-pod-autoscaler` service account.
//!
//! Every HPA is synced every 15 s (`--horizontal-pod-autoscaler-sync-period`; its work queue
//! adds each key with that delay, so the first sync is 15 s after the HPA appears):
//!
//! ```text
//! GET <target>/scale                     AbleToScale SucceededGetScale (or FailedGetScale)
//! LIST pods.metrics.k8s.io -l <selector> per Resource metric (metrics-server, via aggregation)
//! replica calculator (hpa_replicas.rs)   ScalingActive ValidMetricFound (or FailedGetResourceMetric)
//! stabilize: highest recommendation of the last 300 s    AbleToScale ScaleDownStabilized
//! clamp: min, max, at most max(2 × current, 4)           ScalingLimited TooFewReplicas/ScaleUpLimit/…
//! PUT <target>/scale                     event SuccessfulRescale "New size: 4; reason: …"
//! PUT horizontalpodautoscalers/<name>/status             when the status changed
//! ```
//!
//! The metrics half of a sync is `hpa_metrics.rs`; an HPA with `spec.behavior` is normalised by
//! its stabilization windows and rate policies instead (`hpa_behavior.rs`). Repeated identical warnings are recorded once per streak rather
//! than counted up as client-go's event correlator does.

use super::client::{self, name_of, ns_of, str_of, EventNames, Source};
use super::hpa_behavior::{self as behavior, Rules, ScaleEvent};
use super::hpa_metrics;
use super::hpa_replicas as calc;
use super::Caches;
use crate::apiserver::aggregator::AggregatedServer;
use crate::apiserver::{handle, rfc3339, Context, Request, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// `--horizontal-pod-autoscaler-sync-period`.
pub const SYNC_PERIOD: Duration = Duration::from_secs(15);
/// `--horizontal-pod-autoscaler-downscale-stabilization`.
pub const DOWNSCALE_STABILIZATION_MS: u64 = 300_000;
/// The controller's service account, and the events' `source.component`.
pub(super) const NAME: &str = "horizontal-pod-autoscaler";
/// HPAs one controller tracks.
const MAX_HPAS: usize = 1_000;

#[derive(Debug, Default)]
pub struct HpaController {
    /// Per HPA (`namespace/name`): when it is synced next.
    next_sync: BTreeMap<String, Time>,
    /// Per HPA: the recommendations of the stabilization window, with when each was made.
    recommendations: BTreeMap<String, Vec<(i32, Time)>>,
    /// Per HPA: the warnings recorded at its last sync, not repeated while they last.
    warned: BTreeMap<String, BTreeSet<(String, String)>>,
    /// Per HPA with a behavior: its recent rescales up and down, for the rate policies.
    scale_up_events: BTreeMap<String, Vec<ScaleEvent>>,
    scale_down_events: BTreeMap<String, Vec<ScaleEvent>>,
}

/// One sync's outcome, built up as `reconcileAutoscaler` does on its copy of the HPA.
pub(super) struct Sync<'a> {
    pub(super) key: String,
    pub(super) hpa: Value,
    pub(super) now: Time,
    events: Vec<(bool, String, String)>,
    pub(super) metrics: &'a dyn AggregatedServer,
}

impl Sync<'_> {
    /// `setCondition`: replaces the condition of that type (appending a new one), moving its
    /// `lastTransitionTime` only when the status changes.
    pub(super) fn set_condition(&mut self, kind: &str, ok: bool, reason: &str, message: String) {
        let status = if ok { "True" } else { "False" };
        let now = rfc3339(self.now);
        if !self.hpa["status"]["conditions"].is_array() {
            self.hpa["status"]["conditions"] = json!([]);
        }
        let Some(list) = self.hpa["status"]["conditions"].as_array_mut() else { return };
        let i = match list.iter().position(|c| c["type"] == kind) {
            Some(i) => i,
            None => {
                list.push(json!({"type": kind}));
                list.len() - 1
            }
        };
        let c = &mut list[i];
        if c["status"] != status {
            c["lastTransitionTime"] = json!(now);
        }
        c["status"] = json!(status);
        c["reason"] = json!(reason);
        c["message"] = json!(message);
    }

    pub(super) fn event(&mut self, warning: bool, reason: &str, message: String) {
        self.events.push((warning, reason.to_string(), message));
    }

    /// `setStatus`: the counts, metrics and conditions; `lastScaleTime` moves on a rescale.
    fn set_status(&mut self, current: i32, desired: i32, metrics: Option<Vec<Value>>, rescale: bool) {
        let status = &mut self.hpa["status"];
        status["currentReplicas"] = json!(current);
        status["desiredReplicas"] = json!(desired);
        status["currentMetrics"] = metrics.map_or(Value::Null, Value::Array);
        if rescale {
            status["lastScaleTime"] = json!(rfc3339(self.now));
        }
    }
}

/// The controller works on autoscaling/v2 (`unsafeConvertToVersionVia`): an HPA stored as
/// autoscaling/v1 has its `targetCPUUtilizationPercentage` as a CPU utilization metric, and an
/// HPA without metrics the API server's default of 80% CPU.
fn as_v2(hpa: &Value) -> Value {
    let mut v2 = hpa.clone();
    let spec = &mut v2["spec"];
    if let Some(pct) = spec.get("targetCPUUtilizationPercentage").and_then(Value::as_i64) {
        spec["metrics"] = json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": pct}}}]);
    }
    if spec["metrics"].as_array().is_none_or(|m| m.is_empty()) {
        spec["metrics"] = json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]);
    }
    if let Some(o) = spec.as_object_mut() {
        o.remove("targetCPUUtilizationPercentage");
    }
    v2["apiVersion"] = json!("autoscaling/v2");
    v2
}

impl HpaController {
    /// The next sync due: a background timer, it runs as virtual time passes.
    pub fn next_timer(&self) -> Option<Time> {
        self.next_sync.values().min().copied()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, names: &mut EventNames, metrics: &dyn AggregatedServer) {
        let live: BTreeSet<String> = caches.hpas.values().take(MAX_HPAS).map(|h| format!("{}/{}", ns_of(h), name_of(h))).collect();
        self.next_sync.retain(|k, _| live.contains(k));
        self.recommendations.retain(|k, _| live.contains(k));
        self.warned.retain(|k, _| live.contains(k));
        self.scale_up_events.retain(|k, _| live.contains(k));
        self.scale_down_events.retain(|k, _| live.contains(k));
        let due: Vec<Value> = caches.hpas.values().take(MAX_HPAS).cloned().collect();
        for hpa in due {
            let key = format!("{}/{}", ns_of(&hpa), name_of(&hpa));
            match self.next_sync.get(&key) {
                None => {
                    self.next_sync.insert(key, ctx.now.after(SYNC_PERIOD));
                }
                Some(t) if *t <= ctx.now => {
                    self.next_sync.insert(key.clone(), ctx.now.after(SYNC_PERIOD));
                    let mut sync = Sync { key: key.clone(), hpa: as_v2(&hpa), now: ctx.now, events: Vec::new(), metrics };
                    self.reconcile_autoscaler(ctx, caches, &mut sync);
                    if sync.hpa["status"] != as_v2(&hpa)["status"] {
                        if let Some(kind) = client::kind("autoscaling/v2", "HorizontalPodAutoscaler") {
                            client::update_status(ctx, &client::controller(NAME), kind, &sync.hpa);
                        }
                    }
                    let source = Source { component: NAME, host: "" };
                    let before = self.warned.remove(&key).unwrap_or_default();
                    let mut warned = BTreeSet::new();
                    for (warning, reason, message) in sync.events {
                        let id = (reason.clone(), message.clone());
                        if warning {
                            warned.insert(id.clone());
                            if before.contains(&id) {
                                continue;
                            }
                        }
                        client::event(ctx, names, &client::controller(NAME), &source, &hpa, warning, &reason, &message);
                    }
                    self.warned.insert(key, warned);
                }
                Some(_) => {}
            }
        }
    }

    fn reconcile_autoscaler(&mut self, ctx: &mut Context, caches: &Caches, s: &mut Sync) {
        let user = client::controller(NAME);
        let ns = ns_of(&s.hpa).to_string();
        let target = s.hpa["spec"]["scaleTargetRef"].clone();
        let (api_version, kind_name, target_name) = (str_of(&target, &["apiVersion"]), str_of(&target, &["kind"]), str_of(&target, &["name"]));
        let scale = match client::kind(api_version, kind_name) {
            None => {
                let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
                Err(format!("no matches for kind \"{kind_name}\" in group \"{group}\""))
            }
            Some(kind) => {
                let mut req = Request::new(Verb::Get, kind, &ns, target_name);
                req.subresource = "scale".into();
                req.user = user.clone();
                handle(ctx, &req).result.map(|scale| (kind, scale)).map_err(|e| e.message)
            }
        };
        let (kind, scale) = match scale {
            Ok(k) => k,
            Err(e) => {
                s.event(true, "FailedGetScale", e.clone());
                s.set_condition("AbleToScale", false, "FailedGetScale", format!("the HPA controller was unable to get the target's current scale: {e}"));
                return;
            }
        };
        s.set_condition("AbleToScale", true, "SucceededGetScale", "the HPA controller was able to get the target's current scale".into());
        let current = i32::try_from(scale["spec"]["replicas"].as_i64().unwrap_or(0)).unwrap_or(0);
        self.recommendations.entry(s.key.clone()).or_insert_with(|| vec![(current, s.now)]);
        let min = i32::try_from(s.hpa["spec"]["minReplicas"].as_i64().unwrap_or(1)).unwrap_or(1);
        let max = i32::try_from(s.hpa["spec"]["maxReplicas"].as_i64().unwrap_or(0)).unwrap_or(0);
        let mut statuses = None;
        let mut rescale = true;
        let mut reason = String::new();
        let desired = if current == 0 && min != 0 {
            rescale = false;
            s.set_condition("ScalingActive", false, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero".into());
            0
        } else if current > max {
            reason = "Current number of replicas above Spec.MaxReplicas".into();
            max
        } else if current < min {
            reason = "Current number of replicas below Spec.MinReplicas".into();
            min
        } else {
            let (proposal, metric, metric_statuses) = match hpa_metrics::compute_replicas_for_metrics(ctx, caches, s, &scale, current) {
                Ok(found) => found,
                Err((error, metric_statuses)) => {
                    let desired = i32::try_from(s.hpa["status"]["desiredReplicas"].as_i64().unwrap_or(0)).unwrap_or(0);
                    s.set_status(current, desired, Some(metric_statuses), false);
                    s.event(true, "FailedComputeMetricsReplicas", error);
                    return;
                }
            };
            statuses = Some(metric_statuses);
            if proposal > current {
                reason = format!("{metric} above target");
            } else if proposal < current {
                reason = "All metrics below target".into();
            }
            let desired = self.normalize(s, current, proposal, min, max);
            rescale = desired != current;
            desired
        };
        let desired = if rescale {
            let mut body = scale.clone();
            body["spec"]["replicas"] = json!(desired);
            let mut req = Request::new(Verb::Update, kind, &ns, target_name).with_body(body);
            req.subresource = "scale".into();
            req.user = user;
            if let Err(e) = handle(ctx, &req).result {
                s.event(true, "FailedRescale", format!("New size: {desired}; reason: {reason}; error: {}", e.message));
                s.set_condition("AbleToScale", false, "FailedUpdateScale", format!("the HPA controller was unable to update the target scale: {}", e.message));
                let old = i32::try_from(s.hpa["status"]["desiredReplicas"].as_i64().unwrap_or(0)).unwrap_or(0);
                s.set_status(current, old, statuses, false);
                return;
            }
            s.set_condition("AbleToScale", true, "SucceededRescale", format!("the HPA controller was able to update the target scale to {desired}"));
            s.event(false, "SuccessfulRescale", format!("New size: {desired}; reason: {reason}"));
            self.store_scale_event(s, current, desired);
            desired
        } else {
            current
        };
        s.set_status(current, desired, statuses, rescale);
    }

    /// The behavior's rules in both directions, when the HPA has one.
    fn rules(s: &Sync) -> Option<(Rules, Rules)> {
        let b = &s.hpa["spec"]["behavior"];
        b.is_object().then(|| (Rules::from_json(&b["scaleUp"], 0), Rules::from_json(&b["scaleDown"], DOWNSCALE_STABILIZATION_MS / 1000)))
    }

    /// `storeScaleEvent`: only an HPA with a behavior keeps them.
    fn store_scale_event(&mut self, s: &Sync, current: i32, desired: i32) {
        let Some((up, down)) = Self::rules(s) else { return };
        if desired > current {
            behavior::store_event(self.scale_up_events.entry(s.key.clone()).or_default(), desired - current, &up, s.now);
        } else {
            behavior::store_event(self.scale_down_events.entry(s.key.clone()).or_default(), current - desired, &down, s.now);
        }
    }

    /// `normalizeDesiredReplicasWithBehaviors`: both windows, then the policies' rates.
    #[allow(clippy::too_many_arguments)]
    fn normalize_with_behaviors(&mut self, s: &mut Sync, current: i32, proposal: i32, min: i32, max: i32, up: &Rules, down: &Rules) -> i32 {
        let recs = self.recommendations.entry(s.key.clone()).or_default();
        let (stabilized, reason, message) = behavior::stabilize(recs, current, proposal, up, down, s.now);
        if stabilized != proposal {
            s.set_condition("AbleToScale", true, reason, message.into());
        } else {
            s.set_condition("AbleToScale", true, "ReadyForNewScale", "recommended size matches current size".into());
        }
        let ups = self.scale_up_events.get(&s.key).map_or(&[][..], Vec::as_slice);
        let downs = self.scale_down_events.get(&s.key).map_or(&[][..], Vec::as_slice);
        let up_limit = behavior::scale_up_limit(current, ups, downs, up, s.now);
        let down_limit = behavior::scale_down_limit(current, ups, downs, down, s.now);
        let (desired, reason, message) = behavior::limit_rate(current, stabilized, min, max, up_limit, down_limit);
        s.set_condition("ScalingLimited", desired != stabilized, reason, message.into());
        desired
    }

    /// `normalizeDesiredReplicas`: the stabilized recommendation, clamped by the rules.
    fn normalize(&mut self, s: &mut Sync, current: i32, proposal: i32, min: i32, max: i32) -> i32 {
        if let Some((up, down)) = Self::rules(s) {
            return self.normalize_with_behaviors(s, current, proposal, min, max, &up, &down);
        }
        let stabilized = self.stabilize(&s.key, proposal, s.now, DOWNSCALE_STABILIZATION_MS);
        if stabilized != proposal {
            s.set_condition("AbleToScale", true, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation".into());
        } else {
            s.set_condition("AbleToScale", true, "ReadyForNewScale", "recommended size matches current size".into());
        }
        let (desired, reason, message) = calc::clamp_with_rules(current, stabilized, min, max);
        s.set_condition("ScalingLimited", desired != stabilized, reason, message.into());
        desired
    }

    /// `stabilizeRecommendation`: the highest recommendation within the window; the oldest sample
    /// outside it is replaced by this one.
    fn stabilize(&mut self, key: &str, proposal: i32, now: Time, window_ms: u64) -> i32 {
        let recs = self.recommendations.entry(key.to_string()).or_default();
        let cutoff = now.as_ms().saturating_sub(window_ms);
        let mut highest = proposal;
        let mut old = None;
        for (i, (r, at)) in recs.iter().enumerate() {
            if at.as_ms() < cutoff {
                old = Some(i);
            } else if *r > highest {
                highest = *r;
            }
        }
        match old {
            Some(i) => recs[i] = (proposal, now),
            None if recs.len() < 1_000 => recs.push((proposal, now)),
            None => {}
        }
        highest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v1_hpa_is_read_as_v2() {
        let v1 = json!({"apiVersion": "autoscaling/v1", "spec": {"maxReplicas": 3, "targetCPUUtilizationPercentage": 50}});
        let v2 = as_v2(&v1);
        assert_eq!(v2["spec"]["metrics"][0]["resource"]["target"], json!({"type": "Utilization", "averageUtilization": 50}));
        assert!(v2["spec"].get("targetCPUUtilizationPercentage").is_none());
        assert_eq!(as_v2(&json!({"spec": {}}))["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);
    }

    #[test]
    fn stabilization_keeps_the_highest_recent_recommendation() {
        let mut c = HpaController::default();
        assert_eq!(c.stabilize("k", 6, Time(0), DOWNSCALE_STABILIZATION_MS), 6);
        assert_eq!(c.stabilize("k", 1, Time(60_000), DOWNSCALE_STABILIZATION_MS), 6);
        assert_eq!(c.stabilize("k", 1, Time(299_000), DOWNSCALE_STABILIZATION_MS), 6);
        // Past 300 s the 6 is out of the window (and replaced).
        assert_eq!(c.stabilize("k", 1, Time(301_000), DOWNSCALE_STABILIZATION_MS), 1);
    }
}
