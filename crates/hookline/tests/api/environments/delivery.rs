//! Environments keep delivering on their own: messages reach their endpoints, a restart and a
//! worker node that never saw the environment created deliver what was planned, and the
//! `hookline` commands cover every environment.

use std::time::Duration;

use hookline_testkit::{TestApp, TestReceiver, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::json;

use super::{admin_in, create_environment, key_in};
use crate::callers::{Auth, call};

#[tokio::test]
async fn an_environment_delivers_its_messages_to_its_endpoints() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let env = create_environment(&app, "staging").await;
    let key = Auth::Bearer(key_in(&app, &env, json!({ "name": "k" })).await);
    let created = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/app",
        Some(json!({ "name": "Acme" })),
    )
    .await;
    let app_id = created.str("id");
    let endpoint = call(
        &app,
        &key,
        Method::POST,
        &format!("/api/v1/app/{app_id}/endpoint"),
        Some(json!({ "url": receiver.endpoint("/staging") })),
    )
    .await;
    assert_eq!(endpoint.status, 201, "{}", endpoint.body);
    let secret = call(
        &app,
        &key,
        Method::GET,
        &format!(
            "/api/v1/app/{app_id}/endpoint/{}/secret",
            endpoint.str("id")
        ),
        None,
    )
    .await
    .str("key");
    let sent = call(
        &app,
        &key,
        Method::POST,
        &format!("/api/v1/app/{app_id}/msg"),
        Some(json!({ "eventType": "invoice.paid", "payload": { "n": 1 } })),
    )
    .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let request = receiver.next_request().await;
    assert_eq!(request.uri.path(), "/staging");
    assert_eq!(request.header("webhook-id"), sent.str("id"));
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
    let created = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/app",
        Some(json!({ "name": "Acme" })),
    )
    .await;
    let app_id = created.str("id");
    let endpoint = call(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/app/{app_id}/endpoint"),
        Some(json!({ "url": receiver.endpoint("/later") })),
    )
    .await;
    assert_eq!(endpoint.status, 201, "{}", endpoint.body);
    let sent = call(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/app/{app_id}/msg"),
        Some(json!({ "eventType": "invoice.paid", "payload": {} })),
    )
    .await;
    assert_eq!(sent.status, 202, "{}", sent.body);

    let _app = app
        .restart_with(|mut config| {
            config.deliver = true;
            config
        })
        .await;
    let request = receiver.next_request().await;
    assert_eq!(request.uri.path(), "/later");
    assert_eq!(request.header("webhook-id"), sent.str("id"));
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
    let created = call(
        &api,
        &admin,
        Method::POST,
        "/api/v1/app",
        Some(json!({ "name": "Acme" })),
    )
    .await;
    let app_id = created.str("id");
    let endpoint = call(
        &api,
        &admin,
        Method::POST,
        &format!("/api/v1/app/{app_id}/endpoint"),
        Some(json!({ "url": receiver.endpoint("/from-worker") })),
    )
    .await;
    assert_eq!(endpoint.status, 201, "{}", endpoint.body);
    let sent = call(
        &api,
        &admin,
        Method::POST,
        &format!("/api/v1/app/{app_id}/msg"),
        Some(json!({ "eventType": "invoice.paid", "payload": {} })),
    )
    .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let request = receiver.next_request().await;
    assert_eq!(request.uri.path(), "/from-worker");
    assert_eq!(request.header("webhook-id"), sent.str("id"));
}

/// Runs the `hookline` command on the app's data (and database), returning its output.
async fn hookline(app: &TestApp, args: &[&str]) -> String {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookline"));
    command
        .args(args)
        .arg("--data-dir")
        .arg(app.data_dir())
        .env_remove("HOOKLINE_RETENTION_DAYS")
        .env_remove("HOOKLINE_TASK_RETENTION_DAYS")
        .env_remove("HOOKLINE_DATABASE_URL")
        .env_remove("HOOKLINE_SECRETS_KEY")
        .env_remove("HOOKLINE_ADMIN_TOKEN");
    if let Some(url) = app.database_url() {
        command.arg("--database-url").arg(url);
    }
    let output = command.output().await.expect("run hookline");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn hookline_migrate_and_prune_cover_every_environment() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let env = create_environment(&app, "staging").await;
    let admin = admin_in(&env);
    let created = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/app",
        Some(json!({ "name": "Acme" })),
    )
    .await;
    let app_id = created.str("id");
    let endpoint = call(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/app/{app_id}/endpoint"),
        Some(json!({ "url": receiver.endpoint("/") })),
    )
    .await;
    assert_eq!(endpoint.status, 201, "{}", endpoint.body);
    let sent = call(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/app/{app_id}/msg"),
        Some(json!({ "eventType": "invoice.paid", "payload": {} })),
    )
    .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    receiver.next_request().await;
    app.next_attempt().await;
    app.stop().await;

    let migrated = hookline(&app, &["migrate"]).await;
    assert!(
        migrated.contains(&format!("environment {env} (staging) is at schema version")),
        "{migrated}"
    );
    let pruned = hookline(&app, &["prune", "--retention-days", "0"]).await;
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
