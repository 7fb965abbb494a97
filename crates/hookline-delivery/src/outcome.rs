//! What an attempt's result means for its delivery: the one place this decision is made.

use hookline_core::Timestamp;
use hookline_core::model::DeliveryStatus;
use hookline_core::retry::RetrySchedule;

use crate::sender::SendResult;

/// The delivery's state after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextState {
    /// `Success`, `Pending` (retry scheduled) or `Fail` (exhausted).
    pub status: DeliveryStatus,
    /// When the next attempt is due, if there is one.
    pub next_attempt_at: Option<Timestamp>,
}

/// Decides the next state after attempt number `attempt_number` (1-based) ended at `now`.
/// `unit_random` in `[0, 1)` picks the jitter.
pub fn next_state(
    result: &SendResult,
    attempt_number: u32,
    schedule: &RetrySchedule,
    now: Timestamp,
    unit_random: f64,
) -> NextState {
    if result.is_success() {
        return NextState {
            status: DeliveryStatus::Success,
            next_attempt_at: None,
        };
    }
    match schedule.delay_after(attempt_number, unit_random) {
        Some(delay) => NextState {
            status: DeliveryStatus::Pending,
            next_attempt_at: Some(now.plus(delay)),
        },
        None => NextState {
            status: DeliveryStatus::Fail,
            next_attempt_at: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn result(status: Option<u16>) -> SendResult {
        SendResult {
            status_code: status,
            body: String::new(),
            duration: Duration::ZERO,
            failure: None,
        }
    }

    #[test]
    fn two_hundreds_succeed() {
        let next = next_state(
            &result(Some(204)),
            1,
            &RetrySchedule::default(),
            Timestamp::from_millis(0),
            0.5,
        );
        assert_eq!(next.status, DeliveryStatus::Success);
        assert_eq!(next.next_attempt_at, None);
    }

    #[test]
    fn failures_are_retried_on_schedule() {
        let now = Timestamp::from_millis(1_000);
        let next = next_state(&result(Some(500)), 1, &RetrySchedule::default(), now, 0.5);
        assert_eq!(next.status, DeliveryStatus::Pending);
        assert_eq!(next.next_attempt_at, Some(now.plus(Duration::from_secs(5))));
    }

    #[test]
    fn redirects_and_missing_responses_are_failures() {
        let schedule = RetrySchedule::default();
        let now = Timestamp::from_millis(0);
        assert_eq!(
            next_state(&result(Some(301)), 1, &schedule, now, 0.5).status,
            DeliveryStatus::Pending
        );
        assert_eq!(
            next_state(&result(None), 1, &schedule, now, 0.5).status,
            DeliveryStatus::Pending
        );
    }

    #[test]
    fn the_last_failure_exhausts_the_delivery() {
        let schedule = RetrySchedule::from_secs(&[1, 1]);
        let next = next_state(
            &result(Some(500)),
            3,
            &schedule,
            Timestamp::from_millis(0),
            0.5,
        );
        assert_eq!(next.status, DeliveryStatus::Fail);
        assert_eq!(next.next_attempt_at, None);
    }
}
