//! Secrets: the Standard Webhooks `whsec_` signing secret and the plain shared secrets that
//! providers hand out.

use std::fmt;
use std::str::FromStr;

use rand::Rng;

use crate::KeyError;
use crate::crypto::{ct_eq, decode_base64, encode_base64};

/// Prefix of a serialized Standard Webhooks symmetric secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Prefix of a serialized Standard Webhooks ed25519 secret (signing) key.
pub const SECRET_KEY_PREFIX: &str = "whsk_";
/// Prefix of a serialized Standard Webhooks ed25519 public (verifying) key.
pub const PUBLIC_KEY_PREFIX: &str = "whpk_";

/// The prefix of another kind of key that `text` carries, if any.
pub(crate) fn foreign_prefix(text: &str, allowed: &[&str]) -> Option<&'static str> {
    [SECRET_PREFIX, SECRET_KEY_PREFIX, PUBLIC_KEY_PREFIX]
        .into_iter()
        .find(|p| text.starts_with(p) && !allowed.contains(p))
}

/// A Standard Webhooks HMAC secret: 24 to 64 random bytes, shown as `whsec_<base64>`.
///
/// Holding one proves the length was checked. `Debug` never prints the key; `Display`
/// does (that is how it is shown to the endpoint's owner), so log with `{:?}` only.
#[derive(Clone)]
pub struct SigningSecret {
    bytes: Vec<u8>,
}

impl SigningSecret {
    /// Fewest key bytes accepted (192 bits, the spec's minimum).
    pub const MIN_LEN: usize = 24;
    /// Most key bytes accepted (512 bits, the spec's maximum).
    pub const MAX_LEN: usize = 64;
    /// Key bytes in a freshly generated secret, as Svix generates them.
    pub const GENERATED_LEN: usize = 24;

    /// A new secret of [`Self::GENERATED_LEN`] bytes from the thread-local CSPRNG
    /// (ChaCha, seeded and periodically reseeded from the operating system).
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; Self::GENERATED_LEN];
        rand::rng().fill(&mut bytes[..]);
        Self { bytes }
    }

    /// Parses `whsec_<base64>` or bare `<base64>` (padding optional); refuses `whsk_`/
    /// `whpk_` keys, text that is not base64, and keys outside 24..=64 bytes.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        if let Some(found) = foreign_prefix(text, &[SECRET_PREFIX]) {
            return Err(KeyError::WrongKind {
                expected: SECRET_PREFIX,
                found,
            });
        }
        let encoded = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
        let bytes = decode_base64(encoded).ok_or(KeyError::InvalidBase64)?;
        Self::from_bytes(bytes)
    }

    /// Wraps raw key bytes, refusing lengths outside 24..=64.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self, KeyError> {
        let bytes = bytes.into();
        let len = bytes.len();
        if len < Self::MIN_LEN {
            return Err(KeyError::TooShort {
                len,
                min: Self::MIN_LEN,
            });
        }
        if len > Self::MAX_LEN {
            return Err(KeyError::TooLong {
                len,
                max: Self::MAX_LEN,
            });
        }
        Ok(Self { bytes })
    }

    /// The raw HMAC key (the base64-decoded secret).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Display for SigningSecret {
    /// `whsec_` followed by the padded standard base64 of the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SECRET_PREFIX}{}", encode_base64(&self.bytes))
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningSecret({SECRET_PREFIX}<redacted>)")
    }
}

impl FromStr for SigningSecret {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl PartialEq for SigningSecret {
    /// Constant-time: comparing secrets must not leak them either.
    fn eq(&self, other: &Self) -> bool {
        ct_eq(&self.bytes, &other.bytes)
    }
}

impl Eq for SigningSecret {}

/// A provider's shared secret used as-is (its UTF-8 bytes are the HMAC key, or the token).
///
/// GitHub, Stripe, Slack, Shopify and most HMAC senders hand out a string and key their MAC
/// with its bytes, without decoding it; Stripe's `whsec_...` included. Never empty, since
/// an empty key lets anyone sign. `Debug` never prints it.
#[derive(Clone)]
pub struct SharedSecret {
    bytes: Vec<u8>,
}

impl SharedSecret {
    /// Wraps a secret string or byte string, refusing an empty one.
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<Self, KeyError> {
        let bytes = secret.into();
        if bytes.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(Self { bytes })
    }

    /// The secret's bytes, exactly as given.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret(<redacted>)")
    }
}

impl PartialEq for SharedSecret {
    /// Constant-time, like every comparison of secret material here.
    fn eq(&self, other: &Self) -> bool {
        ct_eq(&self.bytes, &other.bytes)
    }
}

impl Eq for SharedSecret {}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn parses_with_or_without_prefix_and_displays_with_it() {
        let with = SigningSecret::parse(SPEC_SECRET).expect("spec secret parses");
        let without = SigningSecret::parse(&SPEC_SECRET[SECRET_PREFIX.len()..]).expect("bare");
        assert_eq!(with, without);
        assert_eq!(with.as_bytes().len(), 24);
        assert_eq!(with.to_string(), SPEC_SECRET);
    }

    #[test]
    fn refuses_wrong_lengths_with_the_length_named() {
        let short = format!("whsec_{}", encode_base64(&[7u8; 23]));
        assert_eq!(
            SigningSecret::parse(&short),
            Err(KeyError::TooShort { len: 23, min: 24 })
        );
        let long = format!("whsec_{}", encode_base64(&[7u8; 65]));
        assert_eq!(
            SigningSecret::parse(&long),
            Err(KeyError::TooLong { len: 65, max: 64 })
        );
        assert!(SigningSecret::parse(&format!("whsec_{}", encode_base64(&[7u8; 64]))).is_ok());
        assert_eq!(
            SigningSecret::parse("").map_err(|e| e.code()),
            Err("secret_too_short")
        );
    }

    #[test]
    fn refuses_bad_base64_and_other_key_kinds() {
        assert_eq!(
            SigningSecret::parse("whsec_not*base64"),
            Err(KeyError::InvalidBase64)
        );
        assert_eq!(
            SigningSecret::parse("whpk_AAAA").map_err(|e| e.code()),
            Err("wrong_key_kind")
        );
    }

    #[test]
    fn generated_secrets_are_24_random_bytes_that_round_trip() {
        let a = SigningSecret::generate();
        let b = SigningSecret::generate();
        assert_eq!(a.as_bytes().len(), 24);
        assert_ne!(a, b);
        assert_eq!(SigningSecret::parse(&a.to_string()).ok(), Some(a));
    }

    #[test]
    fn debug_never_prints_the_key() {
        let secret = SigningSecret::parse(SPEC_SECRET).expect("spec secret parses");
        let debug = format!("{secret:?}");
        assert!(!debug.contains("MfKQ9r8"), "{debug}");
        let shared = SharedSecret::new("hunter2").expect("non-empty");
        assert!(!format!("{shared:?}").contains("hunter2"));
    }

    #[test]
    fn shared_secret_refuses_empty() {
        assert_eq!(SharedSecret::new(""), Err(KeyError::Empty));
    }
}
