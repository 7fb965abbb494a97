//! Outbound safety settings seen through the API.

use hookline_delivery::TargetPolicy;
use hookline_testkit::spawn_app_with;
use serde_json::json;

#[tokio::test]
async fn https_only_refuses_plain_http_endpoints_naming_the_field() {
    let app = spawn_app_with(|config| {
        let policy = TargetPolicy::parse("127.0.0.1/32")
            .expect("valid")
            .with_https_only(true);
        config.allow_targets(policy)
    })
    .await;
    let app_id = app.create_app("Acme").await;
    let refused = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint"),
            json!({ "url": "http://127.0.0.1:9/hook" }),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.body["detail"][0]["loc"], json!(["body", "url"]));
    let msg = refused.body["detail"][0]["msg"].as_str().expect("sentence");
    assert!(msg.contains("https"), "{msg}");
    let listed = app.get(&format!("/api/v1/app/{app_id}/endpoint")).await;
    assert_eq!(listed.body["data"], json!([]), "nothing half-written");
    app.create_endpoint(&app_id, json!({ "url": "https://127.0.0.1:9/hook" }))
        .await;
}
