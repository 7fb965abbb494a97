//! Housekeeping: endpoints that keep failing are disabled; retention keeps storage bounded.
//! Time is stepped by calling a pass with the time the test wants, never by sleeping.

use std::time::Duration;

use hookline_core::Timestamp;
use hookline_testkit::{TestApp, TestReceiver, spawn_app, spawn_app_with};

use crate::child::hookline_on;
use serde_json::json;

const HOUR: Duration = Duration::from_secs(3600);

async fn endpoint(app: &TestApp, app_id: &str, receiver: &TestReceiver) -> String {
    let created = app
        .create_endpoint(app_id, json!({ "url": receiver.endpoint("/") }))
        .await;
    created["id"].as_str().expect("id").to_owned()
}

async fn is_disabled(app: &TestApp, app_id: &str, ep: &str) -> bool {
    let read = app
        .get(&format!("/api/v1/app/{app_id}/endpoint/{ep}"))
        .await;
    read.body["disabled"].as_bool().expect("disabled")
}

/// Sends one message and waits for its attempts (one, plus three retries when it fails).
async fn deliver(app: &mut TestApp, app_id: &str, attempts: usize) {
    app.send_message(app_id, json!({ "eventType": "a", "payload": {"n": 1} }))
        .await;
    for _ in 0..attempts {
        app.next_attempt().await;
    }
}

#[tokio::test]
async fn an_endpoint_that_keeps_failing_is_disabled_after_the_configured_period() {
    let mut app = spawn_app_with(|mut config| {
        config.maintenance.disable_after = HOUR;
        config
    })
    .await;
    let receiver = TestReceiver::start().await;
    receiver.set_default_status(500);
    let app_id = app.create_app("Acme").await;
    let ep = endpoint(&app, &app_id, &receiver).await;
    deliver(&mut app, &app_id, 4).await;

    let now = Timestamp::now();
    let early = app.maintenance.step(now).await.expect("pass");
    assert!(early.disabled.is_empty(), "the clock has only just started");
    assert!(!is_disabled(&app, &app_id, &ep).await);

    let later = app.maintenance.step(now.plus(HOUR)).await.expect("pass");
    assert_eq!(later.disabled.len(), 1);
    assert_eq!(later.disabled[0].1.as_str(), ep);
    assert!(is_disabled(&app, &app_id, &ep).await);

    // Enabling it again restarts the clock.
    let path = format!("/api/v1/app/{app_id}/endpoint/{ep}");
    let enabled = app
        .request(
            reqwest::Method::PATCH,
            &path,
            Some(json!({ "disabled": false })),
        )
        .await;
    assert_eq!(enabled.status, 200);
    let after = app
        .maintenance
        .step(now.plus(HOUR * 2))
        .await
        .expect("pass");
    assert!(after.disabled.is_empty());
    assert!(!is_disabled(&app, &app_id, &ep).await);
}

#[tokio::test]
async fn any_success_resets_the_auto_disable_clock() {
    let mut app = spawn_app_with(|mut config| {
        config.maintenance.disable_after = HOUR;
        config
    })
    .await;
    let receiver = TestReceiver::start().await;
    receiver.respond_with(&[500, 500, 500, 500]);
    let app_id = app.create_app("Acme").await;
    let ep = endpoint(&app, &app_id, &receiver).await;
    deliver(&mut app, &app_id, 4).await; // exhausted
    deliver(&mut app, &app_id, 1).await; // succeeds

    let report = app
        .maintenance
        .step(Timestamp::now().plus(HOUR * 24))
        .await
        .expect("pass");
    assert!(report.disabled.is_empty(), "{report:?}");
    assert!(!is_disabled(&app, &app_id, &ep).await);
}

async fn count(app: &TestApp, path: &str) -> usize {
    let listed = app.get(&format!("{path}?limit=250")).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    listed.body["data"].as_array().expect("list").len()
}

#[tokio::test]
async fn retention_removes_expired_messages_and_keeps_row_counts_bounded() {
    let mut app = spawn_app_with(|mut config| {
        config.maintenance.retention = HOUR;
        config.maintenance.batch = 3;
        config
    })
    .await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let ep = endpoint(&app, &app_id, &receiver).await;
    let messages = format!("/api/v1/app/{app_id}/msg");
    let attempts = format!("/api/v1/app/{app_id}/attempt/endpoint/{ep}");

    // A long run: each round sends a burst and then the clock moves past the retention period.
    let mut clock = Timestamp::now();
    let mut pruned_total = 0;
    for round in 0..4 {
        let mut first = None;
        for _ in 0..5 {
            let sent = app
                .send_message(
                    &app_id,
                    json!({ "eventType": "a", "payload": {"round": round} }),
                )
                .await;
            first.get_or_insert(sent["id"].as_str().expect("id").to_owned());
            receiver.next_request().await;
            app.next_attempt().await;
        }
        assert_eq!(
            count(&app, &messages).await,
            5,
            "only this round's messages remain"
        );
        assert_eq!(count(&app, &attempts).await, 5);

        clock = clock.plus(HOUR * 2);
        let report = app.maintenance.step(clock).await.expect("pass");
        assert_eq!(report.pruned.messages_deleted, 5, "{report:?}");
        assert_eq!(report.pruned.attempts_deleted, 5);
        pruned_total += report.pruned.payloads_expired;
        assert_eq!(count(&app, &messages).await, 0);
        assert_eq!(count(&app, &attempts).await, 0);
        let gone = app
            .get(&format!(
                "/api/v1/app/{app_id}/msg/{}",
                first.expect("sent")
            ))
            .await;
        assert_eq!(gone.status, 404);
    }
    assert_eq!(pruned_total, 20, "every payload expired");
}

#[tokio::test]
async fn retention_keeps_recent_messages_and_their_payloads() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    endpoint(&app, &app_id, &receiver).await;
    let sent = app
        .send_message(
            &app_id,
            json!({ "eventType": "a", "payload": {"kept": true} }),
        )
        .await;
    receiver.next_request().await;
    app.next_attempt().await;
    // The default retention is 90 days: a pass 89 days on removes nothing.
    let report = app
        .maintenance
        .step(Timestamp::now().plus(HOUR * 24 * 89))
        .await
        .expect("pass");
    assert_eq!(report.pruned, Default::default());
    let msg_id = sent["id"].as_str().expect("id");
    let read = app.get(&format!("/api/v1/app/{app_id}/msg/{msg_id}")).await;
    assert_eq!(read.body["payload"], json!({"kept": true}));
}

#[tokio::test]
async fn hookline_prune_removes_old_data_from_the_command_line() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let ep = endpoint(&app, &app_id, &receiver).await;
    for _ in 0..2 {
        app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
            .await;
        receiver.next_request().await;
        app.next_attempt().await;
    }
    let task = a_replay_that_ended(&app, &app_id, &ep).await;
    app.stop().await;
    let stdout = hookline_on(
        &app,
        &[
            "prune",
            "--retention-days",
            "0",
            "--task-retention-days",
            "0",
        ],
    )
    .await;
    assert!(
        stdout.contains("expired 2 payloads, deleted 2 attempts and 2 messages"),
        "{stdout}"
    );
    assert!(
        stdout.contains("deleted 1 ended background tasks older than 0 days"),
        "{stdout}"
    );
    let app = app.restart().await;
    assert_eq!(count(&app, &format!("/api/v1/app/{app_id}/msg")).await, 0);
    let gone = app.get(&format!("/api/v1/background-task/{task}")).await;
    assert_eq!(gone.status, 404, "{}", gone.body);
}

/// Starts a replay that finds nothing to send and waits (bounded) until it has ended; returns
/// the task's id.
async fn a_replay_that_ended(app: &TestApp, app_id: &str, ep: &str) -> String {
    let since = Timestamp::now().minus(HOUR).to_rfc3339();
    let started = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/replay-missing"),
            json!({ "since": since }),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    let id = started.str("id");
    app.ended_task(&id).await;
    id
}

#[tokio::test]
async fn retention_removes_ended_background_tasks_after_the_task_retention_period() {
    let app = spawn_app().await;
    let receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let ep = endpoint(&app, &app_id, &receiver).await;
    let task = a_replay_that_ended(&app, &app_id, &ep).await;
    let path = format!("/api/v1/background-task/{task}");
    let now = Timestamp::now();

    // The default task retention is 30 days.
    let early = app
        .maintenance
        .step(now.plus(HOUR * 24 * 29))
        .await
        .expect("pass");
    assert_eq!(early.pruned.tasks_deleted, 0, "{early:?}");
    assert_eq!(app.get(&path).await.status, 200);

    let later = app
        .maintenance
        .step(now.plus(HOUR * 24 * 31))
        .await
        .expect("pass");
    assert_eq!(later.pruned.tasks_deleted, 1, "{later:?}");
    let gone = app.get(&path).await;
    assert_eq!(gone.status, 404, "{}", gone.body);
}
