//! Integration tests: the real server on 127.0.0.1 with a real SQLite file (or a fresh
//! PostgreSQL database each with `HOOKLINE_TEST_STORE=postgres`), driven over HTTP. All modules
//! compile into one test binary.

mod applications;
mod attempt_headers;
mod bad_input;
mod bad_input_corpus;
mod callers;
mod chaos;
mod child;
mod cli_client;
mod config;
mod crash;
mod delivery;
mod endpoints;
mod engine_etiquette;
mod engine_lanes;
mod engine_safety;
mod engine_schedules;
mod environments;
mod error_bodies;
mod event_type_schemas;
mod event_types;
mod housekeeping;
mod idempotency;
mod inbound;
mod interop;
mod keys;
mod many_nodes;
mod message_tags;
mod messages;
mod observability;
mod openapi;
mod openapi_operations;
mod operational_tasks;
mod operational_webhooks;
mod payload_retention;
mod portal;
mod pull_feed;
mod pull_poller;
mod pull_poller_races;
mod pull_stream;
mod rate_limits;
mod replay;
mod replay_filters;
mod restart;
mod roles;
mod schemathesis;
mod scopes;
mod secrets;
mod secrets_at_rest;
mod shutdown;
mod tls;
mod tools;

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
