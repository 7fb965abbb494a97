//! An endpoint's signing keys over time, and how its signature headers are named.
//!
//! The endpoint's `secret` column holds this keyring sealed with the secrets key
//! ([`hookline_store::secrets`]). The last key is the current one; rotating adds a new key and
//! gives the older ones an expiry (the grace period), until which they keep signing too, so
//! receivers can switch secrets without a moment where nothing verifies.

use std::time::Duration;

use hookline_core::Timestamp;
use hookline_signature::{KeyError, SigningKey};
use hookline_store::secrets::{SecretsError, SecretsKey};
use serde::{Deserialize, Serialize};

/// Longest grace period a rotation may give the old keys (7 days, as the contract allows).
pub const MAX_GRACE: Duration = Duration::from_secs(7 * 24 * 3600);
/// Grace period when none is asked for (24 hours).
pub const DEFAULT_GRACE: Duration = Duration::from_secs(24 * 3600);

/// Which header names carry the id, timestamp and signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeaderStyle {
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature` (Standard Webhooks).
    #[default]
    Webhook,
    /// `svix-id`, `svix-timestamp`, `svix-signature`, for receivers using Svix libraries.
    Svix,
}

impl HeaderStyle {
    /// Parses `webhook` or `svix`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "webhook" | "standard" => Some(Self::Webhook),
            "svix" => Some(Self::Svix),
            _ => None,
        }
    }

    /// The three header names of this style.
    pub fn names(self) -> hookline_signature::HeaderNames {
        match self {
            Self::Webhook => hookline_signature::HeaderNames::STANDARD,
            Self::Svix => hookline_signature::HeaderNames::SVIX,
        }
    }
}

/// Which kind of key a new endpoint gets when none is supplied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyKind {
    /// `whsec_` HMAC-SHA256 secrets, `v1` signatures (the default).
    #[default]
    Hmac,
    /// `whsk_` ed25519 keys, `v1a` signatures; receivers verify with the `whpk_` public key.
    Ed25519,
}

impl KeyKind {
    /// Parses `hmac` or `ed25519`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "hmac" | "symmetric" => Some(Self::Hmac),
            "ed25519" | "asymmetric" => Some(Self::Ed25519),
            _ => None,
        }
    }

    /// A fresh random key of this kind.
    pub fn generate(self) -> SigningKey {
        match self {
            Self::Hmac => SigningKey::Hmac(hookline_signature::SigningSecret::generate()),
            Self::Ed25519 => SigningKey::Ed25519(hookline_signature::Ed25519SecretKey::generate()),
        }
    }

    /// The kind of `key`.
    pub fn of(key: &SigningKey) -> Self {
        match key {
            SigningKey::Hmac(_) => Self::Hmac,
            SigningKey::Ed25519(_) => Self::Ed25519,
        }
    }
}

/// Why a stored keyring could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// It could not be decrypted.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// It decrypted but does not hold a usable key.
    #[error("the stored signing keys are unusable: {0}")]
    Corrupt(String),
}

#[derive(Serialize, Deserialize)]
struct StoredKey {
    key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct StoredRing {
    keys: Vec<StoredKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    header_style: Option<HeaderStyle>,
}

/// One key and when it stops signing (`None`: never, it is current).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    key: SigningKey,
    expires_at: Option<Timestamp>,
}

/// The signing keys of one endpoint, newest last, and its header-name choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyring {
    entries: Vec<Entry>,
    header_style: Option<HeaderStyle>,
}

impl Keyring {
    /// A keyring holding one current key.
    pub fn new(key: SigningKey) -> Self {
        Self {
            entries: vec![Entry {
                key,
                expires_at: None,
            }],
            header_style: None,
        }
    }

    /// The current key: the one shown to the endpoint's owner and kept after every expiry.
    pub fn current(&self) -> &SigningKey {
        // A keyring is never empty: it is built with one key and rotation only adds.
        &self.entries[self.entries.len() - 1].key
    }

    /// Every key that signs at `now`: the current one and those still in their grace period.
    pub fn signing_keys(&self, now: Timestamp) -> Vec<&SigningKey> {
        self.entries
            .iter()
            .filter(|e| e.expires_at.is_none_or(|at| at > now))
            .map(|e| &e.key)
            .collect()
    }

    /// Makes `key` current; older keys keep signing until `now + grace` (or their earlier
    /// expiry), and keys already expired are dropped.
    pub fn rotate(&mut self, key: SigningKey, now: Timestamp, grace: Duration) {
        let until = now.plus(grace.min(MAX_GRACE));
        self.entries
            .retain(|e| e.expires_at.is_none_or(|at| at > now));
        for entry in &mut self.entries {
            entry.expires_at = Some(entry.expires_at.map_or(until, |at| at.min(until)));
        }
        self.entries
            .retain(|e| e.expires_at.is_none_or(|at| at > now));
        self.entries.push(Entry {
            key,
            expires_at: None,
        });
    }

    /// The header names this endpoint asked for, if it chose.
    pub fn header_style(&self) -> Option<HeaderStyle> {
        self.header_style
    }

    /// Chooses the header names for this endpoint (`None`: the server's default).
    pub fn set_header_style(&mut self, style: Option<HeaderStyle>) {
        self.header_style = style;
    }

    /// The keyring encrypted under `secrets`, as stored in the endpoint's `secret` column.
    pub fn seal(&self, secrets: &SecretsKey) -> String {
        let stored = StoredRing {
            keys: self
                .entries
                .iter()
                .map(|e| StoredKey {
                    key: e.key.to_string(),
                    expires_at: e.expires_at.map(Timestamp::as_millis),
                })
                .collect(),
            header_style: self.header_style,
        };
        secrets.seal(&serde_json::to_string(&stored).unwrap_or_default())
    }

    /// Reads a stored keyring. A bare `whsec_`/`whsk_` key (written before secrets were
    /// encrypted, or by a component that does not seal) is read as a one-key keyring.
    pub fn open(stored: &str, secrets: &SecretsKey) -> Result<Self, KeyringError> {
        if !stored.starts_with(hookline_store::secrets::SEALED_PREFIX) {
            let key = SigningKey::parse(stored).map_err(corrupt)?;
            return Ok(Self::new(key));
        }
        let plain = secrets.open(stored)?;
        let ring: StoredRing = serde_json::from_str(&plain)
            .map_err(|e| KeyringError::Corrupt(format!("not a keyring: {e}")))?;
        let mut entries = Vec::with_capacity(ring.keys.len());
        for stored in ring.keys {
            entries.push(Entry {
                key: SigningKey::parse(&stored.key).map_err(corrupt)?,
                expires_at: stored.expires_at.map(Timestamp::from_millis),
            });
        }
        if entries.is_empty() {
            return Err(KeyringError::Corrupt("no keys".into()));
        }
        Ok(Self {
            entries,
            header_style: ring.header_style,
        })
    }
}

fn corrupt(err: KeyError) -> KeyringError {
    KeyringError::Corrupt(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_millis(secs * 1000)
    }

    #[test]
    fn during_the_grace_period_old_and_new_keys_sign_and_after_it_only_the_new() {
        let old = KeyKind::Hmac.generate();
        let new = KeyKind::Hmac.generate();
        let mut ring = Keyring::new(old.clone());
        ring.rotate(new.clone(), at(1000), Duration::from_secs(60));
        assert_eq!(ring.current(), &new);
        assert_eq!(ring.signing_keys(at(1059)), vec![&old, &new]);
        assert_eq!(ring.signing_keys(at(1060)), vec![&new]);
    }

    #[test]
    fn a_second_rotation_never_extends_an_older_keys_grace() {
        let (a, b, c) = (
            KeyKind::Hmac.generate(),
            KeyKind::Ed25519.generate(),
            KeyKind::Hmac.generate(),
        );
        let mut ring = Keyring::new(a.clone());
        ring.rotate(b.clone(), at(0), Duration::from_secs(10));
        ring.rotate(c.clone(), at(5), Duration::from_secs(100));
        assert_eq!(ring.signing_keys(at(9)), vec![&a, &b, &c]);
        assert_eq!(ring.signing_keys(at(10)), vec![&b, &c]);
        ring.rotate(KeyKind::Hmac.generate(), at(200), Duration::ZERO);
        assert_eq!(ring.signing_keys(at(200)).len(), 1);
    }

    #[test]
    fn a_sealed_keyring_opens_to_the_same_keys_and_hides_them() {
        let secrets = SecretsKey::generate();
        let mut ring = Keyring::new(KeyKind::Ed25519.generate());
        ring.rotate(KeyKind::Hmac.generate(), at(0), DEFAULT_GRACE);
        ring.set_header_style(Some(HeaderStyle::Svix));
        let sealed = ring.seal(&secrets);
        assert!(!sealed.contains(&ring.current().to_string()));
        assert_eq!(Keyring::open(&sealed, &secrets), Ok(ring));
        assert!(matches!(
            Keyring::open(&sealed, &SecretsKey::generate()),
            Err(KeyringError::Secrets(SecretsError::WrongKey))
        ));
    }

    #[test]
    fn a_plain_key_reads_as_a_one_key_keyring() {
        let ring = Keyring::open(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            &SecretsKey::generate(),
        )
        .expect("plain keys are accepted");
        assert_eq!(ring.signing_keys(at(0)).len(), 1);
    }

    #[test]
    fn header_styles_and_key_kinds_parse() {
        assert_eq!(HeaderStyle::parse("SVIX"), Some(HeaderStyle::Svix));
        assert_eq!(HeaderStyle::parse("other"), None);
        assert_eq!(KeyKind::parse("ed25519"), Some(KeyKind::Ed25519));
    }
}
