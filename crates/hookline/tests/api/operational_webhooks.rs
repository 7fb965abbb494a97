//! Operational webhooks: the operator's endpoints receive signed `endpoint.*` and
//! `message.attempt.*` events, delivered by the same engine, never about themselves.
//! Waiting is on the receiver's channel and the attempt stream; time is stepped, never slept.

use std::time::Duration;

use hookline_core::Timestamp;
use hookline_testkit::interop::{python_module_available, run_script};
use hookline_testkit::{ReceivedRequest, TestApp, TestReceiver, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

use crate::callers::{Auth, call, key_token};

const OPS: &str = "/api/v1/operational-webhook/endpoint";
const HOUR: Duration = Duration::from_secs(3600);

/// Registers an operational endpoint on `receiver` for `types`; returns its id and secret.
pub(crate) async fn ops_endpoint(
    app: &TestApp,
    receiver: &TestReceiver,
    types: &[&str],
) -> (String, String) {
    let created = app
        .post(
            OPS,
            json!({ "url": receiver.endpoint("/ops"), "filterTypes": types }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.str("id");
    let secret = app.get(&format!("{OPS}/{id}/secret")).await;
    assert_eq!(secret.status, 200, "{}", secret.body);
    (id, secret.str("key"))
}

/// A customer application with one endpoint on `receiver`; returns their ids.
pub(crate) async fn customer(app: &TestApp, receiver: &TestReceiver) -> (String, String) {
    let app_id = app.create_app("Acme").await;
    let ep = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/hook") }))
        .await;
    (app_id, ep["id"].as_str().expect("id").to_owned())
}

/// Verifies a webhook with the official `standardwebhooks` library (skipped when missing
/// locally) and with Hookline's own verifier; returns the parsed body.
pub(crate) async fn verified(request: &ReceivedRequest, secret: &str) -> Value {
    crate::assert_signed(request, secret);
    if python_module_available("standardwebhooks") {
        let input = json!({
            "secret": secret,
            "headers": {
                "webhook-id": request.header("webhook-id"),
                "webhook-timestamp": request.header("webhook-timestamp"),
                "webhook-signature": request.header("webhook-signature"),
            },
            "body": String::from_utf8(request.body.to_vec()).expect("utf-8"),
        });
        let out = run_script(
            "verify_standardwebhooks.py",
            vec![],
            Some(input.to_string()),
        )
        .await;
        assert!(
            out.status.success(),
            "standardwebhooks refused the signature"
        );
    }
    serde_json::from_slice(&request.body).expect("a JSON body")
}

/// The next operational webhook, verified.
pub(crate) async fn next_event(receiver: &mut TestReceiver, secret: &str) -> Value {
    let request = receiver.next_request().await;
    verified(&request, secret).await
}

#[tokio::test]
async fn creating_an_endpoint_sends_a_signed_endpoint_created_webhook() {
    let app = spawn_app().await;
    let mut ops = TestReceiver::start().await;
    let (_, secret) = ops_endpoint(&app, &ops, &[]).await;
    let hooks = TestReceiver::start().await;
    let (app_id, ep) = customer(&app, &hooks).await;

    let event = next_event(&mut ops, &secret).await;
    assert_eq!(event["type"], "endpoint.created");
    assert_eq!(event["data"]["appId"], app_id.as_str());
    assert_eq!(event["data"]["endpointId"], ep.as_str());
    assert!(event["data"]["endpointUid"].is_null());

    let path = format!("/api/v1/app/{app_id}/endpoint/{ep}");
    let disabled = app
        .request(Method::PATCH, &path, Some(json!({ "disabled": true })))
        .await;
    assert_eq!(disabled.status, 200);
    let mut types = vec![
        next_event(&mut ops, &secret).await["type"].clone(),
        next_event(&mut ops, &secret).await["type"].clone(),
    ];
    types.sort_by_key(|t| t.to_string());
    assert_eq!(
        types,
        [json!("endpoint.disabled"), json!("endpoint.updated")]
    );

    let enabled = app
        .request(Method::PATCH, &path, Some(json!({ "disabled": false })))
        .await;
    assert_eq!(enabled.status, 200);
    let mut types = vec![
        next_event(&mut ops, &secret).await["type"].clone(),
        next_event(&mut ops, &secret).await["type"].clone(),
    ];
    types.sort_by_key(|t| t.to_string());
    assert_eq!(
        types,
        [json!("endpoint.enabled"), json!("endpoint.updated")]
    );

    assert_eq!(app.request(Method::DELETE, &path, None).await.status, 204);
    let deleted = next_event(&mut ops, &secret).await;
    assert_eq!(deleted["type"], "endpoint.deleted");
    assert_eq!(deleted["data"]["endpointId"], ep.as_str());

    // They are the operator's: the product's event feed does not carry them.
    let feed = app.get("/api/v1/events").await;
    assert_eq!(feed.status, 200, "{}", feed.body);
    assert_eq!(feed.body["data"], json!([]), "{}", feed.body);
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_reports_failing_then_exhausted() {
    // The test schedule has 4 attempts: the 4th failure is both `failing` and the last one.
    let mut app = spawn_app().await;
    let mut ops = TestReceiver::start().await;
    let (_, secret) = ops_endpoint(
        &app,
        &ops,
        &["message.attempt.failing", "message.attempt.exhausted"],
    )
    .await;
    let hooks = TestReceiver::start().await;
    hooks.set_default_status(500);
    let (app_id, ep) = customer(&app, &hooks).await;
    let msg = app
        .send_message(
            &app_id,
            json!({ "eventType": "a", "eventId": "evt-1", "payload": {} }),
        )
        .await;

    let mut events = vec![
        next_event(&mut ops, &secret).await,
        next_event(&mut ops, &secret).await,
    ];
    events.sort_by_key(|e| e["type"].to_string());
    assert_eq!(events[0]["type"], "message.attempt.exhausted");
    assert_eq!(events[1]["type"], "message.attempt.failing");
    for event in &events {
        let data = &event["data"];
        assert_eq!(data["appId"], app_id.as_str());
        assert_eq!(data["endpointId"], ep.as_str());
        assert_eq!(data["msgId"], msg["id"]);
        assert_eq!(data["msgEventId"], "evt-1");
        assert_eq!(data["lastAttempt"]["responseStatusCode"], 500);
    }
    // Four attempts to the customer, then the two operational deliveries.
    let mut customer_attempts = 0;
    for _ in 0..6 {
        if app.next_attempt().await.endpoint_id.as_str() == ep {
            customer_attempts += 1;
        }
    }
    assert_eq!(customer_attempts, 4);
}

#[tokio::test]
async fn a_delivery_that_succeeds_after_failing_reports_recovered() {
    let app =
        spawn_app_with(|config| config.retry_delays(vec![Duration::from_millis(20); 6])).await;
    let mut ops = TestReceiver::start().await;
    let (_, secret) = ops_endpoint(
        &app,
        &ops,
        &["message.attempt.failing", "message.attempt.recovered"],
    )
    .await;
    let hooks = TestReceiver::start().await;
    hooks.respond_with(&[500, 500, 500, 500]);
    let (app_id, ep) = customer(&app, &hooks).await;
    let msg = app
        .send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;

    let mut events = [
        next_event(&mut ops, &secret).await,
        next_event(&mut ops, &secret).await,
    ];
    events.sort_by_key(|e| e["type"].to_string());
    assert_eq!(events[0]["type"], "message.attempt.failing");
    assert_eq!(events[0]["data"]["lastAttempt"]["responseStatusCode"], 500);
    assert_eq!(events[1]["type"], "message.attempt.recovered");
    assert_eq!(events[1]["data"]["lastAttempt"]["responseStatusCode"], 200);
    assert_eq!(events[1]["data"]["msgId"], msg["id"]);
    assert_eq!(events[1]["data"]["endpointId"], ep.as_str());
}

#[tokio::test]
async fn an_endpoint_answering_410_reports_endpoint_disabled() {
    let app = spawn_app().await;
    let mut ops = TestReceiver::start().await;
    let (_, secret) = ops_endpoint(&app, &ops, &["endpoint.disabled"]).await;
    let hooks = TestReceiver::start().await;
    hooks.set_default_status(410);
    let (app_id, ep) = customer(&app, &hooks).await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;

    let event = next_event(&mut ops, &secret).await;
    assert_eq!(event["type"], "endpoint.disabled");
    assert_eq!(event["data"]["endpointId"], ep.as_str());
    assert_eq!(event["data"]["trigger"], "automatic");
}

#[tokio::test]
async fn auto_disabling_an_endpoint_reports_endpoint_disabled_with_its_fail_since() {
    let mut app = spawn_app_with(|mut config| {
        config.maintenance.disable_after = HOUR;
        config
    })
    .await;
    let mut ops = TestReceiver::start().await;
    let (_, secret) = ops_endpoint(&app, &ops, &["endpoint.disabled"]).await;
    let hooks = TestReceiver::start().await;
    hooks.set_default_status(500);
    let (app_id, ep) = customer(&app, &hooks).await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    for _ in 0..4 {
        app.next_attempt().await;
    }

    let report = app
        .maintenance
        .step(Timestamp::now().plus(HOUR))
        .await
        .expect("pass");
    assert_eq!(report.disabled.len(), 1);
    let event = next_event(&mut ops, &secret).await;
    assert_eq!(event["type"], "endpoint.disabled");
    assert_eq!(event["data"]["endpointId"], ep.as_str());
    assert_eq!(event["data"]["trigger"], "automatic");
    let since = event["data"]["failSince"].as_str().expect("failSince");
    assert!(Timestamp::parse_rfc3339(since).is_some(), "{since}");
}

#[tokio::test]
async fn operational_endpoints_never_report_on_themselves() {
    let mut app = spawn_app().await;
    let mut good = TestReceiver::start().await;
    let (good_id, secret) = ops_endpoint(&app, &good, &[]).await;
    let broken = TestReceiver::start().await;
    broken.set_default_status(500);
    // Creating, changing and failing operational endpoints is never reported.
    let (broken_id, _) = ops_endpoint(&app, &broken, &[]).await;
    let renamed = app
        .request(
            Method::PUT,
            &format!("{OPS}/{broken_id}"),
            Some(json!({ "url": broken.endpoint("/ops"), "description": "flaky" })),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);

    // One customer event reaches both; the broken one exhausts its 4 attempts.
    let hooks = TestReceiver::start().await;
    let (app_id, ep) = customer(&app, &hooks).await;
    let mut broken_attempts = 0;
    while broken_attempts < 4 {
        let attempt = app.next_attempt().await;
        if attempt.endpoint_id.as_str() == broken_id {
            broken_attempts += 1;
        } else {
            assert_eq!(attempt.endpoint_id.as_str(), good_id);
        }
    }
    // Anything its failures caused was planned before this next event.
    let path = format!("/api/v1/app/{app_id}/endpoint/{ep}");
    assert_eq!(app.request(Method::DELETE, &path, None).await.status, 204);

    let first = next_event(&mut good, &secret).await;
    assert_eq!(first["type"], "endpoint.created");
    let second = next_event(&mut good, &secret).await;
    assert_eq!(second["type"], "endpoint.deleted", "{second}");
}

#[tokio::test]
async fn operational_endpoints_are_managed_like_endpoints_but_only_by_the_organisation() {
    let app = spawn_app().await;
    let ops = TestReceiver::start().await;
    let (id, secret) = ops_endpoint(&app, &ops, &["endpoint.created"]).await;
    assert!(secret.starts_with("whsec_"));

    let listed = app.get(OPS).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["data"][0]["id"], id.as_str());
    assert_eq!(
        listed.body["data"][0]["eventTypes"],
        json!(["endpoint.created"])
    );
    // Its internal application is nobody's customer.
    assert_eq!(app.get("/api/v1/app").await.body["data"], json!([]));

    let rotated = app
        .post(&format!("{OPS}/{id}/secret/rotate"), json!({}))
        .await;
    assert_eq!(rotated.status, 204, "{}", rotated.body);
    let now = app.get(&format!("{OPS}/{id}/secret")).await.str("key");
    assert_ne!(now, secret);

    let headers = app
        .request(
            Method::PUT,
            &format!("{OPS}/{id}/headers"),
            Some(json!({ "headers": { "X-Team": "ops" } })),
        )
        .await;
    assert_eq!(headers.status, 204, "{}", headers.body);
    let read = app.get(&format!("{OPS}/{id}/headers")).await;
    assert_eq!(read.body["headers"], json!({ "X-Team": "ops" }));

    let unknown = app
        .post(
            OPS,
            json!({ "url": ops.endpoint("/x"), "filterTypes": ["invoice.paid"] }),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert_eq!(
        unknown.body["detail"][0]["loc"],
        json!(["body", "eventTypes"])
    );
    assert!(
        unknown.body["detail"][0]["msg"]
            .as_str()
            .is_some_and(|m| m.contains("invoice.paid")),
        "{}",
        unknown.body
    );

    // Organisation keys may; application keys may not.
    let customer_app = app.create_app("Acme").await;
    let org = Auth::Bearer(key_token(&app, json!({ "name": "org" })).await);
    assert_eq!(call(&app, &org, Method::GET, OPS, None).await.status, 200);
    let own = Auth::Bearer(key_token(&app, json!({ "name": "own", "appId": customer_app })).await);
    for (method, path, body) in [
        (Method::GET, OPS.to_owned(), None),
        (
            Method::POST,
            OPS.to_owned(),
            Some(json!({ "url": ops.endpoint("/x") })),
        ),
        (Method::GET, format!("{OPS}/{id}/secret"), None),
        (Method::DELETE, format!("{OPS}/{id}"), None),
    ] {
        let refused = call(&app, &own, method.clone(), &path, body).await;
        assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
    }

    assert_eq!(
        app.request(Method::DELETE, &format!("{OPS}/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(app.get(&format!("{OPS}/{id}")).await.status, 404);
}

/// Messages stored for the operational application, read from the database.
async fn operational_messages(app: &TestApp) -> usize {
    use hookline_store::{Order, PageRequest};
    let store = app.open_store().await;
    let page = store
        .list_messages(
            &hookline_core::operational::operational_app_id(),
            &hookline_store::query::MessageFilter::default(),
            &PageRequest::first(250, Order::Descending),
        )
        .await
        .expect("list");
    page.items.len()
}

#[tokio::test]
async fn without_operational_endpoints_nothing_is_stored_for_them() {
    let mut app = spawn_app().await;
    let hooks = TestReceiver::start().await;
    hooks.set_default_status(500);
    let (app_id, ep) = customer(&app, &hooks).await;
    app.send_message(&app_id, json!({ "eventType": "a", "payload": {} }))
        .await;
    for _ in 0..4 {
        app.next_attempt().await;
    }
    let path = format!("/api/v1/app/{app_id}/endpoint/{ep}");
    assert_eq!(app.request(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(operational_messages(&app).await, 0);

    // A disabled operational endpoint receives nothing, so nothing is stored either.
    let ops = TestReceiver::start().await;
    let created = app
        .post(
            OPS,
            json!({ "url": ops.endpoint("/ops"), "disabled": true }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    customer(&app, &hooks).await;
    assert_eq!(operational_messages(&app).await, 0);

    // Once it is enabled, the next event is stored (the count above can see one).
    let id = created.str("id");
    let enabled = app
        .request(
            Method::PUT,
            &format!("{OPS}/{id}"),
            Some(json!({ "url": ops.endpoint("/ops") })),
        )
        .await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    customer(&app, &hooks).await;
    assert_eq!(operational_messages(&app).await, 1);
}

#[tokio::test]
async fn the_official_svix_sdk_manages_operational_endpoints() {
    if !python_module_available("svix") {
        return;
    }
    let app = spawn_app().await;
    let mut ops = TestReceiver::start().await;
    let out = run_script(
        "svix_operational.py",
        vec![
            "--server-url".into(),
            app.address.clone(),
            "--token".into(),
            app.token.clone(),
            "--receiver-url".into(),
            ops.endpoint("/ops"),
        ],
        None,
    )
    .await;
    assert!(
        out.status.success(),
        "the svix SDK flow failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Value = serde_json::from_slice(out.stdout.trim_ascii()).expect("JSON line");
    let request = ops.next_request().await;
    assert_eq!(request.header("x-team"), "ops");
    let event = verified(&request, ids["secret"].as_str().expect("secret")).await;
    assert_eq!(event["type"], "endpoint.created");
    assert_eq!(event["data"]["appId"], ids["app_id"]);
    assert_eq!(event["data"]["endpointId"], ids["endpoint_id"]);
}
