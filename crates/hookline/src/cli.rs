//! Commands, flags and their environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use hookline_delivery::TargetPolicy;

use crate::config::Config;

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
    /// Run the API and the delivery engine (SQLite in the data directory; no setup needed).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DataArgs),
}

/// Log line format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Where Hookline keeps its state.
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// Directory holding the database (`hookline.db`) and the generated admin token.
    #[arg(long, env = "HOOKLINE_DATA_DIR", default_value = "./hookline-data")]
    pub data_dir: PathBuf,
}

/// Settings of `hookline serve`; each flag can also be set by its environment variable.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port the API listens on.
    #[arg(long, env = "HOOKLINE_LISTEN", default_value = "127.0.0.1:8071")]
    pub listen: SocketAddr,

    #[command(flatten)]
    pub data: DataArgs,

    /// Admin API key (at least 16 characters). When unset, one is generated on first start,
    /// printed once, and saved to `<data dir>/admin-token`.
    #[arg(long, env = "HOOKLINE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Comma-separated CIDRs that deliveries may reach even though they are private or loopback
    /// (e.g. `127.0.0.1/32,10.0.0.0/8`). Everything private is refused by default.
    #[arg(long, env = "HOOKLINE_ALLOWED_TARGETS", default_value = "")]
    pub allowed_targets: String,

    /// Largest request body accepted, in bytes; larger bodies get 413.
    #[arg(long, env = "HOOKLINE_MAX_PAYLOAD_BYTES", default_value_t = 1024 * 1024)]
    pub max_payload_bytes: usize,

    /// Seconds between delivery attempts after each failure, comma-separated.
    #[arg(
        long,
        env = "HOOKLINE_RETRY_SCHEDULE",
        default_value = "5,300,1800,7200,18000,36000,36000"
    )]
    pub retry_schedule: String,

    /// Seconds allowed for one delivery attempt (1 to 60).
    #[arg(long, env = "HOOKLINE_REQUEST_TIMEOUT", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub request_timeout: u64,

    /// Refuse to start if the database needs migrating, instead of migrating it.
    #[arg(long, env = "HOOKLINE_NO_MIGRATE")]
    pub no_migrate: bool,

    /// Log format.
    #[arg(long, env = "HOOKLINE_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Comma-separated CIDRs of proxies whose X-Forwarded-For is believed for source allowlists.
    #[arg(long, env = "HOOKLINE_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Public base URL providers reach Hookline at, used in sources' `ingestUrl`.
    #[arg(long, env = "HOOKLINE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl ServeArgs {
    /// Validates the settings into a [`Config`], naming the setting that is wrong.
    pub fn to_config(&self) -> anyhow::Result<Config> {
        let policy = TargetPolicy::parse(&self.allowed_targets)
            .map_err(|e| anyhow::anyhow!("HOOKLINE_ALLOWED_TARGETS: {e}"))?;
        let delays = parse_schedule(&self.retry_schedule)
            .map_err(|e| anyhow::anyhow!("HOOKLINE_RETRY_SCHEDULE: {e}"))?;
        anyhow::ensure!(
            self.max_payload_bytes >= 1024,
            "HOOKLINE_MAX_PAYLOAD_BYTES must be at least 1024"
        );
        let mut config = Config::new(&self.data.data_dir)
            .allow_targets(policy)
            .retry_delays(delays);
        config.admin_token = self.admin_token.clone();
        config.max_body_bytes = self.max_payload_bytes;
        config.migrate = !self.no_migrate;
        config.delivery.request_timeout = Duration::from_secs(self.request_timeout);
        config.inbound.trusted_proxies = TargetPolicy::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("HOOKLINE_TRUSTED_PROXIES: {e}"))?
            .allowed()
            .to_vec();
        config.inbound.public_url = self.public_url.clone();
        Ok(config)
    }
}

/// Parses `5,300,1800` into delays.
fn parse_schedule(raw: &str) -> Result<Vec<Duration>, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_parse_and_bad_entries_are_named() {
        assert_eq!(
            parse_schedule("5, 300").expect("valid"),
            vec![Duration::from_secs(5), Duration::from_secs(300)]
        );
        let err = parse_schedule("5,soon").expect_err("invalid");
        assert!(err.contains("'soon'"));
    }

    #[test]
    fn defaults_make_a_valid_config() {
        let cli = Cli::try_parse_from(["hookline", "serve"]).expect("parses");
        let Command::Serve(args) = cli.command else {
            panic!("expected serve");
        };
        let config = args.to_config().expect("valid");
        assert_eq!(config.max_body_bytes, 1024 * 1024);
        assert_eq!(config.delivery.retry_schedule.max_attempts(), 8);
    }
}
