//! Per-endpoint lanes: concurrency cap, rate limit, circuit breaker and slow-down pauses.
//!
//! Each endpoint with recent traffic has a lane (a few hundred bytes; idle lanes are dropped). The
//! scheduler asks the lanes which endpoints are blocked before claiming, so a full, paused or
//! throttled endpoint's deliveries stay in the store instead of in memory; claimed deliveries a
//! lane still cannot start are handed back to the store with the time it expects to take them.
//! A lane never waits on another lane: isolation comes from this bookkeeping, not from queues.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hookline_core::delivery::{CircuitState, EndpointHealth, RATE_LIMITED};
use hookline_core::{EndpointId, Timestamp};
use hookline_store::query::DeliveryJob;

use crate::circuit::{Change, Circuit, CircuitConfig, Permit};
use crate::etiquette::{RetryAfterBounds, Verdict};
use crate::throttle::TokenBucket;

/// Lane limits; every field has a documented default.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneConfig {
    /// Requests in flight at once to one endpoint, unless the endpoint sets its own (default 16).
    pub concurrency: u16,
    /// Tokens a rate-limited endpoint can save up (default 1: strictly paced).
    pub burst: u32,
    /// Circuit breaker settings.
    pub circuit: CircuitConfig,
    /// How far `Retry-After` is honoured.
    pub retry_after: RetryAfterBounds,
    /// First pause after a 429/502/503/504/timeout without `Retry-After` (default 5 s); doubles
    /// while such answers continue, up to `slow_down_max`.
    pub slow_down: Duration,
    /// Longest pause without `Retry-After` (default 5 minutes).
    pub slow_down_max: Duration,
}

impl Default for LaneConfig {
    fn default() -> Self {
        Self {
            concurrency: 16,
            burst: 1,
            circuit: CircuitConfig::default(),
            retry_after: RetryAfterBounds::default(),
            slow_down: Duration::from_secs(5),
            slow_down_max: Duration::from_secs(300),
        }
    }
}

/// What to do with a claimed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Start it now; `probe` marks the circuit breaker's half-open probe.
    Start {
        /// Whether this attempt is the probe.
        probe: bool,
    },
    /// Hand it back to the store, due at this time.
    Defer(Instant),
    /// Hand it back to the store, due at its turn under the endpoint's rate limit.
    RateLimited(Instant),
}

/// What an attempt's result changed for its endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaneEffects {
    /// The delivery must not be retried before this long.
    pub hold_for: Option<Duration>,
    /// A health change to persist with the attempt.
    pub health: Option<EndpointHealth>,
}

#[derive(Debug)]
struct Lane {
    in_flight: u32,
    /// The cap the last claimed delivery asked for (endpoint settings can change it).
    in_flight_cap: u32,
    bucket: Option<TokenBucket>,
    circuit: Circuit,
    paused_until: Option<Instant>,
    slow_streak: u32,
    /// When the endpoint started being held back, while it is (persisted as `throttledSince`).
    throttled_since: Option<Timestamp>,
    /// Whether storage shows the endpoint as held back (so a recovery must be written).
    reported: bool,
    /// The last turn handed out to a rate-limited delivery.
    rate_limited_until: Option<Instant>,
    last_used: Instant,
}

/// All lanes of this engine.
#[derive(Debug)]
pub struct Lanes {
    config: LaneConfig,
    lanes: Mutex<HashMap<EndpointId, Lane>>,
}

/// Converts a monotonic instant into wall-clock time, relative to a pair taken together.
pub fn wall_time(at: Instant, now: Instant, now_ts: Timestamp) -> Timestamp {
    match at.checked_duration_since(now) {
        Some(ahead) => now_ts.plus(ahead),
        None => now_ts,
    }
}

/// Lanes forget endpoints idle for this long (state worth keeping is persisted).
const IDLE_LANE: Duration = Duration::from_secs(120);

impl Lanes {
    /// No lanes yet; they appear as deliveries are claimed.
    pub fn new(config: LaneConfig) -> Self {
        Self {
            config,
            lanes: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<EndpointId, Lane>> {
        // A panic while holding the lock leaves plain counters behind; keep going with them.
        self.lanes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cap(&self, job: &DeliveryJob) -> u32 {
        if job.settings.ordered {
            return 1;
        }
        u32::from(
            job.settings
                .max_concurrency
                .unwrap_or(self.config.concurrency),
        )
        .max(1)
    }

    /// Endpoints that cannot start anything at `now` (full, paused, probing), so the claim skips
    /// them; also drops idle lanes. Returns the number of paused lanes as well. Rate-limited
    /// endpoints are still claimed: their deliveries go back to the store, each due at its turn,
    /// which keeps them out of the due range and shows the limit in the endpoint's status.
    pub fn blocked(&self, now: Instant) -> (Vec<EndpointId>, usize) {
        let mut lanes = self.lock();
        // A dropped lane loses nothing: pauses and circuit state are stored with the endpoint and
        // reloaded with its next claimed delivery.
        lanes.retain(|_, lane| {
            lane.in_flight > 0
                || now.saturating_duration_since(lane.last_used) < IDLE_LANE
                || lane.paused_until.is_some_and(|u| u > now)
                || lane.circuit.reopens_at().is_some_and(|u| u > now)
        });
        let mut paused = 0;
        let mut blocked = Vec::new();
        for (id, lane) in lanes.iter() {
            let held = lane.paused_until.is_some_and(|u| u > now) || lane.circuit.is_tripped();
            if held {
                paused += 1;
            }
            let open = lane.paused_until.is_none_or(|u| u <= now) && lane.circuit.would_permit(now);
            if !open || lane.in_flight >= lane.in_flight_cap {
                blocked.push(id.clone());
            }
        }
        (blocked, paused)
    }

    /// The earliest time after `now` at which a lane blocked at `now` opens by itself (its pause
    /// or its circuit's pause ends), for the idle wait. Rate limits block nothing: their
    /// deliveries are handed back due at their turn.
    pub fn next_opening(&self, now: Instant) -> Option<Instant> {
        let lanes = self.lock();
        lanes
            .values()
            .filter_map(|lane| {
                let pause = lane.paused_until.filter(|u| *u > now);
                let circuit = lane.circuit.reopens_at().filter(|u| *u > now);
                pause.into_iter().chain(circuit).max()
            })
            .min()
    }

    /// Decides whether a claimed delivery starts now; `position` counts the deliveries to the same
    /// endpoint already handed back in this batch, to spread them out.
    pub fn admit(
        &self,
        job: &DeliveryJob,
        now: Instant,
        now_ts: Timestamp,
        position: u32,
    ) -> Admission {
        let cap = self.cap(job);
        let rate = job.throttle_rate();
        let mut lanes = self.lock();
        let lane = lanes
            .entry(job.endpoint.id.clone())
            .or_insert_with(|| self.new_lane(job, now, now_ts));
        lane.last_used = now;
        lane.in_flight_cap = cap;
        match (&lane.bucket, rate) {
            (Some(b), Some(r)) if b.rate() == r => {}
            (_, Some(r)) => lane.bucket = Some(TokenBucket::new(r, self.config.burst)),
            (_, None) => lane.bucket = None,
        }
        if let Some(until) = lane.paused_until.filter(|u| *u > now) {
            return Admission::Defer(until);
        }
        if lane.in_flight >= cap {
            return Admission::Defer(now + busy_delay(position, cap));
        }
        if let Some(bucket) = &lane.bucket
            && !bucket.is_ready(now)
        {
            // Turns follow the last one handed out, across batches, so none collide.
            let mut turn = bucket.available_at(now, 0);
            if let Some(last) = lane.rate_limited_until.filter(|last| *last >= turn) {
                turn = last + bucket.interval();
            }
            lane.rate_limited_until = Some(turn);
            return Admission::RateLimited(turn);
        }
        let probe = match lane.circuit.permit(now) {
            Permit::Send => false,
            Permit::Probe => true,
            Permit::WaitUntil(until) => return Admission::Defer(until),
            Permit::ProbeInFlight => return Admission::Defer(now + busy_delay(position, 1)),
        };
        if let Some(bucket) = &mut lane.bucket {
            // Readiness was checked above under the same lock, so this take succeeds.
            let _ = bucket.try_take(now);
        }
        lane.in_flight += 1;
        Admission::Start { probe }
    }

    /// The health to persist for an endpoint whose deliveries were just spread out by its rate
    /// limit (until its last handed-out turn); `None` when it has no lane.
    pub fn rate_limited_report(
        &self,
        endpoint: &EndpointId,
        now: Instant,
        now_ts: Timestamp,
    ) -> Option<EndpointHealth> {
        let mut lanes = self.lock();
        let lane = lanes.get_mut(endpoint)?;
        lane.throttled_since.get_or_insert(now_ts);
        lane.reported = true;
        Some(EndpointHealth {
            endpoint_id: endpoint.clone(),
            circuit: CircuitState::Closed,
            throttled_since: lane.throttled_since,
            paused_until: lane.rate_limited_until.map(|u| wall_time(u, now, now_ts)),
            reason: Some(RATE_LIMITED.to_owned()),
            updated_at: now_ts,
        })
    }

    fn new_lane(&self, job: &DeliveryJob, now: Instant, now_ts: Timestamp) -> Lane {
        let config = self.config.circuit.clone();
        // Carry over a pause decided before (by this node before a restart, or by another node).
        let (circuit, paused_until, throttled_since, reported) = match &job.health {
            Some(h) if h.is_throttled(now_ts) || h.circuit != CircuitState::Closed => {
                let until = h.paused_until.map(|u| {
                    let ahead = (u.as_millis() - now_ts.as_millis()).max(0) as u64;
                    now + Duration::from_millis(ahead)
                });
                let circuit = match (h.circuit, until) {
                    (CircuitState::Closed, _) => Circuit::new(config, now),
                    (_, Some(until)) => Circuit::open_until(config, now, until),
                    (_, None) => Circuit::open_until(config, now, now),
                };
                let pause = until.filter(|_| h.circuit == CircuitState::Closed);
                (circuit, pause, h.throttled_since, true)
            }
            _ => (Circuit::new(config, now), None, None, false),
        };
        Lane {
            in_flight: 0,
            in_flight_cap: u32::MAX,
            bucket: None,
            circuit,
            paused_until,
            slow_streak: 0,
            throttled_since,
            reported,
            rate_limited_until: None,
            last_used: now,
        }
    }

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

/// How long a delivery waits when its lane is full: about one slot turnover per `cap` waiting.
fn busy_delay(position: u32, cap: u32) -> Duration {
    Duration::from_millis(50) * (1 + position / cap.max(1)).min(100)
}

#[cfg(test)]
#[path = "lanes_tests.rs"]
mod tests;
