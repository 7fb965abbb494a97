//! Many nodes share one PostgreSQL database: the same event id sent to two of them at once is
//! accepted once, and an endpoint deleted while a message fans out never fails the message.

use hookline_core::MessageId;
use hookline_store::StoreError;
use hookline_store::page::{Order, PageRequest};

use crate::common;
use crate::fixtures::{add_endpoint, endpoint, message, new_app, uid};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_event_id_sent_twice_at_once_is_accepted_once() {
    let Some(backend) = common::postgres("same_event_id_at_once").await else {
        return;
    };
    let store = &backend.store;
    let app = new_app(store).await;
    let ep = add_endpoint(store, endpoint(&app)).await;
    for round in 0..20 {
        let event_id = uid(&format!("evt-{round}"));
        let attempts = (0..2).map(|_| {
            let store = store.clone();
            let mut msg = message(&app, "invoice.paid");
            msg.event_id = Some(event_id.clone());
            tokio::spawn(async move { store.create_message(msg).await })
        });
        let mut accepted = Vec::new();
        let mut refused = 0;
        for outcome in futures::future::join_all(attempts).await {
            match outcome.expect("task") {
                Ok(created) => accepted.push(created),
                Err(StoreError::Conflict(text)) => {
                    assert!(text.contains("eventId"), "round {round}: {text}");
                    refused += 1;
                }
                Err(other) => panic!("round {round}: unexpected {other:?}"),
            }
        }
        assert_eq!((accepted.len(), refused), (1, 1), "round {round}");
        assert_eq!(accepted[0].deliveries, 1, "round {round}");
        let stored = store
            .get_message(&app, event_id.as_str())
            .await
            .expect("get")
            .expect("stored");
        assert_eq!(stored.id, accepted[0].message.id, "round {round}");
    }
    // Exactly one delivery per event: the loser left nothing behind.
    let mut request = PageRequest::first(250, Order::Ascending);
    let mut planned: Vec<MessageId> = Vec::new();
    loop {
        let page = store
            .list_endpoint_deliveries(&app, &ep, &Default::default(), &request)
            .await
            .expect("list");
        planned.extend(page.items.into_iter().map(|(m, _)| m.id));
        if page.done {
            break;
        }
        request.iterator = page.iterator;
    }
    assert_eq!(planned.len(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_deleted_while_a_message_fans_out_never_fails_the_message() {
    for backend in common::backends("endpoint_deleted_during_fan_out").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let stays = add_endpoint(store, endpoint(&app)).await;
        for round in 0..20 {
            let doomed = add_endpoint(store, endpoint(&app)).await;
            let create = {
                let store = store.clone();
                let msg = message(&app, "invoice.paid");
                tokio::spawn(async move { store.create_message(msg).await })
            };
            let delete = {
                let (store, app) = (store.clone(), app.clone());
                tokio::spawn(async move { store.delete_endpoint(&app, &doomed).await })
            };
            delete.await.expect("task").expect("delete");
            let accepted = create
                .await
                .expect("task")
                .expect("the message is accepted");
            // Planned for the doomed endpoint only if it committed first (and then deleted).
            let all = PageRequest::first(50, Order::Ascending);
            let planned = store
                .list_message_deliveries(&app, accepted.message.id.as_str(), &all)
                .await
                .expect("list");
            let endpoints: Vec<_> = planned.items.iter().map(|(e, _)| e.id.clone()).collect();
            assert_eq!(endpoints, vec![stays.clone()], "{name}: round {round}");
        }
    }
}
