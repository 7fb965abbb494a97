//! Idempotency keys: claimed once, replayed after completion, taken over when stale, pruned.

use std::time::Duration;

use hookline_core::Timestamp;
use hookline_store::idempotency::{ClaimOutcome, IdempotencyClaim, StoredResponse};

use crate::common;

pub(crate) fn claim_at(key: &str, hash: u8, now: Timestamp) -> IdempotencyClaim {
    IdempotencyClaim {
        scope: "admin".into(),
        key: key.into(),
        request_hash: [hash; 32],
        now,
        ttl: Duration::from_secs(3600),
        stale_after: Duration::from_secs(60),
    }
}

#[tokio::test]
async fn a_key_is_claimed_once_then_replays_its_response() {
    for backend in common::backends("idempotency_claim_once").await {
        let (store, name) = (&backend.store, backend.name);
        let now = Timestamp::from_millis(1_000_000);
        let claim = |hash| store.claim_idempotency_key(claim_at("k", hash, now));
        assert_eq!(
            claim(1).await.expect("claim"),
            ClaimOutcome::Claimed,
            "{name}"
        );
        assert_eq!(
            claim(1).await.expect("claim"),
            ClaimOutcome::InProgress { same_request: true },
            "{name}"
        );
        assert_eq!(
            claim(2).await.expect("claim"),
            ClaimOutcome::InProgress {
                same_request: false
            },
            "{name}"
        );
        let response = StoredResponse {
            status: 201,
            content_type: Some("application/json".into()),
            body: b"{}".to_vec(),
        };
        store
            .complete_idempotency_key("admin", "k", response.clone())
            .await
            .expect("complete");
        assert_eq!(
            claim(1).await.expect("claim"),
            ClaimOutcome::Completed {
                same_request: true,
                response: response.clone()
            },
            "{name}"
        );
        assert_eq!(
            claim(2).await.expect("claim"),
            ClaimOutcome::Completed {
                same_request: false,
                response
            },
            "{name}"
        );
        // A completed key is not released: its response stays.
        store
            .release_idempotency_key("admin", "k")
            .await
            .expect("release");
        assert!(
            matches!(
                claim(1).await.expect("claim"),
                ClaimOutcome::Completed { .. }
            ),
            "{name}"
        );
        // Another principal's key of the same name is another key.
        let mut other = claim_at("k", 1, now);
        other.scope = "key_other".into();
        assert_eq!(
            store.claim_idempotency_key(other).await.expect("claim"),
            ClaimOutcome::Claimed,
            "{name}"
        );
    }
}

#[tokio::test]
async fn stale_claims_are_taken_over_and_released_keys_are_free() {
    for backend in common::backends("idempotency_stale_and_released").await {
        let (store, name) = (&backend.store, backend.name);
        let now = Timestamp::from_millis(1_000_000);
        let first = store.claim_idempotency_key(claim_at("k", 1, now)).await;
        assert_eq!(first.expect("claim"), ClaimOutcome::Claimed, "{name}");
        let before_stale = now.plus(Duration::from_secs(59));
        let held = store
            .claim_idempotency_key(claim_at("k", 1, before_stale))
            .await;
        assert_eq!(
            held.expect("claim"),
            ClaimOutcome::InProgress { same_request: true },
            "{name}"
        );
        let later = now.plus(Duration::from_secs(61));
        let takeover = store.claim_idempotency_key(claim_at("k", 1, later)).await;
        assert_eq!(takeover.expect("claim"), ClaimOutcome::Claimed, "{name}");

        store
            .release_idempotency_key("admin", "k")
            .await
            .expect("release");
        let again = store.claim_idempotency_key(claim_at("k", 2, later)).await;
        assert_eq!(again.expect("claim"), ClaimOutcome::Claimed, "{name}");
    }
}

#[tokio::test]
async fn an_expired_response_no_longer_answers() {
    for backend in common::backends("idempotency_expired").await {
        let (store, name) = (&backend.store, backend.name);
        let now = Timestamp::from_millis(1_000_000);
        store
            .claim_idempotency_key(claim_at("k", 1, now))
            .await
            .expect("claim");
        let response = StoredResponse {
            status: 200,
            content_type: None,
            body: Vec::new(),
        };
        store
            .complete_idempotency_key("admin", "k", response)
            .await
            .expect("complete");
        let expired = now.plus(Duration::from_secs(3600));
        let outcome = store.claim_idempotency_key(claim_at("k", 2, expired)).await;
        assert_eq!(outcome.expect("claim"), ClaimOutcome::Claimed, "{name}");
        let outcome = store.claim_idempotency_key(claim_at("k", 2, expired)).await;
        assert_eq!(
            outcome.expect("claim"),
            ClaimOutcome::InProgress { same_request: true },
            "{name}: the new claim holds"
        );
    }
}

#[tokio::test]
async fn expired_keys_are_pruned_in_bounded_batches() {
    for backend in common::backends("idempotency_prune").await {
        let (store, name) = (&backend.store, backend.name);
        let then = Timestamp::from_millis(1_000_000);
        for key in ["a", "b", "c"] {
            store
                .claim_idempotency_key(claim_at(key, 1, then))
                .await
                .expect("claim");
        }
        let fresh = then.plus(Duration::from_secs(7200));
        store
            .claim_idempotency_key(claim_at("fresh", 1, fresh))
            .await
            .expect("claim");
        let prune = |limit| store.prune_idempotency_keys(fresh, limit);
        assert_eq!(prune(2).await.expect("prune"), 2, "{name}");
        assert_eq!(prune(2).await.expect("prune"), 1, "{name}");
        assert_eq!(prune(2).await.expect("prune"), 0, "{name}");
        assert_eq!(
            store
                .claim_idempotency_key(claim_at("fresh", 1, fresh))
                .await
                .expect("claim"),
            ClaimOutcome::InProgress { same_request: true },
            "{name}: the unexpired key was kept"
        );
    }
}
