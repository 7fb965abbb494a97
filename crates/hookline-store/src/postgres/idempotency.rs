//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::idempotency::*;
use async_trait::async_trait;
use hookline_core::Timestamp;
use std::time::Duration;

#[async_trait]
impl IdempotencyStore for PgStore {
    async fn claim_idempotency_key(&self, claim: IdempotencyClaim) -> StoreResult<ClaimOutcome> {
        Err(super::unported("claim_idempotency_key"))
    }

    async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        response: StoredResponse,
    ) -> StoreResult<()> {
        Err(super::unported("complete_idempotency_key"))
    }

    async fn release_idempotency_key(&self, scope: &str, key: &str) -> StoreResult<()> {
        Err(super::unported("release_idempotency_key"))
    }

    async fn prune_idempotency_keys(&self, now: Timestamp, limit: u32) -> StoreResult<usize> {
        Err(super::unported("prune_idempotency_keys"))
    }
}
