//! Payload validation settings on PostgreSQL (`../sqlite/schemas.rs`).

use async_trait::async_trait;
use tokio_postgres::error::SqlState;

use super::PgStore;
use super::rows::RowExt;
use crate::schemas::SchemaStore;
use crate::{StoreError, StoreResult};

#[async_trait]
impl SchemaStore for PgStore {
    async fn set_payload_validation(&self, event_type: &str, enabled: bool) -> StoreResult<()> {
        let client = self.db.client().await?;
        // One statement: the setting is written only if the event type exists, and a delete of
        // the event type racing with it ends as NotFound either way.
        let stmt = client
            .prepare_cached(
                "INSERT INTO event_type_validation (name, enabled)
                 SELECT t.name, $2 FROM event_types t WHERE t.name = $1
                 ON CONFLICT (name) DO UPDATE SET enabled = EXCLUDED.enabled",
            )
            .await?;
        match client.execute(&stmt, &[&event_type, &enabled]).await {
            Ok(0) => Err(StoreError::NotFound),
            Ok(_) => Ok(()),
            Err(err) if err.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                Err(StoreError::NotFound)
            }
            Err(err) => Err(err.into()),
        }
    }

    async fn payload_validation(&self, event_type: &str) -> StoreResult<bool> {
        let client = self.db.client().await?;
        let stmt = client
            .prepare_cached("SELECT enabled FROM event_type_validation WHERE name = $1")
            .await?;
        match client.query_opt(&stmt, &[&event_type]).await? {
            Some(row) => row.col(0),
            None => Ok(false),
        }
    }

    async fn validating_schemas(&self, event_type: &str) -> StoreResult<Option<serde_json::Value>> {
        let client = self.db.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT t.schemas FROM event_type_validation v
                 JOIN event_types t ON t.name = v.name
                 WHERE v.name = $1 AND v.enabled",
            )
            .await?;
        match client.query_opt(&stmt, &[&event_type]).await? {
            Some(row) => row.opt_json(0),
            None => Ok(None),
        }
    }
}
