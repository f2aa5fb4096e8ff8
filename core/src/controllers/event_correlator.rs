//! client-go's event correlator (`tools/record/events_cache.go`): what a component's event
//! recorder does with an event before it reaches kube-apiserver.
//!
//! Every process that records core/v1 Events through `record.EventRecorder` (the kubelet, each
//! kube-controller-manager controller) starts its broadcaster with one `EventCorrelator`, which
//! runs three steps on each new event, in this order:
//!
//! 1. `EventAggregator`: events that differ only by message (same source, object, type, reason,
//!    reporting controller and instance) are "similar". Once 10 distinct messages have been seen
//!    with no gap of more than 10 minutes, the event is replaced by one whose message is
//!    `(combined from similar events): <latest message>`, keyed by the similarity key, so later
//!    ones update that single combined event.
//! 2. `eventLogger`: an identical event (same source, object including `fieldPath`, type,
//!    reason, message) seen before is not created again: the recorder PATCHes the existing one
//!    with the count plus one, a new `lastTimestamp` and the message. This is what kubectl shows
//!    as `12s (x4 over 68s)`.
//! 3. `EventSourceObjectSpamFilter`: a token bucket per source and object (burst 25, refilled
//!    with one token every 5 minutes) drops what exceeds it. It runs last, so a dropped event
//!    still counted in step 2: the next one that passes carries the higher count.
//!
//! Each cache is an LRU of 4,096 entries (`maxLruCacheEntries`). Here the LRU order is a
//! sequence number and the maps are `BTreeMap`s, so the behaviour is deterministic, and time is
//! the virtual clock in milliseconds; the token bucket counts in milliseconds of refill so it
//! needs no floating point.

use std::collections::{BTreeMap, BTreeSet};

/// `maxLruCacheEntries`: the bound of each of the three caches.
pub const MAX_LRU_CACHE_ENTRIES: usize = 4096;
/// `defaultAggregateMaxEvents`: distinct messages of similar events before they are combined.
const AGGREGATE_MAX_EVENTS: usize = 10;
/// `defaultAggregateIntervalInSeconds`: a gap longer than this starts the similar set afresh.
const AGGREGATE_INTERVAL_MS: u64 = 600_000;
/// `defaultSpamBurst`: events a source may send about one object at once.
const SPAM_BURST: u64 = 25;
/// `defaultSpamQPS` is 1/300: one more token every 5 minutes.
const SPAM_REFILL_MS: u64 = 300_000;
/// `EventAggregatorByReasonMessageFunc`'s prefix.
pub const COMBINED_PREFIX: &str = "(combined from similar events): ";

/// A least-recently-used map of at most `cap` entries (groupcache's `lru.Cache`): `get` and
/// `add` both make an entry the most recent; adding past the bound evicts the oldest.
#[derive(Debug)]
pub struct Lru<V> {
    entries: BTreeMap<String, (V, u64)>,
    /// Use sequence number to key, oldest first.
    order: BTreeMap<u64, String>,
    seq: u64,
    cap: usize,
}

impl<V> Lru<V> {
    pub fn new(cap: usize) -> Self {
        Lru { entries: BTreeMap::new(), order: BTreeMap::new(), seq: 0, cap: cap.max(1) }
    }

    #[cfg(test)]
    fn entries(&self) -> usize {
        self.entries.len()
    }

    fn touch(&mut self, key: &str) {
        if let Some((_, used)) = self.entries.get_mut(key) {
            self.order.remove(used);
            self.seq += 1;
            *used = self.seq;
            self.order.insert(self.seq, key.to_string());
        }
    }

    pub fn get(&mut self, key: &str) -> Option<&mut V> {
        self.touch(key);
        self.entries.get_mut(key).map(|(v, _)| v)
    }

    /// The entry for `key`, made by `make` (evicting the oldest at the bound) if absent.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        if !self.entries.contains_key(key) {
            while self.entries.len() >= self.cap {
                let Some((_, oldest)) = self.order.pop_first() else { break };
                self.entries.remove(&oldest);
            }
        }
        self.seq += 1;
        let seq = self.seq;
        let entry = self.entries.entry(key.to_string()).or_insert_with(|| (make(), seq));
        self.order.remove(&entry.1);
        entry.1 = seq;
        self.order.insert(seq, key.to_string());
        &mut entry.0
    }

    pub fn add(&mut self, key: String, value: V) {
        if let Some((_, used)) = self.entries.remove(&key) {
            self.order.remove(&used);
        }
        self.seq += 1;
        self.order.insert(self.seq, key.clone());
        self.entries.insert(key, (value, self.seq));
        while self.entries.len() > self.cap {
            let Some((_, oldest)) = self.order.pop_first() else { break };
            self.entries.remove(&oldest);
        }
    }
}

/// The fields of one event that the correlator's keys are made of.
#[derive(Debug, Clone, Default)]
pub struct Occurrence<'a> {
    pub component: &'a str,
    pub host: &'a str,
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    pub field_path: &'a str,
    pub uid: &'a str,
    pub api_version: &'a str,
    pub event_type: &'a str,
    pub reason: &'a str,
    pub message: &'a str,
    pub reporting_controller: &'a str,
    pub reporting_instance: &'a str,
}

impl Occurrence<'_> {
    /// `getEventKey`: everything but the timestamps and counts. client-go joins the fields with
    /// nothing between them; a separator keeps two different events from sharing a key.
    fn event_key(&self) -> String {
        [self.component, self.host, self.kind, self.namespace, self.name, self.field_path, self.uid, self.api_version, self.event_type, self.reason, self.message].join("\u{0}")
    }

    /// `EventAggregatorByReasonFunc`'s aggregate key: no field path, no message.
    fn aggregate_key(&self) -> String {
        [self.component, self.host, self.kind, self.namespace, self.name, self.uid, self.api_version, self.event_type, self.reason, self.reporting_controller, self.reporting_instance].join("\u{0}")
    }

    /// `getSpamKey`: the source and the object.
    fn spam_key(&self) -> String {
        [self.component, self.host, self.kind, self.namespace, self.name, self.uid, self.api_version].join("\u{0}")
    }
}

/// `aggregateRecord`: the distinct messages of similar events and when the last one came.
#[derive(Debug, Default)]
struct Aggregate {
    local_keys: BTreeSet<String>,
    last_ms: u64,
}

/// `eventLog`: the event an identical occurrence updates.
#[derive(Debug, Clone)]
struct EventLog {
    count: u32,
    first_timestamp: String,
    name: String,
}

/// A token bucket (`flowcontrol.NewTokenBucketRateLimiter(1/300, 25)`) in milliseconds of
/// refill: one token is `SPAM_REFILL_MS`.
#[derive(Debug)]
struct Bucket {
    credit_ms: u64,
    last_ms: u64,
}

/// What the recorder sends for an event that passed the correlator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correlated {
    /// The existing event's name for a repeat, else the new event's.
    pub name: String,
    pub count: u32,
    /// `firstTimestamp`: the first occurrence's, for a repeat.
    pub first_timestamp: String,
    pub message: String,
    /// A repeat: PATCH the existing event rather than create one.
    pub patch: bool,
    /// The message was replaced by the combined one (`EventAggregate` made a new event).
    pub combined: bool,
}

/// One recorder's `EventCorrelator`.
#[derive(Debug)]
pub struct EventCorrelator {
    aggregates: Lru<Aggregate>,
    logs: Lru<EventLog>,
    spam: Lru<Bucket>,
}

impl Default for EventCorrelator {
    fn default() -> Self {
        Self::with_capacity(MAX_LRU_CACHE_ENTRIES)
    }
}

impl EventCorrelator {
    pub fn with_capacity(cap: usize) -> Self {
        EventCorrelator { aggregates: Lru::new(cap), logs: Lru::new(cap), spam: Lru::new(cap) }
    }

    /// `EventCorrelate`: aggregate, observe, then filter. `fresh_name` is the name the recorder
    /// gave the new event (`<object>.<unix nanos in hex>`); `None` means the spam filter dropped
    /// it.
    pub fn correlate(&mut self, ev: &Occurrence, now_ms: u64, now: &str, fresh_name: String) -> Option<Correlated> {
        // EventAggregate: record the message among the similar ones; at the limit the event
        // becomes the combined one, keyed by the aggregate key so it is updated in place.
        let aggregate_key = ev.aggregate_key();
        let mut record = self.aggregates.get(&aggregate_key).map(std::mem::take).unwrap_or_default();
        if now_ms.saturating_sub(record.last_ms) > AGGREGATE_INTERVAL_MS || record.local_keys.is_empty() {
            record = Aggregate::default();
        }
        record.local_keys.insert(ev.message.to_string());
        record.last_ms = now_ms;
        let combined = record.local_keys.len() >= AGGREGATE_MAX_EVENTS;
        if combined {
            // `PopAny` keeps the set below the limit; the smallest keeps it deterministic.
            record.local_keys.pop_first();
        }
        self.aggregates.add(aggregate_key.clone(), record);
        let (key, message) = if combined { (aggregate_key, format!("{COMBINED_PREFIX}{}", ev.message)) } else { (ev.event_key(), ev.message.to_string()) };

        // eventObserve: a cache hit is a repeat of the event named there.
        let observed = match self.logs.get(&key) {
            Some(last) if last.count > 0 => Correlated { name: last.name.clone(), count: last.count.saturating_add(1), first_timestamp: last.first_timestamp.clone(), message, patch: true, combined },
            _ => Correlated { name: fresh_name, count: 1, first_timestamp: now.to_string(), message, patch: false, combined },
        };
        self.logs.add(key, EventLog { count: observed.count, first_timestamp: observed.first_timestamp.clone(), name: observed.name.clone() });

        // EventSourceObjectSpamFilter.Filter.
        self.spam_accept(ev.spam_key(), now_ms).then_some(observed)
    }

    /// `TryAccept` on the source+object's bucket, created full.
    fn spam_accept(&mut self, key: String, now_ms: u64) -> bool {
        let capacity_ms = SPAM_BURST * SPAM_REFILL_MS;
        let mut bucket = self.spam.get(&key).map(|b| Bucket { credit_ms: b.credit_ms, last_ms: b.last_ms }).unwrap_or(Bucket { credit_ms: capacity_ms, last_ms: now_ms });
        bucket.credit_ms = bucket.credit_ms.saturating_add(now_ms.saturating_sub(bucket.last_ms)).min(capacity_ms);
        bucket.last_ms = now_ms;
        let accept = bucket.credit_ms >= SPAM_REFILL_MS;
        if accept {
            bucket.credit_ms -= SPAM_REFILL_MS;
        }
        self.spam.add(key, bucket);
        accept
    }

    /// `UpdateState`: what the server returned (after a create that followed a failed patch,
    /// say) is what the next repeat updates.
    pub fn update_state(&mut self, ev: &Occurrence, name: &str, count: u32, first_timestamp: &str) {
        self.logs.add(ev.event_key(), EventLog { count, first_timestamp: first_timestamp.to_string(), name: name.to_string() });
    }

    /// Entries in the three caches.
    #[cfg(test)]
    fn cached(&self) -> (usize, usize, usize) {
        (self.aggregates.entries(), self.logs.entries(), self.spam.entries())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff(message: &str) -> Occurrence<'_> {
        Occurrence { component: "kubelet", host: "node-1", kind: "Pod", namespace: "default", name: "web", uid: "u1", api_version: "v1", event_type: "Warning", reason: "BackOff", message, ..Default::default() }
    }

    #[test]
    fn an_identical_event_is_a_patch_of_the_first_with_the_count_raised() {
        let mut c = EventCorrelator::default();
        let first = c.correlate(&backoff("Back-off"), 0, "t0", "web.1".into()).unwrap();
        assert_eq!((first.name.as_str(), first.count, first.patch), ("web.1", 1, false));
        let again = c.correlate(&backoff("Back-off"), 10_000, "t10", "web.2".into()).unwrap();
        assert_eq!((again.name.as_str(), again.count, again.patch, again.first_timestamp.as_str()), ("web.1", 2, true, "t0"));
        // Another container of the pod is another event.
        let other = Occurrence { field_path: "spec.containers{b}", ..backoff("Back-off") };
        assert_eq!(c.correlate(&other, 20_000, "t20", "web.3".into()).unwrap().count, 1);
    }

    #[test]
    fn the_tenth_distinct_message_within_ten_minutes_is_combined_and_then_updated() {
        let mut c = EventCorrelator::default();
        let messages: Vec<String> = (0..12).map(|i| format!("message {i}")).collect();
        let mut out = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            out.push(c.correlate(&backoff(m), i as u64 * 1000, "t", format!("web.{i}")).unwrap());
        }
        assert!(out[..9].iter().all(|e| !e.combined && e.count == 1 && !e.patch));
        assert_eq!((out[9].message.as_str(), out[9].count, out[9].patch, out[9].name.as_str()), ("(combined from similar events): message 9", 1, false, "web.9"));
        assert_eq!((out[10].message.as_str(), out[10].count, out[10].patch, out[10].name.as_str()), ("(combined from similar events): message 10", 2, true, "web.9"));
        // A gap of more than 10 minutes starts afresh.
        let late = c.correlate(&backoff("message 99"), 11_000 + 600_001, "t", "web.99".into()).unwrap();
        assert!(!late.combined);
    }

    #[test]
    fn the_spam_filter_lets_25_through_then_one_per_five_minutes_and_counts_the_dropped() {
        let mut c = EventCorrelator::default();
        let passed: Vec<_> = (0..30).filter_map(|i| c.correlate(&backoff("Back-off"), i, "t", format!("web.{i}"))).collect();
        assert_eq!(passed.len(), 25);
        assert!(c.correlate(&backoff("Back-off"), 299_999, "t", "x".into()).is_none());
        let refilled = c.correlate(&backoff("Back-off"), 300_029, "t", "y".into()).unwrap();
        // The dropped occurrences were still counted by the logger.
        assert_eq!((refilled.count, refilled.name.as_str()), (32, "web.0"));
    }

    #[test]
    fn the_caches_are_bounded() {
        let mut c = EventCorrelator::with_capacity(8);
        let names: Vec<String> = (0..50).map(|i| format!("pod-{i}")).collect();
        for (i, n) in names.iter().enumerate() {
            let ev = Occurrence { name: n, ..backoff("Back-off") };
            c.correlate(&ev, i as u64, "t", format!("{n}.1"));
        }
        assert_eq!(c.cached(), (8, 8, 8));
        // The evicted first pod is new again.
        let ev = Occurrence { name: "pod-0", ..backoff("Back-off") };
        assert!(!c.correlate(&ev, 100, "t", "pod-0.2".into()).unwrap().patch);
    }

    #[test]
    fn lru_evicts_the_least_recently_used() {
        let mut l = Lru::new(2);
        l.add("a".into(), 1);
        l.add("b".into(), 2);
        l.get("a");
        l.add("c".into(), 3);
        assert!(l.get("b").is_none());
        assert_eq!(l.get("a").copied(), Some(1));
    }
}
