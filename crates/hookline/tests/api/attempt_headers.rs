//! `GET .../attempt/{id}/headers`: what each attempt sent and got back.

use hookline_testkit::{TestReceiver, spawn_app};
use serde_json::json;

#[tokio::test]
async fn an_attempts_headers_show_what_was_sent_and_answered_without_credentials() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    app.create_endpoint(
        &app_id,
        json!({
            "url": receiver.endpoint("/hook"),
            "headers": { "Authorization": "Bearer do-not-show", "X-Team": "billing" }
        }),
    )
    .await;
    let msg = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {"n": 1} }))
        .await;
    let msg_id = msg["id"].as_str().expect("id");
    let request = receiver.next_request().await;
    let attempt = app.next_attempt().await;

    let headers = app
        .get(&format!(
            "/api/v1/app/{app_id}/msg/{msg_id}/attempt/{}/headers",
            attempt.id
        ))
        .await;
    assert_eq!(headers.status, 200, "{}", headers.body);
    let sent = &headers.body["sentHeaders"];
    assert_eq!(sent["webhook-id"], msg_id);
    assert_eq!(
        sent["webhook-signature"],
        request.header("webhook-signature")
    );
    assert_eq!(sent["content-type"], "application/json");
    assert_eq!(sent["x-team"], "billing");
    assert_eq!(sent["authorization"], "", "a credential value was shown");
    assert_eq!(headers.body["sensitive"], json!(["authorization"]));
    assert!(
        !headers.body.to_string().contains("do-not-show"),
        "{}",
        headers.body
    );
    let answered = headers.body["responseHeaders"]
        .as_array()
        .expect("answered");
    assert!(
        answered.iter().any(|pair| pair[0] == "content-length"),
        "{answered:?}"
    );

    // An attempt id that is not this message's is not found.
    let missing = app
        .get(&format!(
            "/api/v1/app/{app_id}/msg/{msg_id}/attempt/atmpt_0000000000000000000000/headers"
        ))
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn an_attempt_that_got_no_answer_has_no_response_headers() {
    let mut app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    // Nothing listens on this port: the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", closed.local_addr().expect("addr"));
    drop(closed);
    app.create_endpoint(&app_id, json!({ "url": url })).await;
    let msg = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    let attempt = app.next_attempt().await;
    assert_eq!(attempt.error_code.as_deref(), Some("connection_refused"));
    let headers = app
        .get(&format!(
            "/api/v1/app/{app_id}/msg/{}/attempt/{}/headers",
            msg["id"].as_str().expect("id"),
            attempt.id
        ))
        .await;
    assert_eq!(headers.status, 200, "{}", headers.body);
    assert!(headers.body["responseHeaders"].is_null());
    assert!(headers.body["sentHeaders"]["webhook-id"].is_string());
}
