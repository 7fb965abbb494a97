//! Inbound verifiers, one module per scheme. Each exposes a pure `verify` over an
//! [`InboundRequest`](crate::InboundRequest) and a `delivery_id` giving the sender's
//! dedupe key, plus a `sign` that produces what the sender would send (for tests and
//! simulators). [`Scheme`](crate::Scheme) dispatches to them.

pub mod auth;
pub mod github;
pub mod hmac;
pub mod shopify;
pub mod slack;
pub mod standard_webhooks;
pub mod stripe;
pub mod template;
