//! Bulk replay's `tag` and `statusCodeClass` filters on every backend: a tag matches the
//! message's tags; a status class matches the response of the delivery's last attempt only.

// The fixture's items are `pub` for every test binary that includes it.
#[allow(unreachable_pub)]
mod common;
mod seed;

use std::time::Duration;

use hookline_core::model::DeliveryStatus;
use hookline_core::{AppId, EndpointId, MessageId, Timestamp};
use hookline_store::Store;
use hookline_store::query::DeliveryJob;
use hookline_store::replay::{ReplayBatch, ReplayMode, ReplaySpec};

fn bulk(app: &AppId, endpoint: &EndpointId, tag: Option<&str>, class: Option<i64>) -> ReplaySpec {
    ReplaySpec {
        app_id: app.clone(),
        endpoint_id: endpoint.clone(),
        since: Timestamp::now().minus(Duration::from_secs(60)),
        until: None,
        mode: ReplayMode::Bulk {
            status: None,
            event_types: None,
            channel: None,
            tag: tag.map(str::to_owned),
            status_code_class: class,
        },
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

/// The messages whose delivery to `endpoint` waits for an attempt.
async fn waiting_messages(store: &dyn Store, app: &AppId, endpoint: &EndpointId) -> Vec<MessageId> {
    seed::deliveries_in(store, app, endpoint, DeliveryStatus::Pending)
        .await
        .into_iter()
        .map(|d| d.msg_id)
        .collect()
}

/// Records one attempt of `job` answered with `code`, leaving the delivery in `after` (due
/// again at once when pending).
async fn answer(store: &dyn Store, job: &DeliveryJob, code: u16, after: DeliveryStatus) {
    let outcome = if (200..300).contains(&code) {
        DeliveryStatus::Success
    } else {
        DeliveryStatus::Fail
    };
    let next = (after == DeliveryStatus::Pending).then(Timestamp::now);
    let mut record = seed::attempt(job, outcome, after, next, Timestamp::now());
    record.attempt.response_status_code = code;
    seed::record(store, vec![record]).await;
}

#[tokio::test]
async fn a_bulk_replay_by_tag_resends_only_the_messages_labelled_with_it() {
    let test = "a_bulk_replay_by_tag_resends_only_the_messages_labelled_with_it";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let endpoint = seed::endpoint(store, &app, None).await;
        let now = Timestamp::now();
        let tagged = seed::send(
            store,
            seed::with_tags(seed::message_at(&app, "a", now), &["eu", "vip"]),
        )
        .await;
        seed::send(
            store,
            seed::with_tags(seed::message_at(&app, "a", now), &["us"]),
        )
        .await;
        seed::message(store, &app, "a").await;
        for job in seed::claim(store).await {
            answer(store, &job, 200, DeliveryStatus::Success).await;
        }

        let spec = bulk(&app, &endpoint, Some("vip"), None);
        assert_eq!(replay_all(store, &spec, 1).await, 1, "{name}");
        assert_eq!(
            waiting_messages(store, &app, &endpoint).await,
            vec![tagged],
            "{name}"
        );
        let unknown = bulk(&app, &endpoint, Some("apac"), None);
        assert_eq!(replay_all(store, &unknown, 10).await, 0, "{name}");
    }
}

#[tokio::test]
async fn a_bulk_replay_by_status_code_class_looks_at_each_delivery_s_last_attempt() {
    let test = "a_bulk_replay_by_status_code_class_looks_at_each_delivery_s_last_attempt";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let endpoint = seed::endpoint(store, &app, None).await;
        let now = Timestamp::now();
        // Message ids sort by creation time: these are made in the order the jobs are read.
        let ids: Vec<MessageId> = {
            let mut ids = Vec::new();
            for n in 0..3u64 {
                let at = now.minus(Duration::from_millis(10 - n));
                ids.push(seed::send(store, seed::message_at(&app, "a", at)).await);
            }
            ids
        };
        let jobs = seed::claim(store).await;
        let job = |msg: &MessageId| jobs.iter().find(|j| &j.message.id == msg).expect("claimed");
        // First: a 4xx, then a 5xx that ends it. Second: no response at all. Third: a 2xx.
        answer(store, job(&ids[0]), 404, DeliveryStatus::Pending).await;
        answer(store, job(&ids[1]), 0, DeliveryStatus::Fail).await;
        answer(store, job(&ids[2]), 204, DeliveryStatus::Success).await;
        let again = seed::claim(store).await;
        assert_eq!(again.len(), 1, "{name}: the 4xx is retried");
        answer(store, &again[0], 503, DeliveryStatus::Fail).await;
        // A fourth message never attempted: its delivery fails with the endpoint disabled.
        let never = seed::message(store, &app, "a").await;
        seed::give_up(store, &app, &endpoint).await;

        // The first delivery's 4xx was not its last attempt.
        for class in [400, 300, 100] {
            let spec = bulk(&app, &endpoint, None, Some(class));
            let queued = replay_all(store, &spec, 1).await;
            assert_eq!(queued, 0, "{name}: class {class}");
        }
        let spec = bulk(&app, &endpoint, None, Some(500));
        assert_eq!(replay_all(store, &spec, 1).await, 1, "{name}: 5xx");
        let spec = bulk(&app, &endpoint, None, Some(0));
        assert_eq!(replay_all(store, &spec, 1).await, 1, "{name}: no response");
        let spec = bulk(&app, &endpoint, None, Some(200));
        assert_eq!(replay_all(store, &spec, 1).await, 1, "{name}: 2xx");
        let mut waiting = waiting_messages(store, &app, &endpoint).await;
        waiting.sort();
        assert_eq!(
            waiting, ids,
            "{name}: each once, the never-attempted one in no class"
        );
        assert!(!waiting.contains(&never), "{name}");

        let unfiltered = bulk(&app, &endpoint, None, None);
        assert_eq!(
            replay_all(store, &unfiltered, 10).await,
            1,
            "{name}: without the filter, the never-attempted delivery is replayed too"
        );
    }
}
