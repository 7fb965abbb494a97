//! The scheduler loop and the attempt recorder.
//!
//! The scheduler claims due deliveries in batches, as many as there are free in-flight slots, and
//! runs each as a task holding a slot. When nothing is due it sleeps until the earliest scheduled
//! delivery or until woken (a new message, a recorded retry). Results flow to one recorder task
//! that writes them in batches, so a busy engine costs one group commit per batch, not per attempt.

use std::sync::Arc;
use std::time::Duration;

use hookline_core::model::{Attempt, DeliveryStatus, TriggerType};
use hookline_core::retry::RetrySchedule;
use hookline_core::{AttemptId, Timestamp};
use hookline_store::Store;
use hookline_store::query::{AttemptRecord, ClaimRequest, DeliveryJob};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::client::{ClientConfig, build_client};
use crate::outcome::next_state;
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
            claim_batch: 256,
            policy: Arc::new(TargetPolicy::default()),
            signer: Signer::default(),
        }
    }
}

impl DeliveryConfig {
    /// A claim lasts this long: longer than any request, so a live engine never loses its work,
    /// and short enough that a crashed one's work resumes soon after restart.
    pub fn lease(&self) -> Duration {
        self.request_timeout * 2 + Duration::from_secs(15)
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
            sender: Sender::new(client, Arc::clone(&config.policy), config.signer.clone()),
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
        let attempt_ctx = Arc::new(AttemptContext {
            sender: self.sender.clone(),
            schedule: self.config.retry_schedule.clone(),
            results,
        });

        while !shutdown.is_cancelled() {
            let first = tokio::select! {
                slot = Arc::clone(&slots).acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
                () = shutdown.cancelled() => break,
            };
            let limit = (slots.available_permits() as u32 + 1).min(self.config.claim_batch);
            let claim = ClaimRequest {
                now: Timestamp::now(),
                limit,
                lease: self.config.lease(),
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
            for job in jobs {
                let slot = match first.take() {
                    Some(slot) => slot,
                    None => match Arc::clone(&slots).acquire_owned().await {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                };
                tasks.spawn(Arc::clone(&attempt_ctx).attempt(job, slot));
            }
            drop(first);
            if claimed < limit {
                let wait = self.until_next_due().await;
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

    /// How long until the earliest scheduled delivery is due (capped, as a safety net).
    async fn until_next_due(&self) -> Option<Duration> {
        const MAX_IDLE: Duration = Duration::from_secs(30);
        match self.store.next_due_at().await {
            Ok(Some(due)) => {
                let millis = (due.as_millis() - Timestamp::now().as_millis()).max(0) as u64;
                Some(Duration::from_millis(millis).min(MAX_IDLE))
            }
            Ok(None) => Some(MAX_IDLE),
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

/// What every attempt task needs.
#[derive(Debug)]
struct AttemptContext {
    sender: Sender,
    schedule: RetrySchedule,
    results: mpsc::Sender<AttemptRecord>,
}

impl AttemptContext {
    async fn attempt(self: Arc<Self>, job: DeliveryJob, slot: OwnedSemaphorePermit) {
        let started = Timestamp::now();
        let result = self.sender.send(&job, started).await;
        drop(slot);
        let finished = Timestamp::now();
        let attempt_number = job.delivery.attempt_count + 1;
        let next = next_state(
            &result,
            attempt_number,
            &self.schedule,
            finished,
            rand::random(),
        );
        let attempt = Attempt {
            id: AttemptId::generate(),
            delivery_id: job.delivery.id.clone(),
            msg_id: job.message.id.clone(),
            endpoint_id: job.endpoint.id.clone(),
            app_id: job.endpoint.app_id.clone(),
            url: job.endpoint.url.to_string(),
            status: if result.is_success() {
                DeliveryStatus::Success
            } else {
                DeliveryStatus::Fail
            },
            response_status_code: result.status_code.unwrap_or(0),
            response: result.body,
            response_duration_ms: result.duration.as_millis() as i64,
            trigger_type: TriggerType::Scheduled,
            attempt_number,
            next_attempt_at: next.next_attempt_at,
            error_code: result.failure.map(|f| f.code().to_owned()),
            created_at: started,
        };
        let record = AttemptRecord {
            attempt,
            delivery_status: next.status,
            next_attempt_at: next.next_attempt_at,
        };
        // If the recorder is gone we are shutting down; the lease brings the delivery back.
        let _ = self.results.send(record).await;
    }
}

/// Writes attempt results in batches; each batch is one group commit.
async fn record_loop(
    store: Arc<dyn Store>,
    mut inbox: mpsc::Receiver<AttemptRecord>,
    waker: Waker,
    recorded: broadcast::Sender<Attempt>,
) {
    const BATCH: usize = 512;
    const TRIES: u32 = 5;
    let mut batch = Vec::with_capacity(BATCH);
    while inbox.recv_many(&mut batch, BATCH).await > 0 {
        let records = std::mem::take(&mut batch);
        let mut tries = 0;
        loop {
            tries += 1;
            match store.record_attempts(records.clone()).await {
                Ok(()) => {
                    for record in records {
                        let _ = recorded.send(record.attempt);
                    }
                    break;
                }
                Err(err) if tries < TRIES => {
                    tracing::warn!(error = %err, "recording attempts failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(tries))).await;
                }
                Err(err) => {
                    // The deliveries stay leased; they are attempted again when the lease ends.
                    tracing::error!(error = %err, count = records.len(), "dropping attempt results");
                    break;
                }
            }
        }
        waker.wake();
    }
}
