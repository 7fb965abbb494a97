//! `/app/{app_id}/events` and `/events`: every message in commit order, after an iterator.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hookline_store::feed::{FeedPosition, FeedQuery};

use super::{lookup, pull};
use crate::error::ApiResult;
use crate::extract::Params;
use crate::state::AppState;
use crate::wire::feed::MessageEventsOut;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/{app_id}/events", get(app_events))
        .route("/events", get(all_events))
}

async fn app_events(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    params: Params,
) -> ApiResult<Json<MessageEventsOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let after = pull::start(&state, &params, Some(&app.id), FeedPosition::START).await?;
    let query = FeedQuery {
        app: Some(app.id),
        after,
        filter: pull::filter(&params, "event_types", "channels")?,
        limit: pull::limit(&params)?,
    };
    events(&state, &params, query).await
}

async fn all_events(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<MessageEventsOut>> {
    let after = pull::start(&state, &params, None, FeedPosition::START).await?;
    let query = FeedQuery {
        app: None,
        after,
        filter: pull::filter(&params, "event_types", "channels")?,
        limit: pull::limit(&params)?,
    };
    events(&state, &params, query).await
}

async fn events(
    state: &AppState,
    params: &Params,
    query: FeedQuery,
) -> ApiResult<Json<MessageEventsOut>> {
    let with_content = params.flag("with_content", true)?;
    let wait = pull::wait(params)?;
    let batch = pull::read(state, query, wait, &["query", "iterator"], "events").await?;
    Ok(Json(MessageEventsOut::render(batch, with_content)))
}
