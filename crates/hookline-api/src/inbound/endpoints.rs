//! `/ingest/api/v1/source/{source_id}/endpoint`: where a source's events are forwarded.
//!
//! They are endpoints of the source's internal application, so the delivery engine signs,
//! retries and records forwarding exactly as it does for any other webhook. Every endpoint
//! receives every event of its source (no event-type or channel filters).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use hookline_core::model::Endpoint;
use hookline_core::source::Source;
use hookline_core::{EndpointId, Timestamp, Uid};
use hookline_delivery::keyring::{DEFAULT_GRACE, KeyKind, Keyring};
use hookline_signature::SigningKey;
use hookline_store::Order;
use serde::Deserialize;

#[allow(unused_imports)]
use super::openapi::*;
use super::sources::lookup;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson, parse_json};
use crate::keyrings;
#[allow(unused_imports)]
use crate::openapi::params::ListParams;
use crate::state::AppState;
use crate::wire::endpoint::{
    EndpointFields, EndpointHeadersIn, EndpointHeadersOut, EndpointIn, EndpointOut, check_headers,
};
use crate::wire::secret::EndpointSecretOut;
use crate::wire::{Checks, ListResponse};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/source/{source_id}/endpoint", get(list).post(create))
        .route(
            "/source/{source_id}/endpoint/{endpoint_id}",
            get(read).put(replace).delete(remove),
        )
        .route(
            "/source/{source_id}/endpoint/{endpoint_id}/secret",
            get(secret),
        )
        .route(
            "/source/{source_id}/endpoint/{endpoint_id}/secret/rotate",
            post(rotate_secret),
        )
        .route(
            "/source/{source_id}/endpoint/{endpoint_id}/headers",
            get(read_headers).put(replace_headers),
        )
}

/// `IngestEndpointSecretIn`: the key to make current, or none for a fresh one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"key": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"}))]
#[serde(rename_all = "camelCase")]
pub(crate) struct IngestEndpointSecretIn {
    /// `whsec_` + base64 of 24 to 64 bytes, or a `whsk_` ed25519 private key; generated (of the
    /// current key's kind) when absent or `null`.
    #[schema(example = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")]
    key: Option<String>,
}

async fn endpoint(state: &AppState, source: &Source, id_or_uid: &str) -> ApiResult<Endpoint> {
    state
        .store
        .get_endpoint(&source.app_id, id_or_uid)
        .await?
        .ok_or_else(|| ApiError::not_found("endpoint"))
}

/// Refuses literal addresses the outbound policy forbids (named hosts are checked at connect).
fn check_target(state: &AppState, endpoint: &Endpoint) -> ApiResult<()> {
    if let Some(ip) = endpoint.url.literal_ip()
        && let Err(refused) = state.config.policy.check(ip)
    {
        return Err(ApiError::field(&["body", "url"], refused.to_string()));
    }
    Ok(())
}

fn build(state: &AppState, source: &Source, fields: EndpointFields, now: Timestamp) -> Endpoint {
    let key = fields
        .secret
        .unwrap_or_else(|| state.signer.default_key_kind().generate());
    Endpoint {
        id: EndpointId::generate(),
        app_id: source.app_id.clone(),
        uid: fields.uid,
        url: fields.url,
        description: fields.description,
        event_types: None,
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

/// List a source's forwarding endpoints, oldest first.
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/endpoint", tag = "Ingest Endpoint", operation_id = "v1.ingest.endpoint.list",
    params(SourcePath, ListParams),
    responses((status = 200, description = "A page of endpoints", body = ListResponse<IngestEndpointOut>)))]
async fn list(
    State(state): State<AppState>,
    Path(source_id): Path<String>,
    params: Params,
) -> ApiResult<Json<ListResponse<EndpointOut>>> {
    let source = lookup(&state, &source_id).await?;
    let page = state
        .store
        .list_endpoints(&source.app_id, &params.page(Order::Ascending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, EndpointOut::from)))
}

/// Create a forwarding endpoint: it receives every event the source accepts from now on,
/// signed with its own secret.
#[utoipa::path(post, path = "/ingest/api/v1/source/{source_id}/endpoint", tag = "Ingest Endpoint", operation_id = "v1.ingest.endpoint.create",
    params(SourcePath), request_body = IngestEndpointIn,
    responses((status = 201, description = "The new endpoint", body = IngestEndpointOut)))]
async fn create(
    State(state): State<AppState>,
    Path(source_id): Path<String>,
    ValidJson(body): ValidJson<EndpointIn>,
) -> ApiResult<(StatusCode, Json<EndpointOut>)> {
    let source = lookup(&state, &source_id).await?;
    let endpoint = build(&state, &source, body.validate()?, Timestamp::now());
    check_target(&state, &endpoint)?;
    let endpoint = state.store.create_endpoint(endpoint).await?;
    Ok((StatusCode::CREATED, Json(endpoint.into())))
}

/// Get a forwarding endpoint.
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}", tag = "Ingest Endpoint", operation_id = "v1.ingest.endpoint.get",
    params(SourceEndpointPath),
    responses((status = 200, description = "The endpoint", body = IngestEndpointOut)))]
async fn read(
    State(state): State<AppState>,
    Path((source_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<EndpointOut>> {
    let source = lookup(&state, &source_id).await?;
    Ok(Json(endpoint(&state, &source, &endpoint_id).await?.into()))
}

/// Replaces the endpoint's settings (secret and headers kept), creating it with the path as its
/// uid when absent.
#[utoipa::path(put, path = "/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}", tag = "Ingest Endpoint", operation_id = "v1.ingest.endpoint.upsert",
    params(SourceEndpointPath), request_body = IngestEndpointUpsertIn,
    responses(
        (status = 200, description = "The updated endpoint", body = IngestEndpointOut),
        (status = 201, description = "The endpoint was created with the path as its uid", body = IngestEndpointOut)))]
async fn replace(
    State(state): State<AppState>,
    Path((source_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<EndpointIn>,
) -> ApiResult<(StatusCode, Json<EndpointOut>)> {
    let source = lookup(&state, &source_id).await?;
    let mut fields = body.validate()?;
    let now = Timestamp::now();
    let Some(existing) = state
        .store
        .get_endpoint(&source.app_id, &endpoint_id)
        .await?
    else {
        if fields.uid.is_none() {
            let uid = Uid::parse(endpoint_id)
                .map_err(|e| ApiError::field(&["path", "endpoint_id"], e.to_string()))?;
            fields.uid = Some(uid);
        }
        let endpoint = build(&state, &source, fields, now);
        check_target(&state, &endpoint)?;
        let endpoint = state.store.create_endpoint(endpoint).await?;
        return Ok((StatusCode::CREATED, Json(endpoint.into())));
    };
    let endpoint = Endpoint {
        uid: fields.uid,
        url: fields.url,
        description: fields.description,
        disabled: fields.disabled,
        throttle_rate: fields.throttle_rate,
        metadata: fields.metadata,
        updated_at: now,
        ..existing
    };
    check_target(&state, &endpoint)?;
    Ok((
        StatusCode::OK,
        Json(state.store.update_endpoint(endpoint).await?.into()),
    ))
}

/// Delete a forwarding endpoint; its pending forwards are dropped.
#[utoipa::path(delete, path = "/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}", tag = "Ingest Endpoint", operation_id = "v1.ingest.endpoint.delete",
    params(SourceEndpointPath),
    responses((status = 204, description = "Deleted")))]
async fn remove(
    State(state): State<AppState>,
    Path((source_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let source = lookup(&state, &source_id).await?;
    let endpoint = endpoint(&state, &source, &endpoint_id).await?;
    state
        .store
        .delete_endpoint(&source.app_id, &endpoint.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The key a receiver verifies forwarded events with (`whsec_...`, or `whpk_...` for ed25519).
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/secret", tag = "Ingest Endpoint", operation_id = "v1.ingest.endpoint.get-secret",
    params(SourceEndpointPath),
    responses((status = 200, description = "The current key", body = IngestEndpointSecretOut)))]
async fn secret(
    State(state): State<AppState>,
    Path((source_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<EndpointSecretOut>> {
    let source = lookup(&state, &source_id).await?;
    let endpoint = endpoint(&state, &source, &endpoint_id).await?;
    let keyring = keyrings::open(&state, &endpoint)?;
    Ok(Json(EndpointSecretOut::for_key(keyring.current())))
}

/// Makes the given key or a fresh one current (204, as in the contract; the body may be
/// empty). As for application endpoints, the previous key keeps signing for 24 hours so the
/// receiver can switch without dropping events.
#[utoipa::path(post, path = "/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/secret/rotate", tag = "Ingest Endpoint", operation_id = "v1.ingest.endpoint.rotate-secret",
    params(SourceEndpointPath),
    request_body(content = IngestEndpointSecretIn, description = "Optional: an empty body rotates to a fresh key"),
    responses((status = 204, description = "Rotated")))]
async fn rotate_secret(
    State(state): State<AppState>,
    Path((source_id, endpoint_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body: IngestEndpointSecretIn = if body.iter().all(u8::is_ascii_whitespace) {
        IngestEndpointSecretIn { key: None }
    } else {
        parse_json(&body)?
    };
    let given = match body.key.as_deref() {
        Some(key) => Some(
            SigningKey::parse(key).map_err(|e| ApiError::field(&["body", "key"], e.to_string()))?,
        ),
        None => None,
    };
    let source = lookup(&state, &source_id).await?;
    keyrings::change(&state, &source.app_id, &endpoint_id, |keyring| {
        let key = given
            .clone()
            .unwrap_or_else(|| KeyKind::of(keyring.current()).generate());
        keyring.rotate(key, Timestamp::now(), DEFAULT_GRACE);
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The extra headers sent with every forwarded event; sensitive ones are listed by name only.
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/headers", tag = "Ingest Endpoint", operation_id = "v1.ingest.endpoint.get-headers",
    params(SourceEndpointPath),
    responses((status = 200, description = "The headers", body = IngestEndpointHeadersOut)))]
async fn read_headers(
    State(state): State<AppState>,
    Path((source_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<EndpointHeadersOut>> {
    let source = lookup(&state, &source_id).await?;
    let endpoint = endpoint(&state, &source, &endpoint_id).await?;
    Ok(Json(EndpointHeadersOut::from(&endpoint.headers)))
}

/// Replace the extra headers sent with every forwarded event.
#[utoipa::path(put, path = "/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/headers", tag = "Ingest Endpoint", operation_id = "v1.ingest.endpoint.set-headers",
    params(SourceEndpointPath), request_body = IngestEndpointHeadersIn,
    responses((status = 204, description = "Replaced")))]
async fn replace_headers(
    State(state): State<AppState>,
    Path((source_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<EndpointHeadersIn>,
) -> ApiResult<StatusCode> {
    let source = lookup(&state, &source_id).await?;
    let mut endpoint = endpoint(&state, &source, &endpoint_id).await?;
    let headers: BTreeMap<String, String> = body
        .headers
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    let mut checks = Checks::default();
    check_headers(&mut checks, &headers);
    checks.done()?;
    endpoint.headers = headers;
    endpoint.updated_at = Timestamp::now();
    state.store.update_endpoint(endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}
