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
#[allow(unused_imports)]
use crate::openapi::params::*;
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

/// List event types by name.
#[utoipa::path(get, path = "/api/v1/event-type", tag = "Event Type", operation_id = "v1.event-type.list",
    params(ListParams, IncludeArchived),
    responses((status = 200, description = "A page of event types", body = ListResponse<EventTypeOut>)))]
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

/// Create an event type.
#[utoipa::path(post, path = "/api/v1/event-type", tag = "Event Type", operation_id = "v1.event-type.create",
    request_body = EventTypeIn,
    responses((status = 201, description = "The new event type", body = EventTypeOut)))]
async fn create(
    State(state): State<AppState>,
    ValidJson(body): ValidJson<EventTypeIn>,
) -> ApiResult<(StatusCode, Json<EventTypeOut>)> {
    let event_type = body.into_event_type(None, Timestamp::now())?;
    let created = state.store.create_event_type(event_type).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Get an event type.
#[utoipa::path(get, path = "/api/v1/event-type/{name}", tag = "Event Type", operation_id = "v1.event-type.get",
    params(EventTypePath),
    responses((status = 200, description = "The event type", body = EventTypeOut)))]
async fn read(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<EventTypeOut>> {
    Ok(Json(find(&state, &name).await?.into()))
}

/// Replaces the event type, creating it when absent.
#[utoipa::path(put, path = "/api/v1/event-type/{name}", tag = "Event Type", operation_id = "v1.event-type.update",
    params(EventTypePath), request_body = EventTypeIn,
    responses(
        (status = 200, description = "The updated event type", body = EventTypeOut),
        (status = 201, description = "The event type was created", body = EventTypeOut)))]
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

/// Change some fields of an event type.
#[utoipa::path(patch, path = "/api/v1/event-type/{name}", tag = "Event Type", operation_id = "v1.event-type.patch",
    params(EventTypePath), request_body = EventTypePatch,
    responses((status = 200, description = "The updated event type", body = EventTypeOut)))]
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
#[utoipa::path(delete, path = "/api/v1/event-type/{name}", tag = "Event Type", operation_id = "v1.event-type.delete",
    params(EventTypePath, Expunge),
    responses((status = 204, description = "Archived (or removed)")))]
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
