//! PostgreSQL only: two nodes (two stores on one database) racing on the same key. Every racer
//! waits at a barrier and then calls at once, so the calls overlap in the database; the store
//! must let exactly one through however they interleave.

use std::sync::Arc;

use hookline_core::Timestamp;
use hookline_core::source::InboundOutcome;
use hookline_store::idempotency::ClaimOutcome;
use hookline_store::page::{Order, PageRequest};
use hookline_store::postgres::testing::TestDatabase;
use hookline_store::{PgOptions, PgStore, Store};
use tokio::sync::Barrier;

use crate::idempotency::claim_at;
use crate::sources::{T0, event, forwarding_endpoint, new_source};

/// Racers per key, spread over the two nodes.
const RACERS: usize = 6;
/// Keys raced for, one after another (each a fresh race).
const ROUNDS: usize = 5;

/// Two stores on one fresh database, or `None` without `HOOKLINE_TEST_DATABASE_URL`.
async fn two_nodes(test: &str) -> Option<(TestDatabase, [Arc<dyn Store>; 2])> {
    let db = TestDatabase::create(test).await.expect("test database")?;
    let open = || async {
        let store = PgStore::connect(PgOptions::new(db.url()))
            .await
            .expect("open PostgreSQL");
        Arc::new(store) as Arc<dyn Store>
    };
    let nodes = [open().await, open().await];
    Some((db, nodes))
}

#[tokio::test]
async fn on_postgres_one_provider_delivery_received_by_two_nodes_at_once_is_one_message() {
    let Some((_db, nodes)) = two_nodes("nodes_inbound_dedupe").await else {
        return;
    };
    let source = nodes[0]
        .create_source(new_source(None))
        .await
        .expect("source");
    nodes[0]
        .create_endpoint(forwarding_endpoint(&source))
        .await
        .expect("endpoint");
    for round in 0..ROUNDS {
        let key = format!("delivery-{round}");
        let barrier = Arc::new(Barrier::new(RACERS));
        let racers: Vec<_> = (0..RACERS)
            .map(|n| {
                let (node, barrier) = (nodes[n % 2].clone(), barrier.clone());
                let (event, message) = event(&source, Some(&key), T0 + round as i64);
                tokio::spawn(async move {
                    barrier.wait().await;
                    let id = event.id.clone();
                    let outcome = node.accept_inbound(event, message, 60).await;
                    (id, outcome.expect("accept"))
                })
            })
            .collect();
        let mut accepted = Vec::new();
        let mut duplicates_of = Vec::new();
        for racer in racers {
            match racer.await.expect("racer") {
                (id, InboundOutcome::Accepted { deliveries }) => {
                    assert_eq!(deliveries, 1);
                    accepted.push(id);
                }
                (_, InboundOutcome::Duplicate(original)) => duplicates_of.push(original),
            }
        }
        assert_eq!(accepted.len(), 1, "round {round}: exactly one is stored");
        assert!(
            duplicates_of.iter().all(|id| id == &accepted[0]),
            "round {round}: every duplicate names the stored one"
        );
    }
    let events = nodes[1]
        .list_inbound_events(&source.id, &PageRequest::first(50, Order::Ascending))
        .await
        .expect("list");
    assert_eq!(events.items.len(), ROUNDS, "one event per delivery id");
}

#[tokio::test]
async fn on_postgres_one_idempotency_key_claimed_by_two_nodes_at_once_lets_one_proceed() {
    let Some((_db, nodes)) = two_nodes("nodes_idempotency").await else {
        return;
    };
    let now = Timestamp::from_millis(1_000_000);
    for round in 0..ROUNDS {
        let key = format!("key-{round}");
        let barrier = Arc::new(Barrier::new(RACERS));
        let racers: Vec<_> = (0..RACERS)
            .map(|n| {
                let (node, barrier) = (nodes[n % 2].clone(), barrier.clone());
                let claim = claim_at(&key, 1, now);
                tokio::spawn(async move {
                    barrier.wait().await;
                    node.claim_idempotency_key(claim).await.expect("claim")
                })
            })
            .collect();
        let mut claimed = 0;
        for racer in racers {
            match racer.await.expect("racer") {
                ClaimOutcome::Claimed => claimed += 1,
                ClaimOutcome::InProgress { same_request } => assert!(same_request),
                other => panic!("round {round}: unexpected {other:?}"),
            }
        }
        assert_eq!(claimed, 1, "round {round}: exactly one request proceeds");
    }
}

#[tokio::test]
async fn on_postgres_a_stale_key_taken_over_by_two_nodes_at_once_lets_one_proceed() {
    let Some((_db, nodes)) = two_nodes("nodes_idempotency_takeover").await else {
        return;
    };
    let then = Timestamp::from_millis(1_000_000);
    let later = then.plus(std::time::Duration::from_secs(61));
    for round in 0..ROUNDS {
        let key = format!("stale-{round}");
        let first = nodes[0]
            .claim_idempotency_key(claim_at(&key, 1, then))
            .await;
        assert_eq!(first.expect("claim"), ClaimOutcome::Claimed);
        let barrier = Arc::new(Barrier::new(RACERS));
        let racers: Vec<_> = (0..RACERS)
            .map(|n| {
                let (node, barrier) = (nodes[n % 2].clone(), barrier.clone());
                let claim = claim_at(&key, 2, later);
                tokio::spawn(async move {
                    barrier.wait().await;
                    node.claim_idempotency_key(claim).await.expect("claim")
                })
            })
            .collect();
        let mut claimed = 0;
        for racer in racers {
            match racer.await.expect("racer") {
                ClaimOutcome::Claimed => claimed += 1,
                ClaimOutcome::InProgress { same_request } => assert!(same_request),
                other => panic!("round {round}: unexpected {other:?}"),
            }
        }
        assert_eq!(
            claimed, 1,
            "round {round}: exactly one takes the stale key over"
        );
    }
}
