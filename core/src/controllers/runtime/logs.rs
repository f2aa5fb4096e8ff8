//! A container's log, as the container runtime keeps it under `/var/log/pods/<ns>_<pod>_<uid>/<container>/<restart>.log`
//! and the kubelet serves it at `/containerLogs/<ns>/<pod>/<container>`: the lines the process
//! wrote to stdout and stderr, each with the virtual instant it was written. Lines a process will
//! write later (a `sleep 5; echo done`) are stored ahead with their instant and only shown once
//! the clock has reached it.
//!
//! Bounded like the kubelet's `containerLogMaxSize` rotation: past the limits the oldest lines go.

use crate::sim::Time;
use std::collections::VecDeque;

/// Lines kept per container instance.
pub const MAX_LOG_LINES: usize = 5_000;
/// Bytes kept per container instance (the kubelet rotates at 10 MiB; ours is smaller).
pub const MAX_LOG_BYTES: usize = 512 * 1024;

#[derive(Clone, Debug, Default)]
pub struct LogBuffer {
    lines: VecDeque<(Time, String)>,
    bytes: usize,
}

impl LogBuffer {
    /// Appends a line written at `at`; drops the oldest lines beyond the bounds.
    pub fn push(&mut self, at: Time, line: String) {
        self.bytes += line.len() + 1;
        self.lines.push_back((at, line));
        while self.lines.len() > MAX_LOG_LINES || self.bytes > MAX_LOG_BYTES {
            match self.lines.pop_front() {
                Some((_, l)) => self.bytes -= l.len() + 1,
                None => break,
            }
        }
    }

    /// Forgets the lines not yet written at `at` (the process was stopped before writing them).
    pub fn truncate_after(&mut self, at: Time) {
        while self.lines.back().is_some_and(|(t, _)| *t > at) {
            if let Some((_, l)) = self.lines.pop_back() {
                self.bytes -= l.len() + 1;
            }
        }
    }

    /// The lines written by `now`, the last `tail` of them when given.
    pub fn visible(&self, now: Time, tail: Option<usize>) -> Vec<&str> {
        let shown: Vec<&str> = self.lines.iter().filter(|(t, _)| *t <= now).map(|(_, l)| l.as_str()).collect();
        match tail {
            Some(n) if n < shown.len() => shown[shown.len() - n..].to_vec(),
            _ => shown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_show_once_written_and_the_buffer_stays_bounded() {
        let mut log = LogBuffer::default();
        log.push(Time(0), "a".into());
        log.push(Time(5_000), "b".into());
        assert_eq!(log.visible(Time(1_000), None), vec!["a"]);
        assert_eq!(log.visible(Time(5_000), Some(1)), vec!["b"]);
        for i in 0..(MAX_LOG_LINES + 10) {
            log.push(Time(6_000), format!("{i}"));
        }
        assert_eq!(log.visible(Time(6_000), None).len(), MAX_LOG_LINES);
        log.truncate_after(Time(5_500));
        assert!(log.visible(Time(9_000), None).is_empty());
    }
}
