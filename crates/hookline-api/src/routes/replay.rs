//! Replays: resend one message to one endpoint, recover an endpoint's failures, replay what it
//! missed, bulk replay. Long jobs run as background tasks (see `background_task`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use hookline_core::Timestamp;
use hookline_core::model::{Application, Endpoint};
use hookline_delivery::replay::start_replay;
use hookline_store::replay::{ReplayMode, ReplaySpec};
use serde_json::{Value, json};

use super::lookup;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::replay::{BulkReplayIn, ReplayIn, TaskStartedOut};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend",
            post(resend),
        )
        .route(
            "/app/{app_id}/endpoint/{endpoint_id}/recover",
            post(recover),
        )
        .route(
            "/app/{app_id}/endpoint/{endpoint_id}/replay-missing",
            post(replay_missing),
        )
        .route(
            "/app/{app_id}/endpoint/{endpoint_id}/bulk-replay",
            post(bulk_replay),
        )
}

/// The application and an endpoint of it that can receive deliveries.
async fn enabled_endpoint(
    state: &AppState,
    app_id: &str,
    endpoint_id: &str,
) -> ApiResult<(Application, Endpoint)> {
    let app = lookup::app(state, app_id).await?;
    let endpoint = lookup::endpoint(state, &app, endpoint_id).await?;
    if endpoint.disabled {
        return Err(ApiError::Conflict(
            "the endpoint is disabled; enable it before replaying messages to it".into(),
        ));
    }
    Ok((app, endpoint))
}

/// Resend a message to an endpoint now.
///
/// Queued at once unless it is already waiting for that endpoint (never twice). 409 when the
/// endpoint is disabled or the message's content has expired or was expunged.
#[utoipa::path(post, path = "/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend", tag = "Message Attempt", operation_id = "v1.message-attempt.resend",
    params(MessageEndpointPath),
    responses(
        (status = 202, description = "Queued", body = Object, example = json!({})),
        (status = 409, description = "The endpoint is disabled or the content is gone", body = crate::error::HttpErrorOut)))]
async fn resend(
    State(state): State<AppState>,
    Path((app_id, msg_id, endpoint_id)): Path<(String, String, String)>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (app, endpoint) = enabled_endpoint(&state, &app_id, &endpoint_id).await?;
    let message = lookup::message(&state, &app, &msg_id).await?;
    if message.payload.is_none() {
        return Err(ApiError::Conflict(
            "the message's content has expired or was expunged; it cannot be resent".into(),
        ));
    }
    state
        .store
        .resend(&app.id, &message.id, &endpoint.id, Timestamp::now())
        .await?;
    state.waker.wake();
    Ok((StatusCode::ACCEPTED, Json(json!({}))))
}

async fn start(
    state: &AppState,
    spec: ReplaySpec,
) -> ApiResult<(StatusCode, Json<TaskStartedOut>)> {
    let task = start_replay(state.store.clone(), state.waker.clone(), spec).await?;
    Ok((StatusCode::ACCEPTED, Json(task.into())))
}

/// Recover an endpoint: re-queue every delivery to it that failed for good since a time.
///
/// Runs as a background task; 409 when the endpoint is disabled.
#[utoipa::path(post, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover", tag = "Endpoint", operation_id = "v1.endpoint.recover",
    params(EndpointPath), request_body = ReplayIn,
    responses((status = 202, description = "The task started", body = TaskStartedOut,
        links(("v1_background-task_get" = (operation_id = "v1.background-task.get",
            parameters(("task_id" = "$response.body#/id"))))))))]
async fn recover(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<ReplayIn>,
) -> ApiResult<(StatusCode, Json<TaskStartedOut>)> {
    let (app, endpoint) = enabled_endpoint(&state, &app_id, &endpoint_id).await?;
    start(
        &state,
        body.into_spec(&app, &endpoint, ReplayMode::Recover)?,
    )
    .await
}

/// Replay missing messages: deliver those since a time that were never planned for the endpoint.
///
/// Runs as a background task; 409 when the endpoint is disabled.
#[utoipa::path(post, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/replay-missing", tag = "Endpoint", operation_id = "v1.endpoint.replay-missing",
    params(EndpointPath), request_body = ReplayIn,
    responses((status = 202, description = "The task started", body = TaskStartedOut,
        links(("v1_background-task_get" = (operation_id = "v1.background-task.get",
            parameters(("task_id" = "$response.body#/id"))))))))]
async fn replay_missing(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<ReplayIn>,
) -> ApiResult<(StatusCode, Json<TaskStartedOut>)> {
    let (app, endpoint) = enabled_endpoint(&state, &app_id, &endpoint_id).await?;
    start(
        &state,
        body.into_spec(&app, &endpoint, ReplayMode::Missing)?,
    )
    .await
}

/// Bulk replay: re-queue the endpoint's finished deliveries since a time, filtered.
///
/// Successful or not, narrowed by `status`, `eventTypes` and `channel`. Runs as a background
/// task; 409 when the endpoint is disabled.
#[utoipa::path(post, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/bulk-replay", tag = "Endpoint", operation_id = "v1.endpoint.bulk-replay",
    params(EndpointPath), request_body = BulkReplayIn,
    responses((status = 202, description = "The task started", body = TaskStartedOut,
        links(("v1_background-task_get" = (operation_id = "v1.background-task.get",
            parameters(("task_id" = "$response.body#/id"))))))))]
async fn bulk_replay(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<BulkReplayIn>,
) -> ApiResult<(StatusCode, Json<TaskStartedOut>)> {
    let (app, endpoint) = enabled_endpoint(&state, &app_id, &endpoint_id).await?;
    start(&state, body.into_spec(&app, &endpoint)?).await
}
