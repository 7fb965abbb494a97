//! A corpus of hostile input against every documented operation and the inbound URL: invalid
//! UTF-8, deep nesting, huge numbers and strings, empty and mistyped bodies, wrong content types,
//! path traversal and oversized ids, huge headers. Nothing may answer 5xx, nothing may drop the
//! connection, and the server must still answer afterwards.

use hookline_api::rate_limit::RateLimitConfig;
use hookline_testkit::app::TEST_TOKEN;
use hookline_testkit::{TestApp, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Path parameter values no handler should trip over.
fn hostile_ids() -> Vec<String> {
    vec![
        "..%2F..%2Fetc%2Fpasswd".to_owned(),
        "%2e%2e".to_owned(),
        "%00".to_owned(),
        "%FF%FE".to_owned(),
        "%F0%9F%92%A9".to_owned(),
        "app_%27%20OR%201%3D1--".to_owned(),
        "x".repeat(4000),
    ]
}

/// Request bodies, each with the content type it is sent with.
fn hostile_bodies() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let depth = 100_000;
    let mut nested = "[".repeat(depth).into_bytes();
    nested.extend("]".repeat(depth).into_bytes());
    let mut deep_object = Vec::new();
    for _ in 0..10_000 {
        deep_object.extend_from_slice(br#"{"a":"#);
    }
    deep_object.extend_from_slice(b"1");
    deep_object.extend(std::iter::repeat_n(b'}', 10_000));
    vec![
        ("invalid utf-8", "application/json", b"{\"name\": \"\xff\xfe\xfd\", \"url\": \"\xc3\x28\"}".to_vec()),
        ("deeply nested array", "application/json", nested),
        ("deeply nested object", "application/json", deep_object),
        (
            "huge numbers",
            "application/json",
            br#"{"name": 1e999999, "limit": 123456789012345678901234567890, "payload": {"n": -1e400}, "throttleRate": 99999999999999999999}"#.to_vec(),
        ),
        (
            "huge string",
            "application/json",
            format!(r#"{{"name": "{}", "description": "{}"}}"#, "n".repeat(500_000), "d".repeat(300_000)).into_bytes(),
        ),
        ("empty body", "application/json", Vec::new()),
        ("json null", "application/json", b"null".to_vec()),
        ("json array", "application/json", b"[1, 2, 3]".to_vec()),
        ("json string", "application/json", br#""just a string""#.to_vec()),
        ("wrong content type", "text/plain", br#"{"name": "x", "url": "https://example.com"}"#.to_vec()),
        ("form body", "application/x-www-form-urlencoded", b"name=x&url=https%3A%2F%2Fexample.com".to_vec()),
        ("binary", "application/octet-stream", (0..=255u8).cycle().take(4096).collect()),
    ]
}

/// Sends a request and fails the test on a 5xx or a dropped connection.
async fn send(
    app: &TestApp,
    method: &Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
    what: &str,
) -> StatusCode {
    let response = app
        .client
        .request(method.clone(), format!("{}{path}", app.address))
        .bearer_auth(TEST_TOKEN)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path} with {what}: the connection failed: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(
        !status.is_server_error(),
        "{method} {path} with {what} answered {status}: {text}"
    );
    status
}

/// Every documented operation as (method, path template).
async fn operations(app: &TestApp) -> Vec<(Method, String)> {
    let doc: Value = app.get("/api/v1/openapi.json").await.body;
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                found.push((method, path.clone()));
            }
        }
    }
    assert!(
        found.len() >= 30,
        "only {} operations documented",
        found.len()
    );
    found
}

/// Fills every `{param}` of a path template with `value`.
fn fill(template: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(value);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

async fn corpus_app() -> TestApp {
    spawn_app_with(|mut config| {
        config.rate_limit = RateLimitConfig::OFF;
        config.inbound.rate_limit = RateLimitConfig::OFF;
        config
    })
    .await
}

#[tokio::test]
async fn hostile_path_values_never_cause_a_server_error() {
    let app = corpus_app().await;
    let operations = operations(&app).await;
    for id in hostile_ids() {
        for (method, template) in &operations {
            if template.ends_with("/stream") {
                continue; // Server-Sent Events never end on their own; covered by its own tests.
            }
            let path = fill(template, &id);
            let what = format!("path value {:.40}", id);
            send(
                &app,
                method,
                &path,
                "application/json",
                b"{}".to_vec(),
                &what,
            )
            .await;
        }
    }
    assert_eq!(app.get("/api/v1/health").await.status, 204);
}

#[tokio::test]
async fn hostile_bodies_never_cause_a_server_error() {
    let app = corpus_app().await;
    let app_id = app.create_app("Corpus").await;
    let endpoint = app
        .create_endpoint(
            &app_id,
            json!({ "url": "https://example.com/hook", "uid": "ep" }),
        )
        .await;
    assert!(endpoint["id"].is_string());
    let operations = operations(&app).await;
    for (method, template) in &operations {
        if *method == Method::GET || *method == Method::DELETE {
            continue;
        }
        // Real ids where the path names an app or endpoint, so handlers get past their lookups.
        let path = template
            .replace("{app_id}", &app_id)
            .replace("{endpoint_id}", "ep");
        let path = fill(&path, "missing");
        for (what, content_type, body) in hostile_bodies() {
            send(&app, method, &path, content_type, body, what).await;
        }
    }
    assert_eq!(app.get("/api/v1/health").await.status, 204);
}

#[tokio::test]
async fn hostile_requests_to_the_inbound_url_never_cause_a_server_error() {
    let app = corpus_app().await;
    let source = app
        .post(
            "/ingest/api/v1/source",
            json!({ "name": "Anything", "type": "generic-webhook" }),
        )
        .await;
    assert_eq!(source.status, 201, "{}", source.body);
    let ingest = source.body["ingestUrl"]
        .as_str()
        .expect("ingestUrl")
        .to_owned();
    let ingest_path = ingest
        .strip_prefix(&app.address)
        .unwrap_or_else(|| panic!("{ingest} is not on {}", app.address))
        .to_owned();
    for (what, content_type, body) in hostile_bodies() {
        let status = send(&app, &Method::POST, &ingest_path, content_type, body, what).await;
        // An unverified source takes any bytes up to the size limit.
        assert!(
            status.is_success() || status == StatusCode::PAYLOAD_TOO_LARGE,
            "{what}: {status}"
        );
    }
    for id in hostile_ids() {
        let status = send(
            &app,
            &Method::POST,
            &format!("/in/{id}"),
            "application/json",
            b"{}".to_vec(),
            "hostile source",
        )
        .await;
        // 404 for names that exist nowhere; 400 for a name that is not even UTF-8.
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST,
            "/in/{id:.40}: {status}"
        );
    }
    assert_eq!(app.get("/api/v1/health").await.status, 204);
}

#[tokio::test]
async fn huge_headers_are_refused_without_harm() {
    let app = corpus_app().await;
    let response = app
        .client
        .get(format!("{}/api/v1/app", app.address))
        .bearer_auth(TEST_TOKEN)
        .header("x-filler", "f".repeat(512 * 1024))
        .send()
        .await;
    // hyper refuses an oversized head (431) or closes the connection; either way nothing breaks.
    if let Ok(response) = response {
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    let mut many = app
        .client
        .get(format!("{}/api/v1/app", app.address))
        .bearer_auth(TEST_TOKEN);
    for n in 0..90 {
        many = many.header(format!("x-h{n}"), "v".repeat(100));
    }
    let status = many.send().await.map(|r| r.status());
    if let Ok(status) = status {
        assert!(!status.is_server_error(), "{status}");
    }
    assert_eq!(app.get("/api/v1/health").await.status, 204);
}
