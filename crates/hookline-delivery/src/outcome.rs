//! What an attempt's result means for its delivery: the one place this decision is made.

use std::time::Duration;

use hookline_core::Timestamp;
use hookline_core::model::DeliveryStatus;
use hookline_core::retry::RetrySchedule;

use crate::etiquette::Verdict;

/// The delivery's state after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextState {
    /// `Success`, `Pending` (retry scheduled) or `Fail` (exhausted).
    pub status: DeliveryStatus,
    /// When the next attempt is due, if there is one.
    pub next_attempt_at: Option<Timestamp>,
}

/// Decides the next state after attempt number `attempt_number` (1-based) ended at `now`.
/// `unit_random` in `[0, 1)` picks the jitter; a retry waits at least `hold_for` (the endpoint's
/// `Retry-After` or pause). `410 Gone` ends the delivery: its endpoint is being disabled.
pub fn next_state(
    verdict: Verdict,
    attempt_number: u32,
    schedule: &RetrySchedule,
    now: Timestamp,
    unit_random: f64,
    hold_for: Option<Duration>,
) -> NextState {
    match verdict {
        Verdict::Delivered => {
            return NextState {
                status: DeliveryStatus::Success,
                next_attempt_at: None,
            };
        }
        Verdict::Gone => {
            return NextState {
                status: DeliveryStatus::Fail,
                next_attempt_at: None,
            };
        }
        Verdict::SlowDown { .. } | Verdict::Failed => {}
    }
    match schedule.delay_after(attempt_number, unit_random) {
        Some(delay) => NextState {
            status: DeliveryStatus::Pending,
            next_attempt_at: Some(now.plus(delay.max(hold_for.unwrap_or_default()))),
        },
        None => NextState {
            status: DeliveryStatus::Fail,
            next_attempt_at: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED: Verdict = Verdict::Failed;

    #[test]
    fn two_hundreds_succeed() {
        let schedule = RetrySchedule::default();
        let next = next_state(
            Verdict::Delivered,
            1,
            &schedule,
            Timestamp::from_millis(0),
            0.5,
            None,
        );
        assert_eq!(next.status, DeliveryStatus::Success);
        assert_eq!(next.next_attempt_at, None);
    }

    #[test]
    fn failures_are_retried_on_schedule() {
        let now = Timestamp::from_millis(1_000);
        let next = next_state(FAILED, 1, &RetrySchedule::default(), now, 0.5, None);
        assert_eq!(next.status, DeliveryStatus::Pending);
        assert_eq!(next.next_attempt_at, Some(now.plus(Duration::from_secs(5))));
    }

    #[test]
    fn a_retry_waits_at_least_as_long_as_the_endpoint_asked() {
        let now = Timestamp::from_millis(0);
        let slow = Verdict::SlowDown {
            retry_after: Some(Duration::from_secs(60)),
            reason: "http_429",
        };
        let wait = Some(Duration::from_secs(60));
        let next = next_state(slow, 1, &RetrySchedule::default(), now, 0.5, wait);
        assert_eq!(
            next.next_attempt_at,
            Some(now.plus(Duration::from_secs(60)))
        );
        // A longer scheduled delay wins over a shorter Retry-After.
        let next = next_state(slow, 2, &RetrySchedule::default(), now, 0.5, wait);
        assert_eq!(
            next.next_attempt_at,
            Some(now.plus(Duration::from_secs(300)))
        );
    }

    #[test]
    fn gone_ends_the_delivery_at_once() {
        let next = next_state(
            Verdict::Gone,
            1,
            &RetrySchedule::default(),
            Timestamp::from_millis(0),
            0.5,
            None,
        );
        assert_eq!(next.status, DeliveryStatus::Fail);
        assert_eq!(next.next_attempt_at, None);
    }

    #[test]
    fn the_last_failure_exhausts_the_delivery() {
        let schedule = RetrySchedule::from_secs(&[1, 1]);
        let next = next_state(FAILED, 3, &schedule, Timestamp::from_millis(0), 0.5, None);
        assert_eq!(next.status, DeliveryStatus::Fail);
        assert_eq!(next.next_attempt_at, None);
    }
}
