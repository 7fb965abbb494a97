//! Webhooks in: sources, their forwarding endpoints and log under `/ingest/api/v1`, and the
//! provider-facing `POST /in/{source}`.
//!
//! A source verifies requests with its scheme ([`scheme`]), refuses callers outside its
//! allowlist ([`client_ip`]), dedupes on the provider's delivery id, and commits the exact
//! request before answering 2xx ([`receive`]). Forwarding is not done here: each accepted event
//! is a message of the source's internal application, which the delivery engine sends to the
//! source's endpoints ([`endpoints`]) with retries and recorded attempts.
//!
//! Rate limiting of `/in/{source}` belongs to the API-key layer: [`receive_routes`] is a
//! router of its own so a per-source limiter can wrap it, keyed on the `{source}` path segment.

pub mod client_ip;
pub mod config;
mod endpoints;
mod forwarding;
pub mod presets;
pub(crate) mod receive;
pub mod scheme;
mod sources;
pub mod wire;

use axum::Router;
use axum::middleware;
use axum::routing::post;

pub use config::InboundConfig;

use crate::auth::require_token;
use crate::state::AppState;

/// The management API under `/ingest/api/v1`, behind the same bearer auth as `/api/v1`.
pub fn management_routes(state: AppState) -> Router<AppState> {
    let routes = Router::new()
        .merge(sources::routes())
        .merge(endpoints::routes())
        .merge(forwarding::routes())
        .route_layer(middleware::from_fn_with_state(state, require_token));
    Router::new().nest("/ingest/api/v1", routes)
}

/// `POST /in/{source}`: public, authenticated per source by its verification scheme.
pub fn receive_routes() -> Router<AppState> {
    Router::new().route(
        "/in/{source}",
        post(receive::receive).get(receive::subscription_check),
    )
}
