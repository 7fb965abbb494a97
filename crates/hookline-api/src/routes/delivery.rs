//! Delivery-engine resources: an endpoint's throttling status and delivery settings, and an event
//! type's retry schedule.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hookline_core::{EventTypeName, Timestamp};

use super::lookup;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::delivery::{DeliverySettingsInOut, RetryScheduleInOut, ThrottleStatusOut};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/app/{app_id}/endpoint/{endpoint_id}/rate-limit-status",
            get(rate_limit_status),
        )
        .route(
            "/app/{app_id}/endpoint/{endpoint_id}/delivery-settings",
            get(read_settings).put(replace_settings),
        )
        .route(
            "/event-type/{name}/retry-schedule",
            get(read_schedule).put(replace_schedule),
        )
}

/// Get whether deliveries to the endpoint are being held back, and why.
///
/// `RateLimited` while the endpoint's circuit is open or it asked to slow down (429/503); the
/// circuit fields are a Hookline extension.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/rate-limit-status", tag = "Endpoint", operation_id = "v1.endpoint.get-throttling-status",
    params(EndpointPath),
    responses((status = 200, description = "The endpoint's throttling status", body = ThrottleStatusOut)))]
async fn rate_limit_status(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<ThrottleStatusOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    let health = state.store.endpoint_health(&endpoint.id).await?;
    Ok(Json(ThrottleStatusOut::new(health, Timestamp::now())))
}

/// Get the endpoint's delivery settings: ordering, concurrency, timeout, retry schedule.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/delivery-settings", tag = "Endpoint", operation_id = "v1.endpoint.get-delivery-settings",
    params(EndpointPath),
    responses((status = 200, description = "The endpoint's delivery settings", body = DeliverySettingsInOut)))]
async fn read_settings(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<DeliverySettingsInOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    let settings = state.store.delivery_settings(&endpoint.id).await?;
    Ok(Json(DeliverySettingsInOut::from_settings(&settings)))
}

/// Replace the endpoint's delivery settings; absent fields return to the defaults.
#[utoipa::path(put, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/delivery-settings", tag = "Endpoint", operation_id = "v1.endpoint.set-delivery-settings",
    params(EndpointPath), request_body = DeliverySettingsInOut,
    responses((status = 200, description = "The saved settings", body = DeliverySettingsInOut)))]
async fn replace_settings(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<DeliverySettingsInOut>,
) -> ApiResult<Json<DeliverySettingsInOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    let settings = body.validate()?;
    let saved = state
        .store
        .set_delivery_settings(&endpoint.id, settings, Timestamp::now())
        .await?;
    Ok(Json(DeliverySettingsInOut::from_settings(&saved)))
}

async fn event_type(state: &AppState, name: &str) -> ApiResult<EventTypeName> {
    let found = state
        .store
        .get_event_type(name)
        .await?
        .ok_or_else(|| ApiError::not_found("event type"))?;
    Ok(found.name)
}

/// Get the event type's retry schedule (`null`: the server's default).
#[utoipa::path(get, path = "/api/v1/event-type/{name}/retry-schedule", tag = "Event Type", operation_id = "v1.event-type.get-retry-schedule",
    params(EventTypePath),
    responses((status = 200, description = "The retry schedule", body = RetryScheduleInOut)))]
async fn read_schedule(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<RetryScheduleInOut>> {
    let name = event_type(&state, &name).await?;
    let schedule = state.store.event_type_retry_schedule(&name).await?;
    Ok(Json(RetryScheduleInOut::from_schedule(schedule.as_ref())))
}

/// Set the event type's retry schedule; `null` returns to the server's default.
#[utoipa::path(put, path = "/api/v1/event-type/{name}/retry-schedule", tag = "Event Type", operation_id = "v1.event-type.set-retry-schedule",
    params(EventTypePath), request_body = RetryScheduleInOut,
    responses((status = 200, description = "The saved retry schedule", body = RetryScheduleInOut)))]
async fn replace_schedule(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ValidJson(body): ValidJson<RetryScheduleInOut>,
) -> ApiResult<Json<RetryScheduleInOut>> {
    let name = event_type(&state, &name).await?;
    let schedule = body.validate()?;
    state
        .store
        .set_event_type_retry_schedule(&name, schedule.clone(), Timestamp::now())
        .await?;
    Ok(Json(RetryScheduleInOut::from_schedule(schedule.as_ref())))
}
