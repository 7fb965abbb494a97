//! Replaying an inbound event: to every enabled endpoint of its source, or one, never to an
//! attempt in flight, and only for the source's own events and endpoints.

use std::time::Duration;

use hookline_core::model::DeliveryStatus;
use hookline_core::{EndpointId, MessageId, Timestamp};
use hookline_store::StoreError;
use hookline_store::page::{Order, PageRequest};
use hookline_store::query::ClaimRequest;

use crate::common;
use crate::sources::{T0, event, forwarding_endpoint, new_source};

#[tokio::test]
async fn a_replay_re_queues_existing_deliveries_and_plans_new_endpoints() {
    for backend in common::backends("inbound_replay").await {
        let (store, name) = (&backend.store, backend.name);
        let source = store.create_source(new_source(None)).await.expect("create");
        let first = store
            .create_endpoint(forwarding_endpoint(&source))
            .await
            .expect("endpoint")
            .id;
        let (event, message) = event(&source, None, T0);
        let id = event.id.clone();
        store
            .accept_inbound(event, message, 60)
            .await
            .expect("accept");
        // In flight: the claim holds it, so a replay leaves it alone.
        let jobs = store
            .claim_due(ClaimRequest {
                now: Timestamp::from_millis(T0 + 1),
                limit: 10,
                lease: Duration::from_secs(30),
                exclude: Vec::new(),
            })
            .await
            .expect("claim");
        assert_eq!(jobs.len(), 1, "{name}");

        let added = store
            .create_endpoint(forwarding_endpoint(&source))
            .await
            .expect("endpoint")
            .id;
        let mut disabled = forwarding_endpoint(&source);
        disabled.disabled = true;
        let disabled = store.create_endpoint(disabled).await.expect("endpoint").id;
        let at = Timestamp::from_millis(T0 + 10);
        let planned = store
            .replay_inbound(&source.id, id.as_str(), None, at)
            .await
            .expect("replay");
        assert_eq!(planned, 1, "{name}: only the endpoint added since");
        // Once more: the new delivery is pending, not in flight, so it is planned again.
        let planned = store
            .replay_inbound(&source.id, id.as_str(), Some(&added), at)
            .await
            .expect("replay one");
        assert_eq!(planned, 1, "{name}");

        let deliveries = store
            .list_message_deliveries(
                &source.app_id,
                id.as_str(),
                &PageRequest::first(10, Order::Ascending),
            )
            .await
            .expect("deliveries");
        let status = |endpoint: &EndpointId| {
            deliveries
                .items
                .iter()
                .find(|(e, _)| &e.id == endpoint)
                .map(|(_, d)| (d.status, d.next_attempt_at))
        };
        assert_eq!(
            status(&added),
            Some((DeliveryStatus::Pending, Some(at))),
            "{name}"
        );
        assert_eq!(
            status(&first).map(|(s, _)| s),
            Some(DeliveryStatus::Sending),
            "{name}"
        );
        assert_eq!(status(&disabled), None, "{name}");

        let refused = store
            .replay_inbound(&source.id, id.as_str(), Some(&disabled), at)
            .await;
        assert!(
            matches!(refused, Err(StoreError::NotFound)),
            "{name}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn a_replay_names_only_the_sources_own_events_and_endpoints() {
    for backend in common::backends("inbound_replay_not_found").await {
        let (store, name) = (&backend.store, backend.name);
        let source = store.create_source(new_source(None)).await.expect("create");
        let other = store.create_source(new_source(None)).await.expect("create");
        let foreign = store
            .create_endpoint(forwarding_endpoint(&other))
            .await
            .expect("endpoint")
            .id;
        let (event, message) = event(&source, None, T0);
        let id = event.id.clone();
        store
            .accept_inbound(event, message, 60)
            .await
            .expect("accept");
        let at = Timestamp::from_millis(T0 + 1);
        let unknown = MessageId::generate();

        let no_targets = store
            .replay_inbound(&source.id, id.as_str(), None, at)
            .await;
        assert_eq!(no_targets.expect("replay"), 0, "{name}");
        for (source_id, event_id, endpoint) in [
            (&other.id, id.as_str(), None),
            (&source.id, unknown.as_str(), None),
            (&source.id, id.as_str(), Some(&foreign)),
        ] {
            let refused = store
                .replay_inbound(source_id, event_id, endpoint, at)
                .await;
            assert!(
                matches!(refused, Err(StoreError::NotFound)),
                "{name}: {refused:?}"
            );
        }
    }
}
