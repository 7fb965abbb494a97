//! `/app/{app_id}/events` and `/events`: every message in commit order, after an iterator.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hookline_core::AppId;
use hookline_store::feed::{FeedPosition, FeedQuery};

use super::{lookup, pull};
use crate::error::ApiResult;
use crate::extract::Params;
#[allow(unused_imports)]
use crate::openapi::params::*;
#[allow(unused_imports)]
use crate::openapi::pull_params::*;
use crate::state::AppState;
use crate::wire::feed::MessageEventsOut;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/{app_id}/events", get(app_events))
        .route("/events", get(all_events))
}

/// Read an application's messages in commit order, after an iterator; nothing is ever missed
/// or repeated when the returned `iterator` is passed back.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/events", tag = "Message", operation_id = "v1.message.events",
    params(AppPath, FeedParams, EventsFilters),
    responses((status = 200, description = "The next batch of the application's messages", body = MessageEventsOut)))]
async fn app_events(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    params: Params,
) -> ApiResult<Json<MessageEventsOut>> {
    let app = lookup::app(&state, &app_id).await?;
    feed(&state, Some(app.id), &params).await
}

/// Read every application's messages in commit order, after an iterator (each message says
/// its `appId`).
#[utoipa::path(get, path = "/api/v1/events", tag = "Events", operation_id = "v1.events.stream",
    params(FeedParams, EventsFilters),
    responses((status = 200, description = "The next batch of messages", body = MessageEventsOut)))]
async fn all_events(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<MessageEventsOut>> {
    feed(&state, None, &params).await
}

/// The feed of one application (or of all when `app` is `None`), as the request asks.
///
/// Routes that resolve an application differently (an inbound source's own application, for
/// instance) answer with this too.
pub(crate) async fn feed(
    state: &AppState,
    app: Option<AppId>,
    params: &Params,
) -> ApiResult<Json<MessageEventsOut>> {
    let after = pull::start(state, params, app.as_ref(), FeedPosition::START).await?;
    let query = FeedQuery {
        app,
        after,
        filter: pull::filter(params, "event_types", "channels")?,
        limit: pull::limit(params)?,
    };
    let with_content = params.flag("with_content", true)?;
    let wait = pull::wait(params)?;
    let batch = pull::read(state, query, wait, &["query", "iterator"], "events").await?;
    Ok(Json(MessageEventsOut::render(batch, with_content)))
}
