//! The real `hookline serve` binary as a child process on a loopback port, for the crash and
//! many-node tests: started, waited for, posted to, killed; and the one-shot commands
//! (`migrate`, `prune`) run on a test app's data.

use std::path::Path;
use std::process::{Output, Stdio};

use hookline_testkit::{PATIENCE, TestApp};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The admin token every child server is started with.
pub(crate) const TOKEN: &str = "crash-test-admin-token-0123456789";

/// A `hookline serve` child process; killed when dropped.
pub(crate) struct ChildServer {
    pub(crate) child: Child,
    /// `http://127.0.0.1:<port>/api/v1`.
    pub(crate) base: String,
    /// `http://127.0.0.1:<port>`.
    pub(crate) root: String,
    pub(crate) client: reqwest::Client,
}

/// `hookline serve` on `port` with the test's settings and `extra_env` (which wins).
fn serve_command(data_dir: &Path, port: u16, extra_env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hookline"));
    command
        .arg("serve")
        .env("HOOKLINE_DATA_DIR", data_dir)
        .env("HOOKLINE_LISTEN", format!("127.0.0.1:{port}"))
        .env("HOOKLINE_ADMIN_TOKEN", TOKEN)
        .env("HOOKLINE_ALLOWED_TARGETS", "127.0.0.1/32")
        .env("HOOKLINE_LOG", "info")
        .kill_on_drop(true);
    for (name, value) in extra_env {
        command.env(name, value);
    }
    command
}

/// Runs `hookline <args>` on `app`'s data directory (and database), with none of the
/// environment's `HOOKLINE_*` settings that would point it elsewhere; its standard output,
/// after checking it succeeded.
pub(crate) async fn hookline_on(app: &TestApp, args: &[&str]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hookline"));
    command
        .args(args)
        .arg("--data-dir")
        .arg(app.data_dir())
        .env_remove("HOOKLINE_RETENTION_DAYS")
        .env_remove("HOOKLINE_TASK_RETENTION_DAYS")
        .env_remove("HOOKLINE_DATABASE_URL")
        .env_remove("HOOKLINE_SECRETS_KEY")
        .env_remove("HOOKLINE_ADMIN_TOKEN");
    if let Some(url) = app.database_url() {
        command.arg("--database-url").arg(url);
    }
    let output = command.output().await.expect("run hookline");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a probe");
    probe.local_addr().expect("probe address").port()
}

impl ChildServer {
    /// Starts the binary on a free loopback port and waits for its "listening" log line.
    pub(crate) async fn start(data_dir: &Path, extra_env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut command = serve_command(data_dir, port, extra_env);
        command.stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = command.spawn().expect("start hookline serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(PATIENCE, async {
            while let Some(line) = lines.next_line().await.expect("read the log") {
                if line.contains("Hookline is listening") {
                    return true;
                }
            }
            false
        })
        .await
        .expect("the server did not start in time");
        assert!(ready, "the server exited before listening");
        // Keep draining the log so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            child,
            base: format!("http://127.0.0.1:{port}/api/v1"),
            root: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        }
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .expect("request to the child server");
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.expect("JSON answer")
    }

    /// An app with one endpoint at `url`; returns the app id.
    pub(crate) async fn app_with_endpoint(&self, url: String) -> String {
        let app = self.post("/app", json!({ "name": "Acme" })).await;
        let app_id = app["id"].as_str().expect("id").to_owned();
        self.post(&format!("/app/{app_id}/endpoint"), json!({ "url": url }))
            .await;
        app_id
    }

    pub(crate) async fn send(&self, app_id: &str, n: usize) -> String {
        let body = json!({ "eventType": "a", "payload": { "n": n } });
        let msg = self.post(&format!("/app/{app_id}/msg"), body).await;
        msg["id"].as_str().expect("id").to_owned()
    }

    /// The node's `/metrics` page.
    pub(crate) async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.root))
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("metrics text")
    }
}

/// Runs `hookline serve` expecting it to refuse to start: its output once it has exited.
pub(crate) async fn refused_start(data_dir: &Path, extra_env: &[(&str, &str)]) -> Output {
    let mut command = serve_command(data_dir, free_port(), extra_env);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let output = tokio::time::timeout(PATIENCE, command.output())
        .await
        .expect("the server neither refused nor stopped in time")
        .expect("run hookline serve");
    assert!(
        !output.status.success(),
        "the server stopped successfully instead of refusing to start"
    );
    output
}
