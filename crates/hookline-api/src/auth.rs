//! Authentication and authorisation of management API requests.
//!
//! [`require_token`] is the one gate every authenticated route passes: it reads the bearer token,
//! finds who it belongs to ([`Principal`]: the bootstrap admin token or a stored API key that is
//! neither revoked nor expired), spends one token of that caller's rate limit, and asks
//! [`access::decide`] whether the caller may use this route. Handlers never check permissions.
//!
//! The admin token is kept only as its SHA-256 digest and compared in constant time, so neither
//! memory dumps nor timing reveal it. Stored keys are looked up by the digest of the token.

pub mod access;
pub mod principal;
pub mod usage;

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hookline_core::Timestamp;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;
use access::Access;
pub use principal::Principal;

/// The organisation-wide admin key, held as a digest.
pub struct AdminToken {
    digest: [u8; 32],
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

impl AdminToken {
    /// Keeps the digest of `token`.
    pub fn new(token: &str) -> Self {
        Self {
            digest: Sha256::digest(token.as_bytes()).into(),
        }
    }

    /// True when `presented` is the admin token.
    pub fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&self.digest).into()
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let header = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("missing the Authorization header".into()))?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not valid text".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
        })?;
    Ok(token)
}

/// Finds who `token` belongs to; revoked, expired and unknown tokens get the same 401.
async fn authenticate(state: &AppState, token: &str) -> Result<Principal, ApiError> {
    if state.admin.matches(token) {
        return Ok(Principal::Admin);
    }
    let invalid = || ApiError::Unauthorized("invalid token".into());
    let key = state
        .store
        .find_api_key(principal::digest(token))
        .await?
        .ok_or_else(invalid)?;
    let now = Timestamp::now();
    if !key.is_active(now) {
        return Err(invalid());
    }
    if state.security.usage.due(&key, now)
        && let Err(err) = state
            .store
            .touch_api_keys(vec![(key.id.clone(), now)])
            .await
    {
        tracing::warn!(key = %key.id, error = %err, "could not record the key's last use");
    }
    Ok(Principal::Key(key))
}

/// Applies the route's access rule; `app_param` is the raw `{app_id}` of the route, if any.
async fn authorize(
    state: &AppState,
    principal: &Principal,
    access: Access,
    app_param: Option<&str>,
) -> Result<(), ApiError> {
    match access {
        Access::Granted => Ok(()),
        Access::Forbidden(why) => Err(ApiError::Forbidden(why.into())),
        Access::OwnAppOnly => {
            let not_found = || ApiError::not_found("application");
            let (own, _) = principal.app_scope().ok_or_else(not_found)?;
            let requested = app_param.ok_or_else(not_found)?;
            if requested == own.as_str() {
                return Ok(());
            }
            // The path may name the application by its uid.
            match state.store.get_app(requested).await? {
                Some(app) if app.id == *own => Ok(()),
                _ => Err(not_found()),
            }
        }
    }
}

/// Middleware in front of every authenticated route: authenticates, rate-limits and authorises
/// the request, then hands the [`Principal`] to the handler through the request's extensions.
/// Every answer carries the caller's `RateLimit-*` headers.
pub async fn require_token(
    State(state): State<AppState>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let principal = match bearer(request.headers()) {
        Ok(token) => authenticate(&state, token).await,
        Err(err) => Err(err),
    }
    .inspect_err(|err| {
        if matches!(err, ApiError::Unauthorized(_)) {
            metrics::counter!("hookline_auth_failures_total").increment(1);
        }
    })?;
    let decision = state
        .security
        .limiter
        .as_ref()
        .map(|limiter| limiter.check(principal.id()));
    if let Some(decision) = decision.filter(|d| !d.allowed()) {
        metrics::counter!("hookline_rate_limited_total", "limiter" => "api_key").increment(1);
        return Ok(decision.too_many_requests());
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let access = access::decide(&principal, request.method(), &route);
    let app_param = params.ok().and_then(|params| {
        params
            .iter()
            .find(|(name, _)| *name == "app_id")
            .map(|(_, value)| value.to_owned())
    });
    let mut response = match authorize(&state, &principal, access, app_param.as_deref()).await {
        Ok(()) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(err) => err.into_response(),
    };
    if let Some(decision) = decision {
        decision.write_headers(response.headers_mut());
    }
    Ok(response)
}
