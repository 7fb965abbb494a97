use hookline_testkit::{TestReceiver, spawn_app};
use serde_json::json;

use crate::assert_signed;

#[tokio::test]
async fn endpoints_can_be_managed_by_id_or_uid() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    app.create_event_type("invoice.paid").await;
    let created = app
        .create_endpoint(
            &app_id,
            json!({
                "url": "https://example.com/hook",
                "uid": "main",
                "eventTypes": ["invoice.paid"],
                "channels": ["eu"],
                "description": "Main endpoint",
            }),
        )
        .await;
    let id = created["id"].as_str().expect("id");
    assert!(id.starts_with("ep_"));
    assert_eq!(created["eventTypes"], json!(["invoice.paid"]));
    assert_eq!(created["metadata"], json!({}));

    let by_uid = app
        .get(&format!("/api/v1/app/{app_id}/endpoint/main"))
        .await;
    assert_eq!(by_uid.body["id"], id);

    let patched = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/app/{app_id}/endpoint/main"),
            Some(json!({ "disabled": true, "channels": null })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["disabled"], true);
    assert_eq!(patched.body["channels"], serde_json::Value::Null);
    assert_eq!(patched.body["eventTypes"], json!(["invoice.paid"]));

    let listed = app.get(&format!("/api/v1/app/{app_id}/endpoint")).await;
    assert_eq!(listed.body["data"].as_array().expect("list").len(), 1);

    let deleted = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/app/{app_id}/endpoint/{id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        app.get(&format!("/api/v1/app/{app_id}/endpoint/{id}"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_supplied_secret_is_used_and_a_generated_one_is_whsec() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let generated = app
        .create_endpoint(&app_id, json!({ "url": "https://example.com/a" }))
        .await;
    let key = app
        .endpoint_secret(&app_id, generated["id"].as_str().expect("id"))
        .await;
    assert!(key.starts_with("whsec_"), "{key}");

    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let supplied = app
        .create_endpoint(
            &app_id,
            json!({ "url": receiver.endpoint("/b"), "secret": secret }),
        )
        .await;
    assert_eq!(
        app.endpoint_secret(&app_id, supplied["id"].as_str().expect("id"))
            .await,
        secret
    );
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    assert_signed(&receiver.next_request().await, secret);

    let too_short = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint"),
            json!({ "url": "https://example.com", "secret": "whsec_c2hvcnQ=" }),
        )
        .await;
    assert_eq!(too_short.status, 422);
    assert_eq!(
        too_short.body["detail"][0]["loc"],
        json!(["body", "secret"])
    );
}

#[tokio::test]
async fn custom_headers_are_sent_and_reserved_names_refused() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/") }))
        .await;
    let path = format!(
        "/api/v1/app/{app_id}/endpoint/{}/headers",
        endpoint["id"].as_str().expect("id")
    );
    let put = app
        .request(
            reqwest::Method::PUT,
            &path,
            Some(json!({ "headers": { "X-Tenant": "42", "Authorization": "Bearer s3cret" } })),
        )
        .await;
    assert_eq!(put.status, 204, "{}", put.body);
    let read = app.get(&path).await;
    assert_eq!(read.body["headers"], json!({ "X-Tenant": "42" }));
    assert_eq!(read.body["sensitive"], json!(["Authorization"]));

    let patch = app
        .request(
            reqwest::Method::PATCH,
            &path,
            Some(json!({ "headers": { "X-Tenant": null, "X-Env": "prod" } })),
        )
        .await;
    assert_eq!(patch.status, 204);
    assert_eq!(
        app.get(&path).await.body["headers"],
        json!({ "X-Env": "prod" })
    );

    let reserved = app
        .request(
            reqwest::Method::PATCH,
            &path,
            Some(json!({ "headers": { "webhook-id": "x" } })),
        )
        .await;
    assert_eq!(reserved.status, 422);
    assert_eq!(
        reserved.body["detail"][0]["loc"],
        json!(["body", "headers", "webhook-id"])
    );

    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let request = receiver.next_request().await;
    assert_eq!(request.header("x-env"), "prod");
    assert_eq!(request.header("authorization"), "Bearer s3cret");
}

#[tokio::test]
async fn subscribing_to_an_unknown_event_type_is_refused() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let refused = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint"),
            json!({ "url": "https://example.com", "eventTypes": ["invoice.piad"] }),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body["detail"][0]["msg"]
            .as_str()
            .expect("msg")
            .contains("invoice.piad"),
        "{}",
        refused.body
    );
}
