//! `GET /app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/headers`: exactly what an attempt sent
//! and what came back, credential values withheld.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

use super::lookup;
use crate::error::{ApiError, ApiResult};
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::attempt_headers::MessageAttemptHeadersOut;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/headers",
        get(headers),
    )
}

/// Get the headers an attempt sent and received.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/headers", tag = "Message Attempt", operation_id = "v1.message-attempt.get-headers",
    params(AttemptPath),
    responses((status = 200, description = "The headers sent (credential values withheld, their names in `sensitive`) and the response's headers (`null` when no answer came)", body = MessageAttemptHeadersOut)))]
async fn headers(
    State(state): State<AppState>,
    Path((app_id, msg_id, attempt_id)): Path<(String, String, String)>,
) -> ApiResult<Json<MessageAttemptHeadersOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let message = lookup::message(&state, &app, &msg_id).await?;
    let headers = state
        .store
        .attempt_headers(&app.id, &message.id, &attempt_id)
        .await?
        .ok_or_else(|| ApiError::not_found("attempt"))?;
    Ok(Json(headers.into()))
}
