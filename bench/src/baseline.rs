//! The physical limit: the same receiver driven by a bare hyper client loop (no storage, no
//! signing, no scheduling). Every scenario is also reported as a fraction of this.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::task::JoinSet;

use crate::load::payload;
use crate::receiver::Receiver;

/// Requests per second a bare hyper client reaches against `receiver` with `workers` loops.
pub(crate) async fn bare_hyper(
    receiver: &Receiver,
    requests: u64,
    workers: usize,
) -> anyhow::Result<f64> {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build(connector);
    let body = Bytes::from(serde_json::to_vec(&payload(0)["payload"])?);
    let url = receiver.url("ok", "baseline");
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..workers {
        let (client, body, url, next) =
            (client.clone(), body.clone(), url.clone(), Arc::clone(&next));
        tasks.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= requests {
                    return anyhow::Ok(());
                }
                let request = Request::post(url.as_str())
                    .header("content-type", "application/json")
                    .header("webhook-id", format!("msg_baseline_{n}"))
                    .body(Full::new(body.clone()))?;
                let response = client.request(request).await?;
                http_body_util::BodyExt::collect(response.into_body()).await?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(requests as f64 / started.elapsed().as_secs_f64())
}
