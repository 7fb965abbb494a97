//! Idempotency keys: the first response to a request, kept so a retry gets it again.
//!
//! A key is claimed before the request runs. The claim is a write through the same group commit as
//! everything else, and the single writer decides it, so two requests with one key can never both
//! be told [`ClaimOutcome::Claimed`].

use std::time::Duration;

use async_trait::async_trait;
use hookline_core::Timestamp;

use crate::StoreResult;

/// A request to claim `key` for the principal `scope`.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    /// Whose key it is (keys of different principals never collide).
    pub scope: String,
    /// The `Idempotency-Key` header's value.
    pub key: String,
    /// Digest of what makes the request the same request (method, path, body).
    pub request_hash: [u8; 32],
    /// The time of the claim.
    pub now: Timestamp,
    /// How long a completed response is kept.
    pub ttl: Duration,
    /// How long an unfinished claim holds before another request may take it over (its request
    /// is presumed lost, e.g. the node died).
    pub stale_after: Duration,
}

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The key was free (or expired, or stale): the caller runs the request, then completes or
    /// releases the key.
    Claimed,
    /// Another request with this key is running.
    InProgress {
        /// Whether that request is the same (same hash) as this one.
        same_request: bool,
    },
    /// A request with this key already finished.
    Completed {
        /// Whether that request is the same (same hash) as this one.
        same_request: bool,
        /// Its response.
        response: StoredResponse,
    },
}

/// Storage of idempotency keys.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims a key, or reports who holds it.
    async fn claim_idempotency_key(&self, claim: IdempotencyClaim) -> StoreResult<ClaimOutcome>;
    /// Stores the response of a claimed key for replay.
    async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        response: StoredResponse,
    ) -> StoreResult<()>;
    /// Frees a claimed key without a response (the request failed in a way worth retrying).
    async fn release_idempotency_key(&self, scope: &str, key: &str) -> StoreResult<()>;
    /// Deletes at most `limit` keys that expired before `now`; returns how many went.
    async fn prune_idempotency_keys(&self, now: Timestamp, limit: u32) -> StoreResult<usize>;
}
