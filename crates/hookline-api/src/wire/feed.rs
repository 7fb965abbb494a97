//! Shapes of the pull API: event feeds, polling endpoints and their consumers.

use hookline_store::feed::{FeedBatch, FeedItem};
use serde::{Deserialize, Serialize};

use super::message::MessageOut;

/// A feed message: `MessageOut` plus the application it was sent to (a Hookline addition, so
/// that the environment-wide feed says whose each message is).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedMessageOut {
    /// The message.
    #[serde(flatten)]
    pub message: MessageOut,
    /// The application's id.
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
#[derive(Debug, Serialize)]
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

/// `PollingEndpointMessageOut` (and `PollerV2MessageOut`, which adds `offset`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolledMessageOut {
    /// The message.
    #[serde(flatten)]
    pub message: MessageOut,
    /// Its feed position, to pass to `commit` (v2 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Always null: polled messages carry no per-endpoint headers.
    pub headers: Option<()>,
}

impl PolledMessageOut {
    fn render(item: FeedItem, with_offset: bool) -> Self {
        Self {
            offset: with_offset.then(|| item.position.get()),
            message: MessageOut::render(item.message, true),
            headers: None,
        }
    }
}

/// `PollingEndpointOut`: one batch read from a polling endpoint.
#[derive(Debug, Serialize)]
pub struct PollingEndpointOut {
    /// Messages in feed order.
    pub data: Vec<PolledMessageOut>,
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
                .map(|item| PolledMessageOut::render(item, false))
                .collect(),
        }
    }
}

/// `PollerV2PollOut`: a leased batch; commit the last `offset` once it is processed.
#[derive(Debug, Serialize)]
pub struct PollerV2PollOut {
    /// Messages in feed order, each with its offset.
    pub data: Vec<PolledMessageOut>,
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
                .map(|item| PolledMessageOut::render(item, true))
                .collect(),
        }
    }
}

/// `PollingEndpointConsumerSeekIn`.
#[derive(Debug, Deserialize)]
pub struct PollingEndpointConsumerSeekIn {
    /// Read messages created from this time on (RFC 3339).
    pub after: String,
}

/// `PollingEndpointConsumerSeekOut`.
#[derive(Debug, Serialize)]
pub struct PollingEndpointConsumerSeekOut {
    /// The consumer's new position, usable as an `iterator`.
    pub iterator: String,
}

/// `PollerV2CommitIn`.
#[derive(Debug, Deserialize)]
pub struct PollerV2CommitIn {
    /// The offset of the last message processed; everything up to it is done.
    pub offset: u64,
}
