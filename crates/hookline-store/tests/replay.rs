//! Replays on every backend: never a double enqueue (also when two nodes run the same batch at
//! once), bounded batches, the manual trigger on the next attempt.

// The fixture's items are `pub` for every test binary that includes it.
#[allow(unreachable_pub)]
mod common;
mod seed;

use std::sync::Arc;
use std::time::Duration;

use hookline_core::model::{DeliveryStatus, TriggerType};
use hookline_core::{AppId, EndpointId, Timestamp};
use hookline_store::postgres::testing::TestDatabase;
use hookline_store::query::AttemptFilter;
use hookline_store::replay::{ReplayBatch, ReplayMode, ReplaySpec, ReplayStore, ResendOutcome};
use hookline_store::{Order, PageRequest, PgOptions, PgStore, Store};

fn spec(app: &AppId, endpoint: &EndpointId, mode: ReplayMode) -> ReplaySpec {
    ReplaySpec {
        app_id: app.clone(),
        endpoint_id: endpoint.clone(),
        since: Timestamp::now().minus(Duration::from_secs(60)),
        until: None,
        mode,
    }
}

/// Runs a replay batch by batch, as the replay task does, and returns the total queued.
async fn replay_all(store: &dyn Store, spec: &ReplaySpec, limit: u32) -> u64 {
    let (mut queued, mut cursor) = (0, None);
    loop {
        let ReplayBatch { queued: n, next } = store
            .replay_batch(spec, cursor, limit, Timestamp::now())
            .await
            .expect("replay batch");
        queued += n;
        match next {
            Some(next) => cursor = Some(next),
            None => return queued,
        }
    }
}

#[tokio::test]
async fn a_message_already_waiting_is_never_enqueued_twice() {
    for backend in common::backends("a_message_already_waiting_is_never_enqueued_twice").await {
        let store = backend.store.as_ref();
        let app = seed::app(store).await;
        let endpoint = seed::endpoint(store, &app, None).await;
        let msg = seed::message(store, &app, "a").await;
        let now = Timestamp::now();
        let outcome = store.resend(&app, &msg, &endpoint, now).await;
        assert_eq!(
            outcome.expect("resend"),
            ResendOutcome::AlreadyQueued,
            "{}",
            backend.name
        );
        let batch = store
            .replay_batch(&spec(&app, &endpoint, ReplayMode::Recover), None, 10, now)
            .await
            .expect("batch");
        assert_eq!(
            batch.queued, 0,
            "{}: a pending delivery is not failed yet",
            backend.name
        );
        assert_eq!(
            seed::waiting(store, &app, &endpoint).await,
            1,
            "{}",
            backend.name
        );
    }
}

#[tokio::test]
async fn recover_requeues_failed_deliveries_in_bounded_batches_once() {
    for backend in
        common::backends("recover_requeues_failed_deliveries_in_bounded_batches_once").await
    {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let endpoint = seed::endpoint(store, &app, None).await;
        for _ in 0..5 {
            seed::message(store, &app, "a").await;
        }
        seed::give_up(store, &app, &endpoint).await;
        assert_eq!(seed::waiting(store, &app, &endpoint).await, 0, "{name}");

        let spec = spec(&app, &endpoint, ReplayMode::Recover);
        let now = Timestamp::now();
        let first = store
            .replay_batch(&spec, None, 2, now)
            .await
            .expect("batch 1");
        assert_eq!(first.queued, 2, "{name}");
        let second = store
            .replay_batch(&spec, first.next.clone(), 2, now)
            .await
            .expect("batch 2");
        let third = store
            .replay_batch(&spec, second.next.clone(), 2, now)
            .await
            .expect("batch 3");
        assert!(first.next.is_some() && second.next.is_some(), "{name}");
        assert_eq!(second.queued + third.queued, 3, "{name}");
        assert_eq!(third.next, None, "{name}");
        assert_eq!(seed::waiting(store, &app, &endpoint).await, 5, "{name}");

        let again = store
            .replay_batch(&spec, None, 10, now)
            .await
            .expect("again");
        assert_eq!(
            again.queued, 0,
            "{name}: waiting deliveries are not queued twice"
        );
    }
}

#[tokio::test]
async fn a_delivery_failed_without_an_attempt_does_not_start_the_auto_disable_clock() {
    let test = "a_delivery_failed_without_an_attempt_does_not_start_the_auto_disable_clock";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let endpoint = seed::endpoint(store, &app, None).await;
        let msg = seed::message(store, &app, "a").await;
        store
            .expunge_message_content(&app, msg.as_str())
            .await
            .expect("expunge");
        assert!(seed::claim(store).await.is_empty(), "{name}");
        assert_eq!(
            seed::waiting(store, &app, &endpoint).await,
            0,
            "{name}: the delivery failed: nothing left to send"
        );
        let far = Timestamp::now().plus(Duration::from_secs(365 * 24 * 3600));
        let disabled = store.disable_failing_endpoints(far, far).await;
        assert_eq!(disabled.expect("pass"), vec![], "{name}");
    }
}

#[tokio::test]
async fn a_resend_plans_a_delivery_the_message_never_had_once() {
    for backend in common::backends("a_resend_plans_a_delivery_the_message_never_had_once").await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let msg = seed::message(store, &app, "a").await;
        let endpoint = seed::endpoint(store, &app, None).await;
        let now = Timestamp::now();
        let first = store.resend(&app, &msg, &endpoint, now).await;
        assert_eq!(first.expect("resend"), ResendOutcome::Queued, "{name}");
        let second = store.resend(&app, &msg, &endpoint, now).await;
        assert_eq!(
            second.expect("resend"),
            ResendOutcome::AlreadyQueued,
            "{name}"
        );
        assert_eq!(seed::waiting(store, &app, &endpoint).await, 1, "{name}");
    }
}

#[tokio::test]
async fn the_attempt_after_a_resend_is_recorded_as_manual_and_the_next_as_scheduled() {
    let test = "the_attempt_after_a_resend_is_recorded_as_manual_and_the_next_as_scheduled";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let endpoint = seed::endpoint(store, &app, None).await;
        let msg = seed::message(store, &app, "a").await;
        seed::give_up(store, &app, &endpoint).await;
        let resent = store.resend(&app, &msg, &endpoint, Timestamp::now()).await;
        assert_eq!(resent.expect("resend"), ResendOutcome::Queued, "{name}");

        let job = seed::claim(store)
            .await
            .pop()
            .expect("the resent delivery is due");
        assert_eq!(job.delivery.attempt_count, 0, "{name}: a fresh schedule");
        let retry = Timestamp::now().minus(Duration::from_secs(1));
        let failed = DeliveryStatus::Fail;
        let first = seed::attempt(&job, failed, DeliveryStatus::Pending, Some(retry), retry);
        seed::record(store, vec![first]).await;
        let job = seed::claim(store).await.pop().expect("the retry is due");
        let second = seed::attempt(&job, failed, DeliveryStatus::Fail, None, Timestamp::now());
        seed::record(store, vec![second]).await;

        let filter = AttemptFilter {
            msg_id: Some(msg.to_string()),
            ..AttemptFilter::default()
        };
        let attempts = store
            .list_attempts(&app, &filter, &PageRequest::first(10, Order::Ascending))
            .await
            .expect("attempts")
            .items;
        let triggers: Vec<TriggerType> = attempts.iter().map(|a| a.trigger_type).collect();
        assert_eq!(
            triggers,
            vec![TriggerType::Manual, TriggerType::Scheduled],
            "{name}"
        );
    }
}

#[tokio::test]
async fn replaying_missing_messages_plans_only_what_the_endpoint_receives_once() {
    let test = "replaying_missing_messages_plans_only_what_the_endpoint_receives_once";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        for event_type in ["a", "b", "a", "a", "b"] {
            seed::message(store, &app, event_type).await;
        }
        let endpoint = seed::endpoint(store, &app, Some(&["a"])).await;
        let spec = spec(&app, &endpoint, ReplayMode::Missing);
        assert_eq!(replay_all(store, &spec, 2).await, 3, "{name}");
        assert_eq!(seed::waiting(store, &app, &endpoint).await, 3, "{name}");
        assert_eq!(
            replay_all(store, &spec, 2).await,
            0,
            "{name}: planned messages are not missing any more"
        );
    }
}

#[tokio::test]
async fn a_bulk_replay_resends_finished_deliveries_that_pass_its_filters() {
    let test = "a_bulk_replay_resends_finished_deliveries_that_pass_its_filters";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let endpoint = seed::endpoint(store, &app, None).await;
        let now = Timestamp::now();
        for (event_type, channels) in [("a", &["eu"][..]), ("a", &["us"]), ("b", &["eu"])] {
            let message = seed::message_at(&app, event_type, now);
            seed::send(store, seed::on_channels(message, channels)).await;
        }
        let done = DeliveryStatus::Success;
        let records = seed::claim(store)
            .await
            .iter()
            .map(|job| seed::attempt(job, done, done, None, Timestamp::now()))
            .collect();
        seed::record(store, records).await;
        seed::message(store, &app, "a").await; // still waiting: never resent

        let bulk = |event_types: Option<&[&str]>, channel: Option<&str>, status| {
            spec(
                &app,
                &endpoint,
                ReplayMode::Bulk {
                    status,
                    event_types: event_types.map(|t| t.iter().map(|s| s.to_string()).collect()),
                    channel: channel.map(str::to_owned),
                    tag: None,
                    status_code_class: None,
                },
            )
        };
        let failed_only = bulk(None, None, Some(DeliveryStatus::Fail.code()));
        assert_eq!(replay_all(store, &failed_only, 10).await, 0, "{name}");
        let a_in_eu = bulk(Some(&["a"]), Some("eu"), None);
        assert_eq!(replay_all(store, &a_in_eu, 10).await, 1, "{name}");
        let everything = bulk(None, None, Some(done.code()));
        assert_eq!(
            replay_all(store, &everything, 1).await,
            2,
            "{name}: the two still successful ones; waiting ones are left alone"
        );
        assert_eq!(seed::waiting(store, &app, &endpoint).await, 4, "{name}");
    }
}

/// Holds every row lock a replay needs until both nodes wait on it, so their batches truly
/// overlap; then lets them race.
struct Gate {
    client: tokio_postgres::Client,
}

impl Gate {
    async fn close(url: &str, lock: &str, endpoint: &EndpointId) -> Self {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect the gate");
        tokio::spawn(connection);
        client.batch_execute("BEGIN").await.expect("begin");
        client
            .execute(lock, &[&endpoint.as_str()])
            .await
            .expect("lock");
        Self { client }
    }

    /// Returns once `n` other sessions of this database wait for a lock.
    async fn until_waiting(&self, n: i64) {
        let probe = "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock'";
        let wait = async {
            loop {
                let row = self.client.query_one(probe, &[]).await.expect("probe");
                if row.get::<_, i64>(0) >= n {
                    return;
                }
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .expect("both replays reach the locked rows");
    }

    async fn open(self) {
        self.client
            .batch_execute("ROLLBACK")
            .await
            .expect("release");
    }
}

/// Two nodes run the same batch at once, meeting at `lock`; returns what each queued.
async fn race(url: &str, nodes: [&Arc<PgStore>; 2], spec: &ReplaySpec, lock: &str) -> [u64; 2] {
    let gate = Gate::close(url, lock, &spec.endpoint_id).await;
    let runs = nodes.map(|node| {
        let (node, spec) = (Arc::clone(node), spec.clone());
        tokio::spawn(async move {
            node.replay_batch(&spec, None, 100, Timestamp::now())
                .await
                .expect("replay batch")
        })
    });
    gate.until_waiting(2).await;
    gate.open().await;
    let mut queued = [0; 2];
    for (slot, run) in queued.iter_mut().zip(runs) {
        *slot = run.await.expect("the replay finishes").queued;
    }
    queued
}

#[tokio::test]
async fn two_nodes_replaying_the_same_batch_at_once_enqueue_each_delivery_once() {
    let test = "two_nodes_replaying_the_same_batch_at_once_enqueue_each_delivery_once";
    let Some(db) = TestDatabase::create(test).await.expect("test database") else {
        return;
    };
    let connect = || PgStore::connect(PgOptions::new(db.url()));
    let a = Arc::new(connect().await.expect("node a"));
    let b = Arc::new(connect().await.expect("node b"));
    let store: &dyn Store = a.as_ref();
    let app = seed::app(store).await;
    for _ in 0..20 {
        seed::message(store, &app, "a").await;
    }
    let endpoint = seed::endpoint(store, &app, None).await;

    // Planning: both insert, meeting at the endpoint row their foreign-key checks share.
    let missing = spec(&app, &endpoint, ReplayMode::Missing);
    let lock_endpoint = "SELECT 1 FROM endpoints WHERE id = $1 FOR UPDATE";
    let queued = race(db.url(), [&a, &b], &missing, lock_endpoint).await;
    assert_eq!(
        queued.iter().sum::<u64>(),
        20,
        "planned once in all: {queued:?}"
    );
    assert_eq!(seed::waiting(store, &app, &endpoint).await, 20);

    // Re-queueing: both update, meeting at the delivery rows themselves.
    seed::give_up(store, &app, &endpoint).await;
    let recover = spec(&app, &endpoint, ReplayMode::Recover);
    let lock_deliveries = "SELECT 1 FROM deliveries WHERE endpoint_id = $1 FOR UPDATE";
    let queued = race(db.url(), [&a, &b], &recover, lock_deliveries).await;
    assert_eq!(
        queued.iter().sum::<u64>(),
        20,
        "re-queued once in all: {queued:?}"
    );
    assert_eq!(seed::waiting(store, &app, &endpoint).await, 20);
}
