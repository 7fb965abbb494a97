//! Who is calling: the admin token or a stored API key, and the tokens keys are made of.
//!
//! A key's token names the environment the key belongs to (`hl_sk_env_..._<random>`), so a
//! request can be sent to that environment's store before anything is looked up; keys of the
//! default environment carry no environment (`hl_sk_<random>`), as they always have.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hookline_core::{AppId, EnvId};
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

/// Token prefixes: organisation keys, then application keys.
const KEY_PREFIXES: [&str; 2] = ["hl_sk_", "hl_appsk_"];

impl NewToken {
    /// A new random token: `hl_sk_...` for organisation keys, `hl_appsk_...` for app keys,
    /// followed by `<env_id>_` for a key of an environment other than the default one.
    pub fn generate(scope: &KeyScope, environment: Option<&EnvId>) -> Self {
        let prefix = match scope {
            KeyScope::Organization => KEY_PREFIXES[0],
            KeyScope::Application { .. } => KEY_PREFIXES[1],
        };
        let environment = environment.map(|env| format!("{env}_")).unwrap_or_default();
        let random: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(TOKEN_CHARS)
            .map(char::from)
            .collect();
        let token = format!("{prefix}{environment}{random}");
        let digest = digest(&token);
        Self { token, digest }
    }
}

/// The environment a key's token names (`hl_sk_env_<22>_...`), read from the text alone; `None`
/// for the default environment's keys and for anything that is not a key token. Nothing is
/// trusted from it: the key is still looked up, in that environment's store only.
pub fn token_environment(token: &str) -> Option<EnvId> {
    let rest = KEY_PREFIXES
        .iter()
        .find_map(|prefix| token.strip_prefix(prefix))?;
    let (candidate, random) = rest.split_at_checked(EnvId::PREFIX.len() + 22)?;
    random.strip_prefix('_')?;
    EnvId::parse(candidate)
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
        let a = NewToken::generate(&KeyScope::Organization, None);
        let b = NewToken::generate(&KeyScope::Organization, None);
        assert!(a.token.starts_with("hl_sk_"));
        assert_eq!(a.token.len(), "hl_sk_".len() + TOKEN_CHARS);
        assert_ne!(a.token, b.token);
        assert_eq!(a.digest, digest(&a.token));
        let app = NewToken::generate(
            &KeyScope::Application {
                app_id: AppId::generate(),
                read_only: false,
            },
            None,
        );
        assert!(app.token.starts_with("hl_appsk_"));
        assert_eq!(token_environment(&a.token), None);
        assert_eq!(token_environment(&app.token), None);
    }

    #[test]
    fn keys_of_other_environments_name_their_environment() {
        let env = EnvId::generate();
        let org = NewToken::generate(&KeyScope::Organization, Some(&env));
        assert!(
            org.token.starts_with(&format!("hl_sk_{env}_")),
            "{}",
            org.token
        );
        assert_eq!(token_environment(&org.token), Some(env.clone()));
        let app = NewToken::generate(
            &KeyScope::Application {
                app_id: AppId::generate(),
                read_only: true,
            },
            Some(&env),
        );
        assert_eq!(token_environment(&app.token), Some(env.clone()));
        for other in [
            format!("hl_admin_{env}_x"),
            format!("hl_sk_{env}"),
            format!("hl_sk_{env}x"),
            "hl_sk_env_short_x".to_owned(),
            "hl_sk_".to_owned(),
            "hl_sk_env_".to_owned(),
            String::new(),
        ] {
            assert_eq!(token_environment(&other), None, "{other}");
        }
    }
}
