//! Housekeeping: disabling endpoints that keep failing, failing tasks whose node stopped, and
//! retention.
//!
//! [`Maintenance::step`] does one full pass at a given time and reports what it did; the server
//! runs it every [`MaintenanceConfig::interval`], tests call it directly with the time they
//! want, and `hookline prune` calls [`Maintenance::prune`]. Retention works in bounded batches
//! (one short transaction each), so a large backlog never blocks other writes for long.

use std::sync::Arc;
use std::time::Duration;

use hookline_core::{AppId, EndpointId, Timestamp};
use hookline_store::{Store, StoreResult};
use tokio_util::sync::CancellationToken;

use crate::engine::Waker;
use crate::replay::{self, TASK_STALLED_AFTER};

const DAY: Duration = Duration::from_secs(24 * 3600);

/// When housekeeping acts; every field has a documented default.
#[derive(Debug, Clone)]
pub struct MaintenanceConfig {
    /// An endpoint whose deliveries keep exhausting their retries this long, with no success in
    /// between, is disabled (default 5 days).
    pub disable_after: Duration,
    /// Messages, their payloads and attempts are removed after this long (default 90 days);
    /// a message sent with its own `payloadRetentionPeriod` loses its payload at its own time.
    pub retention: Duration,
    /// Background tasks (recover, replay) that ended, finished or failed, are removed this long
    /// after their last update (default 30 days); running tasks are kept.
    pub task_retention: Duration,
    /// Rows per retention transaction (default 1000).
    pub batch: u32,
    /// Time between passes (default 60 s).
    pub interval: Duration,
}

impl Default for MaintenanceConfig {
    fn default() -> Self {
        Self {
            disable_after: 5 * DAY,
            retention: 90 * DAY,
            task_retention: 30 * DAY,
            batch: 1000,
            interval: Duration::from_secs(60),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaintenanceReport {
    /// Endpoints disabled because they kept failing.
    pub disabled: Vec<(AppId, EndpointId)>,
    /// Running background tasks marked failed because their node stopped (no progress recorded
    /// for [`TASK_STALLED_AFTER`]).
    pub stalled_tasks_failed: usize,
    /// Retention's work.
    pub pruned: PruneReport,
}

/// What retention removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Message payloads removed.
    pub payloads_expired: u64,
    /// Attempts deleted.
    pub attempts_deleted: u64,
    /// Messages deleted (with their deliveries).
    pub messages_deleted: u64,
    /// Ended (finished or failed) background tasks deleted.
    pub tasks_deleted: u64,
}

/// Runs housekeeping over a store; cheap to clone.
#[derive(Debug, Clone)]
pub struct Maintenance {
    store: Arc<dyn Store>,
    config: MaintenanceConfig,
    /// Wakes the engine when a pass planned operational webhooks (`endpoint.disabled`).
    waker: Option<Waker>,
}

impl Maintenance {
    /// Housekeeping of `store` with `config`.
    pub fn new(store: Arc<dyn Store>, config: MaintenanceConfig) -> Self {
        Self {
            store,
            config,
            waker: None,
        }
    }

    /// Wakes `waker` after a pass that disabled endpoints, so the `endpoint.disabled`
    /// operational webhooks it planned (in the same transaction) go out at once.
    pub fn with_waker(mut self, waker: Waker) -> Self {
        self.waker = Some(waker);
        self
    }

    /// One full pass as of `now`: auto-disable, failing stalled tasks, then retention until
    /// nothing is left.
    pub async fn step(&self, now: Timestamp) -> StoreResult<MaintenanceReport> {
        let disabled = self
            .store
            .disable_failing_endpoints(now.minus(self.config.disable_after), now)
            .await?;
        for (app, endpoint) in &disabled {
            tracing::warn!(%app, %endpoint, "disabled an endpoint whose deliveries kept failing");
        }
        metrics::counter!("hookline_endpoints_auto_disabled_total")
            .increment(disabled.len() as u64);
        let stalled_tasks_failed =
            replay::fail_stalled(self.store.as_ref(), now.minus(TASK_STALLED_AFTER), now).await?;
        if stalled_tasks_failed > 0 {
            tracing::warn!(
                tasks = stalled_tasks_failed,
                "marked background tasks failed whose node stopped before they finished"
            );
        }
        if (!disabled.is_empty() || stalled_tasks_failed > 0)
            && let Some(waker) = &self.waker
        {
            // The pass planned operational webhooks (`endpoint.disabled`,
            // `background_task.finished`) in the same transactions.
            waker.wake();
        }
        let pruned = self.prune(now).await?;
        Ok(MaintenanceReport {
            disabled,
            stalled_tasks_failed,
            pruned,
        })
    }

    /// Retention as of `now`: expires payloads (each at its own expiry, or after the retention
    /// period), then deletes attempts and messages older than the retention period and ended
    /// background tasks older than theirs, batch by batch until none is left.
    pub async fn prune(&self, now: Timestamp) -> StoreResult<PruneReport> {
        let before = now.minus(self.config.retention);
        let tasks_before = now.minus(self.config.task_retention);
        let batch = self.config.batch.max(1);
        let store = self.store.as_ref();
        let report = PruneReport {
            payloads_expired: drain(|| store.expire_payloads(now, before, batch), batch).await?,
            attempts_deleted: drain(|| store.prune_attempts(before, batch), batch).await?,
            messages_deleted: drain(|| store.prune_messages(before, batch), batch).await?,
            tasks_deleted: drain(|| store.prune_tasks(tasks_before, batch), batch).await?,
        };
        for (kind, count) in [
            ("payload", report.payloads_expired),
            ("attempt", report.attempts_deleted),
            ("message", report.messages_deleted),
            ("task", report.tasks_deleted),
        ] {
            metrics::counter!("hookline_retention_pruned_total", "kind" => kind).increment(count);
        }
        Ok(report)
    }

    /// Runs a pass every interval until `shutdown` is cancelled; a failed pass is logged and
    /// tried again at the next interval.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(self.config.interval) => {}
            }
            if let Err(err) = self.step(Timestamp::now()).await {
                tracing::warn!(error = %err, "housekeeping pass failed; trying again later");
            }
        }
    }
}

/// Repeats a bounded operation until it does less than a full batch; returns the total.
async fn drain<F, Fut>(mut op: F, batch: u32) -> StoreResult<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = StoreResult<u64>>,
{
    let mut total = 0;
    loop {
        let done = op().await?;
        total += done;
        if done < u64::from(batch) {
            return Ok(total);
        }
        // Let other writers in between batches.
        tokio::task::yield_now().await;
    }
}
