//! Attempt headers on PostgreSQL (`../sqlite/attempt_headers.rs`): three JSON columns per
//! attempt, written with the attempt (in the statement that inserts it, see
//! `super::deliveries`) and removed with it (`ON DELETE CASCADE`).

use async_trait::async_trait;
use hookline_core::exchange::AttemptHeaders;
use hookline_core::{AppId, MessageId};

use super::PgStore;
use super::rows::RowExt;
use crate::attempt_headers::AttemptHeadersStore;
use crate::{StoreError, StoreResult};

fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Internal(e.to_string()))
}

/// The `sent`, `response` and `sensitive` columns for `headers` (JSON texts), written with the
/// attempt by `record_attempts` in the statement that inserts the attempt.
pub(crate) fn columns(headers: &AttemptHeaders) -> StoreResult<(String, Option<String>, String)> {
    Ok((
        to_json(&headers.sent)?,
        headers.response.as_ref().map(to_json).transpose()?,
        to_json(&headers.sensitive)?,
    ))
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
