//! `/app/{app_id}/endpoint`: endpoints (their secret is in `endpoint_secret`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hookline_core::model::{Application, Endpoint};
use hookline_core::{EndpointId, Timestamp, Uid};
use hookline_delivery::keyring::Keyring;
use hookline_store::Order;

use super::lookup;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson};
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::operational;
use crate::state::AppState;
use crate::wire::ListResponse;
use crate::wire::endpoint::{EndpointFields, EndpointIn, EndpointOut, EndpointPatch};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/{app_id}/endpoint", get(list).post(create))
        .route(
            "/app/{app_id}/endpoint/{endpoint_id}",
            get(read).put(replace).patch(patch).delete(remove),
        )
}

/// Refuses what cannot be judged from the fields alone: literal private addresses and event
/// types that do not exist (a typo there would silently deliver nothing).
async fn check_against_state(state: &AppState, endpoint: &Endpoint) -> ApiResult<()> {
    check_target(state, endpoint)?;
    let mut missing = Vec::new();
    for name in endpoint.event_types.iter().flatten() {
        if state.store.get_event_type(name.as_str()).await?.is_none() {
            missing.push(name.to_string());
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::field(
            &["body", "eventTypes"],
            format!(
                "unknown event types: {}; create them first",
                missing.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Refuses a URL whose literal address or scheme the target policy forbids (`body.url`).
pub(super) fn check_target(state: &AppState, endpoint: &Endpoint) -> ApiResult<()> {
    if let Some(ip) = endpoint.url.literal_ip()
        && let Err(refused) = state.config.policy.check(ip)
    {
        return Err(ApiError::field(&["body", "url"], refused.to_string()));
    }
    if let Err(why) = state
        .config
        .policy
        .check_scheme(endpoint.url.as_url().scheme())
    {
        return Err(ApiError::field(&["body", "url"], why));
    }
    Ok(())
}

fn build(state: &AppState, app: &Application, fields: EndpointFields, now: Timestamp) -> Endpoint {
    let signer = &state.signer;
    let key = fields
        .secret
        .unwrap_or_else(|| signer.default_key_kind().generate());
    Endpoint {
        id: EndpointId::generate(),
        app_id: app.id.clone(),
        uid: fields.uid,
        url: fields.url,
        description: fields.description,
        event_types: fields.event_types,
        channels: fields.channels,
        disabled: fields.disabled,
        throttle_rate: fields.throttle_rate,
        metadata: fields.metadata,
        headers: fields.headers.unwrap_or_default(),
        secret: signer.seal(&Keyring::new(key)),
        created_at: now,
        updated_at: now,
    }
}

/// List an application's endpoints, oldest first.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/endpoint", tag = "Endpoint", operation_id = "v1.endpoint.list",
    params(AppPath, ListParams),
    responses((status = 200, description = "A page of endpoints", body = ListResponse<EndpointOut>)))]
async fn list(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    params: Params,
) -> ApiResult<Json<ListResponse<EndpointOut>>> {
    let app = lookup::app(&state, &app_id).await?;
    let page = state
        .store
        .list_endpoints(&app.id, &params.page(Order::Ascending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, EndpointOut::from)))
}

/// Create an endpoint; its event types must exist.
#[utoipa::path(post, path = "/api/v1/app/{app_id}/endpoint", tag = "Endpoint", operation_id = "v1.endpoint.create",
    params(AppPath), request_body = EndpointIn,
    responses((status = 201, description = "The new endpoint", body = EndpointOut)))]
async fn create(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ValidJson(body): ValidJson<EndpointIn>,
) -> ApiResult<(StatusCode, Json<EndpointOut>)> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = build(&state, &app, body.validate()?, Timestamp::now());
    check_against_state(&state, &endpoint).await?;
    let endpoint = state.store.create_endpoint(endpoint).await?;
    operational::endpoint_created(&state, &app, &endpoint).await;
    Ok((StatusCode::CREATED, Json(endpoint.into())))
}

/// Get an endpoint.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}", tag = "Endpoint", operation_id = "v1.endpoint.get",
    params(EndpointPath),
    responses((status = 200, description = "The endpoint", body = EndpointOut)))]
async fn read(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<EndpointOut>> {
    let app = lookup::app(&state, &app_id).await?;
    Ok(Json(
        lookup::endpoint(&state, &app, &endpoint_id).await?.into(),
    ))
}

/// Replaces the endpoint's settings (its secret and headers are kept), creating it with the path
/// as its uid when absent.
#[utoipa::path(put, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}", tag = "Endpoint", operation_id = "v1.endpoint.update",
    params(EndpointPath), request_body = EndpointIn,
    responses(
        (status = 200, description = "The updated endpoint", body = EndpointOut),
        (status = 201, description = "The endpoint was created with the path as its uid", body = EndpointOut)))]
async fn replace(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<EndpointIn>,
) -> ApiResult<(StatusCode, Json<EndpointOut>)> {
    let app = lookup::app(&state, &app_id).await?;
    let mut fields = body.validate()?;
    let now = Timestamp::now();
    let Some(existing) = state.store.get_endpoint(&app.id, &endpoint_id).await? else {
        if fields.uid.is_none() {
            let uid = Uid::parse(endpoint_id)
                .map_err(|e| ApiError::field(&["path", "endpoint_id"], e.to_string()))?;
            fields.uid = Some(uid);
        }
        let endpoint = build(&state, &app, fields, now);
        check_against_state(&state, &endpoint).await?;
        let endpoint = state.store.create_endpoint(endpoint).await?;
        operational::endpoint_created(&state, &app, &endpoint).await;
        return Ok((StatusCode::CREATED, Json(endpoint.into())));
    };
    let before = existing.clone();
    let endpoint = Endpoint {
        uid: fields.uid,
        url: fields.url,
        description: fields.description,
        event_types: fields.event_types,
        channels: fields.channels,
        disabled: fields.disabled,
        throttle_rate: fields.throttle_rate,
        metadata: fields.metadata,
        updated_at: now,
        ..existing
    };
    check_against_state(&state, &endpoint).await?;
    let endpoint = state.store.update_endpoint(endpoint).await?;
    operational::endpoint_updated(&state, &app, &before, &endpoint).await;
    Ok((StatusCode::OK, Json(endpoint.into())))
}

/// Change some fields of an endpoint.
#[utoipa::path(patch, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}", tag = "Endpoint", operation_id = "v1.endpoint.patch",
    params(EndpointPath), request_body = EndpointPatch,
    responses((status = 200, description = "The updated endpoint", body = EndpointOut)))]
async fn patch(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<EndpointPatch>,
) -> ApiResult<Json<EndpointOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let mut endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    let before = endpoint.clone();
    body.apply(&mut endpoint, Timestamp::now())?;
    check_against_state(&state, &endpoint).await?;
    let endpoint = state.store.update_endpoint(endpoint).await?;
    operational::endpoint_updated(&state, &app, &before, &endpoint).await;
    Ok(Json(endpoint.into()))
}

/// Delete an endpoint.
#[utoipa::path(delete, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}", tag = "Endpoint", operation_id = "v1.endpoint.delete",
    params(EndpointPath),
    responses((status = 204, description = "Deleted")))]
async fn remove(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    state.store.delete_endpoint(&app.id, &endpoint.id).await?;
    operational::endpoint_deleted(&state, &app, &endpoint).await;
    Ok(StatusCode::NO_CONTENT)
}
