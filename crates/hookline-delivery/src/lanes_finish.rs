//! The end of an attempt as its lane sees it: a freed slot, the circuit breaker's count, and
//! the pauses that answers such as `429` or `503` ask for.

use std::time::Instant;

use hookline_core::Timestamp;
use hookline_core::delivery::{CircuitState, EndpointHealth};
use hookline_store::query::DeliveryJob;

use super::{Lane, LaneEffects, Lanes, wall_time};
use crate::circuit::Change;
use crate::etiquette::Verdict;

impl Lanes {
    /// Records an attempt's end: frees the lane's slot, feeds the circuit breaker, applies a
    /// slow-down, and says what to persist.
    pub fn finish(
        &self,
        job: &DeliveryJob,
        verdict: Verdict,
        probe: bool,
        now: Instant,
        now_ts: Timestamp,
    ) -> LaneEffects {
        let mut lanes = self.lock();
        let Some(lane) = lanes.get_mut(&job.endpoint.id) else {
            return LaneEffects::default();
        };
        lane.in_flight = lane.in_flight.saturating_sub(1);
        lane.last_used = now;
        lane.last_finish = now;
        lane.pace.record(now);
        let change = lane.circuit.record(now, verdict.is_success(), probe);
        let mut effects = LaneEffects::default();
        let mut reason = None;
        match verdict {
            Verdict::SlowDown {
                retry_after,
                reason: why,
            } => {
                // Answers from requests already in flight when the pause began neither lengthen
                // nor escalate it (unless Retry-After asks for longer): one overload, one pause,
                // and one write that holds the endpoint's backlog.
                let paused_now = lane.paused_until.is_some_and(|u| u > now);
                let pause = match retry_after {
                    Some(asked) => Some(self.config.retry_after.clamp(asked)),
                    None if paused_now => None,
                    None => {
                        let factor = 2u32.saturating_pow(lane.slow_streak.min(16));
                        lane.slow_streak += 1;
                        Some((self.config.slow_down * factor).min(self.config.slow_down_max))
                    }
                };
                let until = pause.map(|p| now + p);
                if let Some(until) = until.filter(|u| lane.paused_until.is_none_or(|p| p < *u)) {
                    lane.paused_until = Some(until);
                    reason = Some(why);
                }
                effects.hold_for = lane
                    .paused_until
                    .map(|u| u.saturating_duration_since(now))
                    .filter(|d| !d.is_zero());
            }
            Verdict::Delivered => lane.slow_streak = 0,
            Verdict::Gone | Verdict::Failed => {}
        }
        if let Some(Change::Opened { until }) = change {
            lane.paused_until = Some(lane.paused_until.map_or(until, |u| u.max(until)));
            effects.hold_for = Some(until - now);
            reason = Some("circuit_open");
        }
        if reason.is_some() {
            lane.throttled_since.get_or_insert(now_ts);
            lane.reported = true;
            effects.health = Some(self.health(job, lane, reason, now, now_ts));
        } else if verdict.is_success()
            && lane.reported
            && !lane.circuit.is_tripped()
            && lane.rate_limited_until.is_none_or(|u| u <= now)
        {
            lane.throttled_since = None;
            lane.paused_until = None;
            lane.reported = false;
            effects.health = Some(self.health(job, lane, None, now, now_ts));
        }
        effects
    }

    fn health(
        &self,
        job: &DeliveryJob,
        lane: &Lane,
        reason: Option<&str>,
        now: Instant,
        now_ts: Timestamp,
    ) -> EndpointHealth {
        let circuit = if lane.circuit.is_tripped() {
            CircuitState::Open
        } else {
            CircuitState::Closed
        };
        EndpointHealth {
            endpoint_id: job.endpoint.id.clone(),
            circuit,
            throttled_since: lane.throttled_since,
            paused_until: lane.paused_until.map(|u| wall_time(u, now, now_ts)),
            reason: reason.map(str::to_owned),
            updated_at: now_ts,
        }
    }
}
