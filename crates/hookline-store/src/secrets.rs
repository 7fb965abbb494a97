//! Encryption at rest for secrets kept in the database (endpoint signing keys).
//!
//! Secrets are sealed with XChaCha20-Poly1305 under one 32-byte key that the operator supplies
//! (`HOOKLINE_SECRETS_KEY`) or that Hookline generates into the data directory on first start.
//! A sealed value is text: `hlenc1:` followed by the base64 of a random 24-byte nonce and the
//! ciphertext with its tag. Anyone holding the database file without the key sees only that;
//! anyone who loses the key loses every sealed secret (endpoints must then be given new ones).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// Marks a sealed value and its format version.
pub const SEALED_PREFIX: &str = "hlenc1:";
/// Bytes in a key.
pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// Why a key or a sealed value could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// The configured key is not base64 of exactly 32 bytes.
    #[error("the secrets key must be the base64 of exactly {KEY_LEN} bytes")]
    BadKey,
    /// The value is not in the sealed format.
    #[error("the stored secret is not in the sealed format")]
    NotSealed,
    /// The value was sealed with another key, or altered.
    #[error("the stored secret cannot be decrypted with this secrets key (was the key changed?)")]
    WrongKey,
}

/// The key that seals and opens secrets. `Debug` never shows it.
#[derive(Clone)]
pub struct SecretsKey {
    cipher: XChaCha20Poly1305,
    bytes: [u8; KEY_LEN],
}

impl SecretsKey {
    /// A new random key from the operating system's CSPRNG (through `rand`'s thread RNG).
    pub fn generate() -> Self {
        Self::from_bytes(rand::random())
    }

    /// The key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&bytes.into()),
            bytes,
        }
    }

    /// Parses the base64 text form (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<Self, SecretsError> {
        let decoded = STANDARD
            .decode(text.trim())
            .map_err(|_| SecretsError::BadKey)?;
        let bytes: [u8; KEY_LEN] = decoded.try_into().map_err(|_| SecretsError::BadKey)?;
        Ok(Self::from_bytes(bytes))
    }

    /// The base64 text form, for writing the key file.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.bytes)
    }

    /// Seals `plaintext` under a fresh random nonce; sealing the same text twice gives
    /// different output.
    pub fn seal(&self, plaintext: &str) -> String {
        let nonce: [u8; NONCE_LEN] = rand::random();
        // Encryption with a valid key and in-memory buffers cannot fail.
        let ciphertext = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes())
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        format!("{SEALED_PREFIX}{}", STANDARD.encode(out))
    }

    /// Opens a value made by [`Self::seal`] with this key.
    pub fn open(&self, sealed: &str) -> Result<String, SecretsError> {
        let encoded = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(SecretsError::NotSealed)?;
        let raw = STANDARD
            .decode(encoded)
            .map_err(|_| SecretsError::NotSealed)?;
        if raw.len() < NONCE_LEN {
            return Err(SecretsError::NotSealed);
        }
        let (nonce, ciphertext) = raw.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| SecretsError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| SecretsError::WrongKey)
    }
}

impl fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretsKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_with_the_same_key_only() {
        let key = SecretsKey::generate();
        let sealed = key.seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert!(sealed.starts_with(SEALED_PREFIX));
        assert!(!sealed.contains("MfKQ9r8"));
        assert_eq!(
            key.open(&sealed).as_deref(),
            Ok("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        );
        assert_eq!(
            SecretsKey::generate().open(&sealed),
            Err(SecretsError::WrongKey)
        );
    }

    #[test]
    fn sealing_twice_differs_and_tampering_is_detected() {
        let key = SecretsKey::generate();
        let a = key.seal("same");
        assert_ne!(a, key.seal("same"));
        let mut raw = STANDARD.decode(&a[SEALED_PREFIX.len()..]).expect("base64");
        let last = raw.len() - 1;
        raw[last] ^= 1;
        let tampered = format!("{SEALED_PREFIX}{}", STANDARD.encode(raw));
        assert_eq!(key.open(&tampered), Err(SecretsError::WrongKey));
        assert_eq!(key.open("whsec_plain"), Err(SecretsError::NotSealed));
    }

    #[test]
    fn keys_round_trip_through_base64_and_bad_keys_are_refused() {
        let key = SecretsKey::generate();
        let again = SecretsKey::parse(&key.to_base64()).expect("parses");
        assert_eq!(again.open(&key.seal("x")).as_deref(), Ok("x"));
        assert_eq!(
            SecretsKey::parse("c2hvcnQ=").map(|_| ()),
            Err(SecretsError::BadKey)
        );
        assert!(!format!("{key:?}").contains(&key.to_base64()));
    }
}
