//! Endpoint secrets on SQLite.

use async_trait::async_trait;
use hookline_core::{AppId, EndpointId, Timestamp};
use rusqlite::params;

use super::SqliteStore;
use crate::endpoint_secrets::EndpointSecretStore;
use crate::{StoreError, StoreResult};

#[async_trait]
impl EndpointSecretStore for SqliteStore {
    async fn replace_endpoint_secret(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        expected: &str,
        new: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (app, endpoint) = (app.clone(), endpoint.clone());
        let (expected, new) = (expected.to_owned(), new.to_owned());
        self.writer
            .write(move |c| {
                let changed = c
                    .prepare_cached(
                        "UPDATE endpoints SET secret = ?4, updated_at = ?5
                         WHERE id = ?1 AND app_id = ?2 AND secret = ?3",
                    )?
                    .execute(params![
                        endpoint.as_str(),
                        app.as_str(),
                        expected,
                        new,
                        now.as_millis()
                    ])?;
                if changed > 0 {
                    return Ok(true);
                }
                let exists: i64 = c
                    .prepare_cached("SELECT COUNT(*) FROM endpoints WHERE id = ?1 AND app_id = ?2")?
                    .query_row(params![endpoint.as_str(), app.as_str()], |r| r.get(0))?;
                if exists == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(false)
            })
            .await
    }

    async fn unsealed_endpoint_secrets(
        &self,
        sealed_prefix: &str,
        limit: u32,
    ) -> StoreResult<Vec<(AppId, EndpointId, String)>> {
        let pattern = format!("{}%", sealed_prefix.replace(['%', '_'], ""));
        self.readers
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT app_id, id, secret FROM endpoints WHERE secret NOT LIKE ?1 LIMIT ?2",
                )?;
                let rows = stmt
                    .query_map(params![pattern, limit], |r| {
                        Ok((
                            AppId::from_trusted(r.get(0)?),
                            EndpointId::from_trusted(r.get(1)?),
                            r.get(2)?,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await
    }
}
