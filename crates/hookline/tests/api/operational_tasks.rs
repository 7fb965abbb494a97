//! Operational webhooks about replays: `background_task.finished` when a recover or replay
//! ends, and `message.attempt.recovered` when a failing delivery succeeds on a manual resend.
//! Every event is checked signed (Hookline's verifier, and `standardwebhooks` when installed).

use std::time::Duration;

use hookline_core::Timestamp;
use hookline_core::model::DeliveryStatus;
use hookline_delivery::replay::TASK_STALLED_AFTER;
use hookline_store::StoreError;
use hookline_store::tasks::{BackgroundTask, TaskStatus, new_task_id};
use hookline_testkit::{TestReceiver, spawn_app};
use reqwest::Method;
use serde_json::json;

use crate::operational_webhooks::{customer, next_event, ops_endpoint};

fn an_hour_ago() -> String {
    Timestamp::now()
        .minus(std::time::Duration::from_secs(3600))
        .to_rfc3339()
}

#[tokio::test]
async fn a_recover_task_that_ends_sends_a_signed_background_task_finished_webhook() {
    let mut app = spawn_app().await;
    let mut ops = TestReceiver::start().await;
    let (_, secret) = ops_endpoint(&app, &ops, &["background_task.finished"]).await;
    let mut hooks = TestReceiver::start().await;
    hooks.set_default_status(500);
    let (app_id, ep) = customer(&app, &hooks).await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    for _ in 0..4 {
        hooks.next_request().await;
        app.next_attempt().await;
    }

    hooks.set_default_status(200);
    let started = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/recover"),
            json!({ "since": an_hour_ago() }),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    let event = next_event(&mut ops, &secret).await;
    assert_eq!(event["type"], "background_task.finished");
    assert_eq!(
        event["data"],
        json!({
            "taskId": started.str("id"),
            "task": "endpoint.recover",
            "status": "finished",
            "data": { "messagesSent": 1 },
        })
    );
    hooks.next_request().await;

    // A replay that finds nothing to send ends too, and says so.
    let again = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/replay-missing"),
            json!({ "since": an_hour_ago() }),
        )
        .await;
    assert_eq!(again.status, 202, "{}", again.body);
    let event = next_event(&mut ops, &secret).await;
    assert_eq!(event["data"]["taskId"], again.str("id").as_str());
    assert_eq!(event["data"]["task"], "endpoint.replay");
    assert_eq!(event["data"]["data"]["messagesSent"], 0);
    let task = app
        .get(&format!("/api/v1/background-task/{}", again.str("id")))
        .await;
    assert_eq!(task.body["status"], "finished", "announced once it ended");
}

#[tokio::test]
async fn a_failing_delivery_resent_by_hand_that_succeeds_reports_recovered() {
    let mut app = spawn_app().await;
    let mut ops = TestReceiver::start().await;
    let types = [
        "message.attempt.failing",
        "message.attempt.recovered",
        "endpoint.updated",
    ];
    let (_, secret) = ops_endpoint(&app, &ops, &types).await;
    let hooks = TestReceiver::start().await;
    hooks.set_default_status(500);
    let (app_id, ep) = customer(&app, &hooks).await;
    let msg = app
        .send_message(
            &app_id,
            json!({ "eventType": "a", "eventId": "evt-9", "payload": {} }),
        )
        .await;
    // The test schedule has four attempts: the 4th failure is `failing`, and the last.
    let failing = next_event(&mut ops, &secret).await;
    assert_eq!(failing["type"], "message.attempt.failing");

    hooks.set_default_status(200);
    let msg_id = msg["id"].as_str().expect("id");
    let resent = app
        .post(
            &format!("/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{ep}/resend"),
            json!({}),
        )
        .await;
    assert_eq!(resent.status, 202, "{}", resent.body);
    let recovered = next_event(&mut ops, &secret).await;
    assert_eq!(recovered["type"], "message.attempt.recovered");
    let data = &recovered["data"];
    assert_eq!(data["msgId"], msg_id);
    assert_eq!(data["msgEventId"], "evt-9");
    assert_eq!(data["endpointId"], ep.as_str());
    assert_eq!(data["lastAttempt"]["responseStatusCode"], 200);
    let attempt_id = data["lastAttempt"]["id"].as_str().expect("attempt id");
    let attempt = app
        .get(&format!(
            "/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}"
        ))
        .await;
    assert_eq!(attempt.status, 200, "{}", attempt.body);
    assert_eq!(
        attempt.body["triggerType"], 1,
        "the successful attempt was manual"
    );

    // Resent again after that success: no second recovery. The next event is the endpoint
    // change made after that second success.
    let resent = app
        .post(
            &format!("/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{ep}/resend"),
            json!({}),
        )
        .await;
    assert_eq!(resent.status, 202, "{}", resent.body);
    let mut successes = 0;
    while successes < 2 {
        let attempt = app.next_attempt().await;
        if attempt.endpoint_id.as_str() == ep && attempt.status == DeliveryStatus::Success {
            successes += 1;
        }
    }
    let renamed = app
        .request(
            Method::PATCH,
            &format!("/api/v1/app/{app_id}/endpoint/{ep}"),
            Some(json!({ "description": "back up" })),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let next = next_event(&mut ops, &secret).await;
    assert_eq!(next["type"], "endpoint.updated", "{next}");
}

#[tokio::test]
async fn a_task_whose_node_stopped_is_failed_by_housekeeping_and_announced() {
    let app = spawn_app().await;
    let mut ops = TestReceiver::start().await;
    let (_, secret) = ops_endpoint(&app, &ops, &["background_task.finished"]).await;
    // Two tasks another node was running: one it stopped updating long ago (it was killed),
    // one it updated a minute ago (alive, busy).
    let store = app.open_store().await;
    let now = Timestamp::now();
    let running = |updated: Timestamp| BackgroundTask {
        id: new_task_id(),
        kind: "endpoint.recover".into(),
        status: TaskStatus::Running,
        params: json!({ "endpointId": "ep_x", "since": an_hour_ago() }),
        data: json!({ "messagesSent": 500 }),
        created_at: updated,
        updated_at: updated,
    };
    let dead = store
        .create_task(running(now.minus(TASK_STALLED_AFTER * 2)))
        .await
        .expect("task");
    let busy = store
        .create_task(running(now.minus(Duration::from_secs(60))))
        .await
        .expect("task");

    let report = app.maintenance.step(now).await.expect("pass");
    assert_eq!(report.stalled_tasks_failed, 1, "{report:?}");
    let failed = app
        .get(&format!("/api/v1/background-task/{}", dead.id))
        .await;
    assert_eq!(failed.body["status"], "failed", "{}", failed.body);
    assert_eq!(failed.body["data"]["messagesSent"], 500, "progress kept");
    assert!(
        failed.body["data"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("node running it stopped")),
        "{}",
        failed.body
    );
    let still = app
        .get(&format!("/api/v1/background-task/{}", busy.id))
        .await;
    assert_eq!(still.body["status"], "running", "{}", still.body);

    let event = next_event(&mut ops, &secret).await;
    assert_eq!(event["type"], "background_task.finished");
    assert_eq!(event["data"]["taskId"], dead.id.as_str());
    assert_eq!(event["data"]["status"], "failed");

    // The killed node's runner, were it only slow, finds its task ended and may not revive it;
    // a second pass finds nothing more to fail.
    let late = store
        .update_task(
            &dead.id,
            TaskStatus::Running,
            json!({ "messagesSent": 501 }),
            Timestamp::now(),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    let again = app.maintenance.step(now).await.expect("pass");
    assert_eq!(again.stalled_tasks_failed, 0, "{again:?}");
}
