//! API keys: created by the admin, shown once, stored hashed, revocable, expiring, and gone
//! with their application.

use hookline_core::AppId;
use hookline_store::keys::KeyScope;
use hookline_testkit::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

use crate::callers::{Auth, call, create_key, expired_key, key_token};

#[tokio::test]
async fn an_org_key_is_shown_once_stored_hashed_and_works_until_revoked() {
    let app = spawn_app().await;
    let created = create_key(&app, json!({ "name": "backend" })).await;
    let token = created["token"].as_str().expect("token").to_owned();
    let key_id = created["id"].as_str().expect("id").to_owned();
    assert!(token.starts_with("hl_sk_"), "{token}");
    assert!(key_id.starts_with("key_"));
    assert_eq!(created["scope"], "organization");
    assert_eq!(created["lastUsedAt"], Value::Null);

    let auth = Auth::Bearer(token.clone());
    let apps = call(&app, &auth, Method::GET, "/api/v1/app", None).await;
    assert_eq!(apps.status, 200, "{}", apps.body);

    let listed = app.get("/api/v1/api-key").await;
    assert_eq!(listed.status, 200);
    let entry = &listed.body["data"][0];
    assert_eq!(entry["id"], key_id.as_str());
    assert!(entry.get("token").is_none(), "the token is shown only once");
    assert!(entry["lastUsedAt"].is_string(), "last use is recorded");

    assert!(
        !app.database_contains(token.as_bytes()).await,
        "the token is stored in clear in the database"
    );

    let revoked = app
        .request(Method::DELETE, &format!("/api/v1/api-key/{key_id}"), None)
        .await;
    assert_eq!(revoked.status, 204);
    let refused = call(&app, &auth, Method::GET, "/api/v1/app", None).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["code"], "authentication_failed");
    let read = app.get(&format!("/api/v1/api-key/{key_id}")).await;
    assert!(read.body["revokedAt"].is_string(), "{}", read.body);
}

#[tokio::test]
async fn an_expired_key_is_refused() {
    let app = spawn_app().await;
    let token = expired_key(&app, KeyScope::Organization).await;
    let refused = call(&app, &Auth::Bearer(token), Method::GET, "/api/v1/app", None).await;
    assert_eq!(refused.status, 401);
}

#[tokio::test]
async fn only_the_admin_token_manages_keys() {
    let app = spawn_app().await;
    let org = Auth::Bearer(key_token(&app, json!({ "name": "org" })).await);
    for (method, path) in [
        (Method::GET, "/api/v1/api-key"),
        (Method::POST, "/api/v1/api-key"),
    ] {
        let body = (method == Method::POST).then(|| json!({ "name": "sneaky" }));
        let response = call(&app, &org, method, path, body).await;
        assert_eq!(response.status, 403, "{path}: {}", response.body);
        assert_eq!(response.body["code"], "forbidden");
    }
}

#[tokio::test]
async fn key_creation_refuses_bad_fields_naming_each() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/api/v1/api-key",
            json!({ "name": " ", "readOnly": true, "expiresAt": "2001-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(response.status, 422, "{}", response.body);
    let locs: Vec<&Value> = response.body["detail"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| &d["loc"])
        .collect();
    assert_eq!(
        locs,
        vec![
            &json!(["body", "name"]),
            &json!(["body", "readOnly"]),
            &json!(["body", "expiresAt"])
        ]
    );
    let unknown_app = app
        .post(
            "/api/v1/api-key",
            json!({ "name": "x", "appId": AppId::generate().as_str() }),
        )
        .await;
    assert_eq!(unknown_app.status, 404);
    let unknown_key = app.get("/api/v1/api-key/key_nope").await;
    assert_eq!(unknown_key.status, 404);
}

#[tokio::test]
async fn an_app_key_cannot_create_applications_through_a_message() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let key = Auth::Bearer(key_token(&app, json!({ "name": "acme", "appId": app_id })).await);
    let sneaky = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/app/sneaky-new-app/msg",
        Some(json!({
            "eventType": "a.b",
            "payload": {},
            "application": { "name": "Sneaky" }
        })),
    )
    .await;
    assert_eq!(sneaky.status, 404, "{}", sneaky.body);
    assert_eq!(app.get("/api/v1/app/sneaky-new-app").await.status, 404);

    // Its own application works by uid as well as by id.
    app.request(
        Method::PATCH,
        &format!("/api/v1/app/{app_id}"),
        Some(json!({ "uid": "acme" })),
    )
    .await;
    let by_uid = call(&app, &key, Method::GET, "/api/v1/app/acme/endpoint", None).await;
    assert_eq!(by_uid.status, 200, "{}", by_uid.body);
}

#[tokio::test]
async fn deleting_an_application_deletes_its_keys() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let created = create_key(&app, json!({ "name": "acme", "appId": app_id })).await;
    let key = Auth::Bearer(created["token"].as_str().expect("token").to_owned());
    let deleted = app
        .request(Method::DELETE, &format!("/api/v1/app/{app_id}"), None)
        .await;
    assert_eq!(deleted.status, 204);
    let listed = app.get("/api/v1/api-key").await;
    assert_eq!(listed.body["data"], json!([]));
    let refused = call(
        &app,
        &key,
        Method::GET,
        &format!("/api/v1/app/{app_id}"),
        None,
    )
    .await;
    assert_eq!(refused.status, 401);
}
