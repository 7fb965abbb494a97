//! schemathesis fuzzes the running server from its own OpenAPI document: no request it makes
//! may get a 5xx, an undocumented status or content type, or a body that breaks the schema.
//!
//! The data is seeded first (an app `acme`, an event type `invoice.paid`, an endpoint `main`, a
//! polling endpoint `poller`, a source `github`, a delivered message `inv_123-paid`: the ids the
//! document's examples use), so the examples reach real resources. The fuzzed server runs
//! without the delivery engine: the fuzzer creates endpoints with arbitrary URLs, and tests never
//! connect anywhere but loopback.
//!
//! The run is bounded (60 s, 15 examples per operation) to fit CI; for a deeper run set
//! `HOOKLINE_FUZZ_SECONDS` and `HOOKLINE_FUZZ_EXAMPLES`.

use hookline_testkit::interop::{python_module_available, run_script};
use hookline_testkit::{TestReceiver, spawn_app};
use serde_json::json;

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_response_breaking_the_document() {
    if !python_module_available("schemathesis") {
        return;
    }
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    app.create_event_type("invoice.paid").await;
    let created = app
        .post("/api/v1/app", json!({ "name": "Acme Corp", "uid": "acme" }))
        .await;
    assert_eq!(created.status, reqwest::StatusCode::CREATED);
    app.create_endpoint(
        "acme",
        json!({ "url": receiver.endpoint("/hook"), "uid": "main", "eventTypes": ["invoice.paid"] }),
    )
    .await;
    // A polling endpoint and an inbound source named as the document's examples name them.
    app.create_endpoint(
        "acme",
        json!({ "url": "hookline://poller", "uid": "poller", "eventTypes": ["invoice.paid"] }),
    )
    .await;
    let source = app
        .post(
            "/ingest/api/v1/source",
            json!({ "name": "GitHub", "uid": "github", "type": "github", "config": { "secret": "fuzz-secret" } }),
        )
        .await;
    assert_eq!(source.status, reqwest::StatusCode::CREATED);
    app.send_message(
        "acme",
        json!({ "eventType": "invoice.paid", "eventId": "inv_123-paid", "payload": { "invoiceId": "inv_123" } }),
    )
    .await;
    receiver.next_request().await;
    app.next_attempt().await;

    let app = app
        .restart_with(|mut config| {
            config.deliver = false;
            config
        })
        .await;
    let output = run_script(
        "schemathesis_fuzz.py",
        vec![
            app.address.clone(),
            app.token.clone(),
            std::env::var("HOOKLINE_FUZZ_SECONDS").unwrap_or_else(|_| "60".to_owned()),
            std::env::var("HOOKLINE_FUZZ_EXAMPLES").unwrap_or_else(|_| "15".to_owned()),
        ],
        None,
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tail: String = {
        let chars: Vec<char> = stdout.chars().collect();
        chars[chars.len().saturating_sub(12_000)..].iter().collect()
    };
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{tail}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
