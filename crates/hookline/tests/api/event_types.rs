use hookline_testkit::spawn_app;
use serde_json::json;

#[tokio::test]
async fn event_types_can_be_created_updated_archived_and_expunged() {
    let app = spawn_app().await;
    app.create_event_type("invoice.paid").await;
    let duplicate = app
        .post(
            "/api/v1/event-type",
            json!({ "name": "invoice.paid", "description": "again" }),
        )
        .await;
    assert_eq!(duplicate.status, 409);

    let patched = app
        .request(
            reqwest::Method::PATCH,
            "/api/v1/event-type/invoice.paid",
            Some(json!({ "description": "An invoice was paid", "deprecated": true })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["description"], "An invoice was paid");
    assert_eq!(patched.body["deprecated"], true);

    let archived = app
        .request(
            reqwest::Method::DELETE,
            "/api/v1/event-type/invoice.paid",
            None,
        )
        .await;
    assert_eq!(archived.status, 204);
    assert_eq!(app.get("/api/v1/event-type").await.body["data"], json!([]));
    let with_archived = app.get("/api/v1/event-type?include_archived=true").await;
    assert_eq!(with_archived.body["data"][0]["archived"], true);

    let expunged = app
        .request(
            reqwest::Method::DELETE,
            "/api/v1/event-type/invoice.paid?expunge=true",
            None,
        )
        .await;
    assert_eq!(expunged.status, 204);
    assert_eq!(app.get("/api/v1/event-type/invoice.paid").await.status, 404);
}

#[tokio::test]
async fn put_creates_or_replaces_an_event_type() {
    let app = spawn_app().await;
    let created = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/event-type/user.signup",
            Some(json!({ "description": "A user signed up" })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let replaced = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/event-type/user.signup",
            Some(json!({ "description": "Signed up" })),
        )
        .await;
    assert_eq!(replaced.status, 200);
    assert_eq!(replaced.body["description"], "Signed up");
}
