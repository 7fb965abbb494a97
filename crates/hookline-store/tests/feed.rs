//! The feed against a real SQLite file: commit order, filters, restarts, consumers.

use hookline_core::model::{Application, Message};
use hookline_core::{AppId, Channel, EndpointId, EventTypeName, MessageId, Timestamp};
use hookline_store::feed::{ConsumerState, FeedFilter, FeedPosition, FeedQuery};
use hookline_store::{FeedStore, SqliteStore, Store};

async fn store_with_app(dir: &tempfile::TempDir) -> (SqliteStore, AppId) {
    let store = SqliteStore::open(&dir.path().join("hookline.db")).expect("open");
    let now = Timestamp::now();
    let app = store
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
        .expect("app");
    (store, app.id)
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
    let dir = tempfile::tempdir().expect("dir");
    let (store, app) = store_with_app(&dir).await;
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
    assert_eq!(first.items.len(), 1);
    assert!(first.done);
    store
        .create_message(message(&app, older.clone(), "a", &[]))
        .await
        .expect("older");
    let second = store
        .read_feed(query(&app, first.next, 10))
        .await
        .expect("read");
    let ids: Vec<_> = second.items.iter().map(|i| i.message.id.clone()).collect();
    assert_eq!(ids, vec![older], "the late commit must not be skipped");
}

#[tokio::test]
async fn batches_page_through_in_commit_order_and_filters_skip_ahead() {
    let dir = tempfile::tempdir().expect("dir");
    let (store, app) = store_with_app(&dir).await;
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
    assert_eq!(seen, sent);

    let mut odd = query(&app, FeedPosition::START, 10);
    odd.filter = FeedFilter::all().event_types(Some(vec![EventTypeName::parse("odd").expect("n")]));
    let batch = store.read_feed(odd).await.expect("read");
    assert_eq!(batch.items.len(), 3);
    assert_eq!(batch.next, batch.head, "a filtered read skips to the head");

    let mut vip = query(&app, FeedPosition::START, 10);
    vip.filter = FeedFilter::all().channels(Some(vec![Channel::parse("vip").expect("c")]));
    let batch = store.read_feed(vip).await.expect("read");
    assert_eq!(batch.items.len(), 1);
    assert_eq!(batch.items[0].message.id, sent[3]);
}

#[tokio::test]
async fn positions_and_consumers_survive_reopening_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let (store, app) = store_with_app(&dir).await;
    for _ in 0..3 {
        store
            .create_message(message(&app, MessageId::generate(), "a", &[]))
            .await
            .expect("message");
    }
    let endpoint = EndpointId::generate();
    let head = store.feed_head().await.expect("head");
    assert_eq!(head, FeedPosition::new(3));
    drop(store);

    let store = SqliteStore::open(&dir.path().join("hookline.db")).expect("reopen");
    assert_eq!(store.feed_head().await.expect("head"), head);
    store
        .create_message(message(&app, MessageId::generate(), "a", &[]))
        .await
        .expect("message");
    let batch = store.read_feed(query(&app, head, 10)).await.expect("read");
    assert_eq!(batch.items.len(), 1);
    assert_eq!(batch.items[0].position, FeedPosition::new(4));

    // Consumers belong to endpoints; without one the foreign key refuses the row.
    let orphan = ConsumerState::new(endpoint, "c1".into(), head);
    assert!(store.save_consumer(orphan).await.is_err());
}

#[tokio::test]
async fn the_position_at_a_time_starts_at_messages_created_from_then_on() {
    let dir = tempfile::tempdir().expect("dir");
    let (store, app) = store_with_app(&dir).await;
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
    assert_eq!(ids, vec![late]);
    let future = store
        .feed_position_at(None, Timestamp::from_millis(1_900_000_000_000))
        .await
        .expect("position");
    assert_eq!(future, store.feed_head().await.expect("head"));
}

#[tokio::test]
async fn committing_a_message_wakes_readers_subscribed_before_it() {
    let dir = tempfile::tempdir().expect("dir");
    let (store, app) = store_with_app(&dir).await;
    let mut watch = store.feed_signal().subscribe();
    store
        .create_message(message(&app, MessageId::generate(), "a", &[]))
        .await
        .expect("message");
    let woke = tokio::time::timeout(std::time::Duration::from_secs(10), watch.changed()).await;
    assert_eq!(woke.ok(), Some(true), "the commit did not wake the reader");
}
