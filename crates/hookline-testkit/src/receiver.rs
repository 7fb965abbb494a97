//! A webhook receiver on 127.0.0.1 that tests script and observe.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use tokio::sync::mpsc;

use crate::PATIENCE;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    /// HTTP method.
    pub method: Method,
    /// Path and query.
    pub uri: Uri,
    /// Headers as received.
    pub headers: HeaderMap,
    /// Body bytes as received.
    pub body: Bytes,
    /// When it arrived.
    pub at: Instant,
    /// The status the receiver answered with.
    pub answered: u16,
}

impl ReceivedRequest {
    /// A header as text, or an empty string.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

#[derive(Debug)]
struct Script {
    queued: VecDeque<u16>,
    default: u16,
}

#[derive(Debug, Clone)]
struct ReceiverState {
    script: Arc<Mutex<Script>>,
    seen: mpsc::UnboundedSender<ReceivedRequest>,
}

/// A receiver whose answers follow a script: queued statuses first, then a default (200).
#[derive(Debug)]
pub struct TestReceiver {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    script: Arc<Mutex<Script>>,
    seen: mpsc::UnboundedReceiver<ReceivedRequest>,
}

impl TestReceiver {
    /// Starts a receiver on 127.0.0.1, port 0, answering 200.
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0".parse().expect("loopback address")).await
    }

    /// Starts a receiver on a chosen loopback address, e.g. the port of a target that was down.
    pub async fn start_on(addr: std::net::SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind the test receiver");
        let addr = listener.local_addr().expect("receiver address");
        let script = Arc::new(Mutex::new(Script {
            queued: VecDeque::new(),
            default: 200,
        }));
        let (tx, seen) = mpsc::unbounded_channel();
        let state = ReceiverState {
            script: Arc::clone(&script),
            seen: tx,
        };
        let app = Router::new().fallback(record).with_state(state);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}"),
            script,
            seen,
        }
    }

    /// The URL of a path on this receiver.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Answers the next requests with these statuses, in order, then with the default.
    pub fn respond_with(&self, statuses: &[u16]) {
        let mut script = self.script.lock().expect("script lock");
        script.queued.extend(statuses.iter().copied());
    }

    /// Changes the status given once the queue is empty.
    pub fn set_default_status(&self, status: u16) {
        self.script.lock().expect("script lock").default = status;
    }

    /// The next request received; fails the test if none arrives in time.
    pub async fn next_request(&mut self) -> ReceivedRequest {
        tokio::time::timeout(PATIENCE, self.seen.recv())
            .await
            .expect("no webhook arrived at the test receiver in time")
            .expect("the test receiver stopped")
    }

    /// A request already received, if any (never waits).
    pub fn try_next_request(&mut self) -> Option<ReceivedRequest> {
        self.seen.try_recv().ok()
    }
}

async fn record(
    State(state): State<ReceiverState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let answered = {
        let mut script = state.script.lock().expect("script lock");
        let default = script.default;
        script.queued.pop_front().unwrap_or(default)
    };
    let _ = state.seen.send(ReceivedRequest {
        method,
        uri,
        headers,
        body,
        at: Instant::now(),
        answered,
    });
    StatusCode::from_u16(answered).unwrap_or(StatusCode::OK)
}
