//! The scheduler loop.
//!
//! The scheduler claims due deliveries in batches, as many as there are free global in-flight
//! slots, skipping endpoints whose lane cannot start anything (full, paused, probing, out of
//! tokens). Each claimed delivery either starts as a task holding a global slot and a lane slot,
//! or goes straight back to the store due at the time its lane expects to take it, so memory and
//! sockets stay bounded however many deliveries wait. When nothing more can start it sleeps until
//! the next scheduled delivery, the next lane opening, or a wake-up (a new message, a finished
//! attempt). Results flow to one recorder task that writes them in batches (one group commit per
//! batch, not per attempt).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hookline_core::model::Attempt;
use hookline_core::retry::RetrySchedule;
use hookline_core::{EndpointId, Timestamp};
use hookline_store::Store;
use hookline_store::query::{ClaimRequest, Deferral};
use tokio::sync::{Notify, Semaphore, broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::attempt::{AttemptContext, record_loop};
use crate::client::{ClientConfig, build_client};
use crate::lanes::{Admission, LaneConfig, Lanes, wall_time};
use crate::sender::Sender;
use crate::signing::Signer;
use crate::ssrf::TargetPolicy;
use crate::telemetry;

/// How often the queue gauges are sampled at most (counting is an index range scan).
const QUEUE_SAMPLE_EVERY: Duration = Duration::from_secs(15);

/// How the engine behaves; every field has a documented default.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Delays between attempts (default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
    pub retry_schedule: RetrySchedule,
    /// Time allowed for one attempt (default 15 s).
    pub request_timeout: Duration,
    /// Time allowed to connect (default 5 s).
    pub connect_timeout: Duration,
    /// Requests in flight at once across all endpoints (default 512).
    pub max_in_flight: usize,
    /// Per-endpoint limits: concurrency, rate-limit burst, circuit breaker, slow-down.
    pub lanes: LaneConfig,
    /// How much longer than the request timeout a claim lasts (default 15 s): after a crash,
    /// in-flight deliveries are retried this long after their timeout would have ended.
    pub lease_margin: Duration,
    /// Deliveries claimed per store round trip (default 256).
    pub claim_batch: u32,
    /// Which addresses deliveries may reach.
    pub policy: Arc<TargetPolicy>,
    /// Opens endpoint keyrings and signs attempts.
    pub signer: Signer,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            retry_schedule: RetrySchedule::default(),
            request_timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            max_in_flight: 512,
            lanes: LaneConfig::default(),
            lease_margin: Duration::from_secs(15),
            claim_batch: 256,
            policy: Arc::new(TargetPolicy::default()),
            signer: Signer::default(),
        }
    }
}

impl DeliveryConfig {
    /// A claim lasts this long: longer than any request (endpoint timeouts can only be shorter
    /// than the request timeout), so a live engine never loses its work, and short enough that a
    /// crashed one's work resumes soon after restart.
    pub fn lease(&self) -> Duration {
        self.request_timeout + self.lease_margin.max(Duration::from_secs(1))
    }
}

/// Signals the engine that new work may be due; cheap to clone and call often.
#[derive(Debug, Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    /// Wakes the scheduler if it is idle (a wake-up while it is busy is kept for later).
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Delivers planned messages until shut down.
#[derive(Debug)]
pub struct DeliveryEngine {
    store: Arc<dyn Store>,
    sender: Sender,
    config: DeliveryConfig,
    waker: Waker,
    recorded: broadcast::Sender<Attempt>,
}

impl DeliveryEngine {
    /// An engine over `store`; fails only if the HTTP client cannot be built.
    pub fn new(store: Arc<dyn Store>, config: DeliveryConfig) -> reqwest::Result<Self> {
        let client = build_client(&ClientConfig {
            request_timeout: config.request_timeout,
            connect_timeout: config.connect_timeout,
            policy: Arc::clone(&config.policy),
        })?;
        let (recorded, _) = broadcast::channel(1024);
        Ok(Self {
            store,
            sender: Sender::new(
                client,
                Arc::clone(&config.policy),
                config.request_timeout,
                config.signer.clone(),
            ),
            config,
            waker: Waker::default(),
            recorded,
        })
    }

    /// A handle that wakes the scheduler when new deliveries are planned.
    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// Every attempt, once it is durably recorded.
    pub fn subscribe(&self) -> broadcast::Receiver<Attempt> {
        self.recorded.subscribe()
    }

    /// Runs until `shutdown` is cancelled, then lets in-flight attempts finish (bounded by the
    /// request timeout) and records them; unclaimed work stays scheduled in the store.
    pub async fn run(self, shutdown: CancellationToken) {
        let (results, inbox) = mpsc::channel(4096);
        let recorder = tokio::spawn(record_loop(
            Arc::clone(&self.store),
            inbox,
            self.waker.clone(),
            self.recorded.clone(),
        ));
        let slots = Arc::new(Semaphore::new(self.config.max_in_flight));
        let tasks = TaskTracker::new();
        let lanes = Arc::new(Lanes::new(self.config.lanes.clone()));
        let attempt_ctx = Arc::new(AttemptContext {
            sender: self.sender.clone(),
            schedule: self.config.retry_schedule.clone(),
            lanes: Arc::clone(&lanes),
            results,
        });
        let mut sampled: Option<Instant> = None;

        while !shutdown.is_cancelled() {
            let first = tokio::select! {
                slot = Arc::clone(&slots).acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
                () = shutdown.cancelled() => break,
            };
            if sampled.is_none_or(|at| at.elapsed() >= QUEUE_SAMPLE_EVERY) {
                sampled = Some(Instant::now());
                self.sample_queue().await;
            }
            let limit = (slots.available_permits() as u32 + 1).min(self.config.claim_batch);
            let (now, now_ts) = (Instant::now(), Timestamp::now());
            let (exclude, paused) = lanes.blocked(now);
            telemetry::lanes_paused(paused);
            let claim = ClaimRequest {
                now: now_ts,
                limit,
                lease: self.config.lease(),
                exclude,
            };
            let jobs = match self.store.claim_due(claim).await {
                Ok(jobs) => jobs,
                Err(err) => {
                    tracing::warn!(error = %err, "claiming due deliveries failed; retrying");
                    drop(first);
                    self.idle(Some(Duration::from_secs(1)), &shutdown).await;
                    continue;
                }
            };
            let claimed = jobs.len() as u32;
            let mut first = Some(first);
            let mut deferral = Deferral::default();
            let mut held_back: HashMap<EndpointId, u32> = HashMap::new();
            let mut rate_limited: HashSet<EndpointId> = HashSet::new();
            for job in jobs {
                let position = held_back.get(&job.endpoint.id).copied().unwrap_or(0);
                let admission = lanes.admit(&job, Instant::now(), now_ts, position);
                match admission {
                    Admission::Start { probe } => {
                        let slot = match first.take() {
                            Some(slot) => slot,
                            None => match Arc::clone(&slots).acquire_owned().await {
                                Ok(slot) => slot,
                                Err(_) => break,
                            },
                        };
                        let started = Timestamp::now();
                        let ctx = Arc::clone(&attempt_ctx);
                        tasks.spawn(ctx.attempt(job, probe, started, slot));
                    }
                    Admission::Defer(until) | Admission::RateLimited(until) => {
                        if matches!(admission, Admission::RateLimited(_)) {
                            rate_limited.insert(job.endpoint.id.clone());
                        }
                        *held_back.entry(job.endpoint.id.clone()).or_default() += 1;
                        // Strictly after the claim time (timestamps are in milliseconds), so the
                        // idle computation, which looks for work due after it, sees it.
                        let due = wall_time(until, now, now_ts)
                            .max(now_ts.plus(Duration::from_millis(1)));
                        deferral.deliveries.push((job.delivery.id, due));
                    }
                }
            }
            drop(first);
            for endpoint in &rate_limited {
                deferral
                    .health
                    .extend(lanes.rate_limited_report(endpoint, now, now_ts));
            }
            if !deferral.deliveries.is_empty() {
                telemetry::deferred(deferral.deliveries.len());
                if let Err(err) = self.store.defer_deliveries(deferral).await {
                    // The claims stand; the deliveries come back when their lease ends.
                    tracing::warn!(error = %err, "handing back deliveries failed");
                }
            }
            if claimed < limit {
                let wait = self.until_next_due(&lanes, now, now_ts).await;
                self.idle(wait, &shutdown).await;
            }
        }

        tasks.close();
        let drain = self.config.request_timeout + Duration::from_secs(1);
        if tokio::time::timeout(drain, tasks.wait()).await.is_err() {
            tracing::warn!("in-flight deliveries did not finish in time; their leases will expire");
        }
        drop(attempt_ctx);
        let _ = recorder.await;
    }

    async fn sample_queue(&self) {
        match self.store.queue_depth(Timestamp::now()).await {
            Ok(depth) => telemetry::queue(depth),
            Err(err) => tracing::debug!(error = %err, "sampling the queue failed"),
        }
    }

    /// How long until something may start: the next delivery due after the claim made at
    /// `claimed_at` / `claim_instant` (zero if that time has already come, e.g. a delivery handed
    /// back for a few milliseconds), or the next opening of a lane that was blocked at the claim
    /// (zero if it has already opened: its due work was skipped and must be claimed now); capped,
    /// as a safety net. Lanes blocked because they are full wake the scheduler when a slot frees.
    async fn until_next_due(
        &self,
        lanes: &Lanes,
        claim_instant: Instant,
        claimed_at: Timestamp,
    ) -> Option<Duration> {
        const MAX_IDLE: Duration = Duration::from_secs(30);
        let now = claimed_at;
        let lane_wait = lanes
            .next_opening(claim_instant)
            .map(|at| at.saturating_duration_since(Instant::now()))
            .unwrap_or(MAX_IDLE);
        match self.store.next_due_after(now).await {
            Ok(Some(due)) => {
                let millis = (due.as_millis() - Timestamp::now().as_millis()).max(0) as u64;
                Some(Duration::from_millis(millis).min(MAX_IDLE).min(lane_wait))
            }
            Ok(None) => Some(MAX_IDLE.min(lane_wait)),
            Err(err) => {
                tracing::warn!(error = %err, "reading the next due time failed");
                Some(Duration::from_secs(1))
            }
        }
    }

    async fn idle(&self, wait: Option<Duration>, shutdown: &CancellationToken) {
        let wait = wait.unwrap_or(Duration::from_secs(30));
        tokio::select! {
            () = self.waker.0.notified() => {}
            () = tokio::time::sleep(wait) => {}
            () = shutdown.cancelled() => {}
        }
    }
}
