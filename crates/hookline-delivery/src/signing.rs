//! The identity and signature headers of one attempt.
//!
//! The sender calls [`Signer::headers`] once per attempt: it opens the endpoint's sealed keyring,
//! signs `{id}.{timestamp}.{body}` with every key still valid (space-separated `v1,`/`v1a,`
//! entries) and names the headers in the endpoint's chosen style, or the server's default.
//! Opened keyrings are kept in a small cache keyed by their sealed text, so a busy endpoint's
//! keyring is decrypted and parsed once rather than per attempt; any change to the stored
//! keyring (rotation, header style) changes that text, so the cache never serves a stale one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hookline_core::Timestamp;
use hookline_signature::signature_header;
use hookline_store::secrets::{SEALED_PREFIX, SecretsKey};
use hookline_store::{Store, StoreResult};

use crate::keyring::{HeaderStyle, KeyKind, Keyring, KeyringError};

/// Keyrings kept opened at most; the cache is emptied when it is full (endpoints that keep
/// sending refill it at once, one decryption each).
const OPENED_KEYRINGS: usize = 1024;

/// Signs attempts; cheap to clone (clones share the cache of opened keyrings).
#[derive(Debug, Clone)]
pub struct Signer {
    secrets: Arc<SecretsKey>,
    header_style: HeaderStyle,
    key_kind: KeyKind,
    opened: Arc<Mutex<HashMap<String, Arc<Keyring>>>>,
}

impl Default for Signer {
    /// A random secrets key (nothing sealed with it survives a restart), `webhook-*` headers,
    /// HMAC keys: for tests and tools; servers use [`Signer::new`] with the persisted key.
    fn default() -> Self {
        Self::new(
            Arc::new(SecretsKey::generate()),
            HeaderStyle::Webhook,
            KeyKind::Hmac,
        )
    }
}

impl Signer {
    /// A signer opening keyrings with `secrets`, naming headers in `header_style` unless an
    /// endpoint chose otherwise, and generating `key_kind` keys for new endpoints.
    pub fn new(secrets: Arc<SecretsKey>, header_style: HeaderStyle, key_kind: KeyKind) -> Self {
        Self {
            secrets,
            header_style,
            key_kind,
            opened: Arc::default(),
        }
    }

    /// The key that seals and opens stored secrets.
    pub fn secrets(&self) -> &SecretsKey {
        &self.secrets
    }

    /// The header names used when an endpoint did not choose.
    pub fn default_header_style(&self) -> HeaderStyle {
        self.header_style
    }

    /// The kind of key new endpoints get.
    pub fn default_key_kind(&self) -> KeyKind {
        self.key_kind
    }

    /// Reads an endpoint's stored keyring.
    pub fn open(&self, stored: &str) -> Result<Keyring, KeyringError> {
        Keyring::open(stored, &self.secrets)
    }

    /// [`Signer::open`], remembering the result for the same sealed text.
    fn open_cached(&self, stored: &str) -> Result<Arc<Keyring>, KeyringError> {
        let lock = || self.opened.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(keyring) = lock().get(stored) {
            return Ok(Arc::clone(keyring));
        }
        let keyring = Arc::new(self.open(stored)?);
        let mut opened = lock();
        if opened.len() >= OPENED_KEYRINGS {
            opened.clear();
        }
        opened.insert(stored.to_owned(), Arc::clone(&keyring));
        Ok(keyring)
    }

    /// Seals a keyring for storage.
    pub fn seal(&self, keyring: &Keyring) -> String {
        keyring.seal(&self.secrets)
    }

    /// The `(name, value)` of the id, timestamp and signature headers of one attempt.
    pub fn headers(
        &self,
        stored_secret: &str,
        msg_id: &str,
        now: Timestamp,
        body: &[u8],
    ) -> Result<[(&'static str, String); 3], KeyringError> {
        let keyring = self.open_cached(stored_secret)?;
        let timestamp = now.as_secs();
        let signature = signature_header(&keyring.signing_keys(now), msg_id, timestamp, body);
        let names = keyring.header_style().unwrap_or(self.header_style).names();
        Ok([
            (names.id, msg_id.to_owned()),
            (names.timestamp, timestamp.to_string()),
            (names.signature, signature),
        ])
    }
}

/// Seals every endpoint secret still stored in the clear (written before secrets were
/// encrypted, or by a component that does not seal), in batches; returns how many it sealed.
/// Secrets that cannot be read are left alone and logged.
pub async fn seal_unsealed_secrets(store: &dyn Store, signer: &Signer) -> StoreResult<usize> {
    const BATCH: u32 = 500;
    let mut sealed = 0;
    loop {
        let found = store
            .unsealed_endpoint_secrets(SEALED_PREFIX, BATCH)
            .await?;
        let mut progress = false;
        for (app, endpoint, stored) in &found {
            let keyring = match signer.open(stored) {
                Ok(keyring) => keyring,
                Err(err) => {
                    tracing::error!(%endpoint, error = %err, "an endpoint's stored secret is unusable");
                    continue;
                }
            };
            let new = signer.seal(&keyring);
            if store
                .replace_endpoint_secret(app, endpoint, stored, &new, Timestamp::now())
                .await?
            {
                sealed += 1;
                progress = true;
            }
        }
        if (found.len() as u32) < BATCH || !progress {
            return Ok(sealed);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hookline_signature::WebhookHeaders;

    use super::*;

    #[test]
    fn every_valid_key_signs_and_each_verifies_alone() {
        let signer = Signer::default();
        let old = KeyKind::Hmac.generate();
        let new = KeyKind::Ed25519.generate();
        let mut ring = Keyring::new(old.clone());
        let now = Timestamp::from_millis(1_700_000_000_000);
        ring.rotate(new.clone(), now, Duration::from_secs(60));
        let [id, ts, sig] = signer
            .headers(&signer.seal(&ring), "msg_1", now, b"{}")
            .expect("signs");
        assert_eq!(
            (id.0, ts.0, sig.0),
            ("webhook-id", "webhook-timestamp", "webhook-signature")
        );
        assert_eq!(sig.1.split(' ').count(), 2);
        let headers = WebhookHeaders {
            id: &id.1,
            timestamp: &ts.1,
            signature: &sig.1,
        };
        for key in [old, new] {
            let verified = key
                .verifying_key()
                .verify(&headers, b"{}", now.as_secs(), 300);
            assert_eq!(verified, Ok(()));
        }
    }

    #[test]
    fn an_endpoint_choice_of_svix_headers_wins_over_the_default() {
        let signer = Signer::default();
        let mut ring = Keyring::new(KeyKind::Hmac.generate());
        ring.set_header_style(Some(HeaderStyle::Svix));
        let headers = signer
            .headers(
                &signer.seal(&ring),
                "msg_1",
                Timestamp::from_millis(0),
                b"{}",
            )
            .expect("signs");
        assert_eq!(
            headers.map(|h| h.0),
            ["svix-id", "svix-timestamp", "svix-signature"]
        );
    }

    #[test]
    fn a_rotated_keyring_signs_with_its_new_keys_at_once() {
        let signer = Signer::default();
        let now = Timestamp::from_millis(1_700_000_000_000);
        let old = KeyKind::Hmac.generate();
        let mut ring = Keyring::new(old.clone());
        let before = signer.seal(&ring);
        let signature = |stored: &str| {
            let [_, _, sig] = signer.headers(stored, "msg_1", now, b"{}").expect("signs");
            sig.1
        };
        assert_eq!(signature(&before).split(' ').count(), 1);
        // The old key expires at once: only the new one may sign from now on.
        let new = KeyKind::Hmac.generate();
        ring.rotate(new.clone(), now, Duration::ZERO);
        let after = signature(&signer.seal(&ring));
        let headers = WebhookHeaders {
            id: "msg_1",
            timestamp: &now.as_secs().to_string(),
            signature: &after,
        };
        let verify = |key: &hookline_signature::SigningKey| {
            key.verifying_key()
                .verify(&headers, b"{}", now.as_secs(), 300)
        };
        assert_eq!(verify(&new), Ok(()));
        assert!(
            verify(&old).is_err(),
            "signed with the expired key: {after}"
        );
        // The keyring as stored before still opens (and signs) as it was.
        assert_eq!(signature(&before).split(' ').count(), 1);
    }
}
