//! Attempt headers on SQLite: three JSON columns per attempt, written in the attempt's own
//! transaction and removed with it.

use async_trait::async_trait;
use hookline_core::exchange::AttemptHeaders;
use hookline_core::{AppId, AttemptId, MessageId};
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use crate::attempt_headers::AttemptHeadersStore;
use crate::{StoreError, StoreResult};

type Pairs = Vec<(String, String)>;

fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Internal(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Stores `headers` for attempt `id` (inside the caller's transaction).
pub(crate) fn insert(
    conn: &Connection,
    id: &AttemptId,
    headers: &AttemptHeaders,
) -> StoreResult<()> {
    let response = headers.response.as_ref().map(to_json).transpose()?;
    conn.prepare_cached(
        "INSERT INTO attempt_headers (attempt_id, sent, response, sensitive) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        id.as_str(),
        to_json(&headers.sent)?,
        response,
        to_json(&headers.sensitive)?,
    ])?;
    Ok(())
}

fn read(
    conn: &Connection,
    app: &AppId,
    msg: &MessageId,
    attempt: &str,
) -> StoreResult<Option<AttemptHeaders>> {
    Ok(conn
        .prepare_cached(
            "SELECT h.sent, h.response, h.sensitive FROM attempt_headers h
             JOIN attempts a ON a.id = h.attempt_id
             WHERE a.id = ?1 AND a.app_id = ?2 AND a.msg_id = ?3",
        )?
        .query_row(params![attempt, app.as_str(), msg.as_str()], |row| {
            let sent: String = row.get(0)?;
            let response: Option<String> = row.get(1)?;
            let sensitive: String = row.get(2)?;
            Ok(AttemptHeaders {
                sent: from_json::<Pairs>(&sent)?,
                response: response.as_deref().map(from_json::<Pairs>).transpose()?,
                sensitive: from_json(&sensitive)?,
            })
        })
        .optional()?)
}

#[async_trait]
impl AttemptHeadersStore for SqliteStore {
    async fn attempt_headers(
        &self,
        app: &AppId,
        msg: &MessageId,
        attempt_id: &str,
    ) -> StoreResult<Option<AttemptHeaders>> {
        let (app, msg, attempt) = (app.clone(), msg.clone(), attempt_id.to_owned());
        self.readers
            .read(move |c| read(c, &app, &msg, &attempt))
            .await
    }
}
