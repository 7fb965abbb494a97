//! The feed on every backend: commit order, filters, restarts; and on PostgreSQL, commit order
//! across transactions that overlap. Consumers of polling endpoints are in [`consumers`].

#[allow(unreachable_pub)]
mod common;
#[path = "feed/consumers.rs"]
mod consumers;

use std::sync::Arc;
use std::time::Duration;

use hookline_core::model::{Application, Message};
use hookline_core::{AppId, Channel, EndpointId, EventTypeName, MessageId, Timestamp};
use hookline_store::feed::{ConsumerState, FeedFilter, FeedPosition, FeedQuery};
use hookline_store::postgres::testing::TestDatabase;
use hookline_store::{PgOptions, PgStore, Store};

async fn new_app(store: &Arc<dyn Store>) -> AppId {
    let now = Timestamp::now();
    store
        .create_app(Application {
            id: AppId::generate(),
            uid: None,
            name: "Acme".into(),
            metadata: Default::default(),
            throttle_rate: None,
            created_at: now,
            updated_at: now,
        })
        .await
        .expect("app")
        .id
}

fn message(app: &AppId, id: MessageId, event_type: &str, channels: &[&str]) -> Message {
    Message {
        id,
        app_id: app.clone(),
        event_type: EventTypeName::parse(event_type).expect("name"),
        event_id: None,
        channels: (!channels.is_empty()).then(|| {
            channels
                .iter()
                .map(|c| Channel::parse(*c).expect("channel"))
                .collect()
        }),
        payload: Some("{}".into()),
        tags: None,
        payload_expires_at: None,
        created_at: Timestamp::now(),
    }
}

fn query(app: &AppId, after: FeedPosition, limit: u32) -> FeedQuery {
    FeedQuery {
        app: Some(app.clone()),
        after,
        filter: FeedFilter::all(),
        limit,
    }
}

#[tokio::test]
async fn a_message_committed_after_a_newer_id_is_still_read_after_it() {
    for backend in common::backends("feed_late_commit_of_an_older_id").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        // Two writers: the one holding the older id commits second.
        let older = MessageId::generate_at(1_700_000_000_000);
        let newer = MessageId::generate_at(1_700_000_000_500);
        store
            .create_message(message(&app, newer.clone(), "a", &[]))
            .await
            .expect("newer");
        let first = store
            .read_feed(query(&app, FeedPosition::START, 10))
            .await
            .expect("read");
        assert_eq!(first.items.len(), 1, "{name}");
        assert!(first.done, "{name}");
        store
            .create_message(message(&app, older.clone(), "a", &[]))
            .await
            .expect("older");
        let second = store
            .read_feed(query(&app, first.next, 10))
            .await
            .expect("read");
        let ids: Vec<_> = second.items.iter().map(|i| i.message.id.clone()).collect();
        assert_eq!(
            ids,
            vec![older],
            "{name}: the late commit must not be skipped"
        );
    }
}

#[tokio::test]
async fn batches_page_through_in_commit_order_and_filters_skip_ahead() {
    for backend in common::backends("feed_batches_and_filters").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let mut sent = Vec::new();
        for n in 0..7 {
            let kind = if n % 2 == 0 { "even" } else { "odd" };
            let channels: &[&str] = if n == 3 { &["vip"] } else { &[] };
            let accepted = store
                .create_message(message(&app, MessageId::generate(), kind, channels))
                .await
                .expect("message");
            sent.push(accepted.message.id);
        }
        let mut seen = Vec::new();
        let mut at = FeedPosition::START;
        loop {
            let batch = store.read_feed(query(&app, at, 3)).await.expect("read");
            seen.extend(batch.items.iter().map(|i| i.message.id.clone()));
            at = batch.next;
            if batch.done {
                break;
            }
        }
        assert_eq!(seen, sent, "{name}");

        let mut odd = query(&app, FeedPosition::START, 10);
        odd.filter =
            FeedFilter::all().event_types(Some(vec![EventTypeName::parse("odd").expect("n")]));
        let batch = store.read_feed(odd).await.expect("read");
        assert_eq!(batch.items.len(), 3, "{name}");
        assert_eq!(
            batch.next, batch.head,
            "{name}: a filtered read skips to the head"
        );

        let mut vip = query(&app, FeedPosition::START, 10);
        vip.filter = FeedFilter::all().channels(Some(vec![Channel::parse("vip").expect("c")]));
        let batch = store.read_feed(vip).await.expect("read");
        assert_eq!(batch.items.len(), 1, "{name}");
        assert_eq!(batch.items[0].message.id, sent[3], "{name}");
    }
}

#[tokio::test]
async fn the_environment_feed_holds_only_customer_messages() {
    for backend in common::backends("feed_environment").await {
        let (store, name) = (&backend.store, backend.name);
        let first = new_app(store).await;
        let second = new_app(store).await;
        for app in [&first, &second] {
            store
                .create_message(message(app, MessageId::generate(), "a", &[]))
                .await
                .expect("message");
        }
        let mut everything = query(&first, FeedPosition::START, 10);
        everything.app = None;
        let batch = store.read_feed(everything).await.expect("read");
        let apps: Vec<_> = batch
            .items
            .iter()
            .map(|i| i.message.app_id.clone())
            .collect();
        assert_eq!(apps, vec![first.clone(), second], "{name}");
        let one = store
            .read_feed(query(&first, FeedPosition::START, 10))
            .await
            .expect("read");
        assert_eq!(one.items.len(), 1, "{name}");
        assert_eq!(one.head, batch.head, "{name}: the head is the whole feed's");
    }
}

#[tokio::test]
async fn positions_and_consumers_survive_reopening_the_store() {
    for backend in common::backends("feed_survives_reopening").await {
        let name = backend.name;
        let app = new_app(&backend.store).await;
        for _ in 0..3 {
            backend
                .store
                .create_message(message(&app, MessageId::generate(), "a", &[]))
                .await
                .expect("message");
        }
        let head = backend.store.feed_head().await.expect("head");
        assert_eq!(head, FeedPosition::new(3), "{name}");

        let backend = backend.reopen().await;
        let store = &backend.store;
        assert_eq!(store.feed_head().await.expect("head"), head, "{name}");
        store
            .create_message(message(&app, MessageId::generate(), "a", &[]))
            .await
            .expect("message");
        let batch = store.read_feed(query(&app, head, 10)).await.expect("read");
        assert_eq!(batch.items.len(), 1, "{name}");
        assert_eq!(batch.items[0].position, FeedPosition::new(4), "{name}");

        // Consumers belong to endpoints; without one the foreign key refuses the row.
        let orphan = ConsumerState::new(EndpointId::generate(), "c1".into(), head);
        assert!(store.save_consumer(orphan).await.is_err(), "{name}");
    }
}

#[tokio::test]
async fn the_position_at_a_time_starts_at_messages_created_from_then_on() {
    for backend in common::backends("feed_position_at_a_time").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let early = MessageId::generate_at(1_700_000_000_000);
        let late = MessageId::generate_at(1_700_000_100_000);
        store
            .create_message(message(&app, early, "a", &[]))
            .await
            .expect("early");
        store
            .create_message(message(&app, late.clone(), "a", &[]))
            .await
            .expect("late");
        let at = store
            .feed_position_at(Some(&app), Timestamp::from_millis(1_700_000_050_000))
            .await
            .expect("position");
        let batch = store.read_feed(query(&app, at, 10)).await.expect("read");
        let ids: Vec<_> = batch.items.iter().map(|i| i.message.id.clone()).collect();
        assert_eq!(ids, vec![late], "{name}");
        let future = store
            .feed_position_at(None, Timestamp::from_millis(1_900_000_000_000))
            .await
            .expect("position");
        assert_eq!(future, store.feed_head().await.expect("head"), "{name}");
    }
}

#[tokio::test]
async fn committing_a_message_wakes_readers_subscribed_before_it() {
    for backend in common::backends("feed_wakes_readers").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let mut watch = store.feed_signal().subscribe();
        store
            .create_message(message(&app, MessageId::generate(), "a", &[]))
            .await
            .expect("message");
        let woke = tokio::time::timeout(Duration::from_secs(10), watch.changed()).await;
        assert_eq!(
            woke.ok(),
            Some(true),
            "{name}: the commit did not wake the reader"
        );
    }
}

/// One fresh PostgreSQL database with `nodes` stores on it (nodes sharing it), or `None`.
async fn postgres_nodes(test: &str, nodes: usize) -> Option<(TestDatabase, Vec<Arc<dyn Store>>)> {
    let db = TestDatabase::create(test).await.expect("test database")?;
    let mut stores: Vec<Arc<dyn Store>> = Vec::new();
    for _ in 0..nodes {
        let store = PgStore::connect(PgOptions::new(db.url()))
            .await
            .expect("open PostgreSQL");
        stores.push(Arc::new(store));
    }
    Some((db, stores))
}

#[tokio::test]
async fn on_postgres_a_transaction_begun_first_but_committed_last_is_read_after_the_position() {
    let Some((db, stores)) = postgres_nodes("feed_overlapping_transactions", 1).await else {
        return;
    };
    let store = &stores[0];
    let app = new_app(store).await;
    let (raw, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);

    // Another node's transaction inserts the older message first and commits last.
    let older = MessageId::generate();
    raw.batch_execute("BEGIN").await.expect("begin");
    raw.execute(
        "INSERT INTO messages (id, app_id, event_type, payload, created_at)
         VALUES ($1, $2, 'a', '{}', $3)",
        &[
            &older.as_str(),
            &app.as_str(),
            &Timestamp::now().as_millis(),
        ],
    )
    .await
    .expect("insert in the open transaction");
    let newer = store
        .create_message(message(&app, MessageId::generate(), "a", &[]))
        .await
        .expect("newer")
        .message
        .id;
    let first = store
        .read_feed(query(&app, FeedPosition::START, 10))
        .await
        .expect("read");
    let ids: Vec<_> = first.items.iter().map(|i| i.message.id.clone()).collect();
    assert_eq!(ids, vec![newer], "only the committed message is read");
    assert!(first.done);

    raw.batch_execute("COMMIT").await.expect("commit");
    let second = store
        .read_feed(query(&app, first.next, 10))
        .await
        .expect("read");
    let ids: Vec<_> = second.items.iter().map(|i| i.message.id.clone()).collect();
    assert_eq!(
        ids,
        vec![older],
        "the late commit comes after the position read"
    );
    assert!(second.items[0].position > first.next);
}

#[tokio::test]
async fn on_postgres_readers_on_two_nodes_see_every_message_of_concurrent_writers_once() {
    const WRITERS: usize = 4;
    const EACH: usize = 15;
    let Some((_db, nodes)) = postgres_nodes("feed_concurrent_nodes", 2).await else {
        return;
    };
    let app = new_app(&nodes[0]).await;
    let readers: Vec<_> = nodes
        .iter()
        .map(|node| {
            let (node, app) = (node.clone(), app.clone());
            // Subscribed before the first read, so no commit is missed between read and wait.
            let mut watch = node.feed_signal().subscribe();
            tokio::spawn(async move {
                let (mut seen, mut positions) = (Vec::new(), Vec::new());
                let mut at = FeedPosition::START;
                while seen.len() < WRITERS * EACH {
                    let batch = node.read_feed(query(&app, at, 7)).await.expect("read");
                    for item in &batch.items {
                        positions.push(item.position);
                        seen.push(item.message.id.clone());
                    }
                    at = batch.next;
                    if batch.done && seen.len() < WRITERS * EACH {
                        let woke = tokio::time::timeout(Duration::from_secs(30), watch.changed());
                        assert_eq!(woke.await.ok(), Some(true), "no commit woke the reader");
                    }
                }
                (seen, positions)
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| {
            let (node, app) = (nodes[n % 2].clone(), app.clone());
            tokio::spawn(async move {
                let mut sent = Vec::new();
                for _ in 0..EACH {
                    let msg = message(&app, MessageId::generate(), "a", &[]);
                    sent.push(node.create_message(msg).await.expect("create").message.id);
                }
                sent
            })
        })
        .collect();
    let mut written = Vec::new();
    for writer in writers {
        written.push(writer.await.expect("writer"));
    }
    for reader in readers {
        let (seen, positions) = reader.await.expect("reader");
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "positions only grow: {positions:?}"
        );
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "no message is read twice");
        // Each writer's own messages come in the order it created them.
        for sent in &written {
            let order: Vec<_> = seen.iter().filter(|id| sent.contains(id)).collect();
            assert_eq!(order, sent.iter().collect::<Vec<_>>());
        }
    }
}

#[tokio::test]
async fn on_postgres_a_backlog_larger_than_one_numbering_is_all_below_the_head() {
    const BACKLOG: i64 = 10_050;
    let Some((db, stores)) = postgres_nodes("feed_backlog", 1).await else {
        return;
    };
    let store = &stores[0];
    let app = new_app(store).await;
    let (raw, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    // Months of messages no one pulled: committed, not yet numbered.
    raw.execute(
        "INSERT INTO messages (id, app_id, event_type, payload, created_at)
         SELECT 'msg_' || lpad(n::text, 22, '0'), $1, 'a', '{}', $2
         FROM generate_series(1, $3::bigint) AS n",
        &[&app.as_str(), &Timestamp::now().as_millis(), &BACKLOG],
    )
    .await
    .expect("backlog");
    let head = store.feed_head().await.expect("head");
    assert_eq!(head, FeedPosition::new(BACKLOG as u64));
    let last = store
        .read_feed(query(&app, FeedPosition::new(BACKLOG as u64 - 1), 10))
        .await
        .expect("read");
    let ids: Vec<_> = last
        .items
        .iter()
        .map(|i| i.message.id.to_string())
        .collect();
    assert_eq!(
        ids,
        vec![format!("msg_{BACKLOG:022}")],
        "numbered in insertion order"
    );
}
