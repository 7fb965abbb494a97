//! A misbehaving webhook receiver that speaks raw HTTP/1.1 over TCP on 127.0.0.1, so tests can
//! do what no well-behaved server library allows: hang up mid-response, never answer, trickle
//! bytes, stream an endless body, or redirect.
//!
//! Each path has a script of [`Behaviour`]s consumed one per request (then `Status(200)`), and
//! every request's fate is reported on a channel as a [`ChaosEvent`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::PATIENCE;

/// How the receiver treats one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers with this status and a short body.
    Status(u16),
    /// Reads the request head, then closes the connection without answering.
    CloseEarly,
    /// Answers `200` announcing 1,000 body bytes, sends 10, then closes.
    CutResponse,
    /// Never answers; holds the connection until the client gives up.
    Hang,
    /// Sends the response head one byte every 100 ms (a slowloris answer).
    Trickle,
    /// Answers `200` with a 100 MB body, written as fast as the client reads.
    Huge,
    /// Answers `302` pointing at this path on the same receiver.
    Redirect(String),
}

/// The size of the [`Behaviour::Huge`] body.
pub const HUGE_BODY_BYTES: u64 = 100 * 1024 * 1024;

/// What happened to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChaosEvent {
    /// The request path.
    pub path: String,
    /// The behaviour applied.
    pub behaviour: Behaviour,
    /// Response bytes written before the connection ended (body included).
    pub bytes_written: u64,
}

type Scripts = Arc<Mutex<HashMap<String, VecDeque<Behaviour>>>>;

/// A running chaos receiver.
#[derive(Debug)]
pub struct ChaosReceiver {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    scripts: Scripts,
    events: mpsc::UnboundedReceiver<ChaosEvent>,
}

impl ChaosReceiver {
    /// Starts listening on 127.0.0.1, port 0.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the chaos receiver");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let scripts: Scripts = Arc::default();
        let (tx, events) = mpsc::unbounded_channel();
        let shared = Arc::clone(&scripts);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&shared), tx.clone()));
            }
        });
        Self {
            url,
            scripts,
            events,
        }
    }

    /// The URL of `path` on this receiver.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Requests to `path` get these behaviours in order, then `Status(200)`.
    pub fn script(&self, path: &str, behaviours: Vec<Behaviour>) {
        let mut scripts = self.scripts.lock().expect("scripts lock");
        scripts
            .entry(path.to_owned())
            .or_default()
            .extend(behaviours);
    }

    /// The next finished request; fails the test if none ends in time.
    pub async fn next_event(&mut self) -> ChaosEvent {
        tokio::time::timeout(PATIENCE, self.events.recv())
            .await
            .expect("no request finished at the chaos receiver in time")
            .expect("the chaos receiver stopped")
    }

    /// A finished request, if any (never waits).
    pub fn try_next_event(&mut self) -> Option<ChaosEvent> {
        self.events.try_recv().ok()
    }
}

async fn serve(mut stream: TcpStream, scripts: Scripts, events: mpsc::UnboundedSender<ChaosEvent>) {
    let Some((path, body_len, already)) = read_head(&mut stream).await else {
        return;
    };
    let behaviour = scripts
        .lock()
        .ok()
        .and_then(|mut s| s.get_mut(&path).and_then(VecDeque::pop_front))
        .unwrap_or(Behaviour::Status(200));
    if behaviour != Behaviour::CloseEarly {
        let mut rest = body_len.saturating_sub(already);
        let mut sink = [0u8; 8192];
        while rest > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => rest = rest.saturating_sub(n),
            }
        }
    }
    let bytes_written = act(&mut stream, &behaviour).await;
    let _ = events.send(ChaosEvent {
        path,
        behaviour,
        bytes_written,
    });
}

/// Reads the request head; returns the path, the announced body length and the body bytes
/// already read past the head.
async fn read_head(stream: &mut TcpStream) -> Option<(String, usize, usize)> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(at) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if head.len() > 64 * 1024 {
            return None;
        }
    };
    let text = String::from_utf8_lossy(&head[..end]);
    let path = text.split_whitespace().nth(1)?.to_owned();
    let body_len = text
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0);
    Some((path, body_len, head.len() - end))
}

async fn act(stream: &mut TcpStream, behaviour: &Behaviour) -> u64 {
    match behaviour {
        Behaviour::Status(code) => {
            let response = format!(
                "HTTP/1.1 {code} Chaos\r\ncontent-length: 5\r\nconnection: close\r\n\r\nchaos"
            );
            write(stream, response.as_bytes()).await
        }
        Behaviour::Redirect(location) => {
            let response = format!(
                "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            write(stream, response.as_bytes()).await
        }
        Behaviour::CloseEarly => 0,
        Behaviour::CutResponse => {
            let head = "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n";
            write(stream, head.as_bytes()).await + write(stream, b"0123456789").await
        }
        Behaviour::Hang => {
            // Hold the connection open until the client hangs up.
            let mut sink = [0u8; 1024];
            while let Ok(n) = stream.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
            0
        }
        Behaviour::Trickle => {
            let head = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nslow!";
            let mut written = 0;
            for byte in head {
                if stream.write_all(&[*byte]).await.is_err() {
                    break;
                }
                written += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            written
        }
        Behaviour::Huge => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {HUGE_BODY_BYTES}\r\nconnection: close\r\n\r\n"
            );
            let mut written = write(stream, head.as_bytes()).await;
            let chunk = vec![b'x'; 64 * 1024];
            let mut body = 0u64;
            while body < HUGE_BODY_BYTES {
                if stream.write_all(&chunk).await.is_err() {
                    break;
                }
                body += chunk.len() as u64;
            }
            written += body;
            written
        }
    }
}

async fn write(stream: &mut TcpStream, bytes: &[u8]) -> u64 {
    match stream.write_all(bytes).await {
        Ok(()) => bytes.len() as u64,
        Err(_) => 0,
    }
}
