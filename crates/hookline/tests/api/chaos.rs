//! Receiver chaos: endpoints that hang up, never answer, trickle, flood or redirect. Hookline
//! records each attempt for what it was, retries on schedule, and stays responsive.

use std::time::Duration;

use hookline_core::model::{Attempt, DeliveryStatus};
use hookline_delivery::sender::MAX_RESPONSE_BYTES;
use hookline_testkit::chaos::HUGE_BODY_BYTES;
use hookline_testkit::{Behaviour, ChaosReceiver, TestApp, TestReceiver, spawn_app_with};
use serde_json::json;

/// A server whose attempts give up after one second, so hanging receivers end quickly.
async fn impatient_app() -> TestApp {
    spawn_app_with(|mut config| {
        config.delivery.request_timeout = Duration::from_secs(1);
        config
    })
    .await
}

/// Sends one message to a chaos endpoint scripted with `behaviours`; returns the app.
async fn send_to_chaos(chaos: &ChaosReceiver, behaviours: Vec<Behaviour>) -> TestApp {
    let app = impatient_app().await;
    chaos.script("/hook", behaviours);
    let app_id = app.create_app("Chaos").await;
    app.create_endpoint(&app_id, json!({ "url": chaos.endpoint("/hook") }))
        .await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {"n": 1} }))
        .await;
    app
}

fn assert_failed_with(attempt: &Attempt, code: &str) {
    assert_eq!(attempt.status, DeliveryStatus::Fail, "{attempt:?}");
    assert_eq!(attempt.response_status_code, 0, "{attempt:?}");
    assert_eq!(attempt.error_code.as_deref(), Some(code), "{attempt:?}");
}

#[tokio::test]
async fn a_receiver_that_hangs_up_without_answering_is_a_failure_and_retried() {
    let chaos = ChaosReceiver::start().await;
    let mut app = send_to_chaos(&chaos, vec![Behaviour::CloseEarly]).await;
    let first = app.next_attempt().await;
    assert_eq!(first.status, DeliveryStatus::Fail, "{first:?}");
    assert_eq!(first.response_status_code, 0);
    assert!(first.error_code.is_some(), "{first:?}");
    let second = app.next_attempt().await;
    assert_eq!(second.status, DeliveryStatus::Success);
    assert_eq!(second.attempt_number, 2);
}

#[tokio::test]
async fn a_response_cut_mid_body_counts_by_its_status_and_keeps_what_arrived() {
    let chaos = ChaosReceiver::start().await;
    let mut app = send_to_chaos(&chaos, vec![Behaviour::CutResponse]).await;
    let attempt = app.next_attempt().await;
    assert_eq!(attempt.status, DeliveryStatus::Success, "{attempt:?}");
    assert_eq!(attempt.response_status_code, 200);
    assert_eq!(attempt.response, "0123456789");
}

#[tokio::test]
async fn a_receiver_that_never_answers_times_out_and_is_retried() {
    let chaos = ChaosReceiver::start().await;
    let mut app = send_to_chaos(&chaos, vec![Behaviour::Hang]).await;
    assert_failed_with(&app.next_attempt().await, "timeout");
    let second = app.next_attempt().await;
    assert_eq!(second.status, DeliveryStatus::Success);
}

#[tokio::test]
async fn a_trickled_answer_is_cut_off_by_the_request_timeout() {
    let chaos = ChaosReceiver::start().await;
    let mut app = send_to_chaos(&chaos, vec![Behaviour::Trickle]).await;
    assert_failed_with(&app.next_attempt().await, "timeout");
}

#[tokio::test]
async fn a_100_mb_response_is_capped_and_never_read_to_the_end() {
    let mut chaos = ChaosReceiver::start().await;
    let mut app = send_to_chaos(&chaos, vec![Behaviour::Huge]).await;
    let attempt = app.next_attempt().await;
    assert_eq!(attempt.status, DeliveryStatus::Success, "{attempt:?}");
    assert_eq!(attempt.response.len(), MAX_RESPONSE_BYTES);
    assert!(attempt.response.bytes().all(|b| b == b'x'));
    let event = chaos.next_event().await;
    assert_eq!(event.behaviour, Behaviour::Huge);
    assert!(
        event.bytes_written < HUGE_BODY_BYTES,
        "Hookline read the whole 100 MB body ({} bytes written)",
        event.bytes_written
    );
}

#[tokio::test]
async fn redirects_are_failures_and_are_never_followed() {
    let mut chaos = ChaosReceiver::start().await;
    let redirect = Behaviour::Redirect("/landing".into());
    let mut app = send_to_chaos(&chaos, vec![redirect.clone(); 4]).await;
    for number in 1..=4 {
        let attempt = app.next_attempt().await;
        assert_eq!(attempt.status, DeliveryStatus::Fail, "{attempt:?}");
        assert_eq!(attempt.response_status_code, 302);
        assert_eq!(attempt.attempt_number, number);
    }
    for _ in 0..4 {
        assert_eq!(chaos.next_event().await.path, "/hook");
    }
    assert_eq!(chaos.try_next_event(), None, "a redirect was followed");
}

#[tokio::test]
async fn an_endpoint_flipping_between_failure_modes_is_recorded_attempt_by_attempt() {
    let chaos = ChaosReceiver::start().await;
    let script = vec![
        Behaviour::Status(500),
        Behaviour::Hang,
        Behaviour::Status(503),
        Behaviour::Status(200),
    ];
    let mut app = send_to_chaos(&chaos, script).await;
    let first = app.next_attempt().await;
    assert_eq!(
        (first.status, first.response_status_code),
        (DeliveryStatus::Fail, 500)
    );
    assert_eq!(first.response, "chaos");
    assert_failed_with(&app.next_attempt().await, "timeout");
    let third = app.next_attempt().await;
    assert_eq!(
        (third.status, third.response_status_code),
        (DeliveryStatus::Fail, 503)
    );
    let fourth = app.next_attempt().await;
    assert_eq!(
        (fourth.status, fourth.response_status_code),
        (DeliveryStatus::Success, 200)
    );
    let numbers: Vec<u32> = [&first, &third, &fourth]
        .iter()
        .map(|a| a.attempt_number)
        .collect();
    assert_eq!(numbers, [1, 3, 4]);
}

#[tokio::test]
async fn chaos_at_one_endpoint_leaves_the_api_and_other_endpoints_working() {
    let chaos = ChaosReceiver::start().await;
    let mut healthy = TestReceiver::start().await;
    let app = impatient_app().await;
    chaos.script("/hook", vec![Behaviour::Hang; 8]);
    let app_id = app.create_app("Mixed").await;
    app.create_endpoint(&app_id, json!({ "url": chaos.endpoint("/hook") }))
        .await;
    app.create_endpoint(&app_id, json!({ "url": healthy.endpoint("/ok") }))
        .await;
    for n in 0..5 {
        app.send_message(&app_id, json!({ "eventType": "a", "payload": {"n": n} }))
            .await;
    }
    for _ in 0..5 {
        assert_eq!(healthy.next_request().await.uri.path(), "/ok");
    }
    let health = app.get("/api/v1/health").await;
    assert_eq!(health.status, 204);
}
