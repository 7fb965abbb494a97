//! Commands, flags and their environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use hookline_api::rate_limit::RateLimitConfig;
use hookline_delivery::TargetPolicy;
use hookline_delivery::keyring::{HeaderStyle, KeyKind};

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
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate(DataArgs),
    /// Remove messages, payloads and attempts older than the retention period, then exit
    /// (a running server does the same every minute).
    Prune(PruneArgs),
}

/// Settings of `hookline prune`.
#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// Keep this many days of messages and attempts (0 removes everything not still waiting
    /// for delivery).
    #[arg(long, env = "HOOKLINE_RETENTION_DAYS", default_value_t = 90)]
    pub retention_days: u32,
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

    /// Deliver only to `https` URLs: plain `http` endpoints are refused at creation and at send.
    #[arg(long, env = "HOOKLINE_HTTPS_ONLY")]
    pub https_only: bool,

    /// Seconds allowed to connect to an endpoint (1 to 60).
    #[arg(long, env = "HOOKLINE_CONNECT_TIMEOUT", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub connect_timeout: u64,

    /// Delivery requests in flight at once across all endpoints.
    #[arg(long, env = "HOOKLINE_MAX_IN_FLIGHT", default_value_t = 512,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_in_flight: u64,

    /// Requests in flight at once to one endpoint (endpoints can set their own).
    #[arg(long, env = "HOOKLINE_ENDPOINT_CONCURRENCY", default_value_t = 16,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub endpoint_concurrency: u16,

    /// Longest pause, in seconds, an endpoint's `Retry-After` is honoured for.
    #[arg(long, env = "HOOKLINE_RETRY_AFTER_MAX", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub retry_after_max: u64,

    /// Seconds a claimed delivery's lease outlasts the request timeout; after a crash, work
    /// that was in flight is retried this long after its timeout would have ended.
    #[arg(long, env = "HOOKLINE_LEASE_MARGIN", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub lease_margin: u64,
    /// Requests per second each API key may make (token bucket refill rate); 0 turns limits off.
    #[arg(long, env = "HOOKLINE_RATE_LIMIT", default_value_t = RateLimitConfig::default().per_second)]
    pub rate_limit: u32,

    /// Requests each API key may make at once (token bucket size).
    #[arg(long, env = "HOOKLINE_RATE_LIMIT_BURST", default_value_t = RateLimitConfig::default().burst)]
    pub rate_limit_burst: u32,

    /// Refuse to start if the database needs migrating, instead of migrating it.
    #[arg(long, env = "HOOKLINE_NO_MIGRATE")]
    pub no_migrate: bool,

    /// Base64 of the 32-byte key that encrypts secrets at rest. When unset, one is generated
    /// on first start into `<data dir>/secrets.key`; losing it loses every endpoint secret.
    #[arg(long, env = "HOOKLINE_SECRETS_KEY", hide_env_values = true)]
    pub secrets_key: Option<String>,

    /// Header names of outgoing webhooks unless an endpoint chose: `webhook` (`webhook-id`, ...)
    /// or `svix` (`svix-id`, ...).
    #[arg(long, env = "HOOKLINE_HEADER_STYLE", default_value = "webhook")]
    pub header_style: String,

    /// Kind of signing key new endpoints get: `hmac` (`whsec_`, `v1`) or `ed25519`
    /// (`whsk_`/`whpk_`, `v1a`).
    #[arg(long, env = "HOOKLINE_SIGNING_KEY_TYPE", default_value = "hmac")]
    pub signing_key_type: String,

    /// Days after which messages' payloads, the messages and their attempts are removed.
    #[arg(long, env = "HOOKLINE_RETENTION_DAYS", default_value_t = 90,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub retention_days: u32,

    /// Days of deliveries exhausting their retries, with no success in between, after which an
    /// endpoint is disabled.
    #[arg(long, env = "HOOKLINE_AUTO_DISABLE_DAYS", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub auto_disable_days: u32,

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
            .map_err(|e| anyhow::anyhow!("HOOKLINE_ALLOWED_TARGETS: {e}"))?
            .with_https_only(self.https_only);
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
        anyhow::ensure!(
            self.rate_limit == 0 || self.rate_limit_burst >= 1,
            "HOOKLINE_RATE_LIMIT_BURST must be at least 1 when HOOKLINE_RATE_LIMIT is set"
        );
        config.rate_limit = RateLimitConfig {
            per_second: self.rate_limit,
            burst: self.rate_limit_burst,
        };
        config.delivery.request_timeout = Duration::from_secs(self.request_timeout);
        config.delivery.connect_timeout = Duration::from_secs(self.connect_timeout);
        config.delivery.max_in_flight = self.max_in_flight as usize;
        config.delivery.lanes.concurrency = self.endpoint_concurrency;
        config.delivery.lanes.retry_after.max = Duration::from_secs(self.retry_after_max);
        config.delivery.lease_margin = Duration::from_secs(self.lease_margin);
        config.secrets_key = self.secrets_key.clone();
        config.maintenance.retention = days(self.retention_days);
        config.maintenance.disable_after = days(self.auto_disable_days);
        config.header_style = HeaderStyle::parse(&self.header_style)
            .ok_or_else(|| anyhow::anyhow!("HOOKLINE_HEADER_STYLE must be 'webhook' or 'svix'"))?;
        config.key_kind = KeyKind::parse(&self.signing_key_type).ok_or_else(|| {
            anyhow::anyhow!("HOOKLINE_SIGNING_KEY_TYPE must be 'hmac' or 'ed25519'")
        })?;
        config.inbound.trusted_proxies = TargetPolicy::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("HOOKLINE_TRUSTED_PROXIES: {e}"))?
            .allowed()
            .to_vec();
        config.inbound.public_url = self.public_url.clone();
        Ok(config)
    }
}

/// A number of days as a duration.
pub fn days(days: u32) -> Duration {
    Duration::from_secs(u64::from(days) * 24 * 3600)
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
    fn rate_limit_flags_set_the_bucket_and_zero_turns_it_off() {
        let parse = |args: &[&str]| {
            let cli =
                Cli::try_parse_from(["hookline", "serve"].iter().chain(args)).expect("parses");
            let Command::Serve(args) = cli.command else {
                panic!("expected serve");
            };
            args.to_config()
        };
        let config = parse(&["--rate-limit", "5", "--rate-limit-burst", "10"]).expect("valid");
        assert_eq!(
            config.rate_limit,
            RateLimitConfig {
                per_second: 5,
                burst: 10
            }
        );
        let off = parse(&["--rate-limit", "0"]).expect("valid");
        assert_eq!(off.rate_limit.per_second, 0);
        let err = parse(&["--rate-limit", "5", "--rate-limit-burst", "0"]).expect_err("invalid");
        assert!(err.to_string().contains("HOOKLINE_RATE_LIMIT_BURST"));
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
        assert_eq!(config.maintenance.retention, days(90));
        assert_eq!(config.maintenance.disable_after, days(5));
        assert_eq!(config.header_style, HeaderStyle::Webhook);
        assert_eq!(config.key_kind, KeyKind::Hmac);
    }

    #[test]
    fn lifecycle_settings_parse_and_bad_values_are_named() {
        let parse = |extra: &[&str]| {
            let mut argv = vec!["hookline", "serve"];
            argv.extend_from_slice(extra);
            let Command::Serve(args) = Cli::try_parse_from(argv).expect("parses").command else {
                panic!("expected serve");
            };
            args.to_config()
        };
        let config =
            parse(&["--header-style", "svix", "--signing-key-type", "ed25519"]).expect("valid");
        assert_eq!(config.header_style, HeaderStyle::Svix);
        assert_eq!(config.key_kind, KeyKind::Ed25519);
        let err = parse(&["--header-style", "x-custom"]).expect_err("refused");
        assert!(err.to_string().contains("HOOKLINE_HEADER_STYLE"));
        let err = parse(&["--signing-key-type", "rsa"]).expect_err("refused");
        assert!(err.to_string().contains("HOOKLINE_SIGNING_KEY_TYPE"));
        assert!(Cli::try_parse_from(["hookline", "serve", "--retention-days", "0"]).is_err());
    }
}
