//! Storage side of housekeeping: disabling endpoints that keep failing, and retention.
//!
//! Every method does a bounded amount of work in one transaction and says how much it did, so
//! the caller loops until there is nothing left without ever holding the writer for long.

use async_trait::async_trait;
use hookline_core::{AppId, EndpointId, Timestamp};

use crate::StoreResult;

/// Housekeeping, as storage operations. Part of [`crate::Store`].
#[async_trait]
pub trait MaintenanceStore {
    /// Disables every enabled endpoint whose deliveries have kept exhausting their retries, with
    /// no successful attempt, since `failing_since` or earlier; returns the endpoints disabled.
    ///
    /// The clock starts at an endpoint's first exhausted delivery after its last success (or
    /// after it was last enabled); any successful attempt stops it.
    async fn disable_failing_endpoints(
        &self,
        failing_since: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Vec<(AppId, EndpointId)>>;

    /// Removes up to `limit` expired payloads: those whose own expiry
    /// ([`Message::payload_expires_at`](hookline_core::model::Message::payload_expires_at)) is
    /// at or before `now`, and those without one created before `before` (the server's
    /// retention). Deliveries still waiting for them then fail (nothing is left to send).
    async fn expire_payloads(
        &self,
        now: Timestamp,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64>;

    /// Deletes up to `limit` attempts created before `before`.
    async fn prune_attempts(&self, before: Timestamp, limit: u32) -> StoreResult<u64>;

    /// Deletes up to `limit` messages created before `before` whose payload is gone and that no
    /// delivery is waiting for, with their deliveries and attempts.
    async fn prune_messages(&self, before: Timestamp, limit: u32) -> StoreResult<u64>;

    /// Deletes up to `limit` background tasks that ended (finished or failed) and last changed
    /// before `before`, oldest first. A running task is kept however old it is.
    async fn prune_tasks(&self, before: Timestamp, limit: u32) -> StoreResult<u64>;
}
