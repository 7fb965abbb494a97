//! A receiver whose every answer a test scripts in full: status, headers, delay, or no answer at
//! all (a hanging endpoint). Like [`crate::TestReceiver`], it hands each request to the test as it
//! arrives, before answering, so tests observe the order of events rather than timings.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response, Uri};
use tokio::sync::mpsc;

use crate::{PATIENCE, ReceivedRequest};

/// One scripted answer.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// Status code (200 when 0).
    pub status: u16,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
    /// Never answer: hold the request open until the client gives up.
    pub hang: bool,
    /// Answer after this long (used to keep requests in flight, never to wait for work).
    pub delay: Option<Duration>,
}

impl Reply {
    /// Answers with `status`.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            ..Self::default()
        }
    }

    /// Never answers.
    pub fn hang() -> Self {
        Self {
            hang: true,
            ..Self::default()
        }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Answers after `delay`.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

type Script = dyn Fn(usize, &HeaderMap) -> Reply + Send + Sync;

#[derive(Clone)]
struct ScriptState {
    script: Arc<Script>,
    count: Arc<AtomicUsize>,
    seen: mpsc::UnboundedSender<ReceivedRequest>,
}

/// A receiver on 127.0.0.1 answering the `n`-th request (0-based) as `script(n, headers)` says.
#[derive(Debug)]
pub struct ScriptedReceiver {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    seen: mpsc::UnboundedReceiver<ReceivedRequest>,
}

impl ScriptedReceiver {
    /// Starts the receiver on port 0.
    pub async fn start(
        script: impl Fn(usize, &HeaderMap) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the scripted receiver");
        let addr = listener.local_addr().expect("receiver address");
        let (tx, seen) = mpsc::unbounded_channel();
        let state = ScriptState {
            script: Arc::new(script),
            count: Arc::new(AtomicUsize::new(0)),
            seen: tx,
        };
        let app = Router::new().fallback(answer).with_state(state);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}"),
            seen,
        }
    }

    /// The URL of a path on this receiver.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The next request received; fails the test if none arrives in time.
    pub async fn next_request(&mut self) -> ReceivedRequest {
        tokio::time::timeout(PATIENCE, self.seen.recv())
            .await
            .expect("no webhook arrived at the scripted receiver in time")
            .expect("the scripted receiver stopped")
    }

    /// The next request if one arrives within `patience` (for waits longer than [`PATIENCE`],
    /// such as a killed server's leases running out).
    pub async fn request_within(
        &mut self,
        patience: std::time::Duration,
    ) -> Option<ReceivedRequest> {
        tokio::time::timeout(patience, self.seen.recv())
            .await
            .ok()
            .flatten()
    }

    /// A request already received, if any (never waits).
    pub fn try_next_request(&mut self) -> Option<ReceivedRequest> {
        self.seen.try_recv().ok()
    }
}

async fn answer(
    State(state): State<ScriptState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let n = state.count.fetch_add(1, Ordering::SeqCst);
    let reply = (state.script)(n, &headers);
    let status = if reply.status == 0 { 200 } else { reply.status };
    let _ = state.seen.send(ReceivedRequest {
        method,
        uri,
        headers,
        body,
        at: Instant::now(),
        answered: status,
    });
    if reply.hang {
        std::future::pending::<()>().await;
    }
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = Response::builder().status(status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    response
        .body(Body::empty())
        .unwrap_or_else(|_| Response::new(Body::empty()))
}
