//! Each lane's waiting room: claimed deliveries that wait in memory for a free slot.
//!
//! When a claim brings more deliveries for an endpoint than its lane can start, handing the rest
//! back to the store costs a write per batch and a second claim later, and leaves the lane idle
//! between a slot freeing and the next claim. Instead they wait in the lane, oldest first, and the
//! attempt that frees a slot starts the next one at once. The room is sized by how fast the lane
//! finishes attempts (about [`HORIZON`] of its recent pace, and at least one round of its
//! concurrency before it has a pace), so a slow endpoint holds back little and a fast one keeps
//! its slots busy; together the rooms hold at most [`WaitLimits::total`] deliveries. A delivery
//! never waits longer than [`WaitLimits::max_wait`]: its lease must still cover a whole request
//! when it starts. What does not fit, and what a pause or a rate-limit turn holds back, goes back
//! to the store.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hookline_core::{EndpointId, Timestamp};
use hookline_store::query::DeliveryJob;

use super::{Admission, Lane, Lanes};

/// A lane's room holds about this long of its recent pace.
pub(super) const HORIZON: Duration = Duration::from_millis(250);
/// A pace older than this says nothing about the endpoint any more.
const PACE_FRESH: Duration = Duration::from_secs(1);
/// Attempts are counted over windows at least this long before the pace is updated.
const PACE_WINDOW: Duration = Duration::from_millis(100);

/// Bounds of the waiting rooms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitLimits {
    /// Deliveries waiting in all lanes together, at most (the engine uses its claim batch).
    pub total: usize,
    /// How long a delivery may wait before it goes back to the store (the engine uses half
    /// its lease margin, so a request started from the room still ends within the lease).
    pub max_wait: Duration,
}

impl Default for WaitLimits {
    fn default() -> Self {
        Self {
            total: 256,
            max_wait: Duration::from_millis(7_500),
        }
    }
}

/// A claimed delivery in a waiting room.
#[derive(Debug)]
pub(super) struct Waiting {
    job: DeliveryJob,
    since: Instant,
}

/// Attempts finished per second, recently.
#[derive(Debug)]
pub(super) struct Pace {
    window_start: Instant,
    in_window: u32,
    per_sec: Option<f64>,
    updated: Instant,
}

impl Pace {
    pub(super) fn new(now: Instant) -> Self {
        Self {
            window_start: now,
            in_window: 0,
            per_sec: None,
            updated: now,
        }
    }

    /// Counts one finished attempt.
    pub(super) fn record(&mut self, now: Instant) {
        self.in_window += 1;
        let elapsed = now.saturating_duration_since(self.window_start);
        if elapsed >= PACE_WINDOW {
            let rate = f64::from(self.in_window) / elapsed.as_secs_f64();
            // Half the weight to history: follows a change within a few windows.
            self.per_sec = Some(match self.per_sec {
                Some(old) if now.saturating_duration_since(self.updated) < PACE_FRESH => {
                    (old + rate) / 2.0
                }
                _ => rate,
            });
            self.updated = now;
            self.window_start = now;
            self.in_window = 0;
        }
    }

    fn per_sec(&self, now: Instant) -> Option<f64> {
        self.per_sec
            .filter(|_| now.saturating_duration_since(self.updated) < PACE_FRESH)
    }
}

/// What became of a claimed delivery offered to its lane.
#[derive(Debug)]
pub enum Placed {
    /// Start it now with the global slot the caller holds; `probe` marks the circuit probe.
    Start {
        /// The delivery.
        job: DeliveryJob,
        /// Whether this attempt is the circuit breaker's probe.
        probe: bool,
    },
    /// It waits in its lane for a slot.
    Waiting,
    /// Hand it back to the store, due at `until` (a pause, or a rate-limit turn when
    /// `rate_limited`).
    HandBack {
        /// The delivery.
        job: DeliveryJob,
        /// When the lane expects to take it.
        until: Instant,
        /// Whether the endpoint's rate limit set the time.
        rate_limited: bool,
    },
    /// Its lane's room is full: hand it back to be claimed again a little later.
    Overflow(DeliveryJob),
}

/// What a pass over the waiting rooms did.
#[derive(Debug)]
pub struct Swept<P> {
    /// Deliveries to start now, each with its global slot; `bool` marks a circuit probe.
    pub started: Vec<(DeliveryJob, bool, P)>,
    /// Deliveries to hand back, each due at its instant; `bool` marks a rate-limit turn.
    pub handed_back: Vec<(DeliveryJob, Instant, bool)>,
    /// Some lane could start a delivery but no global slot was free.
    pub starved: bool,
    /// A lane the last claim skipped can take work again: claim for it.
    pub reopened: bool,
    /// When the oldest delivery still waiting must leave (hand it back then).
    pub deadline: Option<Instant>,
}

impl<P> Default for Swept<P> {
    fn default() -> Self {
        Self {
            started: Vec::new(),
            handed_back: Vec::new(),
            starved: false,
            reopened: false,
            deadline: None,
        }
    }
}

impl Lanes {
    /// Deliveries waiting in all rooms.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Offers a claimed delivery to its lane; `has_slot` says whether the caller holds a global
    /// slot to start it with.
    pub fn place(
        &self,
        job: DeliveryJob,
        now: Instant,
        now_ts: Timestamp,
        has_slot: bool,
    ) -> Placed {
        let mut lanes = self.lock();
        let lane = self.lane(&mut lanes, &job, now, now_ts);
        let admission = if lane.waiting.is_empty() {
            self.admit_lane(lane, now, has_slot)
        } else {
            // Behind the deliveries already waiting; a pass over the room decides about pauses.
            Admission::Full
        };
        match admission {
            Admission::Start { probe } => Placed::Start { job, probe },
            Admission::Defer(until) => Placed::HandBack {
                job,
                until,
                rate_limited: false,
            },
            Admission::RateLimited(until) => Placed::HandBack {
                job,
                until,
                rate_limited: true,
            },
            Admission::Full => {
                let fits = lane.waiting.len() < self.room(lane, now)
                    && self.waiting.load(Ordering::Relaxed) < self.limits.total;
                if !fits {
                    return Placed::Overflow(job);
                }
                lane.waiting.push_back(Waiting { job, since: now });
                self.waiting.fetch_add(1, Ordering::Relaxed);
                Placed::Waiting
            }
        }
    }

    /// Starts what the rooms can start (each with a global slot from `slot`), hands back what
    /// must leave (too old, paused lane, rate-limit turn), and says what is left to wait for.
    pub fn sweep<P>(&self, now: Instant, mut slot: impl FnMut() -> Option<P>) -> Swept<P> {
        let mut swept = Swept::default();
        if self.waiting() == 0 {
            return swept;
        }
        let mut lanes = self.lock();
        let mut spare = None;
        for lane in lanes.values_mut() {
            self.drain_lane(lane, now, &mut slot, &mut spare, true, &mut swept);
        }
        swept
    }

    /// After an attempt of `endpoint` ended: starts the lane's next waiting delivery if it can
    /// start now and `slot` gives a global slot. Hand-backs are left to the scheduler's sweep
    /// (`Swept::handed_back` stays empty; `starved` or a `deadline` says a sweep is needed).
    pub fn take_next<P>(
        &self,
        endpoint: &EndpointId,
        now: Instant,
        mut slot: impl FnMut() -> Option<P>,
    ) -> Swept<P> {
        let mut swept = Swept::default();
        let mut lanes = self.lock();
        if let Some(lane) = lanes.get_mut(endpoint) {
            let mut spare = None;
            self.drain_lane(lane, now, &mut slot, &mut spare, false, &mut swept);
        }
        swept
    }

    /// Empties every room (shutdown): the caller hands them all back.
    pub fn drain_all(&self) -> Vec<DeliveryJob> {
        let mut lanes = self.lock();
        let jobs: Vec<DeliveryJob> = lanes
            .values_mut()
            .flat_map(|lane| lane.waiting.drain(..).map(|w| w.job))
            .collect();
        self.waiting.store(0, Ordering::Relaxed);
        jobs
    }

    /// Moves one lane's room forward: see [`Lanes::sweep`]; `hand_back` false leaves deliveries
    /// that must leave in place (for the scheduler's next sweep).
    fn drain_lane<P>(
        &self,
        lane: &mut Lane,
        now: Instant,
        slot: &mut impl FnMut() -> Option<P>,
        spare: &mut Option<P>,
        hand_back: bool,
        swept: &mut Swept<P>,
    ) {
        while let Some(front) = lane.waiting.front() {
            let deadline = front.since + self.limits.max_wait;
            let leave = |lane: &mut Lane, swept: &mut Swept<P>, until: Instant, limited: bool| {
                if let Some(w) = lane.waiting.pop_front() {
                    self.waiting.fetch_sub(1, Ordering::Relaxed);
                    swept.handed_back.push((w.job, until, limited));
                }
            };
            if now >= deadline {
                if !hand_back {
                    swept.deadline = Some(now);
                    break;
                }
                leave(lane, swept, now, false);
                continue;
            }
            if spare.is_none() && lane.in_flight < lane.in_flight_cap {
                *spare = slot();
            }
            match self.admit_lane(lane, now, spare.is_some()) {
                Admission::Start { probe } => {
                    let (Some(w), Some(permit)) = (lane.waiting.pop_front(), spare.take()) else {
                        break;
                    };
                    self.waiting.fetch_sub(1, Ordering::Relaxed);
                    swept.started.push((w.job, probe, permit));
                }
                Admission::Full => {
                    swept.starved |= spare.is_none() && lane.in_flight < lane.in_flight_cap;
                    swept.deadline = min_instant(swept.deadline, deadline);
                    break;
                }
                Admission::Defer(until) if hand_back => {
                    // A pause holds the whole room until it ends.
                    while !lane.waiting.is_empty() {
                        leave(lane, swept, until, false);
                    }
                }
                Admission::RateLimited(turn) if hand_back => leave(lane, swept, turn, true),
                Admission::Defer(_) | Admission::RateLimited(_) => {
                    swept.deadline = Some(now);
                    break;
                }
            }
        }
        if lane.skipped && !self.skips(lane, now) {
            lane.skipped = false;
            swept.reopened = true;
        }
    }

    /// How many deliveries the lane's room holds: about [`HORIZON`] of its recent pace, one
    /// round of its concurrency while it has no pace yet, and never the whole budget.
    pub(super) fn room(&self, lane: &Lane, now: Instant) -> usize {
        let cap = lane.in_flight_cap.min(1000) as usize;
        let room = match lane.pace.per_sec(now) {
            Some(per_sec) => (per_sec * HORIZON.as_secs_f64()) as usize,
            None => cap,
        };
        room.clamp(1, self.limits.total.max(1))
    }

    /// The claim supplies the lane again once fewer than this many deliveries wait in its room.
    pub(super) fn refill_below(&self, lane: &Lane, now: Instant) -> usize {
        (self.room(lane, now) / 2).max(1)
    }
}

fn min_instant(a: Option<Instant>, b: Instant) -> Option<Instant> {
    Some(a.map_or(b, |a| a.min(b)))
}
