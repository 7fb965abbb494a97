//! One type for "whatever key an endpoint signs with" and one for "whatever key a source
//! verifies with", chosen by the key's prefix, as the spec intends: `whsec_` (or no prefix)
//! is HMAC, `whsk_`/`whpk_` is ed25519.

use std::fmt;
use std::str::FromStr;

use crate::secret::{PUBLIC_KEY_PREFIX, SECRET_KEY_PREFIX};
use crate::standard::{Check, HeaderNames, Sign, WebhookHeaders, verify_named};
use crate::{Ed25519PublicKey, Ed25519SecretKey, KeyError, SigningSecret, VerifyError};

/// A key that signs outgoing webhooks: a `v1` HMAC secret or a `v1a` ed25519 secret key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigningKey {
    /// `whsec_`: HMAC-SHA256, `v1` signatures.
    Hmac(SigningSecret),
    /// `whsk_`: ed25519, `v1a` signatures.
    Ed25519(Ed25519SecretKey),
}

impl SigningKey {
    /// Parses `whsk_...` as ed25519 and `whsec_...` or a bare base64 secret as HMAC;
    /// refuses a `whpk_` public key, which cannot sign.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        if text.starts_with(PUBLIC_KEY_PREFIX) {
            return Err(KeyError::WrongKind {
                expected: "whsec_ or whsk_",
                found: PUBLIC_KEY_PREFIX,
            });
        }
        if text.starts_with(SECRET_KEY_PREFIX) {
            return Ed25519SecretKey::parse(text).map(Self::Ed25519);
        }
        SigningSecret::parse(text).map(Self::Hmac)
    }

    /// The key a receiver needs: the same secret for HMAC, the public key for ed25519.
    pub fn verifying_key(&self) -> VerifyingKey {
        match self {
            Self::Hmac(secret) => VerifyingKey::Hmac(secret.clone()),
            Self::Ed25519(key) => VerifyingKey::Ed25519(key.public_key()),
        }
    }
}

impl Sign for SigningKey {
    fn sign(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
        match self {
            Self::Hmac(secret) => secret.sign(msg_id, timestamp_secs, body),
            Self::Ed25519(key) => key.sign(msg_id, timestamp_secs, body),
        }
    }
}

impl fmt::Display for SigningKey {
    /// The key in its prefixed text form (this reveals the secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hmac(secret) => secret.fmt(f),
            Self::Ed25519(key) => key.fmt(f),
        }
    }
}

impl FromStr for SigningKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A key that verifies Standard Webhooks signatures: an HMAC secret (checks `v1` entries)
/// or an ed25519 public key (checks `v1a` entries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyingKey {
    /// `whsec_`: checks `v1` entries.
    Hmac(SigningSecret),
    /// `whpk_`: checks `v1a` entries.
    Ed25519(Ed25519PublicKey),
}

impl VerifyingKey {
    /// Parses `whpk_...` as ed25519 and `whsec_...` or a bare base64 secret as HMAC;
    /// refuses a `whsk_` secret key, which a receiver should never hold.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        if text.starts_with(SECRET_KEY_PREFIX) {
            return Err(KeyError::WrongKind {
                expected: "whsec_ or whpk_",
                found: SECRET_KEY_PREFIX,
            });
        }
        if text.starts_with(PUBLIC_KEY_PREFIX) {
            return Ed25519PublicKey::parse(text).map(Self::Ed25519);
        }
        SigningSecret::parse(text).map(Self::Hmac)
    }

    /// Verifies with this key; see [`crate::standard::verify`] for what is accepted.
    pub fn verify(
        &self,
        headers: &WebhookHeaders<'_>,
        body: &[u8],
        now_secs: i64,
        tolerance_secs: u64,
    ) -> Result<(), VerifyError> {
        self.verify_named(
            &HeaderNames::STANDARD,
            headers,
            body,
            now_secs,
            tolerance_secs,
        )
    }

    pub(crate) fn verify_named(
        &self,
        names: &HeaderNames,
        headers: &WebhookHeaders<'_>,
        body: &[u8],
        now_secs: i64,
        tolerance_secs: u64,
    ) -> Result<(), VerifyError> {
        let check = match self {
            Self::Hmac(secret) => Check::Hmac(secret),
            Self::Ed25519(key) => Check::Ed25519(key),
        };
        verify_named(check, names, headers, body, now_secs, tolerance_secs)
    }
}

impl fmt::Display for VerifyingKey {
    /// The key in its prefixed text form (for HMAC this reveals the secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hmac(secret) => secret.fmt(f),
            Self::Ed25519(key) => key.fmt(f),
        }
    }
}

impl FromStr for VerifyingKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<SigningSecret> for VerifyingKey {
    fn from(secret: SigningSecret) -> Self {
        Self::Hmac(secret)
    }
}

impl From<Ed25519PublicKey> for VerifyingKey {
    fn from(key: Ed25519PublicKey) -> Self {
        Self::Ed25519(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::signature_header;

    #[test]
    fn prefixes_choose_the_kind() {
        let hmac = SigningKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert!(matches!(hmac, Ok(SigningKey::Hmac(_))));
        let bare = VerifyingKey::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert!(matches!(bare, Ok(VerifyingKey::Hmac(_))));
        let ed = Ed25519SecretKey::generate();
        assert_eq!(
            SigningKey::parse(&ed.to_string()),
            Ok(SigningKey::Ed25519(ed.clone()))
        );
        let public = ed.public_key().to_string();
        assert!(matches!(
            VerifyingKey::parse(&public),
            Ok(VerifyingKey::Ed25519(_))
        ));
    }

    #[test]
    fn receivers_never_take_secret_keys_and_senders_never_take_public_keys() {
        let ed = Ed25519SecretKey::generate();
        let as_verifier = VerifyingKey::parse(&ed.to_string()).map_err(|e| e.code());
        assert_eq!(as_verifier, Err("wrong_key_kind"));
        let as_signer = SigningKey::parse(&ed.public_key().to_string()).map_err(|e| e.code());
        assert_eq!(as_signer, Err("wrong_key_kind"));
    }

    #[test]
    fn every_rotating_key_verifies_through_its_verifying_key() {
        let keys = [
            SigningKey::Hmac(SigningSecret::generate()),
            SigningKey::Ed25519(Ed25519SecretKey::generate()),
        ];
        let header = signature_header(&keys, "msg_1", 1_700_000_000, b"{}");
        let headers = WebhookHeaders {
            id: "msg_1",
            timestamp: "1700000000",
            signature: &header,
        };
        for key in &keys {
            let result = key
                .verifying_key()
                .verify(&headers, b"{}", 1_700_000_000, 300);
            assert_eq!(result, Ok(()), "{key:?}");
        }
    }
}
