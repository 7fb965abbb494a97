//! A release `hookline serve` as a child process with a fresh data directory, and the few API
//! calls the scenarios need.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// Bench token: fixed so a failed run can be inspected by hand.
const TOKEN: &str = "hl_bench_token_0123456789abcdef";
/// Bench secrets key (base64 of 32 bytes), for PostgreSQL runs.
const SECRETS_KEY: &str = "aG9va2xpbmUtYmVuY2gtc2VjcmV0cy1rZXktMzJieXQ=";

/// How the child is started.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    /// The `hookline` binary.
    pub(crate) binary: PathBuf,
    /// PostgreSQL URL, when benchmarking that backend (passed as `HOOKLINE_DATABASE_URL`).
    pub(crate) database_url: Option<String>,
    /// Seconds allowed per delivery attempt.
    pub(crate) request_timeout: u64,
}

/// A running Hookline and an API client for it.
#[derive(Debug)]
pub(crate) struct Hookline {
    child: Child,
    /// `http://127.0.0.1:<port>/api/v1`.
    pub(crate) api: String,
    client: reqwest::Client,
    _data: tempfile::TempDir,
}

impl Hookline {
    /// Starts a fresh instance and waits until it answers its liveness check.
    pub(crate) async fn start(launch: &Launch) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let port = free_port()?;
        let mut command = Command::new(&launch.binary);
        command
            .arg("serve")
            .env("HOOKLINE_LISTEN", format!("127.0.0.1:{port}"))
            .env("HOOKLINE_DATA_DIR", data.path())
            .env("HOOKLINE_ADMIN_TOKEN", TOKEN)
            .env("HOOKLINE_ALLOWED_TARGETS", "127.0.0.1/32")
            .env(
                "HOOKLINE_REQUEST_TIMEOUT",
                launch.request_timeout.to_string(),
            )
            .env("HOOKLINE_LOG", "warn")
            .env("HOOKLINE_RATE_LIMIT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(url) = &launch.database_url {
            // Every scenario's node opens the same database, which checks that all of them use
            // one secrets key (and admin token): fixed, like the token.
            command
                .env("HOOKLINE_DATABASE_URL", url)
                .env("HOOKLINE_SECRETS_KEY", SECRETS_KEY);
        }
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", launch.binary.display()))?;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .tcp_nodelay(true)
            .build()?;
        let hookline = Self {
            child,
            api: format!("http://127.0.0.1:{port}/api/v1"),
            client,
            _data: data,
        };
        hookline.wait_ready().await?;
        Ok(hookline)
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let ping = self.client.get(format!("{}/health", self.api)).send().await;
            if ping.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("hookline did not become ready within 30 s")
    }

    /// The child's process id (for `/proc` readings).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Creates an application; returns its id.
    pub(crate) async fn create_app(&self, name: &str) -> anyhow::Result<String> {
        let app = self.post("/app", &json!({ "name": name })).await?;
        id_of(&app)
    }

    /// Creates an endpoint receiving every event type, signed with `secret`.
    pub(crate) async fn create_endpoint(
        &self,
        app: &str,
        url: &str,
        secret: &str,
    ) -> anyhow::Result<String> {
        let body = json!({ "url": url, "secret": secret });
        let endpoint = self.post(&format!("/app/{app}/endpoint"), &body).await?;
        id_of(&endpoint)
    }

    /// Posts a message; returns its id once Hookline answered 2xx (durable).
    pub(crate) async fn send(&self, app: &str, body: &Value) -> anyhow::Result<String> {
        let msg = self.post(&format!("/app/{app}/msg"), body).await?;
        id_of(&msg)
    }

    async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let response = self
            .client
            .post(format!("{}{path}", self.api))
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("POST {path} answered {status}: {text}");
        }
        Ok(serde_json::from_str(&text)?)
    }
}

impl Drop for Hookline {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn id_of(value: &Value) -> anyhow::Result<String> {
    value["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no id in {value}"))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The `hookline` binary next to this one (both built by `bench/run`).
pub(crate) fn default_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let dir = me.parent().unwrap_or(Path::new("."));
    Ok(dir.join("hookline"))
}
