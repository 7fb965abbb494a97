//! Sign and verify webhooks. Pure functions over bytes: no I/O, no async, no clock (the
//! caller passes `now`), so every behaviour is unit-tested here and the crate is usable on
//! its own by anyone who sends or receives webhooks.
//!
//! In Hookline it sits at both ends of the flow:
//!
//! - **Webhooks out.** The sender signs every attempt with [Standard Webhooks 1.0]:
//!   `webhook-signature` is [`signature_header`] over `{webhook-id}.{webhook-timestamp}.{body}`
//!   with every still-valid key of the endpoint ([`SigningSecret`] `whsec_` for `v1` HMAC,
//!   [`Ed25519SecretKey`] `whsk_` for `v1a` ed25519).
//! - **Webhooks in.** `POST /in/{source}` builds an [`InboundRequest`] and calls the source's
//!   [`Scheme::verify`] (Standard Webhooks/Svix, GitHub, Stripe, Slack, Shopify, a configured
//!   generic HMAC, bearer, basic), then dedupes on [`Scheme::delivery_id`].
//!
//! Every signature is compared in constant time; secrets never appear in `Debug` output or
//! in error messages; each refusal is a [`VerifyError`] with a stable [`VerifyError::code`].
//!
//! # Layout
//!
//! - [`secret`]: [`SigningSecret`] (`whsec_`, 24..=64 bytes) and [`SharedSecret`] (a
//!   provider's secret string, used as-is).
//! - [`ed25519`]: [`Ed25519SecretKey`] (`whsk_`) and [`Ed25519PublicKey`] (`whpk_`).
//! - [`keys`]: [`SigningKey`] and [`VerifyingKey`], either kind chosen by prefix.
//! - [`standard`]: Standard Webhooks signing and verification on plain header values.
//! - [`request`]: [`InboundRequest`] and the [`HeaderLookup`] it reads headers through.
//! - [`providers`]: one module per inbound scheme, each `verify` + `delivery_id` + `sign`.
//! - [`scheme`]: [`Scheme`], the single dispatch the HTTP layer stores per source.
//! - [`error`]: [`VerifyError`], [`KeyError`], [`HmacConfigError`].
//!
//! # Example
//!
//! ```
//! use hookline_signature::{
//!     InboundRequest, Scheme, SigningSecret, VerifyingKey, signature_header,
//! };
//!
//! let secret = SigningSecret::generate();
//! let body = br#"{"type":"invoice.paid"}"#;
//! let signature = signature_header(&[&secret], "msg_1", 1_700_000_000, body);
//!
//! let headers = [
//!     ("webhook-id", "msg_1"),
//!     ("webhook-timestamp", "1700000000"),
//!     ("webhook-signature", signature.as_str()),
//! ];
//! let req = InboundRequest::new(&headers, body, 1_700_000_010);
//! let scheme = Scheme::StandardWebhooks(VerifyingKey::Hmac(secret));
//! assert_eq!(scheme.verify(&req), Ok(()));
//! assert_eq!(scheme.delivery_id(&req).as_deref(), Some("msg_1"));
//! ```
//!
//! [Standard Webhooks 1.0]: https://www.standardwebhooks.com/

mod crypto;
pub mod ed25519;
pub mod error;
pub mod keys;
pub mod providers;
pub mod request;
pub mod scheme;
pub mod secret;
pub mod standard;
mod timestamp;

pub use crypto::HmacAlgorithm;
pub use ed25519::{Ed25519PublicKey, Ed25519SecretKey};
pub use error::{HmacConfigError, KeyError, VerifyError};
pub use keys::{SigningKey, VerifyingKey};
pub use providers::hmac::{GenericHmac, HmacConfig, SignatureEncoding};
pub use providers::template::{SignedContentTemplate, TemplateValues};
pub use request::{HeaderLookup, InboundRequest};
pub use scheme::Scheme;
pub use secret::{SharedSecret, SigningSecret};
pub use standard::{HeaderNames, Sign, WebhookHeaders, signature_header};
pub use timestamp::DEFAULT_TOLERANCE_SECS;
