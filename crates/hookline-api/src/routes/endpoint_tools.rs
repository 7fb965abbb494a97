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

/// Sends an example of the event type (from its schema, or a ping) to this endpoint only.
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
        payload: Some(payload.to_string()),
        created_at: Timestamp::now(),
    };
    let message = state
        .store
        .create_message_for_endpoint(message, &endpoint.id)
        .await?;
    state.waker.wake();
    Ok(Json(MessageOut::render(message, true)))
}

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
