//! `/app/{app_id}/endpoint/{endpoint_id}/headers`: extra headers sent with every delivery.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hookline_core::Timestamp;

use super::lookup;
use crate::error::ApiResult;
use crate::extract::ValidJson;
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::Checks;
use crate::wire::endpoint::{EndpointHeadersIn, EndpointHeadersOut, check_headers};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/app/{app_id}/endpoint/{endpoint_id}/headers",
        get(read).put(replace).patch(patch),
    )
}

/// Get the endpoint's extra headers (sensitive ones by name only).
#[utoipa::path(get, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/headers", tag = "Endpoint", operation_id = "v1.endpoint.get-headers",
    params(EndpointPath),
    responses((status = 200, description = "The headers", body = EndpointHeadersOut)))]
async fn read(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<EndpointHeadersOut>> {
    let app = lookup::app(&state, &app_id).await?;
    let endpoint = lookup::endpoint(&state, &app, &endpoint_id).await?;
    Ok(Json(EndpointHeadersOut::from(&endpoint.headers)))
}

/// Applies a change to the endpoint's headers after checking the result.
async fn update(
    state: &AppState,
    app_id: &str,
    endpoint_id: &str,
    change: impl FnOnce(&mut BTreeMap<String, String>),
) -> ApiResult<StatusCode> {
    let app = lookup::app(state, app_id).await?;
    let mut endpoint = lookup::endpoint(state, &app, endpoint_id).await?;
    change(&mut endpoint.headers);
    let mut checks = Checks::default();
    check_headers(&mut checks, &endpoint.headers);
    checks.done()?;
    endpoint.updated_at = Timestamp::now();
    state.store.update_endpoint(endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces all headers.
#[utoipa::path(put, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/headers", tag = "Endpoint", operation_id = "v1.endpoint.update-headers",
    params(EndpointPath), request_body = EndpointHeadersIn,
    responses((status = 204, description = "Replaced")))]
async fn replace(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<EndpointHeadersIn>,
) -> ApiResult<StatusCode> {
    update(&state, &app_id, &endpoint_id, |headers| {
        *headers = body
            .headers
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
    })
    .await
}

/// Sets the given headers; a `null` value removes that header.
#[utoipa::path(patch, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/headers", tag = "Endpoint", operation_id = "v1.endpoint.patch-headers",
    params(EndpointPath), request_body = EndpointHeadersIn,
    responses((status = 204, description = "Updated")))]
async fn patch(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<EndpointHeadersIn>,
) -> ApiResult<StatusCode> {
    update(&state, &app_id, &endpoint_id, |headers| {
        for (name, value) in body.headers {
            match value {
                Some(value) => headers.insert(name, value),
                None => headers.remove(&name),
            };
        }
    })
    .await
}
