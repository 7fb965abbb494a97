use hookline_testkit::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_a_400_with_a_reason() {
    let app = spawn_app().await;
    let response = app
        .request_raw(Method::POST, "/api/v1/app", br#"{"name": "#.to_vec())
        .await;
    assert_eq!(response.status, 400);
    assert_eq!(response.body["code"], "bad_request");
    assert!(
        response.body["detail"]
            .as_str()
            .expect("detail")
            .contains("not valid JSON")
    );
}

#[tokio::test]
async fn missing_and_mistyped_fields_are_422_naming_the_field() {
    let app = spawn_app().await;
    let missing = app.post("/api/v1/app", json!({ "uid": "x" })).await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.body["detail"][0]["loc"], json!(["body", "name"]));
    assert_eq!(missing.body["detail"][0]["type"], "value_error.missing");

    let mistyped = app.post("/api/v1/app", json!({ "name": 5 })).await;
    assert_eq!(mistyped.status, 422);
    assert_eq!(mistyped.body["detail"][0]["loc"], json!(["body", "name"]));

    let app_id = app.create_app("Acme").await;
    let several = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint"),
            json!({ "url": "ftp://example.com", "uid": "no spaces", "channels": ["ok", "not ok"] }),
        )
        .await;
    assert_eq!(several.status, 422);
    let locs: Vec<&serde_json::Value> = several.body["detail"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| &d["loc"])
        .collect();
    assert_eq!(
        locs,
        vec![
            &json!(["body", "url"]),
            &json!(["body", "uid"]),
            &json!(["body", "channels", "1"])
        ]
    );
}

#[tokio::test]
async fn payloads_must_be_json_objects() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    for payload in [
        json!([1, 2]),
        json!("text"),
        json!(3),
        serde_json::Value::Null,
    ] {
        let response = app
            .post(
                &format!("/api/v1/app/{app_id}/msg"),
                json!({ "eventType": "a", "payload": payload }),
            )
            .await;
        assert_eq!(response.status, 422, "payload {payload}: {}", response.body);
        assert_eq!(
            response.body["detail"][0]["loc"],
            json!(["body", "payload"])
        );
    }
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let app = spawn_app().await;
    let unknown_app = app.get("/api/v1/app/app_doesnotexist").await;
    assert_eq!(unknown_app.status, 404);
    assert_eq!(unknown_app.body["code"], "not_found");
    let app_id = app.create_app("Acme").await;
    for path in [
        format!("/api/v1/app/{app_id}/endpoint/ep_nope"),
        format!("/api/v1/app/{app_id}/msg/msg_nope"),
        format!("/api/v1/app/{app_id}/attempt/msg/msg_nope"),
        "/api/v1/event-type/nope".to_owned(),
        "/api/v1/no-such-route".to_owned(),
    ] {
        assert_eq!(app.get(&path).await.status, 404, "{path}");
    }
    let send = app
        .post(
            "/api/v1/app/nope/msg",
            json!({ "eventType": "a", "payload": {} }),
        )
        .await;
    assert_eq!(send.status, 404);
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let big = "x".repeat(1024 * 1024 + 1);
    let response = app
        .post(
            &format!("/api/v1/app/{app_id}/msg"),
            json!({ "eventType": "a", "payload": { "blob": big } }),
        )
        .await;
    assert_eq!(response.status, 413);
    assert_eq!(response.body["code"], "payload_too_large");
    let listed = app.get(&format!("/api/v1/app/{app_id}/msg")).await;
    assert_eq!(
        listed.body["data"],
        json!([]),
        "nothing half-written remains"
    );
}

#[tokio::test]
async fn requests_without_a_valid_token_are_401() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/app", app.address);
    let none = client.get(&url).send().await.expect("request");
    assert_eq!(none.status(), 401);
    let wrong = client
        .get(&url)
        .bearer_auth("wrong-token")
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status(), 401);
    let malformed = client
        .get(&url)
        .header("authorization", "Basic abc")
        .send()
        .await
        .expect("request");
    assert_eq!(malformed.status(), 401);
    let body: serde_json::Value = malformed.json().await.expect("json");
    assert_eq!(body["code"], "authentication_failed");
    let health = client
        .get(format!("{}/api/v1/health", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(health.status(), 204, "health needs no token");
}

#[tokio::test]
async fn list_limits_are_bounded() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/v1/app?limit=250").await.status, 200);
    let too_many = app.get("/api/v1/app?limit=251").await;
    assert_eq!(too_many.status, 422);
    assert_eq!(too_many.body["detail"][0]["loc"], json!(["query", "limit"]));
    assert_eq!(app.get("/api/v1/app?limit=abc").await.status, 422);
}
