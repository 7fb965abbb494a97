//! Token-bucket rate limiting per endpoint (GCRA: one timestamp per bucket, no timer tasks).
//!
//! An endpoint limited to `rate` messages per second gets one token every `1/rate` seconds and can
//! hold at most `burst` of them, so any one-second window sees at most `rate + burst` requests.

use std::time::{Duration, Instant};

/// One endpoint's bucket.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: u16,
    interval: Duration,
    /// Tolerance: how far ahead of the schedule a request may start (`(burst - 1) * interval`).
    tolerance: Duration,
    /// When the next token is due, on the steady schedule ("theoretical arrival time").
    next_due: Option<Instant>,
}

impl TokenBucket {
    /// A bucket refilling `rate` tokens per second (at least 1) holding up to `burst` (at least 1).
    pub fn new(rate: u16, burst: u32) -> Self {
        let rate = rate.max(1);
        let interval = Duration::from_secs(1) / u32::from(rate);
        Self {
            rate,
            interval,
            tolerance: interval * burst.max(1).saturating_sub(1),
            next_due: None,
        }
    }

    /// The rate this bucket was built for.
    pub fn rate(&self) -> u16 {
        self.rate
    }

    /// Time between tokens.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Takes a token if one is available at `now`; otherwise says when one will be.
    pub fn try_take(&mut self, now: Instant) -> Result<(), Instant> {
        let due = self.next_due.map_or(now, |d| d.max(now));
        let allowed_at = due.checked_sub(self.tolerance).unwrap_or(now);
        if now >= allowed_at {
            self.next_due = Some(due + self.interval);
            Ok(())
        } else {
            Err(allowed_at)
        }
    }

    /// When the `position`-th request (0-based) waiting behind this bucket may start, without
    /// taking any token: used to spread deferred work over the coming token times.
    pub fn available_at(&self, now: Instant, position: u32) -> Instant {
        let due = self.next_due.map_or(now, |d| d.max(now));
        let first = due.checked_sub(self.tolerance).unwrap_or(now).max(now);
        first + self.interval * position
    }

    /// Whether a token is available at `now`.
    pub fn is_ready(&self, now: Instant) -> bool {
        self.available_at(now, 0) <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starts the bucket is asked for, one request every millisecond for `span`.
    fn admitted(bucket: &mut TokenBucket, start: Instant, span: Duration) -> Vec<Duration> {
        let mut taken = Vec::new();
        let mut t = Duration::ZERO;
        while t < span {
            if bucket.try_take(start + t).is_ok() {
                taken.push(t);
            }
            t += Duration::from_millis(1);
        }
        taken
    }

    #[test]
    fn no_one_second_window_admits_more_than_rate_plus_burst() {
        for (rate, burst) in [(5, 1), (10, 3), (50, 10)] {
            let start = Instant::now();
            let taken = admitted(
                &mut TokenBucket::new(rate, burst),
                start,
                Duration::from_secs(5),
            );
            for (i, first) in taken.iter().enumerate() {
                let in_window = taken[i..]
                    .iter()
                    .take_while(|t| **t < *first + Duration::from_secs(1))
                    .count();
                assert!(
                    in_window <= usize::from(rate) + burst as usize,
                    "{rate}/{burst}"
                );
            }
            // And the limit is a rate, not a wall: over 5 s it admits about 5 * rate.
            assert!(taken.len() >= 5 * usize::from(rate), "{}", taken.len());
        }
    }

    #[test]
    fn a_refused_take_says_when_the_next_token_comes() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(4, 1);
        assert_eq!(bucket.try_take(start), Ok(()));
        assert_eq!(
            bucket.try_take(start),
            Err(start + Duration::from_millis(250))
        );
        assert!(!bucket.is_ready(start));
        assert!(bucket.is_ready(start + Duration::from_millis(250)));
    }

    #[test]
    fn waiting_work_is_spread_over_future_tokens_without_taking_them() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(10, 1);
        assert_eq!(bucket.try_take(start), Ok(()));
        let later: Vec<_> = (0..3).map(|p| bucket.available_at(start, p)).collect();
        let ms = |n| start + Duration::from_millis(n);
        assert_eq!(later, vec![ms(100), ms(200), ms(300)]);
        assert_eq!(bucket.try_take(ms(100)), Ok(()));
    }
}
