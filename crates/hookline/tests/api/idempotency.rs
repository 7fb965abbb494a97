//! `Idempotency-Key`: replay, mismatch, concurrency, scoping and persistence.

use hookline_testkit::{TestApp, TestResponse, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::callers::key_token;

async fn post_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    path: &str,
    body: &Value,
) -> TestResponse {
    let request = app
        .client
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body);
    TestApp::read(request.send().await.expect("request failed")).await
}

fn replayed(response: &TestResponse) -> bool {
    response
        .headers
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true")
}

async fn apps_named(app: &TestApp, name: &str) -> usize {
    let list = app.get("/api/v1/app?limit=250").await;
    list.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|a| a["name"] == name)
        .count()
}

#[tokio::test]
async fn a_retried_post_gets_the_first_response_and_runs_once() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let path = format!("/api/v1/app/{app_id}/msg");
    let body = json!({ "eventType": "invoice.paid", "payload": { "id": 1 } });
    let first = post_with_key(&app, &app.token, "retry-1", &path, &body).await;
    assert_eq!(first.status, 202, "{}", first.body);
    assert!(!replayed(&first));
    let again = post_with_key(&app, &app.token, "retry-1", &path, &body).await;
    assert_eq!(again.status, 202);
    assert!(replayed(&again), "no Idempotent-Replayed header");
    assert_eq!(again.body, first.body, "the replay is the first response");
    assert_eq!(
        again.headers.get("content-type"),
        first.headers.get("content-type")
    );
    let listed = app.get(&path).await;
    assert_eq!(listed.body["data"].as_array().expect("data").len(), 1);
}

#[tokio::test]
async fn reusing_a_key_for_a_different_request_is_422_naming_the_header() {
    let app = spawn_app().await;
    let first = post_with_key(
        &app,
        &app.token,
        "k-1",
        "/api/v1/app",
        &json!({ "name": "A" }),
    )
    .await;
    assert_eq!(first.status, 201);
    let other_body = post_with_key(
        &app,
        &app.token,
        "k-1",
        "/api/v1/app",
        &json!({ "name": "B" }),
    )
    .await;
    assert_eq!(other_body.status, 422, "{}", other_body.body);
    assert_eq!(
        other_body.body["detail"][0]["loc"],
        json!(["header", "idempotency-key"])
    );
    let other_path = post_with_key(
        &app,
        &app.token,
        "k-1",
        "/api/v1/event-type",
        &json!({ "name": "A" }),
    )
    .await;
    assert_eq!(other_path.status, 422);
    assert_eq!(
        apps_named(&app, "B").await,
        0,
        "the mismatched request did not run"
    );

    let malformed = post_with_key(
        &app,
        &app.token,
        &"x".repeat(300),
        "/api/v1/app",
        &json!({ "name": "C" }),
    )
    .await;
    assert_eq!(malformed.status, 422);
    assert_eq!(
        malformed.body["detail"][0]["loc"],
        json!(["header", "idempotency-key"])
    );
}

#[tokio::test]
async fn concurrent_requests_with_one_key_execute_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    let mut requests = JoinSet::new();
    for _ in 0..8 {
        let app = std::sync::Arc::clone(&app);
        requests.spawn(async move {
            post_with_key(
                &app,
                &app.token,
                "same-key",
                "/api/v1/app",
                &json!({ "name": "Once" }),
            )
            .await
        });
    }
    let responses = requests.join_all().await;
    let created: Vec<&TestResponse> = responses.iter().filter(|r| r.status == 201).collect();
    assert!(!created.is_empty(), "no request succeeded");
    for response in &responses {
        assert!(
            response.status == 201 || response.status == 409,
            "unexpected {}: {}",
            response.status,
            response.body
        );
        if response.status == 409 {
            assert_eq!(response.headers["retry-after"], "1");
        }
    }
    let ids: Vec<&Value> = created.iter().map(|r| &r.body["id"]).collect();
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "different apps: {ids:?}"
    );
    assert_eq!(created.iter().filter(|r| !replayed(r)).count(), 1);
    assert_eq!(apps_named(&app, "Once").await, 1);
}

#[tokio::test]
async fn keys_are_scoped_to_the_caller() {
    let app = spawn_app().await;
    let org = key_token(&app, json!({ "name": "org" })).await;
    let body = json!({ "name": "Shared key" });
    let admin = post_with_key(&app, &app.token, "shared", "/api/v1/app", &body).await;
    let other = post_with_key(&app, &org, "shared", "/api/v1/app", &body).await;
    assert_eq!((admin.status.as_u16(), other.status.as_u16()), (201, 201));
    assert!(!replayed(&other));
    assert_ne!(admin.body["id"], other.body["id"]);
}

#[tokio::test]
async fn stored_responses_outlive_a_restart() {
    let app = spawn_app().await;
    let body = json!({ "name": "Durable" });
    let first = post_with_key(&app, &app.token, "durable", "/api/v1/app", &body).await;
    assert_eq!(first.status, 201);
    let app = app.restart().await;
    let again = post_with_key(&app, &app.token, "durable", "/api/v1/app", &body).await;
    assert_eq!(again.status, 201);
    assert!(replayed(&again));
    assert_eq!(again.body, first.body);
    assert_eq!(apps_named(&app, "Durable").await, 1);
}

#[tokio::test]
async fn requests_other_than_post_ignore_the_header() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let request = |name: &str| {
        app.client
            .request(
                Method::PATCH,
                format!("{}/api/v1/app/{app_id}", app.address),
            )
            .bearer_auth(&app.token)
            .header("idempotency-key", "patch-key")
            .json(&json!({ "name": name }))
    };
    let first = TestApp::read(request("One").send().await.expect("patch")).await;
    let second = TestApp::read(request("Two").send().await.expect("patch")).await;
    assert_eq!((first.status.as_u16(), second.status.as_u16()), (200, 200));
    assert_eq!(second.body["name"], "Two");
}

#[tokio::test]
async fn answers_holding_a_new_token_are_never_stored_for_replay() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    for path in [
        "/api/v1/api-key".to_owned(),
        format!("/api/v1/auth/app-portal-access/{app_id}"),
    ] {
        let body = json!({ "name": "minted" });
        let first = post_with_key(&app, &app.token, "mint", &path, &body).await;
        assert!(first.status.is_success(), "{}", first.body);
        let again = post_with_key(&app, &app.token, "mint", &path, &body).await;
        assert!(again.status.is_success(), "{}", again.body);
        assert!(!replayed(&again));
        assert_ne!(first.str("token"), again.str("token"));
        assert!(
            !app.database_contains(first.str("token").as_bytes()).await,
            "a token from {path} is stored in clear in the database"
        );
    }
}
