//! Many nodes, one PostgreSQL database: real `hookline serve` child processes on 127.0.0.1
//! sharing a fresh database, with no coordinator but the database. They split the work without
//! sending anything twice, finish what a killed node left, and refuse to start when they
//! disagree with the others (schema, secrets key, admin token). Skipped without
//! `HOOKLINE_TEST_DATABASE_URL`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hookline_store::postgres::testing::TestDatabase;
use hookline_store::secrets::SecretsKey;
use hookline_testkit::{ReceivedRequest, Reply, ScriptedReceiver};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::child::{ChildServer, TOKEN, refused_start};

/// How long the arrivals may pause before a test gives up: covers a killed node's leases
/// running out (request timeout + lease margin) with room to spare.
const STALL: Duration = Duration::from_secs(60);

/// A database and the settings every node of one cluster shares.
struct Cluster {
    database: TestDatabase,
    secrets_key: String,
    env: Vec<(String, String)>,
    dirs: Vec<TempDir>,
}

impl Cluster {
    /// `None` (said on stderr) without `HOOKLINE_TEST_DATABASE_URL`.
    async fn create(test: &str, extra_env: &[(&str, &str)]) -> Option<Self> {
        let database = TestDatabase::create(test)
            .await
            .expect("create the shared database")?;
        let secrets_key = SecretsKey::generate().to_base64();
        let mut env = vec![
            (
                "HOOKLINE_DATABASE_URL".to_owned(),
                database.url().to_owned(),
            ),
            ("HOOKLINE_SECRETS_KEY".to_owned(), secrets_key.clone()),
            ("HOOKLINE_DATABASE_POOL_SIZE".to_owned(), "8".to_owned()),
        ];
        env.extend(
            extra_env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Some(Self {
            database,
            secrets_key,
            env,
            dirs: Vec::new(),
        })
    }

    /// The shared settings with `overrides` replacing or adding some.
    fn env_with<'a>(&'a self, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .filter(|(k, _)| !overrides.iter().any(|(o, _)| o == k))
            .collect();
        env.extend_from_slice(overrides);
        env
    }

    /// A new data directory: each node has its own, like separate machines.
    fn new_dir(&mut self) -> &Path {
        self.dirs.push(tempfile::tempdir().expect("data directory"));
        self.dirs.last().expect("just pushed").path()
    }

    async fn start_node(&mut self) -> ChildServer {
        let dir = self.new_dir().to_owned();
        ChildServer::start(&dir, &self.env_with(&[])).await
    }

    async fn start_nodes(&mut self, n: usize) -> Vec<ChildServer> {
        let mut nodes = Vec::new();
        for _ in 0..n {
            nodes.push(self.start_node().await);
        }
        nodes
    }
}

/// `(message id, endpoint path)` of a webhook.
fn arrival(request: &ReceivedRequest) -> (String, String) {
    (
        request.header("webhook-id").to_owned(),
        request.uri.path().to_owned(),
    )
}

/// Posts a message without failing the test: `None` when the node did not accept it (for
/// instance because it was just killed).
async fn try_send(node: &ChildServer, app_id: &str, n: usize) -> Option<String> {
    let body = json!({ "eventType": "a", "payload": { "n": n } });
    let response = node
        .client
        .post(format!("{}/app/{app_id}/msg", node.base))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let msg: Value = response.json().await.ok()?;
    msg["id"].as_str().map(str::to_owned)
}

/// `apps` applications with one endpoint each (`/ep0`, `/ep1`, ...), created through `node`.
async fn apps_with_endpoints(
    node: &ChildServer,
    receiver: &ScriptedReceiver,
    apps: usize,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in 0..apps {
        let path = format!("/ep{k}");
        let app_id = node.app_with_endpoint(receiver.endpoint(&path)).await;
        out.push((app_id, path));
    }
    out
}

/// Posts `count` messages with eight concurrent posters, message `n` through node `n % nodes`
/// to app `n % apps`; returns the accepted ones as the arrivals they should cause.
async fn post_round_robin(
    nodes: &[Arc<ChildServer>],
    apps: &[(String, String)],
    count: usize,
) -> HashSet<(String, String)> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut posters = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (next, nodes, apps) = (Arc::clone(&next), nodes.to_vec(), apps.to_vec());
        posters.spawn(async move {
            let mut accepted = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return accepted;
                }
                let (app_id, path) = &apps[n % apps.len()];
                if let Some(id) = try_send(&nodes[n % nodes.len()], app_id, n).await {
                    accepted.push((id, path.clone()));
                }
            }
        });
    }
    let mut accepted = HashSet::new();
    while let Some(done) = posters.join_next().await {
        accepted.extend(done.expect("poster task"));
    }
    accepted
}

/// Receives until every expected arrival came; returns how often each arrived.
async fn collect_until_all_arrived(
    receiver: &mut ScriptedReceiver,
    seen: &mut HashMap<(String, String), usize>,
    expected: &HashSet<(String, String)>,
) {
    let mut missing: HashSet<&(String, String)> =
        expected.iter().filter(|a| !seen.contains_key(*a)).collect();
    while !missing.is_empty() {
        let Some(request) = receiver.request_within(STALL).await else {
            panic!(
                "{} of {} deliveries never arrived",
                missing.len(),
                expected.len()
            );
        };
        let key = arrival(&request);
        missing.remove(&key);
        *seen.entry(key).or_default() += 1;
    }
}

/// The `success` count of `hookline_attempts_total` on a node's `/metrics`.
fn delivered(metrics: &str) -> u64 {
    metrics
        .lines()
        .filter(|line| line.starts_with("hookline_attempts_total{") && line.contains("success"))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

#[tokio::test]
async fn three_nodes_deliver_every_message_once_and_share_the_work() {
    // A node owns the endpoints it delivers to (one node per endpoint keeps per-endpoint limits
    // exact) for as long as it keeps delivering. One request in flight per node keeps any one
    // node from claiming, and so owning, every endpoint at the first wake-up.
    let env = [("HOOKLINE_MAX_IN_FLIGHT", "1")];
    let Some(mut cluster) = Cluster::create("three_nodes_share_the_work", &env).await else {
        return;
    };
    let mut receiver = ScriptedReceiver::start(|_, _| Reply::status(200)).await;
    let nodes: Vec<Arc<ChildServer>> = cluster
        .start_nodes(3)
        .await
        .into_iter()
        .map(Arc::new)
        .collect();
    // More endpoints than nodes, so that any node can find an endpoint free to deliver to.
    let apps = apps_with_endpoints(&nodes[0], &receiver, 24).await;

    const MESSAGES: usize = 3000;
    let started = std::time::Instant::now();
    let accepted = post_round_robin(&nodes, &apps, MESSAGES).await;
    assert_eq!(accepted.len(), MESSAGES, "every message is accepted");
    let posted = started.elapsed();
    let mut seen = HashMap::new();
    collect_until_all_arrived(&mut receiver, &mut seen, &accepted).await;
    eprintln!(
        "posted {MESSAGES} messages in {posted:?}, all delivered after {:?}",
        started.elapsed()
    );
    // Every answer was a 200, so a second arrival could only be a second node delivering the
    // same thing (nothing is retried).
    while let Some(extra) = receiver.try_next_request() {
        *seen.entry(arrival(&extra)).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");

    // A node counts a delivery once the receiver's answer is back: the last few may still be
    // on their way when their requests arrived.
    let deadline = tokio::time::Instant::now() + hookline_testkit::PATIENCE;
    let shares = loop {
        let mut shares = Vec::new();
        for node in &nodes {
            shares.push(delivered(&node.metrics().await));
        }
        if shares.iter().sum::<u64>() >= MESSAGES as u64 {
            break shares;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the nodes counted fewer deliveries than arrived: {shares:?}"
        );
    };
    eprintln!("deliveries per node: {shares:?}");
    assert_eq!(shares.iter().sum::<u64>(), MESSAGES as u64, "{shares:?}");
    assert!(
        shares.iter().all(|n| *n > 0),
        "a node delivered nothing: {shares:?}"
    );
}

#[tokio::test]
async fn a_node_killed_mid_load_loses_no_accepted_message() {
    // Short timeouts and leases, so the killed node's work comes back quickly.
    let env = [
        ("HOOKLINE_REQUEST_TIMEOUT", "2"),
        ("HOOKLINE_LEASE_MARGIN", "1"),
        ("HOOKLINE_RETRY_SCHEDULE", "1,1,1,1,1"),
    ];
    let Some(mut cluster) = Cluster::create("a_node_killed_mid_load", &env).await else {
        return;
    };
    // Slow enough that deliveries are in flight on every node when one is killed.
    let mut receiver =
        ScriptedReceiver::start(|_, _| Reply::status(200).after(Duration::from_millis(20))).await;
    // The victim starts alone and delivers a first batch, so it owns the endpoints and holds
    // claimed work when it dies (with three nodes racing from the start, it might own none).
    let victim = Arc::new(cluster.start_node().await);
    let apps = apps_with_endpoints(&victim, &receiver, 6).await;
    let mut accepted = post_round_robin(std::slice::from_ref(&victim), &apps, 30).await;
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    // The victim is the only node: every arrival so far is its delivery.
    for _ in 0..accepted.len() {
        let request = receiver.next_request().await;
        *seen.entry(arrival(&request)).or_default() += 1;
    }
    let others = cluster.start_nodes(2).await.into_iter().map(Arc::new);
    let nodes: Vec<Arc<ChildServer>> = std::iter::once(Arc::clone(&victim)).chain(others).collect();

    let posting = {
        let (nodes, apps) = (nodes.clone(), apps.clone());
        tokio::spawn(async move { post_round_robin(&nodes, &apps, 900).await })
    };
    // Kill the victim while messages still come in and it still delivers.
    for _ in 0..20 {
        let request = receiver.next_request().await;
        *seen.entry(arrival(&request)).or_default() += 1;
    }
    let pid = victim.child.id().expect("the node runs").to_string();
    let killed = tokio::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status()
        .await
        .expect("run kill");
    assert!(killed.success());
    accepted.extend(posting.await.expect("posting"));
    eprintln!(
        "{} messages accepted, {} arrivals before the kill",
        accepted.len(),
        seen.len()
    );
    assert!(
        accepted.len() > 900 / 3,
        "too few messages were accepted to test anything"
    );
    collect_until_all_arrived(&mut receiver, &mut seen, &accepted).await;
}

#[tokio::test]
async fn a_node_refuses_a_database_migrated_by_a_newer_hookline() {
    let Some(mut cluster) = Cluster::create("a_node_refuses_a_newer_schema", &[]).await else {
        return;
    };
    let node = cluster.start_node().await;
    drop(node);
    let (client, connection) =
        tokio_postgres::connect(cluster.database.url(), tokio_postgres::NoTls)
            .await
            .expect("connect");
    let driver = tokio::spawn(connection);
    client
        .execute("UPDATE hookline_schema SET version = version + 1", &[])
        .await
        .expect("a newer Hookline migrated the database");
    drop(client);
    let _ = driver.await;

    // The same node, restarted on its own data directory.
    let dir = cluster.dirs[0].path().to_owned();
    let output = refused_start(&dir, &cluster.env_with(&[])).await;
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("newer than this Hookline knows"),
        "unclear refusal: {message}"
    );
}

#[tokio::test]
async fn a_node_with_another_secrets_key_or_admin_token_refuses_to_start() {
    let Some(mut cluster) = Cluster::create("a_node_with_another_key_refuses", &[]).await else {
        return;
    };
    let _first = cluster.start_node().await;
    let other_key = SecretsKey::generate().to_base64();
    let dir = cluster.new_dir().to_owned();
    let wrong_key = refused_start(
        &dir,
        &cluster.env_with(&[("HOOKLINE_SECRETS_KEY", &other_key)]),
    )
    .await;
    let message = String::from_utf8_lossy(&wrong_key.stderr);
    assert!(
        message.contains("same HOOKLINE_SECRETS_KEY"),
        "unclear refusal: {message}"
    );

    let wrong_token = refused_start(
        &dir,
        &cluster.env_with(&[("HOOKLINE_ADMIN_TOKEN", "another-admin-token-0123456789")]),
    )
    .await;
    let message = String::from_utf8_lossy(&wrong_token.stderr);
    assert!(
        message.contains("same HOOKLINE_ADMIN_TOKEN"),
        "unclear refusal: {message}"
    );
    // The same key and token start fine, from any data directory.
    let _second = ChildServer::start(&dir, &cluster.env_with(&[])).await;
    assert_ne!(cluster.secrets_key, other_key);
}

/// Runs `hookline migrate` with the cluster's settings and `overrides`; its standard output.
async fn migrate(cluster: &Cluster, overrides: &[(&str, &str)]) -> String {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookline"));
    command.arg("migrate").env("HOOKLINE_ADMIN_TOKEN", TOKEN);
    for (name, value) in cluster.env_with(overrides) {
        command.env(name, value);
    }
    let output = command.output().await.expect("run hookline migrate");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn hookline_migrate_records_the_key_and_token_and_changes_the_token_on_purpose() {
    let Some(mut cluster) = Cluster::create("hookline_migrate_records", &[]).await else {
        return;
    };
    let first = migrate(&cluster, &[]).await;
    assert!(first.contains("is at schema version"), "{first}");
    assert!(
        first.contains("recorded the secrets key and admin token"),
        "{first}"
    );
    let _node = cluster.start_node().await;

    let new_token = "the-new-admin-token-0123456789";
    let changed = migrate(&cluster, &[("HOOKLINE_ADMIN_TOKEN", new_token)]).await;
    assert!(changed.contains("recorded a new admin token"), "{changed}");
    // A node restarted with the old token refuses; with the new one it starts.
    let dir = cluster.new_dir().to_owned();
    let old = refused_start(&dir, &cluster.env_with(&[])).await;
    let message = String::from_utf8_lossy(&old.stderr);
    assert!(message.contains("same HOOKLINE_ADMIN_TOKEN"), "{message}");
    let _renewed = ChildServer::start(
        &dir,
        &cluster.env_with(&[("HOOKLINE_ADMIN_TOKEN", new_token)]),
    )
    .await;

    // The key can never change: migrate refuses another one.
    let other_key = SecretsKey::generate().to_base64();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookline"));
    command.arg("migrate");
    for (name, value) in cluster.env_with(&[
        ("HOOKLINE_SECRETS_KEY", &other_key),
        ("HOOKLINE_ADMIN_TOKEN", new_token),
    ]) {
        command.env(name, value);
    }
    let refused = command.output().await.expect("run hookline migrate");
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("same HOOKLINE_SECRETS_KEY"), "{message}");
}
