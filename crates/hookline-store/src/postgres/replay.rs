//! Replays on PostgreSQL: re-queueing deliveries in bounded batches, safely when several nodes
//! run the same replay at once.
//!
//! Candidates are read as SQLite reads them, and the same rules ([`ReplaySpec::requeues`],
//! [`ReplaySpec::message_matches`], `endpoint_receives`) pick the ones that qualify. The writes
//! then re-check in the database, so a delivery is queued by exactly one node: a re-queue only
//! changes a delivery still in the state it was read in, and a planned delivery is inserted with
//! `ON CONFLICT DO NOTHING` on its (message, endpoint) pair. The counts returned are what this
//! call really changed. Every write marks the delivery manual (the attempts trigger records the
//! next attempt so) and notifies `hookline_due` on commit, so every node's engine wakes.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use hookline_core::filter::endpoint_receives;
use hookline_core::model::DeliveryStatus;
use hookline_core::operational::FAILING_AFTER_ATTEMPT;
use hookline_core::{AppId, DeliveryId, EndpointId, EventTypeName, MessageId, Timestamp};

use super::rows::RowExt;
use super::{PgStore, endpoints};
use crate::replay::{
    ReplayBatch, ReplayMode, ReplaySpec, ReplayStore, ResendOutcome, stored_channels, stored_tags,
};
use crate::{StoreError, StoreResult};

/// Wakes every node's delivery engine when the transaction commits. Deliveries put back on the
/// queue by an UPDATE fire no insert trigger, so the replay says it itself.
async fn wake_engines(tx: &Transaction<'_>) -> StoreResult<()> {
    tx.execute("SELECT pg_notify('hookline_due', current_schema())", &[])
        .await?;
    Ok(())
}

/// Puts the given deliveries back on the queue with a fresh schedule, marked manual, each only
/// if it is still in the state it was read in; returns how many were re-queued. A failed
/// delivery that reached the `failing` attempt (or had already been re-queued after it) keeps
/// `failing_sent`, so its next success reports `message.attempt.recovered`.
///
/// Rows are locked in id order first, so two nodes re-queueing overlapping batches wait for
/// each other instead of deadlocking; the one that waited then sees the new state and skips.
async fn requeue(
    tx: &Transaction<'_>,
    deliveries: &[(String, i64)],
    now: Timestamp,
) -> StoreResult<u64> {
    if deliveries.is_empty() {
        return Ok(0);
    }
    let (ids, read_as): (Vec<&str>, Vec<i64>) =
        deliveries.iter().map(|(id, s)| (id.as_str(), *s)).unzip();
    let update = tx
        .prepare_cached(
            "WITH target AS (
                 SELECT d.id FROM deliveries d
                 JOIN unnest($1::text[], $2::bigint[]) AS q(id, status) ON q.id = d.id
                 WHERE d.status = q.status
                 ORDER BY d.id
                 FOR UPDATE OF d
             )
             UPDATE deliveries d SET status = $3, attempt_count = 0, next_attempt_at = $4,
                 updated_at = $4, manual = TRUE,
                 failing_sent = (d.status = $5 AND (d.attempt_count >= $6 OR d.failing_sent))
             FROM target WHERE d.id = target.id",
        )
        .await?;
    let changed = tx
        .execute(
            &update,
            &[
                &ids,
                &read_as,
                &DeliveryStatus::Pending.code(),
                &now.as_millis(),
                &DeliveryStatus::Fail.code(),
                &i64::from(FAILING_AFTER_ATTEMPT),
            ],
        )
        .await?;
    Ok(changed)
}

/// Plans deliveries of `messages` (in id order) to the endpoint, due now and marked manual;
/// a message that has a delivery there already (another node just planned it) is skipped.
/// Returns how many were planned.
async fn plan(
    tx: &Transaction<'_>,
    app: &AppId,
    endpoint: &EndpointId,
    messages: &[&str],
    now: Timestamp,
) -> StoreResult<u64> {
    if messages.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = messages
        .iter()
        .map(|_| DeliveryId::generate().to_string())
        .collect();
    // Inserting in message order keeps concurrent planners' unique-key waits in one order.
    let insert = tx
        .prepare_cached(
            "INSERT INTO deliveries (id, msg_id, endpoint_id, app_id, status, attempt_count,
                 next_attempt_at, created_at, updated_at, manual)
             SELECT p.id, p.msg_id, $3, $4, $5, 0, $6, $6, $6, TRUE
             FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(id, msg_id, n)
             ORDER BY p.n
             ON CONFLICT (msg_id, endpoint_id) DO NOTHING",
        )
        .await?;
    let planned = tx
        .execute(
            &insert,
            &[
                &ids,
                &messages,
                &endpoint.as_str(),
                &app.as_str(),
                &DeliveryStatus::Pending.code(),
                &now.as_millis(),
            ],
        )
        .await?;
    Ok(planned)
}

async fn resend(
    tx: &Transaction<'_>,
    app: &AppId,
    msg: &MessageId,
    endpoint: &EndpointId,
    now: Timestamp,
) -> StoreResult<ResendOutcome> {
    // A finished delivery goes back on the queue; a waiting one is left alone. Two nodes
    // resending at once: the second UPDATE waits, re-reads the row as pending and skips it.
    let requeue = tx
        .prepare_cached(
            "UPDATE deliveries SET status = $4, attempt_count = 0, next_attempt_at = $6,
                 updated_at = $6, manual = TRUE,
                 failing_sent = (status = $7 AND (attempt_count >= $8 OR failing_sent))
             WHERE msg_id = $1 AND endpoint_id = $2 AND app_id = $3 AND status NOT IN ($4, $5)",
        )
        .await?;
    let requeued = tx
        .execute(
            &requeue,
            &[
                &msg.as_str(),
                &endpoint.as_str(),
                &app.as_str(),
                &DeliveryStatus::Pending.code(),
                &DeliveryStatus::Sending.code(),
                &now.as_millis(),
                &DeliveryStatus::Fail.code(),
                &i64::from(FAILING_AFTER_ATTEMPT),
            ],
        )
        .await?;
    if requeued > 0 {
        return Ok(ResendOutcome::Queued);
    }
    // Either no delivery exists (plan one) or it is waiting (the insert does nothing).
    match plan(tx, app, endpoint, &[msg.as_str()], now).await? {
        0 => Ok(ResendOutcome::AlreadyQueued),
        _ => Ok(ResendOutcome::Queued),
    }
}

/// The response status of a delivery's last attempt (`NULL` when it has none).
const LAST_STATUS: &str = "(SELECT x.response_status_code FROM attempts x
    WHERE x.delivery_id = d.id ORDER BY x.created_at DESC, x.id DESC LIMIT 1)";

/// One batch over the endpoint's existing deliveries (recover, bulk replay).
async fn requeue_batch(
    tx: &Transaction<'_>,
    spec: &ReplaySpec,
    after: &str,
    limit: u32,
    now: Timestamp,
) -> StoreResult<ReplayBatch> {
    let (since, until) = spec.window();
    // The last attempt's status is looked up (one index probe each) only when filtered on.
    let last_status = match spec.status_code_class() {
        Some(_) => LAST_STATUS,
        None => "NULL::bigint",
    };
    let select = tx
        .prepare_cached(&format!(
            "SELECT d.id, d.msg_id, d.status, m.event_type, m.channels, m.payload IS NOT NULL,
                 m.tags, {last_status}
             FROM deliveries d JOIN messages m ON m.id = d.msg_id
             WHERE d.endpoint_id = $1 AND d.msg_id > $2 AND m.created_at >= $3
               AND m.created_at < $4
             ORDER BY d.msg_id LIMIT $5"
        ))
        .await?;
    let rows = tx
        .query(
            &select,
            &[
                &spec.endpoint_id.as_str(),
                &after,
                &since,
                &until,
                &i64::from(limit),
            ],
        )
        .await?;
    let next = match rows.last() {
        Some(last) if rows.len() == limit as usize => Some(last.col::<String>(1)?),
        _ => None,
    };
    let mut qualifying = Vec::new();
    for row in &rows {
        let code: i64 = row.col(2)?;
        let status = DeliveryStatus::from_code(code)
            .ok_or_else(|| StoreError::Internal(format!("delivery status {code}")))?;
        let channels = stored_channels(row.col(4)?);
        let has_payload: bool = row.col(5)?;
        let tags = stored_tags(row.col(6)?);
        if has_payload
            && spec.requeues(status)
            && spec.message_matches(row.col(3)?, channels.as_deref(), tags.as_deref())
            && spec.last_attempt_matches(row.col(7)?)
        {
            qualifying.push((row.col::<String>(0)?, code));
        }
    }
    let queued = requeue(tx, &qualifying, now).await?;
    Ok(ReplayBatch { queued, next })
}

/// One batch over the application's messages the endpoint never had (replay missing).
async fn missing_batch(
    tx: &Transaction<'_>,
    spec: &ReplaySpec,
    after: &str,
    limit: u32,
    now: Timestamp,
) -> StoreResult<ReplayBatch> {
    let endpoint = endpoints::get(tx, &spec.app_id, spec.endpoint_id.as_str())
        .await?
        .ok_or(StoreError::NotFound)?;
    let (since, until) = spec.window();
    let select = tx
        .prepare_cached(
            "SELECT m.id, m.event_type, m.channels FROM messages m
             WHERE m.app_id = $1 AND m.id > $2 AND m.created_at >= $3 AND m.created_at < $4
               AND m.payload IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM deliveries d
                               WHERE d.msg_id = m.id AND d.endpoint_id = $5)
             ORDER BY m.id LIMIT $6",
        )
        .await?;
    let rows = tx
        .query(
            &select,
            &[
                &spec.app_id.as_str(),
                &after,
                &since,
                &until,
                &spec.endpoint_id.as_str(),
                &i64::from(limit),
            ],
        )
        .await?;
    let next = match rows.last() {
        Some(last) if rows.len() == limit as usize => Some(last.col::<String>(0)?),
        _ => None,
    };
    let mut receiving = Vec::new();
    for row in &rows {
        let event_type = EventTypeName::from_trusted(row.col(1)?);
        let channels = stored_channels(row.col(2)?);
        if endpoint_receives(&endpoint, &event_type, channels.as_deref()) {
            receiving.push(row.col::<&str>(0)?);
        }
    }
    let queued = plan(tx, &spec.app_id, &spec.endpoint_id, &receiving, now).await?;
    Ok(ReplayBatch { queued, next })
}

#[async_trait]
impl ReplayStore for PgStore {
    async fn resend(
        &self,
        app: &AppId,
        msg: &MessageId,
        endpoint: &EndpointId,
        now: Timestamp,
    ) -> StoreResult<ResendOutcome> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        let outcome = resend(&tx, app, msg, endpoint, now).await?;
        if outcome == ResendOutcome::Queued {
            wake_engines(&tx).await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    async fn replay_batch(
        &self,
        spec: &ReplaySpec,
        after: Option<String>,
        limit: u32,
        now: Timestamp,
    ) -> StoreResult<ReplayBatch> {
        let after = after.unwrap_or_else(|| spec.start_cursor());
        let limit = limit.max(1);
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        let batch = match spec.mode {
            ReplayMode::Missing => missing_batch(&tx, spec, &after, limit, now).await?,
            _ => requeue_batch(&tx, spec, &after, limit, now).await?,
        };
        if batch.queued > 0 {
            wake_engines(&tx).await?;
        }
        tx.commit().await?;
        Ok(batch)
    }
}
