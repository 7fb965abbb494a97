use std::time::Duration;

use hookline_core::model::DeliveryStatus;
use hookline_testkit::{TestReceiver, spawn_app_with};
use serde_json::json;

#[tokio::test]
async fn scheduled_retries_survive_a_restart() {
    let mut app =
        spawn_app_with(|config| config.retry_delays(vec![Duration::from_millis(500)])).await;
    let mut receiver = TestReceiver::start().await;
    receiver.respond_with(&[500]);
    let app_id = app.create_app("Acme").await;
    app.create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let msg = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {"n": 1} }))
        .await;
    let first = receiver.next_request().await;
    let failed = app.next_attempt().await;
    assert_eq!(failed.status, DeliveryStatus::Fail);
    assert!(failed.next_attempt_at.is_some());

    let mut app = app.restart().await;
    let second = receiver.next_request().await;
    assert_eq!(second.header("webhook-id"), msg["id"].as_str().expect("id"));
    assert_eq!(first.header("webhook-id"), second.header("webhook-id"));
    let recovered = app.next_attempt().await;
    assert_eq!(recovered.status, DeliveryStatus::Success);
    assert_eq!(recovered.attempt_number, 2);
}

#[tokio::test]
async fn messages_accepted_before_a_restart_are_delivered_after_it() {
    // The engine is given no time to deliver: the server stops right after accepting.
    let app = spawn_app_with(|config| config).await;
    let mut receiver = TestReceiver::start().await;
    receiver.set_default_status(200);
    let app_id = app.create_app("Acme").await;
    app.create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let mut sent = Vec::new();
    for n in 0..20 {
        let msg = app
            .send_message(&app_id, json!({ "eventType": "a", "payload": {"n": n} }))
            .await;
        sent.push(msg["id"].as_str().expect("id").to_owned());
    }
    let _app = app.restart().await;
    let mut seen = std::collections::HashSet::new();
    while seen.len() < sent.len() {
        seen.insert(
            receiver
                .next_request()
                .await
                .header("webhook-id")
                .to_owned(),
        );
    }
    for id in &sent {
        assert!(seen.contains(id), "{id} was never delivered");
    }
}
