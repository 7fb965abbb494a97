//! Housekeeping on every backend: the auto-disable clock (started by exhausted deliveries,
//! stopped by a success or by enabling the endpoint again) and retention in bounded batches.

// The fixture's items are `pub` for every test binary that includes it.
#[allow(unreachable_pub)]
mod common;
mod seed;

use std::time::Duration;

use hookline_core::model::DeliveryStatus;
use hookline_core::operational::operational_app_id;
use hookline_core::{AppId, EndpointId, Timestamp};
use hookline_store::query::{DeliveryJob, MessageFilter};
use hookline_store::tasks::{BackgroundTask, TaskStatus, new_task_id};
use hookline_store::{Order, PageRequest, Store};

const DAY: Duration = Duration::from_secs(24 * 3600);
const MS: Duration = Duration::from_millis(1);

/// An endpoint with `n` messages claimed for sending.
async fn claimed(store: &dyn Store, n: usize) -> (AppId, EndpointId, Vec<DeliveryJob>) {
    let app = seed::app(store).await;
    let endpoint = seed::endpoint(store, &app, None).await;
    for _ in 0..n {
        seed::message(store, &app, "a").await;
    }
    let jobs = seed::claim(store).await;
    assert_eq!(jobs.len(), n);
    (app, endpoint, jobs)
}

/// Records that `job`'s delivery ran out of retries at `at`.
async fn exhausted(store: &dyn Store, job: &DeliveryJob, at: Timestamp) {
    let fail = DeliveryStatus::Fail;
    seed::record(store, vec![seed::attempt(job, fail, fail, None, at)]).await;
}

async fn is_disabled(store: &dyn Store, app: &AppId, endpoint: &EndpointId) -> bool {
    store
        .get_endpoint(app, endpoint.as_str())
        .await
        .expect("get the endpoint")
        .expect("the endpoint exists")
        .disabled
}

#[tokio::test]
async fn an_endpoint_failing_since_the_cutoff_is_disabled_once() {
    for backend in common::backends("an_endpoint_failing_since_the_cutoff_is_disabled_once").await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let (app, endpoint, jobs) = claimed(store, 1).await;
        let (now, failing) = (Timestamp::now(), Timestamp::now().minus(6 * DAY));
        exhausted(store, &jobs[0], failing).await;

        let early = store
            .disable_failing_endpoints(failing.minus(MS), now)
            .await;
        assert_eq!(
            early.expect("pass"),
            vec![],
            "{name}: not failing long enough"
        );
        assert!(!is_disabled(store, &app, &endpoint).await, "{name}");

        let due = store.disable_failing_endpoints(failing, now).await;
        assert_eq!(
            due.expect("pass"),
            vec![(app.clone(), endpoint.clone())],
            "{name}"
        );
        assert!(is_disabled(store, &app, &endpoint).await, "{name}");
        let again = store.disable_failing_endpoints(now, now).await;
        assert_eq!(again.expect("pass"), vec![], "{name}: disabled already");
    }
}

#[tokio::test]
async fn a_success_stops_the_clock_and_the_next_exhaustion_starts_it_again() {
    let test = "a_success_stops_the_clock_and_the_next_exhaustion_starts_it_again";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let (app, endpoint, jobs) = claimed(store, 3).await;
        let now = Timestamp::now();
        let (first, success, second) = (now.minus(9 * DAY), now.minus(8 * DAY), now.minus(7 * DAY));
        exhausted(store, &jobs[0], first).await;
        let done = DeliveryStatus::Success;
        seed::record(
            store,
            vec![seed::attempt(&jobs[1], done, done, None, success)],
        )
        .await;
        exhausted(store, &jobs[2], second).await;

        let before_restart = store.disable_failing_endpoints(second.minus(MS), now).await;
        assert_eq!(
            before_restart.expect("pass"),
            vec![],
            "{name}: the clock restarted at the exhaustion after the success"
        );
        let after_restart = store.disable_failing_endpoints(second, now).await;
        assert_eq!(
            after_restart.expect("pass"),
            vec![(app, endpoint)],
            "{name}"
        );
    }
}

#[tokio::test]
async fn enabling_an_endpoint_again_stops_its_clock() {
    for backend in common::backends("enabling_an_endpoint_again_stops_its_clock").await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let (app, endpoint, jobs) = claimed(store, 1).await;
        let (now, failing) = (Timestamp::now(), Timestamp::now().minus(6 * DAY));
        exhausted(store, &jobs[0], failing).await;
        let disabled = store.disable_failing_endpoints(failing, now).await;
        assert_eq!(disabled.expect("pass").len(), 1, "{name}");

        let mut ep = store
            .get_endpoint(&app, endpoint.as_str())
            .await
            .expect("get")
            .expect("endpoint");
        ep.disabled = false;
        store.update_endpoint(ep).await.expect("enable");
        let far = now.plus(365 * DAY);
        let after = store.disable_failing_endpoints(far, far).await;
        assert_eq!(
            after.expect("pass"),
            vec![],
            "{name}: enabling reset the clock"
        );
    }
}

#[tokio::test]
async fn an_auto_disabled_endpoint_is_announced_once_to_operational_endpoints() {
    let test = "an_auto_disabled_endpoint_is_announced_once_to_operational_endpoints";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let operational = operational_app_id();
        seed::endpoint(store, &operational, Some(&["endpoint.disabled"])).await;
        let (_, endpoint, jobs) = claimed(store, 1).await;
        let (now, failing) = (Timestamp::now(), Timestamp::now().minus(6 * DAY));
        exhausted(store, &jobs[0], failing).await;
        for _ in 0..2 {
            store
                .disable_failing_endpoints(failing, now)
                .await
                .expect("pass");
        }

        let events = store
            .list_messages(
                &operational,
                &MessageFilter::default(),
                &PageRequest::first(10, Order::Ascending),
            )
            .await
            .expect("operational messages")
            .items;
        assert_eq!(events.len(), 1, "{name}: announced once");
        assert_eq!(events[0].event_type.as_str(), "endpoint.disabled", "{name}");
        let payload = events[0].payload.as_deref().expect("a payload");
        let body: serde_json::Value = serde_json::from_str(payload).expect("JSON");
        assert_eq!(body["data"]["endpointId"], endpoint.as_str(), "{name}");
        assert_eq!(body["data"]["trigger"], "automatic", "{name}");
        assert_eq!(body["data"]["failSince"], failing.to_rfc3339(), "{name}");
    }
}

/// Runs `step` until it reports less than `limit`, returning each batch's count.
async fn batches<F, Fut>(limit: u32, mut step: F) -> Vec<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = hookline_store::StoreResult<u64>>,
{
    let mut counts = Vec::new();
    loop {
        let n = step().await.expect("retention batch");
        counts.push(n);
        if n < u64::from(limit) {
            return counts;
        }
    }
}

#[tokio::test]
async fn retention_works_in_bounded_batches_and_keeps_what_is_still_needed() {
    let test = "retention_works_in_bounded_batches_and_keeps_what_is_still_needed";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let now = Timestamp::now();
        let (old, before) = (now.minus(100 * DAY), now.minus(90 * DAY));
        // Three old messages no endpoint receives, and a recent one.
        let quiet = seed::app(store).await;
        let mut gone = Vec::new();
        for _ in 0..3 {
            gone.push(seed::send(store, seed::message_at(&quiet, "a", old)).await);
        }
        let recent = seed::message(store, &quiet, "a").await;
        // Two old messages to an endpoint: one delivered long ago, one still being retried.
        let busy = seed::app(store).await;
        let endpoint = seed::endpoint(store, &busy, None).await;
        let delivered = seed::send(store, seed::message_at(&busy, "a", old)).await;
        let retried = seed::send(store, seed::message_at(&busy, "a", old.plus(MS))).await;
        let jobs = seed::claim(store).await;
        let job = |msg| jobs.iter().find(|j| j.message.id == msg).expect("claimed");
        let (done, fail) = (DeliveryStatus::Success, DeliveryStatus::Fail);
        let retry = Some(now.plus(DAY));
        seed::record(
            store,
            vec![
                seed::attempt(job(delivered.clone()), done, done, None, old),
                seed::attempt(
                    job(retried.clone()),
                    fail,
                    DeliveryStatus::Pending,
                    retry,
                    old,
                ),
            ],
        )
        .await;

        let attempts = batches(1, || store.prune_attempts(before, 1)).await;
        assert_eq!(attempts, vec![1, 1, 0], "{name}");
        let payloads = batches(2, || store.expire_payloads(now, before, 2)).await;
        assert_eq!(payloads, vec![2, 2, 1], "{name}");
        let messages = batches(2, || store.prune_messages(before, 2)).await;
        assert_eq!(
            messages,
            vec![2, 2, 0],
            "{name}: all old messages but the one still being retried"
        );

        for msg in gone.iter().chain([&delivered]) {
            let found = store.get_message(&quiet, msg.as_str()).await.expect("get");
            let found_busy = store.get_message(&busy, msg.as_str()).await.expect("get");
            assert!(
                found.is_none() && found_busy.is_none(),
                "{name}: {msg} is gone"
            );
        }
        let kept = store
            .get_message(&busy, retried.as_str())
            .await
            .expect("get");
        assert_eq!(
            kept.map(|m| m.payload),
            Some(None),
            "{name}: kept, without payload"
        );
        let recent = store
            .get_message(&quiet, recent.as_str())
            .await
            .expect("get");
        assert!(
            recent.and_then(|m| m.payload).is_some(),
            "{name}: recent, untouched"
        );
        let left = seed::deliveries_in(store, &busy, &endpoint, DeliveryStatus::Pending).await;
        assert_eq!(left.len(), 1, "{name}: the retried delivery still waits");
    }
}

/// A task in `status`, created and last updated at `at`.
async fn task_at(store: &dyn Store, status: TaskStatus, at: Timestamp) -> String {
    let task = BackgroundTask {
        id: new_task_id(),
        kind: "endpoint.recover".into(),
        status,
        params: serde_json::json!({}),
        data: serde_json::json!({"messagesSent": 0}),
        created_at: at,
        updated_at: at,
    };
    store.create_task(task).await.expect("create a task").id
}

#[tokio::test]
async fn ended_tasks_are_pruned_in_batches_and_running_or_recent_ones_are_kept() {
    let test = "ended_tasks_are_pruned_in_batches_and_running_or_recent_ones_are_kept";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let now = Timestamp::from_millis(1_750_000_000_000);
        let (old, before) = (now.minus(40 * DAY), now.minus(30 * DAY));
        let mut gone = Vec::new();
        for status in [TaskStatus::Finished, TaskStatus::Failed] {
            for _ in 0..2 {
                gone.push(task_at(store, status, old).await);
            }
        }
        // Ended through an update, a millisecond before the cutoff.
        let ended_late = task_at(store, TaskStatus::Running, old).await;
        let last = serde_json::json!({"messagesSent": 7});
        store
            .update_task(&ended_late, TaskStatus::Finished, last, before.minus(MS))
            .await
            .expect("finish");
        gone.push(ended_late);
        let running = task_at(store, TaskStatus::Running, old).await;
        let recent = task_at(store, TaskStatus::Finished, now.minus(DAY)).await;
        let at_cutoff = task_at(store, TaskStatus::Failed, before).await;
        // Created long ago but ended recently: the age counts from the last update.
        let long_running = task_at(store, TaskStatus::Running, old).await;
        store
            .update_task(
                &long_running,
                TaskStatus::Finished,
                serde_json::json!({}),
                now.minus(DAY),
            )
            .await
            .expect("finish");

        let counts = batches(2, || store.prune_tasks(before, 2)).await;
        assert_eq!(
            counts,
            vec![2, 2, 1],
            "{name}: five ended tasks, two at a time"
        );
        for id in &gone {
            let found = store.get_task(id).await.expect("get");
            assert_eq!(found, None, "{name}: {id} is gone");
        }
        for (id, why) in [
            (&running, "running, however old"),
            (&recent, "ended recently"),
            (&at_cutoff, "ended exactly at the cutoff"),
            (&long_running, "created long ago, ended recently"),
        ] {
            let found = store.get_task(id).await.expect("get");
            assert!(found.is_some(), "{name}: kept: {why}");
        }
        let again = store.prune_tasks(before, 2).await.expect("prune");
        assert_eq!(again, 0, "{name}: nothing left to prune");
    }
}
