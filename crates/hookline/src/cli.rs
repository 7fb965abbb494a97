//! Commands, flags and their environment variables.
//!
//! Flags and environment variables are the top layers of the configuration (see
//! [`crate::settings`]): a flag beats its variable, which beats the config file, which beats
//! the default. Flags have no defaults here, so an absent flag never hides the file's value.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::config::Config;
pub use crate::settings::LogFormat;
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
    /// Run the API and the delivery engine (SQLite in the data directory; no setup needed).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(MigrateArgs),
    /// Print the effective configuration (defaults < file < environment < flags) as TOML, with
    /// secrets redacted, after checking it.
    Config(ServeArgs),
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

/// Settings of `hookline migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// Configuration file [default: ./hookline.toml when it exists].
    #[arg(long, env = "HOOKLINE_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub data: DataArgs,
}

impl MigrateArgs {
    /// The settings, of which `migrate` uses the data directory.
    pub fn settings(&self) -> Result<Settings, SettingsError> {
        Settings::load(self.config.as_deref(), &self.data)
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
mod tests {
    use super::*;
    use crate::settings::parse_schedule;
    use std::time::Duration;

    fn serve_args(args: &[&str]) -> ServeArgs {
        let cli = Cli::try_parse_from(args).expect("parses");
        let Command::Serve(args) = cli.command else {
            panic!("expected serve");
        };
        args
    }

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
        let config = serve_args(&["hookline", "serve"])
            .to_config()
            .expect("valid");
        assert_eq!(config.max_body_bytes, 1024 * 1024);
        assert_eq!(config.delivery.retry_schedule.max_attempts(), 8);
    }
}
