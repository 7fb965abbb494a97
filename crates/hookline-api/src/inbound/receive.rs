//! `POST /in/{source}`: the provider-facing end. Only checks and one durable write happen here
//! (allowlist, body limit, signature, dedupe, commit); forwarding is the delivery engine's job.

use std::net::SocketAddr;

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hookline_core::model::Message;
use hookline_core::source::{InboundEvent, InboundOutcome, Source};
use hookline_core::{EventTypeName, MessageId, Timestamp};
use hookline_signature::{InboundRequest, Scheme, VerifyError};
use serde_json::json;

use super::client_ip::{allowed, client_ip};
#[allow(unused_imports)]
use super::openapi::{InboundPath, InboundPayload, InboundReceiveOut};
use super::presets::{meta_challenge, post_handshake};
use super::scheme::{id_header, scheme};
use crate::error::ApiError;
#[allow(unused_imports)]
use crate::error::HttpErrorOut;
use crate::state::AppState;

/// Request headers never stored or forwarded: credentials, and hop-by-hop or per-connection
/// headers that describe the provider's connection to Hookline, not the event.
const DROPPED_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "host",
    "content-length",
    "content-type",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "expect",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "forwarded",
];

/// Why an inbound request was refused, as the provider sees it.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// No such source; says nothing about which sources exist.
    UnknownSource,
    /// The client address is outside the source's allowlist.
    IpNotAllowed,
    /// The body is over the limit.
    TooLarge,
    /// The signature or credentials did not verify.
    Unverified(VerifyError),
    /// Anything else (storage unavailable, unreadable body), answered as the API does.
    Api(ApiError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code, detail) = match self {
            Self::UnknownSource => (StatusCode::NOT_FOUND, "not_found", "not found".to_owned()),
            Self::IpNotAllowed => (
                StatusCode::FORBIDDEN,
                "ip_not_allowed",
                "the client address is not allowed to post to this source".to_owned(),
            ),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body is larger than the configured limit".to_owned(),
            ),
            Self::Unverified(err) => (StatusCode::UNAUTHORIZED, err.code(), err.to_string()),
            Self::Api(err) => return err.into_response(),
        };
        (status, Json(json!({ "code": code, "detail": detail }))).into_response()
    }
}

fn count_verification(source_type: &str, result: &'static str) {
    metrics::counter!(
        "hookline_inbound_verifications_total",
        "source_type" => source_type.to_owned(),
        "result" => result,
    )
    .increment(1);
}

/// The headers kept with the event and forwarded: everything but [`DROPPED_HEADERS`] and
/// values that are not text.
fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| !DROPPED_HEADERS.contains(&name.as_str()))
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect()
}

async fn find_source(state: &AppState, key: &str) -> Result<Source, Refusal> {
    super::sealed::find_ingest(state, key)
        .await
        .map_err(Refusal::Api)?
        .ok_or(Refusal::UnknownSource)
}

/// Refuses a client outside the source's allowlist (when it has one).
fn check_client(state: &AppState, source: &Source, parts: &Parts) -> Result<(), Refusal> {
    if source.allowed_ips.is_empty() {
        return Ok(());
    }
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .ok_or(Refusal::IpNotAllowed)?;
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    let client = client_ip(peer, forwarded, &state.config.inbound.trusted_proxies);
    if allowed(client, &source.allowed_ips) {
        Ok(())
    } else {
        tracing::info!(source = %source.id, %client, "inbound request from a disallowed address");
        count_verification(&source.source_type, "ip_not_allowed");
        Err(Refusal::IpNotAllowed)
    }
}

/// Answer Meta's subscription check (`GET /in/{source}`) with its challenge; any other GET is
/// the same 404 as an unknown source.
#[utoipa::path(get, path = "/in/{source}", tag = "Inbound", operation_id = "v1.inbound.subscription-check",
    security(()),
    params(InboundPath,
        ("hub.mode" = Option<String>, Query, description = "`subscribe`"),
        ("hub.verify_token" = Option<String>, Query, description = "Must equal the source's `config.verifyToken`"),
        ("hub.challenge" = Option<String>, Query, description = "Echoed back when the token matches")),
    responses(
        (status = 200, description = "The `hub.challenge`, as Meta's subscription check expects", content_type = "text/plain", body = String),
        (status = 403, description = "The client address is outside the source's `allowedIps` (`ip_not_allowed`)", body = HttpErrorOut),
        (status = 404, description = "No such source, not a `meta` source, or a wrong verify token: the same answer, revealing nothing", body = HttpErrorOut),
        (status = 429, description = "The source's rate limit (`HOOKLINE_INBOUND_RATE_LIMIT`) is used up; retry after `Retry-After` seconds", body = HttpErrorOut,
            headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub(crate) async fn subscription_check(
    State(state): State<AppState>,
    Path(key): Path<String>,
    request: Request,
) -> Result<Response, Refusal> {
    let source = find_source(&state, &key).await?;
    let (parts, _) = request.into_parts();
    check_client(&state, &source, &parts)?;
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    match (
        source.source_type.as_str(),
        meta_challenge(&source.config, &query),
    ) {
        ("meta", Some(challenge)) => Ok(challenge.to_owned().into_response()),
        _ => Err(Refusal::UnknownSource),
    }
}

/// Receives one provider request for the source named by token, id or uid.
///
/// No Hookline key: the source's scheme authenticates the request. It is answered 200 only
/// once committed to disk; the source's endpoints get it afterwards from the delivery engine.
#[utoipa::path(post, path = "/in/{source}", tag = "Inbound", operation_id = "v1.inbound.receive",
    security(()),
    params(InboundPath),
    request_body(description = "The provider's request, in any content type (JSON, form-encoded, binary), stored and forwarded byte for byte",
        content((InboundPayload = "application/json"), (String = "application/x-www-form-urlencoded"), (String = "application/octet-stream"))),
    responses(
        (status = 200, description = "Accepted and committed (`{\"id\"}`; a duplicate within the dedupe window gets the original's id and is not forwarded again), or a verified Slack/Zoom handshake answered", body = InboundReceiveOut),
        (status = 401, description = "Verification failed; `code` is `missing_header`, `malformed_signature_header`, `invalid_timestamp`, `stale_timestamp`, `bad_signature` or `bad_credentials`, and `detail` names the header, never a secret. Nothing is stored", body = HttpErrorOut),
        (status = 403, description = "The client address is outside the source's `allowedIps` (`ip_not_allowed`)", body = HttpErrorOut),
        (status = 404, description = "No such source: the same answer for any unknown, deleted or rotated-away name", body = HttpErrorOut),
        (status = 413, description = "The body is over `HOOKLINE_MAX_PAYLOAD_BYTES` (`payload_too_large`)", body = HttpErrorOut),
        (status = 429, description = "The source's rate limit (`HOOKLINE_INBOUND_RATE_LIMIT`) is used up (`rate_limited`); retry after `Retry-After` seconds", body = HttpErrorOut,
            headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub(crate) async fn receive(
    State(state): State<AppState>,
    Path(key): Path<String>,
    request: Request,
) -> Result<Response, Refusal> {
    let source = find_source(&state, &key).await?;
    let (parts, body) = request.into_parts();
    check_client(&state, &source, &parts)?;
    let body = read_body(body, state.config.max_body_bytes).await?;

    let scheme = scheme(&source.source_type, &source.config).map_err(|e| {
        Refusal::Api(ApiError::Internal(format!(
            "stored config of source {} is unusable: {}",
            source.id, e.msg
        )))
    })?;
    let now = Timestamp::now();
    let dedupe_key = verify(&source, &scheme, &parts.headers, &body, now)?;
    if let Some(answer) = post_handshake(&source.source_type, &scheme, &body) {
        return Ok(Json(answer).into_response());
    }
    let id = MessageId::generate();
    let event = InboundEvent {
        id: id.clone(),
        source_id: source.id.clone(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        headers: kept_headers(&parts.headers),
        body: body.to_vec(),
        dedupe_key,
        received_at: now,
    };
    let outcome = state
        .store
        .accept_inbound(
            event,
            message_for(&source, id.clone(), now),
            source.dedupe_window_secs,
        )
        .await
        .map_err(|e| Refusal::Api(e.into()))?;
    let id = match outcome {
        InboundOutcome::Accepted { deliveries } => {
            count_event(&source.source_type, "accepted");
            if deliveries > 0 {
                state.waker.wake();
            }
            id
        }
        InboundOutcome::Duplicate(original) => {
            count_event(&source.source_type, "duplicate");
            original
        }
    };
    Ok(Json(json!({ "id": id })).into_response())
}

/// Verifies the request under the source's scheme, counting the result; on success returns
/// the provider's delivery id when the source dedupes.
fn verify(
    source: &Source,
    scheme: &Scheme,
    headers: &HeaderMap,
    body: &[u8],
    now: Timestamp,
) -> Result<Option<String>, Refusal> {
    let inbound = InboundRequest::new(headers, body, now.as_secs());
    if let Err(err) = scheme.verify(&inbound) {
        count_verification(&source.source_type, err.code());
        return Err(Refusal::Unverified(err));
    }
    count_verification(&source.source_type, "ok");
    if source.dedupe_window_secs == 0 {
        return Ok(None);
    }
    Ok(match id_header(&source.config).ok().flatten() {
        Some(name) => inbound.header(name).map(str::to_owned),
        None => scheme.delivery_id(&inbound),
    })
}

fn count_event(source_type: &str, outcome: &'static str) {
    metrics::counter!(
        "hookline_inbound_events_total",
        "source_type" => source_type.to_owned(),
        "outcome" => outcome,
    )
    .increment(1);
}

/// The message an event becomes. Its exact bytes live with the event (they may not be UTF-8);
/// the message carries identity and the delivery plan, so its payload text stays empty.
fn message_for(source: &Source, id: MessageId, now: Timestamp) -> Message {
    Message {
        id,
        app_id: source.app_id.clone(),
        event_type: EventTypeName::from_trusted(format!("inbound.{}", source.source_type)),
        event_id: None,
        channels: None,
        tags: None,
        payload: Some(String::new()),
        payload_expires_at: None,
        created_at: now,
    }
}

async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, Refusal> {
    to_bytes(body, limit).await.map_err(|err| {
        let too_large = std::error::Error::source(&err)
            .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
        if too_large {
            Refusal::TooLarge
        } else {
            Refusal::Api(ApiError::BadRequest(format!(
                "the request body could not be read: {err}"
            )))
        }
    })
}

#[cfg(test)]
#[path = "receive_tests.rs"]
mod tests;
