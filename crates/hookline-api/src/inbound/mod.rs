//! Webhooks in: sources, their forwarding endpoints and log under `/ingest/api/v1`, and the
//! provider-facing `POST /in/{source}`.
//!
//! A source verifies requests with its scheme ([`scheme`]), refuses callers outside its
//! allowlist ([`client_ip`]), dedupes on the provider's delivery id, and commits the exact
//! request before answering 2xx ([`receive`]). Forwarding is not done here: each accepted event
//! is a message of the source's internal application, which the delivery engine sends to the
//! source's endpoints ([`endpoints`]) with retries and recorded attempts.
//!
//! `/in/{source}` is rate-limited per source (a token bucket per `{source}` path value, see
//! [`receive_routes`]); the management routes take the API's auth and idempotency layers.

pub mod client_ip;
pub mod config;
pub(crate) mod endpoints;
pub(crate) mod environment;
pub(crate) mod forwarding;
pub(crate) mod openapi;
pub mod presets;
pub(crate) mod pull;
pub(crate) mod receive;
pub mod scheme;
mod sealed;
pub(crate) mod sources;
pub mod wire;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::post;

pub use config::InboundConfig;

use crate::auth::require_token;
use crate::idempotency::idempotency;
use crate::rate_limit::{KeyedLimiter, PathParamLimit, limit_by_path_param};
use crate::state::AppState;

/// The management API under `/ingest/api/v1`, behind the same bearer auth as `/api/v1`.
pub fn management_routes(state: AppState) -> Router<AppState> {
    let routes = Router::new()
        .merge(sources::routes())
        .merge(endpoints::routes())
        .merge(forwarding::routes())
        .merge(pull::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), idempotency))
        .route_layer(middleware::from_fn_with_state(state, require_token));
    Router::new().nest("/ingest/api/v1", routes)
}

/// `POST /in/{source}`: public, authenticated per source by its verification scheme, and
/// rate-limited per source (`HOOKLINE_INBOUND_RATE_LIMIT`) so one flooding sender cannot
/// starve the others.
pub fn receive_routes(state: &AppState) -> Router<AppState> {
    let routes = Router::new()
        .route(
            "/in/{source}",
            post(receive::receive).get(receive::subscription_check),
        )
        .route(
            "/in/{env_id}/{source}",
            post(environment::receive).get(environment::subscription_check),
        );
    match KeyedLimiter::new(state.config.inbound.rate_limit) {
        Some(limiter) => routes.route_layer(middleware::from_fn_with_state(
            PathParamLimit::new(Arc::new(limiter), "source"),
            limit_by_path_param,
        )),
        None => routes,
    }
}
