//! `/api-key`: creating, listing and revoking API keys (a Hookline extension; admin token only,
//! enforced by [`crate::auth::access`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use hookline_core::{KeyId, Timestamp};
use hookline_store::Order;
use hookline_store::keys::{ApiKey, KeyScope};

use super::lookup;
use crate::auth::principal::NewToken;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson};
use crate::idempotency::NoReplay;
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::ListResponse;
use crate::wire::api_key::{ApiKeyCreatedOut, ApiKeyIn, ApiKeyOut};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api-key", get(list).post(create))
        .route("/api-key/{key_id}", get(read).delete(revoke))
}

fn key_id(raw: &str) -> ApiResult<KeyId> {
    KeyId::parse(raw).ok_or_else(|| ApiError::not_found("API key"))
}

/// List API keys, oldest first (admin token only; tokens are never shown).
#[utoipa::path(get, path = "/api/v1/api-key", tag = "API Key", operation_id = "v1.api-key.list",
    params(ListParams),
    responses(
        (status = 200, description = "A page of keys", body = ListResponse<ApiKeyOut>),
        (status = 403, description = "Only the admin token manages keys", body = crate::error::HttpErrorOut)))]
async fn list(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<ListResponse<ApiKeyOut>>> {
    let page = state
        .store
        .list_api_keys(&params.page(Order::Ascending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, ApiKeyOut::from)))
}

/// Create an API key: organisation-wide, or bound to one application (admin token only).
///
/// The token is in this answer only; it is stored as a digest and cannot be shown again.
#[utoipa::path(post, path = "/api/v1/api-key", tag = "API Key", operation_id = "v1.api-key.create",
    request_body = ApiKeyIn,
    responses(
        (status = 201, description = "The new key with its token", body = ApiKeyCreatedOut),
        (status = 404, description = "`appId` names no application", body = crate::error::HttpErrorOut),
        (status = 403, description = "Only the admin token manages keys", body = crate::error::HttpErrorOut)))]
async fn create(
    State(state): State<AppState>,
    ValidJson(body): ValidJson<ApiKeyIn>,
) -> ApiResult<(StatusCode, Extension<NoReplay>, Json<ApiKeyCreatedOut>)> {
    let now = Timestamp::now();
    let fields = body.validate(now)?;
    let scope = match &fields.app_id {
        None => KeyScope::Organization,
        Some(app) => KeyScope::Application {
            app_id: lookup::app(&state, app).await?.id,
            read_only: fields.read_only,
        },
    };
    let token = NewToken::generate(&scope, state.environment.as_ref());
    let key = ApiKey {
        id: KeyId::generate(),
        name: fields.name,
        scope,
        created_at: now,
        last_used_at: None,
        expires_at: fields.expires_at,
        revoked_at: None,
        session_id: None,
    };
    let key = state.store.create_api_key(key, token.digest).await?;
    Ok((
        StatusCode::CREATED,
        Extension(NoReplay),
        Json(ApiKeyCreatedOut {
            key: key.into(),
            token: token.token,
        }),
    ))
}

/// Get an API key (admin token only; never its token).
#[utoipa::path(get, path = "/api/v1/api-key/{key_id}", tag = "API Key", operation_id = "v1.api-key.get",
    params(KeyPath),
    responses(
        (status = 200, description = "The key", body = ApiKeyOut),
        (status = 403, description = "Only the admin token manages keys", body = crate::error::HttpErrorOut)))]
async fn read(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<ApiKeyOut>> {
    let key = state
        .store
        .get_api_key(&key_id(&raw)?)
        .await?
        .ok_or_else(|| ApiError::not_found("API key"))?;
    Ok(Json(key.into()))
}

/// Revoke an API key for good (admin token only).
///
/// Revoking again keeps the first revocation time.
#[utoipa::path(delete, path = "/api/v1/api-key/{key_id}", tag = "API Key", operation_id = "v1.api-key.delete",
    params(KeyPath),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Only the admin token manages keys", body = crate::error::HttpErrorOut)))]
async fn revoke(State(state): State<AppState>, Path(raw): Path<String>) -> ApiResult<StatusCode> {
    state
        .store
        .revoke_api_key(&key_id(&raw)?, Timestamp::now())
        .await
        .map_err(|err| match err {
            hookline_store::StoreError::NotFound => ApiError::not_found("API key"),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}
