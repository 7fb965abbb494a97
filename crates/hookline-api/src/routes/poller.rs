//! Polling endpoints: `/app/{app_id}/poller/{sink_id}` (with server-tracked consumers) and the
//! leased, committed `/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}`.
//!
//! A polling endpoint is an endpoint created with the URL `hookline://poller`: it has the same
//! event-type and channel filters as any endpoint, but no delivery is ever planned for it.
//!
//! Each consumer route reads the consumer, changes it and saves it; the store refuses the save
//! when another request (on this node or another) saved the consumer since the read. The route
//! then starts over from the read, and answers only once its own save went through, so what it
//! hands out is always what the stored consumer says was handed out (see [`saving`]).

mod saving;

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use hookline_core::model::{Application, Endpoint};
use hookline_core::{EndpointUrl, Timestamp};
use hookline_store::feed::{ConsumerState, FeedBatch, FeedFilter, FeedPosition, FeedQuery};
use serde::Deserialize;
use tokio::time::Instant;

use self::saving::{remaining, saved, until_saved};
use super::{lookup, pull};
#[allow(unused_imports)]
use crate::error::HttpErrorOut;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson};
#[allow(unused_imports)]
use crate::openapi::pull_params::*;
use crate::state::AppState;
use crate::wire::feed::{
    PollerV2CommitIn, PollerV2PollOut, PollingEndpointConsumerSeekIn,
    PollingEndpointConsumerSeekOut, PollingEndpointOut,
};

/// How long a v2 batch stays leased to its consumer when the request does not say.
const DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// The longest lease a consumer may ask for.
const MAX_LEASE_MS: i64 = 3_600_000;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/{app_id}/poller/{sink_id}", get(poll))
        .route(
            "/app/{app_id}/poller/{sink_id}/consumer/{consumer_id}",
            get(consumer_poll),
        )
        .route(
            "/app/{app_id}/poller/{sink_id}/consumer/{consumer_id}/seek",
            post(consumer_seek),
        )
        .route(
            "/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}",
            get(leased_poll),
        )
        .route(
            "/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}/commit",
            post(commit),
        )
}

/// The application and polling endpoint a path names.
async fn sink(state: &AppState, app_id: &str, sink_id: &str) -> ApiResult<(Application, Endpoint)> {
    let app = lookup::app(state, app_id).await?;
    let endpoint = lookup::endpoint(state, &app, sink_id).await?;
    if !endpoint.url.is_poller() {
        return Err(ApiError::NotFound(format!(
            "endpoint {} is a webhook endpoint, not a polling endpoint; create one with \"url\": \"{}\"",
            endpoint.id,
            EndpointUrl::POLLER
        )));
    }
    if endpoint.disabled {
        return Err(ApiError::Conflict(format!(
            "polling endpoint {} is disabled; enable it to read from it",
            endpoint.id
        )));
    }
    Ok((app, endpoint))
}

/// A consumer's name: 1 to 256 visible ASCII characters.
fn consumer_name(raw: &str) -> ApiResult<String> {
    let ok = (1..=256).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::field(
            &["path", "consumer_id"],
            "must be 1 to 256 visible ASCII characters",
        ))
    }
}

/// Where a polling endpoint's history starts: the first message created after it was.
async fn origin(
    state: &AppState,
    app: &Application,
    endpoint: &Endpoint,
) -> ApiResult<FeedPosition> {
    Ok(state
        .store
        .feed_position_at(Some(&app.id), endpoint.created_at)
        .await?)
}

fn query(
    app: &Application,
    endpoint: &Endpoint,
    after: FeedPosition,
    extra: FeedFilter,
    limit: u32,
) -> FeedQuery {
    FeedQuery {
        app: Some(app.id.clone()),
        after,
        filter: FeedFilter::endpoint(endpoint).and(extra),
        limit,
    }
}

/// True when `state` must be written: new, or its position or lease moved.
fn changed(saved: Option<&ConsumerState>, state: &ConsumerState) -> bool {
    saved.is_none_or(|s| {
        (s.committed, s.leased_to, s.lease_expires_at)
            != (state.committed, state.leased_to, state.lease_expires_at)
    })
}

/// The names in a consumer route's path.
#[derive(Debug, Deserialize)]
struct ConsumerAt {
    /// The application's id or uid.
    app_id: String,
    /// The polling endpoint's id or uid.
    sink_id: String,
    /// The consumer's name, as given (checked by [`consumer_name`]).
    consumer_id: String,
}

/// Read a batch from a polling endpoint: the messages its filters match, after an iterator.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/poller/{sink_id}", tag = "Message", operation_id = "v1.message.poller.poll",
    params(SinkPath, FeedParams, PollerFilters),
    responses((status = 200, description = "The next batch", body = PollingEndpointOut),
        (status = 409, description = "The polling endpoint is disabled", body = HttpErrorOut)))]
async fn poll(
    State(state): State<AppState>,
    Path((app_id, sink_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<PollingEndpointOut>> {
    let (app, endpoint) = sink(&state, &app_id, &sink_id).await?;
    let default = origin(&state, &app, &endpoint).await?;
    let after = pull::start(&state, &params, Some(&app.id), default).await?;
    let extra = pull::filter(&params, "event_type", "channel")?;
    let query = query(&app, &endpoint, after, extra, pull::limit(&params)?);
    let batch = pull::read(
        &state,
        query,
        pull::wait(&params)?,
        &["query", "iterator"],
        "poller",
    )
    .await?;
    Ok(Json(PollingEndpointOut::render(batch)))
}

/// Read the next batch for a named consumer, whose position Hookline keeps: each call moves
/// it past the batch it returns.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/poller/{sink_id}/consumer/{consumer_id}", tag = "Message", operation_id = "v1.message.poller.consumer-poll",
    params(ConsumerPath, ConsumerParams),
    responses((status = 200, description = "The next batch", body = PollingEndpointOut),
        (status = 409, description = "The polling endpoint is disabled, or other requests kept changing this consumer while the request ran (retry it)", body = HttpErrorOut)))]
async fn consumer_poll(
    State(state): State<AppState>,
    Path(at): Path<ConsumerAt>,
    params: Params,
) -> ApiResult<Json<PollingEndpointOut>> {
    let started = Instant::now();
    let attempt = || consumer_poll_once(&state, &at, &params, started);
    let batch = until_saved(&at.consumer_id, attempt).await?;
    Ok(Json(PollingEndpointOut::render(batch)))
}

/// One read, change and save of [`consumer_poll`]; `None` when the save was refused.
async fn consumer_poll_once(
    state: &AppState,
    at: &ConsumerAt,
    params: &Params,
    started: Instant,
) -> ApiResult<Option<FeedBatch>> {
    let (app, endpoint) = sink(state, &at.app_id, &at.sink_id).await?;
    let consumer_id = consumer_name(&at.consumer_id)?;
    let explicit = pull::position(params.get("iterator"), &["query", "iterator"])?;
    let saved_state = state.store.get_consumer(&endpoint.id, &consumer_id).await?;
    let mut consumer = match saved_state.clone() {
        Some(consumer) => consumer,
        None => ConsumerState::new(
            endpoint.id.clone(),
            consumer_id,
            origin(state, &app, &endpoint).await?,
        ),
    };
    let now = Timestamp::now();
    let after = explicit.unwrap_or_else(|| consumer.read_from(now));
    let query = query(
        &app,
        &endpoint,
        after,
        FeedFilter::all(),
        pull::limit(params)?,
    );
    let wait = remaining(started, pull::wait(params)?);
    let batch = pull::read(state, query, wait, &["query", "iterator"], "consumer").await?;
    // The position moves when the batch is handed out; a consumer that wants to read a batch
    // again passes back the iterator it had before it.
    match explicit {
        Some(_) => consumer.seek(batch.next, now),
        None => consumer.handed_out(batch.next, now, None),
    }
    if changed(saved_state.as_ref(), &consumer) && !saved(state, consumer).await? {
        return Ok(None);
    }
    Ok(Some(batch))
}

/// Move a consumer to the first message created at or after a time (creating the consumer).
#[utoipa::path(post, path = "/api/v1/app/{app_id}/poller/{sink_id}/consumer/{consumer_id}/seek", tag = "Message", operation_id = "v1.message.poller.consumer-seek",
    params(ConsumerPath), request_body = PollingEndpointConsumerSeekIn,
    responses((status = 200, description = "The consumer's new position", body = PollingEndpointConsumerSeekOut),
        (status = 409, description = "The polling endpoint is disabled, or other requests kept changing this consumer while the request ran (retry it)", body = HttpErrorOut)))]
async fn consumer_seek(
    State(state): State<AppState>,
    Path(at): Path<ConsumerAt>,
    ValidJson(body): ValidJson<PollingEndpointConsumerSeekIn>,
) -> ApiResult<Json<PollingEndpointConsumerSeekOut>> {
    let attempt = || consumer_seek_once(&state, &at, &body);
    let position = until_saved(&at.consumer_id, attempt).await?;
    Ok(Json(PollingEndpointConsumerSeekOut {
        iterator: position.to_string(),
    }))
}

/// One read, change and save of [`consumer_seek`]; `None` when the save was refused.
async fn consumer_seek_once(
    state: &AppState,
    at: &ConsumerAt,
    body: &PollingEndpointConsumerSeekIn,
) -> ApiResult<Option<FeedPosition>> {
    let (app, endpoint) = sink(state, &at.app_id, &at.sink_id).await?;
    let consumer_id = consumer_name(&at.consumer_id)?;
    let after = Timestamp::parse_rfc3339(&body.after)
        .ok_or_else(|| ApiError::field(&["body", "after"], "must be an RFC 3339 date-time"))?;
    let position = state.store.feed_position_at(Some(&app.id), after).await?;
    let saved_state = state.store.get_consumer(&endpoint.id, &consumer_id).await?;
    let mut consumer =
        saved_state.unwrap_or_else(|| ConsumerState::new(endpoint.id, consumer_id, position));
    consumer.seek(position, Timestamp::now());
    Ok(saved(state, consumer).await?.then_some(position))
}

fn lease(params: &Params) -> ApiResult<Duration> {
    match params.int("lease_duration_ms")? {
        None => Ok(DEFAULT_LEASE),
        Some(ms) if (0..=MAX_LEASE_MS).contains(&ms) => Ok(Duration::from_millis(ms as u64)),
        Some(_) => Err(ApiError::field(
            &["query", "lease_duration_ms"],
            format!("must be between 0 and {MAX_LEASE_MS} milliseconds"),
        )),
    }
}

/// Lease the next batch to a consumer: its messages are handed to no other call of this
/// consumer until the lease ends; commit the last `offset` when they are processed, or they
/// are handed out again after the lease.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}", tag = "Message", operation_id = "v1.message.pollerv2.consumer-poll",
    params(ConsumerPath, LeaseParams),
    responses((status = 200, description = "The leased batch", body = PollerV2PollOut),
        (status = 409, description = "The polling endpoint is disabled, or other requests kept changing this consumer while the request ran (retry it)", body = HttpErrorOut)))]
async fn leased_poll(
    State(state): State<AppState>,
    Path(at): Path<ConsumerAt>,
    params: Params,
) -> ApiResult<Json<PollerV2PollOut>> {
    let started = Instant::now();
    let attempt = || leased_poll_once(&state, &at, &params, started);
    let batch = until_saved(&at.consumer_id, attempt).await?;
    Ok(Json(PollerV2PollOut::render(batch)))
}

/// One read, change and save of [`leased_poll`]; `None` when the save was refused.
async fn leased_poll_once(
    state: &AppState,
    at: &ConsumerAt,
    params: &Params,
    started: Instant,
) -> ApiResult<Option<FeedBatch>> {
    let (app, endpoint) = sink(state, &at.app_id, &at.sink_id).await?;
    let consumer_id = consumer_name(&at.consumer_id)?;
    let lease = lease(params)?;
    let (limit, wait) = (pull::limit(params)?, pull::wait(params)?);
    let saved_state = state.store.get_consumer(&endpoint.id, &consumer_id).await?;
    let mut consumer = match saved_state.clone() {
        Some(consumer) => consumer,
        None => {
            let start = match params.get("starting_position") {
                None | Some("earliest") => origin(state, &app, &endpoint).await?,
                Some("latest") => state.store.feed_head().await?,
                Some(_) => {
                    return Err(ApiError::field(
                        &["query", "starting_position"],
                        "must be 'earliest' or 'latest'",
                    ));
                }
            };
            ConsumerState::new(endpoint.id.clone(), consumer_id, start)
        }
    };
    let after = consumer.read_from(Timestamp::now());
    let query = query(&app, &endpoint, after, FeedFilter::all(), limit);
    let wait = remaining(started, wait);
    let batch = pull::read(state, query, wait, &["query", "iterator"], "leased").await?;
    match batch.items.last() {
        Some(last) => consumer.handed_out(last.position, Timestamp::now(), Some(lease)),
        // Read from the committed position and found nothing to process up to `next`: skip
        // past it. (Reading after a live lease proves nothing about the leased batch.)
        None if after == consumer.committed => consumer.commit(batch.next),
        None => {}
    }
    if changed(saved_state.as_ref(), &consumer) && !saved(state, consumer).await? {
        return Ok(None);
    }
    Ok(Some(batch))
}

/// Commit a consumer's position: every message up to `offset` is processed and is not handed
/// out again.
#[utoipa::path(post, path = "/api/v1/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}/commit", tag = "Message", operation_id = "v1.message.pollerv2.consumer-commit",
    params(ConsumerPath), request_body = PollerV2CommitIn,
    responses((status = 204, description = "Committed"),
        (status = 409, description = "The polling endpoint is disabled, or other requests kept changing this consumer while the request ran (retry it)", body = HttpErrorOut)))]
async fn commit(
    State(state): State<AppState>,
    Path(at): Path<ConsumerAt>,
    ValidJson(body): ValidJson<PollerV2CommitIn>,
) -> ApiResult<StatusCode> {
    let offset = FeedPosition::new(body.offset);
    until_saved(&at.consumer_id, || commit_once(&state, &at, offset)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One read, change and save of [`commit`]; `None` when the save was refused.
async fn commit_once(
    state: &AppState,
    at: &ConsumerAt,
    offset: FeedPosition,
) -> ApiResult<Option<()>> {
    let (_, endpoint) = sink(state, &at.app_id, &at.sink_id).await?;
    let consumer_id = consumer_name(&at.consumer_id)?;
    let mut consumer = state
        .store
        .get_consumer(&endpoint.id, &consumer_id)
        .await?
        .ok_or_else(|| ApiError::not_found("consumer"))?;
    if offset > state.store.feed_head().await? {
        return Err(ApiError::field(
            &["body", "offset"],
            "is ahead of every message; commit an offset this consumer was given",
        ));
    }
    consumer.commit(offset);
    consumer.updated_at = Timestamp::now();
    Ok(saved(state, consumer).await?.then_some(()))
}
