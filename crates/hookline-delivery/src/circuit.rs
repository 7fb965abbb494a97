//! The circuit breaker: pause an endpoint whose recent attempts mostly fail, then probe it.
//!
//! Closed, it counts outcomes in a sliding window (ten buckets, so memory is constant). When at
//! least `min_attempts` attempts in the window failed at `failure_ratio` or more, it opens: no
//! delivery is attempted until `open_for` has passed. Then it is half-open: exactly one probe goes
//! out. A successful probe closes it; a failed one opens it again for twice as long (capped).

use std::time::{Duration, Instant};

/// Circuit breaker settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CircuitConfig {
    /// Fraction of failed attempts that opens the circuit (default 0.7).
    pub failure_ratio: f64,
    /// Attempts the window must hold before the ratio counts (default 10).
    pub min_attempts: u32,
    /// How far back outcomes count (default 5 minutes).
    pub window: Duration,
    /// First pause when the circuit opens (default 30 s); doubles after each failed probe.
    pub open_for: Duration,
    /// Longest pause (default 10 minutes).
    pub max_open_for: Duration,
}

impl Default for CircuitConfig {
    fn default() -> Self {
        Self {
            failure_ratio: 0.7,
            min_attempts: 10,
            window: Duration::from_secs(300),
            open_for: Duration::from_secs(30),
            max_open_for: Duration::from_secs(600),
        }
    }
}

const BUCKETS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed,
    Open { until: Instant },
    HalfOpen { probing: bool },
}

/// What the breaker allows right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Send normally.
    Send,
    /// Send this one as the probe; its outcome decides whether the circuit closes.
    Probe,
    /// Hold deliveries until then.
    WaitUntil(Instant),
    /// A probe is in flight; hold deliveries until it returns.
    ProbeInFlight,
}

/// A change of state worth reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The circuit opened (or re-opened after a failed probe) until then.
    Opened {
        /// End of the pause.
        until: Instant,
    },
    /// A probe succeeded; traffic flows again.
    Closed,
}

/// One endpoint's breaker.
#[derive(Debug, Clone)]
pub struct Circuit {
    config: CircuitConfig,
    state: State,
    origin: Instant,
    /// (bucket number, successes, failures) in a ring.
    buckets: [(u64, u32, u32); BUCKETS],
    next_open_for: Duration,
}

impl Circuit {
    /// A closed breaker.
    pub fn new(config: CircuitConfig, now: Instant) -> Self {
        let next_open_for = config.open_for;
        Self {
            config,
            state: State::Closed,
            origin: now,
            buckets: [(u64::MAX, 0, 0); BUCKETS],
            next_open_for,
        }
    }

    /// A breaker that starts open until `until` (state carried over from storage).
    pub fn open_until(config: CircuitConfig, now: Instant, until: Instant) -> Self {
        let mut circuit = Self::new(config, now);
        circuit.state = State::Open { until };
        circuit
    }

    /// Whether deliveries are held back (open, or half-open).
    pub fn is_tripped(&self) -> bool {
        self.state != State::Closed
    }

    /// Asks to send a delivery at `now`; a `Probe` answer marks the probe as in flight.
    pub fn permit(&mut self, now: Instant) -> Permit {
        match self.state {
            State::Closed => Permit::Send,
            State::Open { until } if now < until => Permit::WaitUntil(until),
            State::Open { .. } | State::HalfOpen { probing: false } => {
                self.state = State::HalfOpen { probing: true };
                Permit::Probe
            }
            State::HalfOpen { probing: true } => Permit::ProbeInFlight,
        }
    }

    /// Whether [`Circuit::permit`] would let something through at `now` (no state change).
    pub fn would_permit(&self, now: Instant) -> bool {
        match self.state {
            State::Closed | State::HalfOpen { probing: false } => true,
            State::Open { until } => now >= until,
            State::HalfOpen { probing: true } => false,
        }
    }

    /// When an open circuit lets its probe out.
    pub fn reopens_at(&self) -> Option<Instant> {
        match self.state {
            State::Open { until } => Some(until),
            _ => None,
        }
    }

    /// Records an attempt's outcome; `probe` says whether it was the half-open probe.
    pub fn record(&mut self, now: Instant, success: bool, probe: bool) -> Option<Change> {
        if probe {
            return Some(if success {
                self.state = State::Closed;
                self.buckets = [(u64::MAX, 0, 0); BUCKETS];
                self.next_open_for = self.config.open_for;
                Change::Closed
            } else {
                self.open(now)
            });
        }
        self.count(now, success);
        if self.state == State::Closed && self.should_open(now) {
            return Some(self.open(now));
        }
        None
    }

    fn open(&mut self, now: Instant) -> Change {
        let until = now + self.next_open_for;
        self.next_open_for = (self.next_open_for * 2).min(self.config.max_open_for);
        self.state = State::Open { until };
        Change::Opened { until }
    }

    fn bucket_width(&self) -> Duration {
        (self.config.window / BUCKETS as u32).max(Duration::from_millis(1))
    }

    fn bucket_number(&self, now: Instant) -> u64 {
        (now.saturating_duration_since(self.origin).as_nanos() / self.bucket_width().as_nanos())
            as u64
    }

    fn count(&mut self, now: Instant, success: bool) {
        let number = self.bucket_number(now);
        let slot = &mut self.buckets[(number % BUCKETS as u64) as usize];
        if slot.0 != number {
            *slot = (number, 0, 0);
        }
        if success {
            slot.1 += 1;
        } else {
            slot.2 += 1;
        }
    }

    fn should_open(&self, now: Instant) -> bool {
        let current = self.bucket_number(now);
        let (mut ok, mut failed) = (0u32, 0u32);
        for (number, s, f) in &self.buckets {
            if *number != u64::MAX && current.saturating_sub(*number) < BUCKETS as u64 {
                ok += s;
                failed += f;
            }
        }
        let total = ok + failed;
        total >= self.config.min_attempts
            && f64::from(failed) >= self.config.failure_ratio * f64::from(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> CircuitConfig {
        CircuitConfig {
            min_attempts: 4,
            ..CircuitConfig::default()
        }
    }

    #[test]
    fn mostly_failing_attempts_open_it_and_a_good_probe_closes_it() {
        let t0 = Instant::now();
        let mut c = Circuit::new(config(), t0);
        assert_eq!(c.record(t0, true, false), None);
        for _ in 0..2 {
            assert_eq!(c.record(t0, false, false), None);
        }
        // 3 failures of 4 = 75% >= 70%.
        let until = t0 + Duration::from_secs(30);
        assert_eq!(c.record(t0, false, false), Some(Change::Opened { until }));
        assert_eq!(c.permit(t0), Permit::WaitUntil(until));
        assert_eq!(c.permit(until), Permit::Probe);
        assert_eq!(c.permit(until), Permit::ProbeInFlight);
        assert_eq!(c.record(until, true, true), Some(Change::Closed));
        assert_eq!(c.permit(until), Permit::Send);
    }

    #[test]
    fn a_failed_probe_doubles_the_pause_up_to_the_cap() {
        let t0 = Instant::now();
        let mut c = Circuit::new(config(), t0);
        for _ in 0..4 {
            c.record(t0, false, false);
        }
        let mut now = t0 + Duration::from_secs(30);
        let mut pauses = Vec::new();
        for _ in 0..6 {
            assert_eq!(c.permit(now), Permit::Probe);
            let Some(Change::Opened { until }) = c.record(now, false, true) else {
                panic!("a failed probe reopens");
            };
            pauses.push((until - now).as_secs());
            now = until;
        }
        assert_eq!(pauses, vec![60, 120, 240, 480, 600, 600]);
    }

    #[test]
    fn few_or_old_failures_do_not_open_it() {
        let t0 = Instant::now();
        let mut c = Circuit::new(config(), t0);
        for _ in 0..3 {
            assert_eq!(c.record(t0, false, false), None);
        }
        // The window is 5 minutes: a failure 6 minutes later starts a fresh count.
        assert_eq!(c.record(t0 + Duration::from_secs(360), false, false), None);
        assert!(!c.is_tripped());
    }
}
