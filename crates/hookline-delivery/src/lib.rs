//! # hookline-delivery
//!
//! The engine that turns planned deliveries into HTTP requests. It claims due deliveries from the
//! store under a lease, signs each message per Standard Webhooks, POSTs it through a pooled,
//! SSRF-guarded HTTP client, and records every attempt with the delivery's next state.
//!
//! ## Layout
//! - [`ssrf`]: which IP addresses outbound requests may reach (pure).
//! - [`resolver`]: DNS resolution that applies the SSRF policy to every resolved address.
//! - [`client`]: the shared HTTP client (pooled keep-alive, no redirects, timeouts).
//! - [`keyring`]: an endpoint's signing keys over time (rotation) and header-name choice.
//! - [`signing`]: the identity and signature headers of one attempt.
//! - [`sender`]: one attempt: headers, signature, request, captured response.
//! - [`outcome`]: what an attempt's result means for the delivery (success, retry, give up).
//! - [`engine`]: the scheduler loop and the attempt recorder.
//! - [`maintenance`]: auto-disabling endpoints that keep failing, and retention.
//! - [`replay`]: recover and replay jobs, run in bounded batches as background tasks.

pub mod client;
pub mod engine;
pub mod keyring;
pub mod maintenance;
pub mod outcome;
pub mod replay;
pub mod resolver;
pub mod sender;
pub mod signing;
pub mod ssrf;

pub use engine::{DeliveryConfig, DeliveryEngine};
pub use ssrf::TargetPolicy;
