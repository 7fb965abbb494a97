//! Throttled "last used" bookkeeping: at most one write per key per interval, not one per request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use hookline_core::{KeyId, Timestamp};
use hookline_store::keys::ApiKey;

/// How stale a key's `lastUsedAt` may get before it is written again.
pub const LAST_USED_PRECISION: Duration = Duration::from_secs(60);

/// Keys tracked in memory before old entries are swept.
const SWEEP_AT: usize = 10_000;

/// Remembers which keys had their last use recorded recently.
#[derive(Debug, Default)]
pub struct UsageTracker {
    recent: Mutex<HashMap<KeyId, Timestamp>>,
}

impl UsageTracker {
    /// True when `key`'s use at `now` should be written: its stored time is older than
    /// [`LAST_USED_PRECISION`] and no other request is already writing it.
    pub fn due(&self, key: &ApiKey, now: Timestamp) -> bool {
        let fresh_after = now.minus(LAST_USED_PRECISION);
        if key.last_used_at.is_some_and(|at| at > fresh_after) {
            return false;
        }
        let Ok(mut recent) = self.recent.lock() else {
            return false;
        };
        if recent.get(&key.id).is_some_and(|at| *at > fresh_after) {
            return false;
        }
        if recent.len() >= SWEEP_AT {
            recent.retain(|_, at| *at > fresh_after);
        }
        recent.insert(key.id.clone(), now);
        true
    }
}

#[cfg(test)]
mod tests {
    use hookline_store::keys::KeyScope;

    use super::*;

    #[test]
    fn a_key_is_written_once_per_interval() {
        let tracker = UsageTracker::default();
        let now = Timestamp::from_millis(1_000_000_000);
        let mut key = ApiKey {
            id: KeyId::generate(),
            name: "k".into(),
            scope: KeyScope::Organization,
            created_at: now,
            last_used_at: None,
            expires_at: None,
            revoked_at: None,
            session_id: None,
        };
        assert!(tracker.due(&key, now));
        assert!(!tracker.due(&key, now.plus(Duration::from_secs(1))));
        key.last_used_at = Some(now);
        assert!(tracker.due(&key, now.plus(LAST_USED_PRECISION + Duration::from_secs(1))));
    }
}
