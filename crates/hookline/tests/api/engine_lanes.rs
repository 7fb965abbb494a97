//! Per-endpoint lanes: isolation, rate limits, circuit breaker.

use std::collections::HashSet;
use std::time::Duration;

use hookline_core::model::DeliveryStatus;
use hookline_delivery::circuit::CircuitConfig;
use hookline_testkit::{Reply, ScriptedReceiver, TestReceiver, spawn_app_with};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_hanging_endpoint_does_not_delay_a_healthy_one() {
    // Few global slots: a hanging endpoint that could take them all would starve the other.
    let mut app = spawn_app_with(|mut config| {
        config.delivery.max_in_flight = 8;
        config.delivery.lanes.concurrency = 4;
        config.delivery.request_timeout = Duration::from_secs(30);
        config
    })
    .await;
    let mut hanging = ScriptedReceiver::start(|_, _| Reply::hang()).await;
    let mut healthy = TestReceiver::start().await;
    let slow_app = app.create_app("Slow").await;
    let fast_app = app.create_app("Fast").await;
    app.create_endpoint(&slow_app, json!({ "url": hanging.endpoint("/hang") }))
        .await;
    app.create_endpoint(&fast_app, json!({ "url": healthy.endpoint("/ok") }))
        .await;

    for n in 0..30 {
        let body = json!({ "eventType": "a", "payload": { "n": n } });
        app.send_message(&slow_app, body.clone()).await;
        app.send_message(&fast_app, body).await;
    }
    // The hanging endpoint fills its lane (4 requests), and no more.
    for _ in 0..4 {
        hanging.next_request().await;
    }
    let mut delivered = HashSet::new();
    while delivered.len() < 30 {
        delivered.insert(healthy.next_request().await.header("webhook-id").to_owned());
    }
    // Every healthy delivery is recorded before any attempt to the hanging endpoint finishes.
    for _ in 0..30 {
        let attempt = app.next_attempt().await;
        assert_eq!(attempt.status, DeliveryStatus::Success, "{attempt:?}");
        assert!(delivered.contains(attempt.msg_id.as_str()));
    }
    assert!(
        hanging.try_next_request().is_none(),
        "the hanging endpoint got more than its lane's 4 requests"
    );
}

#[tokio::test]
async fn a_rate_limited_endpoint_never_sees_more_than_its_rate_plus_burst_in_a_second() {
    let mut app = spawn_app_with(|config| config).await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(
            &app_id,
            json!({ "url": receiver.endpoint("/hook"), "throttleRate": 5 }),
        )
        .await;
    let ep = endpoint["id"].as_str().expect("id");
    let status_path = format!("/api/v1/app/{app_id}/endpoint/{ep}/rate-limit-status");
    for n in 0..12 {
        app.send_message(&app_id, json!({ "eventType": "a", "payload": { "n": n } }))
            .await;
    }
    let mut arrivals = Vec::new();
    let mut starts = Vec::new();
    for _ in 0..12 {
        arrivals.push(receiver.next_request().await.at);
        let attempt = app.next_attempt().await;
        assert_eq!(attempt.status, DeliveryStatus::Success);
        // Throttled deliveries are handed back, not attempted: every one succeeds first time.
        assert_eq!(attempt.attempt_number, 1);
        starts.push(attempt.created_at.as_millis());
        if starts.len() == 2 {
            // Twelve messages were accepted at once; the limit is now spreading them out.
            let status = app.get(&status_path).await.body;
            assert_eq!(status["status"], "RateLimited", "{status}");
            assert_eq!(status["reason"], "rate_limited");
        }
    }
    let status = app.get(&status_path).await.body;
    assert_eq!(status["status"], "Ok", "the backlog is gone: {status}");
    starts.sort_unstable();
    // Rate 5/s with a burst of 1: no window of one second holds more than 6 starts.
    for (i, first) in starts.iter().enumerate() {
        let in_window = starts[i..]
            .iter()
            .take_while(|t| **t < first + 1000)
            .count();
        assert!(in_window <= 6, "{in_window} starts within 1 s: {starts:?}");
    }
    arrivals.sort_unstable();
    for (i, first) in arrivals.iter().enumerate() {
        let in_window = arrivals[i..]
            .iter()
            .take_while(|t| t.duration_since(*first) < Duration::from_millis(990))
            .count();
        assert!(in_window <= 6, "{in_window} arrivals within 1 s");
    }
}

#[tokio::test]
async fn a_failing_endpoint_is_paused_probed_and_resumes_when_it_recovers() {
    let mut app = spawn_app_with(|mut config| {
        config.delivery.lanes.circuit = CircuitConfig {
            min_attempts: 4,
            open_for: Duration::from_secs(1),
            ..CircuitConfig::default()
        };
        config.retry_delays(vec![Duration::from_millis(20); 10])
    })
    .await;
    let receiver = TestReceiver::start().await;
    receiver.set_default_status(500);
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let ep = endpoint["id"].as_str().expect("id");
    let settings = format!("/api/v1/app/{app_id}/endpoint/{ep}/delivery-settings");
    let set = app
        .request(Method::PUT, &settings, Some(json!({ "maxConcurrency": 1 })))
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let status_path = format!("/api/v1/app/{app_id}/endpoint/{ep}/rate-limit-status");
    assert_eq!(app.get(&status_path).await.body["status"], "Ok");

    let mut sent = HashSet::new();
    for n in 0..3 {
        let msg = app
            .send_message(&app_id, json!({ "eventType": "a", "payload": { "n": n } }))
            .await;
        sent.insert(msg["id"].as_str().expect("id").to_owned());
    }
    // Four failures in a row (100% of at least 4) open the circuit.
    for _ in 0..4 {
        assert_eq!(app.next_attempt().await.status, DeliveryStatus::Fail);
    }
    let paused = app.get(&status_path).await;
    assert_eq!(paused.body["status"], "RateLimited", "{}", paused.body);
    assert_eq!(paused.body["circuit"], "open");
    assert_eq!(paused.body["reason"], "circuit_open");
    assert!(paused.body["throttledSince"].is_string());

    receiver.set_default_status(200);
    // While paused nothing is attempted: the very next attempt is the probe, and it succeeds.
    let probe = app.next_attempt().await;
    assert_eq!(probe.status, DeliveryStatus::Success, "{probe:?}");
    let resumed = app.get(&status_path).await;
    assert_eq!(resumed.body["status"], "Ok", "{}", resumed.body);
    assert_eq!(resumed.body["circuit"], "closed");

    let mut delivered = HashSet::from([probe.msg_id.to_string()]);
    while delivered.len() < sent.len() {
        let attempt = app.next_attempt().await;
        assert_eq!(attempt.status, DeliveryStatus::Success, "{attempt:?}");
        delivered.insert(attempt.msg_id.to_string());
    }
    assert_eq!(delivered, sent);
}
