//! `/ingest/api/v1/source/{source_id}/events` and `.../events/stream`: a source's accepted
//! events pulled exactly like an application's messages (iterator, long-poll, Server-Sent
//! Events with `Last-Event-ID`), for services that cannot be reached by forwarding.
//!
//! Each item's `payload` is the body as received when it is JSON (other bodies: `{}`; read
//! them byte for byte from `.../log/{event_id}/body`).

use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use axum::routing::get;
use axum::{Json, Router};
use futures::Stream;

use super::openapi::SourcePath;
use super::sources::lookup;
use crate::error::ApiResult;
use crate::extract::Params;
#[allow(unused_imports)]
use crate::openapi::pull_params::*;
use crate::routes::{events, stream};
use crate::state::AppState;
#[allow(unused_imports)]
use crate::wire::feed::MessageEventsOut;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/source/{source_id}/events", get(source_events))
        .route("/source/{source_id}/events/stream", get(source_stream))
}

/// Pull a source's accepted events after an iterator (long-poll with `wait`).
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/events", tag = "Ingest Logs", operation_id = "v1.ingest.source.events",
    params(SourcePath, FeedParams, EventsFilters),
    responses((status = 200, description = "The next batch of the source's events, in the order they were accepted", body = MessageEventsOut)))]
pub(crate) async fn source_events(
    State(state): State<AppState>,
    Path(source_id): Path<String>,
    params: Params,
) -> ApiResult<Json<MessageEventsOut>> {
    let source = lookup(&state, &source_id).await?;
    events::feed(&state, Some(source.app_id), &params).await
}

/// Follow a source's events live over Server-Sent Events.
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/events/stream", tag = "Ingest Logs", operation_id = "v1.ingest.source.events-stream",
    params(SourcePath, StreamParams,
        ("Last-Event-ID" = Option<String>, Header, description = "Sent by `EventSource` on reconnection: resume right after this event id.")),
    responses((status = 200, description = "An endless `text/event-stream`, as for an application's stream", content_type = "text/event-stream", body = String)))]
pub(crate) async fn source_stream(
    State(state): State<AppState>,
    Path(source_id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let source = lookup(&state, &source_id).await?;
    stream::live(state, source.app_id, &headers, &params).await
}
