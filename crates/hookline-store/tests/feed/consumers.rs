//! Consumers of polling endpoints on every backend: saved whole, and saved only from the latest
//! read, so that requests (and nodes) changing one consumer at once never undo each other.

use std::sync::Arc;
use std::time::Duration;

use hookline_core::model::Endpoint;
use hookline_core::{AppId, EndpointId, EndpointUrl, Timestamp};
use hookline_store::feed::{ConsumerState, FeedPosition};
use hookline_store::{Store, StoreError};
use tokio::sync::Barrier;

use super::{common, new_app, postgres_nodes};

/// Long enough that no lease of a test ends during it.
const LEASE: Duration = Duration::from_secs(3600);

async fn poller(store: &Arc<dyn Store>, app: &AppId) -> EndpointId {
    let now = Timestamp::now();
    let endpoint = Endpoint {
        id: EndpointId::generate(),
        app_id: app.clone(),
        uid: None,
        url: EndpointUrl::parse(EndpointUrl::POLLER).expect("poller url"),
        description: String::new(),
        event_types: None,
        channels: None,
        disabled: false,
        throttle_rate: None,
        metadata: Default::default(),
        headers: Default::default(),
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        created_at: now,
        updated_at: now,
    };
    store.create_endpoint(endpoint).await.expect("endpoint").id
}

async fn get(store: &Arc<dyn Store>, endpoint: &EndpointId) -> ConsumerState {
    store
        .get_consumer(endpoint, "c1")
        .await
        .expect("get")
        .expect("the consumer exists")
}

#[tokio::test]
async fn a_consumer_round_trips_and_each_save_replaces_it_whole() {
    for backend in common::backends("feed_consumer_round_trip").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let endpoint = poller(store, &app).await;
        assert_eq!(
            store.get_consumer(&endpoint, "c1").await.expect("get"),
            None,
            "{name}"
        );
        let now = Timestamp::from_millis(1_700_000_000_000);
        let mut state = ConsumerState::new(endpoint.clone(), "c1".into(), FeedPosition::new(4));
        state.handed_out(FeedPosition::new(9), now, Some(Duration::from_secs(30)));
        state.version = Some(store.save_consumer(state.clone()).await.expect("save"));
        assert_eq!(get(store, &endpoint).await, state, "{name}");

        state.commit(FeedPosition::new(9));
        let first = state.version;
        state.version = Some(store.save_consumer(state.clone()).await.expect("save"));
        assert_eq!(
            get(store, &endpoint).await,
            state,
            "{name}: the lease went with the commit"
        );
        assert_ne!(state.version, first, "{name}: each save moves the version");
        assert_eq!(
            store.get_consumer(&endpoint, "c2").await.expect("get"),
            None,
            "{name}: consumers are separate"
        );
    }
}

#[tokio::test]
async fn a_save_made_from_a_read_older_than_the_last_save_is_refused() {
    for backend in common::backends("feed_consumer_stale_save").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let endpoint = poller(store, &app).await;
        let mut state = ConsumerState::new(endpoint.clone(), "c1".into(), FeedPosition::new(10));
        state.handed_out(FeedPosition::new(20), Timestamp::now(), Some(LEASE));
        store.save_consumer(state).await.expect("create");

        // Two requests read the consumer; one commits what it was given, then the other, from
        // its older read, leases the next batch.
        let (mut committer, mut leaser) =
            (get(store, &endpoint).await, get(store, &endpoint).await);
        committer.commit(FeedPosition::new(20));
        store
            .save_consumer(committer)
            .await
            .expect("the first save succeeds");
        let now = Timestamp::now();
        leaser.handed_out(FeedPosition::new(30), now, Some(LEASE));
        let refused = store.save_consumer(leaser).await;
        match &refused {
            Err(StoreError::Conflict(text)) => assert!(
                text.contains("\"c1\"") && text.contains("changed by another request"),
                "{name}: the refusal says what happened: {text}"
            ),
            other => panic!("{name}: the save from the older read was not refused: {other:?}"),
        }
        let stored = get(store, &endpoint).await;
        assert_eq!(
            (stored.committed, stored.leased_to),
            (FeedPosition::new(20), None),
            "{name}: the commit stands"
        );

        // Read again, redone: the lease lands on top of the commit.
        let mut leaser = stored;
        leaser.handed_out(FeedPosition::new(30), now, Some(LEASE));
        store.save_consumer(leaser).await.expect("the redone save");
        let stored = get(store, &endpoint).await;
        assert_eq!(
            (stored.committed, stored.leased_to),
            (FeedPosition::new(20), Some(FeedPosition::new(30))),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_consumer_created_twice_from_two_reads_that_found_none_is_created_once() {
    for backend in common::backends("feed_consumer_created_twice").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let endpoint = poller(store, &app).await;
        let first = ConsumerState::new(endpoint.clone(), "c1".into(), FeedPosition::new(5));
        let second = ConsumerState::new(endpoint.clone(), "c1".into(), FeedPosition::new(8));
        let version = store.save_consumer(first.clone()).await.expect("create");
        assert!(
            matches!(
                store.save_consumer(second).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}: the second creation was not refused"
        );
        let stored = get(store, &endpoint).await;
        assert_eq!(stored.committed, first.committed, "{name}");
        assert_eq!(stored.version, Some(version), "{name}");
    }
}

#[tokio::test]
async fn on_postgres_two_nodes_creating_one_consumer_at_once_create_it_once() {
    let Some((_db, nodes)) = postgres_nodes("feed_consumer_two_nodes", 2).await else {
        return;
    };
    let app = new_app(&nodes[0]).await;
    let endpoint = poller(&nodes[0], &app).await;
    let barrier = Arc::new(Barrier::new(2));
    let savers: Vec<_> = nodes
        .iter()
        .zip([5, 8])
        .map(|(node, at)| {
            let (node, barrier) = (node.clone(), barrier.clone());
            let state = ConsumerState::new(endpoint.clone(), "c1".into(), FeedPosition::new(at));
            tokio::spawn(async move {
                barrier.wait().await;
                node.save_consumer(state.clone()).await.map(|_| state)
            })
        })
        .collect();
    let mut saved = Vec::new();
    for saver in savers {
        match saver.await.expect("saver") {
            Ok(state) => saved.push(state),
            Err(StoreError::Conflict(_)) => {}
            Err(err) => panic!("a save failed: {err}"),
        }
    }
    assert_eq!(saved.len(), 1, "exactly one creation succeeds");
    let stored = get(&nodes[1], &endpoint).await;
    assert_eq!(
        stored.committed, saved[0].committed,
        "the row is the winner's"
    );
}

/// How many leases, and how many commits, each node makes in a race.
const ROUNDS: usize = 50;

/// One read-change-save of the consumer, read again and redone until its save is not refused
/// (each refusal means another save succeeded, so this ends). `floor` is the committed position
/// this task saw last: no read may find the consumer behind it.
async fn change<T>(
    node: &Arc<dyn Store>,
    endpoint: &EndpointId,
    floor: &mut FeedPosition,
    edit: impl Fn(&mut ConsumerState, Timestamp) -> T,
) -> T {
    loop {
        let mut consumer = get(node, endpoint).await;
        assert!(
            consumer.committed >= *floor,
            "the committed position moved back from {floor} to {}",
            consumer.committed
        );
        *floor = consumer.committed;
        let out = edit(&mut consumer, Timestamp::now());
        match node.save_consumer(consumer).await {
            Ok(_) => return out,
            Err(StoreError::Conflict(_)) => continue,
            Err(err) => panic!("a save failed: {err}"),
        }
    }
}

/// Leases the position after the live lease, `ROUNDS` times; answers the positions leased.
async fn lease_rounds(
    node: Arc<dyn Store>,
    endpoint: EndpointId,
    go: Arc<Barrier>,
) -> Vec<FeedPosition> {
    go.wait().await;
    let (mut floor, mut leased) = (FeedPosition::START, Vec::new());
    for _ in 0..ROUNDS {
        let to = change(&node, &endpoint, &mut floor, |c, now| {
            let to = FeedPosition::new(c.read_from(now).get() + 1);
            c.handed_out(to, now, Some(LEASE));
            to
        })
        .await;
        leased.push(to);
    }
    leased
}

/// Commits everything leased so far, `ROUNDS` times; answers the positions committed.
async fn commit_rounds(
    node: Arc<dyn Store>,
    endpoint: EndpointId,
    go: Arc<Barrier>,
) -> Vec<FeedPosition> {
    go.wait().await;
    let (mut floor, mut committed) = (FeedPosition::START, Vec::new());
    for _ in 0..ROUNDS {
        let to = change(&node, &endpoint, &mut floor, |c, now| {
            let to = c.leased_to.unwrap_or(c.committed);
            c.commit(to);
            c.updated_at = now;
            to
        })
        .await;
        committed.push(to);
    }
    committed
}

/// Each node leases the next position `ROUNDS` times while committing what is leased `ROUNDS`
/// times, all at once; then checks that no lease went to two callers and no commit was lost.
async fn race(nodes: [Arc<dyn Store>; 2], name: &str) {
    let app = new_app(&nodes[0]).await;
    let endpoint = poller(&nodes[0], &app).await;
    let start = ConsumerState::new(endpoint.clone(), "c1".into(), FeedPosition::START);
    nodes[0].save_consumer(start).await.expect("create");
    let barrier = Arc::new(Barrier::new(4));
    let mut leasers = Vec::new();
    let mut committers = Vec::new();
    for node in &nodes {
        let (go, at) = (barrier.clone(), endpoint.clone());
        leasers.push(tokio::spawn(lease_rounds(node.clone(), at, go)));
        let (go, at) = (barrier.clone(), endpoint.clone());
        committers.push(tokio::spawn(commit_rounds(node.clone(), at, go)));
    }
    let mut leased = Vec::new();
    for leaser in leasers {
        leased.extend(leaser.await.expect("leaser"));
    }
    let mut committed = Vec::new();
    for committer in committers {
        committed.extend(committer.await.expect("committer"));
    }
    leased.sort();
    let expected: Vec<_> = (1..=2 * ROUNDS as u64).map(FeedPosition::new).collect();
    assert_eq!(
        leased, expected,
        "{name}: each lease went to one caller, and each began where the last ended"
    );
    let stored = get(&nodes[1], &endpoint).await;
    let highest = committed.into_iter().max().expect("commits");
    assert!(
        stored.committed >= highest,
        "{name}: a commit to {highest} was lost: the consumer is at {}",
        stored.committed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_leases_and_commits_never_lease_twice_nor_lose_a_commit() {
    let sqlite = common::sqlite();
    race([sqlite.store.clone(), sqlite.store.clone()], sqlite.name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgres_two_nodes_racing_leases_and_commits_never_lease_twice_nor_lose_a_commit() {
    let Some((_db, nodes)) = postgres_nodes("feed_consumer_race", 2).await else {
        return;
    };
    race([nodes[0].clone(), nodes[1].clone()], "postgres").await;
}
