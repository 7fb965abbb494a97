use hookline_core::model::DeliveryStatus;
use hookline_testkit::{TestReceiver, spawn_app};
use serde_json::json;

use crate::assert_signed;

#[tokio::test]
async fn a_sent_message_arrives_signed_with_the_exact_bytes() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    app.create_event_type("invoice.paid").await;
    let endpoint = app
        .create_endpoint(
            &app_id,
            json!({ "url": receiver.endpoint("/hook"), "eventTypes": ["invoice.paid"] }),
        )
        .await;
    let endpoint_id = endpoint["id"].as_str().expect("id");
    let secret = app.endpoint_secret(&app_id, endpoint_id).await;

    // Unusual spacing, key order, escapes and non-ASCII must survive byte for byte.
    let payload = r#"{ "z": 1,   "a": "caf\u00e9 ☕", "nested": {"n": 1.50, "list": [ ]} }"#;
    let body = format!(r#"{{"eventType":"invoice.paid","payload":{payload}}}"#);
    let sent = app
        .request_raw(
            reqwest::Method::POST,
            &format!("/api/v1/app/{app_id}/msg"),
            body.into_bytes(),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let msg_id = sent.str("id");

    let request = receiver.next_request().await;
    assert_eq!(request.method, "POST");
    assert_eq!(request.uri.path(), "/hook");
    assert_eq!(request.body.as_ref(), payload.as_bytes());
    assert_eq!(request.header("webhook-id"), msg_id);
    assert_eq!(request.header("content-type"), "application/json");
    assert_signed(&request, &secret);

    let attempt = app.next_attempt().await;
    assert_eq!(attempt.status, DeliveryStatus::Success);
    assert_eq!(attempt.response_status_code, 200);

    let by_msg = app
        .get(&format!("/api/v1/app/{app_id}/attempt/msg/{msg_id}"))
        .await;
    assert_eq!(by_msg.body["data"].as_array().expect("list").len(), 1);
    assert_eq!(by_msg.body["data"][0]["status"], 0);
    assert_eq!(by_msg.body["data"][0]["responseStatusCode"], 200);
    let by_endpoint = app
        .get(&format!(
            "/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}"
        ))
        .await;
    assert_eq!(by_endpoint.body["data"][0]["msgId"], msg_id.as_str());
    let one = app
        .get(&format!(
            "/api/v1/app/{app_id}/msg/{msg_id}/attempt/{}",
            attempt.id
        ))
        .await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.body["endpointId"], endpoint_id);
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_and_every_attempt_is_recorded_in_order() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    receiver.respond_with(&[500, 503]);
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let endpoint_id = endpoint["id"].as_str().expect("id").to_owned();
    let msg = app
        .send_message(
            &app_id,
            json!({ "eventType": "invoice.paid", "payload": {"n": 1} }),
        )
        .await;
    let msg_id = msg["id"].as_str().expect("id");

    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(
            receiver
                .next_request()
                .await
                .header("webhook-id")
                .to_owned(),
        );
    }
    assert!(
        ids.iter().all(|id| id == msg_id),
        "webhook-id must not change: {ids:?}"
    );

    let mut recorded = Vec::new();
    for _ in 0..3 {
        recorded.push(app.next_attempt().await);
    }
    let numbers: Vec<u32> = recorded.iter().map(|a| a.attempt_number).collect();
    assert_eq!(numbers, vec![1, 2, 3]);
    let codes: Vec<u16> = recorded.iter().map(|a| a.response_status_code).collect();
    assert_eq!(codes, vec![500, 503, 200]);
    assert!(recorded[0].next_attempt_at.is_some());
    assert_eq!(recorded[2].next_attempt_at, None);

    let listed = app
        .get(&format!("/api/v1/app/{app_id}/attempt/msg/{msg_id}"))
        .await;
    let statuses: Vec<i64> = listed.body["data"]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["status"].as_i64().expect("status"))
        .collect();
    assert_eq!(statuses, vec![0, 2, 2], "newest first: success, fail, fail");

    let deliveries = app
        .get(&format!("/api/v1/app/{app_id}/msg/{msg_id}/endpoint"))
        .await;
    assert_eq!(deliveries.body["data"][0]["id"], endpoint_id.as_str());
    assert_eq!(deliveries.body["data"][0]["statusText"], "success");
    assert_eq!(
        deliveries.body["data"][0]["nextAttempt"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_is_exhausted_after_the_schedule() {
    let mut app = spawn_app().await;
    let receiver = TestReceiver::start().await;
    receiver.set_default_status(500);
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let endpoint_id = endpoint["id"].as_str().expect("id");
    let msg = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;

    // The test schedule allows one attempt plus three retries.
    for expected in 1..=4 {
        let attempt = app.next_attempt().await;
        assert_eq!(attempt.attempt_number, expected);
        assert_eq!(attempt.status, DeliveryStatus::Fail);
    }
    let listed = app
        .get(&format!("/api/v1/app/{app_id}/endpoint/{endpoint_id}/msg"))
        .await;
    assert_eq!(listed.body["data"][0]["id"], msg["id"]);
    assert_eq!(listed.body["data"][0]["statusText"], "fail");
    assert_eq!(
        listed.body["data"][0]["nextAttempt"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn connection_failures_are_recorded_with_a_code() {
    let mut app = spawn_app().await;
    // Bind then drop a listener: nothing listens on that port any more.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let app_id = app.create_app("Acme").await;
    app.create_endpoint(
        &app_id,
        json!({ "url": format!("http://127.0.0.1:{port}/hook") }),
    )
    .await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let attempt = app.next_attempt().await;
    assert_eq!(attempt.status, DeliveryStatus::Fail);
    assert_eq!(attempt.response_status_code, 0);
    assert_eq!(attempt.error_code.as_deref(), Some("connection_refused"));
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let mut app = hookline_testkit::spawn_app_with(|config| {
        config.allow_targets(hookline_delivery::TargetPolicy::default())
    })
    .await;
    let receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    // A literal private address is refused when the endpoint is created...
    let refused = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint"),
            json!({ "url": receiver.endpoint("/hook") }),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.body["detail"][0]["loc"], json!(["body", "url"]));
    // ...and a name resolving to one is refused when connecting.
    let port = receiver.url.rsplit(':').next().expect("port");
    app.create_endpoint(
        &app_id,
        json!({ "url": format!("http://localhost:{port}/hook") }),
    )
    .await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let attempt = app.next_attempt().await;
    assert_eq!(attempt.status, DeliveryStatus::Fail);
    assert!(
        attempt
            .error_code
            .as_deref()
            .is_some_and(|code| code.starts_with("ssrf_")),
        "{attempt:?}"
    );
}
