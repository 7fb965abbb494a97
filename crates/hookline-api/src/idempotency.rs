//! `Idempotency-Key` on POST requests: a retried request gets the first answer instead of running
//! again.
//!
//! The key is claimed in the database before the handler runs (see
//! [`hookline_store::idempotency`]), scoped to the caller, and kept 24 hours:
//! - same key, same request (method, path, query and body bytes): the stored status and body,
//!   with `Idempotent-Replayed: true`;
//! - same key, different request: 422 naming the header;
//! - same key while the first request is still running: 409, `Retry-After: 1` (never a second run);
//! - a 5xx answer is not kept, so the client's retry runs again; neither is an answer marked
//!   [`NoReplay`] (it holds a secret shown once).
//!
//! A claim whose request never finished (the node died) is taken over after
//! [`STALE_AFTER`].

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hookline_core::Timestamp;
use hookline_store::idempotency::{ClaimOutcome, IdempotencyClaim, StoredResponse};
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// Put in a response's extensions (`axum::Extension(NoReplay)`) by handlers whose answer holds a
/// secret shown once (a new API key's token): the answer is then never stored, so no secret sits
/// in the idempotency table. The key is still claimed while the request runs (no concurrent
/// double run), then released: a later retry runs again and gets a new secret.
#[derive(Debug, Clone, Copy)]
pub struct NoReplay;

/// How long a key and its response are kept.
pub const KEY_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long an unfinished claim blocks its key.
pub const STALE_AFTER: Duration = Duration::from_secs(60);
/// Expired keys deleted per prune (bounded so one prune never holds the writer long).
const PRUNE_BATCH: u32 = 1000;
/// Longest accepted key.
const MAX_KEY_LEN: usize = 255;

static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
static REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Parses the header: 1 to 255 visible ASCII characters.
fn parse_key(raw: &HeaderValue) -> Result<String, ApiError> {
    let invalid = || {
        ApiError::field(
            &["header", "idempotency-key"],
            format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
        )
    };
    let key = raw.to_str().map_err(|_| invalid())?;
    let valid =
        !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic());
    valid.then(|| key.to_owned()).ok_or_else(invalid)
}

fn request_hash(method: &Method, path_and_query: &str, body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(method.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(path_and_query.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hasher.finalize().into()
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|err| {
        let too_large = std::error::Error::source(&err)
            .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if too_large {
            ApiError::PayloadTooLarge("the request body is larger than the configured limit".into())
        } else {
            ApiError::BadRequest(format!("the request body could not be read: {err}"))
        }
    })
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.remove(CONTENT_TYPE);
    if let Some(value) = stored
        .content_type
        .and_then(|ct| HeaderValue::from_str(&ct).ok())
    {
        headers.insert(CONTENT_TYPE, value);
    }
    headers.insert(REPLAYED.clone(), HeaderValue::from_static("true"));
    response
}

fn in_progress() -> Response {
    let mut response = ApiError::Conflict(
        "a request with this Idempotency-Key is still being processed; retry shortly".into(),
    )
    .into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Middleware (inside the auth guard) giving every POST with an `Idempotency-Key` its
/// once-only semantics.
pub async fn idempotency(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let raw_key = request.headers().get(&IDEMPOTENCY_KEY);
    let (Some(raw_key), true) = (raw_key, request.method() == Method::POST) else {
        return Ok(next.run(request).await);
    };
    let key = parse_key(raw_key)?;
    let scope = request
        .extensions()
        .get::<Principal>()
        .map(|p| p.id().to_owned())
        .ok_or_else(|| ApiError::Internal("idempotency ran before authentication".into()))?;
    let (parts, body) = request.into_parts();
    let body = read_body(body, state.config.max_body_bytes).await?;
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let now = Timestamp::now();
    let claim = IdempotencyClaim {
        scope: scope.clone(),
        key: key.clone(),
        request_hash: request_hash(&parts.method, &path, &body),
        now,
        ttl: KEY_TTL,
        stale_after: STALE_AFTER,
    };
    if state.security.prune_due() {
        let store = state.store.clone();
        tokio::spawn(async move {
            match store.prune_idempotency_keys(now, PRUNE_BATCH).await {
                Ok(pruned) => metrics::counter!("hookline_idempotency_keys_pruned_total")
                    .increment(pruned as u64),
                Err(err) => {
                    tracing::warn!(error = %err, "could not prune expired idempotency keys")
                }
            }
        });
    }
    let mismatch = || {
        ApiError::field(
            &["header", "idempotency-key"],
            "was already used with a different request; use a new key for a new request",
        )
    };
    let outcome = state.store.claim_idempotency_key(claim).await?;
    let label = match &outcome {
        ClaimOutcome::Claimed => "claimed",
        ClaimOutcome::Completed {
            same_request: true, ..
        } => "replayed",
        ClaimOutcome::InProgress { same_request: true } => "in_progress",
        _ => "mismatch",
    };
    metrics::counter!("hookline_idempotency_requests_total", "outcome" => label).increment(1);
    match outcome {
        ClaimOutcome::Claimed => {}
        ClaimOutcome::Completed {
            same_request: true,
            response,
        } => return Ok(replay(response)),
        ClaimOutcome::InProgress { same_request: true } => return Ok(in_progress()),
        ClaimOutcome::Completed { .. } | ClaimOutcome::InProgress { .. } => {
            return Err(mismatch());
        }
    }

    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(err) => {
            let _ = state.store.release_idempotency_key(&scope, &key).await;
            return Err(ApiError::Internal(format!(
                "could not read the response: {err}"
            )));
        }
    };
    let outcome = if parts.status.is_server_error() || parts.extensions.get::<NoReplay>().is_some()
    {
        state.store.release_idempotency_key(&scope, &key).await
    } else {
        let stored = StoredResponse {
            status: parts.status.as_u16(),
            content_type: parts
                .headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: body.to_vec(),
        };
        state
            .store
            .complete_idempotency_key(&scope, &key, stored)
            .await
    };
    if let Err(err) = outcome {
        // The request itself succeeded; the claim will go stale and be taken over.
        tracing::warn!(error = %err, "could not store the idempotent response");
    }
    Ok(Response::from_parts(parts, Body::from(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_short_visible_ascii() {
        assert_eq!(
            parse_key(&HeaderValue::from_static("auto_3f2a-9b")).expect("valid"),
            "auto_3f2a-9b"
        );
        for bad in ["", "has space", &"x".repeat(256)] {
            let value = HeaderValue::from_str(bad).expect("header value");
            assert!(parse_key(&value).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn the_request_hash_covers_method_path_and_body() {
        let base = request_hash(&Method::POST, "/api/v1/app", b"{}");
        assert_eq!(base, request_hash(&Method::POST, "/api/v1/app", b"{}"));
        assert_ne!(base, request_hash(&Method::POST, "/api/v1/app", b"{ }"));
        assert_ne!(base, request_hash(&Method::POST, "/api/v1/app?x=1", b"{}"));
    }
}
