//! Endpoints on the wire.

use std::collections::BTreeMap;

use hookline_core::exchange::SENSITIVE_HEADERS;
use hookline_core::model::{Endpoint, Metadata};
use hookline_core::{Channel, EndpointUrl, EventTypeName, Timestamp, Uid};
use hookline_signature::SigningKey;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Checks, Patch, nullable, parse_list};
use crate::error::ApiError;

/// Most channels an endpoint may filter on.
const MAX_CHANNELS: usize = 10;

use hookline_core::exchange::RESERVED_HEADERS;

/// `EndpointIn` (create) and `EndpointUpdate` (replace; `secret` and `headers` ignored there).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"url": "https://example.com/webhooks", "uid": "main",
    "description": "Production receiver", "eventTypes": ["invoice.paid"]}))]
#[serde(rename_all = "camelCase")]
pub struct EndpointIn {
    /// Where to deliver (`http` or `https`).
    #[schema(format = "uri", example = "https://example.com/webhooks")]
    pub url: String,
    /// Description.
    pub description: Option<String>,
    /// Messages per second.
    pub throttle_rate: Option<u16>,
    /// Older name of `throttleRate`.
    pub rate_limit: Option<u16>,
    /// Uid.
    #[schema(value_type = Option<crate::openapi::params::UidSchema>)]
    pub uid: Option<String>,
    /// Disabled endpoints receive nothing.
    pub disabled: Option<bool>,
    /// Event types to receive (all when absent); each must exist.
    #[schema(value_type = Option<Vec<crate::openapi::params::EventTypeNameSchema>>)]
    pub event_types: Option<Vec<String>>,
    /// Older name of `eventTypes`.
    #[schema(value_type = Option<Vec<crate::openapi::params::EventTypeNameSchema>>)]
    pub filter_types: Option<Vec<String>>,
    /// Channels to receive (all when absent), at most 10.
    #[schema(value_type = Option<Vec<crate::openapi::params::ChannelSchema>>, max_items = 10)]
    pub channels: Option<Vec<String>>,
    /// Signing secret (`whsec_` + base64 of 24 to 64 bytes, or a `whsk_` ed25519 key);
    /// generated when absent.
    #[schema(example = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")]
    pub secret: Option<String>,
    /// Labels.
    pub metadata: Option<Metadata>,
    /// Extra headers on every delivery.
    pub headers: Option<BTreeMap<String, String>>,
}

/// The validated, user-settable fields of an endpoint.
#[derive(Debug, Clone)]
pub struct EndpointFields {
    /// URL.
    pub url: EndpointUrl,
    /// Description.
    pub description: String,
    /// Throttle.
    pub throttle_rate: Option<u16>,
    /// Uid.
    pub uid: Option<Uid>,
    /// Disabled.
    pub disabled: bool,
    /// Event type filter.
    pub event_types: Option<Vec<EventTypeName>>,
    /// Channel filter.
    pub channels: Option<Vec<Channel>>,
    /// Signing key, when given.
    pub secret: Option<SigningKey>,
    /// Labels.
    pub metadata: Metadata,
    /// Headers, when given.
    pub headers: Option<BTreeMap<String, String>>,
}

/// Parses an endpoint URL, recording a failure at `body.url`.
pub fn check_url(checks: &mut Checks, raw: &str) -> Option<EndpointUrl> {
    match EndpointUrl::parse(raw) {
        Ok(url) => Some(url),
        Err(err) => {
            checks.fail(&["body", "url"], err.to_string());
            None
        }
    }
}

fn check_channels(checks: &mut Checks, raw: Option<Vec<String>>) -> Option<Vec<Channel>> {
    if raw.as_ref().is_some_and(|c| c.len() > MAX_CHANNELS) {
        checks.fail(
            &["body", "channels"],
            format!("must list at most {MAX_CHANNELS} channels"),
        );
    }
    parse_list(checks, "channels", raw, Channel::parse).filter(|c| !c.is_empty())
}

fn check_event_types(checks: &mut Checks, raw: Option<Vec<String>>) -> Option<Vec<EventTypeName>> {
    parse_list(checks, "eventTypes", raw, EventTypeName::parse).filter(|t| !t.is_empty())
}

/// Checks custom headers: valid names and values, none of Hookline's own.
pub fn check_headers(checks: &mut Checks, headers: &BTreeMap<String, String>) {
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            checks.fail(
                &["body", "headers", name],
                "is set by Hookline and cannot be overridden",
            );
        } else if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            checks.fail(&["body", "headers", name], "is not a valid header name");
        } else if axum::http::HeaderValue::from_str(value).is_err() {
            checks.fail(
                &["body", "headers", name],
                "has a value that is not a valid header value",
            );
        }
    }
}

impl EndpointIn {
    /// Validates every field, reporting all failures at once.
    pub fn validate(self) -> Result<EndpointFields, ApiError> {
        let mut checks = Checks::default();
        let url = check_url(&mut checks, &self.url);
        let uid = checks.take(&["body", "uid"], self.uid.map(Uid::parse).transpose());
        let event_types = check_event_types(&mut checks, self.event_types.or(self.filter_types));
        let channels = check_channels(&mut checks, self.channels);
        let secret = super::secret::parse_key(&mut checks, "secret", self.secret.as_deref());
        if let Some(headers) = &self.headers {
            check_headers(&mut checks, headers);
        }
        if self.throttle_rate == Some(0) {
            checks.fail(&["body", "throttleRate"], "must be at least 1");
        }
        checks.done()?;
        let Some(url) = url else {
            return Err(ApiError::field(&["body", "url"], "is required"));
        };
        Ok(EndpointFields {
            url,
            description: self.description.unwrap_or_default(),
            throttle_rate: self.throttle_rate.or(self.rate_limit),
            uid,
            disabled: self.disabled.unwrap_or(false),
            event_types,
            channels,
            secret,
            metadata: self.metadata.unwrap_or_default(),
            headers: self.headers,
        })
    }
}

/// `EndpointPatch`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"disabled": true}))]
#[serde(rename_all = "camelCase")]
pub struct EndpointPatch {
    /// New URL.
    pub url: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New throttle, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u16>)]
    pub throttle_rate: Patch<u16>,
    /// New uid, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<crate::openapi::params::UidSchema>)]
    pub uid: Patch<String>,
    /// Disable or enable.
    pub disabled: Option<bool>,
    /// New event type filter, or `null` for all.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<crate::openapi::params::EventTypeNameSchema>>)]
    pub event_types: Patch<Vec<String>>,
    /// New channel filter, or `null` for all.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<crate::openapi::params::ChannelSchema>>, max_items = 10)]
    pub channels: Patch<Vec<String>>,
    /// New labels.
    pub metadata: Option<Metadata>,
}

impl EndpointPatch {
    /// Validates and applies the patch; returns the event types that must exist.
    pub fn apply(self, ep: &mut Endpoint, now: Timestamp) -> Result<(), ApiError> {
        let mut checks = Checks::default();
        if let Some(raw) = self.url
            && let Some(url) = check_url(&mut checks, &raw)
        {
            ep.url = url;
        }
        if let Some(description) = self.description {
            ep.description = description;
        }
        if let Some(rate) = self.throttle_rate {
            ep.throttle_rate = rate;
        }
        if let Some(uid) = self.uid {
            ep.uid = checks.take(&["body", "uid"], uid.map(Uid::parse).transpose());
        }
        if let Some(disabled) = self.disabled {
            ep.disabled = disabled;
        }
        if let Some(types) = self.event_types {
            ep.event_types = check_event_types(&mut checks, types);
        }
        if let Some(channels) = self.channels {
            ep.channels = check_channels(&mut checks, channels);
        }
        if let Some(metadata) = self.metadata {
            ep.metadata = metadata;
        }
        checks.done()?;
        ep.updated_at = now;
        Ok(())
    }
}

/// `EndpointOut`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "ep_2yZwUhtgs5Ai8T9yRQJXA", "url": "https://example.com/webhooks",
    "description": "Production receiver", "throttleRate": null, "rateLimit": null, "uid": "main",
    "disabled": false, "eventTypes": ["invoice.paid"], "filterTypes": ["invoice.paid"],
    "channels": null, "metadata": {}, "version": 1,
    "createdAt": "2026-01-01T12:00:00Z", "updatedAt": "2026-01-01T12:00:00Z"}))]
#[serde(rename_all = "camelCase")]
pub struct EndpointOut {
    /// Id (`ep_...`).
    pub id: String,
    /// URL.
    pub url: String,
    /// Description.
    pub description: String,
    /// Throttle.
    pub throttle_rate: Option<u16>,
    /// Older name of `throttleRate`.
    pub rate_limit: Option<u16>,
    /// Uid.
    pub uid: Option<String>,
    /// Disabled.
    pub disabled: bool,
    /// Event type filter.
    pub event_types: Option<Vec<String>>,
    /// Older name of `eventTypes`.
    pub filter_types: Option<Vec<String>>,
    /// Channel filter.
    pub channels: Option<Vec<String>>,
    /// Labels.
    pub metadata: Metadata,
    /// Always 1 (kept for older SDKs).
    pub version: u8,
    /// Creation time.
    #[schema(value_type = String, format = DateTime, example = "2026-01-01T12:00:00Z")]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime, example = "2026-01-01T12:00:00Z")]
    pub updated_at: Timestamp,
}

fn strings<T: ToString>(list: Option<Vec<T>>) -> Option<Vec<String>> {
    list.map(|v| v.iter().map(T::to_string).collect())
}

impl From<Endpoint> for EndpointOut {
    fn from(ep: Endpoint) -> Self {
        let event_types = strings(ep.event_types);
        Self {
            id: ep.id.to_string(),
            url: ep.url.to_string(),
            description: ep.description,
            throttle_rate: ep.throttle_rate,
            rate_limit: ep.throttle_rate,
            uid: ep.uid.map(|u| u.to_string()),
            disabled: ep.disabled,
            filter_types: event_types.clone(),
            event_types,
            channels: strings(ep.channels),
            metadata: ep.metadata,
            version: 1,
            created_at: ep.created_at,
            updated_at: ep.updated_at,
        }
    }
}

/// `EndpointHeadersIn` / `EndpointHeadersPatchIn`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"headers": {"X-Example": "123", "X-Old": null}}))]
pub struct EndpointHeadersIn {
    /// Header values; in a PATCH, `null` removes a header.
    pub headers: BTreeMap<String, Option<String>>,
}

/// `EndpointHeadersOut`: sensitive headers are listed by name only.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"headers": {"X-Example": "123"}, "sensitive": ["Authorization"]}))]
pub struct EndpointHeadersOut {
    /// Non-sensitive headers and their values.
    pub headers: BTreeMap<String, String>,
    /// Names of headers whose values are withheld.
    pub sensitive: Vec<String>,
}

impl From<&BTreeMap<String, String>> for EndpointHeadersOut {
    fn from(all: &BTreeMap<String, String>) -> Self {
        let mut headers = BTreeMap::new();
        let mut sensitive = Vec::new();
        for (name, value) in all {
            if SENSITIVE_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                sensitive.push(name.clone());
            } else {
                headers.insert(name.clone(), value.clone());
            }
        }
        Self { headers, sensitive }
    }
}
