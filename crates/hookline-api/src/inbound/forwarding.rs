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

use super::sources::lookup;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, parse_json};
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

/// `POST .../replay` body: which endpoint, or all of them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReplayIn {
    endpoint_id: Option<String>,
}

/// How many deliveries a replay planned.
#[derive(Debug, Serialize)]
struct ReplayOut {
    deliveries: usize,
}

/// Sends an event again, now, to one endpoint (`{"endpointId": ...}`, id or uid) or to every
/// enabled endpoint of the source (empty body); `202` once planned on disk.
async fn replay(
    State(state): State<AppState>,
    Path((source_id, event)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ReplayOut>)> {
    let body: ReplayIn = if body.iter().all(u8::is_ascii_whitespace) {
        ReplayIn::default()
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
    Ok((StatusCode::ACCEPTED, Json(ReplayOut { deliveries })))
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
