//! Load generators: a closed loop (N workers posting back to back) and an open loop at a fixed
//! rate. Both remember when each message's `2xx` came back, keyed by message id.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::hookline::Hookline;

/// What a load run produced.
#[derive(Debug, Default)]
pub(crate) struct Sent {
    /// When each accepted message's `2xx` arrived, by message id.
    pub(crate) accepted: HashMap<String, Instant>,
    /// Time each POST took.
    pub(crate) post_latencies: Vec<Duration>,
    /// Requests that did not get a `2xx`.
    pub(crate) errors: u64,
    /// Wall time of the whole run.
    pub(crate) elapsed: Duration,
}

/// A representative payload (~400 bytes).
pub(crate) fn payload(n: u64) -> Value {
    json!({
        "eventType": "invoice.paid",
        "payload": {
            "type": "invoice.paid",
            "invoiceId": format!("inv_{n:012}"),
            "customer": {"id": "cus_4f9a0c1d", "email": "billing@example.com", "name": "Acme Corp"},
            "amount": 4200, "currency": "eur",
            "lines": [{"sku": "plan-pro", "quantity": 3, "unitAmount": 1400}],
            "metadata": {"region": "eu-west", "source": "bench", "attempt": n}
        }
    })
}

/// Posts `count` messages to `app` from `workers` concurrent loops.
pub(crate) async fn closed_loop(
    hookline: &Arc<Hookline>,
    app: &str,
    count: u64,
    workers: usize,
) -> Sent {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..workers {
        let (hookline, next, app) = (Arc::clone(hookline), Arc::clone(&next), app.to_owned());
        tasks.spawn(async move {
            let mut sent = Sent::default();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    break;
                }
                post_one(&hookline, &app, n, &mut sent).await;
            }
            sent
        });
    }
    let mut total = collect(tasks).await;
    total.elapsed = started.elapsed();
    total
}

/// Posts at `rate` messages per second for `duration` (at most `max_in_flight` outstanding).
pub(crate) async fn open_loop(
    hookline: &Arc<Hookline>,
    app: &str,
    rate: u64,
    duration: Duration,
) -> Sent {
    let slots = Arc::new(Semaphore::new(512));
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    let total = (rate as f64 * duration.as_secs_f64()) as u64;
    for n in 0..total {
        ticker.tick().await;
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            break;
        };
        let (hookline, app) = (Arc::clone(hookline), app.to_owned());
        tasks.spawn(async move {
            let mut sent = Sent::default();
            post_one(&hookline, &app, n, &mut sent).await;
            drop(slot);
            sent
        });
    }
    let mut sent = collect(tasks).await;
    sent.elapsed = started.elapsed();
    sent
}

async fn post_one(hookline: &Hookline, app: &str, n: u64, sent: &mut Sent) {
    let started = Instant::now();
    match hookline.send(app, &payload(n)).await {
        Ok(id) => {
            let at = Instant::now();
            sent.post_latencies.push(at - started);
            sent.accepted.insert(id, at);
        }
        Err(err) => {
            if sent.errors == 0 {
                eprintln!("a POST failed: {err:#}");
            }
            sent.errors += 1;
        }
    }
}

async fn collect(mut tasks: JoinSet<Sent>) -> Sent {
    let mut total = Sent::default();
    while let Some(done) = tasks.join_next().await {
        if let Ok(part) = done {
            total.accepted.extend(part.accepted);
            total.post_latencies.extend(part.post_latencies);
            total.errors += part.errors;
        }
    }
    total
}
