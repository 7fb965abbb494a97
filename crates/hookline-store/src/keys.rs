//! API keys: who may call the management API, and on what.
//!
//! A key's secret token is never stored: only its SHA-256 digest, which is what lookups use.
//! Tokens are long random strings, so a plain digest is enough (no password hashing needed).

use async_trait::async_trait;
use hookline_core::{AppId, KeyId, Timestamp};

use crate::StoreResult;
use crate::page::{Page, PageRequest};

/// The name of the keys `POST /auth/app-portal-access` makes: app-portal tokens.
pub const PORTAL_KEY_NAME: &str = "app-portal-access";

/// The SHA-256 digest of a key's token.
pub type TokenDigest = [u8; 32];

/// What a key may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyScope {
    /// Everything in the organisation except key management.
    Organization,
    /// One application's endpoints, messages and attempts.
    Application {
        /// The application the key is bound to.
        app_id: AppId,
        /// When true, the key may only read.
        read_only: bool,
    },
}

/// A stored API key (without its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Public identifier (`key_...`), safe to show and log.
    pub id: KeyId,
    /// A label chosen by the creator.
    pub name: String,
    /// What the key may reach.
    pub scope: KeyScope,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last used, to within the throttle interval of the caller's updates.
    pub last_used_at: Option<Timestamp>,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked; a revoked key never works again.
    pub revoked_at: Option<Timestamp>,
    /// The app-portal session it was made for (`sessionId`), if one was named.
    pub session_id: Option<String>,
}

impl ApiKey {
    /// True when the key may be used at `now`: neither revoked nor expired.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }
}

/// Storage of API keys.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Stores a new key under the digest of its token.
    async fn create_api_key(&self, key: ApiKey, digest: TokenDigest) -> StoreResult<ApiKey>;
    /// Finds the key whose token has this digest (revoked and expired ones included).
    async fn find_api_key(&self, digest: TokenDigest) -> StoreResult<Option<ApiKey>>;
    /// Finds a key by id.
    async fn get_api_key(&self, id: &KeyId) -> StoreResult<Option<ApiKey>>;
    /// Lists keys by id (oldest first by default).
    async fn list_api_keys(&self, page: &PageRequest) -> StoreResult<Page<ApiKey>>;
    /// Revokes a key at `at` (keeping the first revocation time); `NotFound` when absent.
    async fn revoke_api_key(&self, id: &KeyId, at: Timestamp) -> StoreResult<ApiKey>;
    /// Records last-use times for many keys in one write; unknown keys are skipped.
    async fn touch_api_keys(&self, used: Vec<(KeyId, Timestamp)>) -> StoreResult<()>;
    /// Makes `app`'s app-portal tokens (keys named [`PORTAL_KEY_NAME`]; only those of
    /// `sessions`, when any are named) stop working at `at`: a token that expires sooner, or is
    /// revoked, is left as it is, and so are the application's other keys (server-to-server
    /// keys made with the API-key routes). Answers how many changed.
    async fn expire_app_keys(
        &self,
        app: &AppId,
        sessions: &[String],
        at: Timestamp,
    ) -> StoreResult<u64>;
}
