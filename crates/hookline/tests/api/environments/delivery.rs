//! Environments keep delivering on their own: messages reach their endpoints, a restart and a
//! worker node that never saw the environment created deliver what was planned, and the
//! `hookline` commands cover every environment.

use std::time::Duration;

use hookline_testkit::{TestApp, TestReceiver, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::json;

use super::{admin_in, create_environment, key_in};
use crate::callers::{Auth, call};
use crate::child::hookline_on;

/// Creates, as `auth`, an application with one endpoint at `url`; returns (app id, endpoint
/// id).
async fn app_with_endpoint(app: &TestApp, auth: &Auth, url: String) -> (String, String) {
    let created = call(
        app,
        auth,
        Method::POST,
        "/api/v1/app",
        Some(json!({ "name": "Acme" })),
    )
    .await;
    let app_id = created.str("id");
    let endpoint = call(
        app,
        auth,
        Method::POST,
        &format!("/api/v1/app/{app_id}/endpoint"),
        Some(json!({ "url": url })),
    )
    .await;
    assert_eq!(endpoint.status, 201, "{}", endpoint.body);
    (app_id, endpoint.str("id"))
}

/// Sends, as `auth`, an `invoice.paid` message with `payload`; returns its id once accepted.
async fn send(app: &TestApp, auth: &Auth, app_id: &str, payload: serde_json::Value) -> String {
    let sent = call(
        app,
        auth,
        Method::POST,
        &format!("/api/v1/app/{app_id}/msg"),
        Some(json!({ "eventType": "invoice.paid", "payload": payload })),
    )
    .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    sent.str("id")
}

#[tokio::test]
async fn an_environment_delivers_its_messages_to_its_endpoints() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let env = create_environment(&app, "staging").await;
    let key = Auth::Bearer(key_in(&app, &env, json!({ "name": "k" })).await);
    let (app_id, endpoint_id) = app_with_endpoint(&app, &key, receiver.endpoint("/staging")).await;
    let secret = call(
        &app,
        &key,
        Method::GET,
        &format!("/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret"),
        None,
    )
    .await
    .str("key");
    let sent = send(&app, &key, &app_id, json!({ "n": 1 })).await;
    let request = receiver.next_request().await;
    assert_eq!(request.uri.path(), "/staging");
    assert_eq!(request.header("webhook-id"), sent);
    crate::assert_signed(&request, &secret);
}

#[tokio::test]
async fn a_restarted_server_delivers_what_its_environments_had_planned_without_a_request() {
    // The first run plans deliveries without sending any; the second must send them although
    // nothing asks for the environment.
    let app = spawn_app_with(|mut config| {
        config.deliver = false;
        config
    })
    .await;
    let mut receiver = TestReceiver::start().await;
    let env = create_environment(&app, "staging").await;
    let admin = admin_in(&env);
    let (app_id, _) = app_with_endpoint(&app, &admin, receiver.endpoint("/later")).await;
    let sent = send(&app, &admin, &app_id, json!({})).await;

    let _app = app
        .restart_with(|mut config| {
            config.deliver = true;
            config
        })
        .await;
    let request = receiver.next_request().await;
    assert_eq!(request.uri.path(), "/later");
    assert_eq!(request.header("webhook-id"), sent);
}

#[tokio::test]
async fn a_worker_node_delivers_for_environments_created_on_another_node() {
    let api = spawn_app_with(|mut config| {
        config.deliver = false;
        config
    })
    .await;
    // Started before the environment exists: it must learn of it by itself, from the API
    // node's announcement (the periodic look is an hour away).
    let Some(_worker) = api
        .spawn_node(|mut config| {
            config.api = false;
            config.environment_check = Duration::from_secs(3600);
            config
        })
        .await
    else {
        return;
    };
    let mut receiver = TestReceiver::start().await;
    let env = create_environment(&api, "staging").await;
    let admin = admin_in(&env);
    let (app_id, _) = app_with_endpoint(&api, &admin, receiver.endpoint("/from-worker")).await;
    let sent = send(&api, &admin, &app_id, json!({})).await;
    let request = receiver.next_request().await;
    assert_eq!(request.uri.path(), "/from-worker");
    assert_eq!(request.header("webhook-id"), sent);
}

#[tokio::test]
async fn hookline_migrate_and_prune_cover_every_environment() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let env = create_environment(&app, "staging").await;
    let admin = admin_in(&env);
    let (app_id, _) = app_with_endpoint(&app, &admin, receiver.endpoint("/")).await;
    send(&app, &admin, &app_id, json!({})).await;
    receiver.next_request().await;
    app.next_attempt().await;
    app.stop().await;

    let migrated = hookline_on(&app, &["migrate"]).await;
    assert!(
        migrated.contains(&format!("environment {env} (staging) is at schema version")),
        "{migrated}"
    );
    let pruned = hookline_on(&app, &["prune", "--retention-days", "0"]).await;
    assert!(
        pruned.contains(&format!(
            "environment {env}: expired 1 payloads, deleted 1 attempts and 1 messages"
        )),
        "{pruned}"
    );

    let app = app.restart().await;
    let messages = call(
        &app,
        &admin,
        Method::GET,
        &format!("/api/v1/app/{app_id}/msg"),
        None,
    )
    .await;
    assert_eq!(messages.body["data"], json!([]), "{}", messages.body);
}
