//! Typed errors. Every variant has a stable `code()` so the HTTP layer can answer with a
//! machine-readable reason and metrics can count refusals by cause.
//!
//! Key errors deliberately keep no `source`: the underlying decoder errors quote the
//! offending byte and its offset, which would put a piece of a secret into logs.

use thiserror::Error;

/// Why an inbound request was refused.
///
/// Messages name the header at fault but never echo a secret or a computed signature.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A header the scheme needs is absent or empty. Carries the header name.
    #[error("missing required header `{0}`")]
    MissingHeader(String),
    /// The timestamp is not a whole number of seconds since the unix epoch.
    #[error("`{header}` is not a unix timestamp in whole seconds")]
    InvalidTimestamp {
        /// The header that carried the timestamp.
        header: String,
    },
    /// The timestamp is further from `now` than the tolerance allows, in either direction;
    /// this is what refuses replays of old, validly signed requests.
    #[error(
        "timestamp {timestamp} is more than {tolerance_secs} s away from the current time {now}"
    )]
    TimestampOutOfTolerance {
        /// The timestamp the request carried.
        timestamp: i64,
        /// The verifier's clock, in unix seconds.
        now: i64,
        /// The largest accepted distance between the two, in seconds.
        tolerance_secs: u64,
    },
    /// The signature header has none of the shape the scheme defines.
    #[error("`{header}` is not in the format this signature scheme defines")]
    MalformedSignatureHeader {
        /// The header that could not be read.
        header: String,
    },
    /// The signature header is readable but no signature in it matches this request.
    #[error("no signature in the request matches its body and the configured secret")]
    NoMatchingSignature,
    /// The `Authorization` header does not carry the configured token or credentials.
    #[error("the credentials in `authorization` are not the configured ones")]
    BadCredentials,
}

impl VerifyError {
    /// A stable snake_case code for this refusal, safe to return to clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader(_) => "missing_header",
            Self::InvalidTimestamp { .. } => "invalid_timestamp",
            Self::TimestampOutOfTolerance { .. } => "stale_timestamp",
            Self::MalformedSignatureHeader { .. } => "malformed_signature_header",
            Self::NoMatchingSignature => "bad_signature",
            Self::BadCredentials => "bad_credentials",
        }
    }

    pub(crate) fn missing(header: &str) -> Self {
        Self::MissingHeader(header.to_owned())
    }

    pub(crate) fn malformed(header: &str) -> Self {
        Self::MalformedSignatureHeader {
            header: header.to_owned(),
        }
    }
}

/// Why a secret or key could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text carries the prefix of another kind of key, e.g. a `whpk_` public key where
    /// a `whsec_` secret was expected.
    #[error("expected a {expected} key but got a {found} key")]
    WrongKind {
        /// The prefix(es) accepted here.
        expected: &'static str,
        /// The prefix found.
        found: &'static str,
    },
    /// An ed25519 key lacks its `whsk_`/`whpk_` prefix; without it a 32-byte secret seed
    /// and a public key look the same.
    #[error("key must start with `{expected}`")]
    MissingPrefix {
        /// The required prefix.
        expected: &'static str,
    },
    /// The text after the prefix is not standard base64.
    #[error("key is not valid base64")]
    InvalidBase64,
    /// A symmetric secret decodes to fewer bytes than Standard Webhooks allows.
    #[error("secret decodes to {len} bytes; at least {min} are required")]
    TooShort {
        /// Decoded length.
        len: usize,
        /// Smallest accepted length.
        min: usize,
    },
    /// A symmetric secret decodes to more bytes than Standard Webhooks allows.
    #[error("secret decodes to {len} bytes; at most {max} are allowed")]
    TooLong {
        /// Decoded length.
        len: usize,
        /// Largest accepted length.
        max: usize,
    },
    /// An ed25519 key decodes to a length that is neither of the accepted ones.
    #[error("ed25519 {kind} key decodes to {len} bytes; expected {expected}")]
    InvalidLength {
        /// `secret` or `public`.
        kind: &'static str,
        /// Decoded length.
        len: usize,
        /// The accepted lengths, in words.
        expected: &'static str,
    },
    /// The bytes are not a point on the ed25519 curve.
    #[error("bytes are not a valid ed25519 public key")]
    InvalidPublicKey,
    /// A 64-byte `whsk_` keypair whose public half does not belong to its seed.
    #[error("the public half of the ed25519 keypair does not match its secret half")]
    KeypairMismatch,
    /// A provider secret is empty, which would let anyone compute valid signatures.
    #[error("secret is empty")]
    Empty,
}

impl KeyError {
    /// A stable snake_case code for this error, safe to return to clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongKind { .. } => "wrong_key_kind",
            Self::MissingPrefix { .. } => "missing_key_prefix",
            Self::InvalidBase64 => "invalid_base64",
            Self::TooShort { .. } => "secret_too_short",
            Self::TooLong { .. } => "secret_too_long",
            Self::InvalidLength { .. } => "invalid_key_length",
            Self::InvalidPublicKey => "invalid_public_key",
            Self::KeypairMismatch => "keypair_mismatch",
            Self::Empty => "empty_secret",
        }
    }
}

/// Why a generic HMAC configuration was rejected.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HmacConfigError {
    /// A header name is empty or contains characters HTTP does not allow in names.
    #[error("`{field}` is not a valid HTTP header name: {name:?}")]
    InvalidHeaderName {
        /// Which setting holds the name.
        field: &'static str,
        /// The rejected name.
        name: String,
    },
    /// The algorithm is not one of `sha1`, `sha256`, `sha512`.
    #[error("unknown HMAC algorithm {0:?}; use sha1, sha256 or sha512")]
    UnknownAlgorithm(String),
    /// The encoding is not one of `hex`, `base64`.
    #[error("unknown signature encoding {0:?}; use hex or base64")]
    UnknownEncoding(String),
    /// The template names a placeholder other than `{body}`, `{timestamp}`, `{id}`.
    #[error("unknown placeholder `{{{0}}}` in template; use {{body}}, {{timestamp}} or {{id}}")]
    UnknownPlaceholder(String),
    /// A `{` without its closing `}` (write `{{` for a literal brace).
    #[error("unclosed `{{` in template (write `{{{{` for a literal brace)")]
    UnclosedPlaceholder,
    /// A `}` that closes nothing (write `}}` for a literal brace).
    #[error("unmatched `}}` in template (write `}}}}` for a literal brace)")]
    UnmatchedBrace,
    /// The template does not include `{body}`, so the body would not be authenticated.
    #[error("template must include {{body}}, otherwise the body is not signed")]
    TemplateWithoutBody,
    /// The template uses `{timestamp}` but no timestamp header is configured.
    #[error("template uses {{timestamp}} but no timestamp header is configured")]
    TimestampWithoutHeader,
    /// The template uses `{id}` but no id header is configured.
    #[error("template uses {{id}} but no id header is configured")]
    IdWithoutHeader,
}

impl HmacConfigError {
    /// A stable snake_case code for this error, safe to return to clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidHeaderName { .. } => "invalid_header_name",
            Self::UnknownAlgorithm(_) => "unknown_algorithm",
            Self::UnknownEncoding(_) => "unknown_encoding",
            Self::UnknownPlaceholder(_) => "unknown_placeholder",
            Self::UnclosedPlaceholder => "unclosed_placeholder",
            Self::UnmatchedBrace => "unmatched_brace",
            Self::TemplateWithoutBody => "template_without_body",
            Self::TimestampWithoutHeader => "timestamp_without_header",
            Self::IdWithoutHeader => "id_without_header",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_ones() {
        assert_eq!(VerifyError::missing("x").code(), "missing_header");
        assert_eq!(VerifyError::NoMatchingSignature.code(), "bad_signature");
        let stale = VerifyError::TimestampOutOfTolerance {
            timestamp: 1,
            now: 1000,
            tolerance_secs: 300,
        };
        assert_eq!(stale.code(), "stale_timestamp");
        assert_eq!(
            VerifyError::malformed("x").code(),
            "malformed_signature_header"
        );
    }

    #[test]
    fn messages_name_the_header() {
        let msg = VerifyError::missing("webhook-id").to_string();
        assert!(msg.contains("webhook-id"), "{msg}");
        let msg = HmacConfigError::UnknownPlaceholder("foo".into()).to_string();
        assert!(msg.contains("{foo}"), "{msg}");
    }
}
