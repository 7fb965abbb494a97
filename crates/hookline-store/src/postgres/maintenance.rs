//! Housekeeping on PostgreSQL: auto-disable and retention, each call one short transaction.
//!
//! Every node runs housekeeping on its own schedule, so two passes may overlap: an endpoint is
//! disabled (and announced) by the one pass whose conditional UPDATE still finds it enabled, and
//! retention batches skip rows another pass holds instead of queueing behind it.

use async_trait::async_trait;
use hookline_core::operational::{DisableTrigger, EndpointRef, OperationalEvent};
use hookline_core::{AppId, EndpointId, Timestamp, Uid};

use super::PgStore;
use super::rows::RowExt;
use crate::StoreResult;
use crate::maintenance::MaintenanceStore;

/// Disables the endpoints whose failing clock started at or before `$1`, returning who they are
/// (with the uids the operational event names) and since when they failed.
const DISABLE_FAILING: &str = "UPDATE endpoints e SET disabled = TRUE, updated_at = $2
    FROM endpoint_failing f, applications a
    WHERE f.endpoint_id = e.id AND a.id = e.app_id AND f.since <= $1 AND NOT e.disabled
    RETURNING e.app_id, a.uid, e.id, e.uid, f.since";

// Retention: each statement handles up to `$2` rows older than `$1`, oldest first. Rows locked
// by an overlapping pass (or a writer) are skipped; the next pass gets them.
// Payloads past their own expiry (`$1`), and those without one older than the server's
// retention (`$2`): each arm walks its partial index, which holds only payloads still there.
const EXPIRE_PAYLOADS: &str = "UPDATE messages SET payload = NULL WHERE id IN (
    SELECT id FROM (SELECT id FROM messages
        WHERE payload IS NOT NULL AND payload_expires_at IS NOT NULL AND payload_expires_at <= $1
        ORDER BY payload_expires_at LIMIT $3 FOR NO KEY UPDATE SKIP LOCKED) by_own_expiry
    UNION ALL
    SELECT id FROM (SELECT id FROM messages
        WHERE payload IS NOT NULL AND payload_expires_at IS NULL AND created_at < $2
        ORDER BY created_at LIMIT $3 FOR NO KEY UPDATE SKIP LOCKED) by_age
    LIMIT $3)";

const PRUNE_ATTEMPTS: &str = "DELETE FROM attempts WHERE id IN (
    SELECT id FROM attempts WHERE created_at < $1
    ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)";

// Deliveries, attempts, headers, feed rows and inbound requests go with their message
// (ON DELETE CASCADE).
const PRUNE_MESSAGES: &str = "DELETE FROM messages WHERE id IN (
    SELECT m.id FROM messages m WHERE m.created_at < $1 AND m.payload IS NULL
      AND NOT EXISTS (SELECT 1 FROM deliveries d
                      WHERE d.msg_id = m.id AND d.next_attempt_at IS NOT NULL)
    ORDER BY m.created_at LIMIT $2 FOR UPDATE OF m SKIP LOCKED)";

// Tasks that ended (finished or failed: not running), walking `background_tasks_ended` (0003),
// which holds only those. `= ANY(ARRAY(...))` rather than `IN (...)`: task rows are small, and
// with `IN` PostgreSQL hash-joins the batch against a sequential scan of the whole table
// (seen at 200,000 tasks); the array makes it look each id up by primary key.
const PRUNE_TASKS: &str = "DELETE FROM background_tasks WHERE id = ANY(ARRAY(
    SELECT id FROM background_tasks
    WHERE status <> 'running' AND updated_at < $1
    ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED))";

impl PgStore {
    async fn retain(&self, sql: &str, before: Timestamp, limit: u32) -> StoreResult<u64> {
        let client = self.db.client().await?;
        let statement = client.prepare_cached(sql).await?;
        Ok(client
            .execute(&statement, &[&before.as_millis(), &i64::from(limit)])
            .await?)
    }
}

#[async_trait]
impl MaintenanceStore for PgStore {
    async fn disable_failing_endpoints(
        &self,
        failing_since: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Vec<(AppId, EndpointId)>> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        let disable = tx.prepare_cached(DISABLE_FAILING).await?;
        let rows = tx
            .query(&disable, &[&failing_since.as_millis(), &now.as_millis()])
            .await?;
        let mut disabled = Vec::with_capacity(rows.len());
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            let endpoint = EndpointRef {
                app_id: AppId::from_trusted(row.col(0)?),
                app_uid: row.col::<Option<String>>(1)?.map(Uid::from_trusted),
                endpoint_id: EndpointId::from_trusted(row.col(2)?),
                endpoint_uid: row.col::<Option<String>>(3)?.map(Uid::from_trusted),
            };
            disabled.push((endpoint.app_id.clone(), endpoint.endpoint_id.clone()));
            events.push(OperationalEvent::EndpointDisabled {
                endpoint,
                trigger: DisableTrigger::Automatic,
                fail_since: Some(row.ts(4)?),
            });
        }
        // Announced in the same transaction: the event exists exactly when the change does.
        super::operational::emit(&tx, events).await?;
        tx.commit().await?;
        Ok(disabled)
    }

    async fn expire_payloads(
        &self,
        now: Timestamp,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64> {
        let client = self.db.client().await?;
        let statement = client.prepare_cached(EXPIRE_PAYLOADS).await?;
        Ok(client
            .execute(
                &statement,
                &[&now.as_millis(), &before.as_millis(), &i64::from(limit)],
            )
            .await?)
    }

    async fn prune_attempts(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        self.retain(PRUNE_ATTEMPTS, before, limit).await
    }

    async fn prune_messages(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        self.retain(PRUNE_MESSAGES, before, limit).await
    }

    async fn prune_tasks(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        self.retain(PRUNE_TASKS, before, limit).await
    }
}
