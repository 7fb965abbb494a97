//! Standard Webhooks 1.0: the format Hookline signs outgoing webhooks with, and the
//! `standard-webhooks`/`svix` inbound scheme.
//!
//! The signed content is `{webhook-id}.{webhook-timestamp}.{body}`. A `v1` signature is
//! base64 HMAC-SHA256 of it under a [`SigningSecret`]; a `v1a` signature is base64 ed25519
//! of it under an [`Ed25519SecretKey`]. The `webhook-signature` header is a space-separated
//! list of `<version>,<base64>` entries, so that every still-valid secret can sign during a
//! rotation and the receiver accepts the request if any one entry verifies.

use crate::crypto::{ct_eq, decode_base64, encode_base64, hmac_sha256};
use crate::timestamp::{check_tolerance, parse_unix_secs};
use crate::{Ed25519PublicKey, Ed25519SecretKey, SigningSecret, VerifyError};

/// Version tag of HMAC-SHA256 signatures.
pub const VERSION_HMAC: &str = "v1";
/// Version tag of ed25519 signatures.
pub const VERSION_ED25519: &str = "v1a";

/// The names of the three Standard Webhooks headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderNames {
    /// Carries the message id, identical across retries (the receiver's dedupe key).
    pub id: &'static str,
    /// Carries the unix timestamp, in seconds, of this attempt.
    pub timestamp: &'static str,
    /// Carries the space-separated signatures.
    pub signature: &'static str,
}

impl HeaderNames {
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature`: the spec's names.
    pub const STANDARD: Self = Self {
        id: "webhook-id",
        timestamp: "webhook-timestamp",
        signature: "webhook-signature",
    };
    /// `svix-id`, `svix-timestamp`, `svix-signature`: same content, for receivers using
    /// Svix libraries.
    pub const SVIX: Self = Self {
        id: "svix-id",
        timestamp: "svix-timestamp",
        signature: "svix-signature",
    };
}

/// The three header values of a received Standard Webhooks request, as received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookHeaders<'a> {
    /// The `webhook-id` value.
    pub id: &'a str,
    /// The `webhook-timestamp` value (unix seconds as digits).
    pub timestamp: &'a str,
    /// The `webhook-signature` value (space-separated `<version>,<base64>` entries).
    pub signature: &'a str,
}

/// The bytes that are signed: `{msg_id}.{timestamp_secs}.{body}`, body copied byte-exact.
pub fn signed_content(msg_id: &str, timestamp_secs: i64, body: &[u8]) -> Vec<u8> {
    [
        msg_id.as_bytes(),
        b".",
        timestamp_secs.to_string().as_bytes(),
        b".",
        body,
    ]
    .concat()
}

/// The `v1,<base64 HMAC-SHA256>` signature of a message.
pub fn sign(secret: &SigningSecret, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    let timestamp = timestamp_secs.to_string();
    let parts: [&[u8]; 5] = [msg_id.as_bytes(), b".", timestamp.as_bytes(), b".", body];
    let mac = hmac_sha256(secret.as_bytes(), &parts);
    format!("{VERSION_HMAC},{}", encode_base64(&mac))
}

/// The `v1a,<base64 ed25519>` signature of a message.
pub fn sign_ed25519(
    key: &Ed25519SecretKey,
    msg_id: &str,
    timestamp_secs: i64,
    body: &[u8],
) -> String {
    let signature = key.sign_raw(&signed_content(msg_id, timestamp_secs, body));
    format!("{VERSION_ED25519},{}", encode_base64(&signature))
}

/// Anything that can produce one entry of a `webhook-signature` header.
pub trait Sign {
    /// One `<version>,<base64>` signature entry for this message.
    fn sign(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String;
}

impl<T: Sign + ?Sized> Sign for &T {
    fn sign(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
        (**self).sign(msg_id, timestamp_secs, body)
    }
}

impl Sign for SigningSecret {
    fn sign(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
        sign(self, msg_id, timestamp_secs, body)
    }
}

impl Sign for Ed25519SecretKey {
    fn sign(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
        sign_ed25519(self, msg_id, timestamp_secs, body)
    }
}

/// The `webhook-signature` value: one entry per key, in order, separated by one space.
///
/// Pass every still-valid key during a rotation; receivers holding any one of them accept.
pub fn signature_header<K: Sign>(
    keys: &[K],
    msg_id: &str,
    timestamp_secs: i64,
    body: &[u8],
) -> String {
    keys.iter()
        .map(|key| key.sign(msg_id, timestamp_secs, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Verifies a request against a symmetric secret.
///
/// Accepts when the headers are present, the timestamp is within `tolerance_secs` of
/// `now_secs` (use [`crate::DEFAULT_TOLERANCE_SECS`]), and any `v1` entry of the signature
/// header matches (compared in constant time). Entries of other versions are ignored.
pub fn verify(
    secret: &SigningSecret,
    headers: &WebhookHeaders<'_>,
    body: &[u8],
    now_secs: i64,
    tolerance_secs: u64,
) -> Result<(), VerifyError> {
    let check = Check::Hmac(secret);
    verify_named(
        check,
        &HeaderNames::STANDARD,
        headers,
        body,
        now_secs,
        tolerance_secs,
    )
}

/// Verifies a request against an ed25519 public key: like [`verify`], but only `v1a`
/// entries are considered.
pub fn verify_ed25519(
    key: &Ed25519PublicKey,
    headers: &WebhookHeaders<'_>,
    body: &[u8],
    now_secs: i64,
    tolerance_secs: u64,
) -> Result<(), VerifyError> {
    let check = Check::Ed25519(key);
    verify_named(
        check,
        &HeaderNames::STANDARD,
        headers,
        body,
        now_secs,
        tolerance_secs,
    )
}

/// The key a verification uses; decides which signature version is looked at.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Check<'k> {
    Hmac(&'k SigningSecret),
    Ed25519(&'k Ed25519PublicKey),
}

/// [`verify`] with the header names used in error messages given explicitly, so a request
/// that came with `svix-*` headers is refused in its own words.
pub(crate) fn verify_named(
    check: Check<'_>,
    names: &HeaderNames,
    headers: &WebhookHeaders<'_>,
    body: &[u8],
    now_secs: i64,
    tolerance_secs: u64,
) -> Result<(), VerifyError> {
    if headers.id.is_empty() {
        return Err(VerifyError::missing(names.id));
    }
    if headers.timestamp.is_empty() {
        return Err(VerifyError::missing(names.timestamp));
    }
    if headers.signature.trim().is_empty() {
        return Err(VerifyError::missing(names.signature));
    }
    let timestamp = parse_unix_secs(names.timestamp, headers.timestamp)?;
    check_tolerance(timestamp, now_secs, tolerance_secs)?;

    // Sign the timestamp text as received (digits only, checked above): the sender signed
    // the text it sent.
    let parts: [&[u8]; 5] = [
        headers.id.as_bytes(),
        b".",
        headers.timestamp.as_bytes(),
        b".",
        body,
    ];
    match check {
        Check::Hmac(secret) => {
            let expected = hmac_sha256(secret.as_bytes(), &parts);
            match_entries(names, headers.signature, VERSION_HMAC, |sig| {
                ct_eq(sig, &expected)
            })
        }
        Check::Ed25519(key) => {
            let message = parts.concat();
            match_entries(names, headers.signature, VERSION_ED25519, |sig| {
                key.verify_raw(&message, sig)
            })
        }
    }
}

/// Accepts when any `<version>,<base64>` entry with the wanted version satisfies `matches`.
///
/// Refuses as malformed only when no entry at all has the `<version>,<signature>` shape;
/// unknown versions and undecodable signatures are skipped, so future versions can be
/// added to the header without breaking today's receivers.
fn match_entries(
    names: &HeaderNames,
    header: &str,
    version: &str,
    mut matches: impl FnMut(&[u8]) -> bool,
) -> Result<(), VerifyError> {
    let mut any_well_formed = false;
    for entry in header.split_ascii_whitespace() {
        let Some((entry_version, signature)) = entry.split_once(',') else {
            continue;
        };
        if entry_version.is_empty() || signature.is_empty() {
            continue;
        }
        any_well_formed = true;
        if entry_version != version {
            continue;
        }
        if decode_base64(signature).is_some_and(|sig| matches(&sig)) {
            return Ok(());
        }
    }
    if any_well_formed {
        Err(VerifyError::NoMatchingSignature)
    } else {
        Err(VerifyError::malformed(names.signature))
    }
}

#[cfg(test)]
#[path = "standard_tests.rs"]
mod tests;
