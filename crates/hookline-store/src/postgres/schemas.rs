//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::schemas::*;
use async_trait::async_trait;

#[async_trait]
impl SchemaStore for PgStore {
    async fn set_payload_validation(&self, event_type: &str, enabled: bool) -> StoreResult<()> {
        Err(super::unported("set_payload_validation"))
    }

    async fn payload_validation(&self, event_type: &str) -> StoreResult<bool> {
        Err(super::unported("payload_validation"))
    }

    async fn validating_schemas(&self, event_type: &str) -> StoreResult<Option<serde_json::Value>> {
        Err(super::unported("validating_schemas"))
    }
}
