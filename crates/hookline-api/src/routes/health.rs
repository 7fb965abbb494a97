//! Liveness and readiness.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(ready).head(ready))
        .route("/health/ping", get(live).head(live))
}

/// Readiness: 204 when the database answers, 503 otherwise.
#[utoipa::path(method(get, head), path = "/api/v1/health", tag = "Health", operation_id = "v1.health.get",
    security(()),
    responses((status = 204, description = "Ready: the database answers")))]
async fn ready(State(state): State<AppState>) -> ApiResult<StatusCode> {
    state
        .store
        .ping()
        .await
        .map_err(|err| ApiError::Unavailable(format!("the database is not answering: {err}")))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Liveness: 204 while the process serves requests.
#[utoipa::path(method(get, head), path = "/api/v1/health/ping", tag = "Health", operation_id = "v1.health.ping",
    security(()),
    responses((status = 204, description = "Alive: the process serves requests")))]
async fn live() -> StatusCode {
    StatusCode::NO_CONTENT
}
