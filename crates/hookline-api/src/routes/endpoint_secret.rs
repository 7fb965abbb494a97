//! `/app/{app_id}/endpoint/{endpoint_id}/secret`: reading and rotating an endpoint's signing
//! key, and `/signing`: its key type and header names.
//!
//! The stored keyring is sealed (encrypted at rest); handlers open it, change it and seal it
//! again. The private half of an ed25519 key is never returned.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use hookline_core::Timestamp;
use hookline_core::model::Endpoint;
use hookline_delivery::keyring::{DEFAULT_GRACE, KeyKind, Keyring};

use super::lookup;
use crate::error::ApiResult;
use crate::extract::{ValidJson, parse_json};
use crate::idempotency::NoReplay;
use crate::keyrings;
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::secret::{
    EndpointSecretOut, EndpointSecretRotateIn, EndpointSigningIn, EndpointSigningOut,
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/{app_id}/endpoint/{endpoint_id}/secret", get(read))
        .route(
            "/app/{app_id}/endpoint/{endpoint_id}/secret/rotate",
            post(rotate),
        )
        .route(
            "/app/{app_id}/endpoint/{endpoint_id}/signing",
            get(signing).patch(set_signing),
        )
}

async fn load(state: &AppState, app_id: &str, endpoint_id: &str) -> ApiResult<(Endpoint, Keyring)> {
    let app = lookup::app(state, app_id).await?;
    let endpoint = lookup::endpoint(state, &app, endpoint_id).await?;
    let keyring = keyrings::open(state, &endpoint)?;
    Ok((endpoint, keyring))
}

/// Applies `change` to the endpoint's keyring (see [`keyrings::change`]).
async fn change_keyring(
    state: &AppState,
    app_id: &str,
    endpoint_id: &str,
    change: impl FnMut(&mut Keyring),
) -> ApiResult<Keyring> {
    let app = lookup::app(state, app_id).await?;
    keyrings::change(state, &app.id, endpoint_id, change).await
}

/// Get the endpoint's signing secret.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret", tag = "Endpoint", operation_id = "v1.endpoint.get-secret",
    params(EndpointPath),
    responses((status = 200, description = "The current signing secret (`whsec_...`, or `whpk_...` for ed25519)", body = EndpointSecretOut)))]
async fn read(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<EndpointSecretOut>> {
    let (_, keyring) = load(&state, &app_id, &endpoint_id).await?;
    Ok(Json(EndpointSecretOut::for_key(keyring.current())))
}

/// Rotate the endpoint's signing secret.
///
/// Makes a new key current; the old ones keep signing for the grace period. Answers 200 with
/// the new key (the official SDKs read a body; the reference says 204). The answer holds a
/// secret, so an `Idempotency-Key` never stores it for replay. An empty body is the same as `{}`.
#[utoipa::path(post, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate", tag = "Endpoint", operation_id = "v1.endpoint.rotate-secret",
    params(EndpointPath), request_body = EndpointSecretRotateIn,
    responses((status = 200, description = "The new current secret", body = EndpointSecretOut)))]
async fn rotate(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<(Extension<NoReplay>, Json<EndpointSecretOut>)> {
    // The SDKs send `{}` or nothing at all; both mean "generate, default grace".
    let request: EndpointSecretRotateIn = if body.iter().all(u8::is_ascii_whitespace) {
        EndpointSecretRotateIn::default()
    } else {
        parse_json(&body)?
    };
    let rotation = request.validate()?;
    let grace = rotation.grace.unwrap_or(DEFAULT_GRACE);
    let keyring = change_keyring(&state, &app_id, &endpoint_id, |keyring| {
        let key = rotation
            .key
            .clone()
            .unwrap_or_else(|| KeyKind::of(keyring.current()).generate());
        keyring.rotate(key, Timestamp::now(), grace);
    })
    .await?;
    Ok((
        Extension(NoReplay),
        Json(EndpointSecretOut::for_key(keyring.current())),
    ))
}

fn signing_out(state: &AppState, keyring: &Keyring) -> EndpointSigningOut {
    EndpointSigningOut {
        key_type: match KeyKind::of(keyring.current()) {
            KeyKind::Hmac => "hmac",
            KeyKind::Ed25519 => "ed25519",
        },
        header_style: keyring.header_style(),
        effective_header_style: keyring
            .header_style()
            .unwrap_or(state.signer.default_header_style()),
        active_keys: keyring.signing_keys(Timestamp::now()).len(),
    }
}

/// Get how the endpoint's webhooks are signed: key type and header names.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/signing", tag = "Endpoint", operation_id = "v1.endpoint.get-signing",
    params(EndpointPath),
    responses((status = 200, description = "The endpoint's signing settings", body = EndpointSigningOut)))]
async fn signing(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> ApiResult<Json<EndpointSigningOut>> {
    let (_, keyring) = load(&state, &app_id, &endpoint_id).await?;
    Ok(Json(signing_out(&state, &keyring)))
}

/// Choose the header names the endpoint's signatures travel in (`webhook` or `svix`).
#[utoipa::path(patch, path = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/signing", tag = "Endpoint", operation_id = "v1.endpoint.patch-signing",
    params(EndpointPath), request_body = EndpointSigningIn,
    responses((status = 200, description = "The endpoint's signing settings", body = EndpointSigningOut)))]
async fn set_signing(
    State(state): State<AppState>,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    ValidJson(body): ValidJson<EndpointSigningIn>,
) -> ApiResult<Json<EndpointSigningOut>> {
    let keyring = match body.validate()? {
        Some(style) => {
            change_keyring(&state, &app_id, &endpoint_id, |k| k.set_header_style(style)).await?
        }
        None => load(&state, &app_id, &endpoint_id).await?.1,
    };
    Ok(Json(signing_out(&state, &keyring)))
}
