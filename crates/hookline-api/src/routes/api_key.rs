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
    let token = NewToken::generate(&scope);
    let key = ApiKey {
        id: KeyId::generate(),
        name: fields.name,
        scope,
        created_at: now,
        last_used_at: None,
        expires_at: fields.expires_at,
        revoked_at: None,
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

/// Revokes the key for good; revoking again keeps the first revocation time.
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
