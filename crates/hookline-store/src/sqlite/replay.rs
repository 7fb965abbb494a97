//! Replays on SQLite: re-queueing deliveries in bounded batches.

use async_trait::async_trait;
use hookline_core::filter::endpoint_receives;
use hookline_core::model::DeliveryStatus;
use hookline_core::operational::FAILING_AFTER_ATTEMPT;
use hookline_core::{AppId, DeliveryId, EndpointId, EventTypeName, MessageId, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, endpoints};
use crate::replay::{
    ReplayBatch, ReplayMode, ReplaySpec, ReplayStore, ResendOutcome, stored_channels, stored_tags,
};
use crate::{StoreError, StoreResult};

/// Puts an existing delivery back on the queue with a fresh schedule, marked manual. A failed
/// delivery that reached the `failing` attempt (or had already been re-queued after it) keeps
/// `failing_sent`, so its next success reports `message.attempt.recovered`.
fn requeue(conn: &Connection, delivery: &str, now: Timestamp) -> StoreResult<()> {
    conn.prepare_cached(REQUEUE)?.execute(params![
        delivery,
        DeliveryStatus::Pending.code(),
        now.as_millis(),
        DeliveryStatus::Fail.code(),
        FAILING_AFTER_ATTEMPT,
    ])?;
    Ok(())
}

const REQUEUE: &str = "UPDATE deliveries SET status = ?2, attempt_count = 0, next_attempt_at = ?3,
    updated_at = ?3, manual = 1,
    failing_sent = (status = ?4 AND (attempt_count >= ?5 OR failing_sent <> 0))
    WHERE id = ?1";

/// Plans a delivery the message never had, due now and marked manual.
fn plan(
    conn: &Connection,
    app: &AppId,
    msg: &str,
    endpoint: &EndpointId,
    now: Timestamp,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO deliveries (id, msg_id, endpoint_id, app_id, status, attempt_count,
         next_attempt_at, created_at, updated_at, manual)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6, ?6, 1)",
    )?
    .execute(params![
        DeliveryId::generate().as_str(),
        msg,
        endpoint.as_str(),
        app.as_str(),
        DeliveryStatus::Pending.code(),
        now.as_millis()
    ])?;
    Ok(())
}

fn resend(
    conn: &Connection,
    app: &AppId,
    msg: &MessageId,
    endpoint: &EndpointId,
    now: Timestamp,
) -> StoreResult<ResendOutcome> {
    let existing: Option<(String, i64)> = conn
        .prepare_cached(
            "SELECT id, status FROM deliveries WHERE msg_id = ?1 AND endpoint_id = ?2 AND app_id = ?3",
        )?
        .query_row(params![msg.as_str(), endpoint.as_str(), app.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match existing {
        Some((_, status))
            if status == DeliveryStatus::Pending.code()
                || status == DeliveryStatus::Sending.code() =>
        {
            Ok(ResendOutcome::AlreadyQueued)
        }
        Some((id, _)) => {
            requeue(conn, &id, now)?;
            Ok(ResendOutcome::Queued)
        }
        None => {
            plan(conn, app, msg.as_str(), endpoint, now)?;
            Ok(ResendOutcome::Queued)
        }
    }
}

/// The response status of a delivery's last attempt (`NULL` when it has none).
const LAST_STATUS: &str = "(SELECT x.response_status_code FROM attempts x
    WHERE x.delivery_id = d.id ORDER BY x.created_at DESC, x.id DESC LIMIT 1)";

/// A delivery a recover or bulk replay looks at.
struct Candidate {
    delivery: String,
    msg_id: String,
    status: i64,
    event_type: String,
    channels: Option<String>,
    has_payload: bool,
    tags: Option<String>,
    last_status: Option<i64>,
}

/// One batch over the endpoint's existing deliveries (recover, bulk replay).
fn requeue_batch(
    conn: &Connection,
    spec: &ReplaySpec,
    after: &str,
    limit: u32,
    now: Timestamp,
) -> StoreResult<ReplayBatch> {
    let (since, until) = spec.window();
    // The last attempt's status is looked up (one index probe each) only when filtered on.
    let last_status = match spec.status_code_class() {
        Some(_) => LAST_STATUS,
        None => "NULL",
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT d.id, d.msg_id, d.status, m.event_type, m.channels, m.payload IS NOT NULL,
         m.tags, {last_status}
         FROM deliveries d JOIN messages m ON m.id = d.msg_id
         WHERE d.endpoint_id = ?1 AND d.msg_id > ?2 AND m.created_at >= ?3 AND m.created_at < ?4
         ORDER BY d.msg_id LIMIT ?5"
    ))?;
    let rows = stmt
        .query_map(
            params![spec.endpoint_id.as_str(), after, since, until, limit],
            |r| {
                Ok(Candidate {
                    delivery: r.get(0)?,
                    msg_id: r.get(1)?,
                    status: r.get(2)?,
                    event_type: r.get(3)?,
                    channels: r.get(4)?,
                    has_payload: r.get(5)?,
                    tags: r.get(6)?,
                    last_status: r.get(7)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let next = (rows.len() as u32 == limit)
        .then(|| rows.last().map(|r| r.msg_id.clone()))
        .flatten();
    let mut queued = 0;
    for c in rows {
        let status = DeliveryStatus::from_code(c.status)
            .ok_or_else(|| StoreError::Internal(format!("delivery status {}", c.status)))?;
        let channels = stored_channels(c.channels.as_deref());
        let tags = stored_tags(c.tags.as_deref());
        if c.has_payload
            && spec.requeues(status)
            && spec.message_matches(&c.event_type, channels.as_deref(), tags.as_deref())
            && spec.last_attempt_matches(c.last_status)
        {
            requeue(conn, &c.delivery, now)?;
            queued += 1;
        }
    }
    Ok(ReplayBatch { queued, next })
}

/// One batch over the application's messages the endpoint never had (replay missing).
fn missing_batch(
    conn: &Connection,
    spec: &ReplaySpec,
    after: &str,
    limit: u32,
    now: Timestamp,
) -> StoreResult<ReplayBatch> {
    let endpoint = endpoints::get(conn, &spec.app_id, spec.endpoint_id.as_str())?
        .ok_or(StoreError::NotFound)?;
    let (since, until) = spec.window();
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.event_type, m.channels FROM messages m
         WHERE m.app_id = ?1 AND m.id > ?2 AND m.created_at >= ?3 AND m.created_at < ?4
           AND m.payload IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.msg_id = m.id AND d.endpoint_id = ?5)
         ORDER BY m.id LIMIT ?6",
    )?;
    let rows = stmt
        .query_map(
            params![
                spec.app_id.as_str(),
                after,
                since,
                until,
                spec.endpoint_id.as_str(),
                limit
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let next = (rows.len() as u32 == limit)
        .then(|| rows.last().map(|r| r.0.clone()))
        .flatten();
    let mut queued = 0;
    for (msg, event_type, channels) in rows {
        let channels = stored_channels(channels.as_deref());
        let event_type = EventTypeName::from_trusted(event_type);
        if endpoint_receives(&endpoint, &event_type, channels.as_deref()) {
            plan(conn, &spec.app_id, &msg, &spec.endpoint_id, now)?;
            queued += 1;
        }
    }
    Ok(ReplayBatch { queued, next })
}

#[async_trait]
impl ReplayStore for SqliteStore {
    async fn resend(
        &self,
        app: &AppId,
        msg: &MessageId,
        endpoint: &EndpointId,
        now: Timestamp,
    ) -> StoreResult<ResendOutcome> {
        let (app, msg, endpoint) = (app.clone(), msg.clone(), endpoint.clone());
        self.writer
            .write(move |c| resend(c, &app, &msg, &endpoint, now))
            .await
    }

    async fn replay_batch(
        &self,
        spec: &ReplaySpec,
        after: Option<String>,
        limit: u32,
        now: Timestamp,
    ) -> StoreResult<ReplayBatch> {
        let spec = spec.clone();
        let after = after.unwrap_or_else(|| spec.start_cursor());
        let limit = limit.max(1);
        self.writer
            .write(move |c| match spec.mode {
                ReplayMode::Missing => missing_batch(c, &spec, &after, limit, now),
                _ => requeue_batch(c, &spec, &after, limit, now),
            })
            .await
    }
}
