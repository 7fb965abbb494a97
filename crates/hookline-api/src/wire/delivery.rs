//! Delivery-engine shapes: retry schedules (cloud-subset `RetryScheduleInOut`), the throttling
//! status (`EndpointThrottleRateStatusOut`, with Hookline's circuit fields added) and per-endpoint
//! delivery settings (a Hookline extension).

use std::time::Duration;

use hookline_core::Timestamp;
use hookline_core::delivery::{
    CircuitState, DeliverySettings, EndpointHealth, MAX_ENDPOINT_CONCURRENCY,
};
use hookline_core::retry::RetrySchedule;
use serde::{Deserialize, Serialize};
#[allow(unused_imports)]
use serde_json::json;

use super::Checks;
use crate::error::ApiError;

/// Most delays a retry schedule may list.
pub const MAX_SCHEDULE_LEN: usize = 50;
/// Longest single delay in a retry schedule (7 days).
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(7 * 24 * 3600);
/// Longest per-endpoint timeout that can be asked for; the server's request timeout still caps it.
pub const MAX_ENDPOINT_TIMEOUT_MS: u64 = 60_000;

/// The contract's `Duration`: `{"secs", "nanos"}`; a bare number of seconds is accepted too.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(as = Duration)]
pub enum DurationIo {
    /// `{"secs": 5, "nanos": 0}`.
    Parts {
        /// Whole seconds.
        secs: u64,
        /// Nanoseconds beyond them.
        #[serde(default)]
        nanos: u32,
    },
    /// `5`.
    Secs(u64),
}

impl DurationIo {
    fn duration(self) -> Option<Duration> {
        match self {
            Self::Parts { secs, nanos } if nanos < 1_000_000_000 => {
                Some(Duration::new(secs, nanos))
            }
            Self::Parts { .. } => None,
            Self::Secs(secs) => Some(Duration::from_secs(secs)),
        }
    }

    fn from_duration(d: Duration) -> Self {
        Self::Parts {
            secs: d.as_secs(),
            nanos: d.subsec_nanos(),
        }
    }
}

/// `RetryScheduleInOut`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"retrySchedule": [{"secs": 5, "nanos": 0}, {"secs": 300, "nanos": 0}, {"secs": 3600, "nanos": 0}]}))]
pub struct RetryScheduleInOut {
    /// Delays between attempts (at most 50, each up to 7 days); `null` means "use the default".
    #[schema(max_items = 50)]
    pub retry_schedule: Option<Vec<DurationIo>>,
}

impl RetryScheduleInOut {
    /// Renders a schedule.
    pub fn from_schedule(schedule: Option<&RetrySchedule>) -> Self {
        Self {
            retry_schedule: schedule.map(render_schedule),
        }
    }

    /// Validates the schedule (`None` clears it).
    pub fn validate(self) -> Result<Option<RetrySchedule>, ApiError> {
        let mut checks = Checks::default();
        let schedule = check_schedule(&mut checks, &["body", "retrySchedule"], self.retry_schedule);
        checks.done()?;
        Ok(schedule)
    }
}

fn render_schedule(schedule: &RetrySchedule) -> Vec<DurationIo> {
    schedule
        .delays()
        .iter()
        .map(|d| DurationIo::from_duration(*d))
        .collect()
}

fn check_schedule(
    checks: &mut Checks,
    loc: &[&str],
    raw: Option<Vec<DurationIo>>,
) -> Option<RetrySchedule> {
    let raw = raw?;
    if raw.len() > MAX_SCHEDULE_LEN {
        checks.fail(loc, format!("must list at most {MAX_SCHEDULE_LEN} delays"));
        return None;
    }
    let mut delays = Vec::with_capacity(raw.len());
    for (index, item) in raw.into_iter().enumerate() {
        let index = index.to_string();
        let mut at = loc.to_vec();
        at.push(&index);
        match item.duration() {
            Some(d) if d.is_zero() => checks.fail(&at, "must be longer than zero"),
            Some(d) if d > MAX_RETRY_DELAY => checks.fail(&at, "must be at most 7 days"),
            Some(d) => delays.push(d),
            None => checks.fail(&at, "nanos must be below 1000000000"),
        }
    }
    Some(RetrySchedule::from_delays(delays))
}

/// Whether the endpoint's rate limit or health is holding deliveries back.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = EndpointRateLimitStatus)]
pub enum RateLimitStatus {
    /// Deliveries flow.
    Ok,
    /// Deliveries are being held back.
    RateLimited,
}

/// The circuit breaker's state, for the document.
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = CircuitState)]
#[allow(dead_code)]
pub enum CircuitSchema {
    /// Deliveries flow.
    #[schema(rename = "closed")]
    Closed,
    /// Deliveries are paused after repeated failures.
    #[schema(rename = "open")]
    Open,
    /// One probe delivery decides whether to close again.
    #[schema(rename = "halfOpen")]
    HalfOpen,
}

/// `EndpointThrottleRateStatusOut`, plus Hookline's circuit breaker fields.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EndpointThrottleRateStatusOut, example = json!({"status": "RateLimited",
    "throttledSince": "2026-01-01T12:00:00Z", "circuit": "open",
    "pausedUntil": "2026-01-01T12:05:00Z", "reason": "circuit_open"}))]
pub struct ThrottleStatusOut {
    /// `Ok` or `RateLimited`.
    pub status: RateLimitStatus,
    /// When throttling started, if currently throttled.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub throttled_since: Option<Timestamp>,
    /// `closed`, `open` or `halfOpen` (Hookline extension).
    #[schema(value_type = CircuitSchema)]
    pub circuit: &'static str,
    /// Deliveries are held until then (Hookline extension).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub paused_until: Option<Timestamp>,
    /// Why: `circuit_open`, `http_429`, `http_503`, `timeout`, ... (Hookline extension).
    pub reason: Option<String>,
}

impl ThrottleStatusOut {
    /// The status given the endpoint's stored health at `now`.
    pub fn new(health: Option<EndpointHealth>, now: Timestamp) -> Self {
        match health.filter(|h| h.is_throttled(now)) {
            Some(h) => Self {
                status: RateLimitStatus::RateLimited,
                throttled_since: h.throttled_since.or(Some(h.updated_at)),
                // An open circuit whose pause has ended is waiting for its probe.
                circuit: match h.circuit {
                    CircuitState::Open if h.paused_until.is_none_or(|u| u <= now) => {
                        CircuitState::HalfOpen.as_str()
                    }
                    other => other.as_str(),
                },
                paused_until: h.paused_until.filter(|u| *u > now),
                reason: h.reason,
            },
            None => Self {
                status: RateLimitStatus::Ok,
                throttled_since: None,
                circuit: CircuitState::Closed.as_str(),
                paused_until: None,
                reason: None,
            },
        }
    }
}

/// Per-endpoint delivery settings (Hookline extension), in and out.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"ordered": false, "maxConcurrency": 4, "timeoutMs": 15000,
    "retrySchedule": [{"secs": 5, "nanos": 0}, {"secs": 60, "nanos": 0}]}))]
pub struct DeliverySettingsInOut {
    /// Deliver one message at a time, in acceptance order.
    #[serde(default)]
    pub ordered: bool,
    /// Requests in flight at once to the endpoint (1 to 1000); `null` for the server default.
    #[schema(minimum = 1, maximum = 1000)]
    pub max_concurrency: Option<u16>,
    /// Milliseconds allowed per attempt (1 to 60000, capped by the server's timeout).
    #[schema(minimum = 1, maximum = 60000)]
    pub timeout_ms: Option<u64>,
    /// The endpoint's own retry schedule; `null` to use the event type's or the server's.
    #[schema(max_items = 50)]
    pub retry_schedule: Option<Vec<DurationIo>>,
}

impl DeliverySettingsInOut {
    /// Renders stored settings.
    pub fn from_settings(s: &DeliverySettings) -> Self {
        Self {
            ordered: s.ordered,
            max_concurrency: s.max_concurrency,
            timeout_ms: s.timeout.map(|t| t.as_millis() as u64),
            retry_schedule: s.retry_schedule.as_ref().map(render_schedule),
        }
    }

    /// Validates every field, reporting all failures at once.
    pub fn validate(self) -> Result<DeliverySettings, ApiError> {
        let mut checks = Checks::default();
        if let Some(n) = self.max_concurrency
            && !(1..=MAX_ENDPOINT_CONCURRENCY).contains(&n)
        {
            let msg = format!("must be between 1 and {MAX_ENDPOINT_CONCURRENCY}");
            checks.fail(&["body", "maxConcurrency"], msg);
        }
        if let Some(ms) = self.timeout_ms
            && !(1..=MAX_ENDPOINT_TIMEOUT_MS).contains(&ms)
        {
            let msg = format!("must be between 1 and {MAX_ENDPOINT_TIMEOUT_MS} milliseconds");
            checks.fail(&["body", "timeoutMs"], msg);
        }
        let schedule = check_schedule(&mut checks, &["body", "retrySchedule"], self.retry_schedule);
        checks.done()?;
        Ok(DeliverySettings {
            ordered: self.ordered,
            max_concurrency: self.max_concurrency,
            timeout: self.timeout_ms.map(Duration::from_millis),
            retry_schedule: schedule,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_both_shapes_and_render_the_contract_shape() {
        let parsed: RetryScheduleInOut =
            serde_json::from_str(r#"{"retrySchedule":[5,{"secs":60,"nanos":0},{"secs":1}]}"#)
                .expect("valid");
        let schedule = parsed.validate().expect("valid").expect("set");
        assert_eq!(schedule, RetrySchedule::from_secs(&[5, 60, 1]));
        let out = serde_json::to_value(RetryScheduleInOut::from_schedule(Some(&schedule)))
            .expect("serialises");
        assert_eq!(
            out["retrySchedule"][1],
            serde_json::json!({"secs": 60, "nanos": 0})
        );
    }

    #[test]
    fn bad_delays_are_named_by_position() {
        let parsed: RetryScheduleInOut =
            serde_json::from_str(r#"{"retrySchedule":[5,0,{"secs":1,"nanos":2000000000}]}"#)
                .expect("valid json");
        let Err(ApiError::Validation(errors)) = parsed.validate() else {
            panic!("expected a 422");
        };
        let locs: Vec<_> = errors.iter().map(|e| e.loc.join(".")).collect();
        assert_eq!(locs, vec!["body.retrySchedule.1", "body.retrySchedule.2"]);
    }
}
