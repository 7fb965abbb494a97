//! Endpoint secrets: rotation with a grace period, ed25519 keys, header names, validation, and
//! encryption at rest.

use hookline_delivery::keyring::{HeaderStyle, KeyKind};
use hookline_testkit::interop::{python_module_available, run_script};
use hookline_testkit::{ReceivedRequest, TestApp, TestReceiver, spawn_app, spawn_app_with};
use serde_json::{Value, json};

/// Creates an app and an endpoint on `receiver`; returns `(app_id, endpoint_id)`.
pub(crate) async fn endpoint_on(
    app: &TestApp,
    receiver: &TestReceiver,
    extra: Value,
) -> (String, String) {
    let app_id = app.create_app("Acme").await;
    let mut body = json!({ "url": receiver.endpoint("/hook") });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let endpoint = app.create_endpoint(&app_id, body).await;
    (app_id, endpoint["id"].as_str().expect("id").to_owned())
}

/// Sends one message and returns the request the receiver got.
pub(crate) async fn deliver_one(
    app: &TestApp,
    receiver: &mut TestReceiver,
    app_id: &str,
) -> ReceivedRequest {
    app.send_message(app_id, json!({ "eventType": "a", "payload": {"n": 1} }))
        .await;
    receiver.next_request().await
}

/// Verifies with the official library (`standardwebhooks`, or `svix` for svix-* headers).
async fn official_verify(request: &ReceivedRequest, secret: &str) -> bool {
    let mut headers = serde_json::Map::new();
    for name in ["id", "timestamp", "signature"] {
        for prefix in ["webhook", "svix"] {
            let header = format!("{prefix}-{name}");
            if !request.header(&header).is_empty() {
                headers.insert(header.clone(), json!(request.header(&header)));
            }
        }
    }
    let input = json!({
        "secret": secret,
        "headers": headers,
        "body": String::from_utf8(request.body.to_vec()).expect("utf-8"),
    });
    let out = run_script(
        "verify_standardwebhooks.py",
        vec![],
        Some(input.to_string()),
    )
    .await;
    out.status.success()
}

#[tokio::test]
async fn during_a_rotation_both_secrets_verify_with_the_official_library() {
    if !python_module_available("standardwebhooks") {
        return;
    }
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let (app_id, ep) = endpoint_on(&app, &receiver, json!({})).await;
    let old = app.endpoint_secret(&app_id, &ep).await;

    let rotated = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/secret/rotate"),
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new = rotated.str("key");
    assert_ne!(new, old);
    assert_eq!(app.endpoint_secret(&app_id, &ep).await, new);

    let request = deliver_one(&app, &mut receiver, &app_id).await;
    assert_eq!(request.header("webhook-signature").split(' ').count(), 2);
    assert!(
        official_verify(&request, &old).await,
        "the old secret must still verify"
    );
    assert!(
        official_verify(&request, &new).await,
        "the new secret must verify"
    );
    let stranger = hookline_signature::SigningSecret::generate().to_string();
    assert!(!official_verify(&request, &stranger).await);
}

#[tokio::test]
async fn after_the_grace_period_only_the_new_secret_verifies() {
    if !python_module_available("standardwebhooks") {
        return;
    }
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let (app_id, ep) = endpoint_on(&app, &receiver, json!({})).await;
    let old = app.endpoint_secret(&app_id, &ep).await;
    let chosen = hookline_signature::SigningSecret::generate().to_string();
    let rotated = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint/{ep}/secret/rotate"),
            json!({ "key": chosen, "gracePeriodSeconds": 0 }),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    assert_eq!(rotated.str("key"), chosen);

    let request = deliver_one(&app, &mut receiver, &app_id).await;
    assert_eq!(request.header("webhook-signature").split(' ').count(), 1);
    assert!(official_verify(&request, &chosen).await);
    assert!(
        !official_verify(&request, &old).await,
        "the expired secret must not verify"
    );
}

#[tokio::test]
async fn bad_secrets_and_grace_periods_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let receiver = TestReceiver::start().await;
    let app_id = app.create_app("Acme").await;
    let short = app
        .post(
            &format!("/api/v1/app/{app_id}/endpoint"),
            json!({ "url": receiver.endpoint("/"), "secret": "whsec_c2hvcnQ=" }),
        )
        .await;
    assert_eq!(short.status, 422, "{}", short.body);
    assert_eq!(short.body["detail"][0]["loc"], json!(["body", "secret"]));
    assert!(
        short.body["detail"][0]["msg"]
            .as_str()
            .expect("msg")
            .contains("at least 24")
    );
    let listed = app.get(&format!("/api/v1/app/{app_id}/endpoint")).await;
    assert_eq!(listed.body["data"], json!([]), "nothing half-written");

    let (app_id, ep) = endpoint_on(&app, &receiver, json!({})).await;
    let before = app.endpoint_secret(&app_id, &ep).await;
    let rotate = format!("/api/v1/app/{app_id}/endpoint/{ep}/secret/rotate");
    let bad = app
        .post(
            &rotate,
            json!({ "key": "whsec_not*base64", "gracePeriodSeconds": 604801 }),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let locs: Vec<&Value> = bad.body["detail"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| &d["loc"])
        .collect();
    assert_eq!(
        locs,
        vec![
            &json!(["body", "key"]),
            &json!(["body", "gracePeriodSeconds"])
        ]
    );
    let public = KeyKind::Ed25519.generate().verifying_key().to_string();
    let wrong_kind = app.post(&rotate, json!({ "key": public })).await;
    assert_eq!(wrong_kind.status, 422, "{}", wrong_kind.body);
    assert_eq!(app.endpoint_secret(&app_id, &ep).await, before, "unchanged");
}

#[tokio::test]
async fn ed25519_signatures_verify_with_independent_implementations() {
    if !python_module_available("nacl") || !python_module_available("cryptography") {
        return;
    }
    let app = spawn_app_with(|mut config| {
        config.key_kind = KeyKind::Ed25519;
        config
    })
    .await;
    let mut receiver = TestReceiver::start().await;
    let (app_id, ep) = endpoint_on(&app, &receiver, json!({})).await;
    let public = app.endpoint_secret(&app_id, &ep).await;
    assert!(public.starts_with("whpk_"), "{public}");
    let signing = app
        .get(&format!("/api/v1/app/{app_id}/endpoint/{ep}/signing"))
        .await;
    assert_eq!(signing.body["keyType"], "ed25519");

    let request = deliver_one(&app, &mut receiver, &app_id).await;
    assert!(request.header("webhook-signature").starts_with("v1a,"));
    let verify = |key: String, body: String| {
        json!({
            "public_key": key,
            "headers": {
                "webhook-id": request.header("webhook-id"),
                "webhook-timestamp": request.header("webhook-timestamp"),
                "webhook-signature": request.header("webhook-signature"),
            },
            "body": body,
        })
        .to_string()
    };
    let body = String::from_utf8(request.body.to_vec()).expect("utf-8");
    let ok = run_script(
        "verify_ed25519.py",
        vec![],
        Some(verify(public.clone(), body.clone())),
    )
    .await;
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let tampered = run_script(
        "verify_ed25519.py",
        vec![],
        Some(verify(public, format!("{body} "))),
    )
    .await;
    assert!(!tampered.status.success());
}

#[tokio::test]
async fn a_user_supplied_ed25519_key_signs_while_only_its_public_half_is_shown() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let key = KeyKind::Ed25519.generate();
    let (app_id, ep) = endpoint_on(&app, &receiver, json!({ "secret": key.to_string() })).await;
    let shown = app.endpoint_secret(&app_id, &ep).await;
    assert_eq!(shown, key.verifying_key().to_string());
    let request = deliver_one(&app, &mut receiver, &app_id).await;
    let headers = hookline_signature::WebhookHeaders {
        id: request.header("webhook-id"),
        timestamp: request.header("webhook-timestamp"),
        signature: request.header("webhook-signature"),
    };
    let now = hookline_core::Timestamp::now().as_secs();
    assert_eq!(
        key.verifying_key()
            .verify(&headers, &request.body, now, 300),
        Ok(())
    );
}

#[tokio::test]
async fn svix_header_names_are_used_globally_or_per_endpoint_and_verify_with_the_svix_library() {
    if !python_module_available("svix") {
        return;
    }
    let app = spawn_app_with(|mut config| {
        config.header_style = HeaderStyle::Svix;
        config
    })
    .await;
    let mut receiver = TestReceiver::start().await;
    let (app_id, ep) = endpoint_on(&app, &receiver, json!({})).await;
    let secret = app.endpoint_secret(&app_id, &ep).await;
    let request = deliver_one(&app, &mut receiver, &app_id).await;
    assert_eq!(request.header("webhook-id"), "");
    assert!(request.header("svix-id").starts_with("msg_"));
    assert!(official_verify(&request, &secret).await);

    // One endpoint can go back to the standard names while the server default stays svix.
    let path = format!("/api/v1/app/{app_id}/endpoint/{ep}/signing");
    let changed = app
        .request(
            reqwest::Method::PATCH,
            &path,
            Some(json!({ "headerStyle": "webhook" })),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["effectiveHeaderStyle"], "webhook");
    let request = deliver_one(&app, &mut receiver, &app_id).await;
    assert!(request.header("webhook-id").starts_with("msg_"));
    assert_eq!(request.header("svix-id"), "");
    assert!(official_verify(&request, &secret).await);

    let bad = app
        .request(
            reqwest::Method::PATCH,
            &path,
            Some(json!({ "headerStyle": "x-custom" })),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["detail"][0]["loc"], json!(["body", "headerStyle"]));
}

#[tokio::test]
async fn concurrent_rotations_all_take_effect() {
    let app = spawn_app().await;
    let receiver = TestReceiver::start().await;
    let (app_id, ep) = endpoint_on(&app, &receiver, json!({})).await;
    let path = format!("/api/v1/app/{app_id}/endpoint/{ep}/secret/rotate");
    let rotations = tokio::join!(
        app.post(&path, json!({})),
        app.post(&path, json!({})),
        app.post(&path, json!({})),
        app.post(&path, json!({})),
    );
    for answer in [rotations.0, rotations.1, rotations.2, rotations.3] {
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let signing = app
        .get(&format!("/api/v1/app/{app_id}/endpoint/{ep}/signing"))
        .await;
    assert_eq!(
        signing.body["activeKeys"], 5,
        "no rotation was lost: {}",
        signing.body
    );
}
