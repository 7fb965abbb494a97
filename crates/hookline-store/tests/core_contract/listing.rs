//! Listings: keyset pages forwards and backwards in both orders, and the message filters.

use std::future::Future;

use hookline_core::model::DeliveryStatus;
use hookline_core::{AppId, MessageId, Timestamp};
use hookline_store::page::{Order, Page, PageRequest};
use hookline_store::query::MessageFilter;

use crate::common;
use crate::fixtures::{
    add_endpoint, application, channel, endpoint, event_type, event_type_name, message, new_app,
};

/// Every page of a listing read forwards, then read back from the last page to the first with
/// the `prev_iterator`s: both walks must see the same pages.
async fn walk_both_ways<T, F, Fut>(limit: u32, order: Order, fetch: F) -> Vec<Vec<String>>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Page<T>>,
    T: Keyed,
{
    let mut forward = Vec::new();
    let mut request = PageRequest::first(limit, order);
    loop {
        let page = fetch(request.clone()).await;
        forward.push((
            page.items.iter().map(T::key).collect::<Vec<_>>(),
            page.clone_cursors(),
        ));
        if page.done {
            break;
        }
        request.iterator = page.iterator;
        assert!(forward.len() < 100, "the listing never ends");
    }
    // From the last page, walk back.
    let mut back = Vec::new();
    let mut prev = forward.last().and_then(|(_, (_, prev))| prev.clone());
    while let Some(cursor) = prev {
        let page = fetch(PageRequest {
            limit,
            iterator: Some(cursor),
            order,
        })
        .await;
        if page.items.is_empty() {
            break;
        }
        back.push(page.items.iter().map(T::key).collect::<Vec<_>>());
        prev = page.prev_iterator;
        assert!(back.len() < 100, "the listing never starts");
    }
    back.reverse();
    let forward: Vec<Vec<String>> = forward.into_iter().map(|(keys, _)| keys).collect();
    assert_eq!(
        back,
        forward[..forward.len() - 1],
        "walking back gives the same pages"
    );
    forward
}

trait Keyed {
    fn key(&self) -> String;
}

impl Keyed for hookline_core::model::Application {
    fn key(&self) -> String {
        self.id.to_string()
    }
}

impl Keyed for hookline_core::model::Message {
    fn key(&self) -> String {
        self.id.to_string()
    }
}

impl Keyed for hookline_core::model::EventType {
    fn key(&self) -> String {
        self.name.to_string()
    }
}

trait Cursors {
    fn clone_cursors(&self) -> (Option<String>, Option<String>);
}

impl<T> Cursors for Page<T> {
    fn clone_cursors(&self) -> (Option<String>, Option<String>) {
        (self.iterator.clone(), self.prev_iterator.clone())
    }
}

fn chunks(keys: &[String], size: usize) -> Vec<Vec<String>> {
    keys.chunks(size).map(<[String]>::to_vec).collect()
}

#[tokio::test]
async fn applications_page_forwards_and_backwards_in_both_orders() {
    for backend in common::backends("applications_page_both_ways").await {
        let (store, name) = (&backend.store, backend.name);
        let mut ids = Vec::new();
        for _ in 0..5 {
            let app = store.create_app(application(None)).await.expect("create");
            ids.push(app.id.to_string());
        }
        ids.sort();
        let fetch = |page: PageRequest| async move { store.list_apps(&page).await.expect("list") };

        // Internal applications (the operational one) are never listed.
        let ascending = walk_both_ways(2, Order::Ascending, fetch).await;
        assert_eq!(ascending, chunks(&ids, 2), "{name}: ascending");
        ids.reverse();
        let descending = walk_both_ways(2, Order::Descending, fetch).await;
        assert_eq!(descending, chunks(&ids, 2), "{name}: descending");

        let exact = walk_both_ways(5, Order::Descending, fetch).await;
        assert_eq!(exact, vec![ids.clone()], "{name}: one full page is done");
    }
}

#[tokio::test]
async fn event_type_listings_hide_archived_types_unless_asked() {
    for backend in common::backends("event_types_hide_archived").await {
        let (store, name) = (&backend.store, backend.name);
        for raw in ["a.one", "b.two", "c.three", "d.four"] {
            let mut et = event_type(raw);
            et.archived = raw == "b.two";
            store.create_event_type(et).await.expect("create");
        }
        let visible = walk_both_ways(2, Order::Ascending, |page: PageRequest| async move {
            store.list_event_types(&page, false).await.expect("list")
        })
        .await;
        assert_eq!(
            visible,
            vec![vec!["a.one", "c.three"], vec!["d.four"]],
            "{name}"
        );
        let all = walk_both_ways(3, Order::Descending, |page: PageRequest| async move {
            store.list_event_types(&page, true).await.expect("list")
        })
        .await;
        assert_eq!(
            all,
            vec![vec!["d.four", "c.three", "b.two"], vec!["a.one"]],
            "{name}"
        );
    }
}

#[tokio::test]
async fn endpoint_listings_hold_only_their_application() {
    for backend in common::backends("endpoint_listing").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let other = new_app(store).await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(add_endpoint(store, endpoint(&app)).await.to_string());
            add_endpoint(store, endpoint(&other)).await;
        }
        ids.sort();
        let mut request = PageRequest::first(2, Order::Ascending);
        let mut seen = Vec::new();
        loop {
            let page = store.list_endpoints(&app, &request).await.expect("list");
            seen.extend(page.items.iter().map(|e| e.id.to_string()));
            if page.done {
                break;
            }
            request.iterator = page.iterator;
        }
        assert_eq!(seen, ids, "{name}");
    }
}

/// Five messages a second apart: types alternate, every other one tagged `eu`.
async fn five_messages(
    store: &std::sync::Arc<dyn hookline_store::Store>,
    app: &AppId,
) -> Vec<MessageId> {
    let mut ids = Vec::new();
    for i in 0..5i64 {
        let kind = if i % 2 == 0 {
            "invoice.paid"
        } else {
            "invoice.void"
        };
        let mut msg = message(app, kind);
        msg.id = MessageId::generate_at(1_700_000_000_000 + i as u64 * 1_000);
        msg.created_at = Timestamp::from_millis(1_700_000_000_000 + i * 1_000);
        msg.channels = (i % 2 == 0).then(|| vec![channel("eu"), channel(&format!("n{i}"))]);
        ids.push(store.create_message(msg).await.expect("create").message.id);
    }
    ids
}

fn at(second: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(1_700_000_000_000 + second * 1_000))
}

#[tokio::test]
async fn messages_filter_by_channel_event_type_and_time() {
    for backend in common::backends("message_filters").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let ep = add_endpoint(store, endpoint(&app)).await;
        let ids = five_messages(store, &app).await;
        // Another application's messages never show.
        five_messages(store, &new_app(store).await).await;

        let cases = [
            ("no filter", MessageFilter::default(), vec![0, 1, 2, 3, 4]),
            (
                "channel",
                MessageFilter {
                    channel: Some(channel("eu")),
                    ..Default::default()
                },
                vec![0, 2, 4],
            ),
            (
                "one channel of several",
                MessageFilter {
                    channel: Some(channel("n2")),
                    ..Default::default()
                },
                vec![2],
            ),
            (
                "event types",
                MessageFilter {
                    event_types: Some(vec![event_type_name("invoice.void")]),
                    ..Default::default()
                },
                vec![1, 3],
            ),
            (
                "several event types",
                MessageFilter {
                    event_types: Some(vec![
                        event_type_name("invoice.void"),
                        event_type_name("invoice.paid"),
                    ]),
                    ..Default::default()
                },
                vec![0, 1, 2, 3, 4],
            ),
            (
                "time window (exclusive)",
                MessageFilter {
                    after: at(0),
                    before: at(3),
                    ..Default::default()
                },
                vec![1, 2],
            ),
            (
                "everything at once",
                MessageFilter {
                    channel: Some(channel("eu")),
                    event_types: Some(vec![event_type_name("invoice.paid")]),
                    after: at(1),
                    ..Default::default()
                },
                vec![2, 4],
            ),
        ];
        let all = PageRequest::first(50, Order::Ascending);
        for (case, filter, want) in cases {
            let want: Vec<MessageId> = want.into_iter().map(|i| ids[i].clone()).collect();
            let messages = store
                .list_messages(&app, &filter, &all)
                .await
                .expect("list");
            let got: Vec<MessageId> = messages.items.into_iter().map(|m| m.id).collect();
            assert_eq!(got, want, "{name}: messages, {case}");

            let deliveries = store
                .list_endpoint_deliveries(&app, &ep, &filter, &all)
                .await
                .expect("list");
            let got: Vec<MessageId> = deliveries.items.into_iter().map(|(m, _)| m.id).collect();
            assert_eq!(got, want, "{name}: endpoint deliveries, {case}");
        }

        let pending = MessageFilter {
            status: Some(DeliveryStatus::Pending),
            ..Default::default()
        };
        let page = store
            .list_endpoint_deliveries(&app, &ep, &pending, &all)
            .await
            .expect("list");
        assert_eq!(page.items.len(), 5, "{name}: all pending");
        let delivered = MessageFilter {
            status: Some(DeliveryStatus::Success),
            ..Default::default()
        };
        let page = store
            .list_endpoint_deliveries(&app, &ep, &delivered, &all)
            .await
            .expect("list");
        assert!(page.items.is_empty(), "{name}: none delivered yet");

        // Message listings page like the others, newest first when asked.
        let mut newest_first: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
        newest_first.reverse();
        let pages = walk_both_ways(2, Order::Descending, |page: PageRequest| {
            let app = app.clone();
            async move {
                store
                    .list_messages(&app, &MessageFilter::default(), &page)
                    .await
                    .expect("list")
            }
        })
        .await;
        assert_eq!(pages, chunks(&newest_first, 2), "{name}");
    }
}
