use hookline_testkit::{TestReceiver, spawn_app};
use serde_json::json;

#[tokio::test]
async fn endpoints_filtered_on_other_event_types_or_channels_receive_nothing() {
    let app = spawn_app().await;
    let mut paid = TestReceiver::start().await;
    let mut team_a = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    app.create_event_type("invoice.paid").await;
    app.create_event_type("invoice.failed").await;
    app.create_endpoint(
        &app_id,
        json!({ "url": paid.endpoint("/"), "eventTypes": ["invoice.paid"] }),
    )
    .await;
    app.create_endpoint(
        &app_id,
        json!({ "url": team_a.endpoint("/"), "channels": ["team-a"] }),
    )
    .await;

    // Neither endpoint subscribes to this one: no delivery is even planned.
    let skipped = app
        .send_message(
            &app_id,
            json!({ "eventType": "invoice.failed", "channels": ["team-b"], "payload": {"n": 1} }),
        )
        .await;
    let planned = app
        .get(&format!(
            "/api/v1/app/{app_id}/msg/{}/endpoint",
            skipped["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(planned.body["data"], json!([]));

    // Each endpoint gets exactly what it subscribed to.
    let for_paid = app
        .send_message(
            &app_id,
            json!({ "eventType": "invoice.paid", "channels": ["team-b"], "payload": {"n": 2} }),
        )
        .await;
    let for_team = app
        .send_message(
            &app_id,
            json!({ "eventType": "invoice.failed", "channels": ["team-a"], "payload": {"n": 3} }),
        )
        .await;
    assert_eq!(
        paid.next_request().await.header("webhook-id"),
        for_paid["id"]
    );
    assert_eq!(
        team_a.next_request().await.header("webhook-id"),
        for_team["id"]
    );
    assert!(paid.try_next_request().is_none());
    assert!(team_a.try_next_request().is_none());
}

#[tokio::test]
async fn messages_are_listed_newest_first_and_readable_by_id_or_event_id() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let msg = app
            .send_message(
                &app_id,
                json!({ "eventType": "a", "eventId": format!("evt-{n}"), "payload": {"n": n} }),
            )
            .await;
        ids.push(msg["id"].as_str().expect("id").to_owned());
    }
    let page = app.get(&format!("/api/v1/app/{app_id}/msg?limit=2")).await;
    assert_eq!(page.body["data"][0]["id"], ids[2].as_str());
    assert_eq!(page.body["data"][1]["id"], ids[1].as_str());
    assert_eq!(page.body["done"], false);
    let iterator = page.str("iterator");
    let rest = app
        .get(&format!(
            "/api/v1/app/{app_id}/msg?limit=2&iterator={iterator}"
        ))
        .await;
    assert_eq!(rest.body["data"][0]["id"], ids[0].as_str());
    assert_eq!(rest.body["done"], true);

    let by_event_id = app.get(&format!("/api/v1/app/{app_id}/msg/evt-1")).await;
    assert_eq!(by_event_id.body["id"], ids[1].as_str());
    assert_eq!(by_event_id.body["payload"], json!({"n": 1}));
    let without_content = app
        .get(&format!(
            "/api/v1/app/{app_id}/msg/{}?with_content=false",
            ids[1]
        ))
        .await;
    assert_eq!(without_content.body["payload"], json!({}));
}

#[tokio::test]
async fn a_reused_event_id_is_a_conflict() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let body = json!({ "eventType": "a", "eventId": "order-1", "payload": {} });
    app.send_message(&app_id, body.clone()).await;
    let again = app.post(&format!("/api/v1/app/{app_id}/msg"), body).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["code"], "conflict");
}

#[tokio::test]
async fn a_message_can_create_its_application_on_the_fly() {
    let app = spawn_app().await;
    let sent = app
        .post(
            "/api/v1/app/customer-9/msg",
            json!({ "eventType": "a", "payload": {}, "application": { "name": "Customer 9" } }),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let created = app.get("/api/v1/app/customer-9").await;
    assert_eq!(created.body["name"], "Customer 9");
    assert_eq!(created.body["uid"], "customer-9");
}
