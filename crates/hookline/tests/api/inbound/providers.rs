//! Requests signed by the providers' own libraries (`standardwebhooks`, `stripe`, `slack_sdk`
//! from PyPI, `@octokit/webhooks-methods` from npm; Shopify's documented algorithm) are accepted
//! and forwarded; the same request with one byte changed, a wrong secret, a stale timestamp or a
//! missing header is refused with the code naming the failure.

use hookline_core::Timestamp;
use hookline_testkit::interop::{
    node_module_available, python_module_available, run_node_script, run_script,
};
use hookline_testkit::{TestApp, TestReceiver, spawn_app};
use serde_json::{Value, json};

use super::{add_endpoint, create_source, log_len, post_in};

type Headers = Vec<(String, String)>;

/// Headers from `tests/interop/sign_inbound.py` (the provider's own library).
async fn python_sign(provider: &str, secret: &str, at: i64, msg_id: &str, body: &str) -> Headers {
    let args = vec![
        provider.to_owned(),
        secret.to_owned(),
        at.to_string(),
        msg_id.to_owned(),
    ];
    let output = run_script("sign_inbound.py", args, Some(body.to_owned())).await;
    assert!(
        output.status.success(),
        "sign_inbound.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let headers: Value = serde_json::from_slice(&output.stdout).expect("headers JSON");
    headers
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("text").to_owned()))
        .collect()
}

/// `X-Hub-Signature-256` from `@octokit/webhooks-methods`.
async fn octokit_sign(secret: &str, body: &str) -> String {
    let output = run_node_script(
        "sign_github.mjs",
        vec![secret.to_owned()],
        Some(body.to_owned()),
    )
    .await;
    assert!(
        output.status.success(),
        "sign_github.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("signature text")
}

/// One request that must be refused with `code`.
struct Forgery {
    what: &'static str,
    headers: Headers,
    body: String,
    code: &'static str,
}

fn with(mut headers: Headers, extra: &[(&str, &str)]) -> Headers {
    headers.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    headers
}

fn without(headers: &Headers, name: &str) -> Headers {
    headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case(name))
        .cloned()
        .collect()
}

/// The body with one byte (the second to last) changed.
fn one_byte_changed(body: &str) -> String {
    let mut bytes = body.as_bytes().to_vec();
    let last = bytes.len() - 2;
    bytes[last] ^= 0x01;
    String::from_utf8(bytes).expect("still text")
}

/// Sends every forgery (each must be refused with its code and leave nothing stored), then the
/// genuine request, which must be accepted and forwarded byte for byte.
async fn judge(
    app: &TestApp,
    receiver: &mut TestReceiver,
    source: &super::TestSource,
    genuine: (Headers, String),
    forgeries: Vec<Forgery>,
) {
    for forgery in forgeries {
        let headers: Vec<(&str, &str)> = forgery
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let answer = post_in(app, &source.ingest_url, &headers, forgery.body).await;
        assert_eq!(answer.status, 401, "{}: {}", forgery.what, answer.body);
        assert_eq!(
            answer.body["code"], forgery.code,
            "{}: {}",
            forgery.what, answer.body
        );
    }
    assert_eq!(
        log_len(app, &source.id).await,
        0,
        "a refused request was stored"
    );

    let (headers, body) = genuine;
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let answer = post_in(app, &source.ingest_url, &headers, body.clone()).await;
    assert_eq!(answer.status, 200, "genuine: {}", answer.body);
    let forwarded = receiver.next_request().await;
    assert_eq!(forwarded.body.as_ref(), body.as_bytes());
    assert_eq!(forwarded.header("webhook-id"), answer.str("id"));
}

#[tokio::test]
async fn standard_webhooks_signed_by_the_standardwebhooks_library_are_verified() {
    if !python_module_available("standardwebhooks") {
        return;
    }
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let source = create_source(
        &app,
        json!({ "name": "Svix", "type": "svix", "config": { "secret": secret } }),
    )
    .await;
    add_endpoint(&app, &source.id, &receiver.endpoint("/svix")).await;
    let now = Timestamp::now().as_secs();
    let body = r#"{"type":"user.created","data":{"id":"user_29w83sxmDNGwOuEthce5gg56FcC"}}"#;
    let good = python_sign(
        "standardwebhooks",
        secret,
        now,
        "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
        body,
    )
    .await;
    let other = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let forgeries = vec![
        Forgery {
            what: "one byte changed",
            headers: good.clone(),
            body: one_byte_changed(body),
            code: "bad_signature",
        },
        Forgery {
            what: "wrong secret",
            headers: python_sign(
                "standardwebhooks",
                other,
                now,
                "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
                body,
            )
            .await,
            body: body.into(),
            code: "bad_signature",
        },
        Forgery {
            what: "stale timestamp",
            headers: python_sign(
                "standardwebhooks",
                secret,
                now - 600,
                "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
                body,
            )
            .await,
            body: body.into(),
            code: "stale_timestamp",
        },
        Forgery {
            what: "missing header",
            headers: without(&good, "webhook-timestamp"),
            body: body.into(),
            code: "missing_header",
        },
    ];
    judge(&app, &mut receiver, &source, (good, body.into()), forgeries).await;
}

#[tokio::test]
async fn svix_headers_signed_by_the_svix_library_are_verified() {
    if !python_module_available("svix") {
        return;
    }
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let source = create_source(
        &app,
        json!({ "name": "Clerk", "type": "clerk", "config": { "secret": secret } }),
    )
    .await;
    add_endpoint(&app, &source.id, &receiver.endpoint("/clerk")).await;
    let now = Timestamp::now().as_secs();
    let msg = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    let body = r#"{"type":"user.created","object":"event"}"#;
    let good = python_sign("svix", secret, now, msg, body).await;
    let other = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let forgeries = vec![
        Forgery {
            what: "one byte changed",
            headers: good.clone(),
            body: one_byte_changed(body),
            code: "bad_signature",
        },
        Forgery {
            what: "wrong secret",
            headers: python_sign("svix", other, now, msg, body).await,
            body: body.into(),
            code: "bad_signature",
        },
        Forgery {
            what: "future timestamp",
            headers: python_sign("svix", secret, now + 600, msg, body).await,
            body: body.into(),
            code: "stale_timestamp",
        },
        Forgery {
            what: "missing header",
            headers: without(&good, "svix-id"),
            body: body.into(),
            code: "missing_header",
        },
    ];
    judge(&app, &mut receiver, &source, (good, body.into()), forgeries).await;
}

#[tokio::test]
async fn github_events_signed_by_octokit_webhooks_methods_are_verified() {
    if !node_module_available("@octokit/webhooks-methods") {
        return;
    }
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let secret = "It's a Secret to Everybody";
    let source = create_source(
        &app,
        json!({ "name": "GitHub", "type": "github", "config": { "secret": secret } }),
    )
    .await;
    add_endpoint(&app, &source.id, &receiver.endpoint("/github")).await;
    let body = r#"{"action":"opened","issue":{"number":1347,"title":"Found a bug"}}"#;
    let delivery = [("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")];
    let good = with(
        vec![(
            "X-Hub-Signature-256".into(),
            octokit_sign(secret, body).await,
        )],
        &delivery,
    );
    let wrong = octokit_sign("It's a Secret to Nobody", body).await;
    let forgeries = vec![
        Forgery {
            what: "one byte changed",
            headers: good.clone(),
            body: one_byte_changed(body),
            code: "bad_signature",
        },
        Forgery {
            what: "wrong secret",
            headers: with(vec![("X-Hub-Signature-256".into(), wrong)], &delivery),
            body: body.into(),
            code: "bad_signature",
        },
        // GitHub signs no timestamp: replays are refused by dedupe on X-GitHub-Delivery.
        Forgery {
            what: "missing header",
            headers: without(&good, "X-Hub-Signature-256"),
            body: body.into(),
            code: "missing_header",
        },
    ];
    judge(&app, &mut receiver, &source, (good, body.into()), forgeries).await;
}

#[tokio::test]
async fn stripe_events_signed_by_the_stripe_library_are_verified() {
    if !python_module_available("stripe") {
        return;
    }
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let secret = "whsec_test_51Hx0zLKgJhwEpDb";
    let source = create_source(
        &app,
        json!({ "name": "Stripe", "type": "stripe", "config": { "secret": secret } }),
    )
    .await;
    add_endpoint(&app, &source.id, &receiver.endpoint("/stripe")).await;
    let now = Timestamp::now().as_secs();
    let body = r#"{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"invoice.paid"}"#;
    let good = python_sign("stripe", secret, now, "", body).await;
    let forgeries = vec![
        Forgery {
            what: "one byte changed",
            headers: good.clone(),
            body: one_byte_changed(body),
            code: "bad_signature",
        },
        Forgery {
            what: "wrong secret",
            headers: python_sign("stripe", "whsec_someone_else", now, "", body).await,
            body: body.into(),
            code: "bad_signature",
        },
        Forgery {
            what: "stale timestamp",
            headers: python_sign("stripe", secret, now - 600, "", body).await,
            body: body.into(),
            code: "stale_timestamp",
        },
        Forgery {
            what: "missing header",
            headers: Vec::new(),
            body: body.into(),
            code: "missing_header",
        },
    ];
    judge(&app, &mut receiver, &source, (good, body.into()), forgeries).await;
}

#[tokio::test]
async fn slack_requests_signed_by_slack_sdk_are_verified_form_bodies_included() {
    if !python_module_available("slack_sdk") {
        return;
    }
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let secret = "8f742231b10e8888abcd99yyyzzz85a5";
    let source = create_source(
        &app,
        json!({ "name": "Slack", "type": "slack", "config": { "secret": secret } }),
    )
    .await;
    add_endpoint(&app, &source.id, &receiver.endpoint("/slack")).await;
    let now = Timestamp::now().as_secs();
    // A slash command: form-encoded, not JSON.
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather&text=94070";
    let form = (
        "Content-Type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    );
    let good = python_sign("slack", secret, now, "", body).await;
    let mut good_form = good.clone();
    good_form.push(form);
    let forgeries = vec![
        Forgery {
            what: "one byte changed",
            headers: good.clone(),
            body: one_byte_changed(body),
            code: "bad_signature",
        },
        Forgery {
            what: "wrong secret",
            headers: python_sign("slack", "another_signing_secret", now, "", body).await,
            body: body.into(),
            code: "bad_signature",
        },
        Forgery {
            what: "stale timestamp",
            headers: python_sign("slack", secret, now - 600, "", body).await,
            body: body.into(),
            code: "stale_timestamp",
        },
        Forgery {
            what: "missing header",
            headers: without(&good, "X-Slack-Request-Timestamp"),
            body: body.into(),
            code: "missing_header",
        },
    ];
    judge(
        &app,
        &mut receiver,
        &source,
        (good_form, body.into()),
        forgeries,
    )
    .await;
}

#[tokio::test]
async fn shopify_webhooks_signed_by_the_documented_algorithm_are_verified() {
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let secret = "shpss_0123456789abcdef0123456789abcdef";
    let source = create_source(
        &app,
        json!({ "name": "Shopify", "type": "shopify", "config": { "secret": secret } }),
    )
    .await;
    add_endpoint(&app, &source.id, &receiver.endpoint("/shopify")).await;
    let body = r#"{"id":820982911946154508,"email":"jon@example.com","total_price":"10.00"}"#;
    let id = [(
        "X-Shopify-Webhook-Id",
        "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    )];
    let good = with(python_sign("shopify", secret, 0, "", body).await, &id);
    let forgeries = vec![
        Forgery {
            what: "one byte changed",
            headers: good.clone(),
            body: one_byte_changed(body),
            code: "bad_signature",
        },
        Forgery {
            what: "wrong secret",
            headers: with(
                python_sign("shopify", "shpss_other", 0, "", body).await,
                &id,
            ),
            body: body.into(),
            code: "bad_signature",
        },
        // Shopify signs no timestamp: replays are refused by dedupe on X-Shopify-Webhook-Id.
        Forgery {
            what: "missing header",
            headers: without(&good, "X-Shopify-Hmac-Sha256"),
            body: body.into(),
            code: "missing_header",
        },
    ];
    judge(&app, &mut receiver, &source, (good, body.into()), forgeries).await;
}

#[tokio::test]
async fn the_official_svix_sdk_manages_sources_whose_events_are_then_forwarded() {
    if !python_module_available("svix") {
        return;
    }
    let app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let secret = "gh-interop-secret-value";
    let output = run_script(
        "svix_ingest.py",
        vec![
            "--server-url".into(),
            app.address.clone(),
            "--token".into(),
            app.token.clone(),
            "--receiver-url".into(),
            receiver.endpoint("/from-sdk"),
            "--github-secret".into(),
            secret.into(),
        ],
        None,
    )
    .await;
    assert!(
        output.status.success(),
        "svix SDK ingest flow failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let created: Value =
        serde_json::from_slice(output.stdout.trim_ascii()).expect("the script prints JSON");
    let ingest_url = created["ingest_url"].as_str().expect("ingest_url");

    let body = r#"{"zen":"Design for failure."}"#;
    let signature = hookline_signature::providers::github::sign(
        &hookline_signature::SharedSecret::new(secret).expect("secret"),
        body.as_bytes(),
    );
    let headers = [("X-Hub-Signature-256", signature.as_str())];
    let answer = post_in(&app, ingest_url, &headers, body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let forwarded = receiver.next_request().await;
    assert_eq!(forwarded.body.as_ref(), body.as_bytes());
    assert_eq!(forwarded.header("x-team"), "platform");
    crate::assert_signed(&forwarded, created["secret"].as_str().expect("secret"));
}
