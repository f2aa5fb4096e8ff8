//! client-go's work queue (`k8s.io/client-go/util/workqueue`) in virtual time: the FIFO of
//! `namespace/name` keys a controller's informer event handlers feed and its sync pops, with the
//! delaying queue's `AddAfter` and the rate-limiting queue's `AddRateLimited` on top.
//!
//! The FIFO (`queue.go`) keeps three sets, which together give its guarantees:
//!
//! ```text
//! add(a) add(b) add(a)   queue [a b]  dirty {a b}  processing {}     a is not queued twice
//! get() -> a             queue [b]    dirty {b}    processing {a}
//! add(a)                 queue [b]    dirty {a b}  processing {a}    a is never synced twice at once:
//! done(a)                queue [b a]  dirty {a b}  processing {}     it is queued again on done
//! ```
//!
//! The delaying queue (`delaying_queue.go`) holds keys until their time comes; a key already
//! waiting keeps the earlier of its two times. The rate limiter of `AddRateLimited` is
//! `DefaultTypedControllerRateLimiter`: the larger of a per-key exponential back-off (5 ms doubling
//! to 1000 s, reset by `Forget`) and one token bucket for the whole queue (10 per second, burst
//! 100), both computed on the virtual clock, so a run is the same every time.
//!
//! A controller's sync returns its [`Decision`] for the key as a value (kube-rs' `Action`), and
//! [`WorkQueue::finish`] applies it as client-go's `processNextWorkItem` and `handleErr` do, giving
//! back the [`Outcome`] that the key's reconcile record shows ("requeued after 5ms: ...").
//!
//! The kernel steps the control plane when a waiting key comes due. A wait shorter than
//! [`FOREGROUND_DELAY_MS`] is work a command waits for (the first quick retries); a longer one (a
//! progress deadline, retries that have backed off to seconds) runs only as virtual time passes
//! (`run 10m`), so a cluster whose only work is a failing retry still goes idle.

use crate::sim::{Duration, Time};
use crate::trace::Outcome;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// At most this many distinct keys queued, waiting, processing or remembered by the rate
/// limiter; more are refused (counted in `dropped`). An informer caches at most 10 000 objects.
pub const MAX_KEYS: usize = 10_000;

/// Waits shorter than this keep a command running; longer ones run as virtual time passes.
pub const FOREGROUND_DELAY_MS: u64 = 1_000;

/// `ItemExponentialFailureRateLimiter`: `base * 2^failures` for a key, capped at `max`.
#[derive(Clone, Debug)]
pub struct ItemExponentialFailureRateLimiter {
    base_ms: u64,
    max_ms: u64,
    failures: BTreeMap<String, u32>,
}

impl ItemExponentialFailureRateLimiter {
    pub fn new(base: Duration, max: Duration) -> Self {
        ItemExponentialFailureRateLimiter { base_ms: base.0, max_ms: max.0, failures: BTreeMap::new() }
    }

    /// The delay for this failure of `key`, counting it.
    pub fn when(&mut self, key: &str) -> Duration {
        let exp = self.failures.get(key).copied().unwrap_or(0);
        if self.failures.len() < MAX_KEYS || self.failures.contains_key(key) {
            self.failures.insert(key.to_string(), exp.saturating_add(1));
        }
        // 2^exp overflows long before the cap matters: past 63 doublings it is the cap.
        let backoff = 1u64.checked_shl(exp).and_then(|f| self.base_ms.checked_mul(f)).unwrap_or(u64::MAX);
        Duration(backoff.min(self.max_ms))
    }

    pub fn num_requeues(&self, key: &str) -> u32 {
        self.failures.get(key).copied().unwrap_or(0)
    }

    pub fn forget(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

/// `BucketRateLimiter` over golang.org/x/time/rate's token bucket: `Reserve()` always takes a
/// token, and the delay is how long until the bucket would have held it. Tokens are counted in
/// thousandths so that refilling by the millisecond is exact integer arithmetic.
#[derive(Clone, Debug)]
pub struct BucketRateLimiter {
    per_second: u64,
    burst: u64,
    /// Thousandths of a token; negative while reservations are outstanding.
    milli_tokens: i64,
    /// The last reservation; `None` before the first, when the bucket is full.
    last: Option<Time>,
}

impl BucketRateLimiter {
    pub fn new(per_second: u64, burst: u64) -> Self {
        BucketRateLimiter { per_second: per_second.max(1), burst, milli_tokens: 0, last: None }
    }

    pub fn when(&mut self, now: Time) -> Duration {
        let full = i64::try_from(self.burst.saturating_mul(1000)).unwrap_or(i64::MAX);
        let refilled = match self.last {
            None => full,
            // `per_second` tokens a second is `per_second` thousandths a millisecond.
            Some(last) => {
                let elapsed = now.as_ms().saturating_sub(last.as_ms());
                let gained = i64::try_from(elapsed.saturating_mul(self.per_second)).unwrap_or(i64::MAX);
                self.milli_tokens.saturating_add(gained).min(full)
            }
        };
        self.last = Some(now);
        self.milli_tokens = refilled - 1000;
        if self.milli_tokens >= 0 {
            return Duration::ZERO;
        }
        let missing = self.milli_tokens.unsigned_abs();
        Duration(missing.div_ceil(self.per_second))
    }
}

/// `DefaultTypedControllerRateLimiter`: the `MaxOfRateLimiter` of both, as every controller of
/// kube-controller-manager that retries through its queue uses it.
#[derive(Clone, Debug)]
pub struct ControllerRateLimiter {
    item: ItemExponentialFailureRateLimiter,
    bucket: BucketRateLimiter,
}

impl Default for ControllerRateLimiter {
    fn default() -> Self {
        ControllerRateLimiter {
            item: ItemExponentialFailureRateLimiter::new(Duration::from_ms(5), Duration::from_secs(1000)),
            bucket: BucketRateLimiter::new(10, 100),
        }
    }
}

impl ControllerRateLimiter {
    /// A per-key back-off from `base` doubling to `max`, under the default bucket (the namespace
    /// controller's `nsControllerRateLimiter` caps at 60 s).
    pub fn new(base: Duration, max: Duration) -> Self {
        ControllerRateLimiter { item: ItemExponentialFailureRateLimiter::new(base, max), bucket: BucketRateLimiter::new(10, 100) }
    }

    /// Both limiters are asked (each counts the request), the longer wait wins.
    pub fn when(&mut self, key: &str, now: Time) -> Duration {
        let item = self.item.when(key);
        let bucket = self.bucket.when(now);
        item.max(bucket)
    }

    pub fn num_requeues(&self, key: &str) -> u32 {
        self.item.num_requeues(key)
    }

    pub fn forget(&mut self, key: &str) {
        self.item.forget(key);
    }
}

/// What a controller's sync of one key decided, returned as a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// In sync: `Forget` the key's failures.
    Done,
    /// In sync for now, but look again after this long (`AddAfter`): a progress deadline.
    RequeueAfter(Duration),
    /// Look again after this long (`AddAfter`) for work under way that ends by then (pods in
    /// their grace period): a command waits for it however long the wait.
    AwaitAfter(Duration),
    /// The sync failed with this error: retry through the rate limiter (`AddRateLimited`).
    Error(String),
}

/// A key waiting in the delaying queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Waiting {
    ready_at: Time,
    /// The wait runs only as virtual time passes (see [`FOREGROUND_DELAY_MS`]).
    background: bool,
}

/// A rate-limited delaying FIFO of keys.
#[derive(Clone, Debug)]
pub struct WorkQueue {
    /// Keys to sync, in the order they were added.
    queue: VecDeque<String>,
    /// Keys that need a sync: queued, or added again while processing.
    dirty: BTreeSet<String>,
    /// Keys a sync holds (between `get` and `done`).
    processing: BTreeSet<String>,
    /// The delaying queue: key -> when it is added.
    waiting: BTreeMap<String, Waiting>,
    limiter: ControllerRateLimiter,
    /// After this many rate-limited retries a key is dropped (`maxRetries`); `None`: never.
    max_retries: Option<u32>,
    /// Adds refused because the queue held [`MAX_KEYS`] keys.
    pub dropped: u64,
    /// The virtual time of the last `promote`: when keys still queued are due.
    now: Time,
}

impl Default for WorkQueue {
    fn default() -> Self {
        WorkQueue::new(None)
    }
}

impl WorkQueue {
    /// A queue with the default controller rate limiter; `max_retries` as the controller's
    /// `handleErr` counts them (the deployment controller's 15; none for the replicaset one).
    pub fn new(max_retries: Option<u32>) -> Self {
        WorkQueue::with_limiter(ControllerRateLimiter::default(), max_retries)
    }

    /// A queue whose `AddRateLimited` uses `limiter`.
    pub fn with_limiter(limiter: ControllerRateLimiter, max_retries: Option<u32>) -> Self {
        WorkQueue {
            queue: VecDeque::new(),
            dirty: BTreeSet::new(),
            processing: BTreeSet::new(),
            waiting: BTreeMap::new(),
            limiter,
            max_retries,
            dropped: 0,
            now: Time(0),
        }
    }

    /// `Add`: queues `key` unless it is already waiting to be synced. A key being synced is
    /// queued again when its sync is `done`.
    pub fn add(&mut self, key: &str) {
        if self.dirty.contains(key) {
            return;
        }
        if self.dirty.len() >= MAX_KEYS {
            self.dropped += 1;
            return;
        }
        self.dirty.insert(key.to_string());
        if !self.processing.contains(key) {
            self.queue.push_back(key.to_string());
        }
    }

    /// `AddAfter`: adds `key` once `delay` has passed; at once for no delay. A key already
    /// waiting keeps the earlier time.
    pub fn add_after(&mut self, key: &str, delay: Duration, now: Time) {
        self.add_waiting(key, delay, now, delay.0 >= FOREGROUND_DELAY_MS);
    }

    fn add_waiting(&mut self, key: &str, delay: Duration, now: Time, background: bool) {
        if delay == Duration::ZERO {
            self.add(key);
            return;
        }
        let entry = Waiting { ready_at: now.after(delay), background };
        let full = self.waiting.len() >= MAX_KEYS;
        match self.waiting.get_mut(key) {
            Some(w) if w.ready_at <= entry.ready_at => {}
            Some(w) => *w = entry,
            None if full => self.dropped += 1,
            None => {
                self.waiting.insert(key.to_string(), entry);
            }
        }
    }

    /// `AddRateLimited`: adds `key` after the rate limiter's delay, which it returns.
    pub fn add_rate_limited(&mut self, key: &str, now: Time) -> Duration {
        let delay = self.limiter.when(key, now);
        self.add_after(key, delay, now);
        delay
    }

    /// `Forget`: the key's failures no longer count for its back-off.
    pub fn forget(&mut self, key: &str) {
        self.limiter.forget(key);
    }

    /// `NumRequeues`: the key's rate-limited retries since it was last forgotten.
    pub fn num_requeues(&self, key: &str) -> u32 {
        self.limiter.num_requeues(key)
    }

    /// The delaying queue's waiting loop: keys whose time has come join the FIFO, earliest first.
    pub fn promote(&mut self, now: Time) {
        self.now = now;
        let mut due: Vec<(Time, String)> = self.waiting.iter().filter(|(_, w)| w.ready_at <= now).map(|(k, w)| (w.ready_at, k.clone())).collect();
        due.sort();
        for (_, key) in due {
            self.waiting.remove(&key);
            self.add(&key);
        }
    }

    /// `Get`: the next key to sync, now held until `done`.
    pub fn get(&mut self) -> Option<String> {
        let key = self.queue.pop_front()?;
        self.dirty.remove(&key);
        self.processing.insert(key.clone());
        Some(key)
    }

    /// `Done`: the sync of `key` is over; if it was added meanwhile, it is queued again.
    pub fn done(&mut self, key: &str) {
        self.processing.remove(key);
        if self.dirty.contains(key) {
            self.queue.push_back(key.to_string());
        }
    }

    /// `Len`: keys queued to sync now (not those waiting or being synced).
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// `processNextWorkItem` over the keys queued now (any added meanwhile wait for the next
    /// step): each key's sync runs with the trace told which key `component` is syncing, and its
    /// decision is applied and recorded on the key's reconcile record.
    pub fn process(&mut self, ctx: &mut crate::apiserver::Context, component: &str, resource: &str, mut sync: impl FnMut(&mut crate::apiserver::Context, &str) -> Decision) {
        self.promote(ctx.now);
        for _ in 0..self.len() {
            let Some(key) = self.get() else { break };
            ctx.trace.syncing(Some((resource, &key)));
            let decision = sync(ctx, &key);
            let outcome = self.finish(&key, decision, ctx.now);
            super::reconcile::record_outcome(ctx, component, resource, &key, outcome);
            ctx.trace.syncing(None);
        }
    }

    /// `processNextWorkItem`'s end: applies the sync's decision for `key` (held since `get`) and
    /// says what became of the key.
    pub fn finish(&mut self, key: &str, decision: Decision, now: Time) -> Outcome {
        let outcome = match decision {
            Decision::Done => {
                self.forget(key);
                Outcome::Done
            }
            Decision::RequeueAfter(after) => {
                self.forget(key);
                self.add_after(key, after, now);
                Outcome::RequeuedAfter { after_ms: after.0 }
            }
            Decision::AwaitAfter(after) => {
                self.forget(key);
                self.add_waiting(key, after, now, false);
                Outcome::RequeuedAfter { after_ms: after.0 }
            }
            Decision::Error(error) => {
                if self.max_retries.is_some_and(|max| self.num_requeues(key) >= max) {
                    self.forget(key);
                    Outcome::Dropped { error }
                } else {
                    let after = self.add_rate_limited(key, now);
                    Outcome::RequeuedRateLimited { after_ms: after.0, error }
                }
            }
        };
        self.done(key);
        outcome
    }

    /// When a command must wait for this queue: at once while keys are queued, else the
    /// earliest short wait.
    pub fn next_wake(&self) -> Option<Time> {
        if !self.is_empty() {
            return Some(self.now);
        }
        self.waiting.values().filter(|w| !w.background).map(|w| w.ready_at).min()
    }

    /// The earliest long wait, which runs only as virtual time passes.
    pub fn next_background_wake(&self) -> Option<Time> {
        self.waiting.values().filter(|w| w.background).map(|w| w.ready_at).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_ms(n)
    }

    fn drain(q: &mut WorkQueue) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(k) = q.get() {
            q.done(&k);
            out.push(k);
        }
        out
    }

    #[test]
    fn keys_come_out_in_order_and_once_however_often_they_were_added() {
        let mut q = WorkQueue::default();
        for k in ["default/a", "default/b", "default/a", "default/c", "default/b"] {
            q.add(k);
        }
        assert_eq!(q.len(), 3);
        assert_eq!(drain(&mut q), ["default/a", "default/b", "default/c"]);
        assert!(q.is_empty());
    }

    #[test]
    fn a_key_added_while_it_is_being_synced_is_queued_again_when_done() {
        let mut q = WorkQueue::default();
        q.add("a");
        let Some(k) = q.get() else { panic!("a is queued") };
        // Not handed out twice at once, however often it is added meanwhile.
        q.add("a");
        q.add("a");
        assert_eq!(q.len(), 0);
        assert_eq!(q.get(), None);
        q.done(&k);
        assert_eq!(q.len(), 1);
        assert_eq!(drain(&mut q), ["a"]);
    }

    #[test]
    fn a_key_done_without_being_added_again_is_gone() {
        let mut q = WorkQueue::default();
        q.add("a");
        q.add("b");
        let first = q.get();
        assert_eq!(first.as_deref(), Some("a"));
        q.done("a");
        assert_eq!(drain(&mut q), ["b"]);
    }

    #[test]
    fn add_after_waits_on_the_virtual_clock_and_keeps_the_earlier_time() {
        let mut q = WorkQueue::default();
        let t0 = Time(1_000);
        q.add_after("a", ms(50), t0);
        q.promote(t0.after(ms(49)));
        assert!(q.is_empty());
        // Added again sooner: the earlier time stands; later: it is ignored.
        q.add_after("a", ms(20), t0);
        q.add_after("a", ms(500), t0);
        assert_eq!(q.next_wake(), Some(t0.after(ms(20))));
        q.promote(t0.after(ms(20)));
        assert_eq!(drain(&mut q), ["a"]);
        assert_eq!(q.next_wake(), None);
        // No delay is an add.
        q.add_after("b", Duration::ZERO, t0);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn waiting_keys_join_the_queue_earliest_first() {
        let mut q = WorkQueue::default();
        let t0 = Time(0);
        q.add_after("late", ms(30), t0);
        q.add_after("early", ms(10), t0);
        q.add("now");
        q.promote(Time(100));
        assert_eq!(drain(&mut q), ["now", "early", "late"]);
    }

    #[test]
    fn long_waits_run_only_as_time_passes() {
        let mut q = WorkQueue::default();
        q.add_after("progress-check", Duration::from_secs(601), Time(0));
        q.add_after("retry", ms(640), Time(0));
        assert_eq!(q.next_wake(), Some(Time(640)));
        assert_eq!(q.next_background_wake(), Some(Time(601_000)));
    }

    #[test]
    fn item_exponential_backoff_doubles_per_key_and_forget_resets_it() {
        let mut r = ItemExponentialFailureRateLimiter::new(ms(1), Duration::from_secs(1));
        let delays: Vec<u64> = (0..5).map(|_| r.when("one").0).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16]);
        assert_eq!(r.num_requeues("one"), 5);
        assert_eq!(r.when("two").0, 1);
        assert_eq!(r.when("two").0, 2);
        assert_eq!(r.num_requeues("two"), 2);
        r.forget("one");
        assert_eq!(r.num_requeues("one"), 0);
        assert_eq!(r.when("one").0, 1);
    }

    #[test]
    fn item_exponential_backoff_stops_at_its_cap_without_overflowing() {
        let mut r = ItemExponentialFailureRateLimiter::new(ms(5), Duration::from_secs(1000));
        let delays: Vec<u64> = (0..200).map(|_| r.when("a").0).collect();
        assert_eq!(delays[..4], [5, 10, 20, 40]);
        // 5 ms * 2^17 = 655 s; 2^18 would be 1311 s.
        assert_eq!(delays[17], 655_360);
        assert!(delays[18..].iter().all(|d| *d == 1_000_000));
    }

    #[test]
    fn the_bucket_lets_a_burst_through_then_ten_a_second() {
        let mut b = BucketRateLimiter::new(10, 100);
        let now = Time(5_000);
        assert!((0..100).all(|_| b.when(now) == Duration::ZERO));
        // Each further token is 100 ms further out.
        assert_eq!(b.when(now), ms(100));
        assert_eq!(b.when(now), ms(200));
        // A second later ten tokens came back, two of them already promised: eight to spend.
        let later = now.after(Duration::from_secs(1));
        assert!((0..8).all(|_| b.when(later) == Duration::ZERO));
        assert_eq!(b.when(later), ms(100));
    }

    #[test]
    fn the_controller_rate_limiter_takes_the_longer_wait() {
        let mut r = ControllerRateLimiter::default();
        let now = Time(0);
        assert_eq!(r.when("a", now), ms(5));
        assert_eq!(r.when("a", now), ms(10));
        assert_eq!(r.num_requeues("a"), 2);
        // 98 more keys spend the burst; from then on the bucket's wait is the longer one.
        for i in 0..98 {
            r.when(&format!("k{i}"), now);
        }
        assert_eq!(r.when("b", now), ms(100));
        r.forget("a");
        assert_eq!(r.num_requeues("a"), 0);
    }

    #[test]
    fn a_failed_sync_is_retried_with_backoff_and_a_success_forgets_it() {
        let mut q = WorkQueue::default();
        let now = Time(0);
        q.add("default/web");
        let Some(k) = q.get() else { panic!("queued") };
        let outcome = q.finish(&k, Decision::Error("pods \"web-x\" is forbidden".into()), now);
        assert_eq!(outcome, Outcome::RequeuedRateLimited { after_ms: 5, error: "pods \"web-x\" is forbidden".into() });
        assert!(q.is_empty());
        q.promote(Time(5));
        let Some(k) = q.get() else { panic!("retried") };
        assert!(matches!(q.finish(&k, Decision::Error("again".into()), Time(5)), Outcome::RequeuedRateLimited { after_ms: 10, .. }));
        assert_eq!(q.num_requeues("default/web"), 2);
        q.promote(Time(15));
        let Some(k) = q.get() else { panic!("retried") };
        assert_eq!(q.finish(&k, Decision::Done, Time(15)), Outcome::Done);
        assert_eq!(q.num_requeues("default/web"), 0);
        assert_eq!(q.next_wake(), None);
    }

    #[test]
    fn a_queue_with_max_retries_drops_the_key_after_them() {
        let mut q = WorkQueue::new(Some(2));
        let mut now = Time(0);
        let mut outcomes = Vec::new();
        q.add("a");
        for _ in 0..3 {
            q.promote(now);
            let Some(k) = q.get() else { panic!("queued") };
            let o = q.finish(&k, Decision::Error("boom".into()), now);
            if let Outcome::RequeuedRateLimited { after_ms, .. } = &o {
                now = now.after(ms(*after_ms));
            }
            outcomes.push(o);
        }
        assert_eq!(outcomes.last(), Some(&Outcome::Dropped { error: "boom".into() }));
        assert_eq!(q.next_wake(), None);
    }

    #[test]
    fn the_queue_is_bounded() {
        let mut q = WorkQueue::default();
        for i in 0..MAX_KEYS + 5 {
            q.add(&format!("k{i}"));
        }
        assert_eq!(q.len(), MAX_KEYS);
        assert_eq!(q.dropped, 5);
    }
}
