//! How forwarding went, and sending again: attempts and delivery state of a source's events,
//! read from the source's internal application (which `/api/v1/app` does not show), and replay.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use hookline_core::Timestamp;
use hookline_core::source::Source;
use hookline_store::Order;
use hookline_store::query::AttemptFilter;
use serde::{Deserialize, Serialize};

#[allow(unused_imports)]
use super::openapi::*;
use super::sources::lookup;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, parse_json};
#[allow(unused_imports)]
use crate::openapi::params::ListParams;
use crate::state::AppState;
use crate::wire::ListResponse;
use crate::wire::attempt::{MessageAttemptOut, MessageEndpointOut};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/source/{source_id}/log/{event_id}/attempt",
            get(event_attempts),
        )
        .route(
            "/source/{source_id}/log/{event_id}/endpoint",
            get(event_endpoints),
        )
        .route(
            "/source/{source_id}/endpoint/{endpoint_id}/attempt",
            get(endpoint_attempts),
        )
        .route("/source/{source_id}/log/{event_id}/replay", post(replay))
}

/// `IngestReplayIn` (Hookline addition): which endpoint, or all of them.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"endpointId": "main"}))]
#[serde(rename_all = "camelCase")]
pub(crate) struct IngestReplayIn {
    /// The endpoint (id or uid) to send the event to; every enabled endpoint when absent.
    #[schema(example = "main")]
    endpoint_id: Option<String>,
}

/// `IngestReplayOut` (Hookline addition): how many deliveries a replay planned.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct IngestReplayOut {
    /// Deliveries planned (0 when each already has an attempt in flight).
    #[schema(example = 1)]
    deliveries: usize,
}

/// Sends an event again, now, to one endpoint (`{"endpointId": ...}`, id or uid) or to every
/// enabled endpoint of the source (empty body); `202` once planned on disk.
#[utoipa::path(post, path = "/ingest/api/v1/source/{source_id}/log/{event_id}/replay", tag = "Ingest Logs", operation_id = "v1.ingest.log.replay",
    params(SourceEventPath),
    request_body(content = IngestReplayIn, description = "Optional: an empty body replays to every enabled endpoint"),
    responses((status = 202, description = "Planned on disk; delivered by the engine", body = IngestReplayOut)))]
async fn replay(
    State(state): State<AppState>,
    Path((source_id, event)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<IngestReplayOut>)> {
    let body: IngestReplayIn = if body.iter().all(u8::is_ascii_whitespace) {
        IngestReplayIn::default()
    } else {
        parse_json(&body)?
    };
    let source = lookup(&state, &source_id).await?;
    let id = event_id(&state, &source, &event).await?;
    let endpoint = match body.endpoint_id.as_deref() {
        Some(raw) => Some(
            state
                .store
                .get_endpoint(&source.app_id, raw)
                .await?
                .ok_or_else(|| ApiError::field(&["body", "endpointId"], "no such endpoint"))?
                .id,
        ),
        None => None,
    };
    let deliveries = state
        .store
        .replay_inbound(&source.id, &id, endpoint.as_ref(), Timestamp::now())
        .await?;
    if deliveries > 0 {
        state.waker.wake();
    }
    Ok((StatusCode::ACCEPTED, Json(IngestReplayOut { deliveries })))
}

/// The event's id, checked to belong to the source.
async fn event_id(state: &AppState, source: &Source, event_id: &str) -> ApiResult<String> {
    let event = state
        .store
        .get_inbound_event(&source.id, event_id)
        .await?
        .ok_or_else(|| ApiError::not_found("inbound event"))?;
    Ok(event.id.to_string())
}

/// Every forwarding attempt of one event, newest first.
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/log/{event_id}/attempt", tag = "Ingest Logs", operation_id = "v1.ingest.log.list-attempts",
    params(SourceEventPath, ListParams),
    responses((status = 200, description = "A page of attempts", body = ListResponse<MessageAttemptOut>)))]
async fn event_attempts(
    State(state): State<AppState>,
    Path((source_id, event)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<ListResponse<MessageAttemptOut>>> {
    let source = lookup(&state, &source_id).await?;
    let filter = AttemptFilter {
        msg_id: Some(event_id(&state, &source, &event).await?),
        ..AttemptFilter::default()
    };
    let page = state
        .store
        .list_attempts(&source.app_id, &filter, &params.page(Order::Descending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, MessageAttemptOut::from)))
}

/// The source's endpoints with the delivery state of one event to each.
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/log/{event_id}/endpoint", tag = "Ingest Logs", operation_id = "v1.ingest.log.list-attempted-destinations",
    params(SourceEventPath, ListParams),
    responses((status = 200, description = "A page of endpoints with delivery state", body = ListResponse<MessageEndpointOut>)))]
async fn event_endpoints(
    State(state): State<AppState>,
    Path((source_id, event)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<ListResponse<MessageEndpointOut>>> {
    let source = lookup(&state, &source_id).await?;
    let id = event_id(&state, &source, &event).await?;
    let page = state
        .store
        .list_message_deliveries(&source.app_id, &id, &params.page(Order::Ascending)?)
        .await?;
    Ok(Json(ListResponse::from_page(
        page,
        |(endpoint, delivery)| MessageEndpointOut::render(endpoint, &delivery),
    )))
}

/// Every forwarding attempt to one endpoint, newest first.
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/attempt", tag = "Ingest Endpoint", operation_id = "v1.ingest.endpoint.list-attempts",
    params(SourceEndpointPath, ListParams),
    responses((status = 200, description = "A page of attempts", body = ListResponse<MessageAttemptOut>)))]
async fn endpoint_attempts(
    State(state): State<AppState>,
    Path((source_id, endpoint_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<ListResponse<MessageAttemptOut>>> {
    let source = lookup(&state, &source_id).await?;
    let endpoint = state
        .store
        .get_endpoint(&source.app_id, &endpoint_id)
        .await?
        .ok_or_else(|| ApiError::not_found("endpoint"))?;
    let filter = AttemptFilter {
        endpoint_id: Some(endpoint.id.to_string()),
        ..AttemptFilter::default()
    };
    let page = state
        .store
        .list_attempts(&source.app_id, &filter, &params.page(Order::Descending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, MessageAttemptOut::from)))
}
