//! The fastest receiver we can write: hyper on 127.0.0.1, answers at once, records when each
//! `webhook-id` arrived, and verifies the signature of a sample of requests.
//!
//! Paths choose behaviour so one receiver serves every scenario:
//! - `/ok/...` answers `200` at once;
//! - `/hang/...` never answers (Hookline's request timeout ends it);
//! - `/gated/...` waits until [`Receiver::open_gate`], then answers `200`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hookline_signature::SigningSecret;
use hookline_signature::standard::{WebhookHeaders, verify};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

/// Every `VERIFY_EVERY`-th request has its signature checked.
const VERIFY_EVERY: u64 = 50;

/// What the receiver saw, shared with the scenario driving it.
#[derive(Debug)]
pub(crate) struct Observed {
    /// Requests answered on `/ok` and `/gated`, counting repeats.
    pub(crate) delivered: AtomicU64,
    /// Signatures checked and found wrong (must stay 0).
    pub(crate) bad_signatures: AtomicU64,
    /// Signatures checked and found right.
    pub(crate) good_signatures: AtomicU64,
    /// Distinct `webhook-id`s answered.
    pub(crate) distinct: AtomicU64,
    /// First and last arrival per `webhook-id`, plus how many times it arrived.
    arrivals: Mutex<HashMap<String, Arrival>>,
    /// Signalled after each delivery, for waiters.
    progress: Notify,
}

/// When one message id arrived.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arrival {
    /// The first arrival.
    pub(crate) first: Instant,
    /// The latest arrival.
    pub(crate) last: Instant,
    /// How many requests carried this id.
    pub(crate) count: u32,
}

impl Observed {
    /// A snapshot of arrivals by message id.
    pub(crate) fn arrivals(&self) -> HashMap<String, Arrival> {
        self.arrivals.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// Waits until `counter` (one of this struct's) reaches `target`, or `deadline` passes.
    pub(crate) async fn wait_for(
        &self,
        counter: &AtomicU64,
        target: u64,
        deadline: Instant,
    ) -> bool {
        loop {
            let notified = self.progress.notified();
            if counter.load(Ordering::Relaxed) >= target {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            let _ = tokio::time::timeout(left.min(std::time::Duration::from_millis(100)), notified)
                .await;
        }
    }
}

/// A running receiver.
#[derive(Debug)]
pub(crate) struct Receiver {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// What it saw.
    pub(crate) observed: Arc<Observed>,
    gate: watch::Sender<bool>,
}

impl Receiver {
    /// Starts listening on 127.0.0.1 (port 0); `secret` verifies the sampled signatures.
    pub(crate) async fn start(secret: SigningSecret) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let observed = Arc::new(Observed {
            delivered: AtomicU64::new(0),
            bad_signatures: AtomicU64::new(0),
            good_signatures: AtomicU64::new(0),
            distinct: AtomicU64::new(0),
            arrivals: Mutex::new(HashMap::new()),
            progress: Notify::new(),
        });
        let (gate, gate_rx) = watch::channel(false);
        let ctx = Arc::new(Ctx {
            observed: Arc::clone(&observed),
            secret,
            gate: gate_rx,
            seq: AtomicU64::new(0),
        });
        tokio::spawn(accept_loop(listener, ctx));
        Ok(Self {
            addr,
            observed,
            gate,
        })
    }

    /// A URL on this receiver with the given behaviour prefix (`ok`, `hang`, `gated`).
    pub(crate) fn url(&self, behaviour: &str, name: &str) -> String {
        format!("http://{}/{behaviour}/{name}", self.addr)
    }

    /// Lets every held `/gated` request (and all later ones) answer.
    pub(crate) fn open_gate(&self) {
        let _ = self.gate.send(true);
    }
}

#[derive(Debug)]
struct Ctx {
    observed: Arc<Observed>,
    secret: SigningSecret,
    gate: watch::Receiver<bool>,
    seq: AtomicU64,
}

async fn accept_loop(listener: TcpListener, ctx: Arc<Ctx>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let ctx = Arc::clone(&ctx);
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(Arc::clone(&ctx), req));
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    ctx: Arc<Ctx>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (id, timestamp, signature) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let body = match req.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return Ok(Response::new(Full::new(Bytes::new()))),
    };
    if path.starts_with("/hang/") {
        std::future::pending::<()>().await;
    }
    if path.starts_with("/gated/") {
        let mut gate = ctx.gate.clone();
        let _ = gate.wait_for(|open| *open).await;
    }
    let at = Instant::now();
    if ctx
        .seq
        .fetch_add(1, Ordering::Relaxed)
        .is_multiple_of(VERIFY_EVERY)
    {
        let headers = WebhookHeaders {
            id: &id,
            timestamp: &timestamp,
            signature: &signature,
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let counter = match verify(&ctx.secret, &headers, &body, now, 300) {
            Ok(()) => &ctx.observed.good_signatures,
            Err(_) => &ctx.observed.bad_signatures,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
    if let Ok(mut arrivals) = ctx.observed.arrivals.lock() {
        match arrivals.entry(id) {
            Entry::Occupied(mut seen) => {
                let seen = seen.get_mut();
                seen.last = at;
                seen.count += 1;
            }
            Entry::Vacant(slot) => {
                slot.insert(Arrival {
                    first: at,
                    last: at,
                    count: 1,
                });
                ctx.observed.distinct.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    ctx.observed.delivered.fetch_add(1, Ordering::Relaxed);
    ctx.observed.progress.notify_waiters();
    Ok(Response::new(Full::new(Bytes::new())))
}
