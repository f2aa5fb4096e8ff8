//! The deterministic kernel: virtual time, the one seeded RNG and the event queue.
//!
//! Nothing in here reads the wall clock or the operating system's randomness. Time only moves when
//! the queue hands out an event scheduled later than "now", so the same inputs and the same seed
//! replay the same run, event for event.

mod clock;
mod queue;
mod rng;

pub use clock::{civil_from_days, Clock, Duration, Time};
pub use queue::{EventQueue, QueueFull, Scheduled};
pub use rng::Rng;
