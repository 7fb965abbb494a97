//! The scheduler loop: claims due deliveries and places them in their lanes.
//!
//! Each turn it (1) starts what the lanes' waiting rooms can start and hands back what must
//! leave them, (2) claims when there may be due work (a new message, a lane that can take work
//! again, a due time reached, a full previous claim) and there is room to hold it, skipping the
//! endpoints whose lanes cannot take more, (3) writes all hand-backs of the turn in one commit,
//! and (4) sleeps until woken, until the next scheduled delivery or lane opening, or until a
//! waiting delivery must leave its room. It never polls busily, and it claims only when a claim
//! can find something new: an attempt that finishes starts the next waiting delivery itself.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hookline_core::{EndpointId, Timestamp};
use hookline_store::Store;
use hookline_store::query::{ClaimRequest, Deferral, DeliveryJob};
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::sync::CancellationToken;

use crate::attempt::AttemptContext;
use crate::engine::DeliveryConfig;
use crate::lanes::{Placed, Swept, busy_delay, wall_time};
use crate::telemetry;

/// How often the queue gauges are sampled at most (counting is an index range scan).
const QUEUE_SAMPLE_EVERY: Duration = Duration::from_secs(15);
/// The longest sleep without a reason to wake (a safety net).
const MAX_IDLE: Duration = Duration::from_secs(30);
/// While the waiting rooms hold a whole claim batch, look again this often for room to claim.
const ROOM_RECHECK: Duration = Duration::from_millis(10);
/// The next due time is read again after a claim at least this often, even untold: another
/// node, or any other writer, may have scheduled work sooner.
const DUE_FRESH: Duration = Duration::from_secs(1);

/// The scheduler's state between turns.
pub(crate) struct Scheduler {
    store: Arc<dyn Store>,
    ctx: Arc<AttemptContext>,
    claim_batch: u32,
    lease: Duration,
    /// The `environment` label of the queue and lane gauges.
    environment: Arc<str>,
    /// A claim is owed (asked for, or due by time) and has not run yet.
    claim_owed: bool,
    /// When to claim next without being asked (next scheduled delivery, lane opening).
    claim_at: Option<Instant>,
    /// When the next due time was last read from the store.
    due_read_at: Option<Instant>,
    /// A global slot taken while waiting for one, for the next waiting delivery.
    spare: Option<OwnedSemaphorePermit>,
    sampled: Option<Instant>,
}

/// What one turn hands back to the store.
#[derive(Default)]
struct HandBacks {
    deferral: Deferral,
    /// Deliveries handed back per endpoint in this turn (spreads overflow out).
    per_endpoint: HashMap<EndpointId, u32>,
    rate_limited: HashSet<EndpointId>,
    /// When the earliest of them is due again.
    earliest: Option<Instant>,
}

impl HandBacks {
    fn push(&mut self, job: &DeliveryJob, until: Instant, now: Instant, now_ts: Timestamp) {
        *self
            .per_endpoint
            .entry(job.endpoint.id.clone())
            .or_default() += 1;
        // Strictly after the claim time (timestamps are in milliseconds), so the idle
        // computation, which looks for work due after it, sees it.
        let due = wall_time(until, now, now_ts).max(now_ts.plus(Duration::from_millis(1)));
        self.deferral
            .deliveries
            .push((job.delivery.id.clone(), due));
        self.earliest = earliest(self.earliest, Some(until.max(now)));
    }
}

impl Scheduler {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        config: &DeliveryConfig,
        ctx: Arc<AttemptContext>,
    ) -> Self {
        Self {
            store,
            ctx,
            claim_batch: config.claim_batch.max(1),
            lease: config.lease(),
            environment: Arc::clone(&config.environment),
            // Whatever is due at start (work left by a previous run) is claimed at once.
            claim_owed: true,
            claim_at: None,
            due_read_at: None,
            spare: None,
            sampled: None,
        }
    }

    /// Runs turns until `shutdown` is cancelled.
    pub(crate) async fn run(mut self, shutdown: &CancellationToken) {
        while !shutdown.is_cancelled() {
            if self
                .sampled
                .is_none_or(|at| at.elapsed() >= QUEUE_SAMPLE_EVERY)
            {
                self.sampled = Some(Instant::now());
                self.sample_queue().await;
            }
            let now = Instant::now();
            let now_ts = Timestamp::now();
            let due = self.claim_at.is_some_and(|at| at <= now);
            if due {
                self.claim_at = None;
            }
            if self.ctx.signal.take_claim() || due {
                self.claim_owed = true;
            }
            let mut back = HandBacks::default();
            let mut swept = self.sweep(now, now_ts, &mut back);
            let mut wait_for_room = false;
            if self.claim_owed {
                let room = (self.claim_batch as usize).saturating_sub(self.ctx.lanes.waiting());
                if room == 0 {
                    wait_for_room = true;
                } else {
                    self.claim_owed = false;
                    self.claim(room as u32, now, now_ts, &mut back).await;
                    // A fresh pair: instants and wall-clock times are converted into each other.
                    swept = self.sweep(Instant::now(), Timestamp::now(), &mut back);
                }
            }
            self.hand_back(back, now, now_ts).await;
            if self.claim_owed && !wait_for_room {
                continue;
            }
            let mut wake_at = self.claim_at;
            if wait_for_room {
                wake_at = earliest(wake_at, Some(Instant::now() + ROOM_RECHECK));
            }
            wake_at = earliest(wake_at, swept.deadline);
            self.idle(wake_at, swept.starved, shutdown).await;
        }
        // This engine samples no more (its environment may be gone): its gauges say so rather
        // than keep their last values for ever.
        telemetry::stopped(&self.environment);
    }

    /// Starts what the waiting rooms can start, collects what must leave them.
    fn sweep(
        &mut self,
        now: Instant,
        now_ts: Timestamp,
        back: &mut HandBacks,
    ) -> Swept<OwnedSemaphorePermit> {
        let ctx = Arc::clone(&self.ctx);
        let spare = &mut self.spare;
        let mut swept = ctx
            .lanes
            .sweep(now, || spare.take().or_else(|| ctx.try_slot()));
        for (job, probe, slot) in std::mem::take(&mut swept.started) {
            ctx.start(job, probe, slot);
        }
        for (job, until, rate_limited) in std::mem::take(&mut swept.handed_back) {
            if rate_limited {
                back.rate_limited.insert(job.endpoint.id.clone());
            }
            back.push(&job, until, now, now_ts);
        }
        if swept.reopened {
            self.claim_owed = true;
        }
        swept
    }

    /// Claims up to `limit` due deliveries and offers each to its lane.
    async fn claim(&mut self, limit: u32, now: Instant, now_ts: Timestamp, back: &mut HandBacks) {
        let limit = limit.min(self.claim_batch);
        let (exclude, paused) = self.ctx.lanes.blocked(now);
        telemetry::lanes_paused(&self.environment, paused);
        let claim = ClaimRequest {
            now: now_ts,
            limit,
            lease: self.lease,
            exclude,
        };
        let jobs = match self.store.claim_due(claim).await {
            Ok(jobs) => jobs,
            Err(err) => {
                tracing::warn!(error = %err, "claiming due deliveries failed; retrying");
                self.claim_at = Some(Instant::now() + Duration::from_secs(1));
                return;
            }
        };
        let claimed = jobs.len() as u32;
        for job in jobs {
            self.place(job, back);
        }
        if claimed >= limit {
            // There may be more due right now.
            self.claim_owed = true;
        } else {
            // Everything due now is claimed; new messages are due at once and wake us, so the
            // next due time changes only when told (a retry, a pause), once reached, or (rarely)
            // behind our back: read it again only then, not after every new message.
            let told = self.ctx.signal.take_reschedule();
            let stale = self.due_read_at.is_none_or(|at| at.elapsed() >= DUE_FRESH);
            if told || stale || self.claim_at.is_none() {
                self.due_read_at = Some(Instant::now());
                self.claim_at = self.next_due(now, now_ts).await;
            }
        }
    }

    /// Offers one claimed delivery to its lane.
    fn place(&mut self, job: DeliveryJob, back: &mut HandBacks) {
        let (now, now_ts) = (Instant::now(), Timestamp::now());
        let slot = self.spare.take().or_else(|| self.ctx.try_slot());
        match self.ctx.lanes.place(job, now, now_ts, slot.is_some()) {
            Placed::Start { job, probe } => match slot {
                Some(slot) => self.ctx.start(job, probe, slot),
                // `place` starts only with a slot; keep the delivery safe regardless.
                None => back.push(&job, now, now, now_ts),
            },
            Placed::Waiting => self.spare = slot,
            Placed::HandBack {
                job,
                until,
                rate_limited,
            } => {
                self.spare = slot;
                if rate_limited {
                    back.rate_limited.insert(job.endpoint.id.clone());
                }
                back.push(&job, until, now, now_ts);
            }
            Placed::Overflow(job) => {
                self.spare = slot;
                let position = back
                    .per_endpoint
                    .get(&job.endpoint.id)
                    .copied()
                    .unwrap_or(0);
                let cap = self.ctx.lanes.cap(&job);
                back.push(&job, now + busy_delay(position, cap), now, now_ts);
            }
        }
    }

    /// Writes the turn's hand-backs (and rate-limit reports) in one commit.
    async fn hand_back(&mut self, mut back: HandBacks, now: Instant, now_ts: Timestamp) {
        // Handed back means due again: claim by then.
        self.claim_at = earliest(self.claim_at, back.earliest);
        for endpoint in &back.rate_limited {
            back.deferral
                .health
                .extend(self.ctx.lanes.rate_limited_report(endpoint, now, now_ts));
        }
        if back.deferral.deliveries.is_empty() && back.deferral.health.is_empty() {
            return;
        }
        telemetry::deferred(back.deferral.deliveries.len());
        if let Err(err) = self.store.defer_deliveries(back.deferral).await {
            // The claims stand; the deliveries come back when their lease ends.
            tracing::warn!(error = %err, "handing back deliveries failed");
        }
    }

    async fn sample_queue(&self) {
        match self.store.queue_depth(Timestamp::now()).await {
            Ok(depth) => telemetry::queue(&self.environment, depth),
            Err(err) => tracing::debug!(error = %err, "sampling the queue failed"),
        }
    }

    /// When to claim next by time alone: the next delivery due after the claim made at
    /// `claimed_at` / `claim_instant` (at once if that time has already come, e.g. a delivery
    /// handed back for a few milliseconds), or the next opening of a lane that was blocked at the
    /// claim (at once if it has already opened: its due work was skipped); capped, as a safety
    /// net. Lanes that cannot take work for other reasons ask for a claim when they can.
    async fn next_due(&self, claim_instant: Instant, claimed_at: Timestamp) -> Option<Instant> {
        let lane_opens = self.ctx.lanes.next_opening(claim_instant);
        let due = match self.store.next_due_after(claimed_at).await {
            Ok(Some(due)) => {
                let millis = (due.as_millis() - Timestamp::now().as_millis()).max(0) as u64;
                Instant::now() + Duration::from_millis(millis)
            }
            Ok(None) => Instant::now() + MAX_IDLE,
            Err(err) => {
                tracing::warn!(error = %err, "reading the next due time failed");
                Instant::now() + Duration::from_secs(1)
            }
        };
        earliest(Some(due.min(Instant::now() + MAX_IDLE)), lane_opens)
    }

    /// Sleeps until a wake-up, `wake_at`, shutdown, or (when `starved`, some waiting delivery
    /// lacks only a global slot) a free global slot.
    async fn idle(
        &mut self,
        wake_at: Option<Instant>,
        starved: bool,
        shutdown: &CancellationToken,
    ) {
        let wake_at = wake_at.unwrap_or_else(|| Instant::now() + MAX_IDLE);
        let slots = Arc::clone(&self.ctx.slots);
        let wants_slot = starved && self.spare.is_none();
        tokio::select! {
            () = self.ctx.signal.notified() => {}
            () = tokio::time::sleep_until(wake_at.into()) => {}
            slot = slots.acquire_owned(), if wants_slot => self.spare = slot.ok(),
            () = shutdown.cancelled() => {}
        }
    }
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
