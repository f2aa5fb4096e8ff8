//! The event queue: events ordered by (virtual time, sequence number).
//!
//! The sequence number is assigned at scheduling time and breaks ties between events due at the
//! same instant in the order they were scheduled. That makes the order total and independent of
//! anything but the run's own history, which is what determinism needs.

use super::clock::Time;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An event taken from the queue, with the instant it was due and its tie-breaking sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheduled<E> {
    pub at: Time,
    pub seq: u64,
    pub event: E,
}

/// Returned when the queue is at its bound; the caller turns it into a visible error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull {
    pub capacity: usize,
}

struct Entry<E> {
    at: Time,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// A bounded priority queue of future events. Bounded because a runaway controller loop must show
/// up as an error in the trace, not as a browser tab that eats all memory.
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry<E>>>,
    next_seq: u64,
    capacity: usize,
}

impl<E> EventQueue<E> {
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue { heap: BinaryHeap::new(), next_seq: 0, capacity }
    }

    pub fn schedule(&mut self, at: Time, event: E) -> Result<u64, QueueFull> {
        if self.heap.len() >= self.capacity {
            return Err(QueueFull { capacity: self.capacity });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Entry { at, seq, event }));
        Ok(seq)
    }

    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        self.heap.pop().map(|Reverse(e)| Scheduled { at: e.at, seq: e.seq, event: e.event })
    }

    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|Reverse(e)| e.at)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_sequence() {
        let mut q = EventQueue::with_capacity(8);
        q.schedule(Time(10), "late").unwrap();
        q.schedule(Time(5), "early-a").unwrap();
        q.schedule(Time(5), "early-b").unwrap();
        let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|s| s.event)).collect();
        assert_eq!(order, ["early-a", "early-b", "late"]);
    }

    #[test]
    fn refuses_past_capacity() {
        let mut q = EventQueue::with_capacity(1);
        q.schedule(Time(0), ()).unwrap();
        assert_eq!(q.schedule(Time(0), ()), Err(QueueFull { capacity: 1 }));
    }
}
