//! Operational webhooks on SQLite: events become messages of the operational application in the
//! caller's transaction, so an event is committed exactly when what caused it is.

use async_trait::async_trait;
use hookline_core::filter::endpoint_receives;
use hookline_core::model::Message;
use hookline_core::operational::{EndpointRef, OperationalEvent, operational_app_id};
use hookline_core::{AppId, EndpointId, MessageId, Timestamp, Uid};
use rusqlite::{Connection, OptionalExtension};

use super::{SqliteStore, endpoints, messages};
use crate::StoreResult;
use crate::operational::{AttemptOutcome, OperationalStore};
use crate::query::AttemptRecord;

/// Whether any enabled operational endpoint exists: the one indexed lookup every emission
/// starts with, so nothing else is read or written when operational webhooks are unused.
pub(crate) fn has_receivers(conn: &Connection) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM endpoints WHERE app_id = ?1 AND disabled = 0 LIMIT 1")?
        .query_row([operational_app_id().as_str()], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Stores `events` as operational messages (see [`OperationalStore::emit_operational`]).
/// The messages are stamped with the wall clock (not the caller's `now`, which a maintenance pass
/// may set ahead), so they are due at once.
pub(crate) fn emit(conn: &Connection, events: Vec<OperationalEvent>) -> StoreResult<usize> {
    if events.is_empty() || !has_receivers(conn)? {
        return Ok(0);
    }
    let app = operational_app_id();
    let now = Timestamp::now();
    let receivers = endpoints::all_for_app(conn, &app)?;
    let mut stored = 0;
    for event in events {
        let event_type = event.event_type();
        if event.is_about_operational()
            || !receivers
                .iter()
                .any(|e| endpoint_receives(e, &event_type, None))
        {
            continue;
        }
        let message = Message {
            id: MessageId::generate(),
            app_id: app.clone(),
            event_type,
            event_id: None,
            channels: None,
            tags: None,
            payload: Some(event.payload().to_string()),
            payload_expires_at: None,
            created_at: now,
        };
        messages::create(conn, message)?;
        stored += 1;
    }
    Ok(stored)
}

/// Who an endpoint is, for an event about it; `None` once it is gone.
pub(crate) fn endpoint_ref(
    conn: &Connection,
    endpoint: &EndpointId,
) -> StoreResult<Option<EndpointRef>> {
    Ok(conn
        .prepare_cached(
            "SELECT e.app_id, a.uid, e.uid FROM endpoints e JOIN applications a ON a.id = e.app_id
             WHERE e.id = ?1",
        )?
        .query_row([endpoint.as_str()], |r| {
            Ok(EndpointRef {
                app_id: AppId::from_trusted(r.get(0)?),
                app_uid: r.get::<_, Option<String>>(1)?.map(Uid::from_trusted),
                endpoint_id: endpoint.clone(),
                endpoint_uid: r.get::<_, Option<String>>(2)?.map(Uid::from_trusted),
            })
        })
        .optional()?)
}

/// Whether `message.attempt.failing` was sent for the delivery before a person re-queued it
/// (and it has not succeeded since).
fn failing_sent(conn: &Connection, delivery: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT failing_sent FROM deliveries WHERE id = ?1")?
        .query_row([delivery], |r| r.get::<_, bool>(0))
        .optional()?
        .unwrap_or(false))
}

/// The events one recorded attempt causes (`failing`, `exhausted`, `recovered`, and
/// `endpoint.disabled` when its `410` just disabled the endpoint).
pub(crate) fn for_attempt(
    conn: &Connection,
    record: &AttemptRecord,
    just_disabled: bool,
) -> StoreResult<Vec<OperationalEvent>> {
    let Some(outcome) = AttemptOutcome::of(record, just_disabled) else {
        return Ok(Vec::new());
    };
    let a = &record.attempt;
    let failing_sent = outcome.needs_failing_flag() && failing_sent(conn, a.delivery_id.as_str())?;
    if !outcome.causes_events(failing_sent) {
        return Ok(Vec::new());
    }
    let Some(endpoint) = endpoint_ref(conn, &a.endpoint_id)? else {
        return Ok(Vec::new());
    };
    let msg_event_id = conn
        .prepare_cached("SELECT event_id FROM messages WHERE id = ?1")?
        .query_row([a.msg_id.as_str()], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .map(Uid::from_trusted);
    Ok(outcome.events(endpoint, msg_event_id, failing_sent))
}

#[async_trait]
impl OperationalStore for SqliteStore {
    async fn emit_operational(&self, events: Vec<OperationalEvent>) -> StoreResult<usize> {
        if events.iter().all(OperationalEvent::is_about_operational) {
            return Ok(0);
        }
        self.writer.write(move |c| emit(c, events)).await
    }
}
