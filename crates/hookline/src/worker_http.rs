//! The HTTP face of a worker node (`--role worker`): the same health checks as the API, at the
//! same paths, so load balancers and orchestrators probe every node alike, and nothing else
//! (`/metrics` is added by the observability wrapper). Everything else answers 404.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use hookline_api::error::ApiError;
use hookline_store::Store;

/// `/api/v1/health` (readiness: the database answers) and `/api/v1/health/ping` (liveness).
pub(crate) fn router(store: Arc<dyn Store>) -> Router {
    Router::new()
        .route("/api/v1/health", get(ready).head(ready))
        .route("/api/v1/health/ping", get(live).head(live))
        .fallback(|| async {
            ApiError::NotFound(
                "this node is a worker: it serves health checks and metrics only".into(),
            )
        })
        .with_state(store)
}

async fn ready(State(store): State<Arc<dyn Store>>) -> Result<StatusCode, ApiError> {
    store
        .ping()
        .await
        .map_err(|err| ApiError::Unavailable(format!("the database is not answering: {err}")))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn live() -> StatusCode {
    StatusCode::NO_CONTENT
}
