//! `/in/{env_id}/{source}`: the receiving URL of sources in environments other than the default
//! one. The environments layer (`crate::environments::dispatch`) sends these requests to the
//! environment's own router as `/in/{source}`, so the handlers here run only where there is no
//! such layer, and answer as an unknown source does. They exist for the route to be matched
//! (metrics name it) and documented.

use axum::extract::Request;
use axum::response::Response;
use utoipa::IntoParams;

#[allow(unused_imports)]
use super::openapi::{InboundPayload, InboundReceiveOut};
use super::receive::Refusal;
#[allow(unused_imports)]
use crate::error::HttpErrorOut;

/// `{env_id}` and `{source}`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct EnvironmentInboundPath {
    /// The source's environment (`env_...`).
    #[param(example = "env_2yZwUhtgs5Ai8T9yRQJXAb")]
    env_id: String,
    /// The source's ingest token (what its `ingestUrl` ends with), id or uid.
    #[param(example = "Xa9kQ2mB7pLr4TnW8vYc3HdJ6sFg1ZeU", max_length = 256)]
    source: String,
}

/// Answer Meta's subscription check for a source of another environment, as
/// `GET /in/{source}` does for the default one.
#[utoipa::path(get, path = "/in/{env_id}/{source}", tag = "Inbound", operation_id = "v1.inbound.environment-subscription-check",
    security(()),
    params(EnvironmentInboundPath,
        ("hub.mode" = Option<String>, Query, description = "`subscribe`"),
        ("hub.verify_token" = Option<String>, Query, description = "Must equal the source's `config.verifyToken`"),
        ("hub.challenge" = Option<String>, Query, description = "Echoed back when the token matches")),
    responses(
        (status = 200, description = "The `hub.challenge`, as Meta's subscription check expects", content_type = "text/plain", body = String),
        (status = 403, description = "The client address is outside the source's `allowedIps` (`ip_not_allowed`)", body = HttpErrorOut),
        (status = 404, description = "No such environment or source, not a `meta` source, or a wrong verify token: the same answer, revealing nothing", body = HttpErrorOut),
        (status = 429, description = "The source's rate limit is used up; retry after `Retry-After` seconds", body = HttpErrorOut,
            headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub(crate) async fn subscription_check(_request: Request) -> Response {
    axum::response::IntoResponse::into_response(Refusal::UnknownSource)
}

/// Receives one provider request for a source of an environment other than the default one,
/// exactly as `POST /in/{source}` does for the default one's sources.
#[utoipa::path(post, path = "/in/{env_id}/{source}", tag = "Inbound", operation_id = "v1.inbound.environment-receive",
    security(()),
    params(EnvironmentInboundPath),
    request_body(description = "The provider's request, in any content type (JSON, form-encoded, binary), stored and forwarded byte for byte",
        content((InboundPayload = "application/json"), (String = "application/x-www-form-urlencoded"), (String = "application/octet-stream"))),
    responses(
        (status = 200, description = "Accepted and committed (`{\"id\"}`), as for `POST /in/{source}`", body = InboundReceiveOut),
        (status = 401, description = "Verification failed, as for `POST /in/{source}`; nothing is stored", body = HttpErrorOut),
        (status = 403, description = "The client address is outside the source's `allowedIps` (`ip_not_allowed`)", body = HttpErrorOut),
        (status = 404, description = "No such environment or source: the same answer for either", body = HttpErrorOut),
        (status = 413, description = "The body is over `HOOKLINE_MAX_PAYLOAD_BYTES` (`payload_too_large`)", body = HttpErrorOut),
        (status = 429, description = "The source's rate limit is used up (`rate_limited`); retry after `Retry-After` seconds", body = HttpErrorOut,
            headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub(crate) async fn receive(_request: Request) -> Response {
    axum::response::IntoResponse::into_response(Refusal::UnknownSource)
}
