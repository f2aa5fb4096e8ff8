//! `spec.behavior` of an autoscaling/v2 HorizontalPodAutoscaler, as `horizontal.go`'s
//! `normalizeDesiredReplicasWithBehaviors` applies it: stabilization windows in both directions,
//! then the scaling policies' rate limits, counted over the rescales of each policy's period.
//!
//! ```text
//! scaleUp:   window 0 s,   Max of { +4 pods, +100% } per 15 s   (the API server's defaults)
//! scaleDown: window 300 s, Max of { -100% } per 15 s
//! current 2, desired 12: up limit max(2 + 4, ceil(2 × 2)) = 6 → 6 (ScaleUpLimit)
//! ```

use crate::sim::Time;
use serde_json::Value;

/// One direction's `HPAScalingRules`, with the controller's default window filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    pub window_secs: u64,
    /// `Max`, `Min` or `Disabled`.
    pub select: String,
    /// (type `Pods` or `Percent`, value, periodSeconds).
    pub policies: Vec<(String, i32, u64)>,
}

impl Rules {
    /// From the stored rules (defaulted by the API server); `maybeInitScaleDownStabilizationWindow`
    /// supplies `default_window_secs` when the window is unset.
    pub fn from_json(v: &Value, default_window_secs: u64) -> Rules {
        let policies = v["policies"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| (p["type"].as_str().unwrap_or("").to_string(), i32::try_from(p["value"].as_i64().unwrap_or(0)).unwrap_or(0), p["periodSeconds"].as_u64().unwrap_or(0)))
            .collect();
        Rules { window_secs: v["stabilizationWindowSeconds"].as_u64().unwrap_or(default_window_secs), select: v["selectPolicy"].as_str().unwrap_or("Max").to_string(), policies }
    }

    fn longest_period(&self) -> u64 {
        self.policies.iter().map(|p| p.2).max().unwrap_or(0)
    }
}

/// A rescale remembered for the policies: how many replicas it added or removed, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleEvent {
    pub change: i32,
    pub at: Time,
    pub outdated: bool,
}

/// `now - window` in signed milliseconds: early in a run the cutoff lies before time 0, and every
/// sample is within the window (as Go's `time.Now().Add(-window)` would have it).
fn cutoff(now: Time, window_secs: u64) -> i64 {
    ms(now) - i64::try_from(window_secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}

fn ms(t: Time) -> i64 {
    i64::try_from(t.as_ms()).unwrap_or(i64::MAX)
}

/// `getReplicasChangePerPeriod`.
fn change_in_period(period_secs: u64, events: &[ScaleEvent], now: Time) -> i32 {
    let cutoff = cutoff(now, period_secs);
    events.iter().filter(|e| ms(e.at) > cutoff).map(|e| e.change).fold(0, i32::saturating_add)
}

/// `calculateScaleUpLimitWithScalingRules`.
pub fn scale_up_limit(current: i32, ups: &[ScaleEvent], downs: &[ScaleEvent], rules: &Rules, now: Time) -> i32 {
    if rules.select == "Disabled" {
        return current;
    }
    let min_select = rules.select == "Min";
    let mut result = if min_select { i32::MAX } else { i32::MIN };
    for (kind, value, period) in &rules.policies {
        let start = current - change_in_period(*period, ups, now) + change_in_period(*period, downs, now);
        let proposed = if kind == "Pods" {
            start.saturating_add(*value)
        } else {
            (f64::from(start) * (1.0 + f64::from(*value) / 100.0)).ceil() as i32
        };
        result = if min_select { result.min(proposed) } else { result.max(proposed) };
    }
    result
}

/// `calculateScaleDownLimitWithBehaviors`.
pub fn scale_down_limit(current: i32, ups: &[ScaleEvent], downs: &[ScaleEvent], rules: &Rules, now: Time) -> i32 {
    if rules.select == "Disabled" {
        return current;
    }
    let min_select = rules.select == "Min";
    let mut result = if min_select { i32::MIN } else { i32::MAX };
    for (kind, value, period) in &rules.policies {
        let start = current - change_in_period(*period, ups, now) + change_in_period(*period, downs, now);
        let proposed = if kind == "Pods" {
            start.saturating_sub(*value)
        } else {
            (f64::from(start) * (1.0 - f64::from(*value) / 100.0)) as i32
        };
        result = if min_select { result.max(proposed) } else { result.min(proposed) };
    }
    result
}

/// `stabilizeRecommendationWithBehaviors`: the current count brought within the lowest
/// recommendation of the up window and the highest of the down window; this recommendation is
/// recorded (over a sample older than both windows, if any). Returns the stabilized count and
/// the AbleToScale reason and message used when it differs from `desired`.
pub fn stabilize(recs: &mut Vec<(i32, Time)>, current: i32, desired: i32, up: &Rules, down: &Rules, now: Time) -> (i32, &'static str, &'static str) {
    let up_cutoff = cutoff(now, up.window_secs);
    let down_cutoff = cutoff(now, down.window_secs);
    let (mut up_rec, mut down_rec) = (desired, desired);
    let mut old = None;
    for (i, (r, at)) in recs.iter().enumerate() {
        if ms(*at) > up_cutoff {
            up_rec = up_rec.min(*r);
        }
        if ms(*at) > down_cutoff {
            down_rec = down_rec.max(*r);
        }
        if ms(*at) < up_cutoff && ms(*at) < down_cutoff {
            old = Some(i);
        }
    }
    let recommendation = current.max(up_rec).min(down_rec);
    match old {
        Some(i) => recs[i] = (desired, now),
        None if recs.len() < 1_000 => recs.push((desired, now)),
        None => {}
    }
    if desired >= current {
        (recommendation, "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation")
    } else {
        (recommendation, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation")
    }
}

/// `convertDesiredReplicasWithBehaviorRate`: the policies' limits and min/max.
pub fn limit_rate(current: i32, desired: i32, min: i32, max: i32, up_limit: i32, down_limit: i32) -> (i32, &'static str, &'static str) {
    if desired > current {
        let up_limit = up_limit.max(current);
        let (maximum, reason, message) = if max > up_limit {
            (up_limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
        } else {
            (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
        };
        if desired > maximum {
            return (maximum, reason, message);
        }
    } else if desired < current {
        let down_limit = down_limit.min(current);
        let (minimum, reason, message) = if min < down_limit {
            (down_limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
        } else {
            (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
        };
        if desired < minimum {
            return (minimum, reason, message);
        }
    }
    (desired, "DesiredWithinRange", "the desired count is within the acceptable range")
}

/// `storeScaleEvent`: remembers a rescale in its direction's list, reusing an entry older than
/// the direction's longest policy period.
pub fn store_event(events: &mut Vec<ScaleEvent>, change: i32, rules: &Rules, now: Time) {
    let cutoff = cutoff(now, rules.longest_period());
    for e in events.iter_mut() {
        if ms(e.at) < cutoff {
            e.outdated = true;
        }
    }
    let event = ScaleEvent { change, at: now, outdated: false };
    match events.iter().position(|e| e.outdated) {
        Some(i) => events[i] = event,
        None if events.len() < 1_000 => events.push(event),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defaults() -> (Rules, Rules) {
        let up = json!({"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
            {"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]});
        let down = json!({"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]});
        (Rules::from_json(&up, 300), Rules::from_json(&down, 300))
    }

    #[test]
    fn default_policies_allow_the_larger_of_four_pods_or_double() {
        let (up, down) = defaults();
        assert_eq!(down.window_secs, 300);
        let now = Time(100_000);
        assert_eq!(scale_up_limit(2, &[], &[], &up, now), 6); // max(2 + 4, ceil(2 × 2))
        assert_eq!(scale_up_limit(10, &[], &[], &up, now), 20); // max(14, 20)
        // 4 pods were added 10 s ago: the period started at 2.
        let ups = [ScaleEvent { change: 4, at: Time(90_000), outdated: false }];
        assert_eq!(scale_up_limit(6, &ups, &[], &up, now), 6);
        assert_eq!(scale_up_limit(6, &ups, &[], &up, Time(106_000)), 12, "the event left the 15 s period");
        assert_eq!(scale_down_limit(6, &[], &[], &down, now), 0); // -100%
        assert_eq!(limit_rate(2, 12, 1, 10, 6, 0), (6, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"));
        assert_eq!(limit_rate(6, 1, 1, 10, 6, 0), (1, "DesiredWithinRange", "the desired count is within the acceptable range"));
    }

    #[test]
    fn a_pods_policy_on_the_way_down() {
        let down = Rules { window_secs: 0, select: "Max".into(), policies: vec![("Pods".into(), 1, 60)] };
        let now = Time(600_000);
        assert_eq!(scale_down_limit(5, &[], &[], &down, now), 4);
        assert_eq!(limit_rate(5, 1, 1, 10, 5, 4), (4, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"));
        let mut events = Vec::new();
        store_event(&mut events, 1, &down, now);
        // One pod removed within the minute: the period started at 5, so 4 is still the floor.
        assert_eq!(scale_down_limit(4, &[], &events, &down, Time(630_000)), 4);
    }

    #[test]
    fn windows_hold_the_recommendation_in_both_directions() {
        let up = Rules { window_secs: 60, select: "Max".into(), policies: Vec::new() };
        let down = Rules { window_secs: 300, select: "Max".into(), policies: Vec::new() };
        let mut recs = vec![(3, Time(0))];
        // Up to 8 wanted, but 3 was recommended within the last minute.
        assert_eq!(stabilize(&mut recs, 3, 8, &up, &down, Time(30_000)).0, 3);
        // Two minutes on, the lowest recent one is 8.
        assert_eq!(stabilize(&mut recs, 3, 8, &up, &down, Time(120_000)).0, 8);
        // Down to 2 wanted, but 8 was recommended within 5 minutes.
        let (r, reason, _) = stabilize(&mut recs, 8, 2, &up, &down, Time(200_000));
        assert_eq!((r, reason), (8, "ScaleDownStabilized"));
    }
}
