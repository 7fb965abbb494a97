//! Endpoint secrets and signing settings on the wire.

use std::time::Duration;

use hookline_delivery::keyring::{HeaderStyle, MAX_GRACE};
use hookline_signature::SigningKey;
use serde::{Deserialize, Serialize};

use super::{Checks, Patch, nullable};
use crate::error::ApiError;
#[allow(unused_imports)]
use serde_json::json;

/// `EndpointSecretOut`: the secret a receiver verifies with (`whsec_...`), or for an ed25519
/// endpoint its public key (`whpk_...`); the `whsk_` private key is never shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"key": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"}))]
pub struct EndpointSecretOut {
    /// The verification key.
    pub key: String,
}

impl EndpointSecretOut {
    /// What a receiver needs to verify signatures made with `key`.
    pub fn for_key(key: &SigningKey) -> Self {
        Self {
            key: key.verifying_key().to_string(),
        }
    }
}

/// `EndpointSecretRotateIn`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"key": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "gracePeriodSeconds": 3600}))]
pub struct EndpointSecretRotateIn {
    /// The new key (`whsec_` + base64 of 24 to 64 bytes, or a `whsk_` ed25519 key); generated
    /// when absent.
    #[schema(example = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")]
    pub key: Option<String>,
    /// How long the old keys keep signing, 0 to 604800 seconds (default 86400).
    #[schema(minimum = 0, maximum = 604800, default = 86400)]
    pub grace_period_seconds: Option<i64>,
}

/// The kind of an endpoint's signing key, for the document.
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = EndpointKeyType)]
#[allow(dead_code)]
pub enum KeyTypeSchema {
    /// HMAC-SHA256 (`whsec_`, `v1` signatures).
    #[schema(rename = "hmac")]
    Hmac,
    /// Ed25519 (`whpk_`, `v1a` signatures).
    #[schema(rename = "ed25519")]
    Ed25519,
}

/// The header names a webhook's signature travels in, for the document.
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = HeaderStyle)]
#[allow(dead_code)]
pub enum HeaderStyleSchema {
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature` (Standard Webhooks).
    #[schema(rename = "webhook")]
    Webhook,
    /// `svix-id`, `svix-timestamp`, `svix-signature`.
    #[schema(rename = "svix")]
    Svix,
}

/// A validated rotation.
#[derive(Debug, Clone)]
pub struct Rotation {
    /// The new key, when one was supplied.
    pub key: Option<SigningKey>,
    /// How long older keys keep signing.
    pub grace: Option<Duration>,
}

/// Parses a user-supplied signing key, naming `field` when it is refused.
pub fn parse_key(checks: &mut Checks, field: &str, raw: Option<&str>) -> Option<SigningKey> {
    let raw = raw?;
    checks.check(&["body", field], SigningKey::parse(raw))
}

impl EndpointSecretRotateIn {
    /// Validates the key and the grace period, reporting both at once.
    pub fn validate(self) -> Result<Rotation, ApiError> {
        let mut checks = Checks::default();
        let key = parse_key(&mut checks, "key", self.key.as_deref());
        let grace = match self.grace_period_seconds {
            None => None,
            Some(secs) if (0..=MAX_GRACE.as_secs() as i64).contains(&secs) => {
                Some(Duration::from_secs(secs as u64))
            }
            Some(_) => {
                checks.fail(
                    &["body", "gracePeriodSeconds"],
                    format!("must be between 0 and {} seconds", MAX_GRACE.as_secs()),
                );
                None
            }
        };
        checks.done()?;
        Ok(Rotation { key, grace })
    }
}

/// How an endpoint's webhooks are signed (a Hookline extension).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"keyType": "hmac", "headerStyle": null, "effectiveHeaderStyle": "webhook", "activeKeys": 1}))]
pub struct EndpointSigningOut {
    /// `hmac` (`v1` signatures) or `ed25519` (`v1a`).
    #[schema(value_type = KeyTypeSchema)]
    pub key_type: &'static str,
    /// The header names the endpoint chose, or `null` for the server's default.
    #[schema(value_type = Option<HeaderStyleSchema>)]
    pub header_style: Option<HeaderStyle>,
    /// The header names actually used.
    #[schema(value_type = HeaderStyleSchema)]
    pub effective_header_style: HeaderStyle,
    /// How many keys sign right now (more than one during a rotation's grace period).
    pub active_keys: usize,
}

/// Changes how an endpoint's webhooks are signed.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"headerStyle": "svix"}))]
pub struct EndpointSigningIn {
    /// `webhook` or `svix`; `null` returns to the server's default.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<HeaderStyleSchema>)]
    pub header_style: Patch<String>,
}

impl EndpointSigningIn {
    /// The change to apply: `None` leaves the style alone, `Some(None)` resets it.
    pub fn validate(self) -> Result<Option<Option<HeaderStyle>>, ApiError> {
        match self.header_style {
            None => Ok(None),
            Some(None) => Ok(Some(None)),
            Some(Some(raw)) => HeaderStyle::parse(&raw)
                .map(|s| Some(Some(s)))
                .ok_or_else(|| {
                    ApiError::field(
                        &["body", "headerStyle"],
                        "must be 'webhook' or 'svix' (or null for the server's default)",
                    )
                }),
        }
    }
}
