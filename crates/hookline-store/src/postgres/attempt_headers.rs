//! Attempt headers on PostgreSQL (`../sqlite/attempt_headers.rs`): three JSON columns per
//! attempt, written in the attempt's own transaction and removed with it (`ON DELETE CASCADE`).

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use hookline_core::exchange::AttemptHeaders;
use hookline_core::{AppId, AttemptId, MessageId};

use super::PgStore;
use super::rows::RowExt;
use crate::attempt_headers::AttemptHeadersStore;
use crate::{StoreError, StoreResult};

fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Internal(e.to_string()))
}

/// Stores `headers` for attempt `id` (inside the caller's transaction).
pub(crate) async fn insert(
    c: &impl GenericClient,
    id: &AttemptId,
    headers: &AttemptHeaders,
) -> StoreResult<()> {
    let response = headers.response.as_ref().map(to_json).transpose()?;
    let stmt = c
        .prepare_cached(
            "INSERT INTO attempt_headers (attempt_id, sent, response, sensitive)
             VALUES ($1, $2, $3, $4)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &id.as_str(),
            &to_json(&headers.sent)?,
            &response,
            &to_json(&headers.sensitive)?,
        ],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl AttemptHeadersStore for PgStore {
    async fn attempt_headers(
        &self,
        app: &AppId,
        msg: &MessageId,
        attempt_id: &str,
    ) -> StoreResult<Option<AttemptHeaders>> {
        let c = self.db.client().await?;
        let stmt = c
            .prepare_cached(
                "SELECT h.sent, h.response, h.sensitive FROM attempt_headers h
                 JOIN attempts a ON a.id = h.attempt_id
                 WHERE a.id = $1 AND a.app_id = $2 AND a.msg_id = $3",
            )
            .await?;
        let Some(row) = c
            .query_opt(&stmt, &[&attempt_id, &app.as_str(), &msg.as_str()])
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(AttemptHeaders {
            sent: row.json(0)?,
            response: row.opt_json(1)?,
            sensitive: row.json(2)?,
        }))
    }
}
