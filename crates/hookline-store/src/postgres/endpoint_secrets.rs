//! Endpoint secrets on PostgreSQL (`../sqlite/endpoint_secrets.rs`).

use async_trait::async_trait;
use hookline_core::{AppId, EndpointId, Timestamp};

use super::PgStore;
use super::rows::RowExt;
use crate::endpoint_secrets::EndpointSecretStore;
use crate::{StoreError, StoreResult};

#[async_trait]
impl EndpointSecretStore for PgStore {
    async fn replace_endpoint_secret(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        expected: &str,
        new: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let client = self.db.client().await?;
        // Compare-and-set in one statement: of two nodes rotating at once, one wins and the
        // other sees `false` and reads the secret again.
        let replace = client
            .prepare_cached(
                "UPDATE endpoints SET secret = $4, updated_at = $5
                 WHERE id = $1 AND app_id = $2 AND secret = $3",
            )
            .await?;
        let changed = client
            .execute(
                &replace,
                &[
                    &endpoint.as_str(),
                    &app.as_str(),
                    &expected,
                    &new,
                    &now.as_millis(),
                ],
            )
            .await?;
        if changed > 0 {
            return Ok(true);
        }
        let exists = client
            .prepare_cached("SELECT 1 FROM endpoints WHERE id = $1 AND app_id = $2")
            .await?;
        match client
            .query_opt(&exists, &[&endpoint.as_str(), &app.as_str()])
            .await?
        {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound),
        }
    }

    async fn unsealed_endpoint_secrets(
        &self,
        sealed_prefix: &str,
        limit: u32,
    ) -> StoreResult<Vec<(AppId, EndpointId, String)>> {
        let client = self.db.client().await?;
        // starts_with compares bytes as they are: no LIKE wildcards to strip from the prefix.
        let stmt = client
            .prepare_cached(
                "SELECT app_id, id, secret FROM endpoints
                 WHERE NOT starts_with(secret, $1) LIMIT $2",
            )
            .await?;
        let rows = client
            .query(&stmt, &[&sealed_prefix, &i64::from(limit)])
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    AppId::from_trusted(row.col(0)?),
                    EndpointId::from_trusted(row.col(1)?),
                    row.col(2)?,
                ))
            })
            .collect()
    }
}
