//! Inbound events: accepting them (dedupe, exact bytes, fan-out) and handing them to the engine.

use hookline_core::model::DeliveryStatus;
use hookline_core::model::Message;
use hookline_core::source::{InboundEvent, InboundOutcome};
use hookline_core::{DeliveryId, EndpointId, MessageId, SourceId, Timestamp};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, named_params};

use super::list::{Listing, text};
use super::messages;
use super::rows::to_json;
use crate::page::{Page, PageRequest};
use crate::query::{DeliveryJob, ForwardedRequest};
use crate::{StoreError, StoreResult};

const EVENT_COLUMNS: &str =
    "i.msg_id, i.source_id, i.content_type, i.headers, i.body, i.dedupe_key, i.received_at";

/// Expired dedupe keys removed per accepted event: enough to keep up with any arrival rate,
/// small enough to cost nothing noticeable on the request path.
const PRUNE_BATCH: i64 = 32;

fn headers_col(row: &Row<'_>, idx: usize) -> rusqlite::Result<Vec<(String, String)>> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

fn event(row: &Row<'_>) -> rusqlite::Result<InboundEvent> {
    Ok(InboundEvent {
        id: MessageId::from_trusted(row.get(0)?),
        source_id: SourceId::from_trusted(row.get(1)?),
        content_type: row.get(2)?,
        headers: headers_col(row, 3)?,
        body: row.get(4)?,
        dedupe_key: row.get(5)?,
        received_at: Timestamp::from_millis(row.get(6)?),
    })
}

/// Stores the event and its message in the caller's transaction, unless its dedupe key was
/// seen within the window.
pub(crate) fn accept(
    conn: &Connection,
    event: InboundEvent,
    message: Message,
    window_secs: u32,
) -> StoreResult<InboundOutcome> {
    let now = event.received_at.as_millis();
    if let Some(key) = &event.dedupe_key {
        conn.prepare_cached(
            "DELETE FROM inbound_dedupe WHERE rowid IN
             (SELECT rowid FROM inbound_dedupe WHERE expires_at <= ?1 LIMIT ?2)",
        )?
        .execute(rusqlite::params![now, PRUNE_BATCH])?;
        let seen: Option<String> = conn
            .prepare_cached(
                "SELECT msg_id FROM inbound_dedupe
                 WHERE source_id = ?1 AND dedupe_key = ?2 AND expires_at > ?3",
            )?
            .query_row(rusqlite::params![event.source_id.as_str(), key, now], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(original) = seen {
            return Ok(InboundOutcome::Duplicate(MessageId::from_trusted(original)));
        }
    }

    let accepted = messages::create(conn, message)?;
    conn.prepare_cached(
        "INSERT INTO inbound_events (msg_id, source_id, content_type, headers, body, dedupe_key,
         received_at) VALUES (:msg_id, :source_id, :content_type, :headers, :body, :dedupe_key,
         :received_at)",
    )?
    .execute(named_params! {
        ":msg_id": event.id.as_str(),
        ":source_id": event.source_id.as_str(),
        ":content_type": event.content_type,
        ":headers": to_json(&event.headers),
        ":body": event.body,
        ":dedupe_key": event.dedupe_key,
        ":received_at": now,
    })?;
    if let Some(key) = &event.dedupe_key {
        let expires_at = now + i64::from(window_secs) * 1000;
        conn.prepare_cached(
            "INSERT OR REPLACE INTO inbound_dedupe (source_id, dedupe_key, msg_id, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(rusqlite::params![
            event.source_id.as_str(),
            key,
            event.id.as_str(),
            expires_at
        ])?;
    }
    Ok(InboundOutcome::Accepted {
        deliveries: accepted.deliveries,
    })
}

pub(crate) fn list(
    conn: &Connection,
    source: &SourceId,
    page: &PageRequest,
) -> StoreResult<Page<InboundEvent>> {
    Listing::new(
        format!("SELECT {EVENT_COLUMNS} FROM inbound_events i"),
        "i.msg_id",
    )
    .filter("i.source_id = ?", text(source.as_str()))
    .fetch(conn, page, event, |e| e.id.to_string())
}

pub(crate) fn get(
    conn: &Connection,
    source: &SourceId,
    id: &str,
) -> StoreResult<Option<InboundEvent>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM inbound_events i WHERE i.msg_id = ?1 AND i.source_id = ?2"
        ))?
        .query_row([id, source.as_str()], event)
        .optional()?)
}

pub(crate) fn replay(
    conn: &Connection,
    source: &SourceId,
    event: &str,
    endpoint: Option<&EndpointId>,
    now: Timestamp,
) -> StoreResult<usize> {
    let event = get(conn, source, event)?.ok_or(StoreError::NotFound)?;
    let app_id: String = conn
        .prepare_cached("SELECT app_id FROM sources WHERE id = ?1")?
        .query_row([source.as_str()], |r| r.get(0))?;
    let targets: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM endpoints WHERE app_id = ?1 AND disabled = 0
             AND (?2 IS NULL OR id = ?2)",
        )?
        .query_map(
            rusqlite::params![app_id, endpoint.map(EndpointId::as_str)],
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?;
    if endpoint.is_some() && targets.is_empty() {
        return Err(StoreError::NotFound);
    }
    let now = now.as_millis();
    let mut reset = conn.prepare_cached(
        "UPDATE deliveries SET status = ?3, next_attempt_at = ?4, updated_at = ?4
         WHERE msg_id = ?1 AND endpoint_id = ?2 AND status != ?5",
    )?;
    let mut exists =
        conn.prepare_cached("SELECT 1 FROM deliveries WHERE msg_id = ?1 AND endpoint_id = ?2")?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO deliveries (id, msg_id, endpoint_id, app_id, status, attempt_count,
         next_attempt_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6, ?6)",
    )?;
    let mut planned = 0;
    for target in targets {
        let msg = event.id.as_str();
        let pending = DeliveryStatus::Pending.code();
        let sending = DeliveryStatus::Sending.code();
        if reset.execute(rusqlite::params![msg, target, pending, now, sending])? > 0 {
            planned += 1;
        } else if !exists.exists([msg, target.as_str()])? {
            let id = DeliveryId::generate();
            insert.execute(rusqlite::params![
                id.as_str(),
                msg,
                target,
                app_id,
                pending,
                now
            ])?;
            planned += 1;
        }
    }
    Ok(planned)
}

/// The body of inbound event `msg` as text, when there is one and it is UTF-8.
pub(crate) fn body_text(conn: &Connection, msg: &MessageId) -> StoreResult<Option<String>> {
    let body: Option<Vec<u8>> = conn
        .prepare_cached("SELECT body FROM inbound_events WHERE msg_id = ?1")?
        .query_row([msg.as_str()], |row| row.get(0))
        .optional()?;
    Ok(body.and_then(|b| String::from_utf8(b).ok()))
}

/// Whether a claimed job's message may be an inbound event: those are stored without a payload
/// text (their bytes live in `inbound_events`), so a message with a payload never is.
pub(crate) fn may_be_inbound(job: &DeliveryJob) -> bool {
    job.message.payload.as_deref().is_none_or(str::is_empty)
}

/// Gives each claimed job whose message is an inbound event the original request to forward
/// (one primary-key probe per job that [`may_be_inbound`]).
pub(crate) fn attach_forwarding(conn: &Connection, jobs: &mut [DeliveryJob]) -> StoreResult<()> {
    let mut select = conn.prepare_cached(
        "SELECT content_type, headers, body FROM inbound_events WHERE msg_id = ?1",
    )?;
    for job in jobs.iter_mut().filter(|job| may_be_inbound(job)) {
        job.forward = select
            .query_row([job.message.id.as_str()], |row| {
                Ok(ForwardedRequest {
                    content_type: row.get(0)?,
                    headers: headers_col(row, 1)?,
                    body: row.get(2)?,
                })
            })
            .optional()?;
    }
    Ok(())
}
