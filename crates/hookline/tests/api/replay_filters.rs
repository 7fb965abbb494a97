//! Bulk replay narrowed by `tag` (the message's tags) and `statusCodeClass` (the response class
//! of each delivery's last attempt: 0 for no response, 100 ... 500 for 1xx ... 5xx).

use hookline_core::Timestamp;
use std::time::Duration;

use hookline_testkit::{TestApp, TestReceiver, spawn_app, spawn_app_with};
use serde_json::{Value, json};

fn an_hour_ago() -> String {
    Timestamp::now()
        .minus(Duration::from_secs(3600))
        .to_rfc3339()
}

/// Starts a bulk replay with `filters` and waits (bounded) until its task ends; returns how
/// many messages it sent.
async fn bulk_replay(app: &TestApp, app_id: &str, ep: &str, filters: Value) -> i64 {
    let mut body = json!({ "since": an_hour_ago() });
    body.as_object_mut()
        .expect("an object")
        .extend(filters.as_object().cloned().unwrap_or_default());
    let started = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/bulk-replay"),
            body,
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    let task = app.ended_task(&started.str("id")).await;
    assert_eq!(task.body["status"], "finished", "{}", task.body);
    task.body["data"]["messagesSent"].as_i64().expect("a count")
}

#[tokio::test]
async fn bulk_replay_by_tag_and_status_code_class_resends_only_what_matches() {
    // Two attempts per message, so that the failures below stay too few to open the circuit
    // breaker (ten attempts, 70 % failed) in the middle of the test.
    let mut app =
        spawn_app_with(|config| config.retry_delays(vec![Duration::from_millis(20)])).await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let ep = endpoint["id"].as_str().expect("id");
    // One success tagged `vip`; one message that ends on 404s and one on 503s.
    let vip = app
        .send_message(
            &app_id,
            json!({ "eventType": "a", "payload": {}, "tags": ["vip"] }),
        )
        .await;
    receiver.next_request().await;
    app.next_attempt().await;
    let mut failed = Vec::new();
    for status in [404, 503] {
        receiver.set_default_status(status);
        let msg = app
            .send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
            .await;
        for _ in 0..2 {
            receiver.next_request().await;
            assert_eq!(app.next_attempt().await.response_status_code, status);
        }
        failed.push(msg["id"].clone());
    }
    receiver.set_default_status(200);

    assert_eq!(
        bulk_replay(&app, &app_id, ep, json!({ "statusCodeClass": 400 })).await,
        1
    );
    assert_eq!(
        receiver.next_request().await.header("webhook-id"),
        failed[0]
    );
    app.next_attempt().await;
    // The 404 message now ended on a 2xx: it is no longer in the 4xx class.
    assert_eq!(
        bulk_replay(&app, &app_id, ep, json!({ "statusCodeClass": 400 })).await,
        0
    );
    assert_eq!(
        bulk_replay(&app, &app_id, ep, json!({ "tag": "vip" })).await,
        1
    );
    assert_eq!(
        receiver.next_request().await.header("webhook-id"),
        vip["id"]
    );
    app.next_attempt().await;
    let both = json!({ "tag": "vip", "statusCodeClass": 500 });
    assert_eq!(bulk_replay(&app, &app_id, ep, both).await, 0);
    assert_eq!(
        bulk_replay(&app, &app_id, ep, json!({ "statusCodeClass": 500 })).await,
        1
    );
    assert_eq!(
        receiver.next_request().await.header("webhook-id"),
        failed[1]
    );
    app.next_attempt().await;
    assert!(
        receiver.try_next_request().is_none(),
        "nothing else was sent"
    );
}

#[tokio::test]
async fn bulk_replay_refuses_a_malformed_tag_or_an_unknown_status_code_class() {
    let app = spawn_app().await;
    let receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let ep = endpoint["id"].as_str().expect("id");
    let refused = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/bulk-replay"),
            json!({ "since": an_hour_ago(), "tag": "not a tag!", "statusCodeClass": 250 }),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let locs: Vec<Value> = refused.body["detail"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| d["loc"].clone())
        .collect();
    assert_eq!(
        locs,
        [json!(["body", "tag"]), json!(["body", "statusCodeClass"])]
    );
    assert_eq!(
        app.get("/api/v1/background-task").await.body["data"],
        json!([])
    );
}
