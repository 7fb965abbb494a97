//! # hookline-api
//!
//! The management API under `/api/v1`, wire-compatible with the Svix v1 API so the official Svix
//! SDKs work against Hookline. Handlers are thin: they parse the request into domain types
//! ([`wire`] and [`extract`]), call the [`hookline_store::Store`], wake the delivery engine when
//! new work was planned, and render the result. Every failure becomes an [`error::ApiError`],
//! which maps to HTTP in one place.
//!
//! ## Layout
//! - [`state`]: what every handler can reach.
//! - [`auth`]: who is calling (admin token or API key) and what they may reach.
//! - [`environments`]: which environment (separate organisation) a request is for, and
//!   sending it to that environment's router.
//! - [`rate_limit`]: token buckets per key and the `RateLimit-*` headers.
//! - [`idempotency`]: `Idempotency-Key` claims and replays.
//! - [`security`]: the state those guards share.
//! - [`uniform_errors`]: axum's own error answers rewritten into the contract's body.
//! - [`error`]: the one error type and its HTTP mapping (`{"code","detail"}`, 422 details).
//! - [`extract`]: JSON bodies with field-level errors, query parameters, pagination.
//! - [`payload_schemas`]: checking payloads against event-type schemas on ingest.
//! - [`wire`]: request and response shapes of the contract.
//! - [`routes`]: one module per resource.
//! - [`inbound`]: webhooks in: ingest sources, their endpoints and log, and `POST /in/{source}`.
//! - [`openapi`]: the OpenAPI 3.1 document generated from the handlers, and `/docs`.
//! - [`observability`]: request ids, request metrics, CORS and `/metrics`.

pub mod auth;
pub mod environments;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod inbound;
mod keyrings;
pub mod observability;
pub mod openapi;
mod operational;
pub mod payload_schemas;
pub mod rate_limit;
pub mod routes;
pub mod security;
pub mod state;
pub mod uniform_errors;
pub mod wire;

pub use routes::router;
pub use state::{ApiConfig, AppState, StateParts};
