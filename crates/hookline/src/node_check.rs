//! Nodes sharing a PostgreSQL database must agree on two secrets: the key that seals endpoint
//! secrets (a node with another key would seal secrets no other node can open, and fail to open
//! theirs) and the admin token (a node with another token would answer 401 to some requests
//! behind a load balancer). Neither mistake may go unnoticed, so the database keeps one check
//! value: the SHA-256 of the admin token, sealed with the secrets key. The first node to start
//! writes it; every later node opens it with its own key and compares its own token's digest,
//! and refuses to start when either differs. The database alone reveals nothing about either.
//!
//! With SQLite there is one node, whose key and token live beside the database; no check.

use hookline_store::PgStore;
use hookline_store::secrets::SecretsKey;
use sha2::{Digest, Sha256};

/// What the sealed value holds before the digest, so a value from elsewhere is not mistaken
/// for a check.
const LABEL: &str = "hookline-node-check-v1:";

/// Why this node disagrees with the others.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Disagreement {
    /// The check was sealed with another secrets key.
    #[error(
        "this node's secrets key cannot open the check value written by the other nodes sharing \
         this database: every node must use the same HOOKLINE_SECRETS_KEY, because endpoint \
         secrets are sealed with it (this node's key comes from HOOKLINE_SECRETS_KEY, or from \
         <data dir>/secrets.key when that is unset)"
    )]
    SecretsKey,
    /// The key is right, the admin token is not.
    #[error(
        "this node's admin token differs from the one the other nodes sharing this database use: \
         set the same HOOKLINE_ADMIN_TOKEN on every node (to change it on purpose, run \
         `hookline migrate` with the new token and the secrets key first)"
    )]
    AdminToken,
}

/// The check value for this node's key and token (freshly sealed: never the same text twice).
pub fn seal(key: &SecretsKey, admin_token: &str) -> String {
    key.seal(&format!("{LABEL}{}", digest(admin_token)))
}

/// Whether `stored` was made by [`seal`] with this key and token.
pub fn verify(key: &SecretsKey, admin_token: &str, stored: &str) -> Result<(), Disagreement> {
    let opened = key.open(stored).map_err(|_| Disagreement::SecretsKey)?;
    let Some(found) = opened.strip_prefix(LABEL) else {
        return Err(Disagreement::SecretsKey);
    };
    if found == digest(admin_token) {
        Ok(())
    } else {
        Err(Disagreement::AdminToken)
    }
}

/// Writes this node's check value when the database has none, else verifies the stored one.
pub async fn agree(store: &PgStore, key: &SecretsKey, admin_token: &str) -> anyhow::Result<()> {
    let stored = store.secrets_check(&seal(key, admin_token)).await?;
    verify(key, admin_token, &stored)?;
    Ok(())
}

/// What `hookline migrate` did with the check value.
#[derive(Debug, PartialEq, Eq)]
pub enum Recorded {
    /// There was none; this key and token are now the ones every node must use.
    New,
    /// The stored one already matches.
    Unchanged,
    /// The key matches and the admin token is now this one; nodes with the old token will
    /// refuse to start.
    TokenChanged,
}

/// Records this key and admin token as the ones every node must use (`hookline migrate`). The
/// key can never change (secrets are sealed with it), so a stored value it cannot open is an
/// error; the token can.
pub async fn record(
    store: &PgStore,
    key: &SecretsKey,
    admin_token: &str,
) -> anyhow::Result<Recorded> {
    let proposed = seal(key, admin_token);
    let stored = store.secrets_check(&proposed).await?;
    if stored == proposed {
        return Ok(Recorded::New);
    }
    match verify(key, admin_token, &stored) {
        Ok(()) => Ok(Recorded::Unchanged),
        Err(Disagreement::AdminToken) => {
            store.replace_secrets_check(&proposed).await?;
            Ok(Recorded::TokenChanged)
        }
        Err(err) => Err(err.into()),
    }
}

fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_key_and_token_agree() {
        let key = SecretsKey::generate();
        let stored = seal(&key, "token-of-the-cluster-0123");
        assert!(!stored.contains("token-of-the-cluster"));
        assert_eq!(verify(&key, "token-of-the-cluster-0123", &stored), Ok(()));
        assert_eq!(
            verify(&key, "another-token-0123456789", &stored),
            Err(Disagreement::AdminToken)
        );
        assert_eq!(
            verify(
                &SecretsKey::generate(),
                "token-of-the-cluster-0123",
                &stored
            ),
            Err(Disagreement::SecretsKey)
        );
        // A value sealed with the right key but not a check is not taken for one.
        assert_eq!(
            verify(&key, "token-of-the-cluster-0123", &key.seal("whsec_x")),
            Err(Disagreement::SecretsKey)
        );
    }
}
