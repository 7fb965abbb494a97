//! Replays: resend, recover after an outage, replay missing, bulk replay, background tasks.

use std::collections::BTreeSet;

use hookline_core::Timestamp;
use hookline_testkit::{TestApp, TestReceiver, spawn_app};
use serde_json::{Value, json};

/// Creates an app with one endpoint on `receiver`; returns `(app_id, endpoint_id)`.
async fn app_with_endpoint(app: &TestApp, receiver: &TestReceiver) -> (String, String) {
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    (app_id, endpoint["id"].as_str().expect("id").to_owned())
}

fn an_hour_ago() -> String {
    Timestamp::now()
        .minus(std::time::Duration::from_secs(3600))
        .to_rfc3339()
}

/// The trigger types of the endpoint's attempts, newest first.
async fn trigger_types(app: &TestApp, app_id: &str, endpoint_id: &str) -> Vec<i64> {
    let listed = app
        .get(&format!(
            "/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}"
        ))
        .await;
    listed.body["data"]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["triggerType"].as_i64().expect("triggerType"))
        .collect()
}

#[tokio::test]
async fn after_an_outage_recover_delivers_each_failed_message_exactly_once_more() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    receiver.set_default_status(500);
    let (app_id, ep) = app_with_endpoint(&app, &receiver).await;
    let mut sent = BTreeSet::new();
    for n in 0..2 {
        let msg = app
            .send_message(&app_id, json!({ "eventType": "a", "payload": {"n": n} }))
            .await;
        sent.insert(msg["id"].as_str().expect("id").to_owned());
    }
    // Each message: the first attempt and three retries, all failing, then exhausted (eight
    // failures: fewer than the ten that would open the circuit breaker).
    for _ in 0..8 {
        app.next_attempt().await;
        receiver.next_request().await;
    }
    let failed = app
        .get(&format!("/api/v1/app/{app_id}/endpoint/{ep}/msg?status=2"))
        .await;
    assert_eq!(failed.body["data"].as_array().expect("list").len(), 2);

    receiver.set_default_status(200);
    let started = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/recover"),
            json!({ "since": an_hour_ago() }),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    assert_eq!(started.body["task"], "endpoint.recover");
    let task_id = started.str("id");
    assert!(
        task_id.starts_with("qtask_") && task_id.len() == 33,
        "{task_id}"
    );

    let mut redelivered = BTreeSet::new();
    for _ in 0..2 {
        let request = receiver.next_request().await;
        assert!(redelivered.insert(request.header("webhook-id").to_owned()));
        crate::assert_signed(&request, &app.endpoint_secret(&app_id, &ep).await);
    }
    assert_eq!(redelivered, sent);
    for _ in 0..2 {
        assert_eq!(app.next_attempt().await.response_status_code, 200);
    }
    let task = app.ended_task(&task_id).await;
    assert_eq!(task.body["status"], "finished");
    assert_eq!(task.body["data"]["messagesSent"], 2);

    // Everything succeeded: recovering again sends nothing, and nothing else arrived.
    let again = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/recover"),
            json!({ "since": an_hour_ago() }),
        )
        .await;
    let again = app.ended_task(&again.str("id")).await;
    assert_eq!(again.body["data"]["messagesSent"], 0);
    assert!(receiver.try_next_request().is_none());

    let triggers = trigger_types(&app, &app_id, &ep).await;
    assert_eq!(triggers.len(), 10);
    assert_eq!(&triggers[..2], &[1, 1], "replayed attempts are manual");
    assert!(triggers[2..].iter().all(|t| *t == 0));

    let listed = app
        .get("/api/v1/background-task?task=endpoint.recover")
        .await;
    assert_eq!(listed.body["data"].as_array().expect("list").len(), 2);
}

#[tokio::test]
async fn a_resent_message_arrives_again_with_the_same_id_as_a_manual_attempt() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let (app_id, ep) = app_with_endpoint(&app, &receiver).await;
    let msg = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {"n": 1} }))
        .await;
    let msg_id = msg["id"].as_str().expect("id");
    let first = receiver.next_request().await;
    app.next_attempt().await;

    let resent = app
        .post(
            &format!("/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{ep}/resend"),
            json!({}),
        )
        .await;
    assert_eq!(resent.status, 202, "{}", resent.body);
    let again = receiver.next_request().await;
    assert_eq!(again.header("webhook-id"), msg_id);
    assert_eq!(again.body, first.body);
    app.next_attempt().await;
    assert_eq!(trigger_types(&app, &app_id, &ep).await, vec![1, 0]);

    let unknown = app
        .post(
            &format!("/api/v1/app/{app_id}/msg/msg_unknown/endpoint/{ep}/resend"),
            json!({}),
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn replay_missing_delivers_messages_sent_before_the_endpoint_existed() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    app.create_event_type("a").await;
    app.create_event_type("b").await;
    let mut wanted = BTreeSet::new();
    for event_type in ["a", "b", "a"] {
        let msg = app
            .send_message(&app_id, json!({ "eventType": event_type, "payload": {} }))
            .await;
        if event_type == "a" {
            wanted.insert(msg["id"].as_str().expect("id").to_owned());
        }
    }
    let endpoint = app
        .create_endpoint(
            &app_id,
            json!({ "url": receiver.endpoint("/"), "eventTypes": ["a"] }),
        )
        .await;
    let ep = endpoint["id"].as_str().expect("id");
    let started = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/replay-missing"),
            json!({ "since": an_hour_ago() }),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    assert_eq!(started.body["task"], "endpoint.replay");
    let mut got = BTreeSet::new();
    for _ in 0..2 {
        got.insert(
            receiver
                .next_request()
                .await
                .header("webhook-id")
                .to_owned(),
        );
        app.next_attempt().await;
    }
    assert_eq!(
        got, wanted,
        "only the event types the endpoint subscribes to"
    );
    let task = app.ended_task(&started.str("id")).await;
    assert_eq!(task.body["data"]["messagesSent"], 2);

    let again = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/replay-missing"),
            json!({ "since": an_hour_ago() }),
        )
        .await;
    let again = app.ended_task(&again.str("id")).await;
    assert_eq!(
        again.body["data"]["messagesSent"], 0,
        "nothing is missing any more"
    );
}

#[tokio::test]
async fn bulk_replay_resends_successes_and_failures_matching_its_filters() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let (app_id, ep) = app_with_endpoint(&app, &receiver).await;
    let a = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    receiver.next_request().await;
    app.next_attempt().await;
    app.send_message(&app_id, json!({ "eventType": "b", "payload": {} }))
        .await;
    receiver.next_request().await;
    app.next_attempt().await;

    let started = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/bulk-replay"),
            json!({ "since": an_hour_ago(), "eventTypes": ["a"] }),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    assert_eq!(started.body["task"], "endpoint.bulk-replay");
    assert_eq!(receiver.next_request().await.header("webhook-id"), a["id"]);
    app.next_attempt().await;
    let task = app.ended_task(&started.str("id")).await;
    assert_eq!(task.body["data"]["messagesSent"], 1);
    assert!(receiver.try_next_request().is_none());
}

#[tokio::test]
async fn replays_refuse_bad_ranges_malformed_filters_and_disabled_endpoints() {
    let app = spawn_app().await;
    let receiver = TestReceiver::start().await;
    let (app_id, ep) = app_with_endpoint(&app, &receiver).await;
    let base = format!("/api/v1/app/{app_id}/endpoint/{ep}");
    let missing = app.post(&format!("{base}/recover"), json!({})).await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.body["detail"][0]["loc"], json!(["body", "since"]));
    let backwards = app
        .post(
            &format!("{base}/replay-missing"),
            json!({ "since": Timestamp::now().to_rfc3339(), "until": an_hour_ago() }),
        )
        .await;
    assert_eq!(backwards.status, 422);
    assert_eq!(backwards.body["detail"][0]["loc"], json!(["body", "until"]));
    let tagged = app
        .post(
            &format!("{base}/bulk-replay"),
            json!({ "since": an_hour_ago(), "tag": "bad tag!", "eventTypes": ["bad type!"] }),
        )
        .await;
    assert_eq!(tagged.status, 422);
    let locs: Vec<Value> = tagged.body["detail"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| d["loc"].clone())
        .collect();
    assert_eq!(
        locs,
        vec![json!(["body", "eventTypes", "0"]), json!(["body", "tag"])]
    );

    let disabled = app
        .request(
            reqwest::Method::PATCH,
            &base,
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(disabled.status, 200);
    let refused = app
        .post(
            &format!("{base}/recover"),
            json!({ "since": an_hour_ago() }),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    let listed = app.get("/api/v1/background-task").await;
    assert_eq!(listed.body["data"], json!([]), "no task was started");
    assert_eq!(
        app.get("/api/v1/background-task/qtask_nope").await.status,
        404
    );
    let anonymous = app
        .client
        .post(format!("{}{base}/recover", app.address))
        .json(&json!({ "since": an_hour_ago() }))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn the_official_svix_sdk_drives_rotation_replay_tasks_and_tools() {
    if !hookline_testkit::interop::python_module_available("svix") {
        return;
    }
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let out = hookline_testkit::interop::run_script(
        "svix_lifecycle.py",
        vec![
            "--server-url".into(),
            app.address.clone(),
            "--token".into(),
            app.token.clone(),
            "--receiver-url".into(),
            receiver.endpoint("/sdk"),
        ],
        None,
    )
    .await;
    assert!(
        out.status.success(),
        "the svix SDK flow failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Value = serde_json::from_slice(out.stdout.trim_ascii()).expect("JSON line");
    // The message was sent after the rotation: both secrets verify it during the grace period.
    let request = receiver.next_request().await;
    for key in ["old_secret", "new_secret"] {
        crate::assert_signed(&request, ids[key].as_str().expect("secret"));
    }
    for id in ids["task_ids"].as_array().expect("task ids") {
        let task = app.ended_task(id.as_str().expect("id")).await;
        assert_eq!(task.body["status"], "finished", "{}", task.body);
    }
}
