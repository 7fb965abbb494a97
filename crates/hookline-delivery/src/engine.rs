//! The delivery engine: its configuration, its wake-up handle, and its life from start to
//! shutdown. The scheduler loop itself is in the private `scheduler` module.
//!
//! The scheduler claims due deliveries in batches and offers each to its endpoint's lane: it
//! starts at once (a task holding a global slot and a lane slot), waits in the lane's small room
//! for a slot (started by the attempt that frees one, without a store round trip), or goes back
//! to the store due at the time its lane expects to take it (pause, rate-limit turn). Memory and
//! sockets stay bounded however many deliveries wait: in flight at most `max_in_flight`, waiting
//! at most one claim batch. Results flow to one recorder task that writes them in batches (one
//! group commit per batch, not per attempt).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hookline_core::Timestamp;
use hookline_core::model::Attempt;
use hookline_core::retry::RetrySchedule;
use hookline_store::Store;
use hookline_store::query::Deferral;
use tokio::sync::{Notify, Semaphore, broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::attempt::{AttemptContext, record_loop};
use crate::client::{ClientConfig, build_client};
use crate::lanes::{LaneConfig, Lanes, WaitLimits};
use crate::scheduler::Scheduler;
use crate::sender::Sender;
use crate::signing::Signer;
use crate::ssrf::TargetPolicy;

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
    /// Deliveries claimed per store round trip at most (default 256); also how many claimed
    /// deliveries may wait in the lanes for a slot, all lanes together.
    pub claim_batch: u32,
    /// Which addresses deliveries may reach.
    pub policy: Arc<TargetPolicy>,
    /// Opens endpoint keyrings and signs attempts.
    pub signer: Signer,
    /// The environment this engine delivers for: the `environment` label of its queue and lane
    /// gauges, so that the engines of one process do not overwrite each other's samples
    /// (default `default`).
    pub environment: Arc<str>,
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
            environment: Arc::from("default"),
        }
    }
}

impl DeliveryConfig {
    /// A claim lasts this long: longer than any request (endpoint timeouts can only be shorter
    /// than the request timeout), so a live engine never loses its work, and short enough that a
    /// crashed one's work resumes soon after restart.
    pub fn lease(&self) -> Duration {
        self.request_timeout + self.lease_margin()
    }

    fn lease_margin(&self) -> Duration {
        self.lease_margin.max(Duration::from_secs(1))
    }

    /// How long a claimed delivery may wait in its lane: half the lease margin, so a request
    /// started from the waiting room still ends well within the lease.
    pub fn max_wait(&self) -> Duration {
        self.lease_margin() / 2
    }
}

/// What wakes the scheduler: a reason to claim (new work may be due), or only a reason to look
/// at the lanes' waiting rooms (a slot freed, a waiting delivery must leave).
#[derive(Debug, Default)]
pub(crate) struct Signal {
    notify: Notify,
    claim: AtomicBool,
    reschedule: AtomicBool,
}

impl Signal {
    /// New work may be due: claim (a wake-up while the scheduler is busy is kept for later).
    pub(crate) fn claim(&self) {
        self.claim.store(true, Ordering::Release);
        self.notify.notify_one();
    }

    /// Work may be due now, and the next due time may have moved (a retry was scheduled, an
    /// endpoint paused): claim, and read the next due time again.
    pub(crate) fn reschedule(&self) {
        self.reschedule.store(true, Ordering::Release);
        self.claim();
    }

    /// Whether a new reading of the next due time was asked for since the last call.
    pub(crate) fn take_reschedule(&self) -> bool {
        self.reschedule.swap(false, Ordering::AcqRel)
    }

    /// Look at the waiting rooms; no claim needed.
    pub(crate) fn nudge(&self) {
        self.notify.notify_one();
    }

    /// Whether a claim was asked for since the last call.
    pub(crate) fn take_claim(&self) -> bool {
        self.claim.swap(false, Ordering::AcqRel)
    }

    /// Resolves at the next wake-up (or at once if one came since the last).
    pub(crate) async fn notified(&self) {
        self.notify.notified().await;
    }
}

/// Signals the engine that new work may be due; cheap to clone and call often.
#[derive(Debug, Clone, Default)]
pub struct Waker(Arc<Signal>);

impl Waker {
    /// Wakes the scheduler to claim (a wake-up while it is busy is kept for later).
    pub fn wake(&self) {
        self.0.claim();
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
            max_idle_per_host: config.max_in_flight,
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
    /// request timeout) and records them; unclaimed work stays scheduled in the store, and
    /// deliveries still waiting in the lanes are handed back due at once.
    pub async fn run(self, shutdown: CancellationToken) {
        let (results, inbox) = mpsc::channel(4096);
        let signal = Arc::clone(&self.waker.0);
        let recorder = tokio::spawn(record_loop(
            Arc::clone(&self.store),
            inbox,
            Arc::clone(&signal),
            self.recorded.clone(),
        ));
        let limits = WaitLimits {
            total: self.config.claim_batch.max(1) as usize,
            max_wait: self.config.max_wait(),
        };
        let lanes = Arc::new(Lanes::with_limits(self.config.lanes.clone(), limits));
        let ctx = Arc::new(AttemptContext {
            sender: self.sender.clone(),
            schedule: self.config.retry_schedule.clone(),
            lanes: Arc::clone(&lanes),
            results,
            slots: Arc::new(Semaphore::new(self.config.max_in_flight)),
            tasks: TaskTracker::new(),
            signal,
            shutdown: shutdown.clone(),
        });
        Scheduler::new(Arc::clone(&self.store), &self.config, Arc::clone(&ctx))
            .run(&shutdown)
            .await;

        // Claimed but never started: due again at once, for this process after a restart or
        // for another node.
        let waiting = lanes.drain_all();
        if !waiting.is_empty() {
            let now = Timestamp::now();
            let deferral = Deferral {
                deliveries: waiting.into_iter().map(|j| (j.delivery.id, now)).collect(),
                health: Vec::new(),
            };
            if let Err(err) = self.store.defer_deliveries(deferral).await {
                tracing::warn!(error = %err, "handing back waiting deliveries failed; their leases will expire");
            }
        }
        ctx.tasks.close();
        let drain = self.config.request_timeout + Duration::from_secs(1);
        if tokio::time::timeout(drain, ctx.tasks.wait()).await.is_err() {
            tracing::warn!("in-flight deliveries did not finish in time; their leases will expire");
        }
        drop(ctx);
        let _ = recorder.await;
    }
}
