//! Endpoint tools: send-example, stats, attempt counts, raw payloads, expunging content.

use hookline_testkit::{TestApp, TestReceiver, spawn_app};
use serde_json::json;

async fn setup(app: &TestApp, receiver: &TestReceiver) -> (String, String) {
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/") }))
        .await;
    (app_id, endpoint["id"].as_str().expect("id").to_owned())
}

#[tokio::test]
async fn send_example_delivers_the_schema_example_to_that_endpoint_only() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let mut other = TestReceiver::start().await;
    let created = app
        .post(
            "/api/v1/event-type",
            json!({
                "name": "invoice.paid",
                "description": "paid",
                "schemas": { "1": {
                    "type": "object",
                    "examples": [{ "invoiceId": "inv_1", "amount": 42 }]
                }}
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let (app_id, ep) = setup(&app, &receiver).await;
    app.create_endpoint(&app_id, json!({ "url": other.endpoint("/") }))
        .await;

    let sent = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/send-example"),
            json!({ "eventType": "invoice.paid" }),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert_eq!(
        sent.body["payload"],
        json!({ "invoiceId": "inv_1", "amount": 42 })
    );
    let request = receiver.next_request().await;
    assert_eq!(request.header("webhook-id"), sent.str("id"));
    let body: serde_json::Value = serde_json::from_slice(&request.body).expect("json");
    assert_eq!(body["invoiceId"], "inv_1");
    app.next_attempt().await;
    assert!(
        other.try_next_request().is_none(),
        "examples go to one endpoint"
    );

    let ping = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/send-example"),
            json!({ "eventType": "svix.ping" }),
        )
        .await;
    assert_eq!(ping.status, 200, "{}", ping.body);
    assert_eq!(ping.body["payload"], json!({ "success": true }));
    let unknown = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/send-example"),
            json!({ "eventType": "no.such.type" }),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(
        unknown.body["detail"][0]["loc"],
        json!(["body", "eventType"])
    );
}

#[tokio::test]
async fn stats_and_attempt_counts_reflect_what_happened() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    receiver.respond_with(&[500, 500, 500, 500]);
    let (app_id, ep) = setup(&app, &receiver).await;
    // The first message fails four times (exhausted); the other two succeed.
    for (n, attempts) in [(0, 4), (1, 1), (2, 1)] {
        app.send_message(&app_id, json!({ "eventType": "a", "payload": {"n": n} }))
            .await;
        for _ in 0..attempts {
            receiver.next_request().await;
            app.next_attempt().await;
        }
    }
    let stats = app
        .get(&format!("/api/v1/app/{app_id}/endpoint/{ep}/stats"))
        .await;
    assert_eq!(stats.status, 200, "{}", stats.body);
    assert_eq!(
        stats.body,
        json!({ "success": 2, "pending": 0, "sending": 0, "fail": 1, "canceled": 0 })
    );
    let count = |query: &'static str| {
        let path = format!("/api/v1/app/{app_id}/attempt/endpoint/{ep}/count{query}");
        let app = &app;
        async move { app.get(&path).await.body }
    };
    assert_eq!(
        count("").await,
        json!({ "count": 6, "approximated": false })
    );
    assert_eq!(count("?status=0").await["count"], 2);
    assert_eq!(count("?status_code_class=500").await["count"], 4);
}

#[tokio::test]
async fn raw_payloads_are_byte_exact_and_expunged_content_is_gone() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let (app_id, _) = setup(&app, &receiver).await;
    let payload = r#"{ "z": 1,  "a": "caf\u00e9" }"#;
    let body = format!(r#"{{"eventType":"a","payload":{payload}}}"#);
    let sent = app
        .request_raw(
            reqwest::Method::POST,
            &format!("/api/v1/app/{app_id}/msg"),
            body.into_bytes(),
        )
        .await;
    let msg_id = sent.str("id");
    receiver.next_request().await;
    let attempt = app.next_attempt().await;
    let raw = app
        .get(&format!("/api/v1/app/{app_id}/msg/{msg_id}/raw"))
        .await;
    assert_eq!(raw.status, 200, "{}", raw.body);
    assert_eq!(raw.str("payload"), payload);

    let expunged = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/app/{app_id}/msg/{msg_id}/content"),
            None,
        )
        .await;
    assert_eq!(expunged.status, 204, "{}", expunged.body);
    let raw = app
        .get(&format!("/api/v1/app/{app_id}/msg/{msg_id}/raw"))
        .await;
    assert_eq!(raw.status, 404);
    let resend = app
        .post(
            &format!(
                "/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{}/resend",
                attempt.endpoint_id
            ),
            json!({}),
        )
        .await;
    assert_eq!(resend.status, 409, "expunged content cannot be resent");

    let attempt_path = format!("/api/v1/app/{app_id}/msg/{msg_id}/attempt/{}", attempt.id);
    let cleared = app
        .request(
            reqwest::Method::DELETE,
            &format!("{attempt_path}/content"),
            None,
        )
        .await;
    assert_eq!(cleared.status, 204);
    assert_eq!(app.get(&attempt_path).await.body["response"], "");
    let missing = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/app/{app_id}/msg/msg_nope/content"),
            None,
        )
        .await;
    assert_eq!(missing.status, 404);
}
