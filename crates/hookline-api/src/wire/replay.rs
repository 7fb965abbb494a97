//! Replays and background tasks on the wire (`RecoverIn`, `ReplayIn`, `BulkReplayIn`,
//! `RecoverOut`/`ReplayOut`, `BackgroundTaskOut`).

use hookline_core::model::Application;
use hookline_core::model::Endpoint;
use hookline_core::{Channel, EventTypeName, Timestamp};
use hookline_store::replay::{ReplayMode, ReplaySpec};
use hookline_store::tasks::BackgroundTask;
use serde::{Deserialize, Serialize};

use super::{Checks, parse_list};
use crate::error::ApiError;

/// `RecoverIn` and `ReplayIn`: a time range of messages.
#[derive(Debug, Clone, Deserialize)]
pub struct ReplayIn {
    /// Messages created at or after this time.
    pub since: Timestamp,
    /// Messages created before this time, when given.
    pub until: Option<Timestamp>,
}

/// `BulkReplayIn`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkReplayIn {
    /// Messages created at or after this time.
    pub since: Timestamp,
    /// Messages created before this time, when given.
    pub until: Option<Timestamp>,
    /// Only deliveries in this state (0 success, 2 fail).
    pub status: Option<i64>,
    /// Only messages of these event types.
    pub event_types: Option<Vec<String>>,
    /// Only messages tagged with this channel.
    pub channel: Option<String>,
    /// Tags are not supported; a non-null value is refused.
    pub tag: Option<String>,
    /// Not supported; a non-null value is refused.
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
        if self.tag.is_some() {
            checks.fail(
                &["body", "tag"],
                "filtering by tag is not supported by Hookline",
            );
        }
        if self.status_code_class.is_some() {
            checks.fail(
                &["body", "statusCodeClass"],
                "filtering by status code class is not supported in bulk replays",
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
            },
        })
    }
}

/// `RecoverOut` / `ReplayOut`: the task that was started.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskStartedOut {
    /// `qtask_...`.
    pub id: String,
    /// `running`.
    pub status: &'static str,
    /// The task type.
    pub task: String,
    /// When it last changed.
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

/// `BackgroundTaskOut`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackgroundTaskOut {
    /// Progress or result (`{"messagesSent": n}`).
    pub data: serde_json::Value,
    /// `qtask_...`.
    pub id: String,
    /// `running`, `finished` or `failed`.
    pub status: &'static str,
    /// The task type.
    pub task: String,
    /// When it last changed.
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
