//! The client commands (`hookline app ...`) against a running server, through the same entry
//! point the binary calls, with their output captured; and once through the real binary for
//! its exit codes and stderr.

use clap::Parser;
use hookline::cli::{Cli, Command};
use hookline::client::{self, ClientError};
use hookline_testkit::{TestApp, TestReceiver, spawn_app};
use serde_json::Value;

/// Runs `hookline <args...> --url <app> --token <token> --output <format>`; its output, or its
/// error. Every result is checked for the token first.
async fn hookline(app: &TestApp, format: &str, args: &[&str]) -> Result<String, ClientError> {
    let mut argv = vec!["hookline"];
    argv.extend_from_slice(args);
    argv.extend([
        "--url",
        &app.address,
        "--token",
        &app.token,
        "--output",
        format,
    ]);
    let Command::Client(command) = Cli::try_parse_from(&argv).expect("parses").command else {
        panic!("{args:?} is not a client command");
    };
    let mut out = Vec::new();
    let result = client::run(command, &mut out).await;
    let out = String::from_utf8(out).expect("UTF-8 output");
    assert!(!out.contains(&app.token), "the token was printed: {out}");
    match result {
        Ok(()) => Ok(out),
        Err(error) => {
            assert!(!error.to_string().contains(&app.token), "{error}");
            Err(error)
        }
    }
}

/// The command's JSON output, parsed.
async fn json(app: &TestApp, args: &[&str]) -> Value {
    let out = hookline(app, "json", args)
        .await
        .expect("the command succeeds");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[tokio::test]
async fn the_cli_sets_up_an_endpoint_and_sends_a_payload_from_a_file_that_is_delivered() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    json(&app, &["event-type", "create", "invoice.paid"]).await;
    let created = json(&app, &["app", "create", "Acme Corp", "--uid", "acme"]).await;
    assert_eq!(created["uid"], "acme");
    assert!(created["id"].as_str().expect("id").starts_with("app_"));
    let url = receiver.endpoint("/hook");
    let endpoint = json(
        &app,
        &[
            "endpoint",
            "create",
            "acme",
            &url,
            "--event-type",
            "invoice.paid",
            "--uid",
            "main",
        ],
    )
    .await;
    assert_eq!(endpoint["filterTypes"][0], "invoice.paid");
    let secret = json(&app, &["endpoint", "secret", "acme", "main"]).await;

    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("payload.json");
    let payload = r#"{ "invoiceId": "inv_1",  "amount": 42.50 }"#;
    std::fs::write(&file, format!("{payload}\n")).expect("write the payload");
    let at_file = format!("@{}", file.display());
    let sent = json(
        &app,
        &[
            "msg",
            "send",
            "acme",
            "invoice.paid",
            &at_file,
            "--event-id",
            "inv_1-paid",
        ],
    )
    .await;
    let msg_id = sent["id"].as_str().expect("message id").to_owned();

    let request = receiver.next_request().await;
    assert_eq!(request.body.as_ref(), payload.as_bytes());
    assert_eq!(request.header("webhook-id"), msg_id);
    crate::assert_signed(&request, secret["key"].as_str().expect("key"));
    app.next_attempt().await;

    let attempts = json(&app, &["attempt", "list", "acme", "--msg", "inv_1-paid"]).await;
    assert_eq!(attempts["data"][0]["msgId"], msg_id.as_str());
    assert_eq!(attempts["data"][0]["status"], 0);
    let table = hookline(
        &app,
        "table",
        &["attempt", "list", "acme", "--endpoint", "main"],
    )
    .await
    .expect("lists");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("STATUS"),
        "{table}"
    );
    assert!(
        lines[1].contains(&msg_id) && lines[1].contains("success"),
        "{table}"
    );
}

#[tokio::test]
async fn json_output_is_the_answer_as_received_with_key_order_and_numbers_kept() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    app.create_event_type("invoice.paid").await;
    let payload = r#"{"z":1,"a":1.50}"#;
    json(
        &app,
        &[
            "msg",
            "send",
            &app_id,
            "invoice.paid",
            payload,
            "--event-id",
            "e1",
        ],
    )
    .await;

    let out = hookline(&app, "json", &["msg", "get", &app_id, "e1"])
        .await
        .expect("gets");
    assert!(out.contains("\"z\": 1,\n"), "{out}");
    assert!(out.contains("\"a\": 1.50\n"), "{out}");
    assert!(out.find("\"z\"") < out.find("\"a\""), "{out}");
    let table = hookline(&app, "table", &["msg", "get", &app_id, "e1"])
        .await
        .expect("gets");
    assert!(table.contains("EVENT ID    e1"), "{table}");
}

#[tokio::test]
async fn a_rerun_send_with_the_same_idempotency_key_sends_once() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    app.create_event_type("invoice.paid").await;
    let send = [
        "msg",
        "send",
        &app_id,
        "invoice.paid",
        "{}",
        "--idempotency-key",
        "k-1",
    ];
    let first = json(&app, &send).await;
    let second = json(&app, &send).await;
    assert_eq!(first["id"], second["id"]);
    let other = json(&app, &["msg", "send", &app_id, "invoice.paid", "{}"]).await;
    assert_ne!(
        first["id"], other["id"],
        "each run without a key is its own message"
    );
    let listed = json(&app, &["msg", "list", &app_id]).await;
    assert_eq!(listed["data"].as_array().expect("list").len(), 2);
}

#[tokio::test]
async fn a_validation_error_names_each_field_and_fails() {
    let app = spawn_app().await;
    let error = hookline(&app, "json", &["app", "create", ""])
        .await
        .expect_err("an empty name is refused");
    let ClientError::Invalid { status, fields } = &error else {
        panic!("expected a validation error, got {error}");
    };
    assert_eq!(*status, 422);
    assert_eq!(fields[0].location(), "body.name");
    assert!(error.to_string().contains("body.name: "), "{error}");
    assert_eq!(error.exit_code(), 1);
}

#[tokio::test]
async fn a_missing_resource_fails_with_the_api_code() {
    let app = spawn_app().await;
    let error = hookline(&app, "table", &["app", "get", "nope"])
        .await
        .expect_err("no such application");
    assert!(matches!(&error, ClientError::Api { status: 404, code, .. } if code == "not_found"));
    assert!(error.to_string().starts_with("404 not_found: "), "{error}");
    assert_eq!(error.exit_code(), 1);
}

#[tokio::test]
async fn a_wrong_token_fails_without_showing_either_token() {
    let app = spawn_app().await;
    let wrong = "hl_not_the_token_0123456789";
    let argv = [
        "hookline",
        "app",
        "list",
        "--url",
        &app.address,
        "--token",
        wrong,
    ];
    let Command::Client(command) = Cli::try_parse_from(argv).expect("parses").command else {
        panic!("a client command");
    };
    let error = client::run(command, &mut Vec::new())
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, ClientError::Api { status: 401, .. }),
        "{error}"
    );
    assert!(!error.to_string().contains(wrong), "{error}");
    assert!(!format!("{error:?}").contains(wrong), "{error:?}");
}

#[tokio::test]
async fn all_follows_the_iterator_until_done() {
    let app = spawn_app().await;
    for name in ["one", "two", "three"] {
        json(&app, &["app", "create", name]).await;
    }
    let page = json(&app, &["app", "list", "--limit", "2"]).await;
    assert_eq!(page["data"].as_array().expect("list").len(), 2);
    assert_eq!(page["done"], false);
    let iterator = page["iterator"].as_str().expect("iterator");
    let rest = json(
        &app,
        &["app", "list", "--limit", "2", "--iterator", iterator],
    )
    .await;
    assert_eq!(rest["data"][0]["name"], "three");

    let all = json(&app, &["app", "list", "--limit", "2", "--all"]).await;
    let names: Vec<&str> = all["data"]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["one", "two", "three"]);
    assert_eq!(all["done"], true);

    let table = hookline(&app, "table", &["app", "list", "--limit", "2"])
        .await
        .expect("lists");
    assert!(table.contains("(more: --iterator "), "{table}");
    let table = hookline(&app, "table", &["app", "list", "--limit", "2", "--all"])
        .await
        .expect("lists");
    assert_eq!(table.lines().count(), 4, "{table}");
}

#[tokio::test]
async fn resend_and_recover_reach_the_endpoint_again() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    app.create_event_type("invoice.paid").await;
    let url = receiver.endpoint("/hook");
    let endpoint = json(&app, &["endpoint", "create", &app_id, &url]).await;
    let ep = endpoint["id"].as_str().expect("id").to_owned();
    let sent = json(&app, &["msg", "send", &app_id, "invoice.paid", "{}"]).await;
    let msg = sent["id"].as_str().expect("id").to_owned();
    receiver.next_request().await;
    app.next_attempt().await;

    let out = hookline(&app, "table", &["resend", &app_id, &msg, &ep])
        .await
        .expect("resends");
    assert_eq!(out, format!("queued {msg} for endpoint {ep}\n"));
    assert_eq!(receiver.next_request().await.header("webhook-id"), msg);

    let task = json(
        &app,
        &["recover", &app_id, &ep, "--since", "2020-01-01T00:00:00Z"],
    )
    .await;
    assert_eq!(task["task"], "endpoint.recover");
    let deleted = hookline(&app, "json", &["endpoint", "delete", &app_id, &ep])
        .await
        .expect("deletes");
    assert_eq!(deleted, "", "204 has nothing to print");
}

#[tokio::test]
async fn the_binary_exits_1_on_api_errors_and_says_where_it_could_not_connect() {
    let app = spawn_app().await;
    // The server runs on this test's runtime: the child must be awaited, not waited for.
    let run = |args: &[&str]| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_hookline"))
            .args(args)
            .env("HOOKLINE_TOKEN", &app.token)
            .env_remove("HOOKLINE_URL")
            .output()
    };
    let missing = run(&["app", "get", "nope", "--url", &app.address])
        .await
        .expect("runs");
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("not_found"), "{stderr}");
    assert!(!stderr.contains(&app.token), "{stderr}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("address"));
    drop(closed);
    let refused = run(&["app", "list", "--url", &url]).await.expect("runs");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(&url) && stderr.contains("hookline serve"),
        "{stderr}"
    );

    let usage = run(&["attempt", "list", "acme"]).await.expect("runs");
    assert_eq!(usage.status.code(), Some(2));
}

#[tokio::test]
async fn environment_works_in_the_environment_it_names() {
    let app = spawn_app().await;
    let staging = crate::environments::create_environment(&app, "staging").await;
    let created = json(
        &app,
        &["app", "create", "Staging app", "--environment", &staging],
    )
    .await;
    let in_staging = json(&app, &["app", "list", "--environment", &staging]).await;
    assert_eq!(in_staging["data"][0]["id"], created["id"], "{in_staging}");
    let in_default = json(&app, &["app", "list"]).await;
    assert_eq!(in_default["data"], serde_json::json!([]), "{in_default}");
    let unknown = hookline(&app, "json", &["app", "list", "--environment", "env_nope"])
        .await
        .expect_err("a malformed environment id is refused");
    assert!(
        unknown.to_string().contains("400 bad_request") && unknown.to_string().contains("env_"),
        "{unknown}"
    );
}

#[tokio::test]
async fn endpoint_update_changes_only_what_is_given_and_event_types_are_archived_or_removed() {
    let app = spawn_app().await;
    json(&app, &["app", "create", "Acme", "--uid", "acme"]).await;
    for name in ["a.created", "b.created"] {
        json(&app, &["event-type", "create", name]).await;
    }
    json(
        &app,
        &[
            "endpoint",
            "create",
            "acme",
            "https://hooks.example.com/in",
            "--event-type",
            "a.created",
            "--uid",
            "main",
        ],
    )
    .await;

    let changed = json(
        &app,
        &[
            "endpoint",
            "update",
            "acme",
            "main",
            "--event-type",
            "b.created",
            "--description",
            "billing",
            "--disable",
        ],
    )
    .await;
    assert_eq!(
        changed["filterTypes"],
        serde_json::json!(["b.created"]),
        "{changed}"
    );
    assert_eq!(changed["description"], "billing");
    assert_eq!(changed["disabled"], true);
    assert_eq!(changed["url"], "https://hooks.example.com/in", "unchanged");

    let again = json(
        &app,
        &[
            "endpoint",
            "update",
            "acme",
            "main",
            "--all-event-types",
            "--enable",
        ],
    )
    .await;
    assert!(again["filterTypes"].is_null(), "{again}");
    assert_eq!(again["disabled"], false);
    assert_eq!(again["description"], "billing", "unchanged");
    let nothing = hookline(&app, "json", &["endpoint", "update", "acme", "main"])
        .await
        .expect_err("nothing to change");
    assert_eq!(nothing.exit_code(), 2, "{nothing}");

    let shown = json(&app, &["event-type", "get", "a.created"]).await;
    assert_eq!(shown["name"], "a.created");
    hookline(&app, "json", &["event-type", "delete", "a.created"])
        .await
        .expect("archive");
    assert_eq!(
        json(&app, &["event-type", "get", "a.created"]).await["archived"],
        true
    );
    hookline(
        &app,
        "json",
        &["event-type", "delete", "a.created", "--expunge"],
    )
    .await
    .expect("expunge");
    let gone = hookline(&app, "json", &["event-type", "get", "a.created"])
        .await
        .expect_err("removed");
    assert!(gone.to_string().contains("404"), "{gone}");
}
