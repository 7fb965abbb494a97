//! Claims: leases, blocked endpoints, ordering, hand-backs that are not attempts, pauses, and the
//! rate limit a job carries.

use std::time::Duration;

use hookline_core::delivery::{CircuitState, DeliverySettings, EndpointHealth, RATE_LIMITED};
use hookline_core::model::{DeliveryStatus, Endpoint};
use hookline_core::{EndpointId, Timestamp};
use hookline_store::query::{Deferral, DeliveryJob, QueueDepth};

use crate::fixture::{Fixture, LEASE, claim_request, delivered, failed, now};

#[tokio::test]
async fn a_claim_skips_excluded_endpoints_and_leaves_their_work_due() {
    for f in Fixture::each("claim_skips_excluded").await {
        let name = f.name;
        let (blocked, open) = (f.endpoint().await, f.endpoint().await);
        f.message().await;
        let jobs = f.claim(vec![blocked.clone()]).await;
        assert_eq!(jobs.len(), 1, "{name}");
        assert_eq!(jobs[0].endpoint.id, open, "{name}");
        assert_eq!(jobs[0].delivery.status, DeliveryStatus::Sending, "{name}");
        let later = f.claim(vec![]).await;
        assert_eq!(
            later.len(),
            1,
            "{name}: the excluded endpoint's delivery is still due"
        );
        assert_eq!(later[0].endpoint.id, blocked, "{name}");
    }
}

#[tokio::test]
async fn a_claimed_delivery_comes_back_when_its_lease_ends_and_not_before() {
    for f in Fixture::each("claim_lease").await {
        let name = f.name;
        f.endpoint().await;
        f.message().await;
        let at = now();
        let first = f.claim_at(at, vec![]).await;
        assert_eq!(first.len(), 1, "{name}");
        let lease_end = at.plus(LEASE);
        assert_eq!(first[0].delivery.next_attempt_at, Some(lease_end), "{name}");
        let just_before = Timestamp::from_millis(lease_end.as_millis() - 1);
        assert!(
            f.claim_at(just_before, vec![]).await.is_empty(),
            "{name}: claimed work is not offered twice"
        );
        // The claimer died: the delivery is due again, and no attempt was counted.
        let again = f.claim_at(lease_end, vec![]).await;
        assert_eq!(again.len(), 1, "{name}");
        assert_eq!(again[0].delivery.id, first[0].delivery.id, "{name}");
        assert_eq!(again[0].delivery.attempt_count, 0, "{name}");
        assert_eq!(again[0].message.payload.as_deref(), Some("{}"), "{name}");
    }
}

#[tokio::test]
async fn claims_take_the_oldest_due_first_up_to_the_limit() {
    for f in Fixture::each("claim_oldest_first").await {
        let name = f.name;
        f.endpoint().await;
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(f.message().await);
        }
        // Handed back due in the reverse of acceptance order: the newest is due first.
        let base = now();
        let jobs = f.claim_at(base, vec![]).await;
        let due_of = |id| {
            let rank = ids.iter().rev().position(|m| m == id).expect("ours") as u64;
            base.plus(Duration::from_millis(10 * (rank + 1)))
        };
        let deferral = Deferral {
            deliveries: jobs
                .iter()
                .map(|job| (job.delivery.id.clone(), due_of(&job.message.id)))
                .collect(),
            health: vec![],
        };
        f.store.defer_deliveries(deferral).await.expect("defer");
        let late = base.plus(Duration::from_secs(1));
        let claim = |limit| f.store.claim_due(claim_request(late, limit, vec![]));
        let two: Vec<_> = claim(2)
            .await
            .expect("claim")
            .into_iter()
            .map(|j| j.message.id)
            .collect();
        assert_eq!(
            two,
            vec![ids[4].clone(), ids[3].clone()],
            "{name}: the limit holds"
        );
        let rest: Vec<_> = claim(10)
            .await
            .expect("claim")
            .into_iter()
            .map(|j| j.message.id)
            .collect();
        assert_eq!(
            rest,
            vec![ids[2].clone(), ids[1].clone(), ids[0].clone()],
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_delivery_to_a_disabled_endpoint_is_failed_instead_of_claimed() {
    for f in Fixture::each("claim_disabled_endpoint").await {
        let name = f.name;
        let (ep, other) = (f.endpoint().await, f.endpoint().await);
        let msg = f.message().await;
        let mut endpoint: Endpoint = f
            .store
            .get_endpoint(&f.app, ep.as_str())
            .await
            .expect("get")
            .expect("exists");
        endpoint.disabled = true;
        f.store.update_endpoint(endpoint).await.expect("disable");
        let jobs = f.claim(vec![]).await;
        assert_eq!(jobs.len(), 1, "{name}");
        assert_eq!(jobs[0].endpoint.id, other, "{name}");
        let page = hookline_store::PageRequest::first(10, hookline_store::Order::Ascending);
        let deliveries = f
            .store
            .list_message_deliveries(&f.app, msg.as_str(), &page)
            .await
            .expect("deliveries");
        let (_, dead) = deliveries
            .items
            .iter()
            .find(|(e, _)| e.id == ep)
            .expect("planned");
        assert_eq!(dead.status, DeliveryStatus::Fail, "{name}");
        assert_eq!(dead.next_attempt_at, None, "{name}");
    }
}

#[tokio::test]
async fn a_handed_back_delivery_is_not_an_attempt_and_comes_back_at_its_time() {
    for f in Fixture::each("claim_handed_back").await {
        let name = f.name;
        f.endpoint().await;
        f.message().await;
        let job = f.claim(vec![]).await.remove(0);
        let due = now().plus(Duration::from_millis(300));
        let deferral = Deferral {
            deliveries: vec![(job.delivery.id.clone(), due)],
            health: vec![],
        };
        f.store.defer_deliveries(deferral).await.expect("defer");
        assert!(f.claim(vec![]).await.is_empty(), "{name}: not due yet");
        assert_eq!(
            f.store.next_due_after(now()).await.expect("next"),
            Some(due),
            "{name}"
        );
        let again = f.claim_at(due, vec![]).await;
        assert_eq!(again[0].delivery.id, job.delivery.id, "{name}");
        assert_eq!(again[0].delivery.attempt_count, 0, "{name}");
    }
}

#[tokio::test]
async fn an_ordered_endpoint_is_offered_one_delivery_at_a_time_in_acceptance_order() {
    for f in Fixture::each("claim_ordered").await {
        let name = f.name;
        let ep = f.endpoint().await;
        let ordered = DeliverySettings {
            ordered: true,
            ..DeliverySettings::default()
        };
        f.store
            .set_delivery_settings(&ep, ordered, now())
            .await
            .expect("settings");
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(f.message().await);
        }
        let first = f.claim(vec![]).await;
        assert_eq!(first.len(), 1, "{name}");
        assert_eq!(first[0].message.id, ids[0], "{name}");
        assert!(first[0].settings.ordered, "{name}");
        assert!(
            f.claim(vec![]).await.is_empty(),
            "{name}: the head is in flight"
        );
        // The head fails and is retried later: the others wait behind it.
        let retry = now().plus(Duration::from_millis(200));
        f.store
            .record_attempts(vec![failed(&first[0], retry, true)])
            .await
            .expect("record");
        assert!(
            f.claim(vec![]).await.is_empty(),
            "{name}: the head is pending"
        );
        assert_eq!(
            f.store.next_due_after(now()).await.expect("next"),
            Some(retry),
            "{name}"
        );
        // Once the head is delivered, the next in acceptance order follows.
        let head = f.claim_at(retry, vec![]).await;
        assert_eq!(head.len(), 1, "{name}");
        assert_eq!(head[0].message.id, ids[0], "{name}");
        f.store
            .record_attempts(vec![delivered(&head[0])])
            .await
            .expect("record");
        let next = f.claim_at(retry, vec![]).await;
        assert_eq!(next.len(), 1, "{name}");
        assert_eq!(next[0].message.id, ids[1], "{name}");
    }
}

#[tokio::test]
async fn a_pause_holds_the_endpoints_pending_work_but_a_rate_limit_does_not() {
    for f in Fixture::each("claim_pause").await {
        let name = f.name;
        let ep = f.endpoint().await;
        f.message().await;
        f.message().await;
        let jobs = f.claim(vec![]).await;
        let until = now().plus(Duration::from_secs(60));
        let mut health = EndpointHealth {
            endpoint_id: ep.clone(),
            circuit: CircuitState::Open,
            throttled_since: Some(now()),
            paused_until: Some(until),
            reason: Some("circuit_open".into()),
            updated_at: now(),
        };
        let mut record = failed(&jobs[0], now(), false);
        record.health = Some(health.clone());
        // The other claimed delivery is handed back as due now; the pause must still hold it.
        let back = Deferral {
            deliveries: vec![(jobs[1].delivery.id.clone(), now())],
            health: vec![],
        };
        f.store.defer_deliveries(back).await.expect("defer");
        f.store.record_attempts(vec![record]).await.expect("record");
        assert!(f.claim(vec![]).await.is_empty(), "{name}: paused");
        assert_eq!(
            f.store.next_due_after(now()).await.expect("next"),
            Some(until),
            "{name}"
        );
        let stored = f.store.endpoint_health(&ep).await.expect("health");
        assert_eq!(stored, Some(health.clone()), "{name}");
        let held = f.claim_at(until, vec![]).await;
        assert_eq!(held.len(), 2, "{name}: both come back when the pause ends");
        assert!(
            held.iter().all(|job| job.health.as_ref() == Some(&health)),
            "{name}: a claimed job carries the endpoint's health"
        );

        // A rate-limit report only describes the spreading; it moves no delivery.
        f.message().await;
        health.circuit = CircuitState::Closed;
        health.reason = Some(RATE_LIMITED.into());
        let report = Deferral {
            deliveries: vec![],
            health: vec![health],
        };
        f.store.defer_deliveries(report).await.expect("report");
        assert_eq!(
            f.claim(vec![]).await.len(),
            1,
            "{name}: the new message is still due"
        );
    }
}

#[tokio::test]
async fn an_endpoint_without_its_own_rate_limit_gets_its_applications() {
    for f in Fixture::each_with_app_rate("claim_app_rate", Some(3)).await {
        let name = f.name;
        let inherits = f.endpoint().await;
        let own = f.endpoint_with_rate(Some(7)).await;
        f.message().await;
        let jobs = f.claim(vec![]).await;
        let rate = |ep: &EndpointId| {
            jobs.iter()
                .find(|j| &j.endpoint.id == ep)
                .map(DeliveryJob::throttle_rate)
        };
        assert_eq!(rate(&inherits), Some(Some(3)), "{name}");
        assert_eq!(rate(&own), Some(Some(7)), "{name}");
    }
}

#[tokio::test]
async fn the_queue_counts_due_and_scheduled_work() {
    for f in Fixture::each("claim_queue_depth").await {
        let name = f.name;
        assert_eq!(f.store.next_due_at().await.expect("next"), None, "{name}");
        f.endpoint().await;
        f.endpoint().await;
        let msg = f.message().await;
        let at = now();
        let depth = f.store.queue_depth(at).await.expect("depth");
        assert_eq!(
            depth,
            QueueDepth {
                due: 2,
                scheduled: 0
            },
            "{name}"
        );
        let first_due = f.store.next_due_at().await.expect("next");
        assert!(first_due.is_some_and(|due| due <= at), "{name}");
        let jobs = f.claim_at(at, vec![]).await;
        assert!(jobs.iter().all(|j| j.message.id == msg), "{name}");
        let depth = f.store.queue_depth(at).await.expect("depth");
        assert_eq!(
            depth,
            QueueDepth {
                due: 0,
                scheduled: 2
            },
            "{name}"
        );
        assert_eq!(
            f.store.next_due_at().await.expect("next"),
            Some(at.plus(LEASE)),
            "{name}: leased work is due when the lease ends"
        );
        let records = jobs.iter().map(delivered).collect();
        f.store.record_attempts(records).await.expect("record");
        assert_eq!(f.store.next_due_at().await.expect("next"), None, "{name}");
        assert_eq!(
            f.store.next_due_after(at).await.expect("next"),
            None,
            "{name}"
        );
    }
}
