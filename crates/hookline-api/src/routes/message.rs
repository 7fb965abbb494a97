//! `/app/{app_id}/msg`: sending and reading messages.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hookline_core::model::{DeliveryStatus, Message};
use hookline_core::{Channel, EventTypeName, MessageId, Tag, Timestamp};
use hookline_store::Order;
use hookline_store::query::MessageFilter;

use super::lookup;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson};
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::ListResponse;
use crate::wire::attempt::MessageEndpointOut;
use crate::wire::message::{EndpointMessageOut, MessageIn, MessageOut};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/{app_id}/msg", get(list).post(create))
        .route("/app/{app_id}/msg/{msg_id}", get(read))
        .route("/app/{app_id}/msg/{msg_id}/endpoint", get(list_endpoints))
        .route(
            "/app/{app_id}/endpoint/{endpoint_id}/msg",
            get(list_for_endpoint),
        )
}

/// The message filters shared by every listing that takes them.
pub(crate) fn message_filter(params: &Params) -> ApiResult<MessageFilter> {
    let channel = params
        .get("channel")
        .map(|c| {
            Channel::parse(c).map_err(|e| ApiError::field(&["query", "channel"], e.to_string()))
        })
        .transpose()?;
    let tag = params
        .get("tag")
        .map(|t| Tag::parse(t).map_err(|e| ApiError::field(&["query", "tag"], e.to_string())))
        .transpose()?;
    let event_types = params
        .list("event_types")
        .map(|types| {
            types
                .into_iter()
                .map(|t| {
                    EventTypeName::parse(t)
                        .map_err(|e| ApiError::field(&["query", "event_types"], e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let status = params
        .int("status")?
        .map(|code| {
            DeliveryStatus::from_code(code)
                .ok_or_else(|| ApiError::field(&["query", "status"], "must be 0, 1, 2 or 3"))
        })
        .transpose()?;
    Ok(MessageFilter {
        channel,
        tag,
        event_types,
        before: params.timestamp("before")?,
        after: params.timestamp("after")?,
        status,
    })
}

/// Send a message: answered once it and its delivery plan are on disk.
#[utoipa::path(post, path = "/api/v1/app/{app_id}/msg", tag = "Message", operation_id = "v1.message.create",
    params(AppPath, WithContent), request_body = MessageIn,
    responses((status = 202, description = "Accepted and durably stored", body = MessageOut)))]
async fn create(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    params: Params,
    ValidJson(body): ValidJson<MessageIn>,
) -> ApiResult<(StatusCode, Json<MessageOut>)> {
    let fields = body.validate()?;
    crate::payload_schemas::check(&state, fields.event_type.as_str(), &fields.payload).await?;
    let with_content = params.flag("with_content", true)?;
    let app = lookup::app_or_create(&state, &app_id, body.application.as_ref()).await?;
    let created_at = Timestamp::now();
    let message = Message {
        id: MessageId::generate(),
        app_id: app.id,
        payload_expires_at: fields.payload_expires_at(created_at),
        event_type: fields.event_type,
        event_id: fields.event_id,
        channels: fields.channels,
        tags: fields.tags,
        payload: Some(fields.payload),
        created_at,
    };
    let accepted = state.store.create_message(message).await?;
    metrics::counter!("hookline_messages_accepted_total").increment(1);
    if accepted.deliveries > 0 {
        state.waker.wake();
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(MessageOut::render(accepted.message, with_content)),
    ))
}

/// List an application's messages, newest first.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/msg", tag = "Message", operation_id = "v1.message.list",
    params(AppPath, ListParams, MessageFilters),
    responses((status = 200, description = "A page of messages", body = ListResponse<MessageOut>)))]
async fn list(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    params: Params,
) -> ApiResult<Json<ListResponse<MessageOut>>> {
    let app = lookup::app(&state, &app_id).await?;
    let with_content = params.flag("with_content", true)?;
    let page = state
        .store
        .list_messages(
            &app.id,
            &message_filter(&params)?,
            &params.page(Order::Descending)?,
        )
        .await?;
    Ok(Json(ListResponse::from_page(page, |m| {
        MessageOut::render(m, with_content)
    })))
}

/// Get a message by id or `eventId`.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/msg/{msg_id}", tag = "Message", operation_id = "v1.message.get",
    params(MessagePath, WithContent),
    responses((status = 200, description = "The message", body = MessageOut)))]
async fn read(
    State(state): State<AppState>,
    Path((app_id, msg_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<MessageOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let message = lookup::message(&state, &app, &msg_id).await?;
    Ok(Json(MessageOut::render(
        message,
        params.flag("with_content", true)?,
    )))
}

/// List the endpoints a message is planned for, with its delivery state to each.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/msg/{msg_id}/endpoint", tag = "Message Attempt", operation_id = "v1.message-attempt.list-attempted-destinations",
    params(MessagePath, ListParams),
    responses((status = 200, description = "A page of endpoints with delivery state", body = ListResponse<MessageEndpointOut>)))]
async fn list_endpoints(
    State(state): State<AppState>,
    Path((app_id, msg_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<ListResponse<MessageEndpointOut>>> {
    let app = lookup::app(&state, &app_id).await?;
    let message = lookup::message(&state, &app, &msg_id).await?;
    let page = state
        .store
        .list_message_deliveries(
            &app.id,
            message.id.as_str(),
            &params.page(Order::Ascending)?,
        )
        .await?;
    Ok(Json(ListResponse::from_page(
        page,
        |(endpoint, delivery)| MessageEndpointOut::render(endpoint, &delivery),
    )))
}

/// List the messages planned for an endpoint, with their delivery state, newest first.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/msg", tag = "Message Attempt", operation_id = "v1.message-attempt.list-attempted-messages",
    params(EndpointPath, ListParams, MessageFilters),
    responses((status = 200, description = "A page of messages with delivery state", body = ListResponse<EndpointMessageOut>)))]
async fn list_for_endpoint(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<ListResponse<EndpointMessageOut>>> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    let with_content = params.flag("with_content", true)?;
    let page = state
        .store
        .list_endpoint_deliveries(
            &app.id,
            &endpoint.id,
            &message_filter(&params)?,
            &params.page(Order::Descending)?,
        )
        .await?;
    Ok(Json(ListResponse::from_page(
        page,
        |(message, delivery)| EndpointMessageOut::render(message, &delivery, with_content),
    )))
}
