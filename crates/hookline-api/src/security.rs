//! The request guards' shared state: rate-limit buckets, last-use bookkeeping, idempotency upkeep.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::auth::usage::UsageTracker;
use crate::rate_limit::{KeyedLimiter, RateLimitConfig};

/// Idempotency claims between two prunes of expired keys.
const PRUNE_EVERY: u64 = 1024;

/// What the guards in front of the API keep between requests.
#[derive(Debug, Default)]
pub struct Security {
    /// One token bucket per caller; `None` when rate limiting is off.
    pub limiter: Option<Arc<KeyedLimiter>>,
    /// Which keys had their last use written recently.
    pub usage: UsageTracker,
    claims: AtomicU64,
}

impl Security {
    /// Guards limiting each caller as `rate_limit` says.
    pub fn new(rate_limit: RateLimitConfig) -> Self {
        Self {
            limiter: KeyedLimiter::new(rate_limit).map(Arc::new),
            usage: UsageTracker::default(),
            claims: AtomicU64::new(0),
        }
    }

    /// Counts an idempotency claim; true on the first and then every [`PRUNE_EVERY`]th, when
    /// expired keys should be pruned.
    pub(crate) fn prune_due(&self) -> bool {
        self.claims
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY)
    }
}
