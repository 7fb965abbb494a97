//! When a failed delivery is tried again.
//!
//! A schedule lists the delays between consecutive attempts; the first attempt is immediate. Each
//! delay is spread by +-20% jitter so that many deliveries failing together do not retry together.

use std::time::Duration;

/// The default delays after each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
/// With the immediate first attempt that makes 8 attempts over about 28 hours.
pub const DEFAULT_SCHEDULE_SECS: [u64; 7] = [5, 300, 1800, 7200, 18000, 36000, 36000];

/// Fraction by which each delay is randomly stretched or shrunk.
pub const JITTER_FRACTION: f64 = 0.2;

/// Delays between attempts of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    delays: Vec<Duration>,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self::from_secs(&DEFAULT_SCHEDULE_SECS)
    }
}

impl RetrySchedule {
    /// A schedule from delays in seconds.
    pub fn from_secs(secs: &[u64]) -> Self {
        Self {
            delays: secs.iter().map(|s| Duration::from_secs(*s)).collect(),
        }
    }

    /// A schedule from explicit delays.
    pub fn from_delays(delays: Vec<Duration>) -> Self {
        Self { delays }
    }

    /// The delays, without jitter.
    pub fn delays(&self) -> &[Duration] {
        &self.delays
    }

    /// The total number of attempts this schedule allows, the first one included.
    pub fn max_attempts(&self) -> u32 {
        self.delays.len() as u32 + 1
    }

    /// How long to wait after failed attempt number `attempts_made` (1-based), or `None` when
    /// retries are exhausted. `unit_random` in `[0, 1)` picks the jitter, so callers choose the
    /// randomness and tests can pin it.
    pub fn delay_after(&self, attempts_made: u32, unit_random: f64) -> Option<Duration> {
        let base = *self.delays.get(attempts_made.checked_sub(1)? as usize)?;
        let factor = 1.0 + JITTER_FRACTION * (2.0 * unit_random.clamp(0.0, 1.0) - 1.0);
        Some(base.mul_f64(factor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schedule_allows_eight_attempts() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.max_attempts(), 8);
        assert_eq!(schedule.delay_after(8, 0.5), None);
    }

    #[test]
    fn midpoint_random_gives_the_exact_delay() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.delay_after(1, 0.5), Some(Duration::from_secs(5)));
        assert_eq!(schedule.delay_after(2, 0.5), Some(Duration::from_secs(300)));
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.delay_after(2, 0.0), Some(Duration::from_secs(240)));
        assert_eq!(schedule.delay_after(2, 1.0), Some(Duration::from_secs(360)));
    }

    #[test]
    fn attempt_zero_has_no_delay() {
        assert_eq!(RetrySchedule::default().delay_after(0, 0.5), None);
    }
}
