//! Standard Webhooks asymmetric keys: ed25519 secret keys shown as `whsk_` and public keys
//! shown as `whpk_`. The receiver holds only the public key, so it cannot forge messages.

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand::Rng;

use crate::KeyError;
use crate::crypto::{decode_base64, encode_base64};
use crate::secret::{PUBLIC_KEY_PREFIX, SECRET_KEY_PREFIX, foreign_prefix};

/// Decodes `<prefix><base64>`, insisting on the prefix: without it a 32-byte seed and a
/// public key are indistinguishable, and mistaking one for the other is dangerous.
fn decode_prefixed(text: &str, prefix: &'static str) -> Result<Vec<u8>, KeyError> {
    if let Some(found) = foreign_prefix(text, &[prefix]) {
        return Err(KeyError::WrongKind {
            expected: prefix,
            found,
        });
    }
    let encoded = text
        .strip_prefix(prefix)
        .ok_or(KeyError::MissingPrefix { expected: prefix })?;
    decode_base64(encoded).ok_or(KeyError::InvalidBase64)
}

/// An ed25519 signing key for `v1a` signatures.
///
/// Parses from `whsk_` + base64 of either the 32-byte seed or the 64-byte keypair
/// (seed then public key, the libsodium layout); displays as the 64-byte keypair form.
/// `Debug` shows only the public key.
#[derive(Clone, PartialEq, Eq)]
pub struct Ed25519SecretKey {
    key: SigningKey,
}

impl Ed25519SecretKey {
    /// A new key from a 32-byte seed drawn from the thread-local CSPRNG.
    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        rand::rng().fill(&mut seed);
        Self::from_seed(&seed)
    }

    /// The key derived from a 32-byte seed (RFC 8032 private key).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// Parses `whsk_<base64>` of a 32-byte seed or a 64-byte keypair; a keypair whose
    /// public half does not match its seed is refused.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let bytes = decode_prefixed(text, SECRET_KEY_PREFIX)?;
        if let Ok(seed) = <[u8; 32]>::try_from(bytes.as_slice()) {
            return Ok(Self::from_seed(&seed));
        }
        let pair = <[u8; 64]>::try_from(bytes.as_slice()).map_err(|_| KeyError::InvalidLength {
            kind: "secret",
            len: bytes.len(),
            expected: "32 (seed) or 64 (keypair)",
        })?;
        let key = SigningKey::from_keypair_bytes(&pair).map_err(|_| KeyError::KeypairMismatch)?;
        Ok(Self { key })
    }

    /// The matching public key, to hand to receivers.
    pub fn public_key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey {
            key: self.key.verifying_key(),
        }
    }

    /// The 32-byte seed this key derives from.
    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The 64-byte ed25519 signature of `message` (deterministic, RFC 8032).
    pub(crate) fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

impl fmt::Display for Ed25519SecretKey {
    /// `whsk_` followed by base64 of the 64-byte keypair.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pair = self.key.to_keypair_bytes();
        write!(f, "{SECRET_KEY_PREFIX}{}", encode_base64(&pair))
    }
}

impl fmt::Debug for Ed25519SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ed25519SecretKey")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl FromStr for Ed25519SecretKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// An ed25519 public key that verifies `v1a` signatures, shown as `whpk_<base64>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ed25519PublicKey {
    key: VerifyingKey,
}

impl Ed25519PublicKey {
    /// Parses `whpk_<base64 of 32 bytes>`, refusing bytes that are not a curve point.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let bytes = decode_prefixed(text, PUBLIC_KEY_PREFIX)?;
        let raw = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| KeyError::InvalidLength {
            kind: "public",
            len: bytes.len(),
            expected: "32",
        })?;
        Self::from_bytes(&raw)
    }

    /// Wraps 32 raw public-key bytes, refusing bytes that are not a curve point.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::InvalidPublicKey)?;
        Ok(Self { key })
    }

    /// The 32 raw public-key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    /// Whether `signature` is a valid signature of `message` by this key.
    ///
    /// Uses strict verification (refuses non-canonical signatures and small-order keys),
    /// so one message cannot carry two different valid signatures.
    pub(crate) fn verify_raw(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
            return false;
        };
        self.key.verify_strict(message, &signature).is_ok()
    }
}

impl fmt::Display for Ed25519PublicKey {
    /// `whpk_` followed by base64 of the 32-byte key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PUBLIC_KEY_PREFIX}{}", encode_base64(self.as_bytes()))
    }
}

impl fmt::Debug for Ed25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519PublicKey({self})")
    }
}

impl FromStr for Ed25519PublicKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_key_round_trips_through_text_in_both_lengths() {
        let key = Ed25519SecretKey::generate();
        assert_eq!(
            Ed25519SecretKey::parse(&key.to_string()).ok(),
            Some(key.clone())
        );
        let seed_form = format!("whsk_{}", encode_base64(&key.seed()));
        assert_eq!(Ed25519SecretKey::parse(&seed_form).ok(), Some(key));
    }

    #[test]
    fn public_key_round_trips_through_text() {
        let public = Ed25519SecretKey::generate().public_key();
        assert_eq!(
            Ed25519PublicKey::parse(&public.to_string()).ok(),
            Some(public)
        );
    }

    #[test]
    fn prefixes_are_required_and_not_interchangeable() {
        let key = Ed25519SecretKey::generate();
        let public = key.public_key().to_string();
        assert_eq!(
            Ed25519SecretKey::parse(&public).map_err(|e| e.code()),
            Err("wrong_key_kind")
        );
        assert_eq!(
            Ed25519PublicKey::parse(&key.to_string()).map_err(|e| e.code()),
            Err("wrong_key_kind")
        );
        assert_eq!(
            Ed25519PublicKey::parse(&public["whpk_".len()..]).map_err(|e| e.code()),
            Err("missing_key_prefix")
        );
    }

    #[test]
    fn keypair_with_foreign_public_half_is_refused() {
        let mut pair = [0u8; 64];
        pair[..32].copy_from_slice(&Ed25519SecretKey::generate().seed());
        pair[32..].copy_from_slice(Ed25519SecretKey::generate().public_key().as_bytes());
        let text = format!("whsk_{}", encode_base64(&pair));
        assert_eq!(
            Ed25519SecretKey::parse(&text),
            Err(KeyError::KeypairMismatch)
        );
    }

    #[test]
    fn wrong_lengths_are_refused() {
        let text = format!("whsk_{}", encode_base64(&[1u8; 31]));
        assert_eq!(
            Ed25519SecretKey::parse(&text).map_err(|e| e.code()),
            Err("invalid_key_length")
        );
    }

    #[test]
    fn debug_shows_only_the_public_key() {
        let key = Ed25519SecretKey::generate();
        let debug = format!("{key:?}");
        let seed_b64 = encode_base64(&key.seed());
        assert!(!debug.contains(&seed_b64[..40]), "{debug}");
        assert!(debug.contains("whpk_"), "{debug}");
    }
}
