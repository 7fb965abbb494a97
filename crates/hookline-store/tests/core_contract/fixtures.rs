//! Records to store, made the same way in every test.

use std::sync::Arc;

use hookline_core::model::{Application, Endpoint, EventType, Message};
use hookline_core::{
    AppId, Channel, EndpointId, EndpointUrl, EventTypeName, MessageId, Timestamp, Uid,
};
use hookline_store::Store;

pub(crate) fn now() -> Timestamp {
    Timestamp::now()
}

pub(crate) fn uid(raw: &str) -> Uid {
    Uid::parse(raw).expect("valid uid")
}

pub(crate) fn event_type_name(raw: &str) -> EventTypeName {
    EventTypeName::parse(raw).expect("valid event type name")
}

pub(crate) fn channel(raw: &str) -> Channel {
    Channel::parse(raw).expect("valid channel")
}

pub(crate) fn application(uid_text: Option<&str>) -> Application {
    Application {
        id: AppId::generate(),
        uid: uid_text.map(uid),
        name: "Acme".into(),
        metadata: [("tier".to_owned(), "gold".to_owned())].into(),
        throttle_rate: Some(50),
        created_at: now(),
        updated_at: now(),
    }
}

pub(crate) fn endpoint(app: &AppId) -> Endpoint {
    Endpoint {
        id: EndpointId::generate(),
        app_id: app.clone(),
        uid: None,
        url: EndpointUrl::parse("https://example.com/hook").expect("valid url"),
        description: "orders".into(),
        event_types: None,
        channels: None,
        disabled: false,
        throttle_rate: None,
        metadata: Default::default(),
        headers: [("x-team".to_owned(), "billing".to_owned())].into(),
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        created_at: now(),
        updated_at: now(),
    }
}

pub(crate) fn event_type(name: &str) -> EventType {
    EventType {
        name: event_type_name(name),
        description: "An invoice was paid".into(),
        archived: false,
        deprecated: false,
        schemas: Some(serde_json::json!({"1": {"type": "object"}})),
        feature_flag: None,
        group_name: Some("billing".into()),
        created_at: now(),
        updated_at: now(),
    }
}

pub(crate) fn message(app: &AppId, event: &str) -> Message {
    Message {
        id: MessageId::generate(),
        app_id: app.clone(),
        event_type: event_type_name(event),
        event_id: None,
        channels: None,
        payload: Some(r#"{"amount": 10, "currency":"EUR"}"#.into()),
        tags: None,
        payload_expires_at: None,
        created_at: now(),
    }
}

pub(crate) async fn new_app(store: &Arc<dyn Store>) -> AppId {
    store
        .create_app(application(None))
        .await
        .expect("create app")
        .id
}

pub(crate) async fn add_endpoint(store: &Arc<dyn Store>, ep: Endpoint) -> EndpointId {
    store.create_endpoint(ep).await.expect("create endpoint").id
}
