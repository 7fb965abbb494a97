//! The core store contract, on every backend: applications, event types and endpoints round
//! trip (by id and by uid) and refuse clashing uids; a message plans a delivery for exactly the
//! endpoints that receive it, in one transaction; deletes cascade; listings page both ways.

mod common;

use std::sync::Arc;

use hookline_core::model::{Application, DeliveryStatus, Endpoint, EventType, Message};
use hookline_core::{
    AppId, Channel, EndpointId, EndpointUrl, EventTypeName, MessageId, Timestamp, Uid,
};
use hookline_store::page::{Order, PageRequest};
use hookline_store::{Store, StoreError};

fn now() -> Timestamp {
    Timestamp::now()
}

fn uid(raw: &str) -> Uid {
    Uid::parse(raw).expect("valid uid")
}

fn event_type_name(raw: &str) -> EventTypeName {
    EventTypeName::parse(raw).expect("valid event type name")
}

fn channel(raw: &str) -> Channel {
    Channel::parse(raw).expect("valid channel")
}

fn application(uid_text: Option<&str>) -> Application {
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

fn endpoint(app: &AppId) -> Endpoint {
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

fn event_type(name: &str) -> EventType {
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

fn message(app: &AppId, event: &str) -> Message {
    Message {
        id: MessageId::generate(),
        app_id: app.clone(),
        event_type: event_type_name(event),
        event_id: None,
        channels: None,
        payload: Some(r#"{"amount": 10, "currency":"EUR"}"#.into()),
        created_at: now(),
    }
}

async fn new_app(store: &Arc<dyn Store>) -> AppId {
    store
        .create_app(application(None))
        .await
        .expect("create app")
        .id
}

async fn add_endpoint(store: &Arc<dyn Store>, ep: Endpoint) -> EndpointId {
    store.create_endpoint(ep).await.expect("create endpoint").id
}

#[tokio::test]
async fn applications_round_trip_by_id_and_uid() {
    for backend in common::backends("applications_round_trip_by_id_and_uid").await {
        let (store, name) = (&backend.store, backend.name);
        let app = store
            .create_app(application(Some("acme")))
            .await
            .expect("create");
        let by_id = store.get_app(app.id.as_str()).await.expect("get");
        assert_eq!(by_id.as_ref(), Some(&app), "{name}: by id");
        let by_uid = store.get_app("acme").await.expect("get by uid");
        assert_eq!(by_uid.as_ref(), Some(&app), "{name}: by uid");
        assert_eq!(store.get_app("nobody").await.expect("get"), None, "{name}");

        let mut changed = app.clone();
        changed.name = "Acme Corp".into();
        changed.uid = Some(uid("acme-corp"));
        changed.throttle_rate = None;
        changed.updated_at = Timestamp::from_millis(app.updated_at.as_millis() + 1);
        store.update_app(changed.clone()).await.expect("update");
        let read = store.get_app("acme-corp").await.expect("get");
        assert_eq!(read, Some(changed), "{name}: update persisted");
        assert_eq!(store.get_app("acme").await.expect("get"), None, "{name}");

        let mut ghost = application(None);
        ghost.id = AppId::generate();
        let missing = store.update_app(ghost).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound)),
            "{name}: {missing:?}"
        );
    }
}

#[tokio::test]
async fn application_uid_clash_is_a_conflict_naming_the_uid() {
    for backend in common::backends("application_uid_clash_is_a_conflict").await {
        let (store, name) = (&backend.store, backend.name);
        store
            .create_app(application(Some("acme")))
            .await
            .expect("create");
        let clash = store.create_app(application(Some("acme"))).await;
        match clash {
            Err(StoreError::Conflict(text)) => {
                assert!(text.contains("uid"), "{name}: {text}")
            }
            other => panic!("{name}: expected a conflict, got {other:?}"),
        }
        let other = store
            .create_app(application(Some("other")))
            .await
            .expect("create");
        let mut renamed = other.clone();
        renamed.uid = Some(uid("acme"));
        let clash = store.update_app(renamed).await;
        assert!(
            matches!(clash, Err(StoreError::Conflict(_))),
            "{name}: {clash:?}"
        );
    }
}

#[tokio::test]
async fn event_types_round_trip_and_refuse_duplicates() {
    for backend in common::backends("event_types_round_trip").await {
        let (store, name) = (&backend.store, backend.name);
        let created = store
            .create_event_type(event_type("invoice.paid"))
            .await
            .expect("create");
        let read = store.get_event_type("invoice.paid").await.expect("get");
        assert_eq!(read.as_ref(), Some(&created), "{name}");

        let clash = store.create_event_type(event_type("invoice.paid")).await;
        match clash {
            Err(StoreError::Conflict(text)) => {
                assert!(text.contains("invoice.paid"), "{name}: {text}")
            }
            other => panic!("{name}: expected a conflict, got {other:?}"),
        }

        // Upsert replaces everything but the creation time.
        let mut replaced = event_type("invoice.paid");
        replaced.description = "Paid in full".into();
        replaced.archived = true;
        replaced.schemas = None;
        replaced.created_at = Timestamp::from_millis(created.created_at.as_millis() + 5_000);
        let stored = store
            .upsert_event_type(replaced.clone())
            .await
            .expect("upsert");
        assert_eq!(stored.description, "Paid in full", "{name}");
        assert!(
            stored.archived && stored.schemas.is_none(),
            "{name}: {stored:?}"
        );
        assert_eq!(
            stored.created_at, created.created_at,
            "{name}: creation kept"
        );
        let fresh = store
            .upsert_event_type(event_type("invoice.void"))
            .await
            .expect("upsert creates");
        assert_eq!(fresh.name.as_str(), "invoice.void", "{name}");

        store
            .delete_event_type(&event_type_name("invoice.void"))
            .await
            .expect("delete");
        assert_eq!(
            store.get_event_type("invoice.void").await.expect("get"),
            None
        );
        let again = store
            .delete_event_type(&event_type_name("invoice.void"))
            .await;
        assert!(
            matches!(again, Err(StoreError::NotFound)),
            "{name}: {again:?}"
        );
    }
}

#[tokio::test]
async fn endpoints_round_trip_by_id_and_uid_within_their_application() {
    for backend in common::backends("endpoints_round_trip").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let other_app = new_app(store).await;
        let mut ep = endpoint(&app);
        ep.uid = Some(uid("billing"));
        ep.event_types = Some(vec![event_type_name("invoice.paid")]);
        ep.channels = Some(vec![channel("eu")]);
        ep.throttle_rate = Some(7);
        let ep = store.create_endpoint(ep).await.expect("create");

        let by_id = store.get_endpoint(&app, ep.id.as_str()).await.expect("get");
        assert_eq!(by_id.as_ref(), Some(&ep), "{name}: by id");
        let by_uid = store.get_endpoint(&app, "billing").await.expect("get");
        assert_eq!(by_uid.as_ref(), Some(&ep), "{name}: by uid");
        let elsewhere = store
            .get_endpoint(&other_app, "billing")
            .await
            .expect("get");
        assert_eq!(elsewhere, None, "{name}: uids are per application");

        // The same uid in another application is fine; twice in one is a conflict.
        let mut twin = endpoint(&other_app);
        twin.uid = Some(uid("billing"));
        store
            .create_endpoint(twin)
            .await
            .expect("uid in another app");
        let mut clash = endpoint(&app);
        clash.uid = Some(uid("billing"));
        match store.create_endpoint(clash).await {
            Err(StoreError::Conflict(text)) => assert!(text.contains("uid"), "{name}: {text}"),
            other => panic!("{name}: expected a conflict, got {other:?}"),
        }

        // Updates change everything but the secret.
        let mut changed = ep.clone();
        changed.description = "invoices".into();
        changed.disabled = true;
        changed.event_types = None;
        changed.secret = "whsec_changed".into();
        store
            .update_endpoint(changed.clone())
            .await
            .expect("update");
        let read = store
            .get_endpoint(&app, ep.id.as_str())
            .await
            .expect("get")
            .expect("present");
        assert_eq!(read.description, "invoices", "{name}");
        assert!(
            read.disabled && read.event_types.is_none(),
            "{name}: {read:?}"
        );
        assert_eq!(
            read.secret, ep.secret,
            "{name}: update leaves the secret alone"
        );

        let mut wrong_app = changed.clone();
        wrong_app.app_id = other_app.clone();
        let missing = store.update_endpoint(wrong_app).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound)),
            "{name}: {missing:?}"
        );
        let missing = store.delete_endpoint(&other_app, &ep.id).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound)),
            "{name}: {missing:?}"
        );
        store.delete_endpoint(&app, &ep.id).await.expect("delete");
        assert_eq!(
            store.get_endpoint(&app, ep.id.as_str()).await.expect("get"),
            None
        );
    }
}

#[tokio::test]
async fn a_message_plans_deliveries_only_for_endpoints_that_receive_it() {
    for backend in common::backends("message_fan_out").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let all = add_endpoint(store, endpoint(&app)).await;
        let mut paid_only = endpoint(&app);
        paid_only.event_types = Some(vec![event_type_name("invoice.paid")]);
        let paid_only = add_endpoint(store, paid_only).await;
        let mut void_only = endpoint(&app);
        void_only.event_types = Some(vec![event_type_name("invoice.void")]);
        add_endpoint(store, void_only).await;
        let mut eu = endpoint(&app);
        eu.channels = Some(vec![channel("eu")]);
        let eu = add_endpoint(store, eu).await;
        let mut us = endpoint(&app);
        us.channels = Some(vec![channel("us")]);
        add_endpoint(store, us).await;
        let mut disabled = endpoint(&app);
        disabled.disabled = true;
        add_endpoint(store, disabled).await;
        // Another application's endpoint never receives this application's messages.
        let other_app = new_app(store).await;
        add_endpoint(store, endpoint(&other_app)).await;

        let mut msg = message(&app, "invoice.paid");
        msg.channels = Some(vec![channel("eu"), channel("fr")]);
        let accepted = store.create_message(msg.clone()).await.expect("create");
        assert_eq!(accepted.message, msg, "{name}");
        assert_eq!(accepted.deliveries, 3, "{name}");

        let page = store
            .list_message_deliveries(
                &app,
                msg.id.as_str(),
                &PageRequest::first(50, Order::Ascending),
            )
            .await
            .expect("deliveries");
        let mut got: Vec<EndpointId> = page.items.iter().map(|(e, _)| e.id.clone()).collect();
        let mut want = vec![all, paid_only, eu];
        got.sort();
        want.sort();
        assert_eq!(got, want, "{name}");
        for (_, delivery) in &page.items {
            assert_eq!(delivery.status, DeliveryStatus::Pending, "{name}");
            assert_eq!(delivery.attempt_count, 0, "{name}");
            assert_eq!(
                delivery.next_attempt_at,
                Some(msg.created_at),
                "{name}: due at once"
            );
            assert_eq!(delivery.msg_id, msg.id, "{name}");
        }

        // Untagged messages skip channel-filtered endpoints.
        let plain = store
            .create_message(message(&app, "invoice.void"))
            .await
            .expect("create");
        assert_eq!(
            plain.deliveries, 2,
            "{name}: the catch-all and the void endpoint"
        );

        let read = store.get_message(&app, msg.id.as_str()).await.expect("get");
        assert_eq!(read, Some(msg), "{name}: payload bytes kept");
    }
}

#[tokio::test]
async fn a_duplicate_event_id_is_a_conflict_that_writes_nothing() {
    for backend in common::backends("duplicate_event_id").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let ep = add_endpoint(store, endpoint(&app)).await;
        let mut first = message(&app, "invoice.paid");
        first.event_id = Some(uid("evt-1"));
        store.create_message(first.clone()).await.expect("create");

        let mut second = message(&app, "invoice.paid");
        second.event_id = Some(uid("evt-1"));
        match store.create_message(second.clone()).await {
            Err(StoreError::Conflict(text)) => {
                assert!(text.contains("eventId"), "{name}: {text}")
            }
            other => panic!("{name}: expected a conflict, got {other:?}"),
        }
        assert_eq!(
            store
                .get_message(&app, second.id.as_str())
                .await
                .expect("get"),
            None
        );
        let by_event = store.get_message(&app, "evt-1").await.expect("get");
        assert_eq!(by_event, Some(first), "{name}: found by event id");
        let planned = store
            .list_endpoint_deliveries(
                &app,
                &ep,
                &Default::default(),
                &PageRequest::first(50, Order::Ascending),
            )
            .await
            .expect("deliveries");
        assert_eq!(
            planned.items.len(),
            1,
            "{name}: only the first message was planned"
        );

        // Event ids are unique per application.
        let other_app = new_app(store).await;
        let mut elsewhere = message(&other_app, "invoice.paid");
        elsewhere.event_id = Some(uid("evt-1"));
        store
            .create_message(elsewhere)
            .await
            .expect("same event id, other app");
    }
}
