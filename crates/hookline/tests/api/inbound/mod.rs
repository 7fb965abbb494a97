//! Webhooks in: sources under `/ingest/api/v1`, `POST /in/{source}`, forwarding.

mod management;
mod providers;
mod receiving;

use hookline_testkit::{TestApp, TestResponse};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A created source: its id, its ingest URL, and the endpoint receiving its events.
pub(crate) struct TestSource {
    pub(crate) id: String,
    pub(crate) ingest_url: String,
}

/// Creates a source from a full `IngestSourceIn` body.
pub(crate) async fn create_source(app: &TestApp, body: Value) -> TestSource {
    let response = app.post("/ingest/api/v1/source", body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    TestSource {
        id: response.str("id"),
        ingest_url: response.str("ingestUrl"),
    }
}

/// Adds a forwarding endpoint to a source and returns `(endpoint id, signing secret)`.
pub(crate) async fn add_endpoint(app: &TestApp, source_id: &str, url: &str) -> (String, String) {
    let base = format!("/ingest/api/v1/source/{source_id}/endpoint");
    let response = app.post(&base, json!({ "url": url })).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let id = response.str("id");
    let secret = app.get(&format!("{base}/{id}/secret")).await.str("key");
    (id, secret)
}

/// Posts `body` with `headers` to an ingest URL, without any Hookline credentials.
pub(crate) async fn post_in(
    app: &TestApp,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Vec<u8>>,
) -> TestResponse {
    let mut request = app.client.post(url).body(body.into());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    TestApp::read(request.send().await.expect("inbound request")).await
}

/// Asserts a refusal's status and machine code.
pub(crate) fn assert_refused(response: &TestResponse, status: u16, code: &str) {
    assert_eq!(response.status.as_u16(), status, "{}", response.body);
    assert_eq!(response.body["code"], code, "{}", response.body);
}

/// The number of events in a source's log.
pub(crate) async fn log_len(app: &TestApp, source_id: &str) -> usize {
    let log = app
        .get(&format!("/ingest/api/v1/source/{source_id}/log"))
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    log.body["data"].as_array().expect("data").len()
}
