//! Per-endpoint lanes: concurrency cap, rate limit, circuit breaker and slow-down pauses.
//!
//! Each endpoint with recent traffic has a lane (a few hundred bytes; idle lanes are dropped). The
//! scheduler asks the lanes which endpoints cannot take more work before claiming, so a paused,
//! stalled or already supplied endpoint's deliveries stay in the store instead of in memory.
//! A claimed delivery whose lane is only full waits in the lane's small queue (see
//! [`waiting`](crate::lanes::WaitLimits)) and starts the moment a slot frees, without a store
//! round trip; one its lane cannot start for a while (pause, rate-limit turn) is handed back to
//! the store with the time the lane expects to take it. A lane never waits on another lane:
//! isolation comes from this bookkeeping and from each lane's own bounded queue.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hookline_core::delivery::{CircuitState, EndpointHealth, RATE_LIMITED};
use hookline_core::{EndpointId, Timestamp};
use hookline_store::query::DeliveryJob;

use crate::circuit::{Circuit, CircuitConfig, Permit};
use crate::etiquette::RetryAfterBounds;
use crate::throttle::TokenBucket;

#[path = "lanes_finish.rs"]
mod finish;
#[path = "lanes_waiting.rs"]
mod waiting;

use waiting::{Pace, Waiting};
pub use waiting::{Placed, Swept, WaitLimits};

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
    /// The lane is at its concurrency cap (or its probe is in flight): wait for a slot.
    Full,
    /// Hand it back to the store, due at this time (the lane is paused until then).
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
    /// Claimed deliveries waiting for a slot, oldest claim first.
    waiting: VecDeque<Waiting>,
    /// When the lane last finished an attempt (or was made): a full lane that has finished
    /// nothing for a while is stalled, and nothing more is claimed for it.
    last_finish: Instant,
    /// How fast the lane finishes attempts; sizes its waiting room.
    pace: Pace,
    /// Whether the last claim skipped this endpoint: when that stops being true, the scheduler
    /// must claim again for it.
    skipped: bool,
}

/// All lanes of this engine.
#[derive(Debug)]
pub struct Lanes {
    config: LaneConfig,
    limits: WaitLimits,
    lanes: Mutex<HashMap<EndpointId, Lane>>,
    /// Deliveries waiting in all lanes together.
    waiting: std::sync::atomic::AtomicUsize,
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
/// A full lane that finished nothing for this long is stalled (e.g. its endpoint hangs).
const STALLED_AFTER: Duration = Duration::from_secs(1);

impl Lanes {
    /// No lanes yet; they appear as deliveries are claimed. Waiting rooms get the default
    /// [`WaitLimits`].
    pub fn new(config: LaneConfig) -> Self {
        Self::with_limits(config, WaitLimits::default())
    }

    /// Lanes whose waiting rooms follow `limits`.
    pub fn with_limits(config: LaneConfig, limits: WaitLimits) -> Self {
        Self {
            config,
            limits,
            lanes: Mutex::new(HashMap::new()),
            waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<EndpointId, Lane>> {
        // A panic while holding the lock leaves plain counters behind; keep going with them.
        self.lanes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The concurrency cap of `job`'s endpoint: 1 when ordered, else its own or the default.
    pub fn cap(&self, job: &DeliveryJob) -> u32 {
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

    /// Endpoints the next claim must skip at `now`: paused, probing, stalled (full and finishing
    /// nothing), or holding enough claimed work already; also drops idle lanes. Returns the
    /// number of paused lanes as well. Rate-limited endpoints are still claimed: their deliveries
    /// go back to the store, each due at its turn, which keeps them out of the due range and
    /// shows the limit in the endpoint's status.
    pub fn blocked(&self, now: Instant) -> (Vec<EndpointId>, usize) {
        let mut lanes = self.lock();
        // A dropped lane loses nothing: pauses and circuit state are stored with the endpoint and
        // reloaded with its next claimed delivery.
        lanes.retain(|_, lane| {
            lane.in_flight > 0
                || !lane.waiting.is_empty()
                || now.saturating_duration_since(lane.last_used) < IDLE_LANE
                || lane.paused_until.is_some_and(|u| u > now)
                || lane.circuit.reopens_at().is_some_and(|u| u > now)
        });
        let mut paused = 0;
        let mut blocked = Vec::new();
        for (id, lane) in lanes.iter_mut() {
            let held = lane.paused_until.is_some_and(|u| u > now) || lane.circuit.is_tripped();
            if held {
                paused += 1;
            }
            lane.skipped = self.skips(lane, now);
            if lane.skipped {
                blocked.push(id.clone());
            }
        }
        (blocked, paused)
    }

    /// Whether a claim at `now` should leave this lane's endpoint alone.
    fn skips(&self, lane: &Lane, now: Instant) -> bool {
        let open = lane.paused_until.is_none_or(|u| u <= now) && lane.circuit.would_permit(now);
        let stalled = lane.in_flight >= lane.in_flight_cap
            && now.saturating_duration_since(lane.last_finish) >= STALLED_AFTER;
        !open || stalled || lane.waiting.len() >= self.refill_below(lane, now)
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

    /// Decides whether a claimed delivery that holds a global slot starts now, and if so takes
    /// the lane's slot (and rate-limit token, and circuit probe) for it.
    pub fn admit(&self, job: &DeliveryJob, now: Instant, now_ts: Timestamp) -> Admission {
        let mut lanes = self.lock();
        let lane = self.lane(&mut lanes, job, now, now_ts);
        self.admit_lane(lane, now, true)
    }

    /// The lane of `job`'s endpoint (made if needed), refreshed with the job's settings.
    fn lane<'a>(
        &self,
        lanes: &'a mut HashMap<EndpointId, Lane>,
        job: &DeliveryJob,
        now: Instant,
        now_ts: Timestamp,
    ) -> &'a mut Lane {
        let cap = self.cap(job);
        let rate = job.throttle_rate();
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
        lane
    }

    /// The admission decision for the lane's next delivery (the lane carries the settings of
    /// its latest claimed delivery); `has_slot` says whether a global slot is available (without
    /// one, a startable delivery waits like one whose lane is full).
    fn admit_lane(&self, lane: &mut Lane, now: Instant, has_slot: bool) -> Admission {
        let cap = lane.in_flight_cap;
        if let Some(until) = lane.paused_until.filter(|u| *u > now) {
            return Admission::Defer(until);
        }
        if lane.in_flight >= cap || !has_slot {
            return Admission::Full;
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
            Permit::ProbeInFlight => return Admission::Full,
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
            waiting: VecDeque::new(),
            last_finish: now,
            pace: Pace::new(now),
            skipped: false,
        }
    }
}

/// How long a delivery handed back from a full waiting room stays away: about one slot turnover
/// per `cap` deliveries already handed back for the lane in the same batch.
pub fn busy_delay(position: u32, cap: u32) -> Duration {
    Duration::from_millis(50) * (1 + position / cap.max(1)).min(100)
}

#[cfg(test)]
#[path = "lanes_tests.rs"]
mod tests;
