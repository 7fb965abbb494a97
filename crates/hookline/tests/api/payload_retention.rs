//! Per-message payload retention (`MessageIn.payloadRetentionPeriod`, 5 to 90 days): each
//! payload expires at its own time, sooner or later than the server's retention. Time is
//! stepped by calling a housekeeping pass with the time the test wants.

use std::time::Duration;

use hookline_core::Timestamp;
use hookline_testkit::{TestApp, TestReceiver, spawn_app, spawn_app_with};
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// The message as `GET` shows it (status and body).
async fn read(app: &TestApp, app_id: &str, msg: &Value) -> (u16, Value) {
    let id = msg["id"].as_str().expect("id");
    let read = app.get(&format!("/api/v1/app/{app_id}/msg/{id}")).await;
    (read.status.as_u16(), read.body["payload"].clone())
}

#[tokio::test]
async fn each_payload_expires_after_its_own_retention_period_or_the_server_s() {
    // The server keeps messages for an hour; one message asks for five days.
    let mut app = spawn_app_with(|mut config| {
        config.maintenance.retention = HOUR;
        config
    })
    .await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    app.create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let kept = app
        .send_message(
            &app_id,
            json!({ "eventType": "a", "payload": {"keep": 5}, "payloadRetentionPeriod": 5 }),
        )
        .await;
    let plain = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {"keep": 0} }))
        .await;
    for _ in 0..2 {
        receiver.next_request().await;
        app.next_attempt().await;
    }

    let now = Timestamp::now();
    let report = app
        .maintenance
        .step(now.plus(2 * HOUR))
        .await
        .expect("pass");
    assert_eq!(report.pruned.payloads_expired, 1, "{report:?}");
    assert_eq!(
        read(&app, &app_id, &plain).await.0,
        404,
        "expired and pruned"
    );
    assert_eq!(read(&app, &app_id, &kept).await, (200, json!({"keep": 5})));

    let report = app.maintenance.step(now.plus(4 * DAY)).await.expect("pass");
    assert_eq!(report.pruned.payloads_expired, 0, "{report:?}");
    let report = app
        .maintenance
        .step(now.plus(5 * DAY + HOUR))
        .await
        .expect("pass");
    assert_eq!(report.pruned.payloads_expired, 1, "{report:?}");
    assert_eq!(
        read(&app, &app_id, &kept).await.0,
        404,
        "its five days are over"
    );
}

#[tokio::test]
async fn a_shorter_period_expires_the_payload_before_the_server_s_retention() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    app.create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let short = app
        .send_message(
            &app_id,
            json!({ "eventType": "a", "payload": {"n": 1}, "payloadRetentionPeriod": 5 }),
        )
        .await;
    let default = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {"n": 2} }))
        .await;
    for _ in 0..2 {
        receiver.next_request().await;
        app.next_attempt().await;
    }
    let report = app
        .maintenance
        .step(Timestamp::now().plus(6 * DAY))
        .await
        .expect("pass");
    assert_eq!(report.pruned.payloads_expired, 1, "{report:?}");
    // The message stays (the server keeps it 90 days), without its payload.
    assert_eq!(read(&app, &app_id, &short).await, (200, json!({})));
    assert_eq!(read(&app, &app_id, &default).await, (200, json!({"n": 2})));
}

#[tokio::test]
async fn a_retention_period_outside_5_to_90_days_is_refused() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    for days in [0, 4, 91, -1] {
        let refused = app
            .post(
                &format!("/api/v1/app/{app_id}/msg"),
                json!({ "eventType": "a", "payload": {}, "payloadRetentionPeriod": days }),
            )
            .await;
        assert_eq!(refused.status, 422, "{days}: {}", refused.body);
        assert_eq!(
            refused.body["detail"][0]["loc"],
            json!(["body", "payloadRetentionPeriod"])
        );
    }
}
