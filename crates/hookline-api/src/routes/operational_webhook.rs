//! `/operational-webhook/endpoint`: the operator's endpoints for Hookline's own events
//! (`endpoint.*`, `message.attempt.*`; see `hookline_core::operational`).
//!
//! They are endpoints of the internal `operational` application, so the engine signs, retries
//! and records their deliveries like any other. Application-scoped keys are refused by the
//! access rules (these routes are not under `/app/{app_id}`). Changes to these endpoints emit
//! no operational events: Hookline never reports on its own reporting.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use hookline_core::model::Endpoint;
use hookline_core::operational::{OPERATIONAL_EVENT_TYPES, operational_app_id};
use hookline_core::{EndpointId, Timestamp};
use hookline_delivery::keyring::{DEFAULT_GRACE, KeyKind, Keyring};
use hookline_store::Order;
use utoipa::IntoParams;

use super::endpoint::check_target;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson, parse_json};
use crate::idempotency::NoReplay;
use crate::keyrings;
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::endpoint::{
    EndpointFields, EndpointHeadersIn, EndpointHeadersOut, EndpointIn, EndpointOut, check_headers,
};
use crate::wire::secret::{EndpointSecretOut, EndpointSecretRotateIn};
use crate::wire::{Checks, ListResponse};

const ONE: &str = "/operational-webhook/endpoint/{endpoint_id}";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/operational-webhook/endpoint", get(list).post(create))
        .route(ONE, get(read).put(replace).delete(remove))
        .route(
            "/operational-webhook/endpoint/{endpoint_id}/secret",
            get(secret),
        )
        .route(
            "/operational-webhook/endpoint/{endpoint_id}/secret/rotate",
            post(rotate),
        )
        .route(
            "/operational-webhook/endpoint/{endpoint_id}/headers",
            get(headers).put(set_headers),
        )
}

/// `{endpoint_id}` of an operational endpoint.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct OperationalEndpointPath {
    /// The endpoint's id (`ep_...`) or uid.
    #[param(example = "ops", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    endpoint_id: String,
}

/// Refuses event types Hookline never emits (`body.eventTypes`), and forbidden targets.
fn check(state: &AppState, endpoint: &Endpoint) -> ApiResult<()> {
    check_target(state, endpoint)?;
    let unknown: Vec<&str> = endpoint
        .event_types
        .iter()
        .flatten()
        .map(|t| t.as_str())
        .filter(|t| !OPERATIONAL_EVENT_TYPES.contains(t))
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::field(
            &["body", "eventTypes"],
            format!(
                "not operational event types: {}; use {}",
                unknown.join(", "),
                OPERATIONAL_EVENT_TYPES.join(", ")
            ),
        ));
    }
    Ok(())
}

fn build(state: &AppState, fields: EndpointFields, now: Timestamp) -> Endpoint {
    let key = fields
        .secret
        .unwrap_or_else(|| state.signer.default_key_kind().generate());
    Endpoint {
        id: EndpointId::generate(),
        app_id: operational_app_id(),
        uid: fields.uid,
        url: fields.url,
        description: fields.description,
        event_types: fields.event_types,
        channels: None,
        disabled: fields.disabled,
        throttle_rate: fields.throttle_rate,
        metadata: fields.metadata,
        headers: fields.headers.unwrap_or_default(),
        secret: state.signer.seal(&Keyring::new(key)),
        created_at: now,
        updated_at: now,
    }
}

async fn find(state: &AppState, id_or_uid: &str) -> ApiResult<Endpoint> {
    state
        .store
        .get_endpoint(&operational_app_id(), id_or_uid)
        .await?
        .ok_or_else(|| ApiError::not_found("operational webhook endpoint"))
}

/// List the operational webhook endpoints, oldest first.
#[utoipa::path(get, path = "/api/v1/operational-webhook/endpoint", tag = "Webhook Endpoint",
    operation_id = "v1.operational-webhook.endpoint.list", params(ListParams),
    responses((status = 200, description = "A page of operational webhook endpoints", body = ListResponse<EndpointOut>)))]
async fn list(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<ListResponse<EndpointOut>>> {
    let page = state
        .store
        .list_endpoints(&operational_app_id(), &params.page(Order::Ascending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, EndpointOut::from)))
}

/// Create an operational webhook endpoint; `eventTypes` (or `filterTypes`) filters the events.
#[utoipa::path(post, path = "/api/v1/operational-webhook/endpoint", tag = "Webhook Endpoint",
    operation_id = "v1.operational-webhook.endpoint.create", request_body = EndpointIn,
    responses((status = 201, description = "The new endpoint", body = EndpointOut)))]
async fn create(
    State(state): State<AppState>,
    ValidJson(body): ValidJson<EndpointIn>,
) -> ApiResult<(StatusCode, Json<EndpointOut>)> {
    let endpoint = build(&state, body.validate()?, Timestamp::now());
    check(&state, &endpoint)?;
    let endpoint = state.store.create_endpoint(endpoint).await?;
    Ok((StatusCode::CREATED, Json(endpoint.into())))
}

/// Get an operational webhook endpoint.
#[utoipa::path(get, path = "/api/v1/operational-webhook/endpoint/{endpoint_id}", tag = "Webhook Endpoint",
    operation_id = "v1.operational-webhook.endpoint.get", params(OperationalEndpointPath),
    responses((status = 200, description = "The endpoint", body = EndpointOut)))]
async fn read(
    State(state): State<AppState>,
    Path(endpoint_id): Path<String>,
) -> ApiResult<Json<EndpointOut>> {
    Ok(Json(find(&state, &endpoint_id).await?.into()))
}

/// Replace an operational webhook endpoint's settings (secret and headers are kept).
#[utoipa::path(put, path = "/api/v1/operational-webhook/endpoint/{endpoint_id}", tag = "Webhook Endpoint",
    operation_id = "v1.operational-webhook.endpoint.upsert", params(OperationalEndpointPath),
    request_body = EndpointIn,
    responses((status = 200, description = "The updated endpoint", body = EndpointOut)))]
async fn replace(
    State(state): State<AppState>,
    Path(endpoint_id): Path<String>,
    ValidJson(body): ValidJson<EndpointIn>,
) -> ApiResult<Json<EndpointOut>> {
    let fields = body.validate()?;
    let existing = find(&state, &endpoint_id).await?;
    let endpoint = Endpoint {
        uid: fields.uid,
        url: fields.url,
        description: fields.description,
        event_types: fields.event_types,
        disabled: fields.disabled,
        throttle_rate: fields.throttle_rate,
        metadata: fields.metadata,
        updated_at: Timestamp::now(),
        ..existing
    };
    check(&state, &endpoint)?;
    Ok(Json(state.store.update_endpoint(endpoint).await?.into()))
}

/// Delete an operational webhook endpoint.
#[utoipa::path(delete, path = "/api/v1/operational-webhook/endpoint/{endpoint_id}", tag = "Webhook Endpoint",
    operation_id = "v1.operational-webhook.endpoint.delete", params(OperationalEndpointPath),
    responses((status = 204, description = "Deleted")))]
async fn remove(
    State(state): State<AppState>,
    Path(endpoint_id): Path<String>,
) -> ApiResult<StatusCode> {
    let endpoint = find(&state, &endpoint_id).await?;
    state
        .store
        .delete_endpoint(&endpoint.app_id, &endpoint.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Get the secret the endpoint's webhooks are signed with.
#[utoipa::path(get, path = "/api/v1/operational-webhook/endpoint/{endpoint_id}/secret", tag = "Webhook Endpoint",
    operation_id = "v1.operational-webhook.endpoint.get-secret", params(OperationalEndpointPath),
    responses((status = 200, description = "The current signing secret", body = EndpointSecretOut)))]
async fn secret(
    State(state): State<AppState>,
    Path(endpoint_id): Path<String>,
) -> ApiResult<Json<EndpointSecretOut>> {
    let endpoint = find(&state, &endpoint_id).await?;
    let keyring = keyrings::open(&state, &endpoint)?;
    Ok(Json(EndpointSecretOut::for_key(keyring.current())))
}

/// Make a new secret current (body `{"key"?, "gracePeriodSeconds"?}`, or none); the old one
/// keeps signing for `gracePeriodSeconds` (default 24 h).
#[utoipa::path(post, path = "/api/v1/operational-webhook/endpoint/{endpoint_id}/secret/rotate", tag = "Webhook Endpoint",
    operation_id = "v1.operational-webhook.endpoint.rotate-secret", params(OperationalEndpointPath),
    responses((status = 204, description = "Rotated")))]
async fn rotate(
    State(state): State<AppState>,
    Path(endpoint_id): Path<String>,
    body: Bytes,
) -> ApiResult<(Extension<NoReplay>, StatusCode)> {
    // The SDKs may send `{}` or nothing at all; both mean "generate, default grace".
    let request: EndpointSecretRotateIn = if body.iter().all(u8::is_ascii_whitespace) {
        EndpointSecretRotateIn::default()
    } else {
        parse_json(&body)?
    };
    let rotation = request.validate()?;
    let grace = rotation.grace.unwrap_or(DEFAULT_GRACE);
    keyrings::change(&state, &operational_app_id(), &endpoint_id, |keyring| {
        let key = rotation
            .key
            .clone()
            .unwrap_or_else(|| KeyKind::of(keyring.current()).generate());
        keyring.rotate(key, Timestamp::now(), grace);
    })
    .await?;
    Ok((Extension(NoReplay), StatusCode::NO_CONTENT))
}

/// Get the extra headers sent with the endpoint's webhooks (sensitive ones by name only).
#[utoipa::path(get, path = "/api/v1/operational-webhook/endpoint/{endpoint_id}/headers", tag = "Webhook Endpoint",
    operation_id = "v1.operational-webhook.endpoint.get-headers", params(OperationalEndpointPath),
    responses((status = 200, description = "The headers", body = EndpointHeadersOut)))]
async fn headers(
    State(state): State<AppState>,
    Path(endpoint_id): Path<String>,
) -> ApiResult<Json<EndpointHeadersOut>> {
    let endpoint = find(&state, &endpoint_id).await?;
    Ok(Json(EndpointHeadersOut::from(&endpoint.headers)))
}

/// Replace the extra headers sent with the endpoint's webhooks.
#[utoipa::path(put, path = "/api/v1/operational-webhook/endpoint/{endpoint_id}/headers", tag = "Webhook Endpoint",
    operation_id = "v1.operational-webhook.endpoint.set-headers", params(OperationalEndpointPath),
    request_body = EndpointHeadersIn,
    responses((status = 204, description = "Replaced")))]
async fn set_headers(
    State(state): State<AppState>,
    Path(endpoint_id): Path<String>,
    ValidJson(body): ValidJson<EndpointHeadersIn>,
) -> ApiResult<StatusCode> {
    let mut endpoint = find(&state, &endpoint_id).await?;
    endpoint.headers = body
        .headers
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    let mut checks = Checks::default();
    check_headers(&mut checks, &endpoint.headers);
    checks.done()?;
    endpoint.updated_at = Timestamp::now();
    state.store.update_endpoint(endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}
