//! Secrets at rest: never readable in the database file, kept across restarts with the saved
//! key, and sealed at start when an older writer left them in the clear.

use hookline_testkit::{TestReceiver, spawn_app, spawn_app_with};
use serde_json::json;

use crate::secrets::{deliver_one, endpoint_on};

#[tokio::test]
async fn secrets_are_not_readable_in_the_database_file() {
    let app = spawn_app().await;
    let receiver = TestReceiver::start().await;
    let chosen = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let (app_id, ep) = endpoint_on(&app, &receiver, json!({ "secret": chosen })).await;
    let rotated = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/secret/rotate"),
            json!({}),
        )
        .await
        .str("key");
    assert_eq!(app.endpoint_secret(&app_id, &ep).await, rotated);

    // The check can fail: the URL, stored in the clear, is found the same way.
    assert!(app.database_contains(receiver.url.as_bytes()).await);
    for secret in [chosen, rotated.as_str()] {
        let body = secret.trim_start_matches("whsec_");
        assert!(
            !app.database_contains(body.as_bytes()).await,
            "{secret} is readable in the database"
        );
    }
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(app.data_dir().join("secrets.key"))
            .expect("the generated secrets key")
            .permissions()
            .mode()
    };
    assert_eq!(mode & 0o777, 0o600);
}

#[tokio::test]
async fn secrets_survive_a_restart_with_the_saved_key() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let (app_id, ep) = endpoint_on(&app, &receiver, json!({})).await;
    let secret = app.endpoint_secret(&app_id, &ep).await;
    let app = app.restart().await;
    assert_eq!(app.endpoint_secret(&app_id, &ep).await, secret);
    let request = deliver_one(&app, &mut receiver, &app_id).await;
    crate::assert_signed(&request, &secret);
}

#[tokio::test]
async fn secrets_stored_in_the_clear_are_sealed_at_start() {
    use hookline_store::{SqliteStore, Store};
    if hookline_testkit::skip_on_postgres("secrets_stored_in_the_clear_are_sealed_at_start") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let (app_id, ep) = {
        let store = SqliteStore::open(&dir.path().join("hookline.db")).expect("open");
        let now = hookline_core::Timestamp::now();
        let app = store
            .create_app(hookline_core::model::Application {
                id: hookline_core::AppId::generate(),
                uid: None,
                name: "Old".into(),
                metadata: Default::default(),
                throttle_rate: None,
                created_at: now,
                updated_at: now,
            })
            .await
            .expect("app");
        let endpoint = store
            .create_endpoint(hookline_core::model::Endpoint {
                id: hookline_core::EndpointId::generate(),
                app_id: app.id.clone(),
                uid: None,
                url: hookline_core::EndpointUrl::parse("http://127.0.0.1:9/").expect("url"),
                description: String::new(),
                event_types: None,
                channels: None,
                disabled: false,
                throttle_rate: None,
                metadata: Default::default(),
                headers: Default::default(),
                secret: plain.into(),
                created_at: now,
                updated_at: now,
            })
            .await
            .expect("endpoint");
        (app.id.to_string(), endpoint.id.to_string())
    };
    let data_dir = dir.path().to_owned();
    let mut app = spawn_app_with(move |mut config| {
        config.data_dir = data_dir;
        config
    })
    .await;
    assert_eq!(app.endpoint_secret(&app_id, &ep).await, plain);
    app.stop().await;
    let store = SqliteStore::open(&dir.path().join("hookline.db")).expect("reopen");
    let app_key = hookline_core::AppId::from_trusted(app_id);
    let stored = store
        .get_endpoint(&app_key, &ep)
        .await
        .expect("read")
        .expect("endpoint");
    assert!(stored.secret.starts_with("hlenc1:"), "still in the clear");
}

#[tokio::test]
async fn source_verification_secrets_are_not_readable_in_the_database_file() {
    let app = spawn_app().await;
    let secret = "whsec_stripe_source_secret_0123456789";
    let source = app
        .post(
            "/ingest/api/v1/source",
            json!({ "name": "Payments", "uid": "payments-src", "type": "stripe", "config": { "secret": secret } }),
        )
        .await;
    assert_eq!(source.status, 201, "{}", source.body);
    // The check can fail: the source's name, stored in the clear, is found the same way.
    assert!(app.database_contains(b"payments-src").await);
    assert!(
        !app.database_contains(secret.as_bytes()).await,
        "the source's secret is readable in the database"
    );
    // Sealed, and still used: a request signed with the secret is accepted after a restart.
    let app = app.restart().await;
    let body = r#"{"id":"evt_1","type":"invoice.paid"}"#;
    let now = hookline_core::Timestamp::now().as_secs();
    let shared = hookline_signature::SharedSecret::new(secret.as_bytes().to_vec()).expect("secret");
    let signature = hookline_signature::providers::stripe::sign(&shared, now, body.as_bytes());
    let accepted = app
        .client
        .post(format!("{}/in/payments-src", app.address))
        .header("stripe-signature", signature)
        .body(body)
        .send()
        .await
        .expect("inbound request");
    assert_eq!(accepted.status(), 200);
    let listed = app.get("/ingest/api/v1/source/payments-src").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(
        !listed.body.to_string().contains(secret),
        "secrets stay write-only"
    );
}
