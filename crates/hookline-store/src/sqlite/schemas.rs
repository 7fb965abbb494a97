//! Payload validation settings on SQLite.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use crate::schemas::SchemaStore;
use crate::{StoreError, StoreResult};

#[async_trait]
impl SchemaStore for SqliteStore {
    async fn set_payload_validation(&self, event_type: &str, enabled: bool) -> StoreResult<()> {
        let name = event_type.to_owned();
        self.writer
            .write(move |c| {
                let exists = c
                    .prepare_cached("SELECT 1 FROM event_types WHERE name = ?1")?
                    .query_row([&name], |_| Ok(()))
                    .optional()?;
                if exists.is_none() {
                    return Err(StoreError::NotFound);
                }
                c.prepare_cached(
                    "INSERT INTO event_type_validation (name, enabled) VALUES (?1, ?2)
                     ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled",
                )?
                .execute(params![name, enabled])?;
                Ok(())
            })
            .await
    }

    async fn payload_validation(&self, event_type: &str) -> StoreResult<bool> {
        let name = event_type.to_owned();
        self.readers
            .read(move |c| {
                let enabled: Option<bool> = c
                    .prepare_cached("SELECT enabled FROM event_type_validation WHERE name = ?1")?
                    .query_row([name], |r| r.get(0))
                    .optional()?;
                Ok(enabled.unwrap_or(false))
            })
            .await
    }

    async fn validating_schemas(&self, event_type: &str) -> StoreResult<Option<serde_json::Value>> {
        let name = event_type.to_owned();
        self.readers
            .read(move |c| {
                let raw: Option<Option<String>> = c
                    .prepare_cached(
                        "SELECT t.schemas FROM event_type_validation v
                         JOIN event_types t ON t.name = v.name
                         WHERE v.name = ?1 AND v.enabled = 1",
                    )?
                    .query_row([name], |r| r.get(0))
                    .optional()?;
                match raw.flatten() {
                    Some(text) => Ok(Some(serde_json::from_str(&text)?)),
                    None => Ok(None),
                }
            })
            .await
    }
}
