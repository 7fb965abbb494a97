//! Interop with code no one here wrote: the official `standardwebhooks` and `svix` packages.

use hookline_testkit::interop::{python_module_available, run_script};
use hookline_testkit::{TestReceiver, spawn_app};
use serde_json::json;

#[tokio::test]
async fn signatures_verify_with_the_official_standardwebhooks_library() {
    if !python_module_available("standardwebhooks") {
        return;
    }
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/") }))
        .await;
    let secret = app
        .endpoint_secret(&app_id, endpoint["id"].as_str().expect("id"))
        .await;
    app.send_message(
        &app_id,
        json!({ "eventType": "a", "payload": {"text": "héllo", "n": [1, 2.5]} }),
    )
    .await;
    let request = receiver.next_request().await;
    let input = json!({
        "secret": secret,
        "headers": {
            "webhook-id": request.header("webhook-id"),
            "webhook-timestamp": request.header("webhook-timestamp"),
            "webhook-signature": request.header("webhook-signature"),
        },
        "body": String::from_utf8(request.body.to_vec()).expect("utf-8 body"),
    });
    let output = run_script(
        "verify_standardwebhooks.py",
        vec![],
        Some(input.to_string()),
    )
    .await;
    assert!(
        output.status.success(),
        "standardwebhooks refused our signature: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // The same library must refuse a tampered body (the check can fail).
    let mut tampered = input.clone();
    tampered["body"] = json!(format!("{} ", input["body"].as_str().expect("body")));
    let refused = run_script(
        "verify_standardwebhooks.py",
        vec![],
        Some(tampered.to_string()),
    )
    .await;
    assert!(!refused.status.success());
}

#[tokio::test]
async fn the_official_svix_sdk_drives_the_api() {
    if !python_module_available("svix") {
        return;
    }
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let sent = run_script(
        "svix_sdk.py",
        vec![
            "send".into(),
            "--server-url".into(),
            app.address.clone(),
            "--token".into(),
            app.token.clone(),
            "--receiver-url".into(),
            receiver.endpoint("/svix"),
        ],
        None,
    )
    .await;
    assert!(
        sent.status.success(),
        "svix SDK flow failed: {}{}",
        String::from_utf8_lossy(&sent.stdout),
        String::from_utf8_lossy(&sent.stderr)
    );
    let ids: serde_json::Value =
        serde_json::from_slice(sent.stdout.trim_ascii()).expect("the script prints JSON ids");
    let msg_id = ids["msg_id"].as_str().expect("msg_id").to_owned();

    let request = receiver.next_request().await;
    assert_eq!(request.header("webhook-id"), msg_id);
    crate::assert_signed(&request, ids["secret"].as_str().expect("secret"));
    app.next_attempt().await;

    let listed = run_script(
        "svix_sdk.py",
        vec![
            "attempts".into(),
            "--server-url".into(),
            app.address.clone(),
            "--token".into(),
            app.token.clone(),
            "--app-id".into(),
            ids["app_id"].as_str().expect("app_id").to_owned(),
            "--msg-id".into(),
            msg_id,
        ],
        None,
    )
    .await;
    assert!(
        listed.status.success(),
        "listing attempts with the SDK failed: {}{}",
        String::from_utf8_lossy(&listed.stdout),
        String::from_utf8_lossy(&listed.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_slice(listed.stdout.trim_ascii()).expect("JSON summary");
    assert_eq!(summary["count"], 1);
    assert_eq!(summary["status_codes"], json!([200]));
}
