//! Operational events the store emits on every backend, in the transaction of what causes
//! them: `background_task.finished` when a task ends (once), and `message.attempt.recovered`
//! when a delivery re-queued by hand after `failing` was sent for it succeeds.

// The fixture's items are `pub` for every test binary that includes it.
#[allow(unreachable_pub)]
mod common;
mod seed;

use hookline_core::model::DeliveryStatus;
use hookline_core::operational::operational_app_id;
use hookline_core::{AppId, EndpointId, MessageId, Timestamp};
use hookline_store::query::{DeliveryJob, MessageFilter};
use hookline_store::replay::{ReplayMode, ReplaySpec};
use hookline_store::tasks::{BackgroundTask, TaskStatus, new_task_id};
use hookline_store::{Order, PageRequest, Store, StoreError};
use serde_json::{Value, json};

/// The operational events stored so far (type and body), oldest first.
async fn events(store: &dyn Store) -> Vec<(String, Value)> {
    store
        .list_messages(
            &operational_app_id(),
            &MessageFilter::default(),
            &PageRequest::first(50, Order::Ascending),
        )
        .await
        .expect("operational messages")
        .items
        .into_iter()
        .map(|m| {
            let body = serde_json::from_str(m.payload.as_deref().unwrap_or("null")).expect("JSON");
            (m.event_type.to_string(), body)
        })
        .collect()
}

async fn running_task(store: &dyn Store, kind: &str) -> String {
    let now = Timestamp::now();
    store
        .create_task(BackgroundTask {
            id: new_task_id(),
            kind: kind.into(),
            status: TaskStatus::Running,
            params: json!({}),
            data: json!({ "messagesSent": 0 }),
            created_at: now,
            updated_at: now,
        })
        .await
        .expect("create a task")
        .id
}

#[tokio::test]
async fn a_task_that_ends_is_announced_once_with_its_result() {
    for backend in common::backends("a_task_that_ends_is_announced_once_with_its_result").await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let quiet = running_task(store, "endpoint.recover").await;
        store
            .update_task(&quiet, TaskStatus::Finished, json!({}), Timestamp::now())
            .await
            .expect("finish");
        assert!(events(store).await.is_empty(), "{name}: nobody listens");

        seed::endpoint(
            store,
            &operational_app_id(),
            Some(&["background_task.finished"]),
        )
        .await;
        let task = running_task(store, "endpoint.bulk-replay").await;
        let progress = |n: u64| json!({ "messagesSent": n });
        for (status, data) in [
            (TaskStatus::Running, progress(2)),
            (TaskStatus::Finished, progress(5)),
        ] {
            store
                .update_task(&task, status, data, Timestamp::now())
                .await
                .expect("update");
        }
        // Ending it a second time (another node, a late runner) is refused and announces
        // nothing more.
        let again = store
            .update_task(&task, TaskStatus::Finished, progress(5), Timestamp::now())
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{name}: {again:?}"
        );
        let failed = running_task(store, "endpoint.recover").await;
        let error = json!({ "messagesSent": 1, "error": "the database went away" });
        store
            .update_task(&failed, TaskStatus::Failed, error.clone(), Timestamp::now())
            .await
            .expect("fail");

        let found = events(store).await;
        assert_eq!(found.len(), 2, "{name}: one per task that ended: {found:?}");
        let (kind, body) = &found[0];
        assert_eq!(kind, "background_task.finished", "{name}");
        assert_eq!(body["type"], "background_task.finished", "{name}");
        assert_eq!(
            body["data"],
            json!({
                "taskId": task,
                "task": "endpoint.bulk-replay",
                "status": "finished",
                "data": progress(5),
            }),
            "{name}"
        );
        assert_eq!(found[1].1["data"]["status"], "failed", "{name}");
        assert_eq!(found[1].1["data"]["data"], error, "{name}");
    }
}

/// A customer endpoint with one message whose delivery failed `failures` attempts in a row,
/// the last one for good.
async fn failed_delivery(store: &dyn Store, failures: u32) -> (AppId, EndpointId, MessageId) {
    let app = seed::app(store).await;
    let endpoint = seed::endpoint(store, &app, None).await;
    let msg = seed::message(store, &app, "a").await;
    for n in 1..=failures {
        let job = due(store, &endpoint).await;
        let (fail, last) = (DeliveryStatus::Fail, n == failures);
        let (after, next) = match last {
            true => (fail, None),
            false => (DeliveryStatus::Pending, Some(Timestamp::now())),
        };
        let record = seed::attempt(&job, fail, after, next, Timestamp::now());
        seed::record(store, vec![record]).await;
    }
    (app, endpoint, msg)
}

/// Claims the one due delivery to `endpoint` (operational deliveries are due too; they are
/// left to their lease).
async fn due(store: &dyn Store, endpoint: &EndpointId) -> DeliveryJob {
    let mut jobs: Vec<DeliveryJob> = seed::claim(store)
        .await
        .into_iter()
        .filter(|job| &job.endpoint.id == endpoint)
        .collect();
    assert_eq!(jobs.len(), 1, "one delivery to {endpoint} is due");
    jobs.remove(0)
}

/// Sends the one due delivery to `endpoint` successfully.
async fn succeed(store: &dyn Store, endpoint: &EndpointId) {
    let job = due(store, endpoint).await;
    let done = DeliveryStatus::Success;
    let record = seed::attempt(&job, done, done, None, Timestamp::now());
    seed::record(store, vec![record]).await;
}

fn recovered(found: &[(String, Value)]) -> Vec<&Value> {
    found
        .iter()
        .filter(|(kind, _)| kind == "message.attempt.recovered")
        .map(|(_, body)| &body["data"]["msgId"])
        .collect()
}

#[tokio::test]
async fn a_manual_replay_that_succeeds_after_failing_was_sent_reports_recovered_once() {
    let test = "a_manual_replay_that_succeeds_after_failing_was_sent_reports_recovered_once";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        seed::endpoint(
            store,
            &operational_app_id(),
            Some(&["message.attempt.recovered"]),
        )
        .await;

        // Resent by hand after `failing` (the 4th failure): recovered on the manual success.
        let (app, endpoint, msg) = failed_delivery(store, 4).await;
        store
            .resend(&app, &msg, &endpoint, Timestamp::now())
            .await
            .expect("resend");
        succeed(store, &endpoint).await;
        assert_eq!(recovered(&events(store).await), [msg.as_str()], "{name}");

        // Replayed again after that success: nothing is failing any more.
        let bulk = ReplayMode::Bulk {
            status: None,
            event_types: None,
            channel: None,
            tag: None,
            status_code_class: None,
        };
        let spec = |app: &AppId, endpoint: &EndpointId, mode| ReplaySpec {
            app_id: app.clone(),
            endpoint_id: endpoint.clone(),
            since: Timestamp::from_millis(0),
            until: None,
            mode,
        };
        let batch = store
            .replay_batch(&spec(&app, &endpoint, bulk), None, 10, Timestamp::now())
            .await;
        assert_eq!(batch.expect("bulk replay").queued, 1, "{name}");
        succeed(store, &endpoint).await;
        assert_eq!(
            recovered(&events(store).await).len(),
            1,
            "{name}: still one"
        );

        // Recovered by the recover task after `failing`: the same.
        let (app, endpoint, other) = failed_delivery(store, 5).await;
        let batch = store
            .replay_batch(
                &spec(&app, &endpoint, ReplayMode::Recover),
                None,
                10,
                Timestamp::now(),
            )
            .await;
        assert_eq!(batch.expect("recover").queued, 1, "{name}");
        succeed(store, &endpoint).await;
        assert_eq!(
            recovered(&events(store).await),
            [msg.as_str(), other.as_str()],
            "{name}"
        );

        // Failed too few times for `failing`: a manual success is no recovery.
        let (app, endpoint, early) = failed_delivery(store, 2).await;
        store
            .resend(&app, &early, &endpoint, Timestamp::now())
            .await
            .expect("resend");
        succeed(store, &endpoint).await;
        assert_eq!(recovered(&events(store).await).len(), 2, "{name}");
    }
}
