//! The rate-limited retry of a failed sync, for the controllers that look at every object of
//! their kind at each step instead of popping keys from a [`super::workqueue::WorkQueue`] (the
//! DaemonSet and StatefulSet controllers).
//!
//! In kube-controller-manager both controllers end a sync that returned an error (a pod create
//! refused because its ServiceAccount does not exist yet, a quota, a webhook) with
//! `queue.AddRateLimited(key)` under `DefaultTypedControllerRateLimiter`, and a sync without error
//! with `queue.Forget(key)`. So a set whose ServiceAccount is applied after it (kube-prometheus'
//! `nodeExporter-daemonSet.yaml` sorts before `nodeExporter-serviceAccount.yaml`) gets its pods
//! a few milliseconds later. Here a refused sync is held for the per-key exponential back-off,
//! 5 ms doubling to 1000 s, and then tried again; a new generation is synced at once, as the
//! informer's update handler `Add`s the key without waiting. The queue's token bucket (10 per
//! second, burst 100) is not modelled: it only matters past a hundred failing sets.
//!
//! As in [`super::workqueue`], a wait shorter than [`FOREGROUND_DELAY_MS`] is work a command
//! waits for and a longer one runs only as virtual time passes, so a set that can never create
//! its pods leaves the cluster idle. A wait whose time has passed is never reported again: a
//! retry time left in the past would keep the kernel stepping at every step with nothing to do.

use super::workqueue::FOREGROUND_DELAY_MS;
use crate::sim::{Duration, Time};
use std::collections::BTreeMap;

/// `ItemExponentialFailureRateLimiter` of `DefaultTypedControllerRateLimiter`.
const BASE_DELAY_MS: u64 = 5;
const MAX_DELAY_MS: u64 = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Retry {
    /// The object's generation when its sync failed: a spec change ends the hold.
    generation: i64,
    /// Failures since the last sync without error (`NumRequeues`).
    failures: u32,
    until: Time,
}

/// The failing objects of one controller, by uid.
#[derive(Debug, Default)]
pub struct SyncRetry {
    retries: BTreeMap<String, Retry>,
    /// The instant of the last reconcile: holds that ended by then are not reported as wakes.
    now: Time,
}

impl SyncRetry {
    /// Forgets the objects that are gone; call once per reconcile, before the syncs.
    pub fn retain_live(&mut self, live: &[&str], now: Time) {
        self.now = now;
        self.retries.retain(|uid, _| live.contains(&uid.as_str()));
    }

    /// Whether the object's next sync must wait for its back-off.
    pub fn is_held(&self, uid: &str, generation: i64, now: Time) -> bool {
        self.retries.get(uid).is_some_and(|r| r.generation == generation && r.until > now)
    }

    /// `AddRateLimited`: the sync failed; it is held for the key's next back-off.
    pub fn failed(&mut self, uid: &str, generation: i64, now: Time) -> Duration {
        let failures = self.retries.get(uid).map_or(0, |r| r.failures);
        // 2^failures overflows long before the cap matters: past 63 doublings it is the cap.
        let delay = 1u64.checked_shl(failures).and_then(|f| BASE_DELAY_MS.checked_mul(f)).unwrap_or(u64::MAX).min(MAX_DELAY_MS);
        let retry = Retry { generation, failures: failures.saturating_add(1), until: now.after(Duration::from_ms(delay)) };
        self.retries.insert(uid.to_string(), retry);
        Duration::from_ms(delay)
    }

    /// `Forget`: the sync ended without error; its failures no longer count.
    pub fn succeeded(&mut self, uid: &str) {
        self.retries.remove(uid);
    }

    fn waits(&self, background: bool) -> Option<Time> {
        self.retries.values().filter(|r| r.until > self.now && (r.until.0.saturating_sub(self.now.0) >= FOREGROUND_DELAY_MS) == background).map(|r| r.until).min()
    }

    /// The earliest short hold, which a command waits for.
    pub fn next_wake(&self) -> Option<Time> {
        self.waits(false)
    }

    /// The earliest long hold, which runs only as virtual time passes.
    pub fn next_background_wake(&self) -> Option<Time> {
        self.waits(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_sync_backs_off_exponentially_and_a_success_forgets_it() {
        let mut r = SyncRetry::default();
        r.retain_live(&["a"], Time(0));
        assert_eq!(r.failed("a", 1, Time(0)), Duration::from_ms(5));
        assert!(r.is_held("a", 1, Time(4)));
        assert!(!r.is_held("a", 1, Time(5)));
        // A new generation is synced at once.
        assert!(!r.is_held("a", 2, Time(1)));
        assert_eq!(r.failed("a", 1, Time(5)), Duration::from_ms(10));
        assert_eq!(r.next_wake(), Some(Time(15)));
        r.succeeded("a");
        assert_eq!(r.failed("a", 1, Time(20)), Duration::from_ms(5));
    }

    #[test]
    fn long_holds_run_in_the_background_and_past_ones_are_never_due() {
        let mut r = SyncRetry::default();
        r.retain_live(&["a"], Time(0));
        let mut now = Time(0);
        for _ in 0..9 {
            now = now.after(r.failed("a", 1, now));
        }
        // The ninth failure waits 1280 ms: past the foreground limit.
        r.retain_live(&["a"], now);
        let last = r.failed("a", 1, now);
        assert_eq!(last, Duration::from_ms(2560));
        assert_eq!(r.next_wake(), None);
        assert_eq!(r.next_background_wake(), Some(now.after(last)));
        // Once its time has passed a hold is no wake, whether or not the object was synced.
        r.retain_live(&["a"], now.after(last));
        assert_eq!((r.next_wake(), r.next_background_wake()), (None, None));
        // The cap.
        for _ in 0..40 {
            r.failed("a", 1, now);
        }
        assert_eq!(r.failed("a", 1, now), Duration::from_ms(MAX_DELAY_MS));
        r.retain_live(&[], now);
        assert_eq!(r.next_background_wake(), None);
    }
}
