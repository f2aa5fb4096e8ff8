//! Virtual time: milliseconds since the simulation started, moved only by the event queue.

use serde::Serialize;
use std::fmt;

/// A point in virtual time, in milliseconds since the simulated cluster started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Time(pub u64);

/// A span of virtual time in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Duration(pub u64);

impl Duration {
    pub const ZERO: Duration = Duration(0);

    pub const fn from_ms(ms: u64) -> Self {
        Duration(ms)
    }

    pub const fn from_secs(secs: u64) -> Self {
        Duration(secs * 1000)
    }
}

impl Time {
    /// Saturates rather than wrapping: a bound on run length keeps us far from u64::MAX anyway.
    pub fn after(self, delay: Duration) -> Time {
        Time(self.0.saturating_add(delay.0))
    }

    pub fn as_ms(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Time {
    /// Renders as seconds with millisecond precision, the unit a learner reads in the trace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1000, self.0 % 1000)
    }
}

/// The simulation's only clock. It is advanced by the kernel when an event is taken from the queue,
/// never by the wall clock, so that a run is a pure function of its inputs.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    now: Time,
}

impl Clock {
    pub fn now(&self) -> Time {
        self.now
    }

    /// Moves time forward to `to`. Time never goes backwards: an event scheduled in the past (which
    /// the queue's ordering prevents) would simply run "now".
    pub fn advance_to(&mut self, to: Time) {
        if to > self.now {
            self.now = to;
        }
    }
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31): Howard Hinnant's days-to-civil
/// algorithm, shared by everything that prints or schedules by the calendar (timestamps, cron
/// schedules, `date` in a simulated container).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_never_goes_backwards() {
        let mut clock = Clock::default();
        clock.advance_to(Time(500));
        clock.advance_to(Time(100));
        assert_eq!(clock.now(), Time(500));
        assert_eq!(clock.now().to_string(), "0.500s");
        assert_eq!(Time(61_250).to_string(), "61.250s");
    }
}
