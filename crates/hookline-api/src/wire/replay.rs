//! Replays and background tasks on the wire (`RecoverIn`, `ReplayIn`, `BulkReplayIn`,
//! `RecoverOut`/`ReplayOut`, `BackgroundTaskOut`).

use hookline_core::model::Application;
use hookline_core::model::Endpoint;
use hookline_core::{Channel, EventTypeName, Tag, Timestamp};
use hookline_store::query::StatusCodeClass;
use hookline_store::replay::{ReplayMode, ReplaySpec};
use hookline_store::tasks::BackgroundTask;
use serde::{Deserialize, Serialize};
#[allow(unused_imports)]
use serde_json::json;

use super::{Checks, parse_list};
use crate::error::ApiError;

/// `RecoverIn` and `ReplayIn`: a time range of messages.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"since": "2026-01-01T00:00:00Z", "until": "2026-01-02T00:00:00Z"}))]
pub struct ReplayIn {
    /// Messages created at or after this time.
    #[schema(value_type = String, format = DateTime)]
    pub since: Timestamp,
    /// Messages created before this time, when given.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub until: Option<Timestamp>,
}

/// `BulkReplayIn`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"since": "2026-01-01T00:00:00Z", "status": 2,
    "eventTypes": ["invoice.paid"], "channel": "project_1337", "statusCodeClass": 500}))]
pub struct BulkReplayIn {
    /// Messages created at or after this time.
    #[schema(value_type = String, format = DateTime)]
    pub since: Timestamp,
    /// Messages created before this time, when given.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub until: Option<Timestamp>,
    /// Only deliveries in this state: 0 success, 1 pending, 2 failed, 3 sending.
    #[schema(minimum = 0, maximum = 3)]
    pub status: Option<i64>,
    /// Only messages of these event types.
    #[schema(value_type = Option<Vec<crate::openapi::params::EventTypeNameSchema>>)]
    pub event_types: Option<Vec<String>>,
    /// Only messages tagged with this channel.
    #[schema(value_type = Option<crate::openapi::params::ChannelSchema>)]
    pub channel: Option<String>,
    /// Only messages labelled with this tag.
    #[schema(value_type = Option<crate::openapi::params::TagSchema>)]
    pub tag: Option<String>,
    /// Only deliveries whose last attempt's response is in this class: 0 (no response), 100,
    /// 200, 300, 400 or 500 (a delivery never attempted is in no class).
    #[schema(value_type = Option<crate::openapi::params::StatusCodeClassSchema>)]
    pub status_code_class: Option<i64>,
}

fn check_range(checks: &mut Checks, since: Timestamp, until: Option<Timestamp>) {
    if until.is_some_and(|until| until <= since) {
        checks.fail(&["body", "until"], "must be later than since");
    }
}

impl ReplayIn {
    /// The replay of `endpoint` this asks for.
    pub fn into_spec(
        self,
        app: &Application,
        endpoint: &Endpoint,
        mode: ReplayMode,
    ) -> Result<ReplaySpec, ApiError> {
        let mut checks = Checks::default();
        check_range(&mut checks, self.since, self.until);
        checks.done()?;
        Ok(ReplaySpec {
            app_id: app.id.clone(),
            endpoint_id: endpoint.id.clone(),
            since: self.since,
            until: self.until,
            mode,
        })
    }
}

impl BulkReplayIn {
    /// The bulk replay of `endpoint` this asks for, every filter checked.
    pub fn into_spec(self, app: &Application, endpoint: &Endpoint) -> Result<ReplaySpec, ApiError> {
        let mut checks = Checks::default();
        check_range(&mut checks, self.since, self.until);
        if self.status.is_some_and(|s| !(0..=3).contains(&s)) {
            checks.fail(&["body", "status"], "must be 0, 1, 2 or 3");
        }
        let event_types = parse_list(
            &mut checks,
            "eventTypes",
            self.event_types,
            EventTypeName::parse,
        );
        if let Some(channel) = &self.channel {
            checks.check(&["body", "channel"], Channel::parse(channel.clone()));
        }
        if let Some(tag) = &self.tag {
            checks.check(&["body", "tag"], Tag::parse(tag.clone()));
        }
        if self
            .status_code_class
            .is_some_and(|code| StatusCodeClass::from_code(code).is_none())
        {
            checks.fail(
                &["body", "statusCodeClass"],
                "must be 0, 100, 200, 300, 400 or 500",
            );
        }
        checks.done()?;
        Ok(ReplaySpec {
            app_id: app.id.clone(),
            endpoint_id: endpoint.id.clone(),
            since: self.since,
            until: self.until,
            mode: ReplayMode::Bulk {
                status: self.status,
                event_types: event_types.map(|v| v.iter().map(ToString::to_string).collect()),
                channel: self.channel,
                tag: self.tag,
                status_code_class: self.status_code_class,
            },
        })
    }
}

/// `RecoverOut` / `ReplayOut`: the task that was started.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ReplayOut, example = json!({"id": "qtask_2yZwUhtgs5Ai8T9yRQJXAbcdefg", "status": "running",
    "task": "endpoint.recover", "updatedAt": "2026-01-01T12:00:00Z"}))]
pub struct TaskStartedOut {
    /// `qtask_...`: follow it at `/api/v1/background-task/{task_id}`.
    pub id: String,
    /// `running`.
    #[schema(value_type = TaskStatusSchema)]
    pub status: &'static str,
    /// The task type (`endpoint.recover`, `endpoint.replay`, `endpoint.bulk-replay`).
    #[schema(example = "endpoint.recover")]
    pub task: String,
    /// When it last changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<BackgroundTask> for TaskStartedOut {
    fn from(task: BackgroundTask) -> Self {
        Self {
            id: task.id,
            status: task.status.as_str(),
            task: task.kind,
            updated_at: task.updated_at,
        }
    }
}

/// The state of a background task, for the document (`BackgroundTaskStatus`).
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = BackgroundTaskStatus)]
#[allow(dead_code)]
pub enum TaskStatusSchema {
    /// Still working.
    #[schema(rename = "running")]
    Running,
    /// Done; `data` holds the result.
    #[schema(rename = "finished")]
    Finished,
    /// Stopped by an error.
    #[schema(rename = "failed")]
    Failed,
}

/// `BackgroundTaskOut`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"data": {"messagesSent": 3}, "id": "qtask_2yZwUhtgs5Ai8T9yRQJXAbcdefg",
    "status": "finished", "task": "endpoint.recover", "updatedAt": "2026-01-01T12:00:00Z"}))]
pub struct BackgroundTaskOut {
    /// Progress or result (`{"messagesSent": n}`).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// `qtask_...`.
    pub id: String,
    /// `running`, `finished` or `failed`.
    #[schema(value_type = TaskStatusSchema)]
    pub status: &'static str,
    /// The task type (`endpoint.recover`, `endpoint.replay`, `endpoint.bulk-replay`).
    #[schema(example = "endpoint.recover")]
    pub task: String,
    /// When it last changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<BackgroundTask> for BackgroundTaskOut {
    fn from(task: BackgroundTask) -> Self {
        Self {
            data: task.data,
            id: task.id,
            status: task.status.as_str(),
            task: task.kind,
            updated_at: task.updated_at,
        }
    }
}
