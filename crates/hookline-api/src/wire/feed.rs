//! Shapes of the pull API: event feeds, polling endpoints and their consumers.

use hookline_store::feed::{FeedBatch, FeedItem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::message::MessageOut;

/// A feed message: `MessageOut` plus the application it was sent to (a Hookline addition, so
/// that the environment-wide feed says whose each message is).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedMessageOut {
    /// The message.
    #[serde(flatten)]
    pub message: MessageOut,
    /// The application's id.
    #[schema(example = "app_2yZwUhtgs5Ai8T9yRQJXA")]
    pub app_id: String,
}

impl FeedMessageOut {
    /// Renders a feed item, with or without its payload.
    pub fn render(item: FeedItem, with_content: bool) -> Self {
        Self {
            app_id: item.message.app_id.to_string(),
            message: MessageOut::render(item.message, with_content),
        }
    }
}

/// `MessageEventsOut`: one batch of an event feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageEventsOut {
    /// Messages in feed order.
    pub data: Vec<FeedMessageOut>,
    /// Pass as `iterator` to read what follows.
    pub iterator: String,
    /// True when nothing followed at the time of the read.
    pub done: bool,
}

impl MessageEventsOut {
    /// Renders a feed batch.
    pub fn render(batch: FeedBatch, with_content: bool) -> Self {
        Self {
            iterator: batch.next.to_string(),
            done: batch.done,
            data: batch
                .items
                .into_iter()
                .map(|item| FeedMessageOut::render(item, with_content))
                .collect(),
        }
    }
}

/// `PollingEndpointMessageOut`: a message read from a polling endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollingEndpointMessageOut {
    /// The message.
    #[serde(flatten)]
    pub message: MessageOut,
    /// Always null: polled messages carry no per-endpoint headers.
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub headers: Option<()>,
}

impl PollingEndpointMessageOut {
    fn render(item: FeedItem) -> Self {
        Self {
            message: MessageOut::render(item.message, true),
            headers: None,
        }
    }
}

/// `PollerV2MessageOut`: a leased message with its `offset`, to pass to `commit`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollerV2MessageOut {
    /// The message.
    #[serde(flatten)]
    pub message: MessageOut,
    /// Its feed position: commit it once this message (and those before it) is processed.
    #[schema(example = 42)]
    pub offset: u64,
    /// Always null: polled messages carry no per-endpoint headers.
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub headers: Option<()>,
}

impl PollerV2MessageOut {
    fn render(item: FeedItem) -> Self {
        Self {
            offset: item.position.get(),
            message: MessageOut::render(item.message, true),
            headers: None,
        }
    }
}

/// `PollingEndpointOut`: one batch read from a polling endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct PollingEndpointOut {
    /// Messages in feed order.
    pub data: Vec<PollingEndpointMessageOut>,
    /// Pass as `iterator` to read what follows.
    pub iterator: String,
    /// True when nothing followed at the time of the read.
    pub done: bool,
}

impl PollingEndpointOut {
    /// Renders a feed batch.
    pub fn render(batch: FeedBatch) -> Self {
        Self {
            iterator: batch.next.to_string(),
            done: batch.done,
            data: batch
                .items
                .into_iter()
                .map(PollingEndpointMessageOut::render)
                .collect(),
        }
    }
}

/// `PollerV2PollOut`: a leased batch; commit the last `offset` once it is processed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PollerV2PollOut {
    /// Messages in feed order, each with its offset.
    pub data: Vec<PollerV2MessageOut>,
    /// True when nothing followed at the time of the read.
    pub done: bool,
}

impl PollerV2PollOut {
    /// Renders a feed batch.
    pub fn render(batch: FeedBatch) -> Self {
        Self {
            done: batch.done,
            data: batch
                .items
                .into_iter()
                .map(PollerV2MessageOut::render)
                .collect(),
        }
    }
}

/// `PollingEndpointConsumerSeekIn`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"after": "2026-01-01T12:00:00Z"}))]
pub struct PollingEndpointConsumerSeekIn {
    /// Read messages created from this time on (RFC 3339).
    #[schema(format = DateTime, example = "2026-01-01T12:00:00Z")]
    pub after: String,
}

/// `PollingEndpointConsumerSeekOut`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PollingEndpointConsumerSeekOut {
    /// The consumer's new position, usable as an `iterator`.
    pub iterator: String,
}

/// `PollerV2CommitIn`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"offset": 42}))]
pub struct PollerV2CommitIn {
    /// The offset of the last message processed; everything up to it is done.
    #[schema(example = 42)]
    pub offset: u64,
}
