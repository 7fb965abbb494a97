//! The few primitives every scheme shares: keyed MACs, constant-time equality, and a
//! forgiving base64 decoder.
//!
//! Kept in one place so that no scheme can compare a signature with `==` by accident.

use std::fmt;
use std::str::FromStr;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, Engine};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// Standard-alphabet base64 that decodes with or without `=` padding and encodes with it.
///
/// Secrets and signatures are pasted by people and produced by many libraries; padding is
/// the one detail they disagree on, and it carries no information.
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes standard base64 (padding optional); `None` when the text is not base64.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    BASE64.decode(text).ok()
}

/// Encodes standard base64 with padding, the form every Standard Webhooks library emits.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Equality whose running time does not depend on where the inputs first differ.
///
/// Lengths are not secret (every signature of a scheme has the same length), so a length
/// mismatch returns early.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// The hash function behind an HMAC signature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HmacAlgorithm {
    /// HMAC-SHA1 (20-byte tags); still used by older senders.
    Sha1,
    /// HMAC-SHA256 (32-byte tags); the common choice.
    #[default]
    Sha256,
    /// HMAC-SHA512 (64-byte tags).
    Sha512,
}

impl HmacAlgorithm {
    /// The lowercase name used in configuration: `sha1`, `sha256` or `sha512`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha512 => "sha512",
        }
    }
}

impl fmt::Display for HmacAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HmacAlgorithm {
    type Err = crate::HmacConfigError;

    /// Parses `sha1`, `sha256` or `sha512`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Sha1, Self::Sha256, Self::Sha512]
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| crate::HmacConfigError::UnknownAlgorithm(s.to_owned()))
    }
}

/// HMAC of the concatenation of `parts` under `key`.
///
/// Taking the message in parts lets callers sign `{id}.{timestamp}.{body}` without copying
/// the body.
pub(crate) fn hmac(algorithm: HmacAlgorithm, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    match algorithm {
        HmacAlgorithm::Sha1 => mac::<Hmac<sha1::Sha1>>(key, parts),
        HmacAlgorithm::Sha256 => mac::<Hmac<sha2::Sha256>>(key, parts),
        HmacAlgorithm::Sha512 => mac::<Hmac<sha2::Sha512>>(key, parts),
    }
}

/// HMAC-SHA256, the MAC of Standard Webhooks and of every named provider here.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    hmac(HmacAlgorithm::Sha256, key, parts)
}

fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC accepts keys of any length (long keys are hashed), so this cannot fail.
    let mut mac =
        <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc_4231_case_2() {
        let tag = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(decode_base64("YWI="), Some(b"ab".to_vec()));
        assert_eq!(decode_base64("YWI"), Some(b"ab".to_vec()));
        assert_eq!(decode_base64("not base64!"), None);
    }

    #[test]
    fn ct_eq_requires_equal_length_and_content() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }

    #[test]
    fn algorithm_names_round_trip() {
        for a in [
            HmacAlgorithm::Sha1,
            HmacAlgorithm::Sha256,
            HmacAlgorithm::Sha512,
        ] {
            assert_eq!(a.as_str().parse::<HmacAlgorithm>().ok(), Some(a));
        }
        assert!("md5".parse::<HmacAlgorithm>().is_err());
    }
}
