//! Endpoint tools: send an example, delivery statistics, attempt counts, a message's raw
//! payload, and expunging content.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hookline_core::model::Message;
use hookline_core::{EventTypeName, MessageId, Timestamp};
use hookline_store::query::AttemptFilter;

use super::attempt::attempt_filter;
use super::lookup;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson};
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::message::MessageOut;
use crate::wire::tools::{
    CountOut, EndpointStatsOut, EventExampleIn, MessageRawPayloadOut, PING_EVENT_TYPE,
    example_payload,
};

/// Attempts are counted up to this many; beyond it the count says `approximated`.
const COUNT_CEILING: u64 = 100_000;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/app/{app_id}/endpoint/{endpoint_id}/send-example",
            post(send_example),
        )
        .route("/app/{app_id}/endpoint/{endpoint_id}/stats", get(stats))
        .route(
            "/app/{app_id}/attempt/endpoint/{endpoint_id}/count",
            get(count_attempts),
        )
        .route("/app/{app_id}/msg/{msg_id}/raw", get(raw))
        .route(
            "/app/{app_id}/msg/{msg_id}/content",
            delete(expunge_message),
        )
        .route(
            "/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content",
            delete(expunge_attempt),
        )
}

/// Send an example of an event type to this endpoint only.
///
/// The payload is the event type's newest schema's example (`exampleIndex` picks one of
/// `examples`), or `{"success": true}` for `svix.ping` or a schema without examples. The
/// endpoint must be enabled (409 otherwise) and the event type must exist (422 otherwise).
#[utoipa::path(post, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/send-example", tag = "Endpoint", operation_id = "v1.endpoint.send-example",
    params(EndpointPath), request_body = EventExampleIn,
    responses((status = 200, description = "The message sent, queued for this endpoint", body = MessageOut)))]
async fn send_example(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<EventExampleIn>,
) -> ApiResult<Json<MessageOut>> {
    let name = EventTypeName::parse(body.event_type)
        .map_err(|e| ApiError::field(&["body", "eventType"], e.to_string()))?;
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    if endpoint.disabled {
        return Err(ApiError::Conflict("the endpoint is disabled".into()));
    }
    let event_type = state.store.get_event_type(name.as_str()).await?;
    if event_type.is_none() && name.as_str() != PING_EVENT_TYPE {
        return Err(ApiError::field(
            &["body", "eventType"],
            format!("unknown event type; create it first or send {PING_EVENT_TYPE}"),
        ));
    }
    let payload = example_payload(event_type.as_ref(), body.example_index.unwrap_or(0));
    let message = Message {
        id: MessageId::generate(),
        app_id: app.id,
        event_type: name,
        event_id: None,
        channels: None,
        tags: None,
        payload: Some(payload.to_string()),
        payload_expires_at: None,
        created_at: Timestamp::now(),
    };
    let message = state
        .store
        .create_message_for_endpoint(message, &endpoint.id)
        .await?;
    state.waker.wake();
    Ok(Json(MessageOut::render(message, true)))
}

/// Count the endpoint's deliveries by state.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/stats", tag = "Endpoint", operation_id = "v1.endpoint.get-stats",
    params(EndpointPath, StatsRange),
    responses((status = 200, description = "Deliveries to the endpoint by state", body = EndpointStatsOut)))]
async fn stats(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<EndpointStatsOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    let stats = state
        .store
        .endpoint_stats(
            &app.id,
            &endpoint.id,
            params.timestamp("since")?,
            params.timestamp("until")?,
        )
        .await?;
    Ok(Json(stats.into()))
}

/// Count the attempts made to an endpoint, up to 100000.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}/count", tag = "Message Attempt", operation_id = "v1.message-attempt.count-by-endpoint",
    params(EndpointPath, AttemptFilters),
    responses((status = 200, description = "How many attempts match; `approximated` past the ceiling", body = CountOut)))]
async fn count_attempts(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<CountOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    let filter = AttemptFilter {
        endpoint_id: Some(endpoint.id.to_string()),
        ..attempt_filter(&params)?
    };
    let (count, approximated) = state
        .store
        .count_attempts(&app.id, &filter, COUNT_CEILING)
        .await?;
    Ok(Json(CountOut {
        count,
        approximated,
    }))
}

/// Get a message's payload exactly as it was stored.
///
/// 404 when the message is missing or its content has expired or was expunged.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/msg/{msg_id}/raw", tag = "Message", operation_id = "v1.message.get-raw-payload",
    params(MessagePath),
    responses((status = 200, description = "The payload as a string", body = MessageRawPayloadOut)))]
async fn raw(
    State(state): State<AppState>,
    Path((app_id, msg_id)): Path<(String, String)>,
) -> ApiResult<Json<MessageRawPayloadOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let message = lookup::message(&state, &app, &msg_id).await?;
    let payload = message.payload.ok_or_else(|| {
        ApiError::NotFound("the message's content has expired or was expunged".into())
    })?;
    Ok(Json(MessageRawPayloadOut { payload }))
}

/// Delete a message's payload for good; the message and its attempts stay, and deliveries
/// still waiting for the payload fail.
#[utoipa::path(delete, path = "/api/v1/app/{app_id}/msg/{msg_id}/content", tag = "Message", operation_id = "v1.message.expunge-content",
    params(MessagePath),
    responses((status = 204, description = "The payload is gone")))]
async fn expunge_message(
    State(state): State<AppState>,
    Path((app_id, msg_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let app = lookup::app(&state, &app_id).await?;
    state
        .store
        .expunge_message_content(&app.id, &msg_id)
        .await
        .map_err(|e| match e {
            hookline_store::StoreError::NotFound => ApiError::not_found("message"),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete the response body recorded for an attempt.
#[utoipa::path(delete, path = "/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content", tag = "Message Attempt", operation_id = "v1.message-attempt.expunge-content",
    params(AttemptPath),
    responses((status = 204, description = "The response body is gone")))]
async fn expunge_attempt(
    State(state): State<AppState>,
    Path((app_id, msg_id, attempt_id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let app = lookup::app(&state, &app_id).await?;
    state
        .store
        .expunge_attempt_content(&app.id, &msg_id, &attempt_id)
        .await
        .map_err(|e| match e {
            hookline_store::StoreError::NotFound => ApiError::not_found("attempt"),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}
