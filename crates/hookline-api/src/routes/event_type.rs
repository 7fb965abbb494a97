//! `/event-type`: event types.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hookline_core::model::EventType;
use hookline_core::{EventTypeName, Timestamp};
use hookline_store::Order;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson};
use crate::state::AppState;
use crate::wire::ListResponse;
use crate::wire::event_type::{EventTypeIn, EventTypeOut, EventTypePatch};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/event-type", get(list).post(create))
        .route(
            "/event-type/{name}",
            get(read).put(replace).patch(patch).delete(remove),
        )
}

async fn find(state: &AppState, name: &str) -> ApiResult<EventType> {
    state
        .store
        .get_event_type(name)
        .await?
        .ok_or_else(|| ApiError::not_found("event type"))
}

async fn list(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<ListResponse<EventTypeOut>>> {
    let include_archived = params.flag("include_archived", false)?;
    let page = state
        .store
        .list_event_types(&params.page(Order::Ascending)?, include_archived)
        .await?;
    Ok(Json(ListResponse::from_page(page, EventTypeOut::from)))
}

async fn create(
    State(state): State<AppState>,
    ValidJson(body): ValidJson<EventTypeIn>,
) -> ApiResult<(StatusCode, Json<EventTypeOut>)> {
    let event_type = body.into_event_type(None, Timestamp::now())?;
    let created = state.store.create_event_type(event_type).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

async fn read(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<EventTypeOut>> {
    Ok(Json(find(&state, &name).await?.into()))
}

/// Replaces the event type, creating it when absent.
async fn replace(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ValidJson(body): ValidJson<EventTypeIn>,
) -> ApiResult<(StatusCode, Json<EventTypeOut>)> {
    let existed = state.store.get_event_type(&name).await?;
    let mut event_type = body.into_event_type(Some(&name), Timestamp::now())?;
    let status = match &existed {
        Some(old) => {
            event_type.created_at = old.created_at;
            StatusCode::OK
        }
        None => StatusCode::CREATED,
    };
    let saved = state.store.upsert_event_type(event_type).await?;
    Ok((status, Json(saved.into())))
}

async fn patch(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ValidJson(body): ValidJson<EventTypePatch>,
) -> ApiResult<Json<EventTypeOut>> {
    let mut event_type = find(&state, &name).await?;
    body.apply(&mut event_type, Timestamp::now())?;
    Ok(Json(
        state.store.upsert_event_type(event_type).await?.into(),
    ))
}

/// Archives the event type, or removes it for good with `expunge=true`.
async fn remove(
    State(state): State<AppState>,
    Path(name): Path<String>,
    params: Params,
) -> ApiResult<StatusCode> {
    let mut event_type = find(&state, &name).await?;
    if params.flag("expunge", false)? {
        let name = EventTypeName::from_trusted(name);
        state.store.delete_event_type(&name).await?;
    } else {
        event_type.archived = true;
        event_type.updated_at = Timestamp::now();
        state.store.upsert_event_type(event_type).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
