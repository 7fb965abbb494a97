//! Delivery-engine resources: an endpoint's throttling status and delivery settings, and an event
//! type's retry schedule.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hookline_core::{EventTypeName, Timestamp};

use super::lookup;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
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

async fn rate_limit_status(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<ThrottleStatusOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    let health = state.store.endpoint_health(&endpoint.id).await?;
    Ok(Json(ThrottleStatusOut::new(health, Timestamp::now())))
}

async fn read_settings(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<DeliverySettingsInOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    let settings = state.store.delivery_settings(&endpoint.id).await?;
    Ok(Json(DeliverySettingsInOut::from_settings(&settings)))
}

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

async fn read_schedule(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<RetryScheduleInOut>> {
    let name = event_type(&state, &name).await?;
    let schedule = state.store.event_type_retry_schedule(&name).await?;
    Ok(Json(RetryScheduleInOut::from_schedule(schedule.as_ref())))
}

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
