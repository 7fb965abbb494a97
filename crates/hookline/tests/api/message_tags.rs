//! Message tags: sent in `MessageIn.tags`, rendered on every message (`MessageOut.tags`),
//! filtered by `?tag=` on message and attempt listings, refused clearly when malformed.

use hookline_testkit::{TestApp, TestReceiver, spawn_app};
use serde_json::{Value, json};

/// The ids listed at `path`.
async fn ids(app: &TestApp, path: &str) -> Vec<Value> {
    let listed = app.get(path).await;
    assert_eq!(listed.status, 200, "{path}: {}", listed.body);
    let items = listed.body["data"].as_array().expect("a list");
    items.iter().map(|item| item["id"].clone()).collect()
}

#[tokio::test]
async fn tags_are_kept_rendered_and_narrow_message_and_attempt_listings() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    let ep = endpoint["id"].as_str().expect("id");
    let tagged = app
        .send_message(
            &app_id,
            json!({ "eventType": "a", "payload": {},
                    "tags": ["billing/eu", r"team\ops#1", "billing/eu"] }),
        )
        .await;
    assert_eq!(
        tagged["tags"],
        json!(["billing/eu", r"team\ops#1"]),
        "a repeated tag is kept once"
    );
    let plain = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    assert!(plain["tags"].is_null(), "{plain}");
    for _ in 0..2 {
        receiver.next_request().await;
        app.next_attempt().await;
    }

    let read = app
        .get(&format!(
            "/api/v1/app/{app_id}/msg/{}",
            tagged["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(read.body["tags"], tagged["tags"]);
    let msgs = format!("/api/v1/app/{app_id}/msg");
    assert_eq!(
        ids(&app, &format!("{msgs}?tag=billing/eu")).await,
        [tagged["id"].clone()]
    );
    // `\` and `#` travel percent-encoded in a query.
    let encoded = "team%5Cops%231";
    assert_eq!(
        ids(&app, &format!("{msgs}?tag={encoded}")).await,
        [tagged["id"].clone()]
    );
    assert_eq!(
        ids(&app, &format!("{msgs}?tag=billing")).await,
        Vec::<Value>::new()
    );
    assert_eq!(ids(&app, &msgs).await.len(), 2);

    let for_endpoint = format!("/api/v1/app/{app_id}/endpoint/{ep}/msg?tag=billing/eu");
    assert_eq!(ids(&app, &for_endpoint).await, [tagged["id"].clone()]);
    let attempts = app
        .get(&format!(
            "/api/v1/app/{app_id}/attempt/endpoint/{ep}?tag=billing/eu"
        ))
        .await;
    let attempts = attempts.body["data"].as_array().expect("a list");
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["msgId"], tagged["id"]);
}

#[tokio::test]
async fn malformed_tags_are_refused_naming_the_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let msgs = format!("/api/v1/app/{app_id}/msg");
    let cases = [
        (json!(["ok", "not ok!"]), json!(["body", "tags", "1"])),
        (json!(["x".repeat(129)]), json!(["body", "tags", "0"])),
        (
            json!(["a", "b", "c", "d", "e", "f"]),
            json!(["body", "tags"]),
        ),
    ];
    for (tags, loc) in cases {
        let refused = app
            .post(
                &msgs,
                json!({ "eventType": "a", "payload": {}, "tags": tags }),
            )
            .await;
        assert_eq!(refused.status, 422, "{tags}: {}", refused.body);
        assert_eq!(refused.body["detail"][0]["loc"], loc, "{}", refused.body);
    }
    let bad_query = app.get(&format!("{msgs}?tag=a%20b")).await;
    assert_eq!(bad_query.status, 422, "{}", bad_query.body);
    assert_eq!(bad_query.body["detail"][0]["loc"], json!(["query", "tag"]));
    assert_eq!(ids(&app, &msgs).await, Vec::<Value>::new());
}
