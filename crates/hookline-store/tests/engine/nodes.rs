//! Several nodes on one PostgreSQL database: each delivery goes to one node, each endpoint is
//! delivered to by one node at a time, and a silent node's endpoints pass to another once its
//! ownership lapses. Times are explicit (`ClaimRequest::now`), never waited for.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookline_core::delivery::{CircuitState, EndpointHealth};
use hookline_core::{AppId, DeliveryId, EndpointId, Timestamp};
use hookline_store::postgres::testing::TestDatabase;
use hookline_store::query::DeliveryJob;
use hookline_store::{PgOptions, PgStore, Store};

use crate::fixture::{
    LEASE, add_endpoint, add_message, claim_request, delivered, failed, new_app, now,
};

/// Two nodes (two stores, each with its own pool and node id) sharing one fresh database.
struct Cluster {
    a: Arc<dyn Store>,
    b: Arc<dyn Store>,
    app: AppId,
    _db: TestDatabase,
}

impl Cluster {
    /// `None` (said on stderr) without `HOOKLINE_TEST_DATABASE_URL`.
    async fn start(test: &str) -> Option<Self> {
        let db = TestDatabase::create(test).await.expect("test database")?;
        let connect = || async {
            let store = PgStore::connect(PgOptions::new(db.url()))
                .await
                .expect("connect a node");
            Arc::new(store) as Arc<dyn Store>
        };
        let (a, b) = (connect().await, connect().await);
        let app = new_app(&a, None).await;
        Some(Self { a, b, app, _db: db })
    }

    async fn endpoints(&self, count: usize) -> Vec<EndpointId> {
        let mut all = Vec::new();
        for _ in 0..count {
            all.push(add_endpoint(&self.a, &self.app, None).await);
        }
        all
    }

    async fn messages(&self, count: usize) {
        for _ in 0..count {
            add_message(&self.b, &self.app).await;
        }
    }
}

async fn claim(node: &Arc<dyn Store>, at: Timestamp, limit: u32) -> Vec<DeliveryJob> {
    node.claim_due(claim_request(at, limit, vec![]))
        .await
        .expect("claim")
}

fn endpoints_of(jobs: &[DeliveryJob]) -> HashSet<EndpointId> {
    jobs.iter().map(|job| job.endpoint.id.clone()).collect()
}

/// Who holds claimed, unrecorded deliveries of each endpoint, and how many.
#[derive(Default)]
struct Holdings {
    by_endpoint: HashMap<EndpointId, (&'static str, usize)>,
    claimed: HashSet<DeliveryId>,
}

/// One node's loop: claim a few, check nobody else holds those endpoints, record, repeat until
/// every delivery was claimed once.
async fn work(
    node: Arc<dyn Store>,
    me: &'static str,
    at: Timestamp,
    total: usize,
    shared: Arc<Mutex<Holdings>>,
) -> usize {
    let mut mine = 0;
    for _ in 0..20_000 {
        let jobs = claim(&node, at, 4).await;
        {
            let mut held = shared.lock().expect("lock");
            for job in &jobs {
                let fresh = held.claimed.insert(job.delivery.id.clone());
                assert!(fresh, "{me} claimed a delivery another claim already had");
                let entry = held
                    .by_endpoint
                    .entry(job.endpoint.id.clone())
                    .or_insert((me, 0));
                assert_eq!(
                    entry.0, me,
                    "{me} claimed for an endpoint the other node holds deliveries of"
                );
                entry.1 += 1;
            }
            if held.claimed.len() == total && jobs.is_empty() {
                return mine;
            }
        }
        mine += jobs.len();
        if jobs.is_empty() {
            tokio::task::yield_now().await;
            continue;
        }
        let records = jobs.iter().map(delivered).collect();
        node.record_attempts(records).await.expect("record");
        // Held until recorded: the other node may start these endpoints only after that.
        let mut held = shared.lock().expect("lock");
        for job in &jobs {
            if let Some(entry) = held.by_endpoint.get_mut(&job.endpoint.id) {
                entry.1 -= 1;
                if entry.1 == 0 {
                    held.by_endpoint.remove(&job.endpoint.id);
                }
            }
        }
    }
    panic!("{me} never saw the work finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_claiming_at_once_never_share_a_delivery_or_an_endpoint() {
    let Some(cluster) = Cluster::start("nodes_share_nothing").await else {
        return;
    };
    cluster.endpoints(10).await;
    cluster.messages(50).await;
    let at = now();
    let shared = Arc::new(Mutex::new(Holdings::default()));
    let a = tokio::spawn(work(
        Arc::clone(&cluster.a),
        "a",
        at,
        500,
        Arc::clone(&shared),
    ));
    let b = tokio::spawn(work(
        Arc::clone(&cluster.b),
        "b",
        at,
        500,
        Arc::clone(&shared),
    ));
    let (a, b) = (a.await.expect("node a"), b.await.expect("node b"));
    assert_eq!(a + b, 500, "every delivery was claimed exactly once");
    let held = shared.lock().expect("lock");
    assert_eq!(held.claimed.len(), 500);
    eprintln!("node a claimed {a}, node b claimed {b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_racing_for_a_free_endpoint_never_both_win_it() {
    let Some(cluster) = Cluster::start("nodes_race").await else {
        return;
    };
    cluster.endpoints(1).await;
    cluster.messages(20).await;
    let t0 = now();
    let mut wins = [0; 2];
    for round in 0..40u32 {
        // Every round starts after the last round's ownership lapsed: the endpoint is free and
        // both nodes see it so at once; each locks a different delivery of it.
        let at = t0.plus(LEASE * 2 * round);
        let (a, b) = tokio::join!(claim(&cluster.a, at, 1), claim(&cluster.b, at, 1));
        assert!(
            a.is_empty() || b.is_empty(),
            "round {round}: both nodes won the endpoint"
        );
        wins[0] += a.len();
        wins[1] += b.len();
    }
    assert_eq!(wins[0] + wins[1], 40, "someone wins every round");
    eprintln!("node a won {} rounds, node b {}", wins[0], wins[1]);
}

#[tokio::test]
async fn an_endpoint_owned_by_one_node_is_left_to_it_by_the_others() {
    let Some(cluster) = Cluster::start("nodes_ownership").await else {
        return;
    };
    cluster.endpoints(10).await;
    cluster.messages(50).await;
    let at = now();
    // Node a claims a little: it now owns the endpoints of what it claimed.
    let first = claim(&cluster.a, at, 5).await;
    let owned_by_a = endpoints_of(&first);
    let k = owned_by_a.len();
    assert!((1..=5).contains(&k), "{k} endpoints");
    // Node b takes everything due of the other endpoints, and nothing of a's.
    let rest = claim(&cluster.b, at, 500).await;
    assert_eq!(rest.len(), 50 * (10 - k));
    assert!(endpoints_of(&rest).is_disjoint(&owned_by_a));
    // Node a finishes its own endpoints' work, and b's is left alone.
    let more = claim(&cluster.a, at, 500).await;
    assert_eq!(more.len(), 50 * k - 5);
    assert_eq!(endpoints_of(&more), owned_by_a);
}

#[tokio::test]
async fn a_silent_nodes_endpoints_pass_to_another_once_its_ownership_lapses() {
    let Some(cluster) = Cluster::start("nodes_takeover").await else {
        return;
    };
    cluster.endpoints(1).await;
    cluster.messages(3).await;
    let t0 = now();
    let taken = claim(&cluster.a, t0, 1).await;
    assert_eq!(taken.len(), 1);
    assert!(
        claim(&cluster.b, t0, 10).await.is_empty(),
        "a owns the endpoint"
    );
    // a's delivery lease has ended, but its ownership outlives it: a request it might still
    // have in flight ends before anyone else starts the endpoint.
    let lease_over = t0.plus(LEASE).plus(Duration::from_millis(1));
    assert!(claim(&cluster.b, lease_over, 10).await.is_empty());
    // a said nothing since: b takes over the endpoint, a's abandoned delivery included.
    let later = t0.plus(LEASE * 2);
    let took_over = claim(&cluster.b, later, 10).await;
    assert_eq!(took_over.len(), 3);
    assert!(
        took_over
            .iter()
            .any(|job| job.delivery.id == taken[0].delivery.id)
    );
    assert!(
        claim(&cluster.a, later, 10).await.is_empty(),
        "b owns it now"
    );
}

#[tokio::test]
async fn a_node_that_keeps_claiming_keeps_its_endpoints() {
    let Some(cluster) = Cluster::start("nodes_renewal").await else {
        return;
    };
    cluster.endpoints(1).await;
    cluster.messages(3).await;
    let t0 = now();
    assert_eq!(claim(&cluster.a, t0, 1).await.len(), 1);
    // a claims again before its ownership ends, which extends it from the new claim: b is kept
    // out past the time a's first claim alone would have kept it.
    let renewed = t0.plus(LEASE / 2);
    assert_eq!(claim(&cluster.a, renewed, 1).await.len(), 1);
    assert!(
        claim(&cluster.b, t0.plus(LEASE + LEASE / 2), 10)
            .await
            .is_empty(),
        "still a's"
    );
    // Once a stops, b gets everything: the pending one and a's two expired claims.
    let much_later = renewed.plus(LEASE * 2);
    assert_eq!(claim(&cluster.b, much_later, 10).await.len(), 3);
}

/// Runs `sql` (one count) on `client` until it answers more than zero, within the patience.
async fn until_positive(client: &tokio_postgres::Client, sql: &str) {
    tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            let row = client.query_one(sql, &[]).await.expect("count");
            if row.get::<_, i64>(0) > 0 {
                return;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("never true: {sql}"));
}

#[tokio::test]
async fn an_endpoint_deleted_while_its_attempt_is_recorded_waits_instead_of_deadlocking() {
    let Some(db) = TestDatabase::create("record_vs_delete")
        .await
        .expect("test database")
    else {
        return;
    };
    let node: Arc<dyn Store> = Arc::new(
        PgStore::connect(PgOptions::new(db.url()))
            .await
            .expect("connect"),
    );
    let app = new_app(&node, None).await;
    let endpoint = add_endpoint(&node, &app, None).await;
    add_message(&node, &app).await;
    let job = claim(&node, now(), 10)
        .await
        .pop()
        .expect("a claimed delivery");
    // The failure trips the circuit: the record writes the endpoint's health, which locks the
    // endpoint row (its foreign key) after the delivery row.
    let mut record = failed(&job, now().plus(Duration::from_secs(60)), false);
    record.health = Some(EndpointHealth {
        endpoint_id: endpoint.clone(),
        circuit: CircuitState::Open,
        throttled_since: Some(now()),
        paused_until: Some(now().plus(Duration::from_secs(60))),
        reason: Some("circuit_open".into()),
        updated_at: now(),
    });

    // A delete of the endpoint in another session: it has taken the endpoint's row, as
    // `DELETE FROM endpoints` does before cascading to the deliveries.
    let (mut deleter, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .expect("connect the deleter");
    tokio::spawn(connection);
    let (watcher, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .expect("connect the watcher");
    tokio::spawn(connection);
    let delete = deleter.transaction().await.expect("begin");
    delete
        .execute(
            "SELECT 1 FROM endpoints WHERE id = $1 FOR UPDATE",
            &[&endpoint.as_str()],
        )
        .await
        .expect("lock the endpoint");
    let recording = tokio::spawn({
        let node = Arc::clone(&node);
        async move { node.record_attempts(vec![record]).await }
    });
    // The recorder waits on a lock (in this test's database: other tests run alongside).
    until_positive(
        &watcher,
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE NOT l.granted AND a.datname = current_database()",
    )
    .await;

    // The cascade now needs the delivery's row: the recorder must not be holding it. (Were it,
    // PostgreSQL would find the deadlock after `deadlock_timeout`, 1 s, and abort the delete
    // or the recorder: either fails below.)
    tokio::time::timeout(
        Duration::from_secs(5),
        delete.execute("DELETE FROM endpoints WHERE id = $1", &[&endpoint.as_str()]),
    )
    .await
    .expect("the delete waited on the recorder: the deadlock is back")
    .expect("delete");
    delete.commit().await.expect("commit the delete");
    recording
        .await
        .expect("join")
        .expect("the recorder, finding the delivery gone, records nothing and succeeds");
    let left = watcher
        .query_one(
            "SELECT (SELECT count(*) FROM attempts) + (SELECT count(*) FROM deliveries)
             + (SELECT count(*) FROM endpoint_health)",
            &[],
        )
        .await
        .expect("count");
    assert_eq!(left.get::<_, i64>(0), 0, "nothing of the endpoint is left");
}
