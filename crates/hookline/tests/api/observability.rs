//! `/metrics`, request ids and CORS.

use std::collections::HashMap;

use hookline_api::observability::CorsOrigins;
use hookline_testkit::{TestApp, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

/// One sample of the exposition: name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: HashMap<String, String>,
    value: f64,
}

/// Parses the Prometheus text format strictly enough to catch a malformed page: every line is
/// blank, a `# HELP`/`# TYPE` comment with a known type, or `name{label="value",...} number`.
fn parse_prometheus(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            let parts: Vec<&str> = comment.split_whitespace().collect();
            match parts.as_slice() {
                ["TYPE", _, kind] => assert!(
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(kind),
                    "unknown metric type in {line:?}"
                ),
                ["HELP", _, ..] => {}
                _ => panic!("malformed comment line {line:?}"),
            }
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("no value in {line:?}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other
                .parse()
                .unwrap_or_else(|_| panic!("bad value in {line:?}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series, HashMap::new()),
            Some((name, rest)) => {
                let body = rest
                    .strip_suffix('}')
                    .unwrap_or_else(|| panic!("unclosed labels in {line:?}"));
                let mut labels = HashMap::new();
                for pair in body.split("\",").filter(|p| !p.is_empty()) {
                    let (key, value) = pair
                        .split_once("=\"")
                        .unwrap_or_else(|| panic!("bad label in {line:?}"));
                    labels.insert(key.to_owned(), value.trim_end_matches('"').to_owned());
                }
                (name, labels)
            }
        };
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name in {line:?}"
        );
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    samples
}

async fn scrape(app: &TestApp) -> Vec<Sample> {
    let response = reqwest::get(format!("{}/metrics", app.address))
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("text")
            .starts_with("text/plain")
    );
    parse_prometheus(&response.text().await.expect("body"))
}

/// The sum of a metric's samples whose labels include `labels`.
fn total(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).is_some_and(|x| x == v))
        })
        .map(|s| s.value)
        .sum()
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_counters_move_when_messages_are_sent() {
    let app = spawn_app().await;
    app.create_event_type("invoice.paid").await;
    let app_id = app.create_app("Acme").await;
    let before = scrape(&app).await;
    for n in 0..3 {
        app.send_message(
            &app_id,
            json!({ "eventType": "invoice.paid", "payload": { "n": n } }),
        )
        .await;
    }
    let after = scrape(&app).await;

    // Other tests in this process send messages too: only movement is asserted.
    let accepted = |s: &[Sample]| total(s, "hookline_messages_accepted_total", &[]);
    assert!(accepted(&after) >= accepted(&before) + 3.0);
    let sends = [
        ("route", "/api/v1/app/{app_id}/msg"),
        ("method", "POST"),
        ("status", "202"),
    ];
    let requests = |s: &[Sample]| total(s, "hookline_http_requests_total", &sends);
    assert!(requests(&after) >= requests(&before) + 3.0);
    let timed = [("route", "/api/v1/app/{app_id}/msg"), ("method", "POST")];
    let count = |s: &[Sample]| total(s, "hookline_http_request_duration_seconds_count", &timed);
    assert!(count(&after) >= count(&before) + 3.0);
    assert!(
        after
            .iter()
            .filter(|s| s.name == "hookline_http_request_duration_seconds_bucket")
            .any(|s| s.labels.get("le").is_some_and(|le| le == "+Inf")),
        "durations are a histogram"
    );
    assert!(
        after
            .iter()
            .flat_map(|s| s.labels.values())
            .all(|v| !v.contains(&app_id)),
        "a raw id leaked into a label"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_given_one_is_kept() {
    let app = spawn_app().await;
    let first = app.get("/api/v1/app").await;
    let second = app.get("/api/v1/no-such-route").await;
    assert_eq!(second.status, StatusCode::NOT_FOUND);
    let id = |r: &hookline_testkit::TestResponse| {
        r.headers["x-request-id"].to_str().expect("text").to_owned()
    };
    assert!(!id(&first).is_empty());
    assert_ne!(id(&first), id(&second), "each request gets its own id");

    let response = app
        .client
        .get(format!("{}/api/v1/health", app.address))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .expect("request");
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/app", app.address),
        )
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type,hookline-environment",
        )
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = spawn_app_with(|mut config| {
        config.cors = CorsOrigins::parse("https://app.example.com").expect("origins");
        config
    })
    .await;
    let allowed = preflight(&app, "https://app.example.com").await;
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert!(
        allowed.headers().contains_key("x-request-id"),
        "preflights carry an id too"
    );
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .expect("text")
        .to_ascii_lowercase();
    assert!(headers.contains("hookline-environment"), "{headers}");
    let other = preflight(&app, "https://evil.example.net").await;
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let default = spawn_app().await;
    let none = preflight(&default, "https://app.example.com").await;
    assert!(none.headers().get("access-control-allow-origin").is_none());
}
