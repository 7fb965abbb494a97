//! The resources the route table's placeholders name, made in one environment.

use hookline_core::{AppId, AttemptId, EndpointId, KeyId, MessageId, SourceId};
use hookline_testkit::{TestApp, TestReceiver, TestResponse};
use reqwest::Method;
use serde_json::{Value, json};

use crate::callers::{Auth, call};

/// The resources a route's placeholders name.
#[derive(Debug, Clone)]
pub(super) struct Fixture {
    pub(super) tag: String,
    pub(super) app: String,
    pub(super) et: String,
    pub(super) ep: String,
    pub(super) msg: String,
    pub(super) atmpt: String,
    pub(super) key: String,
    pub(super) task: String,
    pub(super) src: String,
    pub(super) opep: String,
}

impl Fixture {
    /// Well-formed names of resources that exist nowhere, with `tag` for the bodies.
    pub(super) fn nowhere(tag: &str) -> Self {
        Self {
            tag: tag.to_owned(),
            app: AppId::generate().to_string(),
            et: format!("scoped.nowhere-{tag}"),
            ep: EndpointId::generate().to_string(),
            msg: MessageId::generate().to_string(),
            atmpt: AttemptId::generate().to_string(),
            key: KeyId::generate().to_string(),
            task: hookline_store::tasks::new_task_id(),
            src: SourceId::generate().to_string(),
            opep: EndpointId::generate().to_string(),
        }
    }

    /// The random ids of its resources (names a caller cannot choose).
    pub(super) fn ids(&self) -> [&str; 8] {
        [
            &self.app,
            &self.ep,
            &self.msg,
            &self.atmpt,
            &self.key,
            &self.task,
            &self.src,
            &self.opep,
        ]
    }

    pub(super) fn fill(&self, template: &str) -> String {
        template
            .replace("{tag}", &self.tag)
            .replace("{app}", &self.app)
            .replace("{et}", &self.et)
            .replace("{ep}", &self.ep)
            .replace("{msg}", &self.msg)
            .replace("{atmpt}", &self.atmpt)
            .replace("{key}", &self.key)
            .replace("{task}", &self.task)
            .replace("{src}", &self.src)
            .replace("{opep}", &self.opep)
    }

    pub(super) fn fill_body(&self, body: &Option<Value>) -> Option<Value> {
        body.as_ref().map(|b| {
            serde_json::from_str(&self.fill(&b.to_string())).expect("a filled body is JSON")
        })
    }
}

/// Sends as `admin` (the admin token, in some environment) and expects `status`.
async fn made(app: &TestApp, admin: &Auth, path: &str, body: Value, status: u16) -> TestResponse {
    let response = call(app, admin, Method::POST, path, Some(body)).await;
    assert_eq!(response.status, status, "POST {path}: {}", response.body);
    response
}

/// An application with an event type, an endpoint, a delivered message and its attempt, a
/// key, a background task, an inbound source and an operational endpoint, made by `admin`
/// (the admin token, choosing an environment or not).
pub(super) async fn fixture(
    app: &mut TestApp,
    admin: &Auth,
    receiver: &mut TestReceiver,
    tag: &str,
) -> Fixture {
    let app_id = made(app, admin, "/api/v1/app", json!({ "name": tag }), 201)
        .await
        .str("id");
    let et = format!("scoped.{tag}");
    made(
        app,
        admin,
        "/api/v1/event-type",
        json!({ "name": et, "description": "d" }),
        201,
    )
    .await;
    let endpoint = made(
        app,
        admin,
        &format!("/api/v1/app/{app_id}/endpoint"),
        json!({ "url": receiver.endpoint("/") }),
        201,
    )
    .await
    .str("id");
    let msg = made(
        app,
        admin,
        &format!("/api/v1/app/{app_id}/msg"),
        json!({ "eventType": et, "payload": { "n": 1 } }),
        202,
    )
    .await
    .str("id");
    // Earlier tables' messages may still be arriving: wait for this one's.
    while receiver.next_request().await.header("webhook-id") != msg {}
    let attempt = loop {
        let attempt = app.next_attempt().await;
        if attempt.msg_id.as_str() == msg {
            break attempt;
        }
    };
    let key = made(
        app,
        admin,
        "/api/v1/api-key",
        json!({ "name": format!("throwaway {tag}") }),
        201,
    )
    .await
    .str("id");
    let task = made(
        app,
        admin,
        &format!("/api/v1/app/{app_id}/endpoint/{endpoint}/recover"),
        json!({ "since": "2020-01-01T00:00:00Z" }),
        202,
    )
    .await
    .str("id");
    let src = made(
        app,
        admin,
        "/ingest/api/v1/source",
        json!({ "name": tag, "type": "generic-webhook" }),
        201,
    )
    .await
    .str("id");
    // Never fires here: no message of these tables exhausts its retries.
    let opep = made(
        app,
        admin,
        "/api/v1/operational-webhook/endpoint",
        json!({ "url": receiver.endpoint("/ops"), "filterTypes": ["message.attempt.exhausted"] }),
        201,
    )
    .await
    .str("id");
    Fixture {
        tag: tag.to_owned(),
        app: app_id,
        et,
        ep: endpoint,
        msg,
        atmpt: attempt.id.to_string(),
        key,
        task,
        src,
        opep,
    }
}
