//! Many requests for one polling-endpoint consumer at once: each batch goes to one of them.

use std::sync::Arc;

use hookline_testkit::{PATIENCE, TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Barrier;

use crate::pull_feed::{ids, send_many};

const MESSAGES: usize = 40;
const WORKERS: usize = 8;

async fn polling_endpoint(app: &TestApp, app_id: &str) -> String {
    app.create_endpoint(app_id, json!({ "url": "hookline://poller" }))
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Sends a request until it is not refused because other requests kept changing the consumer
/// (a 409 that must say so, and that tells the client to retry); answers the body.
async fn until_not_busy(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Value {
    loop {
        let response = app.request(method.clone(), path, body.clone()).await;
        match response.status {
            StatusCode::OK | StatusCode::NO_CONTENT => return response.body,
            StatusCode::CONFLICT => {
                let detail = response.str("detail");
                assert!(detail.contains("changed by other requests"), "{detail}");
            }
            other => panic!("{method} {path}: {other}: {}", response.body),
        }
    }
}

/// Runs `WORKERS` copies of `work` at once, released together; answers every id they got.
async fn all_at_once<F, Fut>(app: &Arc<TestApp>, work: F) -> Vec<String>
where
    F: Fn(Arc<TestApp>) -> Fut,
    Fut: Future<Output = Vec<String>> + Send + 'static,
{
    let start = Arc::new(Barrier::new(WORKERS));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (start, job) = (start.clone(), work(app.clone()));
            tokio::spawn(async move {
                start.wait().await;
                job.await
            })
        })
        .collect();
    let mut seen = Vec::new();
    for worker in workers {
        let got = tokio::time::timeout(PATIENCE * 2, worker)
            .await
            .expect("a worker did not finish in time");
        seen.extend(got.expect("worker"));
    }
    seen
}

fn assert_each_once(mut seen: Vec<String>, mut sent: Vec<String>) {
    seen.sort();
    sent.sort();
    let twice: Vec<_> = seen
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| &w[0])
        .collect();
    assert!(twice.is_empty(), "handed out more than once: {twice:?}");
    assert_eq!(seen, sent, "every message was handed out once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_leasing_and_committing_one_consumer_at_once_each_get_their_own_batches() {
    let app = Arc::new(spawn_app().await);
    let app_id = app.create_app("Acme").await;
    let sink = polling_endpoint(&app, &app_id).await;
    let sent = send_many(&app, &app_id, "a", MESSAGES).await;
    let base = format!("/api/v1/app/{app_id}/polling-endpoint/{sink}/consumer/workers");

    // Each worker leases small batches and commits each one, until nothing is left to lease.
    let seen = all_at_once(&app, |app| {
        let base = base.clone();
        async move {
            let mut got = Vec::new();
            loop {
                let lease = format!("{base}?limit=3&lease_duration_ms=600000");
                let batch = until_not_busy(&app, Method::GET, &lease, None).await;
                let Some(last) = batch["data"].as_array().and_then(|d| d.last()) else {
                    return got;
                };
                let commit = json!({ "offset": last["offset"] });
                got.extend(ids(&batch));
                let path = format!("{base}/commit");
                until_not_busy(&app, Method::POST, &path, Some(commit)).await;
            }
        }
    })
    .await;
    assert_each_once(seen, sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_sharing_one_server_tracked_consumer_never_get_the_same_batch() {
    let app = Arc::new(spawn_app().await);
    let app_id = app.create_app("Acme").await;
    let sink = polling_endpoint(&app, &app_id).await;
    let sent = send_many(&app, &app_id, "a", MESSAGES).await;
    let path = format!("/api/v1/app/{app_id}/poller/{sink}/consumer/shared?limit=3");

    let seen = all_at_once(&app, |app| {
        let path = path.clone();
        async move {
            let mut got = Vec::new();
            loop {
                let batch = until_not_busy(&app, Method::GET, &path, None).await;
                let batch = ids(&batch);
                if batch.is_empty() {
                    return got;
                }
                got.extend(batch);
            }
        }
    })
    .await;
    assert_each_once(seen, sent);
}
