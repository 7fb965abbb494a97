//! Event feeds: `/app/{app_id}/events` and `/events`, iterators, filters and long-polls.

use hookline_testkit::{PATIENCE, TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The ids of a feed batch's messages.
pub(crate) fn ids(batch: &Value) -> Vec<String> {
    batch["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data in {batch}"))
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Sends `count` messages of one event type and returns their ids in order.
pub(crate) async fn send_many(
    app: &TestApp,
    app_id: &str,
    event_type: &str,
    count: usize,
) -> Vec<String> {
    let mut sent = Vec::new();
    for n in 0..count {
        let msg = app
            .send_message(
                app_id,
                json!({ "eventType": event_type, "payload": { "n": n } }),
            )
            .await;
        sent.push(msg["id"].as_str().expect("id").to_owned());
    }
    sent
}

#[tokio::test]
async fn the_app_feed_pages_through_every_message_in_order_and_resumes_from_its_iterator() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let sent = send_many(&app, &app_id, "invoice.paid", 7).await;

    let mut seen = Vec::new();
    let mut path = format!("/api/v1/app/{app_id}/events?limit=3");
    let last_iterator = loop {
        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(ids(&page.body));
        let iterator = page.str("iterator");
        path = format!("/api/v1/app/{app_id}/events?limit=3&iterator={iterator}");
        if page.body["done"] == json!(true) {
            break iterator;
        }
    };
    assert_eq!(seen, sent);
    let first = app
        .get(&format!("/api/v1/app/{app_id}/events?limit=1"))
        .await;
    assert_eq!(first.body["data"][0]["payload"], json!({ "n": 0 }));
    assert_eq!(first.body["data"][0]["eventType"], json!("invoice.paid"));

    // Resuming from the last iterator yields only what came after it.
    let later = send_many(&app, &app_id, "invoice.paid", 2).await;
    let resumed = app
        .get(&format!(
            "/api/v1/app/{app_id}/events?iterator={last_iterator}"
        ))
        .await;
    assert_eq!(ids(&resumed.body), later);
    assert_eq!(resumed.body["done"], json!(true));
}

#[tokio::test]
async fn the_feed_filters_by_event_type_and_channel() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let paid = app
        .send_message(
            &app_id,
            json!({ "eventType": "invoice.paid", "payload": {} }),
        )
        .await;
    app.send_message(
        &app_id,
        json!({ "eventType": "invoice.failed", "payload": {} }),
    )
    .await;
    let vip = app
        .send_message(
            &app_id,
            json!({ "eventType": "invoice.failed", "channels": ["vip"], "payload": {} }),
        )
        .await;

    let by_type = app
        .get(&format!(
            "/api/v1/app/{app_id}/events?event_types=invoice.paid"
        ))
        .await;
    assert_eq!(ids(&by_type.body), vec![paid["id"].as_str().expect("id")]);
    let by_channel = app
        .get(&format!("/api/v1/app/{app_id}/events?channels=vip"))
        .await;
    assert_eq!(ids(&by_channel.body), vec![vip["id"].as_str().expect("id")]);
}

#[tokio::test]
async fn the_environment_feed_interleaves_every_application_in_commit_order() {
    let app = spawn_app().await;
    let acme = app.create_app("Acme").await;
    let globex = app.create_app("Globex").await;
    // An inbound source's events live in its own (internal) application: not in this feed.
    let source = app
        .post(
            "/ingest/api/v1/source",
            json!({ "name": "Hooks", "type": "generic-webhook" }),
        )
        .await;
    let ingest_url = source.str("ingestUrl");
    let mut sent = Vec::new();
    for target in [&acme, &globex, &acme] {
        let msg = app
            .send_message(target, json!({ "eventType": "a", "payload": {} }))
            .await;
        sent.push(msg["id"].as_str().expect("id").to_owned());
        let inbound = app.client.post(&ingest_url).body("{}").send().await;
        assert!(inbound.expect("inbound").status().is_success());
    }
    let all = app.get("/api/v1/events").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(ids(&all.body), sent);
    assert_eq!(
        all.body["data"][1]["appId"],
        json!(globex),
        "each message says whose it is"
    );
    let only_acme = app.get(&format!("/api/v1/app/{acme}/events")).await;
    assert_eq!(ids(&only_acme.body), vec![sent[0].clone(), sent[2].clone()]);
}

#[tokio::test]
async fn a_long_poll_returns_as_soon_as_a_message_arrives() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let caught_up = app.get(&format!("/api/v1/app/{app_id}/events")).await;
    let iterator = caught_up.str("iterator");

    let mut waiting = app.feed.waiting();
    let poll = app.client.get(format!(
        "{}/api/v1/app/{app_id}/events?wait=30&iterator={iterator}",
        app.address
    ));
    let poll = tokio::spawn(poll.bearer_auth(&app.token).send());
    // Post only once the request is parked on the feed, so the answer must come from a wake-up.
    tokio::time::timeout(PATIENCE, waiting.wait_for(|n| *n >= 1))
        .await
        .expect("the long-poll never parked")
        .expect("signal");
    let msg = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    // Far sooner than the 30 s the request asked to wait: the commit woke it.
    let answer = tokio::time::timeout(PATIENCE, poll)
        .await
        .expect("the long-poll did not return when the message arrived")
        .expect("task")
        .expect("request");
    let answer = TestApp::read(answer).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(ids(&answer.body), vec![msg["id"].as_str().expect("id")]);
}

#[tokio::test]
async fn a_long_poll_with_nothing_new_answers_empty_when_its_wait_ends() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let answer = app
        .get(&format!("/api/v1/app/{app_id}/events?wait=1"))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["data"], json!([]));
    assert_eq!(answer.body["done"], json!(true));
}

#[tokio::test]
async fn bad_feed_parameters_are_refused_with_the_field_named() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    for (query, field) in [
        ("iterator=abc", "iterator"),
        ("iterator=999999", "iterator"),
        ("wait=31", "wait"),
        ("limit=251", "limit"),
        ("event_types=bad%20name", "event_types"),
        ("after=yesterday", "after"),
    ] {
        let answer = app
            .get(&format!("/api/v1/app/{app_id}/events?{query}"))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            answer.body
        );
        assert_eq!(
            answer.body["detail"][0]["loc"],
            json!(["query", field]),
            "{query}"
        );
    }
    let missing = app.get("/api/v1/app/app_nope/events").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let anonymous = app
        .client
        .get(format!("{}/api/v1/events", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn concurrent_producers_never_make_a_pulling_reader_skip_or_repeat() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    // Concurrent requests share group commits and can commit out of id order.
    let producers: Vec<_> = (0..4)
        .map(|p| {
            let (client, url, token) = (
                app.client.clone(),
                format!("{}/api/v1/app/{app_id}/msg", app.address),
                app.token.clone(),
            );
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for n in 0..15 {
                    let response = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&json!({ "eventType": "a", "payload": { "p": p, "n": n } }))
                        .send()
                        .await
                        .expect("post");
                    let body: Value = response.json().await.expect("json");
                    ids.push(body["id"].as_str().expect("id").to_owned());
                }
                ids
            })
        })
        .collect();

    let mut seen: Vec<String> = Vec::new();
    let mut iterator = "0".to_owned();
    let read = async {
        while seen.len() < 60 {
            let page = app
                .get(&format!(
                    "/api/v1/app/{app_id}/events?limit=4&wait=10&iterator={iterator}"
                ))
                .await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            seen.extend(ids(&page.body));
            iterator = page.str("iterator");
        }
    };
    tokio::time::timeout(PATIENCE * 2, read)
        .await
        .expect("the reader did not see every message in time");
    let mut sent: Vec<String> = Vec::new();
    for producer in producers {
        sent.extend(producer.await.expect("producer"));
    }
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a message was read twice");
    let mut seen_sorted = seen.clone();
    seen_sorted.sort();
    sent.sort();
    assert_eq!(seen_sorted, sent, "a message was skipped");
    // The feed's order is stable: reading it again from the start gives the same sequence.
    let again = app
        .get(&format!("/api/v1/app/{app_id}/events?limit=250"))
        .await;
    assert_eq!(ids(&again.body), seen);
}
