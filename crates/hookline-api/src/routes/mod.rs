//! The `/api/v1` router: one module per resource, merged here.

mod application;
mod attempt;
mod endpoint;
mod endpoint_headers;
mod event_type;
mod health;
mod lookup;
mod message;
pub(crate) mod spec;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;

use crate::auth::require_token;
use crate::error::ApiError;
use crate::state::AppState;

/// The whole API: authenticated resource routes plus the public health checks.
pub fn router(state: AppState) -> Router {
    let authenticated = Router::new()
        .merge(application::routes())
        .merge(event_type::routes())
        .merge(endpoint::routes())
        .merge(endpoint_headers::routes())
        .merge(message::routes())
        .merge(attempt::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    let api = authenticated.merge(health::routes());
    Router::new()
        .nest("/api/v1", api)
        .merge(crate::openapi::routes())
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .with_state(state)
}
