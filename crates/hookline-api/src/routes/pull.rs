//! What the pull routes share: reading feed parameters and waiting for new messages.

use std::time::Duration;

use hookline_core::{AppId, Channel, EventTypeName};
use hookline_store::PageRequest;
use hookline_store::feed::{FeedBatch, FeedFilter, FeedPosition, FeedQuery};

use crate::error::{ApiError, ApiResult};
use crate::extract::Params;
use crate::state::AppState;

/// The longest a request may wait for new messages (`wait=<seconds>`).
pub(crate) const MAX_WAIT_SECS: u64 = 30;

/// `limit`: 1 to 250, 50 when absent (0 also means the default, as the v2 poller allows it).
pub(crate) fn limit(params: &Params) -> ApiResult<u32> {
    match params.int("limit")? {
        None | Some(0) => Ok(PageRequest::DEFAULT_LIMIT),
        Some(n) if (1..=i64::from(PageRequest::MAX_LIMIT)).contains(&n) => Ok(n as u32),
        Some(_) => Err(ApiError::field(
            &["query", "limit"],
            format!("must be between 1 and {}", PageRequest::MAX_LIMIT),
        )),
    }
}

/// `wait`: how long to hold the request open when nothing is there yet (0 to 30 seconds).
pub(crate) fn wait(params: &Params) -> ApiResult<Duration> {
    match params.int("wait")? {
        None => Ok(Duration::ZERO),
        Some(n) if (0..=MAX_WAIT_SECS as i64).contains(&n) => Ok(Duration::from_secs(n as u64)),
        Some(_) => Err(ApiError::field(
            &["query", "wait"],
            format!("must be a number of seconds between 0 and {MAX_WAIT_SECS}"),
        )),
    }
}

/// A position given as `iterator` (or as `Last-Event-ID`, named by `loc`).
pub(crate) fn position(raw: Option<&str>, loc: &[&str]) -> ApiResult<Option<FeedPosition>> {
    raw.map(|raw| {
        FeedPosition::parse(raw).ok_or_else(|| {
            ApiError::field(
                loc,
                "is not a valid iterator; pass back the iterator of a previous response",
            )
        })
    })
    .transpose()
}

/// Event-type and channel filters under the given parameter names (single or list forms).
pub(crate) fn filter(params: &Params, types: &str, channels: &str) -> ApiResult<FeedFilter> {
    let event_types = params
        .list(types)
        .map(|names| {
            names
                .into_iter()
                .map(|n| {
                    EventTypeName::parse(n)
                        .map_err(|e| ApiError::field(&["query", types], e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let channel_list = params
        .list(channels)
        .map(|names| {
            names
                .into_iter()
                .map(|c| {
                    Channel::parse(c)
                        .map_err(|e| ApiError::field(&["query", channels], e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    Ok(FeedFilter::all()
        .event_types(event_types)
        .channels(channel_list))
}

/// Where a read without a saved position starts: `iterator` if given, else the first message
/// created at or after `after` if given, else `default`.
pub(crate) async fn start(
    state: &AppState,
    params: &Params,
    app: Option<&AppId>,
    default: FeedPosition,
) -> ApiResult<FeedPosition> {
    if let Some(at) = position(params.get("iterator"), &["query", "iterator"])? {
        return Ok(at);
    }
    match params.timestamp("after")? {
        Some(time) => Ok(state.store.feed_position_at(app, time).await?),
        None => Ok(default),
    }
}

/// Reads the feed; when nothing matches and `wait` is not zero, holds on until a message is
/// committed (woken by the store's signal, never by polling) or the wait runs out.
///
/// `via` names the route in the `hookline_pull_*` metrics.
pub(crate) async fn read(
    state: &AppState,
    mut query: FeedQuery,
    wait: Duration,
    loc: &[&str],
    via: &'static str,
) -> ApiResult<FeedBatch> {
    let deadline = tokio::time::Instant::now() + wait;
    // Subscribe before the first read so that a commit between the read and the wait wakes us.
    let mut watch = state.store.feed_signal().subscribe();
    let first = state.store.read_feed(query.clone()).await?;
    if query.after > first.head {
        return Err(ApiError::field(
            loc,
            "is ahead of every message in this Hookline; pass back an iterator it returned",
        ));
    }
    let mut batch = first;
    if batch.items.is_empty() && !wait.is_zero() {
        metrics::counter!("hookline_pull_long_polls_total", "via" => via).increment(1);
    }
    while batch.items.is_empty() && !wait.is_zero() {
        query.after = batch.next;
        match tokio::time::timeout_at(deadline, watch.changed()).await {
            Ok(true) => batch = state.store.read_feed(query.clone()).await?,
            Ok(false) | Err(_) => break,
        }
    }
    metrics::counter!("hookline_pull_requests_total", "via" => via).increment(1);
    metrics::counter!("hookline_pull_messages_total", "via" => via)
        .increment(batch.items.len() as u64);
    Ok(batch)
}
