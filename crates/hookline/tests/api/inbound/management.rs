//! `/ingest/api/v1/source...`: sources, their endpoints, secrets never shown.

use hookline_testkit::{TestReceiver, spawn_app};
use reqwest::Method;
use serde_json::json;

use super::{add_endpoint, create_source, post_in};

#[tokio::test]
async fn source_secrets_are_write_only() {
    let app = spawn_app().await;
    let secret = "whsec_super_secret_stripe_value";
    let source = create_source(
        &app,
        json!({ "name": "Stripe", "type": "stripe", "config": { "secret": secret } }),
    )
    .await;
    let hmac = app
        .post(
            "/ingest/api/v1/source",
            json!({
                "name": "Custom",
                "type": "hmac",
                "config": { "secret": "hmac-secret-value", "header": "X-Signature", "encoding": "base64" }
            }),
        )
        .await;
    assert_eq!(hmac.status, 201, "{}", hmac.body);
    assert_eq!(hmac.body["config"]["header"], "X-Signature");
    assert_eq!(hmac.body["config"]["encoding"], "base64");

    let one = app
        .get(&format!("/ingest/api/v1/source/{}", source.id))
        .await;
    let all = app.get("/ingest/api/v1/source").await;
    for shown in [&one.body, &all.body, &hmac.body] {
        let text = shown.to_string();
        assert!(!text.contains(secret), "{text}");
        assert!(!text.contains("hmac-secret-value"), "{text}");
    }
    assert_eq!(one.body["type"], "stripe");
    assert_eq!(one.body["config"], json!({}));
    assert_eq!(all.body["data"].as_array().expect("data").len(), 2);
}

#[tokio::test]
async fn a_bad_source_is_refused_naming_each_field_and_nothing_is_created() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({ "name": "S", "type": "stripe", "config": {} }),
            vec!["body.name", "body.config.secret"],
        ),
        (
            json!({ "name": "Cron", "type": "cron", "config": {} }),
            vec!["body.type"],
        ),
        // A GitHub source without `secret` (forgotten, or misspelt) would accept forged
        // requests: only an explicit null turns verification off.
        (
            json!({ "name": "GH", "type": "github", "config": { "webhookSecret": "s" } }),
            vec!["body.config.secret"],
        ),
        (
            json!({ "name": "Seg", "type": "segment" }),
            vec!["body.config.secret"],
        ),
        (
            json!({ "name": "Svix", "type": "svix", "config": { "secret": "not-a-whsec" } }),
            vec!["body.config.secret"],
        ),
        (
            json!({ "name": "Ips", "type": "generic-webhook", "allowedIps": ["10.0.0.5/8", "nope"] }),
            vec!["body.allowedIps.0", "body.allowedIps.1"],
        ),
        (
            json!({ "name": "Uid", "type": "generic-webhook", "uid": "src_mine" }),
            vec!["body.uid"],
        ),
        (
            json!({ "name": "Window", "type": "generic-webhook", "dedupeWindowSecs": 99_999_999 }),
            vec!["body.dedupeWindowSecs"],
        ),
    ];
    for (body, locs) in cases {
        let answer = app.post("/ingest/api/v1/source", body.clone()).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.error_locs(), locs, "{body}: {}", answer.body);
    }
    let all = app.get("/ingest/api/v1/source").await;
    assert_eq!(all.body["data"], json!([]));
}

#[tokio::test]
async fn a_source_is_managed_by_id_or_uid_and_its_application_stays_internal() {
    let app = spawn_app().await;
    let source = create_source(
        &app,
        json!({ "name": "Shop", "uid": "shop-main", "type": "generic-webhook", "metadata": { "team": "ops" } }),
    )
    .await;
    let by_uid = app.get("/ingest/api/v1/source/shop-main").await;
    assert_eq!(by_uid.status, 200, "{}", by_uid.body);
    assert_eq!(by_uid.str("id"), source.id);
    assert_eq!(by_uid.body["metadata"]["team"], "ops");

    // The receiving URL also accepts the id or the uid.
    for key in [source.id.as_str(), "shop-main"] {
        let answer = post_in(&app, &format!("{}/in/{key}", app.address), &[], "{}").await;
        assert_eq!(answer.status, 200, "{key}: {}", answer.body);
    }

    let patched = app
        .request(
            Method::PATCH,
            "/ingest/api/v1/source/shop-main",
            Some(json!({ "name": "Shop EU", "dedupeWindowSecs": 60 })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["name"], "Shop EU");
    assert_eq!(patched.body["dedupeWindowSecs"], 60);
    assert_eq!(patched.body["ingestUrl"], source.ingest_url.as_str());

    let duplicate_uid = app
        .post(
            "/ingest/api/v1/source",
            json!({ "name": "Other", "uid": "shop-main", "type": "generic-webhook" }),
        )
        .await;
    assert_eq!(duplicate_uid.status, 409, "{}", duplicate_uid.body);

    // The source's application is Hookline's, not the caller's.
    let apps = app.get("/api/v1/app").await;
    assert_eq!(apps.body["data"], json!([]));

    let upserted = app
        .request(
            Method::PUT,
            "/ingest/api/v1/source/new-one",
            Some(json!({ "name": "New", "type": "generic-webhook" })),
        )
        .await;
    assert_eq!(upserted.status, 201, "{}", upserted.body);
    assert_eq!(upserted.body["uid"], "new-one");

    let deleted = app
        .request(Method::DELETE, "/ingest/api/v1/source/shop-main", None)
        .await;
    assert_eq!(deleted.status, 204);
    let gone = app
        .get(&format!("/ingest/api/v1/source/{}", source.id))
        .await;
    assert_eq!(gone.status, 404);
    let answer = post_in(&app, &source.ingest_url, &[], "{}").await;
    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn source_endpoints_carry_their_headers_and_a_rotatable_secret() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let source = create_source(&app, json!({ "name": "Any", "type": "generic-webhook" })).await;
    let (endpoint_id, first_secret) =
        add_endpoint(&app, &source.id, &receiver.endpoint("/in")).await;
    let base = format!("/ingest/api/v1/source/{}/endpoint/{endpoint_id}", source.id);

    let set = app
        .request(
            Method::PUT,
            &format!("{base}/headers"),
            Some(
                json!({ "headers": { "X-Team": "payments", "Authorization": "Bearer internal" } }),
            ),
        )
        .await;
    assert_eq!(set.status, 204, "{}", set.body);
    let shown = app.get(&format!("{base}/headers")).await;
    assert_eq!(shown.body["headers"], json!({ "X-Team": "payments" }));
    assert_eq!(shown.body["sensitive"], json!(["Authorization"]));

    let rotated = app.post(&format!("{base}/secret/rotate"), json!({})).await;
    assert_eq!(rotated.status, 204, "{}", rotated.body);
    let second_secret = app.get(&format!("{base}/secret")).await.str("key");
    assert_ne!(second_secret, first_secret);

    let answer = post_in(&app, &source.ingest_url, &[("X-Team", "spoofed")], "{}").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let forwarded = receiver.next_request().await;
    // The endpoint's own headers win over the provider's.
    assert_eq!(forwarded.header("x-team"), "payments");
    assert_eq!(forwarded.header("authorization"), "Bearer internal");
    crate::assert_signed(&forwarded, &second_secret);

    let listed = app
        .get(&format!("/ingest/api/v1/source/{}/endpoint", source.id))
        .await;
    assert_eq!(listed.body["data"][0]["id"], endpoint_id.as_str());
    let removed = app.request(Method::DELETE, &base, None).await;
    assert_eq!(removed.status, 204);
    assert_eq!(app.get(&base).await.status, 404);
}

#[tokio::test]
async fn replacing_a_source_changes_its_secret_and_keeps_its_ingest_url() {
    use hookline_signature::SharedSecret;
    use hookline_signature::providers::shopify;
    let app = spawn_app().await;
    let source = create_source(
        &app,
        json!({ "name": "Shop", "type": "shopify", "config": { "secret": "old-secret" } }),
    )
    .await;
    let replaced = app
        .request(
            Method::PUT,
            &format!("/ingest/api/v1/source/{}", source.id),
            Some(
                json!({ "name": "Shop", "type": "shopify", "config": { "secret": "new-secret" } }),
            ),
        )
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.body["ingestUrl"], source.ingest_url.as_str());

    let body = br#"{"id":1}"#;
    let sign = |secret: &str| shopify::sign(&SharedSecret::new(secret).expect("secret"), body);
    let old = sign("old-secret");
    let refused = post_in(
        &app,
        &source.ingest_url,
        &[("X-Shopify-Hmac-Sha256", old.as_str())],
        body.to_vec(),
    )
    .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    let new = sign("new-secret");
    let accepted = post_in(
        &app,
        &source.ingest_url,
        &[("X-Shopify-Hmac-Sha256", new.as_str())],
        body.to_vec(),
    )
    .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);

    // The log pages with the contract's iterators.
    for n in 0..2 {
        let more = post_in(
            &app,
            &source.ingest_url,
            &[("X-Shopify-Hmac-Sha256", new.as_str())],
            body.to_vec(),
        )
        .await;
        assert_eq!(more.status, 200, "{n}: {}", more.body);
    }
    let log = format!("/ingest/api/v1/source/{}/log", source.id);
    let first = app.get(&format!("{log}?limit=2")).await;
    assert_eq!(first.body["data"].as_array().expect("data").len(), 2);
    assert_eq!(first.body["done"], false);
    let iterator = first.body["iterator"].as_str().expect("iterator");
    let second = app.get(&format!("{log}?limit=2&iterator={iterator}")).await;
    assert_eq!(second.body["data"].as_array().expect("data").len(), 1);
    assert_eq!(second.body["done"], true);
    assert_eq!(second.body["data"][0]["id"], accepted.body["id"]);
}

#[tokio::test]
async fn a_source_with_an_explicit_null_secret_accepts_unsigned_requests() {
    let app = spawn_app().await;
    let source = create_source(
        &app,
        json!({ "name": "GH", "type": "github", "config": { "secret": null } }),
    )
    .await;
    let answer = post_in(
        &app,
        &source.ingest_url,
        &[
            ("x-github-delivery", "d-1"),
            ("content-type", "application/json"),
        ],
        r#"{"zen":"unsigned"}"#,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}
