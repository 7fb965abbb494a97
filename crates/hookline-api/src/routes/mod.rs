//! The `/api/v1` router: one module per resource, merged here.

mod api_key;
mod application;
mod attempt;
mod attempt_headers;
mod background_task;
mod delivery;
mod endpoint;
mod endpoint_headers;
mod endpoint_secret;
mod endpoint_tools;
mod environment;
mod event_type;
mod event_type_schema;
pub(crate) mod events;
mod health;
mod lookup;
mod message;
mod operational_webhook;
mod poller;
mod portal;
mod pull;
mod replay;
pub(crate) mod spec;
pub(crate) mod stream;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;

use crate::auth::require_token;
use crate::error::ApiError;
use crate::idempotency::idempotency;
use crate::state::AppState;
use crate::uniform_errors::uniform_errors;

/// The whole API: authenticated resource routes plus the public health checks.
pub fn router(state: AppState) -> Router {
    let authenticated = Router::new()
        .merge(application::routes())
        .merge(event_type::routes())
        .merge(event_type_schema::routes())
        .merge(endpoint::routes())
        .merge(endpoint_headers::routes())
        .merge(endpoint_secret::routes())
        .merge(endpoint_tools::routes())
        .merge(message::routes())
        .merge(attempt::routes())
        .merge(attempt_headers::routes())
        .merge(delivery::routes())
        .merge(replay::routes())
        .merge(background_task::routes())
        .merge(events::routes())
        .merge(poller::routes())
        .merge(stream::routes())
        .merge(api_key::routes())
        .merge(environment::routes())
        .merge(portal::routes())
        .merge(operational_webhook::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), idempotency))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    let api = authenticated.merge(health::routes());
    Router::new()
        .nest("/api/v1", api)
        .merge(crate::inbound::management_routes(state.clone()))
        .merge(crate::inbound::receive_routes(&state))
        .merge(crate::openapi::routes())
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(middleware::map_response(uniform_errors))
        .with_state(state)
}
