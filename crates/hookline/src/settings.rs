//! One typed configuration, layered: defaults < config file (`hookline.toml`, or `--config`)
//! < environment (`HOOKLINE_*`) < command-line flags.
//!
//! Every setting has the same name everywhere: the file key `max_payload_bytes` is the
//! environment variable `HOOKLINE_MAX_PAYLOAD_BYTES` and the flag `--max-payload-bytes`.
//! [`Settings::to_config`] validates the result and names the setting at fault.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use hookline_api::observability::CorsOrigins;
use hookline_api::rate_limit::RateLimitConfig;
use hookline_delivery::TargetPolicy;
use hookline_delivery::keyring::{HeaderStyle, KeyKind};
use serde::{Deserialize, Deserializer, Serialize};

use crate::config::Config;
use crate::database::{Database, redact_url};
use crate::tls::TlsFiles;

/// The file read when `--config` is not given, if it exists in the working directory.
pub const DEFAULT_FILE: &str = "hookline.toml";

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// What a node does; nodes sharing a PostgreSQL database can split the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The API (management, inbound, pull) without the delivery engine; deliveries wait in
    /// the database for a worker.
    Api,
    /// The delivery engine and housekeeping, with only health, readiness and metrics over HTTP.
    Worker,
    /// Both (the default; the only choice with SQLite).
    All,
}

/// Every setting of `hookline serve`, with its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address and port of the API (`HOOKLINE_LISTEN`).
    pub listen: SocketAddr,
    /// Directory of the database and the generated admin token (`HOOKLINE_DATA_DIR`).
    pub data_dir: PathBuf,
    /// PostgreSQL URL (`HOOKLINE_DATABASE_URL`); unset keeps SQLite in the data directory.
    pub database_url: Option<String>,
    /// Connections to PostgreSQL this node keeps open at most (`HOOKLINE_DATABASE_POOL_SIZE`).
    pub database_pool_size: u32,
    /// `api`, `worker` or `all` (`HOOKLINE_ROLE`).
    pub role: Role,
    /// Admin API key, at least 16 characters (`HOOKLINE_ADMIN_TOKEN`); generated when unset.
    pub admin_token: Option<String>,
    /// CIDRs deliveries may reach although private or loopback (`HOOKLINE_ALLOWED_TARGETS`).
    #[serde(deserialize_with = "comma_list")]
    pub allowed_targets: String,
    /// Largest request body in bytes (`HOOKLINE_MAX_PAYLOAD_BYTES`).
    pub max_payload_bytes: usize,
    /// Seconds between attempts after each failure (`HOOKLINE_RETRY_SCHEDULE`).
    #[serde(deserialize_with = "comma_list")]
    pub retry_schedule: String,
    /// Seconds allowed for one delivery attempt, 1 to 60 (`HOOKLINE_REQUEST_TIMEOUT`).
    pub request_timeout: u64,
    /// Refuse an out-of-date schema instead of migrating it (`HOOKLINE_NO_MIGRATE`).
    pub no_migrate: bool,
    /// `text` or `json` log lines (`HOOKLINE_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// Browser origins allowed to call the API, or `*` (`HOOKLINE_CORS_ORIGINS`).
    #[serde(deserialize_with = "comma_list")]
    pub cors_origins: String,
    /// PEM certificate chain; with `tls_key`, serve HTTPS (`HOOKLINE_TLS_CERT`).
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `tls_cert` (`HOOKLINE_TLS_KEY`).
    pub tls_key: Option<PathBuf>,
    /// Deliver only to `https` URLs (`HOOKLINE_HTTPS_ONLY`).
    pub https_only: bool,
    /// Seconds allowed to connect to an endpoint, 1 to 60 (`HOOKLINE_CONNECT_TIMEOUT`).
    pub connect_timeout: u64,
    /// Delivery requests in flight at once, all endpoints together (`HOOKLINE_MAX_IN_FLIGHT`).
    pub max_in_flight: u64,
    /// Requests in flight at once to one endpoint (`HOOKLINE_ENDPOINT_CONCURRENCY`).
    pub endpoint_concurrency: u16,
    /// Longest `Retry-After` honoured, in seconds (`HOOKLINE_RETRY_AFTER_MAX`).
    pub retry_after_max: u64,
    /// Seconds a lease outlasts the request timeout (`HOOKLINE_LEASE_MARGIN`).
    pub lease_margin: u64,
    /// Requests per second per API key; 0 turns limits off (`HOOKLINE_RATE_LIMIT`).
    pub rate_limit: u32,
    /// Token bucket size per API key (`HOOKLINE_RATE_LIMIT_BURST`).
    pub rate_limit_burst: u32,
    /// Requests per second per inbound source; 0 turns limits off (`HOOKLINE_INBOUND_RATE_LIMIT`).
    pub inbound_rate_limit: u32,
    /// Token bucket size per inbound source (`HOOKLINE_INBOUND_RATE_LIMIT_BURST`).
    pub inbound_rate_limit_burst: u32,
    /// Base64 key encrypting secrets at rest (`HOOKLINE_SECRETS_KEY`); generated when unset.
    pub secrets_key: Option<String>,
    /// `webhook` or `svix` header names (`HOOKLINE_HEADER_STYLE`).
    pub header_style: String,
    /// `hmac` or `ed25519` keys for new endpoints (`HOOKLINE_SIGNING_KEY_TYPE`).
    pub signing_key_type: String,
    /// Days messages and attempts are kept (`HOOKLINE_RETENTION_DAYS`).
    pub retention_days: u32,
    /// Days ended background tasks are kept after their last update
    /// (`HOOKLINE_TASK_RETENTION_DAYS`).
    pub task_retention_days: u32,
    /// Days of exhausted deliveries before an endpoint is disabled (`HOOKLINE_AUTO_DISABLE_DAYS`).
    pub auto_disable_days: u32,
    /// Proxies whose `X-Forwarded-For` is believed (`HOOKLINE_TRUSTED_PROXIES`).
    #[serde(deserialize_with = "comma_list")]
    pub trusted_proxies: String,
    /// Public base URL of the server, for sources' `ingestUrl` (`HOOKLINE_PUBLIC_URL`).
    pub public_url: Option<String>,
    /// Where `/docs` loads its renderer from, instead of the pinned CDN copy
    /// (`HOOKLINE_DOCS_SCRIPT_URL`).
    pub docs_script_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8071)),
            data_dir: PathBuf::from("./hookline-data"),
            database_url: None,
            database_pool_size: 16,
            role: Role::All,
            admin_token: None,
            allowed_targets: String::new(),
            max_payload_bytes: 1024 * 1024,
            retry_schedule: "5,300,1800,7200,18000,36000,36000".to_owned(),
            request_timeout: 15,
            no_migrate: false,
            log_format: LogFormat::Text,
            cors_origins: String::new(),
            tls_cert: None,
            tls_key: None,
            https_only: false,
            connect_timeout: 5,
            max_in_flight: 512,
            endpoint_concurrency: 16,
            retry_after_max: 3600,
            lease_margin: 15,
            rate_limit: RateLimitConfig::default().per_second,
            rate_limit_burst: RateLimitConfig::default().burst,
            inbound_rate_limit: 1000,
            inbound_rate_limit_burst: 2000,
            secrets_key: None,
            header_style: "webhook".to_owned(),
            signing_key_type: "hmac".to_owned(),
            retention_days: 90,
            task_retention_days: 30,
            auto_disable_days: 5,
            trusted_proxies: String::new(),
            public_url: None,
            docs_script_url: None,
        }
    }
}

/// Lists are written `"a,b"` in the environment and on the command line, and either way in the
/// file (`["a", "b"]` or `"a,b"`); numbers are taken as written (`[5, 300]`).
fn comma_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Item {
        Text(String),
        Number(u64),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        One(Item),
        Many(Vec<Item>),
    }
    let text = |item: Item| match item {
        Item::Text(s) => s,
        Item::Number(n) => n.to_string(),
    };
    Ok(match Raw::deserialize(deserializer)? {
        Raw::One(item) => text(item),
        Raw::Many(items) => items.into_iter().map(text).collect::<Vec<_>>().join(","),
    })
}

/// Why the settings could not be loaded or are invalid; each message names the setting.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// `--config` names a file that does not exist.
    #[error("--config / HOOKLINE_CONFIG: {0} does not exist")]
    MissingFile(PathBuf),
    /// The file (or a value) could not be read into the settings.
    #[error("{0}")]
    Load(String),
    /// Values that parse but are not allowed.
    #[error("invalid settings:\n  {}", .0.join("\n  "))]
    Invalid(Vec<String>),
}

impl Settings {
    /// Merges defaults, the file, and `overrides` (environment and flags, already merged by the
    /// command-line parser); `file` is `--config`, else `hookline.toml` when present.
    pub fn load(file: Option<&Path>, overrides: impl Serialize) -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(SettingsError::MissingFile(path.to_owned()));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_FILE).exists() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_FILE));
            }
            None => {}
        }
        figment
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| {
                // Every layer here uses figment's default profile; its name only confuses.
                SettingsError::Load(e.to_string().replace("key \"default.", "key \""))
            })
    }

    /// Validates every setting into the server's [`Config`], listing each one at fault.
    pub fn to_config(&self) -> Result<Config, SettingsError> {
        let mut errors = Vec::new();
        let mut fail = |key: &str, msg: String| {
            errors.push(format!(
                "{key} (HOOKLINE_{}): {msg}",
                key.to_ascii_uppercase()
            ));
        };
        let policy = TargetPolicy::parse(&self.allowed_targets)
            .map_err(|e| fail("allowed_targets", e.to_string()))
            .ok()
            .map(|p| p.with_https_only(self.https_only));
        let trusted_proxies = TargetPolicy::parse(&self.trusted_proxies)
            .map_err(|e| fail("trusted_proxies", e.to_string()))
            .ok();
        let header_style = HeaderStyle::parse(&self.header_style);
        if header_style.is_none() {
            fail("header_style", "must be 'webhook' or 'svix'".into());
        }
        let key_kind = KeyKind::parse(&self.signing_key_type);
        if key_kind.is_none() {
            fail("signing_key_type", "must be 'hmac' or 'ed25519'".into());
        }
        if !(1..=60).contains(&self.connect_timeout) {
            fail("connect_timeout", "must be between 1 and 60 seconds".into());
        }
        if !(1..=100_000).contains(&self.max_in_flight) {
            fail("max_in_flight", "must be between 1 and 100000".into());
        }
        if !(1..=1000).contains(&self.endpoint_concurrency) {
            fail("endpoint_concurrency", "must be between 1 and 1000".into());
        }
        if !(1..=86_400).contains(&self.retry_after_max) {
            fail(
                "retry_after_max",
                "must be between 1 and 86400 seconds".into(),
            );
        }
        if !(1..=3600).contains(&self.lease_margin) {
            fail("lease_margin", "must be between 1 and 3600 seconds".into());
        }
        if self.rate_limit > 0 && self.rate_limit_burst == 0 {
            fail(
                "rate_limit_burst",
                "must be at least 1 when rate_limit is set".into(),
            );
        }
        if self.inbound_rate_limit > 0 && self.inbound_rate_limit_burst == 0 {
            fail(
                "inbound_rate_limit_burst",
                "must be at least 1 when inbound_rate_limit is set".into(),
            );
        }
        if self.retention_days == 0 {
            fail("retention_days", "must be at least 1".into());
        }
        if self.task_retention_days == 0 {
            fail("task_retention_days", "must be at least 1".into());
        }
        if self.auto_disable_days == 0 {
            fail("auto_disable_days", "must be at least 1".into());
        }
        let database = Database::parse(
            self.database_url.as_deref(),
            self.database_pool_size as usize,
        )
        .map_err(|e| fail("database_url", e))
        .ok();
        if !(1..=1000).contains(&self.database_pool_size) {
            fail("database_pool_size", "must be between 1 and 1000".into());
        }
        if self.role != Role::All && database.as_ref().is_some_and(|d| !d.is_shared()) {
            fail(
                "role",
                "'api' and 'worker' split the work between nodes sharing a PostgreSQL \
                 database: set database_url, or use 'all'"
                    .into(),
            );
        }
        let delays = parse_schedule(&self.retry_schedule)
            .map_err(|e| fail("retry_schedule", e))
            .ok();
        if self.max_payload_bytes < 1024 {
            fail("max_payload_bytes", "must be at least 1024".into());
        }
        if !(1..=60).contains(&self.request_timeout) {
            fail("request_timeout", "must be between 1 and 60 seconds".into());
        }
        if let Some(token) = &self.admin_token
            && token.len() < 16
        {
            fail("admin_token", "must be at least 16 characters long".into());
        }
        if let Some(url) = &self.docs_script_url
            && !docs_script_url_ok(url)
        {
            fail(
                "docs_script_url",
                "must be an http(s) URL or an absolute path (`/assets/scalar.js`), without \
                 spaces, quotes or angle brackets"
                    .into(),
            );
        }
        let cors = CorsOrigins::parse(&self.cors_origins)
            .map_err(|e| fail("cors_origins", e))
            .ok();
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            (None, None) => None,
            (Some(_), None) => {
                fail("tls_key", "is required when tls_cert is set".into());
                None
            }
            (None, Some(_)) => {
                fail("tls_cert", "is required when tls_key is set".into());
                None
            }
        };
        let (
            Some(database),
            Some(policy),
            Some(delays),
            Some(cors),
            Some(trusted_proxies),
            Some(header_style),
            Some(key_kind),
            true,
        ) = (
            database,
            policy,
            delays,
            cors,
            trusted_proxies,
            header_style,
            key_kind,
            errors.is_empty(),
        )
        else {
            return Err(SettingsError::Invalid(errors));
        };
        let mut config = Config::new(&self.data_dir)
            .allow_targets(policy)
            .retry_delays(delays);
        config.database = database;
        config.deliver = self.role != Role::Api;
        config.api = self.role != Role::Worker;
        config.admin_token = self.admin_token.clone();
        config.max_body_bytes = self.max_payload_bytes;
        config.migrate = !self.no_migrate;
        config.delivery.request_timeout = Duration::from_secs(self.request_timeout);
        config.delivery.connect_timeout = Duration::from_secs(self.connect_timeout);
        config.delivery.max_in_flight = self.max_in_flight as usize;
        config.delivery.lanes.concurrency = self.endpoint_concurrency;
        config.delivery.lanes.retry_after.max = Duration::from_secs(self.retry_after_max);
        config.delivery.lease_margin = Duration::from_secs(self.lease_margin);
        config.rate_limit = RateLimitConfig {
            per_second: self.rate_limit,
            burst: self.rate_limit_burst,
        };
        config.inbound.rate_limit = RateLimitConfig {
            per_second: self.inbound_rate_limit,
            burst: self.inbound_rate_limit_burst,
        };
        config.secrets_key = self.secrets_key.clone();
        config.header_style = header_style;
        config.key_kind = key_kind;
        config.maintenance.retention = days(self.retention_days);
        config.maintenance.task_retention = days(self.task_retention_days);
        config.maintenance.disable_after = days(self.auto_disable_days);
        config.inbound.trusted_proxies = trusted_proxies.allowed().to_vec();
        config.inbound.public_url = self.public_url.clone();
        config.docs_script_url = self.docs_script_url.clone();
        config.cors = cors;
        config.tls = tls;
        Ok(config)
    }

    /// The settings as a `hookline.toml`, with secrets replaced by `<redacted>`.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        if shown.admin_token.is_some() {
            shown.admin_token = Some("<redacted>".to_owned());
        }
        if shown.secrets_key.is_some() {
            shown.secrets_key = Some("<redacted>".to_owned());
        }
        shown.database_url = shown.database_url.as_deref().map(redact_url);
        toml::to_string(&shown).unwrap_or_else(|e| format!("# cannot render the settings: {e}\n"))
    }
}

/// A number of days as a duration.
pub fn days(days: u32) -> Duration {
    Duration::from_secs(u64::from(days) * 24 * 3600)
}

/// Parses `5,300,1800` into delays.
pub fn parse_schedule(raw: &str) -> Result<Vec<Duration>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<u64>()
                .map(Duration::from_secs)
                .map_err(|_| format!("'{s}' is not a whole number of seconds"))
        })
        .collect()
}

/// Whether `url` can go into the docs page's `<script src="...">` as it is.
fn docs_script_url_ok(url: &str) -> bool {
    let shaped = url.starts_with("https://")
        || url.starts_with("http://")
        || (url.starts_with('/') && !url.starts_with("//"));
    shaped
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>'))
}
