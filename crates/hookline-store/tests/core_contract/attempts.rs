//! Attempt history: listed per application, narrowed by message, endpoint, outcome and status
//! class, and by the attempted message's own filters.

use hookline_core::AttemptId;
use hookline_core::model::{Attempt, Delivery, DeliveryStatus, Endpoint, TriggerType};
use hookline_store::page::{Order, PageRequest};
use hookline_store::query::{AttemptFilter, AttemptRecord, MessageFilter, StatusCodeClass};

use crate::common;
use crate::fixtures::{add_endpoint, endpoint, event_type_name, message, new_app, now};

/// The record of one attempt of `delivery` answered with `code`.
fn answered(endpoint: &Endpoint, delivery: &Delivery, code: u16) -> AttemptRecord {
    let status = if (200..300).contains(&code) {
        DeliveryStatus::Success
    } else {
        DeliveryStatus::Fail
    };
    AttemptRecord {
        attempt: Attempt {
            id: AttemptId::generate(),
            delivery_id: delivery.id.clone(),
            msg_id: delivery.msg_id.clone(),
            endpoint_id: endpoint.id.clone(),
            app_id: endpoint.app_id.clone(),
            url: endpoint.url.to_string(),
            status,
            response_status_code: code,
            response: String::new(),
            response_duration_ms: 3,
            trigger_type: TriggerType::Scheduled,
            attempt_number: delivery.attempt_count + 1,
            next_attempt_at: None,
            error_code: (code == 0).then(|| "connection_refused".to_owned()),
            created_at: now(),
        },
        delivery_status: status,
        next_attempt_at: None,
        disable_endpoint: false,
        ordered: false,
        health: None,
        headers: None,
    }
}

#[tokio::test]
async fn attempts_are_listed_by_message_endpoint_outcome_and_status_class() {
    for backend in common::backends("attempt_filters").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let first = add_endpoint(store, endpoint(&app)).await;
        let second = add_endpoint(store, endpoint(&app)).await;
        let paid = store
            .create_message(message(&app, "invoice.paid"))
            .await
            .expect("create")
            .message;
        let void = store
            .create_message(message(&app, "invoice.void"))
            .await
            .expect("create")
            .message;
        let all = PageRequest::first(50, Order::Ascending);

        // paid: 200 at the first endpoint, 503 at the second; void: 0 (no answer) at the first,
        // 404 at the second.
        let codes = [(&paid, [200, 503]), (&void, [0, 404])];
        let mut records = Vec::new();
        for (msg, [to_first, to_second]) in codes {
            let planned = store
                .list_message_deliveries(&app, msg.id.as_str(), &all)
                .await
                .expect("deliveries");
            for (ep, delivery) in &planned.items {
                let code = if ep.id == first { to_first } else { to_second };
                records.push(answered(ep, delivery, code));
            }
        }
        let ids: Vec<(u16, AttemptId)> = records
            .iter()
            .map(|r| (r.attempt.response_status_code, r.attempt.id.clone()))
            .collect();
        let id_of = |code: u16| {
            ids.iter()
                .find(|(c, _)| *c == code)
                .map(|(_, id)| id.clone())
                .expect("recorded")
        };
        store.record_attempts(records).await.expect("record");

        let cases = [
            (
                "everything",
                AttemptFilter::default(),
                vec![200, 503, 0, 404],
            ),
            (
                "one message",
                AttemptFilter {
                    msg_id: Some(paid.id.to_string()),
                    ..Default::default()
                },
                vec![200, 503],
            ),
            (
                "one endpoint",
                AttemptFilter {
                    endpoint_id: Some(second.to_string()),
                    ..Default::default()
                },
                vec![503, 404],
            ),
            (
                "one attempt",
                AttemptFilter {
                    attempt_id: Some(id_of(404).to_string()),
                    ..Default::default()
                },
                vec![404],
            ),
            (
                "failures",
                AttemptFilter {
                    status: Some(DeliveryStatus::Fail),
                    ..Default::default()
                },
                vec![503, 0, 404],
            ),
            (
                "client errors",
                AttemptFilter {
                    status_code_class: Some(StatusCodeClass::ClientError),
                    ..Default::default()
                },
                vec![404],
            ),
            (
                "no response",
                AttemptFilter {
                    status_code_class: Some(StatusCodeClass::NoResponse),
                    ..Default::default()
                },
                vec![0],
            ),
            (
                "the message's event type, at one endpoint",
                AttemptFilter {
                    endpoint_id: Some(first.to_string()),
                    message: MessageFilter {
                        event_types: Some(vec![event_type_name("invoice.void")]),
                        ..Default::default()
                    },
                    ..Default::default()
                },
                vec![0],
            ),
        ];
        for (case, filter, codes) in cases {
            let mut want: Vec<AttemptId> = codes.into_iter().map(id_of).collect();
            want.sort();
            let page = store
                .list_attempts(&app, &filter, &all)
                .await
                .expect("list");
            let got: Vec<AttemptId> = page.items.iter().map(|a| a.id.clone()).collect();
            assert_eq!(got, want, "{name}: {case}");
        }

        let stored = store
            .list_attempts(
                &app,
                &AttemptFilter {
                    attempt_id: Some(id_of(0).to_string()),
                    ..Default::default()
                },
                &all,
            )
            .await
            .expect("list");
        let attempt = &stored.items[0];
        assert_eq!(
            attempt.error_code.as_deref(),
            Some("connection_refused"),
            "{name}"
        );
        assert_eq!(attempt.msg_id, void.id, "{name}");
        assert_eq!(attempt.endpoint_id, first, "{name}");

        // Another application sees none of them.
        let other = new_app(store).await;
        let none = store
            .list_attempts(&other, &AttemptFilter::default(), &all)
            .await
            .expect("list");
        assert!(none.items.is_empty(), "{name}");
    }
}
