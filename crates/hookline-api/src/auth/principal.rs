//! Who is calling: the admin token or a stored API key, and the tokens keys are made of.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hookline_core::AppId;
use hookline_store::keys::{ApiKey, KeyScope, TokenDigest};
use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The authenticated caller of a request, put in the request's extensions by the auth guard.
#[derive(Debug, Clone)]
pub enum Principal {
    /// The bootstrap admin token: everything, including key management.
    Admin,
    /// A stored API key, active at the time of the request.
    Key(ApiKey),
}

impl Principal {
    /// A stable name for rate limits and idempotency scopes: `admin` or the key's id.
    pub fn id(&self) -> &str {
        match self {
            Self::Admin => "admin",
            Self::Key(key) => key.id.as_str(),
        }
    }

    /// The one application this caller is bound to, with its read-only flag, if any.
    pub fn app_scope(&self) -> Option<(&AppId, bool)> {
        match self {
            Self::Key(ApiKey {
                scope: KeyScope::Application { app_id, read_only },
                ..
            }) => Some((app_id, *read_only)),
            _ => None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| ApiError::Unauthorized("missing the Authorization header".into()))
    }
}

/// A freshly made token: shown once to its creator, stored only as its digest.
#[derive(Debug)]
pub struct NewToken {
    /// The secret to hand out.
    pub token: String,
    /// What the store keeps.
    pub digest: TokenDigest,
}

/// Random characters in a token (about 238 bits).
const TOKEN_CHARS: usize = 40;

impl NewToken {
    /// A new random token: `hl_sk_...` for organisation keys, `hl_appsk_...` for app keys.
    pub fn generate(scope: &KeyScope) -> Self {
        let prefix = match scope {
            KeyScope::Organization => "hl_sk_",
            KeyScope::Application { .. } => "hl_appsk_",
        };
        let random: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(TOKEN_CHARS)
            .map(char::from)
            .collect();
        let token = format!("{prefix}{random}");
        let digest = digest(&token);
        Self { token, digest }
    }
}

/// The SHA-256 digest a token is stored and looked up by.
pub fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_stored_by_digest() {
        let a = NewToken::generate(&KeyScope::Organization);
        let b = NewToken::generate(&KeyScope::Organization);
        assert!(a.token.starts_with("hl_sk_"));
        assert_eq!(a.token.len(), "hl_sk_".len() + TOKEN_CHARS);
        assert_ne!(a.token, b.token);
        assert_eq!(a.digest, digest(&a.token));
        let app = NewToken::generate(&KeyScope::Application {
            app_id: AppId::generate(),
            read_only: false,
        });
        assert!(app.token.starts_with("hl_appsk_"));
    }
}
