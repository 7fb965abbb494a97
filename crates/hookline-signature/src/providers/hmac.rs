//! Generic HMAC: for senders with no named scheme here. The operator describes the sender's
//! header, algorithm, encoding, prefix and signed content; [`GenericHmac`] checks it once.
//!
//! The key is the shared secret's bytes as given (not base64-decoded), like most senders.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::template::{SignedContentTemplate, TemplateValues};
use crate::crypto::{ct_eq, decode_base64, encode_base64, hmac};
use crate::timestamp::{check_tolerance, parse_unix_secs};
use crate::{
    DEFAULT_TOLERANCE_SECS, HmacAlgorithm, HmacConfigError, InboundRequest, SharedSecret,
    VerifyError,
};

/// How the signature bytes are written in the header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureEncoding {
    /// Hexadecimal, either case accepted.
    #[default]
    Hex,
    /// Standard base64, padding optional.
    Base64,
}

impl SignatureEncoding {
    /// The lowercase name used in configuration: `hex` or `base64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hex => "hex",
            Self::Base64 => "base64",
        }
    }

    fn decode(self, text: &str) -> Option<Vec<u8>> {
        match self {
            Self::Hex => hex::decode(text).ok(),
            Self::Base64 => decode_base64(text),
        }
    }

    fn encode(self, bytes: &[u8]) -> String {
        match self {
            Self::Hex => hex::encode(bytes),
            Self::Base64 => encode_base64(bytes),
        }
    }
}

impl fmt::Display for SignatureEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignatureEncoding {
    type Err = HmacConfigError;

    /// Parses `hex` or `base64`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Hex, Self::Base64]
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| HmacConfigError::UnknownEncoding(s.to_owned()))
    }
}

/// The operator's description of a sender's HMAC scheme, as stored and as submitted.
/// Turn it into a [`GenericHmac`] to use it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HmacConfig {
    /// The header carrying the signature, e.g. `X-Signature`.
    pub header: String,
    /// The hash function; SHA-256 unless told.
    #[serde(default)]
    pub algorithm: HmacAlgorithm,
    /// How the signature is written; hex unless told.
    #[serde(default)]
    pub encoding: SignatureEncoding,
    /// Text before the encoded signature, e.g. `sha256=` (matched ignoring ASCII case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// What is signed: `{body}` unless told; may add `{timestamp}`, `{id}` and literals.
    #[serde(default = "default_template")]
    pub template: String,
    /// The header carrying a unix-seconds timestamp; when set it must be present and
    /// within `tolerance_secs` of now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_header: Option<String>,
    /// Largest accepted clock distance when a timestamp header is set (default 300 s).
    #[serde(default = "default_tolerance")]
    pub tolerance_secs: u64,
    /// The header carrying the sender's delivery id (used for `{id}` and for dedupe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_header: Option<String>,
}

fn default_template() -> String {
    "{body}".to_owned()
}

fn default_tolerance() -> u64 {
    DEFAULT_TOLERANCE_SECS
}

impl HmacConfig {
    /// Hex HMAC-SHA256 of the body in `header`, no prefix, no timestamp, no id.
    pub fn new(header: impl Into<String>) -> Self {
        Self {
            header: header.into(),
            algorithm: HmacAlgorithm::default(),
            encoding: SignatureEncoding::default(),
            prefix: None,
            template: default_template(),
            timestamp_header: None,
            tolerance_secs: DEFAULT_TOLERANCE_SECS,
            id_header: None,
        }
    }
}

/// A checked [`HmacConfig`]: header names are valid, the template parses, includes
/// `{body}`, and every placeholder it uses has its header configured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "HmacConfig", into = "HmacConfig")]
pub struct GenericHmac {
    config: HmacConfig,
    template: SignedContentTemplate,
}

fn check_header_name(field: &'static str, name: &str) -> Result<(), HmacConfigError> {
    http::HeaderName::from_bytes(name.as_bytes())
        .map(|_| ())
        .map_err(|_| HmacConfigError::InvalidHeaderName {
            field,
            name: name.to_owned(),
        })
}

impl GenericHmac {
    /// Checks `config`; see the type's promises.
    pub fn new(config: HmacConfig) -> Result<Self, HmacConfigError> {
        check_header_name("header", &config.header)?;
        if let Some(name) = &config.timestamp_header {
            check_header_name("timestampHeader", name)?;
        }
        if let Some(name) = &config.id_header {
            check_header_name("idHeader", name)?;
        }
        let template = SignedContentTemplate::parse(&config.template)?;
        if template.uses_timestamp() && config.timestamp_header.is_none() {
            return Err(HmacConfigError::TimestampWithoutHeader);
        }
        if template.uses_id() && config.id_header.is_none() {
            return Err(HmacConfigError::IdWithoutHeader);
        }
        Ok(Self { config, template })
    }

    /// The configuration this was built from.
    pub fn config(&self) -> &HmacConfig {
        &self.config
    }

    fn prefix(&self) -> &str {
        self.config.prefix.as_deref().unwrap_or("")
    }

    /// The full signature header value (prefix included) for these values; what a sender
    /// following this configuration would send.
    pub fn sign(&self, secret: &SharedSecret, values: &TemplateValues<'_>) -> String {
        let mac = hmac(
            self.config.algorithm,
            secret.as_bytes(),
            &self.template.parts(values),
        );
        format!("{}{}", self.prefix(), self.config.encoding.encode(&mac))
    }

    /// Accepts when the signature header carries the prefix and the encoded HMAC of the
    /// expanded template, and (if configured) the timestamp is within tolerance.
    pub fn verify(
        &self,
        secret: &SharedSecret,
        req: &InboundRequest<'_>,
    ) -> Result<(), VerifyError> {
        let header = self.config.header.as_str();
        let value = req.require(header)?;
        let mut values = TemplateValues {
            body: req.body(),
            ..TemplateValues::default()
        };
        if let Some(name) = &self.config.timestamp_header {
            values.timestamp = req.require(name)?;
            let timestamp = parse_unix_secs(name, values.timestamp)?;
            check_tolerance(timestamp, req.now_secs(), self.config.tolerance_secs)?;
        }
        if let (Some(name), true) = (&self.config.id_header, self.template.uses_id()) {
            values.id = req.require(name)?;
        }

        let prefix = self.prefix();
        let encoded = value
            .get(..prefix.len())
            .filter(|head| head.eq_ignore_ascii_case(prefix))
            .and_then(|_| value.get(prefix.len()..))
            .ok_or_else(|| VerifyError::malformed(header))?;
        let signature = self
            .config
            .encoding
            .decode(encoded.trim())
            .ok_or_else(|| VerifyError::malformed(header))?;
        let expected = hmac(
            self.config.algorithm,
            secret.as_bytes(),
            &self.template.parts(&values),
        );
        if ct_eq(&signature, &expected) {
            Ok(())
        } else {
            Err(VerifyError::NoMatchingSignature)
        }
    }

    /// The value of the configured id header, if any.
    pub fn delivery_id(&self, req: &InboundRequest<'_>) -> Option<String> {
        req.header_id(self.config.id_header.as_deref()?)
    }
}

impl TryFrom<HmacConfig> for GenericHmac {
    type Error = HmacConfigError;

    fn try_from(config: HmacConfig) -> Result<Self, Self::Error> {
        Self::new(config)
    }
}

impl From<GenericHmac> for HmacConfig {
    fn from(scheme: GenericHmac) -> Self {
        scheme.config
    }
}

#[cfg(test)]
#[path = "hmac_tests.rs"]
mod tests;
