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
//! - [`etiquette`]: what an answer means for the endpoint (410 disables, 429/5xx slow down).
//! - [`throttle`]: the per-endpoint token bucket.
//! - [`circuit`]: the per-endpoint circuit breaker.
//! - [`lanes`]: per-endpoint lanes tying concurrency, rate limit, circuit and pauses together,
//!   each with a small waiting room for claimed deliveries.
//! - [`engine`]: the engine's configuration and life; `scheduler` is its claim loop, and
//!   `attempt` runs one attempt and records results in batches.
//! - [`telemetry`]: delivery metrics (`hookline_*`).
//! - [`maintenance`]: auto-disabling endpoints that keep failing, and retention.
//! - [`replay`]: recover and replay jobs, run in bounded batches as background tasks.

mod attempt;
pub mod circuit;
pub mod client;
pub mod engine;
pub mod etiquette;
pub mod keyring;
pub mod lanes;
pub mod maintenance;
pub mod outcome;
pub mod replay;
pub mod resolver;
mod scheduler;
pub mod sender;
pub mod signing;
pub mod ssrf;
pub mod telemetry;
pub mod throttle;

pub use engine::{DeliveryConfig, DeliveryEngine};
pub use lanes::LaneConfig;
pub use ssrf::TargetPolicy;
