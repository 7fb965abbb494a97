//! Messages: fan-out to the endpoints that receive them, event ids, lookups.

use hookline_core::EndpointId;
use hookline_core::model::DeliveryStatus;
use hookline_store::StoreError;
use hookline_store::page::{Order, PageRequest};

use crate::common;
use crate::fixtures::{add_endpoint, channel, endpoint, event_type_name, message, new_app, uid};

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
