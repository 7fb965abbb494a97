//! Operational webhooks on PostgreSQL (`../sqlite/operational.rs`): events become messages of
//! the operational application inside the caller's transaction, so an event commits exactly
//! when what caused it does, on whichever node caused it.

use std::collections::HashSet;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use hookline_core::filter::endpoint_receives;
use hookline_core::model::Message;
use hookline_core::operational::{EndpointRef, OperationalEvent, operational_app_id};
use hookline_core::{AppId, EndpointId, MessageId, Timestamp, Uid};

use super::rows::RowExt;
use super::{PgStore, endpoints, messages};
use crate::StoreResult;
use crate::operational::{AttemptOutcome, OperationalStore};
use crate::query::AttemptRecord;

/// Whether any enabled operational endpoint exists: the one indexed lookup every emission
/// starts with, so nothing else is read or written when operational webhooks are unused.
pub(crate) async fn has_receivers(c: &impl GenericClient) -> StoreResult<bool> {
    let stmt = c
        .prepare_cached("SELECT 1 FROM endpoints WHERE app_id = $1 AND NOT disabled LIMIT 1")
        .await?;
    Ok(c.query_opt(&stmt, &[&operational_app_id().as_str()])
        .await?
        .is_some())
}

/// Stores `events` as operational messages in the caller's transaction (see
/// [`OperationalStore::emit_operational`]); returns how many were stored. The messages are
/// stamped with the wall clock (not the caller's `now`, which a maintenance pass may set ahead),
/// so they are due at once.
pub(crate) async fn emit(
    tx: &Transaction<'_>,
    events: Vec<OperationalEvent>,
) -> StoreResult<usize> {
    if events.is_empty() || !has_receivers(tx).await? {
        return Ok(0);
    }
    let app = operational_app_id();
    let now = Timestamp::now();
    let receivers = endpoints::all_for_app(tx, &app).await?;
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
        messages::insert_message(tx, &message).await?;
        stored += 1;
    }
    Ok(stored)
}

/// Who an endpoint is, for an event about it; `None` once it is gone.
pub(crate) async fn endpoint_ref(
    c: &impl GenericClient,
    endpoint: &EndpointId,
) -> StoreResult<Option<EndpointRef>> {
    let stmt = c
        .prepare_cached(
            "SELECT e.app_id, a.uid, e.uid FROM endpoints e JOIN applications a ON a.id = e.app_id
             WHERE e.id = $1",
        )
        .await?;
    let Some(row) = c.query_opt(&stmt, &[&endpoint.as_str()]).await? else {
        return Ok(None);
    };
    Ok(Some(EndpointRef {
        app_id: AppId::from_trusted(row.col(0)?),
        app_uid: row.col::<Option<String>>(1)?.map(Uid::from_trusted),
        endpoint_id: endpoint.clone(),
        endpoint_uid: row.col::<Option<String>>(2)?.map(Uid::from_trusted),
    }))
}

/// The events a batch of recorded attempts causes, each with whether its `410` just disabled
/// the endpoint (see [`for_attempt`]). The deliveries whose success may be a recovery after a
/// manual replay are read in one statement for the whole batch.
pub(crate) async fn for_attempts(
    c: &impl GenericClient,
    records: &[(&AttemptRecord, bool)],
) -> StoreResult<Vec<OperationalEvent>> {
    let early_successes: Vec<&str> = records
        .iter()
        .filter(|(record, just_disabled)| {
            AttemptOutcome::of(record, *just_disabled).is_some_and(|o| o.needs_failing_flag())
        })
        .map(|(record, _)| record.attempt.delivery_id.as_str())
        .collect();
    let mut flagged = HashSet::new();
    if !early_successes.is_empty() {
        let stmt = c
            .prepare_cached("SELECT id FROM deliveries WHERE id = ANY($1) AND failing_sent")
            .await?;
        for row in c.query(&stmt, &[&early_successes]).await? {
            flagged.insert(row.col::<String>(0)?);
        }
    }
    let mut events = Vec::new();
    for (record, just_disabled) in records {
        let failing_sent = flagged.contains(record.attempt.delivery_id.as_str());
        events.extend(for_attempt(c, record, *just_disabled, failing_sent).await?);
    }
    Ok(events)
}

/// The events one recorded attempt causes (`failing`, `exhausted`, `recovered`, and
/// `endpoint.disabled` when its `410` just disabled the endpoint); `failing_sent` says the
/// delivery was re-queued by hand after `failing` was sent for it.
async fn for_attempt(
    c: &impl GenericClient,
    record: &AttemptRecord,
    just_disabled: bool,
    failing_sent: bool,
) -> StoreResult<Vec<OperationalEvent>> {
    let Some(outcome) = AttemptOutcome::of(record, just_disabled) else {
        return Ok(Vec::new());
    };
    if !outcome.causes_events(failing_sent) {
        return Ok(Vec::new());
    }
    let a = &record.attempt;
    let Some(endpoint) = endpoint_ref(c, &a.endpoint_id).await? else {
        return Ok(Vec::new());
    };
    let stmt = c
        .prepare_cached("SELECT event_id FROM messages WHERE id = $1")
        .await?;
    let msg_event_id = match c.query_opt(&stmt, &[&a.msg_id.as_str()]).await? {
        Some(row) => row.col::<Option<String>>(0)?.map(Uid::from_trusted),
        None => None,
    };
    Ok(outcome.events(endpoint, msg_event_id, failing_sent))
}

#[async_trait]
impl OperationalStore for PgStore {
    async fn emit_operational(&self, events: Vec<OperationalEvent>) -> StoreResult<usize> {
        if events.iter().all(OperationalEvent::is_about_operational) {
            return Ok(0);
        }
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        let stored = emit(&tx, events).await?;
        tx.commit().await?;
        Ok(stored)
    }
}
