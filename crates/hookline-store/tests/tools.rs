//! The endpoint tools on every backend: example messages, statistics, attempt counts and
//! expunging content.

// The fixture's items are `pub` for every test binary that includes it.
#[allow(unreachable_pub)]
mod common;
mod seed;

use std::time::Duration;

use hookline_core::model::{DeliveryStatus, TriggerType};
use hookline_core::{AppId, Timestamp, Uid};
use hookline_store::query::AttemptFilter;
use hookline_store::tools::EndpointStats;
use hookline_store::{Order, PageRequest, Store, StoreError};

const HOUR: Duration = Duration::from_secs(3600);

async fn attempts(store: &dyn Store, app: &AppId, filter: AttemptFilter) -> Vec<String> {
    store
        .list_attempts(app, &filter, &PageRequest::first(50, Order::Ascending))
        .await
        .expect("list attempts")
        .items
        .into_iter()
        .map(|a| a.response)
        .collect()
}

#[tokio::test]
async fn an_example_message_goes_to_its_endpoint_only_now_as_a_manual_attempt() {
    let test = "an_example_message_goes_to_its_endpoint_only_now_as_a_manual_attempt";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let target = seed::endpoint(store, &app, None).await;
        seed::endpoint(store, &app, None).await;
        let example = seed::message_at(&app, "a", Timestamp::now());
        let stored = store
            .create_message_for_endpoint(example.clone(), &target)
            .await
            .expect("example");
        assert_eq!(stored, example, "{name}");

        let jobs = seed::claim(store).await;
        assert_eq!(jobs.len(), 1, "{name}: planned for one endpoint");
        assert_eq!(
            (&jobs[0].endpoint.id, &jobs[0].message.id),
            (&target, &example.id),
            "{name}"
        );
        let done = DeliveryStatus::Success;
        let record = seed::attempt(&jobs[0], done, done, None, Timestamp::now());
        seed::record(store, vec![record]).await;
        let sent = store
            .list_attempts(
                &app,
                &AttemptFilter::default(),
                &PageRequest::first(5, Order::Ascending),
            )
            .await
            .expect("attempts")
            .items;
        assert_eq!(sent[0].trigger_type, TriggerType::Manual, "{name}");
    }
}

#[tokio::test]
async fn endpoint_stats_count_deliveries_by_state_within_the_window() {
    let test = "endpoint_stats_count_deliveries_by_state_within_the_window";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let endpoint = seed::endpoint(store, &app, None).await;
        let now = Timestamp::now();
        let times = [now.minus(3 * HOUR), now.minus(2 * HOUR), now.minus(HOUR)];
        let mut ids = Vec::new();
        for at in times {
            ids.push(seed::send(store, seed::message_at(&app, "a", at)).await);
        }
        let jobs = seed::claim(store).await;
        let job = |i: usize| jobs.iter().find(|j| j.message.id == ids[i]).expect("job");
        let (done, fail) = (DeliveryStatus::Success, DeliveryStatus::Fail);
        seed::record(
            store,
            vec![
                seed::attempt(job(0), done, done, None, now),
                seed::attempt(job(1), fail, fail, None, now),
            ],
        )
        .await;
        seed::message(store, &app, "a").await; // waiting

        let all = store.endpoint_stats(&app, &endpoint, None, None).await;
        let expected = EndpointStats {
            success: 1,
            pending: 1,
            sending: 1,
            fail: 1,
        };
        assert_eq!(all.expect("stats"), expected, "{name}");
        let window = store
            .endpoint_stats(&app, &endpoint, Some(times[1]), Some(times[2]))
            .await;
        let only_second = EndpointStats {
            fail: 1,
            ..EndpointStats::default()
        };
        assert_eq!(
            window.expect("stats"),
            only_second,
            "{name}: [since, until)"
        );
        let other_app = seed::app(store).await;
        let elsewhere = store
            .endpoint_stats(&other_app, &endpoint, None, None)
            .await;
        assert_eq!(
            elsewhere.expect("stats"),
            EndpointStats::default(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn counting_attempts_stops_at_the_cap_and_follows_the_filter() {
    let test = "counting_attempts_stops_at_the_cap_and_follows_the_filter";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        seed::endpoint(store, &app, None).await;
        for _ in 0..3 {
            seed::message(store, &app, "a").await;
        }
        let jobs = seed::claim(store).await;
        let fail = DeliveryStatus::Fail;
        let records = jobs
            .iter()
            .map(|job| seed::attempt(job, fail, fail, None, Timestamp::now()))
            .collect();
        seed::record(store, records).await;

        let all = AttemptFilter::default();
        let app = &app;
        let count = |filter: AttemptFilter, cap| async move {
            store
                .count_attempts(app, &filter, cap)
                .await
                .expect("count")
        };
        assert_eq!(count(all.clone(), 2).await, (2, true), "{name}");
        assert_eq!(count(all.clone(), 3).await, (3, false), "{name}");
        assert_eq!(count(all, 10).await, (3, false), "{name}");
        let one_message = AttemptFilter {
            msg_id: Some(jobs[0].message.id.to_string()),
            ..AttemptFilter::default()
        };
        assert_eq!(count(one_message, 10).await, (1, false), "{name}");
        let succeeded = AttemptFilter {
            status: Some(DeliveryStatus::Success),
            ..AttemptFilter::default()
        };
        assert_eq!(count(succeeded, 10).await, (0, false), "{name}");
    }
}

#[tokio::test]
async fn an_expunged_message_keeps_no_payload_and_its_waiting_delivery_fails() {
    let test = "an_expunged_message_keeps_no_payload_and_its_waiting_delivery_fails";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let endpoint = seed::endpoint(store, &app, None).await;
        let mut message = seed::message_at(&app, "a", Timestamp::now());
        message.event_id = Some(Uid::parse("order-1").expect("uid"));
        let msg = seed::send(store, message).await;

        let elsewhere = seed::app(store).await;
        let wrong_app = store
            .expunge_message_content(&elsewhere, msg.as_str())
            .await;
        assert!(
            matches!(wrong_app, Err(StoreError::NotFound)),
            "{name}: {wrong_app:?}"
        );
        let unknown = store.expunge_message_content(&app, "order-2").await;
        assert!(
            matches!(unknown, Err(StoreError::NotFound)),
            "{name}: {unknown:?}"
        );

        store
            .expunge_message_content(&app, "order-1")
            .await
            .expect("expunge by event id");
        let read = store.get_message(&app, msg.as_str()).await.expect("get");
        assert_eq!(read.map(|m| m.payload), Some(None), "{name}");
        assert!(
            seed::claim(store).await.is_empty(),
            "{name}: nothing to send"
        );
        assert_eq!(seed::waiting(store, &app, &endpoint).await, 0, "{name}");
    }
}

#[tokio::test]
async fn an_expunged_attempt_keeps_no_response_body() {
    for backend in common::backends("an_expunged_attempt_keeps_no_response_body").await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        seed::endpoint(store, &app, None).await;
        let msg = seed::message(store, &app, "a").await;
        let other = seed::message(store, &app, "a").await;
        let jobs = seed::claim(store).await;
        let done = DeliveryStatus::Success;
        let records: Vec<_> = jobs
            .iter()
            .map(|job| seed::attempt(job, done, done, None, Timestamp::now()))
            .collect();
        let attempt = records
            .iter()
            .find(|r| r.attempt.msg_id == msg)
            .expect("an attempt of the message")
            .attempt
            .id
            .to_string();
        seed::record(store, records).await;

        let wrong_message = store
            .expunge_attempt_content(&app, other.as_str(), &attempt)
            .await;
        assert!(matches!(wrong_message, Err(StoreError::NotFound)), "{name}");
        let unknown = store
            .expunge_attempt_content(&app, msg.as_str(), "atmpt_unknown")
            .await;
        assert!(matches!(unknown, Err(StoreError::NotFound)), "{name}");
        store
            .expunge_attempt_content(&app, msg.as_str(), &attempt)
            .await
            .expect("expunge");

        let of = |msg: &hookline_core::MessageId| AttemptFilter {
            msg_id: Some(msg.to_string()),
            ..AttemptFilter::default()
        };
        assert_eq!(attempts(store, &app, of(&msg)).await, vec![""], "{name}");
        assert_eq!(
            attempts(store, &app, of(&other)).await,
            vec!["the receiver's answer"],
            "{name}: other attempts keep theirs"
        );
    }
}
