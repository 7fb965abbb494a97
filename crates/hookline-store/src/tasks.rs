//! Background tasks: long jobs (recover, replay) whose progress callers can follow.

use async_trait::async_trait;
use hookline_core::operational::{FinishedTask, OperationalEvent};
use hookline_core::{DeliveryId, Timestamp};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

/// The `background_task.finished` event of a task that just ended.
pub(crate) fn finished_event(
    id: &str,
    kind: String,
    status: TaskStatus,
    data: &serde_json::Value,
) -> OperationalEvent {
    OperationalEvent::BackgroundTaskFinished(FinishedTask {
        task_id: id.to_owned(),
        task: kind,
        status: status.as_str().to_owned(),
        data: data.clone(),
    })
}

/// Where a task stands; named as in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    /// Still working (or waiting to resume after a restart).
    Running,
    /// Done.
    Finished,
    /// Stopped on an error; `data.error` says why.
    Failed,
}

impl TaskStatus {
    /// The contract's text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Finished => "finished",
            Self::Failed => "failed",
        }
    }

    /// Parses the contract's text.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "running" => Self::Running,
            "finished" => Self::Finished,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// The refusal to change a task that already ended.
pub(crate) fn ended(id: &str, status: &str) -> StoreError {
    StoreError::Conflict(format!("task {id} already ended ({status})"))
}

/// A new task id: `qtask_` and 27 characters that sort by creation time.
pub fn new_task_id() -> String {
    let time_sorted = DeliveryId::generate();
    let body = &time_sorted.as_str()[DeliveryId::PREFIX.len()..];
    let tail: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(5)
        .map(char::from)
        .collect();
    format!("qtask_{body}{tail}")
}

/// One background task.
#[derive(Debug, Clone, PartialEq)]
pub struct BackgroundTask {
    /// `qtask_...`.
    pub id: String,
    /// The contract's task type (`endpoint.recover`, `endpoint.replay`, ...).
    pub kind: String,
    /// Where it stands.
    pub status: TaskStatus,
    /// What it was asked to do (enough to resume it).
    pub params: serde_json::Value,
    /// Its progress or result (`{"messagesSent": n}`).
    pub data: serde_json::Value,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// Narrows a listing of tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFilter {
    /// Only tasks in this state.
    pub status: Option<TaskStatus>,
    /// Only tasks of this type.
    pub kind: Option<String>,
}

/// Background tasks, as storage operations. Part of [`crate::Store`].
#[async_trait]
pub trait TaskStore {
    /// Stores a new task.
    async fn create_task(&self, task: BackgroundTask) -> StoreResult<BackgroundTask>;
    /// Records a running task's progress or outcome. The update that ends it (to finished or
    /// failed) also emits the `background_task.finished` operational webhook, in the same
    /// transaction, so it is sent exactly once per task, whichever node ran it.
    ///
    /// An ended task is never changed again: [`StoreError::Conflict`] (a runner that finds its
    /// task ended elsewhere, e.g. failed as stalled by another node, stops).
    async fn update_task(
        &self,
        id: &str,
        status: TaskStatus,
        data: serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Finds a task.
    async fn get_task(&self, id: &str) -> StoreResult<Option<BackgroundTask>>;
    /// Lists tasks by id (creation order).
    async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<BackgroundTask>>;
}
