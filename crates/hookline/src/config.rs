//! The validated settings a server starts with.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hookline_api::inbound::InboundConfig;
use hookline_api::observability::CorsOrigins;
use hookline_api::rate_limit::RateLimitConfig;
use hookline_core::retry::RetrySchedule;
use hookline_delivery::keyring::{HeaderStyle, KeyKind};
use hookline_delivery::maintenance::MaintenanceConfig;
use hookline_delivery::{DeliveryConfig, TargetPolicy};

use crate::database::Database;
use crate::tls::TlsFiles;

/// Everything [`crate::server::start`] needs; build it from the CLI or directly in tests.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the SQLite database, the admin token and other state live.
    pub data_dir: PathBuf,
    /// SQLite in the data directory (the default), or a PostgreSQL database shared by nodes.
    pub database: Database,
    /// The admin token; when `None`, the one in the data directory is used or a new one made.
    pub admin_token: Option<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Apply pending migrations at start (otherwise refuse an out-of-date schema).
    pub migrate: bool,
    /// Delivery engine settings, including the outbound address policy.
    pub delivery: DeliveryConfig,
    /// The base64 key that encrypts secrets at rest; when `None`, the one in the data directory
    /// is used or a new one made.
    pub secrets_key: Option<String>,
    /// Header names used unless an endpoint chose (`webhook-*` by default).
    pub header_style: HeaderStyle,
    /// Kind of key generated for new endpoints (HMAC by default).
    pub key_kind: KeyKind,
    /// Auto-disable and retention settings.
    pub maintenance: MaintenanceConfig,
    /// Requests per second and burst allowed to each API key.
    pub rate_limit: RateLimitConfig,
    /// Receiving webhooks: trusted proxies and the public URL of ingest endpoints.
    pub inbound: InboundConfig,
    /// Browser origins allowed to call the API (CORS); none by default.
    pub cors: CorsOrigins,
    /// Where `/docs` loads its renderer from; `None`: the pinned CDN copy.
    pub docs_script_url: Option<String>,
    /// Run the delivery engine and housekeeping (default). Off, the node serves the API only and
    /// sends nothing; deliveries wait in the database for a node that runs the engine.
    pub deliver: bool,
    /// Serve the API (default). Off, the node answers only health, readiness and `/metrics`
    /// over HTTP (a worker).
    pub api: bool,
    /// How often nodes sharing a database look for environments created or deleted by another
    /// node (to deliver for new ones, and let go of deleted ones).
    pub environment_check: Duration,
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    pub tls: Option<TlsFiles>,
}

impl Config {
    /// Defaults for a data directory: 1 MiB bodies, migrations on, default delivery settings.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database: Database::Sqlite,
            admin_token: None,
            max_body_bytes: 1024 * 1024,
            migrate: true,
            delivery: DeliveryConfig::default(),
            secrets_key: None,
            header_style: HeaderStyle::default(),
            key_kind: KeyKind::default(),
            maintenance: MaintenanceConfig::default(),
            rate_limit: RateLimitConfig::default(),
            inbound: InboundConfig::default(),
            cors: CorsOrigins::None,
            docs_script_url: None,
            deliver: true,
            api: true,
            environment_check: crate::environments::REGISTRY_CHECK,
            tls: None,
        }
    }

    /// The same settings with outbound requests allowed to these CIDRs.
    pub fn allow_targets(mut self, policy: TargetPolicy) -> Self {
        self.delivery.policy = Arc::new(policy);
        self
    }

    /// The same settings with another retry schedule.
    pub fn retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.delivery.retry_schedule = RetrySchedule::from_delays(delays);
        self
    }

    /// The SQLite database file (used when [`Config::database`] is SQLite).
    pub fn database_path(&self) -> PathBuf {
        crate::database::sqlite_path(&self.data_dir)
    }
}
