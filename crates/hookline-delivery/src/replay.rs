//! Running replays (recover, replay missing, bulk replay) as background tasks.
//!
//! A replay walks the endpoint's messages in bounded batches, each one short transaction, so a
//! replay of a million messages never holds the writer for long; progress (`messagesSent`) is
//! recorded after every batch and the engine is woken as soon as work is queued, and again when
//! the task ends (the store plans the `background_task.finished` operational webhook with the
//! task's final update).

use std::sync::Arc;
use std::time::Duration;

use hookline_core::Timestamp;
use hookline_store::Store;
use hookline_store::replay::{ReplayMode, ReplaySpec};
use hookline_store::tasks::{BackgroundTask, TaskFilter, TaskStatus, new_task_id};
use hookline_store::{Order, PageRequest, StoreError, StoreResult};
use serde_json::json;

use crate::engine::Waker;

/// Candidates looked at per batch (and per transaction).
pub const REPLAY_BATCH: u32 = 500;

/// The contract's task type of a replay.
pub fn task_kind(mode: &ReplayMode) -> &'static str {
    match mode {
        ReplayMode::Recover => "endpoint.recover",
        ReplayMode::Missing => "endpoint.replay",
        ReplayMode::Bulk { .. } => "endpoint.bulk-replay",
    }
}

/// Records a replay task as running and starts it in the background; returns the task.
pub async fn start_replay(
    store: Arc<dyn Store>,
    waker: Waker,
    spec: ReplaySpec,
) -> StoreResult<BackgroundTask> {
    let now = Timestamp::now();
    let task = store
        .create_task(BackgroundTask {
            id: new_task_id(),
            kind: task_kind(&spec.mode).to_owned(),
            status: TaskStatus::Running,
            params: serde_json::to_value(&spec).unwrap_or_default(),
            data: json!({ "messagesSent": 0 }),
            created_at: now,
            updated_at: now,
        })
        .await?;
    let id = task.id.clone();
    tokio::spawn(async move { run_replay(store.as_ref(), &waker, &id, &spec).await });
    Ok(task)
}

/// Runs a replay to the end, recording progress after each batch and the outcome at the end.
pub async fn run_replay(store: &dyn Store, waker: &Waker, task_id: &str, spec: &ReplaySpec) {
    let mut sent: u64 = 0;
    let mut cursor = None;
    loop {
        let batch = match store
            .replay_batch(spec, cursor, REPLAY_BATCH, Timestamp::now())
            .await
        {
            Ok(batch) => batch,
            Err(err) => {
                tracing::warn!(task = task_id, error = %err, "replay failed");
                let data = json!({ "messagesSent": sent, "error": err.to_string() });
                let _ = store
                    .update_task(task_id, TaskStatus::Failed, data, Timestamp::now())
                    .await;
                // Ending the task may have planned `background_task.finished`.
                waker.wake();
                return;
            }
        };
        sent += batch.queued;
        if batch.queued > 0 {
            metrics::counter!("hookline_replayed_messages_total", "task" => task_kind(&spec.mode))
                .increment(batch.queued);
            waker.wake();
        }
        let status = if batch.next.is_some() {
            TaskStatus::Running
        } else {
            TaskStatus::Finished
        };
        let data = json!({ "messagesSent": sent });
        match store
            .update_task(task_id, status, data, Timestamp::now())
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                // Ended elsewhere: failed as stalled (this node was too slow to be believed
                // alive) or by a restart's sweep. The task's outcome stands; stop here.
                tracing::warn!(
                    task = task_id,
                    "the replay's task was ended elsewhere; stopping"
                );
                return;
            }
            Err(err) => {
                tracing::warn!(task = task_id, error = %err, "recording replay progress failed")
            }
        }
        cursor = batch.next;
        if cursor.is_none() {
            // Ending the task may have planned `background_task.finished`.
            waker.wake();
            return;
        }
    }
}

/// A running task whose record was not updated for this long is taken for dead: the node running
/// it stopped (a runner records progress after every batch, each a short transaction).
pub const TASK_STALLED_AFTER: Duration = Duration::from_secs(10 * 60);

/// Marks tasks left running by a previous process as failed, so nobody waits on them forever.
/// Replays are idempotent: starting one again never queues a waiting message twice.
pub async fn fail_interrupted(store: &dyn Store) -> StoreResult<usize> {
    fail_running(
        store,
        None,
        "interrupted by a restart; start the replay again",
        Timestamp::now(),
    )
    .await
}

/// Marks running tasks not updated since `stalled_before` as failed: their node stopped
/// (crashed, or was killed, while another node lives on). Each housekeeping pass runs it, so with
/// many nodes a dead node's tasks end within [`TASK_STALLED_AFTER`] and a pass, announced with
/// `background_task.finished` like any other.
pub async fn fail_stalled(
    store: &dyn Store,
    stalled_before: Timestamp,
    now: Timestamp,
) -> StoreResult<usize> {
    fail_running(
        store,
        Some(stalled_before),
        "the node running it stopped before it finished; start the replay again",
        now,
    )
    .await
}

/// Fails the running tasks last updated before `before` (all of them with `None`), page by page.
/// A task another node ended meanwhile is left as it ended.
async fn fail_running(
    store: &dyn Store,
    before: Option<Timestamp>,
    reason: &str,
    now: Timestamp,
) -> StoreResult<usize> {
    let filter = TaskFilter {
        status: Some(TaskStatus::Running),
        kind: None,
    };
    let mut page_request = PageRequest::first(PageRequest::MAX_LIMIT, Order::Ascending);
    let mut failed = 0;
    loop {
        let page = store.list_tasks(&filter, &page_request).await?;
        for task in page.items {
            if before.is_some_and(|before| task.updated_at >= before) {
                continue;
            }
            let mut data = task.data;
            data["error"] = json!(reason);
            match store
                .update_task(&task.id, TaskStatus::Failed, data, now)
                .await
            {
                Ok(()) => failed += 1,
                Err(StoreError::Conflict(_)) => {}
                Err(err) => return Err(err),
            }
        }
        match page.iterator {
            Some(next) if !page.done => page_request.iterator = Some(next),
            _ => return Ok(failed),
        }
    }
}
