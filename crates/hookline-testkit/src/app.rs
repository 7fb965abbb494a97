//! The real server on a loopback port with a fresh database, and typed helpers to drive it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hookline::config::Config;
use hookline::database::Database;
use hookline::secrets_key::SECRETS_KEY_FILE;
use hookline::server::{self, Server};
use hookline_core::model::Attempt;
use hookline_delivery::TargetPolicy;
use hookline_delivery::maintenance::Maintenance;
use hookline_store::feed::FeedSignal;
use hookline_store::postgres::testing::TestDatabase;
use hookline_store::{PgOptions, PgStore, SqliteStore, Store};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::PATIENCE;
use crate::store::TestStore;

/// A fixed admin token for tests.
pub const TEST_TOKEN: &str = "test-admin-token-0123456789";

/// A response with its status, headers and body parsed as JSON (`Null` when empty).
#[derive(Debug)]
pub struct TestResponse {
    /// Status code.
    pub status: StatusCode,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// JSON body, or `Value::String` with the raw text when not JSON.
    pub body: Value,
}

impl TestResponse {
    /// The body's field as a string (panics with the whole body when absent).
    pub fn str(&self, field: &str) -> String {
        self.body[field]
            .as_str()
            .unwrap_or_else(|| panic!("no string field {field:?} in {}", self.body))
            .to_owned()
    }

    /// Where a 422 says the input was wrong: each `detail` entry's `loc`, joined with dots
    /// (`body.config.secret`), in the order given.
    pub fn error_locs(&self) -> Vec<String> {
        self.body["detail"]
            .as_array()
            .unwrap_or_else(|| panic!("no detail list in {}", self.body))
            .iter()
            .map(|detail| {
                detail["loc"]
                    .as_array()
                    .unwrap_or_else(|| panic!("no loc in {detail}"))
                    .iter()
                    .map(|part| match part {
                        Value::String(name) => name.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect()
    }
}

/// A running server and a client for it.
#[derive(Debug)]
pub struct TestApp {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub address: String,
    /// The admin token.
    pub token: String,
    /// A plain HTTP client.
    pub client: reqwest::Client,
    /// Attempts as the engine records them.
    pub attempts: broadcast::Receiver<Attempt>,
    /// Housekeeping, for tests to run a pass at a chosen time.
    pub maintenance: Maintenance,
    /// The feed's commit signal: `feed.waiting()` tells when a long-poll or stream is parked.
    pub feed: FeedSignal,
    config: Config,
    shutdown: CancellationToken,
    server: Option<tokio::task::JoinHandle<()>>,
    dir: Option<TempDir>,
    /// The PostgreSQL database of this app (and of its restarts), dropped with it.
    database: Option<Arc<TestDatabase>>,
}

/// Settings for tests: loopback allowed, quick retries (three 20 ms retries), fixed token.
pub fn test_config(data_dir: &Path) -> Config {
    let policy = TargetPolicy::parse("127.0.0.1/32,::1/128").expect("loopback CIDRs");
    let mut config = Config::new(data_dir)
        .allow_targets(policy)
        .retry_delays(vec![Duration::from_millis(20); 3]);
    config.admin_token = Some(TEST_TOKEN.to_owned());
    config.delivery.request_timeout = Duration::from_secs(5);
    // Slow-downs without Retry-After pause an endpoint briefly, so retries stay quick in tests.
    config.delivery.lanes.slow_down = Duration::from_millis(50);
    config
}

/// Starts the server with [`test_config`] in a fresh temporary directory.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|config| config).await
}

/// Starts the server with [`test_config`] changed by `configure`, on SQLite, or on a fresh
/// PostgreSQL database when `HOOKLINE_TEST_STORE=postgres` ([`crate::store`]).
pub async fn spawn_app_with(configure: impl FnOnce(Config) -> Config) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary data directory");
    let mut config = test_config(dir.path());
    let database = match TestStore::from_env() {
        TestStore::Sqlite => None,
        TestStore::Postgres => {
            let database = crate::store::fresh_database().await;
            config.database = Database::Postgres {
                url: database.url().to_owned(),
                pool_size: crate::store::POOL_SIZE,
            };
            Some(Arc::new(database))
        }
    };
    let config = configure(config);
    TestApp::start(config, Some(dir), database).await
}

impl TestApp {
    async fn start(
        config: Config,
        dir: Option<TempDir>,
        database: Option<Arc<TestDatabase>>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the API");
        let shutdown = CancellationToken::new();
        let Server {
            addr,
            admin_token,
            attempts,
            maintenance,
            feed,
            stopped,
            ..
        } = server::start(config.clone(), listener, shutdown.clone())
            .await
            .expect("start the server");
        Self {
            address: format!("http://{addr}"),
            token: admin_token,
            client: reqwest::Client::new(),
            attempts,
            maintenance,
            feed,
            config,
            shutdown,
            server: Some(stopped),
            dir,
            database,
        }
    }

    /// Another node on this app's PostgreSQL database (its own data directory, the same admin
    /// token and secrets key) with its settings changed by `configure`; `None`, after saying
    /// so, on SQLite, where one node owns the database.
    pub async fn spawn_node(&self, configure: impl FnOnce(Config) -> Config) -> Option<TestApp> {
        let Some(database) = self.database.clone() else {
            eprintln!("no second node on SQLite: one node owns the database");
            return None;
        };
        let dir = tempfile::tempdir().expect("temporary data directory");
        let mut config = test_config(dir.path());
        config.database = self.config.database.clone();
        config.secrets_key = match &self.config.secrets_key {
            Some(key) => Some(key.clone()),
            None => Some(
                std::fs::read_to_string(self.config.data_dir.join(SECRETS_KEY_FILE))
                    .expect("the first node's secrets key")
                    .trim()
                    .to_owned(),
            ),
        };
        Some(TestApp::start(configure(config), Some(dir), Some(database)).await)
    }

    /// A second handle on the app's database, for tests that set up or inspect what the API
    /// cannot (an expired key, internal messages).
    pub async fn open_store(&self) -> Arc<dyn Store> {
        match &self.config.database {
            Database::Sqlite => Arc::new(
                SqliteStore::open(&self.config.database_path()).expect("open the SQLite store"),
            ),
            Database::Postgres { url, .. } => Arc::new(
                PgStore::connect(PgOptions::new(url.as_str()))
                    .await
                    .expect("open the PostgreSQL store"),
            ),
        }
    }

    /// Whether `needle` occurs anywhere in the stored data: in the SQLite file or its
    /// write-ahead log, or in any row of any PostgreSQL table (as text, or hex-encoded in a
    /// `BYTEA` column), to prove a secret is not kept in the clear.
    pub async fn database_contains(&self, needle: &[u8]) -> bool {
        match &self.config.database {
            Database::Sqlite => ["hookline.db", "hookline.db-wal"].iter().any(|name| {
                std::fs::read(self.config.data_dir.join(name))
                    .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
                    .unwrap_or(false)
            }),
            Database::Postgres { url, .. } => crate::store::postgres_contains(url, needle).await,
        }
    }

    /// The PostgreSQL URL the app uses, or `None` on SQLite (in the data directory).
    pub fn database_url(&self) -> Option<String> {
        match &self.config.database {
            Database::Sqlite => None,
            Database::Postgres { url, .. } => Some(url.clone()),
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.config.data_dir.clone()
    }

    /// Stops the server gracefully and starts it again on the same data directory.
    pub async fn restart(mut self) -> TestApp {
        self.stop().await;
        let (dir, database) = (self.dir.take(), self.database.take());
        TestApp::start(self.config.clone(), dir, database).await
    }

    /// Stops the server gracefully and starts it again on the same data directory with its
    /// settings changed by `configure`.
    pub async fn restart_with(mut self, configure: impl FnOnce(Config) -> Config) -> TestApp {
        self.stop().await;
        let (dir, database) = (self.dir.take(), self.database.take());
        TestApp::start(configure(self.config.clone()), dir, database).await
    }

    /// Stops the server gracefully (in-flight deliveries drain).
    pub async fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(server) = self.server.take() {
            tokio::time::timeout(PATIENCE, server)
                .await
                .expect("the server did not stop in time")
                .expect("the server task failed");
        }
    }

    /// Sends a request with the admin token and an optional JSON body.
    pub async fn request(&self, method: Method, path: &str, body: Option<Value>) -> TestResponse {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::read(request.send().await.expect("request failed")).await
    }

    /// Sends raw bytes as the body.
    pub async fn request_raw(&self, method: Method, path: &str, body: Vec<u8>) -> TestResponse {
        let request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body);
        Self::read(request.send().await.expect("request failed")).await
    }

    /// Reads a response into a [`TestResponse`].
    pub async fn read(response: reqwest::Response) -> TestResponse {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// GET with the admin token.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Method::GET, path, None).await
    }

    /// POST JSON with the admin token.
    pub async fn post(&self, path: &str, body: Value) -> TestResponse {
        self.request(Method::POST, path, Some(body)).await
    }

    /// Creates an application and returns its id.
    pub async fn create_app(&self, name: &str) -> String {
        let response = self.post("/api/v1/app", json!({ "name": name })).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        response.str("id")
    }

    /// Creates an event type.
    pub async fn create_event_type(&self, name: &str) {
        let response = self
            .post(
                "/api/v1/event-type",
                json!({ "name": name, "description": format!("{name} happened") }),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }

    /// Creates an endpoint from a full `EndpointIn` body and returns the response body.
    pub async fn create_endpoint(&self, app_id: &str, body: Value) -> Value {
        let response = self
            .post(&format!("/api/v1/app/{app_id}/endpoint"), body)
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        response.body
    }

    /// The endpoint's signing secret.
    pub async fn endpoint_secret(&self, app_id: &str, endpoint_id: &str) -> String {
        self.get(&format!(
            "/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret"
        ))
        .await
        .str("key")
    }

    /// Sends a message from a full `MessageIn` body and returns the response body.
    pub async fn send_message(&self, app_id: &str, body: Value) -> Value {
        let response = self.post(&format!("/api/v1/app/{app_id}/msg"), body).await;
        assert_eq!(response.status, StatusCode::ACCEPTED, "{}", response.body);
        response.body
    }

    /// The background task `id` (`GET /api/v1/background-task/{id}`) once it is no longer
    /// running; fails the test if it does not end in time.
    pub async fn ended_task(&self, id: &str) -> TestResponse {
        tokio::time::timeout(PATIENCE, async {
            loop {
                let task = self.get(&format!("/api/v1/background-task/{id}")).await;
                assert_eq!(task.status, StatusCode::OK, "{}", task.body);
                if task.body["status"] != "running" {
                    return task;
                }
                tokio::task::yield_now().await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("background task {id} did not end in time"))
    }

    /// The next attempt the engine records; fails the test if none comes in time.
    pub async fn next_attempt(&mut self) -> Attempt {
        tokio::time::timeout(PATIENCE, self.attempts.recv())
            .await
            .expect("no attempt was recorded in time")
            .expect("the attempt stream closed")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
