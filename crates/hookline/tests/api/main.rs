//! Integration tests: the real server on 127.0.0.1 with a real SQLite file, driven over HTTP.
//! All modules compile into one test binary.

mod applications;
mod bad_input;
mod config;
mod delivery;
mod endpoints;
mod event_types;
mod interop;
mod messages;
mod observability;
mod openapi;
mod restart;
mod schemathesis;
mod shutdown;
mod tls;

use hookline_signature::SigningSecret;
use hookline_signature::standard::{WebhookHeaders, verify};
use hookline_testkit::ReceivedRequest;

/// Checks a received webhook's Standard Webhooks signature with the endpoint's secret.
pub fn assert_signed(request: &ReceivedRequest, secret: &str) {
    let secret = SigningSecret::parse(secret).expect("a valid secret");
    let headers = WebhookHeaders {
        id: request.header("webhook-id"),
        timestamp: request.header("webhook-timestamp"),
        signature: request.header("webhook-signature"),
    };
    let now = hookline_core::Timestamp::now().as_secs();
    verify(&secret, &headers, &request.body, now, 300).expect("the signature verifies");
}
