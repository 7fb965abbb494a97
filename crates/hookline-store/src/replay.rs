//! Storage for replays: putting messages back on an endpoint's queue by hand.
//!
//! A replay never enqueues a message twice: a delivery already waiting (pending or in flight) is
//! left alone, and there is one delivery per message and endpoint. Re-queued deliveries start a
//! fresh retry schedule and their next attempt is recorded with the manual trigger type.

use std::time::Duration;

use async_trait::async_trait;
use hookline_core::model::DeliveryStatus;
use hookline_core::{AppId, Channel, EndpointId, MessageId, Tag, Timestamp};
use serde::{Deserialize, Serialize};

use crate::StoreResult;
use crate::query::StatusCodeClass;

/// Which deliveries a replay puts back on the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "camelCase")]
pub enum ReplayMode {
    /// Deliveries that failed for good (`endpoint.recover`); successes are not resent.
    Recover,
    /// Messages never planned for the endpoint (`endpoint.replay`), e.g. sent before it existed.
    Missing,
    /// Every finished delivery, successful or not, narrowed by the filters
    /// (`endpoint.bulk-replay`).
    #[serde(rename_all = "camelCase")]
    Bulk {
        /// Only deliveries in this state.
        status: Option<i64>,
        /// Only messages of these event types.
        event_types: Option<Vec<String>>,
        /// Only messages tagged with this channel.
        channel: Option<String>,
        /// Only messages labelled with this tag.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        /// Only deliveries whose last attempt's response falls in this class (the contract's
        /// `StatusCodeClass`: 0 no response, 100 ... 500 for 1xx ... 5xx).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status_code_class: Option<i64>,
    },
}

/// What to replay: an endpoint's messages created in `[since, until)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplaySpec {
    /// The application.
    pub app_id: AppId,
    /// The endpoint to deliver to again.
    pub endpoint_id: EndpointId,
    /// Messages created at or after this time.
    pub since: Timestamp,
    /// Messages created before this time, when given.
    pub until: Option<Timestamp>,
    /// Which deliveries qualify.
    #[serde(flatten)]
    pub mode: ReplayMode,
}

impl ReplaySpec {
    /// Whether a delivery in `status` qualifies for this replay (Missing has no delivery yet).
    pub fn requeues(&self, status: DeliveryStatus) -> bool {
        let waiting = matches!(status, DeliveryStatus::Pending | DeliveryStatus::Sending);
        match &self.mode {
            ReplayMode::Recover => status == DeliveryStatus::Fail,
            ReplayMode::Missing => false,
            ReplayMode::Bulk { status: wanted, .. } => {
                !waiting && wanted.is_none_or(|code| code == status.code())
            }
        }
    }

    /// Whether a message passes a bulk replay's event-type, channel and tag filters (every
    /// message does for the other modes).
    pub fn message_matches(
        &self,
        event_type: &str,
        channels: Option<&[Channel]>,
        tags: Option<&[Tag]>,
    ) -> bool {
        let ReplayMode::Bulk {
            event_types,
            channel,
            tag,
            ..
        } = &self.mode
        else {
            return true;
        };
        let type_ok = event_types
            .as_ref()
            .is_none_or(|types| types.iter().any(|t| t == event_type));
        let channel_ok = channel.as_ref().is_none_or(|wanted| {
            channels.is_some_and(|list| list.iter().any(|c| c.as_str() == wanted))
        });
        let tag_ok = tag.as_ref().is_none_or(|wanted| {
            tags.is_some_and(|list| list.iter().any(|t| t.as_str() == wanted))
        });
        type_ok && channel_ok && tag_ok
    }

    /// The status class a bulk replay is narrowed to, if any: only deliveries whose last
    /// attempt's response is in it qualify (a delivery never attempted is in no class).
    pub fn status_code_class(&self) -> Option<StatusCodeClass> {
        match &self.mode {
            ReplayMode::Bulk {
                status_code_class, ..
            } => status_code_class.and_then(StatusCodeClass::from_code),
            _ => None,
        }
    }

    /// Whether a delivery whose last attempt answered `last_status` (`None`: never attempted;
    /// 0: no response) passes the status class filter.
    pub fn last_attempt_matches(&self, last_status: Option<i64>) -> bool {
        self.status_code_class().is_none_or(|class| {
            let (low, high) = class.range();
            last_status.is_some_and(|code| (i64::from(low)..i64::from(high)).contains(&code))
        })
    }

    /// The first cursor of the replay: below every message id made at or after `since` (ids
    /// start with their creation time; the margin covers an id made just before `created_at`).
    pub fn start_cursor(&self) -> String {
        let before = self.since.minus(Duration::from_secs(1)).as_millis().max(0) as u64;
        MessageId::generate_at(before).to_string()
    }

    /// The messages' creation window `[since, until)` in Unix milliseconds.
    pub(crate) fn window(&self) -> (i64, i64) {
        (
            self.since.as_millis(),
            self.until.map_or(i64::MAX, Timestamp::as_millis),
        )
    }
}

/// A message's channels as stored (a JSON array of names), for [`ReplaySpec::message_matches`].
pub(crate) fn stored_channels(raw: Option<&str>) -> Option<Vec<Channel>> {
    let list: Vec<String> = serde_json::from_str(raw?).ok()?;
    Some(list.into_iter().map(Channel::from_trusted).collect())
}

/// A message's tags as stored (a JSON array), for [`ReplaySpec::message_matches`].
pub(crate) fn stored_tags(raw: Option<&str>) -> Option<Vec<Tag>> {
    let list: Vec<String> = serde_json::from_str(raw?).ok()?;
    Some(list.into_iter().map(Tag::from_trusted).collect())
}

/// The outcome of one bounded batch of a replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayBatch {
    /// Deliveries put back on the queue in this batch.
    pub queued: u64,
    /// Where the next batch starts; `None` when the replay is complete.
    pub next: Option<String>,
}

/// What a single resend did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendOutcome {
    /// The delivery is queued for a manual attempt now.
    Queued,
    /// It was already waiting for an attempt; nothing was added.
    AlreadyQueued,
}

/// Replays, as storage operations. Part of [`crate::Store`].
#[async_trait]
pub trait ReplayStore {
    /// Queues `msg` for `endpoint` now (creating its delivery if it had none) unless it is
    /// already waiting. The caller checks that both exist in `app`.
    async fn resend(
        &self,
        app: &AppId,
        msg: &MessageId,
        endpoint: &EndpointId,
        now: Timestamp,
    ) -> StoreResult<ResendOutcome>;

    /// Runs one batch of a replay: looks at up to `limit` candidates after the cursor `after`
    /// (`None` to start) and queues those that qualify, in one transaction.
    async fn replay_batch(
        &self,
        spec: &ReplaySpec,
        after: Option<String>,
        limit: u32,
        now: Timestamp,
    ) -> StoreResult<ReplayBatch>;
}
