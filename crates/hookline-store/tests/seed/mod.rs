//! Records the lifecycle contract tests (replay, tasks, maintenance, tools) start from, written
//! through the `Store` trait only, so they read the same on every backend.

#![allow(dead_code)]

use std::time::Duration;

use hookline_core::model::{
    Application, Attempt, Delivery, DeliveryStatus, Endpoint, Message, TriggerType,
};
use hookline_core::{
    AppId, AttemptId, Channel, EndpointId, EndpointUrl, EventTypeName, MessageId, Tag, Timestamp,
};
use hookline_store::query::{AttemptRecord, ClaimRequest, DeliveryJob, MessageFilter};
use hookline_store::{Order, PageRequest, Store};

/// A new application.
pub(crate) async fn app(store: &dyn Store) -> AppId {
    let now = Timestamp::now();
    store
        .create_app(Application {
            id: AppId::generate(),
            uid: None,
            name: "Acme".into(),
            metadata: Default::default(),
            throttle_rate: None,
            created_at: now,
            updated_at: now,
        })
        .await
        .expect("create an application")
        .id
}

/// A new enabled endpoint of `app` receiving `event_types` (every type when `None`).
pub(crate) async fn endpoint(
    store: &dyn Store,
    app: &AppId,
    event_types: Option<&[&str]>,
) -> EndpointId {
    let now = Timestamp::now();
    store
        .create_endpoint(Endpoint {
            id: EndpointId::generate(),
            app_id: app.clone(),
            uid: None,
            url: EndpointUrl::parse("http://127.0.0.1:9/").expect("url"),
            description: String::new(),
            event_types: event_types.map(|types| {
                types
                    .iter()
                    .map(|t| EventTypeName::parse(*t).expect("event type"))
                    .collect()
            }),
            channels: None,
            disabled: false,
            throttle_rate: None,
            metadata: Default::default(),
            headers: Default::default(),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            created_at: now,
            updated_at: now,
        })
        .await
        .expect("create an endpoint")
        .id
}

/// A message to be stored: event type `event_type`, made at `created_at`.
pub(crate) fn message_at(app: &AppId, event_type: &str, created_at: Timestamp) -> Message {
    Message {
        id: MessageId::generate_at(created_at.as_millis() as u64),
        app_id: app.clone(),
        event_type: EventTypeName::parse(event_type).expect("event type"),
        event_id: None,
        channels: None,
        payload: Some(r#"{"n":1}"#.into()),
        tags: None,
        payload_expires_at: None,
        created_at,
    }
}

/// Stores a message of `event_type` made now, fanned out as usual.
pub(crate) async fn message(store: &dyn Store, app: &AppId, event_type: &str) -> MessageId {
    send(store, message_at(app, event_type, Timestamp::now())).await
}

/// Stores `message`, fanned out as usual.
pub(crate) async fn send(store: &dyn Store, message: Message) -> MessageId {
    store
        .create_message(message)
        .await
        .expect("create a message")
        .message
        .id
}

/// A message tagged with `channels`.
pub(crate) fn on_channels(mut message: Message, channels: &[&str]) -> Message {
    message.channels = Some(
        channels
            .iter()
            .map(|c| Channel::parse(*c).expect("channel"))
            .collect(),
    );
    message
}

/// A message labelled with `tags`.
pub(crate) fn with_tags(mut message: Message, tags: &[&str]) -> Message {
    message.tags = Some(tags.iter().map(|t| Tag::parse(*t).expect("tag")).collect());
    message
}

/// Claims every due delivery, as the engine does when it starts sending.
pub(crate) async fn claim(store: &dyn Store) -> Vec<DeliveryJob> {
    let claim = ClaimRequest {
        // A moment ahead, so deliveries due "now" are certainly due.
        now: Timestamp::now().plus(Duration::from_secs(1)),
        limit: 250,
        lease: Duration::from_secs(30),
        exclude: Vec::new(),
    };
    store.claim_due(claim).await.expect("claim due deliveries")
}

/// Fails every waiting delivery of `endpoint` for good without an attempt, as the engine does
/// for a disabled endpoint, then enables the endpoint again.
pub(crate) async fn give_up(store: &dyn Store, app: &AppId, endpoint: &EndpointId) {
    let mut ep = store
        .get_endpoint(app, endpoint.as_str())
        .await
        .expect("get the endpoint")
        .expect("the endpoint exists");
    ep.disabled = true;
    store.update_endpoint(ep.clone()).await.expect("disable");
    assert!(
        claim(store).await.is_empty(),
        "nothing is sent to a disabled endpoint"
    );
    ep.disabled = false;
    store.update_endpoint(ep).await.expect("enable");
}

/// The attempt the engine records for `job`, made at `at`, leaving the delivery in `after`
/// (due again at `next` when given).
pub(crate) fn attempt(
    job: &DeliveryJob,
    outcome: DeliveryStatus,
    after: DeliveryStatus,
    next: Option<Timestamp>,
    at: Timestamp,
) -> AttemptRecord {
    let code = if outcome == DeliveryStatus::Success {
        200
    } else {
        500
    };
    AttemptRecord {
        attempt: Attempt {
            id: AttemptId::generate_at(at.as_millis() as u64),
            delivery_id: job.delivery.id.clone(),
            msg_id: job.message.id.clone(),
            endpoint_id: job.endpoint.id.clone(),
            app_id: job.endpoint.app_id.clone(),
            url: job.endpoint.url.to_string(),
            status: outcome,
            response_status_code: code,
            response: "the receiver's answer".into(),
            response_duration_ms: 1,
            trigger_type: TriggerType::Scheduled,
            attempt_number: job.delivery.attempt_count + 1,
            next_attempt_at: next,
            error_code: None,
            created_at: at,
        },
        delivery_status: after,
        next_attempt_at: next,
        disable_endpoint: false,
        ordered: false,
        health: None,
        headers: None,
    }
}

/// Records `records` as the engine does.
pub(crate) async fn record(store: &dyn Store, records: Vec<AttemptRecord>) {
    store
        .record_attempts(records)
        .await
        .expect("record attempts");
}

/// The endpoint's deliveries in `status`, oldest message first.
pub(crate) async fn deliveries_in(
    store: &dyn Store,
    app: &AppId,
    endpoint: &EndpointId,
    status: DeliveryStatus,
) -> Vec<Delivery> {
    let filter = MessageFilter {
        status: Some(status),
        ..MessageFilter::default()
    };
    store
        .list_endpoint_deliveries(
            app,
            endpoint,
            &filter,
            &PageRequest::first(250, Order::Ascending),
        )
        .await
        .expect("list the endpoint's deliveries")
        .items
        .into_iter()
        .map(|(_, delivery)| delivery)
        .collect()
}

/// How many of the endpoint's deliveries wait for an attempt.
pub(crate) async fn waiting(store: &dyn Store, app: &AppId, endpoint: &EndpointId) -> usize {
    deliveries_in(store, app, endpoint, DeliveryStatus::Pending)
        .await
        .len()
}
