//! Housekeeping on SQLite: auto-disable and retention, each call one bounded transaction.

use async_trait::async_trait;
use hookline_core::operational::{DisableTrigger, OperationalEvent};
use hookline_core::{AppId, EndpointId, Timestamp};
use rusqlite::{Connection, params};

use super::SqliteStore;
use crate::StoreResult;
use crate::maintenance::MaintenanceStore;

fn disable_failing(
    conn: &Connection,
    failing_since: Timestamp,
    now: Timestamp,
) -> StoreResult<Vec<(AppId, EndpointId)>> {
    let mut select = conn.prepare_cached(
        "SELECT e.app_id, e.id, f.since FROM endpoint_failing f
         JOIN endpoints e ON e.id = f.endpoint_id
         WHERE f.since <= ?1 AND e.disabled = 0",
    )?;
    let found = select
        .query_map([failing_since.as_millis()], |r| {
            Ok((
                AppId::from_trusted(r.get(0)?),
                EndpointId::from_trusted(r.get(1)?),
                Timestamp::from_millis(r.get(2)?),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut disable =
        conn.prepare_cached("UPDATE endpoints SET disabled = 1, updated_at = ?2 WHERE id = ?1")?;
    let watched = super::operational::has_receivers(conn)?;
    let mut events = Vec::new();
    for (_, endpoint, since) in &found {
        disable.execute(params![endpoint.as_str(), now.as_millis()])?;
        if watched && let Some(endpoint) = super::operational::endpoint_ref(conn, endpoint)? {
            events.push(OperationalEvent::EndpointDisabled {
                endpoint,
                trigger: DisableTrigger::Automatic,
                fail_since: Some(*since),
            });
        }
    }
    super::operational::emit(conn, events)?;
    Ok(found.into_iter().map(|(app, ep, _)| (app, ep)).collect())
}

fn run(conn: &Connection, sql: &str, before: Timestamp, limit: u32) -> StoreResult<u64> {
    let changed = conn
        .prepare_cached(sql)?
        .execute(params![before.as_millis(), limit])?;
    Ok(changed as u64)
}

// Payloads past their own expiry (`?1`), and those without one older than the server's
// retention (`?2`): each arm walks its partial index, which holds only payloads still there.
const EXPIRE_PAYLOADS: &str = "UPDATE messages SET payload = NULL WHERE id IN (
    SELECT id FROM (SELECT id FROM messages
        WHERE payload IS NOT NULL AND payload_expires_at IS NOT NULL AND payload_expires_at <= ?1
        ORDER BY payload_expires_at LIMIT ?3)
    UNION ALL
    SELECT id FROM (SELECT id FROM messages
        WHERE payload IS NOT NULL AND payload_expires_at IS NULL AND created_at < ?2
        ORDER BY created_at LIMIT ?3)
    LIMIT ?3)";

const PRUNE_ATTEMPTS: &str = "DELETE FROM attempts WHERE id IN (
    SELECT id FROM attempts WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)";

const PRUNE_MESSAGES: &str = "DELETE FROM messages WHERE id IN (
    SELECT m.id FROM messages m WHERE m.created_at < ?1 AND m.payload IS NULL
      AND NOT EXISTS (SELECT 1 FROM deliveries d
                      WHERE d.msg_id = m.id AND d.next_attempt_at IS NOT NULL)
    ORDER BY m.created_at LIMIT ?2)";

// Tasks that ended (finished or failed: not running), walking `background_tasks_ended` (0015),
// which holds only those; its condition is repeated word for word so that SQLite sees the
// partial index applies.
const PRUNE_TASKS: &str = "DELETE FROM background_tasks WHERE id IN (
    SELECT id FROM background_tasks
    WHERE status <> 'running' AND updated_at < ?1
    ORDER BY updated_at LIMIT ?2)";

#[async_trait]
impl MaintenanceStore for SqliteStore {
    async fn disable_failing_endpoints(
        &self,
        failing_since: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Vec<(AppId, EndpointId)>> {
        self.writer
            .write(move |c| disable_failing(c, failing_since, now))
            .await
    }

    async fn expire_payloads(
        &self,
        now: Timestamp,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64> {
        self.writer
            .write(move |c| {
                let changed = c.prepare_cached(EXPIRE_PAYLOADS)?.execute(params![
                    now.as_millis(),
                    before.as_millis(),
                    limit
                ])?;
                Ok(changed as u64)
            })
            .await
    }

    async fn prune_attempts(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        self.writer
            .write(move |c| run(c, PRUNE_ATTEMPTS, before, limit))
            .await
    }

    async fn prune_messages(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        self.writer
            .write(move |c| run(c, PRUNE_MESSAGES, before, limit))
            .await
    }

    async fn prune_tasks(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        self.writer
            .write(move |c| run(c, PRUNE_TASKS, before, limit))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan SQLite picks for `sql`, one step per line.
    fn plan(conn: &Connection, sql: &str) -> String {
        let mut explain = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let steps = explain
            .query_map(params![0_i64, 1_u32], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<Result<Vec<_>, _>>()
            .expect("plan rows");
        steps.join("\n")
    }

    #[test]
    fn pruning_tasks_walks_the_index_of_ended_tasks_without_sorting() {
        let conn = Connection::open_in_memory().expect("open");
        super::super::migrations::migrate(&conn).expect("migrate");
        let plan = plan(&conn, PRUNE_TASKS);
        assert!(
            plan.contains("USING INDEX background_tasks_ended"),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
