//! Attempt history: by endpoint, by message, and one attempt.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hookline_store::Order;
use hookline_store::query::{AttemptFilter, StatusCodeClass};

use super::lookup;
use super::message::message_filter;
use crate::error::{ApiError, ApiResult};
use crate::extract::Params;
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::ListResponse;
use crate::wire::attempt::MessageAttemptOut;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/app/{app_id}/attempt/endpoint/{endpoint_id}",
            get(by_endpoint),
        )
        .route("/app/{app_id}/attempt/msg/{msg_id}", get(by_message))
        .route("/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}", get(one))
}

pub(crate) fn attempt_filter(params: &Params) -> ApiResult<AttemptFilter> {
    let mut message = message_filter(params)?;
    // On attempts, `status` is the attempt's outcome, not the delivery's.
    let status = message.status.take();
    let status_code_class = params
        .int("status_code_class")?
        .map(|code| {
            StatusCodeClass::from_code(code).ok_or_else(|| {
                ApiError::field(
                    &["query", "status_code_class"],
                    "must be 0, 100, 200, 300, 400 or 500",
                )
            })
        })
        .transpose()?;
    Ok(AttemptFilter {
        status,
        status_code_class,
        message,
        ..AttemptFilter::default()
    })
}

/// List the attempts made to an endpoint, newest first.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}", tag = "Message Attempt", operation_id = "v1.message-attempt.list-by-endpoint",
    params(EndpointPath, ListParams, AttemptFilters),
    responses((status = 200, description = "A page of attempts", body = ListResponse<MessageAttemptOut>)))]
async fn by_endpoint(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<ListResponse<MessageAttemptOut>>> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    let filter = AttemptFilter {
        endpoint_id: Some(endpoint.id.to_string()),
        ..attempt_filter(&params)?
    };
    let page = state
        .store
        .list_attempts(&app.id, &filter, &params.page(Order::Descending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, MessageAttemptOut::from)))
}

/// List the attempts made for a message, newest first.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/attempt/msg/{msg_id}", tag = "Message Attempt", operation_id = "v1.message-attempt.list-by-msg",
    params(MessagePath, ListParams, AttemptFilters, AttemptEndpointFilter),
    responses((status = 200, description = "A page of attempts", body = ListResponse<MessageAttemptOut>)))]
async fn by_message(
    State(state): State<AppState>,
    Path((app_id, msg_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<ListResponse<MessageAttemptOut>>> {
    let app = lookup::app(&state, &app_id).await?;
    let message = lookup::message(&state, &app, &msg_id).await?;
    let endpoint_id = match params.get("endpoint_id") {
        Some(raw) => Some(lookup::endpoint(&state, &app, raw).await?.id.to_string()),
        None => None,
    };
    let filter = AttemptFilter {
        msg_id: Some(message.id.to_string()),
        endpoint_id,
        ..attempt_filter(&params)?
    };
    let page = state
        .store
        .list_attempts(&app.id, &filter, &params.page(Order::Descending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, MessageAttemptOut::from)))
}

/// Get one attempt.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}", tag = "Message Attempt", operation_id = "v1.message-attempt.get",
    params(AttemptPath),
    responses((status = 200, description = "The attempt", body = MessageAttemptOut)))]
async fn one(
    State(state): State<AppState>,
    Path((app_id, msg_id, attempt_id)): Path<(String, String, String)>,
) -> ApiResult<Json<MessageAttemptOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let message = lookup::message(&state, &app, &msg_id).await?;
    let filter = AttemptFilter {
        msg_id: Some(message.id.to_string()),
        attempt_id: Some(attempt_id),
        ..AttemptFilter::default()
    };
    let page = state
        .store
        .list_attempts(
            &app.id,
            &filter,
            &hookline_store::PageRequest::first(1, Order::Descending),
        )
        .await?;
    let attempt = page
        .items
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found("attempt"))?;
    Ok(Json(attempt.into()))
}
