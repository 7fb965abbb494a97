//! One attempt's life after the scheduler starts it, and the recorder that persists results.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hookline_core::model::{Attempt, DeliveryStatus, TriggerType};
use hookline_core::retry::RetrySchedule;
use hookline_core::{AttemptId, EndpointId, Timestamp};
use hookline_store::Store;
use hookline_store::query::{AttemptRecord, DeliveryJob};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::engine::Signal;
use crate::etiquette::judge;
use crate::lanes::Lanes;
use crate::outcome::next_state;
use crate::sender::Sender;
use crate::telemetry;

/// What every attempt task needs.
#[derive(Debug)]
pub(crate) struct AttemptContext {
    pub(crate) sender: Sender,
    pub(crate) schedule: RetrySchedule,
    pub(crate) lanes: Arc<Lanes>,
    pub(crate) results: mpsc::Sender<AttemptRecord>,
    /// Global in-flight slots.
    pub(crate) slots: Arc<Semaphore>,
    /// Every running attempt, so shutdown can wait for them.
    pub(crate) tasks: TaskTracker,
    /// Wakes the scheduler.
    pub(crate) signal: Arc<Signal>,
    /// Once cancelled, no waiting delivery is started any more.
    pub(crate) shutdown: CancellationToken,
}

impl AttemptContext {
    /// Starts `job` (admitted by its lane) as a task holding the global `slot`.
    pub(crate) fn start(
        self: &Arc<Self>,
        job: DeliveryJob,
        probe: bool,
        slot: OwnedSemaphorePermit,
    ) {
        let started = Timestamp::now();
        self.tasks
            .spawn(Arc::clone(self).attempt(job, probe, started, slot));
    }

    /// A global slot, if one is free now.
    pub(crate) fn try_slot(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.slots).try_acquire_owned().ok()
    }

    /// After an attempt to `endpoint` ended: starts the next delivery waiting in its lane, or
    /// tells the scheduler what the lane needs (a claim, a slot, a hand-back).
    fn next_for(self: &Arc<Self>, endpoint: &EndpointId) {
        if self.shutdown.is_cancelled() {
            return;
        }
        let now = Instant::now();
        let next = self.lanes.take_next(endpoint, now, || self.try_slot());
        for (job, probe, slot) in next.started {
            self.start(job, probe, slot);
        }
        if next.reopened {
            self.signal.claim();
        } else if next.starved || next.deadline.is_some_and(|at| at <= now) {
            self.signal.nudge();
        }
    }

    /// Sends `job` (admitted by its lane at `started`), frees its slots, starts what waited for
    /// them, and queues the record.
    async fn attempt(
        self: Arc<Self>,
        job: DeliveryJob,
        probe: bool,
        started: Timestamp,
        slot: OwnedSemaphorePermit,
    ) {
        let result = self.sender.send(&job, started).await;
        drop(slot);
        let verdict = judge(&result);
        let finished = Timestamp::now();
        let effects = self
            .lanes
            .finish(&job, verdict, probe, Instant::now(), finished);
        self.next_for(&job.endpoint.id);
        let attempt_number = job.delivery.attempt_count + 1;
        let next = next_state(
            verdict,
            attempt_number,
            job.retry_schedule(&self.schedule),
            finished,
            rand::random(),
            effects.hold_for,
        );
        let first_after_ingest = (attempt_number == 1).then(|| {
            let waited = started.as_millis() - job.message.created_at.as_millis();
            Duration::from_millis(waited.max(0) as u64)
        });
        telemetry::attempt(verdict, result.duration, first_after_ingest);
        let attempt = Attempt {
            id: AttemptId::generate(),
            delivery_id: job.delivery.id.clone(),
            msg_id: job.message.id.clone(),
            endpoint_id: job.endpoint.id.clone(),
            app_id: job.endpoint.app_id.clone(),
            url: job.endpoint.url.to_string(),
            status: if verdict.is_success() {
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
            disable_endpoint: result.status_code == Some(410),
            ordered: job.settings.ordered,
            health: effects.health,
            headers: result.headers,
        };
        // If the recorder is gone we are shutting down; the lease brings the delivery back.
        let _ = self.results.send(record).await;
    }
}

/// Whether committing `record` can make other work due now or sooner than planned (the next
/// delivery of an ordered endpoint, a retry, an operational event), so the scheduler must look
/// again. A first-attempt success of an unordered endpoint changes nothing for the others.
fn may_make_work(record: &AttemptRecord) -> bool {
    record.ordered
        || record.delivery_status != DeliveryStatus::Success
        || record.attempt.attempt_number > 1
        || record.disable_endpoint
        || record.health.is_some()
}

/// Writes attempt results in batches; each batch is one group commit.
pub(crate) async fn record_loop(
    store: Arc<dyn Store>,
    mut inbox: mpsc::Receiver<AttemptRecord>,
    signal: Arc<Signal>,
    recorded: broadcast::Sender<Attempt>,
) {
    const BATCH: usize = 512;
    const TRIES: u32 = 5;
    let mut batch = Vec::with_capacity(BATCH);
    while inbox.recv_many(&mut batch, BATCH).await > 0 {
        let records = std::mem::take(&mut batch);
        let wake = records.iter().any(may_make_work);
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
        if wake {
            signal.reschedule();
        }
    }
}
