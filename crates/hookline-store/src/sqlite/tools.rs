//! The endpoint tools on SQLite.

use async_trait::async_trait;
use hookline_core::model::{DeliveryStatus, Message};
use hookline_core::{AppId, DeliveryId, EndpointId, Timestamp};
use rusqlite::{Connection, params};

use super::{SqliteStore, attempts, messages};
use crate::query::AttemptFilter;
use crate::tools::{EndpointStats, ToolsStore};
use crate::{StoreError, StoreResult};

fn create_for_endpoint(
    conn: &Connection,
    message: Message,
    endpoint: &EndpointId,
) -> StoreResult<Message> {
    // Planned for this endpoint only: the application's other endpoints are not asked.
    conn.prepare_cached(
        "INSERT INTO messages (id, app_id, event_type, event_id, channels, payload, created_at)
         VALUES (?1, ?2, ?3, NULL, NULL, ?4, ?5)",
    )?
    .execute(params![
        message.id.as_str(),
        message.app_id.as_str(),
        message.event_type.as_str(),
        message.payload,
        message.created_at.as_millis(),
    ])?;
    conn.prepare_cached(
        "INSERT INTO deliveries (id, msg_id, endpoint_id, app_id, status, attempt_count,
         next_attempt_at, created_at, updated_at, manual)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6, ?6, 1)",
    )?
    .execute(params![
        DeliveryId::generate().as_str(),
        message.id.as_str(),
        endpoint.as_str(),
        message.app_id.as_str(),
        DeliveryStatus::Pending.code(),
        message.created_at.as_millis(),
    ])?;
    Ok(message)
}

fn stats(
    conn: &Connection,
    app: &AppId,
    endpoint: &EndpointId,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
) -> StoreResult<EndpointStats> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.status, COUNT(*) FROM deliveries d JOIN messages m ON m.id = d.msg_id
         WHERE d.endpoint_id = ?1 AND d.app_id = ?2 AND m.created_at >= ?3 AND m.created_at < ?4
         GROUP BY d.status",
    )?;
    let rows = stmt.query_map(
        params![
            endpoint.as_str(),
            app.as_str(),
            since.map_or(i64::MIN, Timestamp::as_millis),
            until.map_or(i64::MAX, Timestamp::as_millis),
        ],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
    )?;
    let mut out = EndpointStats::default();
    for row in rows {
        let (status, count) = row?;
        let count = count.max(0) as u64;
        match DeliveryStatus::from_code(status) {
            Some(DeliveryStatus::Success) => out.success += count,
            Some(DeliveryStatus::Pending) => out.pending += count,
            Some(DeliveryStatus::Sending) => out.sending += count,
            Some(DeliveryStatus::Fail) => out.fail += count,
            None => {}
        }
    }
    Ok(out)
}

fn expunge_message(conn: &Connection, app: &AppId, msg_id: &str) -> StoreResult<()> {
    let message = messages::get(conn, app, msg_id)?.ok_or(StoreError::NotFound)?;
    conn.prepare_cached("UPDATE messages SET payload = NULL WHERE id = ?1")?
        .execute([message.id.as_str()])?;
    Ok(())
}

fn expunge_attempt(conn: &Connection, app: &AppId, msg_id: &str, attempt: &str) -> StoreResult<()> {
    let message = messages::get(conn, app, msg_id)?.ok_or(StoreError::NotFound)?;
    let changed = conn
        .prepare_cached("UPDATE attempts SET response = '' WHERE id = ?1 AND msg_id = ?2")?
        .execute([attempt, message.id.as_str()])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[async_trait]
impl ToolsStore for SqliteStore {
    async fn create_message_for_endpoint(
        &self,
        message: Message,
        endpoint: &EndpointId,
    ) -> StoreResult<Message> {
        let endpoint = endpoint.clone();
        self.writer
            .write(move |c| create_for_endpoint(c, message, &endpoint))
            .await
    }

    async fn endpoint_stats(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
    ) -> StoreResult<EndpointStats> {
        let (app, endpoint) = (app.clone(), endpoint.clone());
        self.readers
            .read(move |c| stats(c, &app, &endpoint, since, until))
            .await
    }

    async fn count_attempts(
        &self,
        app: &AppId,
        filter: &AttemptFilter,
        cap: u64,
    ) -> StoreResult<(u64, bool)> {
        let (app, filter) = (app.clone(), filter.clone());
        self.readers
            .read(move |c| attempts::count(c, &app, &filter, cap))
            .await
    }

    async fn expunge_message_content(&self, app: &AppId, msg_id: &str) -> StoreResult<()> {
        let (app, msg_id) = (app.clone(), msg_id.to_owned());
        self.writer
            .write(move |c| expunge_message(c, &app, &msg_id))
            .await
    }

    async fn expunge_attempt_content(
        &self,
        app: &AppId,
        msg_id: &str,
        attempt_id: &str,
    ) -> StoreResult<()> {
        let (app, msg_id, attempt) = (app.clone(), msg_id.to_owned(), attempt_id.to_owned());
        self.writer
            .write(move |c| expunge_attempt(c, &app, &msg_id, &attempt))
            .await
    }
}
