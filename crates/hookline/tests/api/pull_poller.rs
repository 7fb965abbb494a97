//! Polling endpoints: server-tracked consumers, leased batches with commits, long-polls.

use hookline_core::Timestamp;
use hookline_testkit::{PATIENCE, TestApp, TestReceiver, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::pull_feed::{ids, send_many};

/// Creates a polling endpoint (an endpoint with the poller URL) and returns its id.
async fn create_poller(app: &TestApp, app_id: &str, mut body: Value) -> String {
    body["url"] = json!("hookline://poller");
    app.create_endpoint(app_id, body).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Posts messages one after another from a task of its own, as a producer would.
fn spawn_producer(
    app: &TestApp,
    app_id: &str,
    range: std::ops::Range<usize>,
) -> tokio::task::JoinHandle<Vec<String>> {
    let (client, url, token) = (
        app.client.clone(),
        format!("{}/api/v1/app/{app_id}/msg", app.address),
        app.token.clone(),
    );
    tokio::spawn(async move {
        let mut sent = Vec::new();
        for n in range {
            let response = client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({ "eventType": "order.shipped", "payload": { "n": n } }))
                .send()
                .await
                .expect("post");
            let body: Value = response.json().await.expect("json");
            sent.push(body["id"].as_str().expect("id").to_owned());
        }
        sent
    })
}

/// Pulls batches for `consumer` until `seen` holds `total` messages.
async fn pull_until(app: &TestApp, path: &str, seen: &mut Vec<String>, total: usize) {
    let consume = async {
        while seen.len() < total {
            let batch = app.get(&format!("{path}?limit=7&wait=10")).await;
            assert_eq!(batch.status, StatusCode::OK, "{}", batch.body);
            seen.extend(ids(&batch.body));
        }
    };
    if tokio::time::timeout(PATIENCE * 2, consume).await.is_err() {
        // Say enough to tell a skipped feed position (the consumer's iterator moved past
        // messages it never handed out) from a missed wake-up (a long-poll that slept through
        // commits): what the consumer got, and what the application's message list holds.
        let listed = app.get(&format!("{}?limit=250", messages_path(path))).await;
        panic!(
            "the consumer did not receive every message in time: it got {} of {total} \
             ({seen:?}); the application lists {}",
            seen.len(),
            listed.body
        );
    }
}

/// `/api/v1/app/{app}/msg` for a consumer's path `/api/v1/app/{app}/poller/...`.
fn messages_path(consumer_path: &str) -> String {
    let app_part = consumer_path
        .split("/poller/")
        .next()
        .expect("a poller path");
    format!("{app_part}/msg")
}

#[tokio::test]
async fn a_consumer_pulling_batches_during_posts_sees_every_event_once_in_order_across_restarts() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let sink = create_poller(&app, &app_id, json!({})).await;
    let path = format!("/api/v1/app/{app_id}/poller/{sink}/consumer/warehouse");

    // The consumer pulls while the producer posts, then stops part-way (a consumer restart).
    let producer = spawn_producer(&app, &app_id, 0..40);
    let mut seen = Vec::new();
    pull_until(&app, &path, &mut seen, 15).await;
    let mut sent = producer.await.expect("producer");

    // Hookline restarts; the consumer's position is on disk.
    let app = app.restart().await;
    let producer = spawn_producer(&app, &app_id, 40..60);
    pull_until(&app, &path, &mut seen, 60).await;
    sent.extend(producer.await.expect("producer"));

    assert_eq!(
        seen, sent,
        "every event exactly once, in the order it was accepted"
    );
    let idle = app.get(&path).await;
    assert_eq!(idle.body["data"], json!([]));
    assert_eq!(idle.body["done"], json!(true));
}

#[tokio::test]
async fn consumers_are_independent_and_a_polling_endpoint_gets_no_deliveries() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    app.create_event_type("invoice.paid").await;
    let sink = create_poller(&app, &app_id, json!({ "filterTypes": ["invoice.paid"] })).await;
    app.create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let paid = send_many(&app, &app_id, "invoice.paid", 3).await;
    send_many(&app, &app_id, "invoice.failed", 1).await;

    let base = format!("/api/v1/app/{app_id}/poller/{sink}");
    let first = app.get(&format!("{base}/consumer/a?limit=2")).await;
    assert_eq!(ids(&first.body), paid[..2]);
    let other = app.get(&format!("{base}/consumer/b")).await;
    assert_eq!(ids(&other.body), paid, "consumer b starts on its own");
    let rest = app.get(&format!("{base}/consumer/a")).await;
    assert_eq!(ids(&rest.body), paid[2..]);
    // The stateless poll takes the SDK's extra filters on top of the endpoint's own.
    let stateless = app.get(&format!("{base}?event_type=invoice.failed")).await;
    assert_eq!(ids(&stateless.body), Vec::<String>::new());

    // The webhook endpoint got all four; the polling endpoint has no delivery for any.
    for _ in 0..4 {
        receiver.next_request().await;
    }
    let planned = app
        .get(&format!("/api/v1/app/{app_id}/msg/{}/endpoint", paid[0]))
        .await;
    let endpoints: Vec<&str> = planned.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    assert_eq!(endpoints.len(), 1);
    assert!(!endpoints.contains(&sink.as_str()));
}

#[tokio::test]
async fn a_polling_endpoint_reads_only_messages_from_its_creation_on_unless_seeked_back() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let before = send_many(&app, &app_id, "a", 2).await;
    // Times are kept to the millisecond: let the clock leave the earlier messages' millisecond
    // so that "created before the endpoint" is unambiguous.
    let last = app
        .get(&format!("/api/v1/app/{app_id}/msg/{}", before[1]))
        .await
        .str("timestamp");
    let last = Timestamp::parse_rfc3339(&last).expect("timestamp");
    while Timestamp::now() <= last {
        tokio::task::yield_now().await;
    }
    let sink = create_poller(&app, &app_id, json!({})).await;
    let after = send_many(&app, &app_id, "a", 2).await;
    let base = format!("/api/v1/app/{app_id}/poller/{sink}/consumer/c");
    assert_eq!(ids(&app.get(&base).await.body), after);

    let seek = app
        .post(
            &format!("{base}/seek"),
            json!({ "after": "2000-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(seek.status, StatusCode::OK, "{}", seek.body);
    assert!(seek.body["iterator"].is_string());
    let replayed = app.get(&base).await;
    assert_eq!(ids(&replayed.body), [before, after].concat());
}

#[tokio::test]
async fn a_leased_batch_is_handed_out_again_until_it_is_committed() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let sink = create_poller(&app, &app_id, json!({})).await;
    let sent = send_many(&app, &app_id, "a", 5).await;
    let base = format!("/api/v1/app/{app_id}/polling-endpoint/{sink}/consumer/billing");

    // No lease: until committed, the same batch comes back.
    let first = app
        .get(&format!("{base}?limit=3&lease_duration_ms=0"))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(ids(&first.body), sent[..3]);
    let again = app
        .get(&format!("{base}?limit=3&lease_duration_ms=0"))
        .await;
    assert_eq!(ids(&again.body), sent[..3]);

    let offset = first.body["data"][2]["offset"].clone();
    let commit = app
        .post(&format!("{base}/commit"), json!({ "offset": offset }))
        .await;
    assert_eq!(commit.status, StatusCode::NO_CONTENT, "{}", commit.body);

    // A live lease hands out the next batch; it stays out until committed or expired.
    let leased = app
        .get(&format!("{base}?limit=1&lease_duration_ms=60000"))
        .await;
    assert_eq!(ids(&leased.body), sent[3..4]);
    let next = app.get(&format!("{base}?lease_duration_ms=60000")).await;
    assert_eq!(ids(&next.body), sent[4..]);
    let last = next.body["data"][0]["offset"].clone();
    app.post(&format!("{base}/commit"), json!({ "offset": last }))
        .await;
    let drained = app.get(&base).await;
    assert_eq!(drained.body, json!({ "data": [], "done": true }));

    // Another consumer starting at "latest" sees only what comes next.
    let late = format!("/api/v1/app/{app_id}/polling-endpoint/{sink}/consumer/late");
    let empty = app.get(&format!("{late}?starting_position=latest")).await;
    assert_eq!(empty.body["data"], json!([]));
    let fresh = send_many(&app, &app_id, "a", 1).await;
    assert_eq!(ids(&app.get(&late).await.body), fresh);
}

#[tokio::test]
async fn a_consumer_long_poll_wakes_for_a_new_message() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let sink = create_poller(&app, &app_id, json!({})).await;
    let url = format!(
        "{}/api/v1/app/{app_id}/poller/{sink}/consumer/c?wait=30",
        app.address
    );
    let mut waiting = app.feed.waiting();
    let poll = tokio::spawn(app.client.get(url).bearer_auth(&app.token).send());
    tokio::time::timeout(PATIENCE, waiting.wait_for(|n| *n >= 1))
        .await
        .expect("the long-poll never parked")
        .expect("signal");
    let sent = send_many(&app, &app_id, "a", 1).await;
    let answer = tokio::time::timeout(PATIENCE, poll)
        .await
        .expect("the long-poll did not wake")
        .expect("task")
        .expect("request");
    assert_eq!(ids(&TestApp::read(answer).await.body), sent);
}

#[tokio::test]
async fn polling_mistakes_are_refused_clearly() {
    let app = spawn_app().await;
    let receiver = TestReceiver::start().await;
    receiver.set_default_status(200);
    let app_id = app.create_app("Acme").await;
    let webhook = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let webhook = webhook["id"].as_str().expect("id");
    let sink = create_poller(&app, &app_id, json!({})).await;

    let not_poller = app
        .get(&format!("/api/v1/app/{app_id}/poller/{webhook}"))
        .await;
    assert_eq!(not_poller.status, StatusCode::NOT_FOUND);
    assert!(not_poller.str("detail").contains("hookline://poller"));

    let v2 = format!("/api/v1/app/{app_id}/polling-endpoint/{sink}/consumer");
    let unknown = app
        .post(&format!("{v2}/nobody/commit"), json!({ "offset": 0 }))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad_start = app.get(&format!("{v2}/c?starting_position=middle")).await;
    assert_eq!(
        bad_start.body["detail"][0]["loc"],
        json!(["query", "starting_position"])
    );
    let bad_lease = app.get(&format!("{v2}/c?lease_duration_ms=-1")).await;
    assert_eq!(
        bad_lease.body["detail"][0]["loc"],
        json!(["query", "lease_duration_ms"])
    );
    app.get(&format!("{v2}/c")).await;
    let ahead = app
        .post(&format!("{v2}/c/commit"), json!({ "offset": 99 }))
        .await;
    assert_eq!(ahead.body["detail"][0]["loc"], json!(["body", "offset"]));
    let seek = app
        .post(
            &format!("/api/v1/app/{app_id}/poller/{sink}/consumer/c/seek"),
            json!({ "after": "soon" }),
        )
        .await;
    assert_eq!(seek.body["detail"][0]["loc"], json!(["body", "after"]));

    let disabled = app
        .request(
            Method::PATCH,
            &format!("/api/v1/app/{app_id}/endpoint/{sink}"),
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    let refused = app
        .get(&format!("/api/v1/app/{app_id}/poller/{sink}"))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_official_svix_sdk_message_poller_reads_a_polling_endpoint() {
    if !hookline_testkit::interop::python_module_available("svix") {
        return;
    }
    let app = spawn_app().await;
    let output = hookline_testkit::interop::run_script(
        "svix_poller.py",
        vec![
            "--server-url".into(),
            app.address.clone(),
            "--token".into(),
            app.token.clone(),
        ],
        None,
    )
    .await;
    assert!(
        output.status.success(),
        "the svix SDK's poller failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_slice(output.stdout.trim_ascii()).expect("JSON");
    assert_eq!(result["consumed"], result["sent"]);
    assert_eq!(result["sent"].as_array().map(Vec::len), Some(6));
}

#[tokio::test]
async fn an_uncommitted_batch_comes_back_after_a_restart_and_a_committed_one_does_not() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let sink = create_poller(&app, &app_id, json!({})).await;
    let sent = send_many(&app, &app_id, "a", 4).await;
    let base = format!("/api/v1/app/{app_id}/polling-endpoint/{sink}/consumer/worker");
    let first = app
        .get(&format!("{base}?limit=2&lease_duration_ms=0"))
        .await;
    assert_eq!(ids(&first.body), sent[..2]);
    let committed = first.body["data"][0]["offset"].clone();
    let commit = app
        .post(&format!("{base}/commit"), json!({ "offset": committed }))
        .await;
    assert_eq!(commit.status, StatusCode::NO_CONTENT);

    // The worker crashed before finishing the second message; Hookline restarts too.
    let app = app.restart().await;
    let again = app.get(&format!("{base}?lease_duration_ms=0")).await;
    assert_eq!(
        ids(&again.body),
        sent[1..],
        "the uncommitted message comes back, the committed one does not"
    );
}
