//! Retry schedules per event type and per endpoint, and ordered delivery.

use std::time::Duration;

use hookline_core::model::Attempt;
use hookline_testkit::{TestApp, TestReceiver, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::json;

/// Seconds between an attempt and its scheduled retry.
fn retry_gap_secs(attempt: &Attempt) -> f64 {
    let next = attempt.next_attempt_at.expect("a retry is scheduled");
    (next.as_millis() - attempt.created_at.as_millis()) as f64 / 1000.0
}

async fn put(app: &TestApp, path: &str, body: serde_json::Value) -> hookline_testkit::TestResponse {
    app.request(Method::PUT, path, Some(body)).await
}

#[tokio::test]
async fn an_event_types_retry_schedule_can_be_read_and_replaced() {
    let app = spawn_app().await;
    app.create_event_type("invoice.paid").await;
    let path = "/api/v1/event-type/invoice.paid/retry-schedule";
    assert_eq!(app.get(path).await.body, json!({ "retrySchedule": null }));

    let set = put(
        &app,
        path,
        json!({ "retrySchedule": [{ "secs": 60, "nanos": 0 }, 120] }),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let expected = json!({ "retrySchedule": [
        { "secs": 60, "nanos": 0 }, { "secs": 120, "nanos": 0 }
    ] });
    assert_eq!(set.body, expected);
    assert_eq!(app.get(path).await.body, expected);

    let bad = put(&app, path, json!({ "retrySchedule": [60, { "secs": 0 }] })).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(
        bad.body["detail"][0]["loc"],
        json!(["body", "retrySchedule", "1"])
    );
    assert_eq!(
        app.get(path).await.body,
        expected,
        "a refused update changes nothing"
    );

    let cleared = put(&app, path, json!({ "retrySchedule": null })).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(app.get(path).await.body, json!({ "retrySchedule": null }));

    let missing = app.get("/api/v1/event-type/nope/retry-schedule").await;
    assert_eq!(missing.status, 404, "{}", missing.body);
}

#[tokio::test]
async fn the_endpoints_schedule_beats_the_event_types_which_beats_the_servers() {
    let mut app = spawn_app().await;
    let receiver = TestReceiver::start().await;
    receiver.set_default_status(500);
    app.create_event_type("invoice.paid").await;
    let set = put(
        &app,
        "/api/v1/event-type/invoice.paid/retry-schedule",
        json!({ "retrySchedule": [60] }),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let app_id = app.create_app("Acme").await;
    let plain = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/plain") }))
        .await;
    let own = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/own") }))
        .await;
    let own_id = own["id"].as_str().expect("id");
    let settings = put(
        &app,
        &format!("/api/v1/app/{app_id}/endpoint/{own_id}/delivery-settings"),
        json!({ "retrySchedule": [3600] }),
    )
    .await;
    assert_eq!(settings.status, 200, "{}", settings.body);

    app.send_message(
        &app_id,
        json!({ "eventType": "invoice.paid", "payload": {} }),
    )
    .await;
    app.send_message(&app_id, json!({ "eventType": "other", "payload": {} }))
        .await;
    // The first attempt of each of the four deliveries (retries of the 20 ms one are skipped).
    let mut gaps = Vec::new();
    while gaps.len() < 4 {
        let attempt = app.next_attempt().await;
        if attempt.attempt_number > 1 {
            continue;
        }
        let endpoint = if attempt.endpoint_id.as_str() == plain["id"] {
            "plain"
        } else {
            "own"
        };
        gaps.push((
            endpoint,
            attempt.msg_id.to_string(),
            retry_gap_secs(&attempt),
        ));
    }
    gaps.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    // Jitter is +-20%; the server's test schedule retries after 20 ms.
    let within = |gap: f64, base: f64| gap >= base * 0.8 && gap <= base * 1.2 + 1.0;
    let plain_gaps: Vec<f64> = gaps
        .iter()
        .filter(|g| g.0 == "plain")
        .map(|g| g.2)
        .collect();
    let own_gaps: Vec<f64> = gaps.iter().filter(|g| g.0 == "own").map(|g| g.2).collect();
    assert!(own_gaps.iter().all(|g| within(*g, 3600.0)), "{gaps:?}");
    let mut plain_sorted = plain_gaps.clone();
    plain_sorted.sort_by(f64::total_cmp);
    assert!(
        plain_sorted[0] < 1.0,
        "the other event type uses the server's: {gaps:?}"
    );
    assert!(
        within(plain_sorted[1], 60.0),
        "invoice.paid uses its own: {gaps:?}"
    );
}

#[tokio::test]
async fn an_ordered_endpoint_receives_messages_strictly_in_order_across_failures() {
    // Three attempts per delivery: the first message exhausts them, the second succeeds on retry.
    let app =
        spawn_app_with(|config| config.retry_delays(vec![Duration::from_millis(20); 2])).await;
    let mut receiver = TestReceiver::start().await;
    receiver.respond_with(&[500, 500, 500, 500]);
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/ordered") }))
        .await;
    let ep = endpoint["id"].as_str().expect("id");
    let set = put(
        &app,
        &format!("/api/v1/app/{app_id}/endpoint/{ep}/delivery-settings"),
        json!({ "ordered": true }),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.body["ordered"], true);

    let mut ids = Vec::new();
    for n in 0..6 {
        let msg = app
            .send_message(&app_id, json!({ "eventType": "a", "payload": { "n": n } }))
            .await;
        ids.push(msg["id"].as_str().expect("id").to_owned());
    }
    let mut expected = vec![&ids[0], &ids[0], &ids[0], &ids[1], &ids[1]];
    expected.extend(&ids[2..]);
    let mut seen = Vec::new();
    for _ in 0..expected.len() {
        let request = receiver.next_request().await;
        seen.push((request.header("webhook-id").to_owned(), request.answered));
    }
    let order: Vec<&String> = seen.iter().map(|(id, _)| id).collect();
    assert_eq!(order, expected, "answers: {seen:?}");
    let statuses: Vec<u16> = seen.iter().map(|(_, status)| *status).collect();
    assert_eq!(statuses, vec![500, 500, 500, 500, 200, 200, 200, 200, 200]);
    let first = app
        .get(&format!("/api/v1/app/{app_id}/msg/{}/endpoint", ids[0]))
        .await;
    assert_eq!(
        first.body["data"][0]["statusText"], "fail",
        "{}",
        first.body
    );
}
