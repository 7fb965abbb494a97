//! The validated settings a server starts with.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hookline_api::observability::CorsOrigins;
use hookline_core::retry::RetrySchedule;
use hookline_delivery::{DeliveryConfig, TargetPolicy};

use crate::tls::TlsFiles;

/// Everything [`crate::server::start`] needs; build it from the CLI or directly in tests.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the database, the admin token and other state live.
    pub data_dir: PathBuf,
    /// The admin token; when `None`, the one in the data directory is used or a new one made.
    pub admin_token: Option<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Apply pending migrations at start (otherwise refuse an out-of-date schema).
    pub migrate: bool,
    /// Delivery engine settings, including the outbound address policy.
    pub delivery: DeliveryConfig,
    /// Browser origins allowed to call the API (CORS); none by default.
    pub cors: CorsOrigins,
    /// Run the delivery engine (default). Off, the node serves the API only and sends nothing;
    /// deliveries wait in the database for a node that runs the engine.
    pub deliver: bool,
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    pub tls: Option<TlsFiles>,
}

impl Config {
    /// Defaults for a data directory: 1 MiB bodies, migrations on, default delivery settings.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            admin_token: None,
            max_body_bytes: 1024 * 1024,
            migrate: true,
            delivery: DeliveryConfig::default(),
            cors: CorsOrigins::None,
            deliver: true,
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

    /// The SQLite database file.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("hookline.db")
    }
}
