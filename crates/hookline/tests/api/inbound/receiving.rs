//! `POST /in/{source}`: verification, refusals, dedupe, allowlist, exact bytes, forwarding.

use std::collections::HashSet;
use std::time::Duration;

use hookline_signature::SharedSecret;
use hookline_signature::providers::github;
use hookline_testkit::{TestApp, TestReceiver, spawn_app, spawn_app_with};
use serde_json::json;

use super::{add_endpoint, assert_refused, create_source, log_len, post_in};
use crate::assert_signed;

const GITHUB_SECRET: &str = "It's a Secret to Everybody";

fn github_sign(body: &[u8]) -> String {
    github::sign(&SharedSecret::new(GITHUB_SECRET).expect("secret"), body)
}

#[tokio::test]
async fn a_verified_event_is_acknowledged_then_forwarded_signed_with_its_exact_bytes() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let source = create_source(
        &app,
        json!({ "name": "GitHub", "type": "github", "config": { "secret": GITHUB_SECRET } }),
    )
    .await;
    let (_, secret) = add_endpoint(&app, &source.id, &receiver.endpoint("/github")).await;

    let body = br#"{ "action": "opened",  "number": 1, "note": "caf\u00e9" }"#;
    let signature = github_sign(body);
    let headers = [
        ("X-Hub-Signature-256", signature.as_str()),
        ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("X-GitHub-Event", "pull_request"),
        ("Content-Type", "application/json"),
    ];
    let answer = post_in(&app, &source.ingest_url, &headers, body.to_vec()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let id = answer.str("id");
    // Durable before the ack: the event is in the log as soon as the 2xx is back.
    assert_eq!(log_len(&app, &source.id).await, 1);

    let forwarded = receiver.next_request().await;
    assert_eq!(forwarded.uri.path(), "/github");
    assert_eq!(forwarded.body.as_ref(), body);
    assert_eq!(forwarded.header("content-type"), "application/json");
    assert_eq!(forwarded.header("x-github-event"), "pull_request");
    assert_eq!(forwarded.header("x-hub-signature-256"), signature);
    assert_eq!(forwarded.header("webhook-id"), id);
    assert_signed(&forwarded, &secret);
}

#[tokio::test]
async fn a_non_utf8_form_body_is_forwarded_byte_for_byte_with_its_content_type() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let source = create_source(
        &app,
        json!({ "name": "Legacy", "type": "bearer", "config": { "token": "s3cret-token" } }),
    )
    .await;
    let (_, secret) = add_endpoint(&app, &source.id, &receiver.endpoint("/legacy")).await;

    let body: Vec<u8> = b"name=caf\xe9&bytes=\x00\xff\xfe".to_vec();
    let headers = [
        ("Authorization", "Bearer s3cret-token"),
        (
            "Content-Type",
            "application/x-www-form-urlencoded; charset=latin1",
        ),
    ];
    let answer = post_in(&app, &source.ingest_url, &headers, body.clone()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    let forwarded = receiver.next_request().await;
    assert_eq!(forwarded.body.as_ref(), body.as_slice());
    assert_eq!(
        forwarded.header("content-type"),
        "application/x-www-form-urlencoded; charset=latin1"
    );
    // The provider's credentials are not passed on.
    assert_eq!(forwarded.header("authorization"), "");
    assert_signed(&forwarded, &secret);

    // Pulling instead of pushing: the raw body comes back exactly.
    let id = answer.str("id");
    let raw = app
        .client
        .get(format!(
            "{}/ingest/api/v1/source/{}/log/{id}/body",
            app.address, source.id
        ))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("body request");
    assert_eq!(
        raw.headers()["content-type"],
        "application/x-www-form-urlencoded; charset=latin1"
    );
    assert_eq!(raw.bytes().await.expect("bytes").as_ref(), body.as_slice());
}

#[tokio::test]
async fn refused_requests_name_what_failed_and_are_never_stored() {
    let app = spawn_app().await;
    let source = create_source(
        &app,
        json!({ "name": "GitHub", "type": "github", "config": { "secret": GITHUB_SECRET } }),
    )
    .await;
    let body = br#"{"zen":"Keep it logically awesome."}"#;
    let signature = github_sign(body);

    let tampered = br#"{"zen":"Keep it logically awesomE."}"#;
    let answer = post_in(
        &app,
        &source.ingest_url,
        &[("X-Hub-Signature-256", signature.as_str())],
        tampered.to_vec(),
    )
    .await;
    assert_refused(&answer, 401, "bad_signature");

    let answer = post_in(&app, &source.ingest_url, &[], body.to_vec()).await;
    assert_refused(&answer, 401, "missing_header");
    let detail = answer.body["detail"].as_str().expect("detail");
    assert!(detail.contains("X-Hub-Signature-256"), "{detail}");

    let answer = post_in(
        &app,
        &source.ingest_url,
        &[("X-Hub-Signature-256", "sha1=abc")],
        body.to_vec(),
    )
    .await;
    assert_refused(&answer, 401, "malformed_signature_header");

    assert_eq!(log_len(&app, &source.id).await, 0);
}

#[tokio::test]
async fn an_unknown_source_is_a_404_that_says_nothing_about_other_sources() {
    let app = spawn_app().await;
    let source = create_source(
        &app,
        json!({ "name": "Anything", "type": "generic-webhook" }),
    )
    .await;
    let unknown = post_in(&app, &format!("{}/in/nope", app.address), &[], "{}").await;
    assert_eq!(unknown.status, 404);

    // Rotating the token retires the old URL with the very same answer.
    let rotated = app
        .post(
            &format!("/ingest/api/v1/source/{}/token/rotate", source.id),
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new_url = rotated.str("ingestUrl");
    assert_ne!(new_url, source.ingest_url);
    let old = post_in(&app, &source.ingest_url, &[], "{}").await;
    assert_eq!(old.status, 404);
    assert_eq!(old.body, unknown.body);
    let fresh = post_in(&app, &new_url, &[], "{}").await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
}

#[tokio::test]
async fn a_duplicate_delivery_id_gets_the_same_answer_and_is_forwarded_once() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let source = create_source(
        &app,
        json!({ "name": "GitHub", "type": "github", "config": { "secret": GITHUB_SECRET } }),
    )
    .await;
    add_endpoint(&app, &source.id, &receiver.endpoint("/hook")).await;

    let send = |delivery: &'static str, body: &'static [u8]| {
        let signature = github_sign(body);
        let app = &app;
        let url = source.ingest_url.clone();
        async move {
            let headers = [
                ("X-Hub-Signature-256", signature.as_str()),
                ("X-GitHub-Delivery", delivery),
            ];
            post_in(app, &url, &headers, body.to_vec()).await
        }
    };
    let first = send("delivery-1", br#"{"n":1}"#).await;
    let again = send("delivery-1", br#"{"n":1}"#).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(again.status, first.status);
    assert_eq!(again.body, first.body);
    let other = send("delivery-2", br#"{"n":2}"#).await;
    assert_eq!(other.status, 200, "{}", other.body);

    // Forwarding is in order of acceptance: had the duplicate been forwarded, it would arrive
    // before the second delivery.
    let a = receiver.next_request().await;
    let b = receiver.next_request().await;
    assert_eq!(a.body.as_ref(), br#"{"n":1}"#);
    assert_eq!(b.body.as_ref(), br#"{"n":2}"#);
    assert_eq!(log_len(&app, &source.id).await, 2);
}

#[tokio::test]
async fn a_client_outside_the_allowlist_is_refused() {
    let app = spawn_app().await;
    let closed = create_source(
        &app,
        json!({ "name": "Closed", "type": "generic-webhook", "allowedIps": ["192.0.2.0/24"] }),
    )
    .await;
    let answer = post_in(&app, &closed.ingest_url, &[], "{}").await;
    assert_refused(&answer, 403, "ip_not_allowed");
    // Without trusted proxies, a forged X-Forwarded-For changes nothing.
    let forged = post_in(
        &app,
        &closed.ingest_url,
        &[("X-Forwarded-For", "192.0.2.7")],
        "{}",
    )
    .await;
    assert_refused(&forged, 403, "ip_not_allowed");
    assert_eq!(log_len(&app, &closed.id).await, 0);

    let open = create_source(
        &app,
        json!({ "name": "Loopback", "type": "generic-webhook", "allowedIps": ["127.0.0.1"] }),
    )
    .await;
    let answer = post_in(&app, &open.ingest_url, &[], "{}").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_address_is_checked() {
    let app = spawn_app_with(|mut config| {
        config.inbound.trusted_proxies = vec!["127.0.0.1/32".parse().expect("cidr")];
        config
    })
    .await;
    let source = create_source(
        &app,
        json!({ "name": "Proxied", "type": "generic-webhook", "allowedIps": ["192.0.2.0/24"] }),
    )
    .await;
    let inside = post_in(
        &app,
        &source.ingest_url,
        &[("X-Forwarded-For", "192.0.2.7")],
        "{}",
    )
    .await;
    assert_eq!(inside.status, 200, "{}", inside.body);
    let outside = post_in(
        &app,
        &source.ingest_url,
        &[("X-Forwarded-For", "192.0.2.7, 198.51.100.1")],
        "{}",
    )
    .await;
    assert_refused(&outside, 403, "ip_not_allowed");
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = spawn_app_with(|mut config| {
        config.max_body_bytes = 2048;
        config
    })
    .await;
    let source = create_source(&app, json!({ "name": "Small", "type": "generic-webhook" })).await;
    let answer = post_in(&app, &source.ingest_url, &[], vec![b'a'; 4096]).await;
    assert_refused(&answer, 413, "payload_too_large");
    assert_eq!(log_len(&app, &source.id).await, 0);
}

#[tokio::test]
async fn every_accepted_event_arrives_after_the_forwarding_target_comes_back() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let source = create_source(&app, json!({ "name": "Any", "type": "generic-webhook" })).await;
    add_endpoint(&app, &source.id, &receiver.endpoint("/down")).await;
    // The target is down for the first three requests, whichever events they carry.
    receiver.respond_with(&[503, 503, 503]);

    let mut accepted = HashSet::new();
    for n in 0..3 {
        let answer = post_in(&app, &source.ingest_url, &[], format!(r#"{{"n":{n}}}"#)).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        accepted.insert(answer.str("id"));
    }
    let mut delivered = HashSet::new();
    let mut failed = Vec::new();
    while delivered.len() < accepted.len() {
        let request = receiver.next_request().await;
        let id = request.header("webhook-id").to_owned();
        if request.answered == 200 {
            delivered.insert(id);
        } else {
            failed.push(id);
        }
    }
    assert_eq!(delivered, accepted);

    // Each failed attempt is recorded against its event, and so is the success after it.
    let mut app = app;
    let recorded = failed.len() + accepted.len();
    for _ in 0..recorded {
        app.next_attempt().await;
    }
    let event = &failed[0];
    let attempts = app
        .get(&format!(
            "/ingest/api/v1/source/{}/log/{event}/attempt",
            source.id
        ))
        .await;
    assert_eq!(attempts.status, 200, "{}", attempts.body);
    let codes: Vec<u64> = attempts.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| a["responseStatusCode"].as_u64().expect("code"))
        .collect();
    assert_eq!(codes.first(), Some(&200), "{codes:?}");
    assert!(codes.contains(&503), "{codes:?}");
    let state = app
        .get(&format!(
            "/ingest/api/v1/source/{}/log/{event}/endpoint",
            source.id
        ))
        .await;
    assert_eq!(
        state.body["data"][0]["statusText"], "success",
        "{}",
        state.body
    );
}

#[tokio::test]
async fn slack_url_verification_is_answered_with_the_challenge_and_not_stored() {
    use hookline_signature::providers::slack;
    let app = spawn_app().await;
    let source = create_source(
        &app,
        json!({ "name": "Slack", "type": "slack", "config": { "secret": "8f742231b10e8888abcd99yyyzzz85a5" } }),
    )
    .await;
    let body = br#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    let now = hookline_core::Timestamp::now().as_secs();
    let secret = SharedSecret::new("8f742231b10e8888abcd99yyyzzz85a5").expect("secret");
    let signature = slack::sign(&secret, now, body);
    let ts = now.to_string();
    let headers = [
        ("X-Slack-Signature", signature.as_str()),
        ("X-Slack-Request-Timestamp", ts.as_str()),
    ];
    let answer = post_in(&app, &source.ingest_url, &headers, body.to_vec()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
    assert_eq!(log_len(&app, &source.id).await, 0);
}

#[tokio::test]
async fn a_configured_id_header_dedupes_any_source_type_within_its_window() {
    let app = spawn_app().await;
    let deduped = create_source(
        &app,
        json!({ "name": "Ids", "type": "generic-webhook", "config": { "idHeader": "X-Request-Id" } }),
    )
    .await;
    let first = post_in(&app, &deduped.ingest_url, &[("X-Request-Id", "r-1")], "{}").await;
    let again = post_in(&app, &deduped.ingest_url, &[("X-Request-Id", "r-1")], "{}").await;
    let other = post_in(&app, &deduped.ingest_url, &[("X-Request-Id", "r-2")], "{}").await;
    assert_eq!(again.body, first.body);
    assert_ne!(other.body, first.body);
    assert_eq!(log_len(&app, &deduped.id).await, 2);

    // A window of 0 turns dedupe off.
    let off = create_source(
        &app,
        json!({ "name": "Off", "type": "generic-webhook", "dedupeWindowSecs": 0, "config": { "idHeader": "X-Request-Id" } }),
    )
    .await;
    for _ in 0..2 {
        let answer = post_in(&app, &off.ingest_url, &[("X-Request-Id", "r-1")], "{}").await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    assert_eq!(log_len(&app, &off.id).await, 2);
}

#[tokio::test]
async fn an_acknowledged_event_survives_a_restart_byte_for_byte() {
    let app = spawn_app().await;
    let source = create_source(
        &app,
        json!({ "name": "Durable", "type": "generic-webhook" }),
    )
    .await;
    let body = b"\x01binary\xffbody".to_vec();
    let answer = post_in(&app, &source.ingest_url, &[], body.clone()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let id = answer.str("id");

    let app = app.restart().await;
    let raw = app
        .client
        .get(format!(
            "{}/ingest/api/v1/source/{}/log/{id}/body",
            app.address, source.id
        ))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("body request");
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.bytes().await.expect("bytes").as_ref(), body.as_slice());
    // The source still receives after the restart (the port is new, the source is not).
    let again = post_in(
        &app,
        &format!("{}/in/{}", app.address, source.id),
        &[],
        "{}",
    )
    .await;
    assert_eq!(again.status, 200, "{}", again.body);
}

#[tokio::test]
async fn a_meta_source_answers_its_subscription_check_and_verifies_events() {
    let app = spawn_app().await;
    let source = create_source(
        &app,
        json!({ "name": "Meta", "type": "meta", "config": { "secret": "app-secret", "verifyToken": "vt-123" } }),
    )
    .await;
    let check = |token: &str| {
        format!(
            "{}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=chall-enge",
            source.ingest_url
        )
    };
    let answer = TestApp::read(app.client.get(check("vt-123")).send().await.expect("get")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "chall-enge");
    let wrong = TestApp::read(app.client.get(check("guess")).send().await.expect("get")).await;
    assert_eq!(wrong.status, 404);

    // Meta signs like GitHub: sha256=<hex HMAC-SHA256(app secret, body)>.
    let body = br#"{"object":"page","entry":[]}"#;
    let signature = github::sign(&SharedSecret::new("app-secret").expect("secret"), body);
    let headers = [("X-Hub-Signature-256", signature.as_str())];
    let accepted = post_in(&app, &source.ingest_url, &headers, body.to_vec()).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let forged = post_in(&app, &source.ingest_url, &headers, b"{}".to_vec()).await;
    assert_refused(&forged, 401, "bad_signature");
}

#[tokio::test]
async fn an_event_is_replayed_to_its_endpoints_and_to_one_added_later() {
    let mut app = spawn_app().await;
    let mut first = TestReceiver::start().await;
    let mut later = TestReceiver::start().await;
    let source = create_source(&app, json!({ "name": "Any", "type": "generic-webhook" })).await;
    add_endpoint(&app, &source.id, &first.endpoint("/first")).await;
    let body = br#"{"replay":"me"}"#;
    let answer = post_in(&app, &source.ingest_url, &[], body.to_vec()).await;
    let id = answer.str("id");
    assert_eq!(first.next_request().await.header("webhook-id"), id);
    // A delivery whose attempt is in flight is not replayed; wait until it is recorded.
    app.next_attempt().await;

    let replay = format!("/ingest/api/v1/source/{}/log/{id}/replay", source.id);
    let again = app.post(&replay, json!({})).await;
    assert_eq!(again.status, 202, "{}", again.body);
    assert_eq!(again.body["deliveries"], 1);
    let resent = first.next_request().await;
    assert_eq!(resent.header("webhook-id"), id);
    assert_eq!(resent.body.as_ref(), body);

    // An endpoint added after the event gets it only when asked, by its uid.
    let added = app
        .post(
            &format!("/ingest/api/v1/source/{}/endpoint", source.id),
            json!({ "url": later.endpoint("/later"), "uid": "later" }),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let only_later = app.post(&replay, json!({ "endpointId": "later" })).await;
    assert_eq!(only_later.body["deliveries"], 1, "{}", only_later.body);
    let arrived = later.next_request().await;
    assert_eq!(arrived.header("webhook-id"), id);
    assert_eq!(arrived.body.as_ref(), body);

    let unknown = app.post(&replay, json!({ "endpointId": "nope" })).await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    let missing = app
        .post(
            &format!("/ingest/api/v1/source/{}/log/msg_unknown/replay", source.id),
            json!({}),
        )
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
}

#[tokio::test]
async fn concurrent_duplicates_are_stored_once_and_all_get_the_same_answer() {
    let app = spawn_app().await;
    let source = create_source(
        &app,
        json!({ "name": "GitHub", "type": "github", "config": { "secret": GITHUB_SECRET } }),
    )
    .await;
    let body = br#"{"action":"created"}"#;
    let signature = github_sign(body);
    let headers = [
        ("X-Hub-Signature-256", signature.as_str()),
        ("X-GitHub-Delivery", "same-delivery"),
    ];
    let send = || post_in(&app, &source.ingest_url, &headers, body.to_vec());
    let (a, b, c, d) = tokio::join!(send(), send(), send(), send());
    let answers = [a, b, c, d];
    let ids: HashSet<String> = answers
        .iter()
        .map(|a| {
            assert_eq!(a.status, 200, "{}", a.body);
            a.str("id")
        })
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(log_len(&app, &source.id).await, 1);
}

#[tokio::test]
async fn events_accepted_while_the_target_refuses_connections_arrive_once_it_listens() {
    // Retries every 100 ms for long enough that the target comes back before they run out.
    let mut app =
        spawn_app_with(|config| config.retry_delays(vec![Duration::from_millis(100); 50])).await;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("probe port");
        probe.local_addr().expect("addr")
    };
    // Nothing listens on `port` now: every attempt is refused.
    let source = create_source(&app, json!({ "name": "Any", "type": "generic-webhook" })).await;
    add_endpoint(&app, &source.id, &format!("http://{port}/back")).await;
    let mut accepted = HashSet::new();
    for n in 0..3 {
        let answer = post_in(&app, &source.ingest_url, &[], format!(r#"{{"n":{n}}}"#)).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        accepted.insert(answer.str("id"));
    }
    let mut refused = HashSet::new();
    while refused.len() < accepted.len() {
        let attempt = app.next_attempt().await;
        assert_eq!(attempt.error_code.as_deref(), Some("connection_refused"));
        refused.insert(attempt.msg_id.to_string());
    }

    let mut receiver = TestReceiver::start_on(port).await;
    let mut delivered = HashSet::new();
    while delivered.len() < accepted.len() {
        let request = receiver.next_request().await;
        delivered.insert(request.header("webhook-id").to_owned());
    }
    assert_eq!(delivered, accepted);
}

#[tokio::test]
async fn a_flooding_sender_is_limited_per_source_and_other_sources_are_not() {
    let app = spawn_app_with(|mut config| {
        config.inbound.rate_limit = hookline_api::rate_limit::RateLimitConfig {
            per_second: 1,
            burst: 2,
        };
        config
    })
    .await;
    let flooded = create_source(&app, json!({ "name": "Flood", "type": "generic-webhook" })).await;
    let quiet = create_source(&app, json!({ "name": "Quiet", "type": "generic-webhook" })).await;
    for n in 0..2 {
        let accepted = post_in(&app, &flooded.ingest_url, &[], format!("{{\"n\":{n}}}")).await;
        assert_eq!(accepted.status, 200, "{}", accepted.body);
    }
    let refused = post_in(&app, &flooded.ingest_url, &[], "{\"n\":2}").await;
    assert_refused(&refused, 429, "rate_limited");
    assert!(refused.headers.contains_key("retry-after"));
    assert_eq!(
        log_len(&app, &flooded.id).await,
        2,
        "a refused request is not stored"
    );
    let other = post_in(&app, &quiet.ingest_url, &[], "{}").await;
    assert_eq!(other.status, 200, "{}", other.body);
}

#[tokio::test]
async fn a_sources_events_can_be_pulled_in_order_with_their_bodies() {
    let app = spawn_app().await;
    let source = create_source(
        &app,
        json!({ "name": "Stripe-ish", "type": "generic-webhook" }),
    )
    .await;
    let bodies = [
        r#"{"id":"evt_1","type":"invoice.paid"}"#,
        r#"{"id":"evt_2","type":"invoice.voided"}"#,
    ];
    for body in bodies {
        let accepted = post_in(
            &app,
            &source.ingest_url,
            &[("content-type", "application/json")],
            body,
        )
        .await;
        assert_eq!(accepted.status, 200, "{}", accepted.body);
    }
    let feed = app
        .get(&format!("/ingest/api/v1/source/{}/events", source.id))
        .await;
    assert_eq!(feed.status, 200, "{}", feed.body);
    let payloads: Vec<String> = feed.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|item| item["payload"].to_string())
        .collect();
    let expected: Vec<String> = bodies
        .iter()
        .map(|b| {
            serde_json::from_str::<serde_json::Value>(b)
                .expect("json")
                .to_string()
        })
        .collect();
    assert_eq!(
        payloads, expected,
        "events in order, with the bodies received"
    );

    // Resuming from the iterator with a long-poll returns the next event as soon as it is accepted.
    let iterator = feed.str("iterator");
    let mut waiting = app.feed.waiting();
    let poll = app
        .client
        .get(format!(
            "{}/ingest/api/v1/source/{}/events?wait=30&iterator={iterator}",
            app.address, source.id
        ))
        .bearer_auth(&app.token)
        .send();
    let poll = tokio::spawn(poll);
    tokio::time::timeout(hookline_testkit::PATIENCE, waiting.wait_for(|n| *n >= 1))
        .await
        .expect("the long-poll never parked")
        .expect("signal");
    let third = r#"{"id":"evt_3"}"#;
    post_in(&app, &source.ingest_url, &[], third).await;
    let next: serde_json::Value = poll
        .await
        .expect("poll task")
        .expect("poll answered")
        .json()
        .await
        .expect("json");
    assert_eq!(next["data"][0]["payload"]["id"], "evt_3");
    // A source's events are not in the environment feed of customers' messages.
    let environment = app.get("/api/v1/events").await;
    assert_eq!(environment.body["data"], json!([]));
}
