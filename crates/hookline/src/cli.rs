//! Commands, flags and their environment variables.
//!
//! Flags and environment variables are the top layers of the configuration (see
//! [`crate::settings`]): a flag beats its variable, which beats the config file, which beats
//! the default. Flags have no defaults here, so an absent flag never hides the file's value.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::client::ClientCommand;
use crate::config::Config;
pub use crate::settings::{LogFormat, Role};
use crate::settings::{Settings, SettingsError};

/// Hookline: a self-hosted webhooks platform.
#[derive(Debug, Parser)]
#[command(name = "hookline", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API and the delivery engine (SQLite in the data directory, no setup needed; or
    /// PostgreSQL with --database-url, shared by any number of nodes).
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate(MigrateArgs),
    /// Remove messages, payloads and attempts older than the retention period, and background
    /// tasks that ended longer ago than the task retention period, then exit (a running server
    /// does the same every minute).
    Prune(PruneArgs),
    /// Print the effective configuration (defaults < file < environment < flags) as TOML, with
    /// secrets redacted, after checking it.
    Config(Box<ServeArgs>),
    /// Client commands, talking to a running server over its REST API.
    #[command(flatten)]
    Client(ClientCommand),
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// Where Hookline keeps its state.
#[derive(Debug, clap::Args, Serialize)]
pub struct DataArgs {
    /// Directory holding the database (`hookline.db`) and the generated admin token
    /// [default: ./hookline-data].
    #[arg(long, env = "HOOKLINE_DATA_DIR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
}

/// Which database, for every command that opens it.
#[derive(Debug, clap::Args, Serialize)]
pub struct DatabaseArgs {
    /// PostgreSQL URL (`postgres://user:password@host:5432/database?sslmode=verify-full`) for
    /// nodes sharing one database; unset keeps SQLite in the data directory.
    #[arg(long, env = "HOOKLINE_DATABASE_URL", hide_env_values = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,

    /// Connections to PostgreSQL this node keeps open at most [default: 16].
    #[arg(long, env = "HOOKLINE_DATABASE_POOL_SIZE")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_pool_size: Option<u32>,
}

/// Settings of `hookline migrate`.
#[derive(Debug, clap::Args, Serialize)]
pub struct MigrateArgs {
    /// Configuration file [default: ./hookline.toml when it exists].
    #[arg(long, env = "HOOKLINE_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    #[serde(flatten)]
    pub data: DataArgs,

    #[command(flatten)]
    #[serde(flatten)]
    pub database: DatabaseArgs,

    /// With PostgreSQL: the secrets key every node uses; checked against the database.
    #[arg(long, env = "HOOKLINE_SECRETS_KEY", hide_env_values = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secrets_key: Option<String>,

    /// With PostgreSQL and --secrets-key: the admin token every node must use from now on.
    #[arg(long, env = "HOOKLINE_ADMIN_TOKEN", hide_env_values = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_token: Option<String>,
}

impl MigrateArgs {
    /// The settings, of which `migrate` uses the database, the secrets key and the admin token.
    pub fn settings(&self) -> Result<Settings, SettingsError> {
        Settings::load(self.config.as_deref(), self)
    }
}

/// Settings of `hookline prune`.
#[derive(Debug, clap::Args, Serialize)]
pub struct PruneArgs {
    /// Configuration file [default: ./hookline.toml when it exists].
    #[arg(long, env = "HOOKLINE_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    #[serde(flatten)]
    pub data: DataArgs,

    #[command(flatten)]
    #[serde(flatten)]
    pub database: DatabaseArgs,

    /// Keep this many days of messages and attempts [default: 90].
    #[arg(long, env = "HOOKLINE_RETENTION_DAYS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,

    /// Keep background tasks that ended (finished or failed) this many days after their last
    /// update [default: 30].
    #[arg(long, env = "HOOKLINE_TASK_RETENTION_DAYS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_retention_days: Option<u32>,
}

impl PruneArgs {
    /// The settings, of which `prune` uses the database and the retention periods.
    pub fn settings(&self) -> Result<Settings, SettingsError> {
        Settings::load(self.config.as_deref(), self)
    }
}

/// Settings of `hookline serve`; each flag can also be set by its environment variable or in
/// the config file under the flag's name with underscores (`max_payload_bytes = 2097152`).
#[derive(Debug, clap::Args, Serialize)]
pub struct ServeArgs {
    /// Configuration file [default: ./hookline.toml when it exists].
    #[arg(long, env = "HOOKLINE_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// Address and port the API listens on [default: 127.0.0.1:8071].
    #[arg(long, env = "HOOKLINE_LISTEN")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,

    #[command(flatten)]
    #[serde(flatten)]
    pub data: DataArgs,

    #[command(flatten)]
    #[serde(flatten)]
    pub database: DatabaseArgs,

    /// What this node does: `api` (the API, no deliveries), `worker` (deliveries and
    /// housekeeping; HTTP only for health and metrics) or `all`. Splitting needs PostgreSQL
    /// [default: all].
    #[arg(long, env = "HOOKLINE_ROLE", value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,

    /// Admin API key (at least 16 characters). When unset, one is generated on first start,
    /// printed once, and saved to `<data dir>/admin-token`.
    #[arg(long, env = "HOOKLINE_ADMIN_TOKEN", hide_env_values = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_token: Option<String>,

    /// Comma-separated CIDRs that deliveries may reach even though they are private or loopback
    /// (e.g. `127.0.0.1/32,10.0.0.0/8`). Everything private is refused by default.
    #[arg(long, env = "HOOKLINE_ALLOWED_TARGETS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_targets: Option<String>,

    /// Largest request body accepted, in bytes; larger bodies get 413 [default: 1048576].
    #[arg(long, env = "HOOKLINE_MAX_PAYLOAD_BYTES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_payload_bytes: Option<usize>,

    /// Seconds between delivery attempts after each failure, comma-separated
    /// [default: 5,300,1800,7200,18000,36000,36000].
    #[arg(long, env = "HOOKLINE_RETRY_SCHEDULE")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_schedule: Option<String>,

    /// Seconds allowed for one delivery attempt (1 to 60) [default: 15].
    #[arg(long, env = "HOOKLINE_REQUEST_TIMEOUT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout: Option<u64>,

    /// Refuse to start if the database needs migrating, instead of migrating it.
    #[arg(long, env = "HOOKLINE_NO_MIGRATE")]
    #[serde(skip_serializing_if = "is_false")]
    pub no_migrate: bool,

    /// Deliver only to `https` URLs: plain `http` endpoints are refused at creation and at send.
    #[arg(long, env = "HOOKLINE_HTTPS_ONLY")]
    #[serde(skip_serializing_if = "is_false")]
    pub https_only: bool,

    /// Seconds allowed to connect to an endpoint (1 to 60) [default: 5].
    #[arg(long, env = "HOOKLINE_CONNECT_TIMEOUT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<u64>,

    /// Delivery requests in flight at once across all endpoints [default: 512].
    #[arg(long, env = "HOOKLINE_MAX_IN_FLIGHT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<u64>,

    /// Requests in flight at once to one endpoint; endpoints can set their own [default: 16].
    #[arg(long, env = "HOOKLINE_ENDPOINT_CONCURRENCY")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_concurrency: Option<u16>,

    /// Longest pause, in seconds, an endpoint's `Retry-After` is honoured for [default: 3600].
    #[arg(long, env = "HOOKLINE_RETRY_AFTER_MAX")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_max: Option<u64>,

    /// Seconds a claimed delivery's lease outlasts the request timeout; after a crash, work
    /// that was in flight is retried this long after its timeout would have ended [default: 15].
    #[arg(long, env = "HOOKLINE_LEASE_MARGIN")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_margin: Option<u64>,

    /// Requests per second each API key may make (token bucket refill rate); 0 turns limits
    /// off [default: 1000].
    #[arg(long, env = "HOOKLINE_RATE_LIMIT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,

    /// Requests each API key may make at once (token bucket size) [default: 2000].
    #[arg(long, env = "HOOKLINE_RATE_LIMIT_BURST")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_burst: Option<u32>,

    /// Requests per second each inbound source may receive at `/in/{source}`; 0 turns the
    /// limit off [default: 1000].
    #[arg(long, env = "HOOKLINE_INBOUND_RATE_LIMIT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_rate_limit: Option<u32>,

    /// Requests each inbound source may receive at once (token bucket size) [default: 2000].
    #[arg(long, env = "HOOKLINE_INBOUND_RATE_LIMIT_BURST")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_rate_limit_burst: Option<u32>,

    /// Base64 of the 32-byte key that encrypts secrets at rest. When unset, one is generated
    /// on first start into `<data dir>/secrets.key`; losing it loses every endpoint secret.
    #[arg(long, env = "HOOKLINE_SECRETS_KEY", hide_env_values = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secrets_key: Option<String>,

    /// Header names of outgoing webhooks unless an endpoint chose: `webhook` (`webhook-id`, ...)
    /// or `svix` (`svix-id`, ...) [default: webhook].
    #[arg(long, env = "HOOKLINE_HEADER_STYLE")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_style: Option<String>,

    /// Kind of signing key new endpoints get: `hmac` (`whsec_`, `v1`) or `ed25519`
    /// (`whsk_`/`whpk_`, `v1a`) [default: hmac].
    #[arg(long, env = "HOOKLINE_SIGNING_KEY_TYPE")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_key_type: Option<String>,

    /// Days after which messages' payloads, the messages and their attempts are removed
    /// [default: 90].
    #[arg(long, env = "HOOKLINE_RETENTION_DAYS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,

    /// Days after which background tasks (recover, replay) that ended, finished or failed, are
    /// removed, counted from their last update; running tasks are kept [default: 30].
    #[arg(long, env = "HOOKLINE_TASK_RETENTION_DAYS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_retention_days: Option<u32>,

    /// Days of deliveries exhausting their retries, with no success in between, after which an
    /// endpoint is disabled [default: 5].
    #[arg(long, env = "HOOKLINE_AUTO_DISABLE_DAYS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_disable_days: Option<u32>,

    /// Comma-separated CIDRs of proxies whose X-Forwarded-For is believed for source allowlists
    /// [default: none].
    #[arg(long, env = "HOOKLINE_TRUSTED_PROXIES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_proxies: Option<String>,

    /// Public base URL providers reach Hookline at, used in sources' `ingestUrl`.
    #[arg(long, env = "HOOKLINE_PUBLIC_URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,

    /// Where the `/docs` page loads its renderer (Scalar API reference) from: a copy you host,
    /// for networks without internet access [default: a pinned version on the jsDelivr CDN,
    /// checked with Subresource Integrity].
    #[arg(long, env = "HOOKLINE_DOCS_SCRIPT_URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docs_script_url: Option<String>,

    /// Log format [default: text].
    #[arg(long, env = "HOOKLINE_LOG_FORMAT", value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,

    /// Comma-separated browser origins allowed to call the API (CORS), or `*` for any
    /// [default: none].
    #[arg(long, env = "HOOKLINE_CORS_ORIGINS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cors_origins: Option<String>,

    /// PEM certificate chain; with --tls-key, the API serves HTTPS.
    #[arg(long, env = "HOOKLINE_TLS_CERT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of --tls-cert.
    #[arg(long, env = "HOOKLINE_TLS_KEY")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
}

impl ServeArgs {
    /// The effective settings: defaults < file < environment < flags.
    pub fn settings(&self) -> Result<Settings, SettingsError> {
        Settings::load(self.config.as_deref(), self)
    }

    /// The effective settings validated into a [`Config`], naming the setting that is wrong.
    pub fn to_config(&self) -> anyhow::Result<Config> {
        Ok(self.settings()?.to_config()?)
    }
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
