//! How the engine reads an endpoint's answers: 410, 429 + Retry-After, 503, 3xx, timeouts.

use hookline_core::model::DeliveryStatus;
use std::time::Duration;

use hookline_testkit::{Reply, ScriptedReceiver, TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

/// A server whose slow-down pauses last long enough for a test to read the endpoint's status
/// before the next attempt ends the pause (the test default is 50 ms).
async fn app_with_long_pauses() -> TestApp {
    spawn_app_with(|mut config| {
        config.delivery.lanes.slow_down = Duration::from_secs(2);
        config
    })
    .await
}

/// An app with one endpoint at `url`; returns (app id, endpoint id).
async fn one_endpoint(app: &TestApp, url: String) -> (String, String) {
    let app_id = app.create_app("Acme").await;
    let endpoint = app.create_endpoint(&app_id, json!({ "url": url })).await;
    (app_id, endpoint["id"].as_str().expect("id").to_owned())
}

async fn throttle_status(app: &TestApp, app_id: &str, ep: &str) -> Value {
    app.get(&format!(
        "/api/v1/app/{app_id}/endpoint/{ep}/rate-limit-status"
    ))
    .await
    .body
}

#[tokio::test]
async fn gone_disables_the_endpoint() {
    let mut app = spawn_app().await;
    let receiver = ScriptedReceiver::start(|_, _| Reply::status(410)).await;
    let (app_id, ep) = one_endpoint(&app, receiver.endpoint("/gone")).await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let attempt = app.next_attempt().await;
    assert_eq!(attempt.response_status_code, 410);
    assert_eq!(attempt.status, DeliveryStatus::Fail);
    assert_eq!(attempt.next_attempt_at, None, "a 410 is not retried");
    let endpoint = app
        .get(&format!("/api/v1/app/{app_id}/endpoint/{ep}"))
        .await;
    assert_eq!(endpoint.body["disabled"], true, "{}", endpoint.body);
    // Later messages are not planned for the disabled endpoint.
    let msg = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let planned = app
        .get(&format!(
            "/api/v1/app/{app_id}/msg/{}/endpoint",
            msg["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(planned.body["data"], json!([]), "{}", planned.body);
}

#[tokio::test]
async fn too_many_requests_with_retry_after_holds_the_endpoint_that_long() {
    let mut app = spawn_app().await;
    let mut receiver = ScriptedReceiver::start(|n, _| match n {
        0 => Reply::status(429).header("retry-after", "3"),
        _ => Reply::status(200),
    })
    .await;
    let (app_id, ep) = one_endpoint(&app, receiver.endpoint("/busy")).await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let first = app.next_attempt().await;
    assert_eq!(first.response_status_code, 429);
    let next = first.next_attempt_at.expect("retried");
    // The test schedule would retry after 20 ms; the endpoint asked for 3 s.
    assert!(
        next.as_millis() - first.created_at.as_millis() >= 3000,
        "{first:?}"
    );
    let status = throttle_status(&app, &app_id, &ep).await;
    assert_eq!(status["status"], "RateLimited", "{status}");
    assert_eq!(status["reason"], "http_429");

    let second = app.next_attempt().await;
    assert_eq!(second.status, DeliveryStatus::Success);
    assert!(
        second.created_at >= next,
        "retried before Retry-After ended"
    );
    assert_eq!(throttle_status(&app, &app_id, &ep).await["status"], "Ok");
    receiver.next_request().await;
    receiver.next_request().await;
}

#[tokio::test]
async fn unavailable_without_retry_after_slows_the_endpoint_down() {
    let mut app = app_with_long_pauses().await;
    let receiver = ScriptedReceiver::start(|n, _| match n {
        0 => Reply::status(503),
        _ => Reply::status(204),
    })
    .await;
    let (app_id, ep) = one_endpoint(&app, receiver.endpoint("/down")).await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let first = app.next_attempt().await;
    assert_eq!(first.response_status_code, 503);
    assert_eq!(
        throttle_status(&app, &app_id, &ep).await["reason"],
        "http_503"
    );
    let second = app.next_attempt().await;
    assert_eq!(second.status, DeliveryStatus::Success);
}

#[tokio::test]
async fn redirects_are_failures_and_are_not_followed() {
    let mut app = spawn_app().await;
    let mut receiver = ScriptedReceiver::start(|n, _| match n {
        0 => Reply::status(302).header("location", "/elsewhere"),
        _ => Reply::status(200),
    })
    .await;
    let (app_id, _) = one_endpoint(&app, receiver.endpoint("/moved")).await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let first = app.next_attempt().await;
    assert_eq!(first.response_status_code, 302);
    assert_eq!(first.status, DeliveryStatus::Fail);
    assert!(first.next_attempt_at.is_some());
    let second = app.next_attempt().await;
    assert_eq!(second.status, DeliveryStatus::Success);
    // Both requests went to the endpoint's own URL, never to the redirect target.
    for _ in 0..2 {
        assert_eq!(receiver.next_request().await.uri.path(), "/moved");
    }
}

#[tokio::test]
async fn a_timeout_is_recorded_and_slows_the_endpoint_down() {
    let mut app = app_with_long_pauses().await;
    let receiver = ScriptedReceiver::start(|n, _| match n {
        0 => Reply::hang(),
        _ => Reply::status(200),
    })
    .await;
    let (app_id, ep) = one_endpoint(&app, receiver.endpoint("/slow")).await;
    let settings = app
        .request(
            Method::PUT,
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/delivery-settings"),
            Some(json!({ "timeoutMs": 200 })),
        )
        .await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert_eq!(settings.body["timeoutMs"], 200);
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let first = app.next_attempt().await;
    assert_eq!(first.error_code.as_deref(), Some("timeout"), "{first:?}");
    assert_eq!(first.response_status_code, 0);
    assert!(first.next_attempt_at.is_some());
    assert_eq!(
        throttle_status(&app, &app_id, &ep).await["reason"],
        "timeout"
    );
    let second = app.next_attempt().await;
    assert_eq!(second.status, DeliveryStatus::Success);
}

#[tokio::test]
async fn delivery_settings_are_validated_field_by_field() {
    let app = spawn_app().await;
    let (app_id, ep) = one_endpoint(&app, "http://127.0.0.1:9/x".into()).await;
    let path = format!("/api/v1/app/{app_id}/endpoint/{ep}/delivery-settings");
    let bad = app
        .request(
            Method::PUT,
            &path,
            Some(json!({ "maxConcurrency": 0, "timeoutMs": 120000, "retrySchedule": [0] })),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let locs: Vec<Value> = bad.body["detail"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| d["loc"].clone())
        .collect();
    assert_eq!(
        locs,
        vec![
            json!(["body", "maxConcurrency"]),
            json!(["body", "timeoutMs"]),
            json!(["body", "retrySchedule", "0"])
        ]
    );
    // Nothing half-written: the settings are still the defaults.
    let read = app.get(&path).await;
    assert_eq!(
        read.body,
        json!({ "ordered": false, "maxConcurrency": null, "timeoutMs": null, "retrySchedule": null })
    );
}

/// A loopback server that accepts each connection and closes it at once, without answering.
async fn closing_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    format!("http://{addr}/hook")
}

#[tokio::test]
async fn connection_errors_are_classified_on_each_attempt() {
    let mut app = spawn_app().await;
    let plain = ScriptedReceiver::start(|_, _| Reply::status(200)).await;
    let app_id = app.create_app("Acme").await;
    // TLS spoken to a plain-HTTP server; and a server that hangs up without answering.
    let tls = plain.url.replace("http://", "https://");
    let reset = closing_server().await;
    for url in [format!("{tls}/hook"), reset] {
        app.create_endpoint(&app_id, json!({ "url": url })).await;
    }
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let mut codes = Vec::new();
    while codes.len() < 2 {
        let attempt = app.next_attempt().await;
        if attempt.attempt_number == 1 {
            assert_eq!(attempt.response_status_code, 0);
            assert!(attempt.next_attempt_at.is_some(), "retried: {attempt:?}");
            let https = attempt.url.starts_with("https");
            codes.push((https, attempt.error_code.clone().unwrap_or_default()));
        }
    }
    codes.sort();
    assert_eq!(
        codes,
        vec![
            (false, "connection_reset".to_owned()),
            (true, "tls_error".to_owned())
        ]
    );
}
