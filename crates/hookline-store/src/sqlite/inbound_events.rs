//! Inbound events: accepting them (dedupe, exact bytes, fan-out) and handing them to the engine.

use hookline_core::model::Message;
use hookline_core::source::{InboundEvent, InboundOutcome};
use hookline_core::{MessageId, SourceId, Timestamp};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, named_params};

use super::list::{Listing, text};
use super::messages;
use super::rows::to_json;
use crate::StoreResult;
use crate::page::{Page, PageRequest};
use crate::query::{DeliveryJob, ForwardedRequest};

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

/// Gives each claimed job whose message is an inbound event the original request to forward
/// (one primary-key probe per job).
pub(crate) fn attach_forwarding(conn: &Connection, jobs: &mut [DeliveryJob]) -> StoreResult<()> {
    let mut select = conn.prepare_cached(
        "SELECT content_type, headers, body FROM inbound_events WHERE msg_id = ?1",
    )?;
    for job in jobs.iter_mut() {
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
