//! Recording attempts: the delivery's new state, the attempt and its headers, `410` disabling,
//! operational events, deleted deliveries, and all-or-nothing batches.

use std::sync::Arc;

use hookline_core::exchange::AttemptHeaders;
use hookline_core::model::{Attempt, DeliveryStatus};
use hookline_core::operational::operational_app_id;
use hookline_core::{AppId, MessageId};
use hookline_store::query::AttemptFilter;
use hookline_store::{Order, PageRequest, Store};

use crate::fixture::{Fixture, add_endpoint, delivered, failed, now};

async fn attempts_of(store: &Arc<dyn Store>, app: &AppId, msg: &MessageId) -> Vec<Attempt> {
    let filter = AttemptFilter {
        msg_id: Some(msg.to_string()),
        ..AttemptFilter::default()
    };
    let page = PageRequest::first(50, Order::Ascending);
    store
        .list_attempts(app, &filter, &page)
        .await
        .expect("attempts")
        .items
}

#[tokio::test]
async fn a_recorded_attempt_settles_its_delivery_and_keeps_its_headers() {
    for f in Fixture::each("record_settles").await {
        let name = f.name;
        f.endpoint().await;
        let msg = f.message().await;
        let job = f.claim(vec![]).await.remove(0);
        let mut record = delivered(&job);
        let headers = AttemptHeaders {
            sent: vec![
                ("webhook-id".into(), msg.to_string()),
                ("authorization".into(), String::new()),
            ],
            response: Some(vec![("x-answer".into(), "yes".into())]),
            sensitive: vec!["authorization".into()],
        };
        record.headers = Some(headers.clone());
        f.store
            .record_attempts(vec![record.clone()])
            .await
            .expect("record");
        let attempts = attempts_of(&f.store, &f.app, &msg).await;
        assert_eq!(attempts, vec![record.attempt.clone()], "{name}");
        let stored = f
            .store
            .attempt_headers(&f.app, &msg, record.attempt.id.as_str())
            .await
            .expect("headers");
        assert_eq!(stored, Some(headers), "{name}");
        let page = PageRequest::first(10, Order::Ascending);
        let deliveries = f
            .store
            .list_message_deliveries(&f.app, msg.as_str(), &page)
            .await
            .expect("deliveries");
        let delivery = &deliveries.items[0].1;
        assert_eq!(delivery.status, DeliveryStatus::Success, "{name}");
        assert_eq!(delivery.attempt_count, 1, "{name}");
        assert_eq!(delivery.next_attempt_at, None, "{name}");
        assert!(
            f.claim(vec![]).await.is_empty(),
            "{name}: nothing left to send"
        );
    }
}

#[tokio::test]
async fn a_delivery_deleted_while_in_flight_is_skipped_and_the_rest_recorded() {
    for f in Fixture::each("record_deleted_delivery").await {
        let name = f.name;
        let (gone, kept) = (f.endpoint().await, f.endpoint().await);
        let msg = f.message().await;
        let jobs = f.claim(vec![]).await;
        assert_eq!(jobs.len(), 2, "{name}");
        f.store
            .delete_endpoint(&f.app, &gone)
            .await
            .expect("delete");
        let records: Vec<_> = jobs.iter().map(delivered).collect();
        f.store.record_attempts(records).await.expect("record");
        let attempts = attempts_of(&f.store, &f.app, &msg).await;
        assert_eq!(attempts.len(), 1, "{name}");
        assert_eq!(attempts[0].endpoint_id, kept, "{name}");
    }
}

#[tokio::test]
async fn a_batch_is_recorded_whole_or_not_at_all() {
    for f in Fixture::each("record_batch_atomic").await {
        let name = f.name;
        f.endpoint().await;
        let (first, second) = (f.message().await, f.message().await);
        let jobs = f.claim(vec![]).await;
        let good = delivered(&jobs[0]);
        // The same attempt id twice: the second insert fails, so the batch must leave no trace.
        let mut clash = delivered(&jobs[1]);
        clash.attempt.id = good.attempt.id.clone();
        let err = f.store.record_attempts(vec![good.clone(), clash]).await;
        assert!(
            err.is_err(),
            "{name}: a clashing attempt id fails the batch"
        );
        for msg in [&first, &second] {
            assert!(
                attempts_of(&f.store, &f.app, msg).await.is_empty(),
                "{name}: nothing of a failed batch stays"
            );
        }
        assert_eq!(
            f.store.next_due_at().await.expect("next"),
            jobs[0].delivery.next_attempt_at,
            "{name}: the deliveries are still leased"
        );
        // The engine retries the batch; this time it goes through.
        let retry = vec![good, delivered(&jobs[1])];
        f.store.record_attempts(retry).await.expect("record");
        assert_eq!(f.store.next_due_at().await.expect("next"), None, "{name}");
    }
}

#[tokio::test]
async fn a_410_disables_the_endpoint_and_operational_endpoints_hear_of_it() {
    for f in Fixture::each("record_gone").await {
        let name = f.name;
        let ep = f.endpoint().await;
        let watcher = add_endpoint(&f.store, &operational_app_id(), None).await;
        f.message().await;
        f.message().await;
        let jobs = f.claim(vec![]).await;
        assert_eq!(jobs.len(), 2, "{name}");
        // Both in-flight requests answer 410; the endpoint is disabled once, reported once.
        let records = jobs
            .iter()
            .map(|job| {
                let mut record = failed(job, now(), false);
                record.attempt.response_status_code = 410;
                record.attempt.next_attempt_at = None;
                record.delivery_status = DeliveryStatus::Fail;
                record.next_attempt_at = None;
                record.disable_endpoint = true;
                record
            })
            .collect();
        f.store.record_attempts(records).await.expect("record");
        let endpoint = f
            .store
            .get_endpoint(&f.app, ep.as_str())
            .await
            .expect("get")
            .expect("exists");
        assert!(endpoint.disabled, "{name}: 410 disables the endpoint");
        let events = f.claim(vec![]).await;
        assert!(
            events.iter().all(|job| job.endpoint.id == watcher),
            "{name}"
        );
        let mut types: Vec<String> = events
            .iter()
            .map(|job| job.message.event_type.to_string())
            .collect();
        types.sort();
        assert_eq!(
            types,
            vec![
                "endpoint.disabled",
                "message.attempt.exhausted",
                "message.attempt.exhausted"
            ],
            "{name}"
        );
        let disabled = events
            .iter()
            .find(|job| job.message.event_type.as_str() == "endpoint.disabled")
            .expect("reported");
        let payload: serde_json::Value =
            serde_json::from_str(disabled.message.payload.as_deref().expect("payload"))
                .expect("json");
        assert_eq!(payload["data"]["endpointId"], ep.as_str(), "{name}");
    }
}

#[tokio::test]
async fn events_are_emitted_only_when_an_operational_endpoint_receives_them() {
    for f in Fixture::each("record_operational_filter").await {
        let name = f.name;
        let ep = f.endpoint().await;
        let events = [
            hookline_core::operational::OperationalEvent::EndpointEnabled(
                hookline_core::operational::EndpointRef {
                    app_id: f.app.clone(),
                    app_uid: None,
                    endpoint_id: ep.clone(),
                    endpoint_uid: None,
                },
            ),
        ];
        let stored = f.store.emit_operational(events.to_vec()).await;
        assert_eq!(stored.expect("emit"), 0, "{name}: nobody listens");
        let mut only_failures = crate::fixture::endpoint_record(&operational_app_id(), None);
        only_failures.event_types = Some(vec![hookline_core::EventTypeName::from_trusted(
            "message.attempt.failing".into(),
        )]);
        f.store
            .create_endpoint(only_failures)
            .await
            .expect("watcher");
        let stored = f.store.emit_operational(events.to_vec()).await;
        assert_eq!(
            stored.expect("emit"),
            0,
            "{name}: nobody listens to this type"
        );
        add_endpoint(&f.store, &operational_app_id(), None).await;
        let stored = f.store.emit_operational(events.to_vec()).await;
        assert_eq!(stored.expect("emit"), 1, "{name}");
        let jobs = f.claim(vec![]).await;
        assert_eq!(
            jobs.len(),
            1,
            "{name}: planned for the endpoint that receives it"
        );
        assert_eq!(
            jobs[0].message.event_type.as_str(),
            "endpoint.enabled",
            "{name}"
        );
    }
}
