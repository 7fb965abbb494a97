//! One attempt's life after the scheduler starts it, and the recorder that persists results.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hookline_core::model::{Attempt, DeliveryStatus, TriggerType};
use hookline_core::retry::RetrySchedule;
use hookline_core::{AttemptId, Timestamp};
use hookline_store::Store;
use hookline_store::query::{AttemptRecord, DeliveryJob};
use tokio::sync::{OwnedSemaphorePermit, broadcast, mpsc};

use crate::engine::Waker;
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
}

impl AttemptContext {
    /// Sends `job` (admitted by its lane at `started`), frees its slots, and queues the record.
    pub(crate) async fn attempt(
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

/// Writes attempt results in batches; each batch is one group commit.
pub(crate) async fn record_loop(
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
