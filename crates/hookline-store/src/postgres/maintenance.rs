//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::maintenance::*;
use async_trait::async_trait;
use hookline_core::{AppId, EndpointId, Timestamp};

#[async_trait]
impl MaintenanceStore for PgStore {
    async fn disable_failing_endpoints(
        &self,
        failing_since: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Vec<(AppId, EndpointId)>> {
        Err(super::unported("disable_failing_endpoints"))
    }

    async fn expire_payloads(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        Err(super::unported("expire_payloads"))
    }

    async fn prune_attempts(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        Err(super::unported("prune_attempts"))
    }

    async fn prune_messages(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        Err(super::unported("prune_messages"))
    }
}
