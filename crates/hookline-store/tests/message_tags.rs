//! Message tags on every backend: stored with the message, read back in order, and a filter on
//! every listing that takes message filters (messages, an endpoint's messages, attempts).

// The fixture's items are `pub` for every test binary that includes it.
#[allow(unreachable_pub)]
mod common;
mod seed;

use hookline_core::model::DeliveryStatus;
use hookline_core::{MessageId, Tag, Timestamp};
use hookline_store::query::{AttemptFilter, MessageFilter};
use hookline_store::{Order, PageRequest};

fn by_tag(tag: &str) -> MessageFilter {
    MessageFilter {
        tag: Some(Tag::parse(tag).expect("tag")),
        ..MessageFilter::default()
    }
}

fn first_page() -> PageRequest {
    PageRequest::first(50, Order::Ascending)
}

#[tokio::test]
async fn tags_are_stored_with_the_message_and_narrow_every_message_listing() {
    let test = "tags_are_stored_with_the_message_and_narrow_every_message_listing";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let endpoint = seed::endpoint(store, &app, None).await;
        let now = Timestamp::now();
        let tags = ["billing/eu", r"team\ops#1"];
        let eu = seed::send(
            store,
            seed::with_tags(seed::message_at(&app, "a", now), &tags),
        )
        .await;
        let us = seed::send(
            store,
            seed::with_tags(seed::message_at(&app, "a", now), &["billing/us"]),
        )
        .await;
        let untagged = seed::message(store, &app, "a").await;

        let read = store
            .get_message(&app, eu.as_str())
            .await
            .expect("get")
            .expect("found");
        let read_tags: Vec<&str> = read.tags.iter().flatten().map(Tag::as_str).collect();
        assert_eq!(read_tags, tags, "{name}: read back in order");
        let plain = store
            .get_message(&app, untagged.as_str())
            .await
            .expect("get");
        assert_eq!(plain.expect("found").tags, None, "{name}");

        let listed: Vec<MessageId> = store
            .list_messages(&app, &by_tag("billing/eu"), &first_page())
            .await
            .expect("list")
            .items
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(listed, vec![eu.clone()], "{name}: messages by tag");
        let none = store
            .list_messages(&app, &by_tag("billing"), &first_page())
            .await
            .expect("list");
        assert!(none.items.is_empty(), "{name}: tags match whole");

        let for_endpoint: Vec<MessageId> = store
            .list_endpoint_deliveries(&app, &endpoint, &by_tag("billing/us"), &first_page())
            .await
            .expect("list")
            .items
            .into_iter()
            .map(|(m, _)| m.id)
            .collect();
        assert_eq!(
            for_endpoint,
            vec![us],
            "{name}: an endpoint's messages by tag"
        );

        let done = DeliveryStatus::Success;
        let records = seed::claim(store)
            .await
            .iter()
            .map(|job| seed::attempt(job, done, done, None, Timestamp::now()))
            .collect();
        seed::record(store, records).await;
        let filter = AttemptFilter {
            endpoint_id: Some(endpoint.to_string()),
            message: by_tag(r"team\ops#1"),
            ..AttemptFilter::default()
        };
        let attempts = store
            .list_attempts(&app, &filter, &first_page())
            .await
            .expect("list attempts")
            .items;
        assert_eq!(attempts.len(), 1, "{name}: attempts by tag");
        assert_eq!(attempts[0].msg_id, eu, "{name}");
        let counted = store.count_attempts(&app, &filter, 100).await;
        assert_eq!(counted.expect("count"), (1, false), "{name}");
    }
}

#[tokio::test]
async fn a_delivery_job_carries_its_message_tags_and_payload_expiry() {
    let test = "a_delivery_job_carries_its_message_tags_and_payload_expiry";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        seed::endpoint(store, &app, None).await;
        let now = Timestamp::now();
        let mut message = seed::with_tags(seed::message_at(&app, "a", now), &["vip"]);
        let expiry = Timestamp::from_millis(now.as_millis() + 5 * 24 * 3600 * 1000);
        message.payload_expires_at = Some(expiry);
        let stored = store.create_message(message.clone()).await.expect("create");
        assert_eq!(stored.message, message, "{name}: stored as given");

        let jobs = seed::claim(store).await;
        assert_eq!(jobs.len(), 1, "{name}");
        assert_eq!(jobs[0].message.tags, message.tags, "{name}");
        assert_eq!(jobs[0].message.payload_expires_at, Some(expiry), "{name}");
    }
}
