//! Ingest sources on the wire (`IngestSourceIn`, `IngestSourceOut`, `IngestSourcePatch`,
//! `IngestLogOut`, `RotateTokenOut`), with Hookline's additions `allowedIps` and
//! `dedupeWindowSecs`.
//!
//! Secrets are write-only: `config.secret`, `config.password` and `config.token` are accepted on
//! input and never rendered; the rest of `config` (e.g. an HMAC scheme's header) is shown.

use std::fmt;
use std::net::IpAddr;

use hookline_core::model::Metadata;
use hookline_core::source::{InboundEvent, Source};
use hookline_core::{Timestamp, Uid};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::scheme;
use crate::error::ApiError;
use crate::wire::{Checks, Patch, nullable};

/// Config keys that hold secrets and are never rendered.
const SECRET_KEYS: &[&str] = &["secret", "password", "token"];
/// The longest dedupe window a source may ask for: 30 days.
pub const MAX_DEDUPE_WINDOW_SECS: u32 = 30 * 24 * 3600;

/// `IngestSourceIn`: create or replace a source.
// `Debug` leaves out `config` (secrets).
#[derive(Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "GitHub", "uid": "github", "type": "github",
    "config": {"secret": "my-github-webhook-secret"}, "allowedIps": ["192.30.252.0/22"]}))]
#[serde(rename_all = "camelCase")]
pub struct IngestSourceIn {
    /// Human-readable name (2 to 256 characters).
    #[schema(min_length = 2, max_length = 256, example = "GitHub")]
    pub name: String,
    /// Optional unique identifier usable in place of the id (not starting with `src_`).
    #[schema(value_type = Option<super::openapi::SourceUidSchema>)]
    pub uid: Option<String>,
    /// Labels.
    pub metadata: Option<Metadata>,
    /// The verification scheme: `svix`, `standard-webhooks` (and the Svix-signing providers),
    /// `github`, `stripe`, `slack`, `shopify`, `zoom`, `segment`, `docusign`, `meta`, `hmac`,
    /// `basic`, `bearer` or `generic-webhook`; any other is refused with 422 on `body.type`.
    #[serde(rename = "type")]
    #[schema(example = "github")]
    pub source_type: String,
    /// The scheme's settings, secrets included (`{"secret": ...}` for most types; see
    /// docs/inbound.md). Secrets are write-only. Any type may name `idHeader`, the header
    /// carrying the provider's delivery id.
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
    /// Hookline addition. Client networks allowed to post (CIDRs or addresses); all when
    /// absent or empty.
    #[schema(example = json!(["192.30.252.0/22"]))]
    pub allowed_ips: Option<Vec<String>>,
    /// Hookline addition. How long provider delivery ids are remembered, in seconds (default
    /// 259200, at most 2592000; 0 turns dedupe off).
    #[schema(maximum = 2592000, example = 259200)]
    pub dedupe_window_secs: Option<u32>,
}

/// The validated fields of an [`IngestSourceIn`]. `Debug` leaves out `config` (secrets).
#[derive(Clone)]
pub struct SourceFields {
    /// Name.
    pub name: String,
    /// Uid.
    pub uid: Option<Uid>,
    /// Labels.
    pub metadata: Metadata,
    /// Scheme name.
    pub source_type: String,
    /// Scheme settings, checked.
    pub config: Value,
    /// Allowed client networks.
    pub allowed_ips: Vec<IpNet>,
    /// Dedupe window.
    pub dedupe_window_secs: u32,
}

impl fmt::Debug for IngestSourceIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IngestSourceIn")
            .field("name", &self.name)
            .field("uid", &self.uid)
            .field("type", &self.source_type)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SourceFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFields")
            .field("name", &self.name)
            .field("uid", &self.uid)
            .field("type", &self.source_type)
            .finish_non_exhaustive()
    }
}

fn check_name(checks: &mut Checks, name: &str) {
    let len = name.chars().count();
    if !(2..=256).contains(&len) {
        checks.fail(&["body", "name"], "must be 2 to 256 characters long");
    }
}

/// A source uid: the contract's `^(?!src_)[a-zA-Z0-9_-]+$`, at most 60 characters.
pub(crate) fn parse_uid(raw: String) -> Result<Uid, String> {
    if raw.starts_with("src_") {
        return Err("must not start with `src_` (that prefix is for source ids)".into());
    }
    if raw.len() > 60 || raw.contains('.') {
        return Err("must be 1 to 60 letters, digits, `-` or `_`".into());
    }
    Uid::parse(raw).map_err(|e| e.to_string())
}

/// Parses CIDRs or plain addresses, refusing host bits set (`10.0.0.5/8`).
fn parse_networks(checks: &mut Checks, raw: Option<Vec<String>>) -> Vec<IpNet> {
    let mut networks = Vec::new();
    for (index, entry) in raw.unwrap_or_default().iter().enumerate() {
        let index = index.to_string();
        let parsed = entry
            .trim()
            .parse::<IpNet>()
            .or_else(|_| entry.trim().parse::<IpAddr>().map(IpNet::from));
        match parsed {
            Ok(net) if net.trunc() == net => networks.push(net),
            Ok(net) => checks.fail(
                &["body", "allowedIps", &index],
                format!("has host bits set; did you mean {}?", net.trunc()),
            ),
            Err(_) => checks.fail(
                &["body", "allowedIps", &index],
                "is not a CIDR (`203.0.113.0/24`) or an IP address",
            ),
        }
    }
    networks
}

fn check_window(checks: &mut Checks, window: Option<u32>) -> u32 {
    let window = window.unwrap_or(Source::DEFAULT_DEDUPE_WINDOW_SECS);
    if window > MAX_DEDUPE_WINDOW_SECS {
        checks.fail(
            &["body", "dedupeWindowSecs"],
            format!("must be at most {MAX_DEDUPE_WINDOW_SECS} seconds (30 days)"),
        );
    }
    window
}

impl IngestSourceIn {
    /// Validates every field, reporting all failures at once.
    pub fn validate(self) -> Result<SourceFields, ApiError> {
        let mut checks = Checks::default();
        check_name(&mut checks, &self.name);
        let uid = checks.take(&["body", "uid"], self.uid.map(parse_uid).transpose());
        let config = self.config.unwrap_or(Value::Null);
        if let Err(error) = scheme::check_config(&self.source_type, &config) {
            let loc: Vec<&str> = error.loc.iter().map(String::as_str).collect();
            checks.fail(&loc, error.msg);
        }
        let allowed_ips = parse_networks(&mut checks, self.allowed_ips);
        let dedupe_window_secs = check_window(&mut checks, self.dedupe_window_secs);
        checks.done()?;
        Ok(SourceFields {
            name: self.name,
            uid,
            metadata: self.metadata.unwrap_or_default(),
            source_type: self.source_type,
            config,
            allowed_ips,
            dedupe_window_secs,
        })
    }
}

/// `IngestSourcePatch`: change some fields (the scheme is changed with PUT).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "GitHub (production)", "allowedIps": ["192.30.252.0/22"]}))]
#[serde(rename_all = "camelCase")]
pub struct IngestSourcePatch {
    /// New name (2 to 256 characters).
    #[schema(min_length = 2, max_length = 256)]
    pub name: Option<String>,
    /// New uid, or `null` to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<super::openapi::SourceUidSchema>)]
    pub uid: Patch<String>,
    /// New labels.
    pub metadata: Option<Metadata>,
    /// Hookline addition. New allowed networks (empty allows everyone).
    pub allowed_ips: Option<Vec<String>>,
    /// Hookline addition. New dedupe window in seconds (at most 2592000).
    #[schema(maximum = 2592000)]
    pub dedupe_window_secs: Option<u32>,
}

impl IngestSourcePatch {
    /// Applies the given fields to `source`, or fails with every bad field.
    pub fn apply(self, source: &mut Source, now: Timestamp) -> Result<(), ApiError> {
        let mut checks = Checks::default();
        if let Some(name) = &self.name {
            check_name(&mut checks, name);
        }
        let uid = match self.uid {
            Some(Some(raw)) => checks.check(&["body", "uid"], parse_uid(raw)).map(Some),
            Some(None) => Some(None),
            None => None,
        };
        let allowed_ips = self
            .allowed_ips
            .map(|raw| parse_networks(&mut checks, Some(raw)));
        let window = self
            .dedupe_window_secs
            .map(|w| check_window(&mut checks, Some(w)));
        checks.done()?;
        if let Some(name) = self.name {
            source.name = name;
        }
        if let Some(uid) = uid {
            source.uid = uid;
        }
        if let Some(metadata) = self.metadata {
            source.metadata = metadata;
        }
        if let Some(allowed_ips) = allowed_ips {
            source.allowed_ips = allowed_ips;
        }
        if let Some(window) = window {
            source.dedupe_window_secs = window;
        }
        source.updated_at = now;
        Ok(())
    }
}

/// `IngestSourceOut`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "src_2yZwUhtgs5Ai8T9yRQJXA", "uid": "github", "name": "GitHub",
    "ingestUrl": "https://hooks.example.com/in/Xa9kQ2mB7pLr4TnW8vYc3HdJ6sFg1ZeU", "type": "github",
    "config": {}, "allowedIps": ["192.30.252.0/22"], "dedupeWindowSecs": 259200, "metadata": {},
    "createdAt": "2026-01-01T12:00:00Z", "updatedAt": "2026-01-01T12:00:00Z"}))]
#[serde(rename_all = "camelCase")]
pub struct IngestSourceOut {
    /// `src_...`.
    #[schema(example = "src_2yZwUhtgs5Ai8T9yRQJXA")]
    pub id: String,
    /// Uid.
    pub uid: Option<String>,
    /// Name.
    pub name: String,
    /// Where the provider must post.
    #[schema(format = "uri")]
    pub ingest_url: String,
    /// Scheme name.
    #[serde(rename = "type")]
    pub source_type: String,
    /// The scheme's settings without secrets (`{}` for the provider types).
    #[schema(value_type = Object)]
    pub config: Value,
    /// Allowed client networks.
    pub allowed_ips: Vec<String>,
    /// Dedupe window in seconds.
    pub dedupe_window_secs: u32,
    /// Labels.
    pub metadata: Metadata,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// The config without its secret-bearing keys.
fn public_config(config: &Value) -> Value {
    match config {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !SECRET_KEYS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        _ => Value::Object(Default::default()),
    }
}

impl IngestSourceOut {
    /// Renders `source`, whose ingest URL starts with `base` (see [`ingest_url`]).
    pub fn render(source: Source, base: &str) -> Self {
        Self {
            ingest_url: ingest_url(base, &source),
            config: public_config(&source.config),
            id: source.id.to_string(),
            uid: source.uid.map(|u| u.to_string()),
            name: source.name,
            source_type: source.source_type,
            allowed_ips: source.allowed_ips.iter().map(ToString::to_string).collect(),
            dedupe_window_secs: source.dedupe_window_secs,
            metadata: source.metadata,
            created_at: source.created_at.to_rfc3339(),
            updated_at: source.updated_at.to_rfc3339(),
        }
    }
}

/// The URL providers post to: `{base}/{ingest token}`, where `base` is where the source's
/// environment receives (`https://hooks.example.com/in`, or `.../in/env_...` for an
/// environment other than the default one).
pub fn ingest_url(base: &str, source: &Source) -> String {
    format!("{}/{}", base.trim_end_matches('/'), source.ingest_token)
}

/// `RotateTokenOut`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RotateTokenOut {
    /// The new ingest URL; the old one stops working.
    pub ingest_url: String,
}

/// `IngestLogOut`: one accepted inbound request (snake_case, as in the contract).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IngestLogOut {
    /// The event's id, which is also the id of the message forwarded to the endpoints.
    pub id: String,
    /// The source.
    pub source_id: String,
    /// What Hookline answered (accepted events are always 200).
    pub status_code: u16,
    /// Empty for accepted events.
    pub error_text: String,
    /// The stored request headers.
    pub headers: Metadata,
    /// The body as text (invalid UTF-8 replaced; fetch `.../body` for the exact bytes).
    pub payload: String,
    /// The request's content type.
    pub content_type: Option<String>,
    /// The provider's delivery id used for dedupe, if any.
    pub dedupe_key: Option<String>,
    /// When it was accepted.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Same as `created_at`: events do not change.
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<InboundEvent> for IngestLogOut {
    fn from(event: InboundEvent) -> Self {
        let at = event.received_at.to_rfc3339();
        Self {
            id: event.id.to_string(),
            source_id: event.source_id.to_string(),
            status_code: 200,
            error_text: String::new(),
            headers: event.headers.into_iter().collect(),
            payload: String::from_utf8_lossy(&event.body).into_owned(),
            content_type: event.content_type,
            dedupe_key: event.dedupe_key,
            created_at: at.clone(),
            updated_at: at,
        }
    }
}
