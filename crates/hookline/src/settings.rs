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
use hookline_delivery::TargetPolicy;
use serde::{Deserialize, Deserializer, Serialize};

use crate::config::Config;
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

/// Every setting of `hookline serve`, with its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address and port of the API (`HOOKLINE_LISTEN`).
    pub listen: SocketAddr,
    /// Directory of the database and the generated admin token (`HOOKLINE_DATA_DIR`).
    pub data_dir: PathBuf,
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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8071)),
            data_dir: PathBuf::from("./hookline-data"),
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
            .ok();
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
        let (Some(policy), Some(delays), Some(cors), true) =
            (policy, delays, cors, errors.is_empty())
        else {
            return Err(SettingsError::Invalid(errors));
        };
        let mut config = Config::new(&self.data_dir)
            .allow_targets(policy)
            .retry_delays(delays);
        config.admin_token = self.admin_token.clone();
        config.max_body_bytes = self.max_payload_bytes;
        config.migrate = !self.no_migrate;
        config.delivery.request_timeout = Duration::from_secs(self.request_timeout);
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
        toml::to_string(&shown).unwrap_or_else(|e| format!("# cannot render the settings: {e}\n"))
    }
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
