//! Finding the resources a path names, with the 404 a caller expects.

use hookline_core::model::{Application, Endpoint, Message};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The application named by id or uid.
pub(crate) async fn app(state: &AppState, id_or_uid: &str) -> ApiResult<Application> {
    state
        .store
        .get_app(id_or_uid)
        .await?
        .ok_or_else(|| ApiError::not_found("application"))
}

/// The endpoint of `app` named by id or uid.
pub(crate) async fn endpoint(
    state: &AppState,
    app: &Application,
    id_or_uid: &str,
) -> ApiResult<Endpoint> {
    state
        .store
        .get_endpoint(&app.id, id_or_uid)
        .await?
        .ok_or_else(|| ApiError::not_found("endpoint"))
}

/// The message of `app` named by id or event id.
pub(crate) async fn message(
    state: &AppState,
    app: &Application,
    id_or_event_id: &str,
) -> ApiResult<Message> {
    state
        .store
        .get_message(&app.id, id_or_event_id)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))
}
