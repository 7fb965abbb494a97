//! Inbound events in PostgreSQL (`../../sqlite/inbound_events.rs`): accepting them once across
//! nodes (dedupe), and planning them for delivery again.

use hookline_core::model::{DeliveryStatus, Message};
use hookline_core::source::{InboundEvent, InboundOutcome};
use hookline_core::{DeliveryId, EndpointId, MessageId, SourceId, Timestamp};
use tokio_postgres::Row;

use crate::page::{Page, PageRequest};
use crate::postgres::Db;
use crate::postgres::list::{Listing, text};
use crate::postgres::messages;
use crate::postgres::rows::{RowExt, to_json};
use crate::{StoreError, StoreResult};

const EVENT_COLUMNS: &str =
    "i.msg_id, i.source_id, i.content_type, i.headers, i.body, i.dedupe_key, i.received_at";

/// Expired dedupe keys removed per accepted event: enough to keep up with any arrival rate,
/// small enough to cost nothing noticeable on the request path.
const PRUNE_BATCH: i64 = 32;

fn event(row: &Row) -> StoreResult<InboundEvent> {
    Ok(InboundEvent {
        id: MessageId::from_trusted(row.col(0)?),
        source_id: SourceId::from_trusted(row.col(1)?),
        content_type: row.col(2)?,
        headers: row.json(3)?,
        body: row.col(4)?,
        dedupe_key: row.col(5)?,
        received_at: row.ts(6)?,
    })
}

/// Stores the event and its message in one transaction, unless its dedupe key was seen within
/// the window.
///
/// The key is claimed first, by an upsert that only takes over an expired entry: when two nodes
/// receive the same delivery at once, the second waits on the first's row and, once that
/// commits, finds it unexpired, so exactly one message is stored and the other request answers
/// with its id. (Should the first roll back, the second claims the key and stores the event.)
pub(crate) async fn accept(
    db: &Db,
    event: &InboundEvent,
    message: &Message,
    window_secs: u32,
) -> StoreResult<InboundOutcome> {
    let now = event.received_at.as_millis();
    let mut client = db.client().await?;
    if event.dedupe_key.is_some() {
        // Outside the transaction, taking only rows no one holds: a prune never waits, and no
        // lock it takes is held while this request waits on another's key.
        let prune = client
            .prepare_cached(
                "DELETE FROM inbound_dedupe WHERE ctid IN (SELECT ctid FROM inbound_dedupe
                 WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)",
            )
            .await?;
        client.execute(&prune, &[&now, &PRUNE_BATCH]).await?;
    }
    let tx = client.transaction().await?;
    if let Some(key) = &event.dedupe_key {
        let expires_at = now + i64::from(window_secs) * 1000;
        let claim = tx
            .prepare_cached(
                "INSERT INTO inbound_dedupe AS d (source_id, dedupe_key, msg_id, expires_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (source_id, dedupe_key) DO UPDATE SET msg_id = EXCLUDED.msg_id,
                 expires_at = EXCLUDED.expires_at WHERE d.expires_at <= $5",
            )
            .await?;
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] = [
            &event.source_id.as_str(),
            key,
            &event.id.as_str(),
            &expires_at,
            &now,
        ];
        if tx.execute(&claim, &params).await? == 0 {
            // The upsert left the unexpired entry locked, so it is still there to read.
            let seen = tx
                .prepare_cached(
                    "SELECT msg_id FROM inbound_dedupe WHERE source_id = $1 AND dedupe_key = $2",
                )
                .await?;
            let original: String = tx
                .query_one(&seen, &[&event.source_id.as_str(), key])
                .await?
                .col(0)?;
            return Ok(InboundOutcome::Duplicate(MessageId::from_trusted(original)));
        }
    }

    let accepted = messages::insert_message(&tx, message).await?;
    let insert = tx
        .prepare_cached(
            "INSERT INTO inbound_events (msg_id, source_id, content_type, headers, body,
             dedupe_key, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    tx.execute(
        &insert,
        &[
            &event.id.as_str(),
            &event.source_id.as_str(),
            &event.content_type,
            &to_json(&event.headers),
            &event.body,
            &event.dedupe_key,
            &now,
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(InboundOutcome::Accepted {
        deliveries: accepted.deliveries,
    })
}

pub(crate) async fn list(
    db: &Db,
    source: &SourceId,
    page: &PageRequest,
) -> StoreResult<Page<InboundEvent>> {
    Listing::new(
        format!("SELECT {EVENT_COLUMNS} FROM inbound_events i"),
        "i.msg_id",
    )
    .filter("i.source_id = ?", text(source.as_str()))
    .fetch(db, page, event, |e| e.id.to_string())
    .await
}

pub(crate) async fn get(db: &Db, source: &SourceId, id: &str) -> StoreResult<Option<InboundEvent>> {
    let c = db.client().await?;
    let statement = c
        .prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM inbound_events i WHERE i.msg_id = $1 AND i.source_id = $2"
        ))
        .await?;
    c.query_opt(&statement, &[&id, &source.as_str()])
        .await?
        .as_ref()
        .map(event)
        .transpose()
}

/// Plans the event again, due `now`, for `endpoint` or every enabled endpoint of the source.
///
/// One upsert per call does both halves of the rule: an endpoint without a delivery of the
/// event gets one, an existing delivery becomes pending again unless an attempt is in flight.
/// Replays racing on two nodes therefore never fail on the unique (message, endpoint) pair, and
/// an insert triggers the `hookline_due` notification that wakes every node's engine.
pub(crate) async fn replay(
    db: &Db,
    source: &SourceId,
    event: &str,
    endpoint: Option<&EndpointId>,
    now: Timestamp,
) -> StoreResult<usize> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    // Locked as a foreign key check would, so neither the message nor the targets can be
    // deleted before the deliveries referring to them commit.
    let owner = tx
        .prepare_cached(
            "SELECT s.app_id FROM inbound_events i JOIN sources s ON s.id = i.source_id
             JOIN messages m ON m.id = i.msg_id
             WHERE i.msg_id = $1 AND i.source_id = $2 FOR KEY SHARE OF m",
        )
        .await?;
    let app_id: String = tx
        .query_opt(&owner, &[&event, &source.as_str()])
        .await?
        .ok_or(StoreError::NotFound)?
        .col(0)?;
    let targets = tx
        .prepare_cached(
            "SELECT id FROM endpoints WHERE app_id = $1 AND NOT disabled
             AND ($2::text IS NULL OR id = $2) ORDER BY id FOR KEY SHARE",
        )
        .await?;
    let targets: Vec<String> = tx
        .query(&targets, &[&app_id, &endpoint.map(EndpointId::as_str)])
        .await?
        .iter()
        .map(|row| row.col(0))
        .collect::<StoreResult<_>>()?;
    if endpoint.is_some() && targets.is_empty() {
        return Err(StoreError::NotFound);
    }
    if targets.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = targets
        .iter()
        .map(|_| DeliveryId::generate().to_string())
        .collect();
    let plan = tx
        .prepare_cached(
            "INSERT INTO deliveries AS d (id, msg_id, endpoint_id, app_id, status, attempt_count,
             next_attempt_at, created_at, updated_at)
             SELECT t.id, $1, t.endpoint_id, $2, $3, 0, $4, $4, $4
             FROM unnest($5::text[], $6::text[]) AS t(id, endpoint_id)
             ON CONFLICT (msg_id, endpoint_id) DO UPDATE SET status = EXCLUDED.status,
             next_attempt_at = EXCLUDED.next_attempt_at, updated_at = EXCLUDED.updated_at
             WHERE d.status <> $7",
        )
        .await?;
    let planned = tx
        .execute(
            &plan,
            &[
                &event,
                &app_id,
                &DeliveryStatus::Pending.code(),
                &now.as_millis(),
                &ids,
                &targets,
                &DeliveryStatus::Sending.code(),
            ],
        )
        .await?;
    tx.commit().await?;
    Ok(planned as usize)
}
