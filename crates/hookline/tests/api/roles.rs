//! Roles: an API-only node accepts work and sends nothing; a worker node delivers it and answers
//! only health checks over HTTP. (`--role` needs PostgreSQL; here the switches are set on the
//! config directly, so the split is tested on whichever backend the suite runs.)

use hookline_testkit::{TestReceiver, spawn_app_with};
use serde_json::json;

#[tokio::test]
async fn work_accepted_by_an_api_node_is_delivered_by_a_worker_node() {
    let app = spawn_app_with(|mut config| {
        config.deliver = false;
        config
    })
    .await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    app.create_endpoint(&app_id, json!({ "url": receiver.endpoint("/") }))
        .await;
    let sent = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    assert!(
        receiver.try_next_request().is_none(),
        "an API-only node delivered"
    );

    let worker = app
        .restart_with(|mut config| {
            config.deliver = true;
            config.api = false;
            config
        })
        .await;
    let request = receiver.next_request().await;
    assert_eq!(
        request.header("webhook-id"),
        sent["id"].as_str().expect("id")
    );

    for path in ["/api/v1/health", "/api/v1/health/ping"] {
        assert_eq!(worker.get(path).await.status, 204, "{path}");
    }
    let refused = worker.get(&format!("/api/v1/app/{app_id}")).await;
    assert_eq!(refused.status, 404);
    assert_eq!(refused.body["code"], "not_found", "{}", refused.body);
    assert_eq!(
        worker
            .post(
                &format!("/api/v1/app/{app_id}/msg"),
                json!({ "eventType": "a", "payload": {} })
            )
            .await
            .status,
        404,
        "a worker accepted a message"
    );
}
