//! Deletes: an application takes everything under it; an endpoint takes its deliveries.

use hookline_store::StoreError;
use hookline_store::page::{Order, PageRequest};

use crate::common;
use crate::fixtures::{add_endpoint, endpoint, message, new_app};

#[tokio::test]
async fn deleting_an_application_removes_everything_under_it() {
    for backend in common::backends("delete_app_cascades").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let ep = add_endpoint(store, endpoint(&app)).await;
        let msg = store
            .create_message(message(&app, "invoice.paid"))
            .await
            .expect("create")
            .message;
        let keep = new_app(store).await;
        let kept_ep = add_endpoint(store, endpoint(&keep)).await;
        let kept_msg = store
            .create_message(message(&keep, "invoice.paid"))
            .await
            .expect("create")
            .message;

        store.delete_app(&app).await.expect("delete");
        assert_eq!(
            store.get_app(app.as_str()).await.expect("get"),
            None,
            "{name}"
        );
        assert_eq!(
            store.get_endpoint(&app, ep.as_str()).await.expect("get"),
            None
        );
        assert_eq!(
            store.get_message(&app, msg.id.as_str()).await.expect("get"),
            None
        );
        let all = PageRequest::first(50, Order::Ascending);
        let gone = store
            .list_message_deliveries(&app, msg.id.as_str(), &all)
            .await;
        assert!(
            matches!(gone, Err(StoreError::NotFound)),
            "{name}: {gone:?}"
        );
        let none = store
            .list_endpoint_deliveries(&app, &ep, &Default::default(), &all)
            .await
            .expect("list");
        assert!(none.items.is_empty(), "{name}: deliveries deleted");
        let again = store.delete_app(&app).await;
        assert!(
            matches!(again, Err(StoreError::NotFound)),
            "{name}: {again:?}"
        );

        // The neighbour is untouched.
        assert!(
            store
                .get_endpoint(&keep, kept_ep.as_str())
                .await
                .expect("get")
                .is_some()
        );
        let deliveries = store
            .list_message_deliveries(&keep, kept_msg.id.as_str(), &all)
            .await
            .expect("list");
        assert_eq!(deliveries.items.len(), 1, "{name}");
    }
}

#[tokio::test]
async fn deleting_an_endpoint_removes_its_deliveries_but_not_the_messages() {
    for backend in common::backends("delete_endpoint_cascades").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let gone = add_endpoint(store, endpoint(&app)).await;
        let stays = add_endpoint(store, endpoint(&app)).await;
        let msg = store
            .create_message(message(&app, "invoice.paid"))
            .await
            .expect("create");
        assert_eq!(msg.deliveries, 2, "{name}");

        store.delete_endpoint(&app, &gone).await.expect("delete");
        let all = PageRequest::first(50, Order::Ascending);
        let left = store
            .list_message_deliveries(&app, msg.message.id.as_str(), &all)
            .await
            .expect("list");
        let endpoints: Vec<_> = left.items.iter().map(|(e, _)| e.id.clone()).collect();
        assert_eq!(endpoints, vec![stays], "{name}");
        let read = store
            .get_message(&app, msg.message.id.as_str())
            .await
            .expect("get");
        assert_eq!(read, Some(msg.message.clone()), "{name}: the message stays");

        // Later messages plan nothing for the deleted endpoint.
        let next = store
            .create_message(message(&app, "invoice.paid"))
            .await
            .expect("create");
        assert_eq!(next.deliveries, 1, "{name}");
    }
}
