//! `/auth`: app-portal tokens (application-scoped keys with an expiry) and their logout.

use axum::extract::{Path, State};
use axum::http::header::HOST;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Extension, Json, Router};
use hookline_core::{AppId, KeyId, Timestamp};
use hookline_store::keys::{ApiKey, KeyScope, PORTAL_KEY_NAME};

use crate::auth::Principal;
use crate::auth::principal::NewToken;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::idempotency::NoReplay;
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::api_key::{AppPortalAccessIn, AppPortalAccessOut, ApplicationTokenExpireIn};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/app-portal-access/{app_id}", post(portal_access))
        .route("/auth/logout", post(logout))
        .route("/auth/app/{app_id}/expire-all", post(expire_all))
}

/// Where the token is for: Hookline has no hosted portal, so the URL names the application's
/// API resource, with the token in the fragment (never sent to a server by browsers).
fn portal_url(headers: &HeaderMap, app: &AppId, token: &str) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}/api/v1/app/{app}#key={token}")
}

/// Get an application-scoped token for the app portal, creating the application if needed.
///
/// The token expires after `expiry` seconds (default 7 days). Hookline has no hosted portal: the
/// `url` names the application's API resource, with the token in its fragment.
#[utoipa::path(post, path = "/api/v1/auth/app-portal-access/{app_id}", tag = "Authentication", operation_id = "v1.authentication.app-portal-access",
    params(AppPath), request_body = AppPortalAccessIn,
    responses((status = 200, description = "A new application token", body = AppPortalAccessOut)))]
async fn portal_access(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    ValidJson(body): ValidJson<AppPortalAccessIn>,
) -> ApiResult<(Extension<NoReplay>, Json<AppPortalAccessOut>)> {
    let lifetime = body.lifetime()?;
    let session_id = body.session()?;
    let app = super::lookup::app_or_create(&state, &app_id, body.application.as_ref()).await?;
    let scope = KeyScope::Application {
        app_id: app.id.clone(),
        read_only: body.read_only.unwrap_or(false),
    };
    let token = NewToken::generate(&scope, state.environment.as_ref());
    let now = Timestamp::now();
    let key = ApiKey {
        id: KeyId::generate(),
        name: PORTAL_KEY_NAME.into(),
        scope,
        created_at: now,
        last_used_at: None,
        expires_at: Some(now.plus(lifetime)),
        revoked_at: None,
        session_id,
    };
    state.store.create_api_key(key, token.digest).await?;
    Ok((
        Extension(NoReplay),
        Json(AppPortalAccessOut {
            url: portal_url(&headers, &app.id, &token.token),
            token: token.token,
        }),
    ))
}

/// Log out: revoke the application token making the request.
///
/// Only application-scoped tokens (such as app-portal tokens) can log out; others get 403.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "Authentication", operation_id = "logout_api_v1_auth_logout__post",
    responses(
        (status = 204, description = "The token is revoked"),
        (status = 403, description = "The token is not an application token", body = crate::error::HttpErrorOut)))]
async fn logout(State(state): State<AppState>, principal: Principal) -> ApiResult<StatusCode> {
    let Principal::Key(key) = &principal else {
        return Err(ApiError::Forbidden(
            "only application tokens can log out".into(),
        ));
    };
    if principal.app_scope().is_none() {
        return Err(ApiError::Forbidden(
            "only application tokens can log out".into(),
        ));
    }
    state
        .store
        .revoke_api_key(&key.id, Timestamp::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Expire all of the tokens associated with a specific application.
///
/// The application's app-portal tokens (only those made for `sessionIds` when given) stop
/// working `expiry` seconds from now (default: at once). A token that expires sooner, or was
/// revoked, is left as it is; so are the application's API keys (revoke those with
/// `DELETE /api/v1/api-key/{key_id}`). Organisation tokens only.
#[utoipa::path(post, path = "/api/v1/auth/app/{app_id}/expire-all", tag = "Authentication", operation_id = "v1.authentication.expire-all",
    params(AppPath), request_body = ApplicationTokenExpireIn,
    responses((status = 204, description = "The tokens expire at the time asked")))]
async fn expire_all(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ValidJson(body): ValidJson<ApplicationTokenExpireIn>,
) -> ApiResult<StatusCode> {
    let (delay, sessions) = body.validate()?;
    let app = super::lookup::app(&state, &app_id).await?;
    let at = Timestamp::now().plus(delay);
    state.store.expire_app_keys(&app.id, &sessions, at).await?;
    Ok(StatusCode::NO_CONTENT)
}
