//! The delivery engine's extra storage on PostgreSQL (`../sqlite/engine.rs`): deferrals, endpoint
//! health, per-endpoint settings and per-event-type retry schedules, plus the readers of those
//! columns that the claim ([`super::deliveries`]) shares.
//!
//! Which node may deliver to an endpoint is decided by the claim (endpoint ownership, see
//! [`super::deliveries`]); everything here is written by that node, or by the API, and read by
//! whichever node owns the endpoint next (a pause or an open circuit outlives a change of owner
//! because it is stored here).

use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use hookline_core::delivery::{CircuitState, DeliverySettings, EndpointHealth, RATE_LIMITED};
use hookline_core::retry::RetrySchedule;
use hookline_core::{EndpointId, EventTypeName, Timestamp};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::PgStore;
use super::list::Param;
use super::rows::RowExt;
use crate::query::{Deferral, QueueDepth};
use crate::{EngineStore, StoreError, StoreResult};

/// Columns of `endpoint_delivery_settings s`, read by [`settings_at`].
pub(crate) const SETTINGS_COLUMNS: &str =
    "s.ordered, s.max_concurrency, s.timeout_ms, s.retry_schedule";
/// Columns of `endpoint_health h` (without the endpoint id), read by [`health_at`].
pub(crate) const HEALTH_COLUMNS: &str =
    "h.circuit, h.throttled_since, h.paused_until, h.reason, h.updated_at";

/// Serialises a schedule as a JSON array of milliseconds (as SQLite stores it).
fn schedule_to_json(schedule: &RetrySchedule) -> String {
    let millis: Vec<u64> = schedule
        .delays()
        .iter()
        .map(|d| d.as_millis() as u64)
        .collect();
    serde_json::to_string(&millis).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads a schedule column (JSON array of milliseconds); `NULL` is no schedule.
pub(crate) fn schedule_at(row: &Row, idx: usize) -> StoreResult<Option<RetrySchedule>> {
    let millis: Option<Vec<u64>> = row.opt_json(idx)?;
    Ok(millis
        .map(|m| RetrySchedule::from_delays(m.into_iter().map(Duration::from_millis).collect())))
}

/// Reads [`SETTINGS_COLUMNS`] starting at `at`; a missing row (all `NULL`) gives the defaults.
pub(crate) fn settings_at(row: &Row, at: usize) -> StoreResult<DeliverySettings> {
    Ok(DeliverySettings {
        ordered: row.col::<Option<bool>>(at)?.unwrap_or(false),
        max_concurrency: row.opt_int(at + 1)?,
        timeout: row
            .col::<Option<i64>>(at + 2)?
            .map(|ms| Duration::from_millis(ms.max(0) as u64)),
        retry_schedule: schedule_at(row, at + 3)?,
    })
}

/// Reads [`HEALTH_COLUMNS`] starting at `at`; `None` when the endpoint has no health row.
pub(crate) fn health_at(
    row: &Row,
    at: usize,
    endpoint_id: &EndpointId,
) -> StoreResult<Option<EndpointHealth>> {
    let Some(circuit) = row.col::<Option<&str>>(at)? else {
        return Ok(None);
    };
    Ok(Some(EndpointHealth {
        endpoint_id: endpoint_id.clone(),
        circuit: CircuitState::parse(circuit),
        throttled_since: row.opt_ts(at + 1)?,
        paused_until: row.opt_ts(at + 2)?,
        reason: row.col(at + 3)?,
        updated_at: row.ts(at + 4)?,
    }))
}

/// A statement and its parameters, for writes that run in a caller's batch.
pub(crate) type Write = (&'static str, Vec<Param>);

/// Upserts an endpoint's health row; a deleted endpoint gets none (locked against deletion).
const SAVE_HEALTH: &str = "INSERT INTO endpoint_health (endpoint_id, circuit, throttled_since,
    paused_until, reason, updated_at)
    SELECT e.id, $2, $3, $4, $5, $6 FROM endpoints e WHERE e.id = $1 FOR KEY SHARE
    ON CONFLICT (endpoint_id) DO UPDATE SET circuit = EXCLUDED.circuit,
    throttled_since = EXCLUDED.throttled_since, paused_until = EXCLUDED.paused_until,
    reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at";

/// Moves an endpoint's pending deliveries due before `$1` to `$1` (with `$3`, only those planned
/// after that delivery); the status literal keeps the partial indexes usable.
const HOLD_ENDPOINT: &str = "UPDATE deliveries SET next_attempt_at = $1
    WHERE endpoint_id = $2 AND status = 1 AND next_attempt_at < $1
    AND ($3::text IS NULL OR seq > (SELECT p.seq FROM deliveries p WHERE p.id = $3))";

/// Persisting `health` (nothing for an endpoint deleted meanwhile), in order: the health row,
/// then, for a `paused_until`, holding the endpoint's pending deliveries until then (one index
/// range update, so claims do not walk over them while the endpoint is paused), except for a
/// rate limit, whose deliveries were each given their own time.
pub(crate) fn health_writes(health: &EndpointHealth) -> Vec<Write> {
    let mut writes: Vec<Write> = vec![(
        SAVE_HEALTH,
        vec![
            Box::new(health.endpoint_id.to_string()),
            Box::new(health.circuit.as_str()),
            Box::new(health.throttled_since.map(Timestamp::as_millis)),
            Box::new(health.paused_until.map(Timestamp::as_millis)),
            Box::new(health.reason.clone()),
            Box::new(health.updated_at.as_millis()),
        ],
    )];
    let spreads_only = health.reason.as_deref() == Some(RATE_LIMITED);
    if let Some(until) = health.paused_until
        && !spreads_only
    {
        writes.push(hold_endpoint(&health.endpoint_id, until, None));
    }
    writes
}

/// Moving the endpoint's pending deliveries due before `until` to `until`; with
/// `after_delivery`, only those planned after that delivery (ordered endpoints).
pub(crate) fn hold_endpoint(
    endpoint: &EndpointId,
    until: Timestamp,
    after_delivery: Option<&str>,
) -> Write {
    (
        HOLD_ENDPOINT,
        vec![
            Box::new(until.as_millis()),
            Box::new(endpoint.to_string()),
            Box::new(after_delivery.map(str::to_owned)),
        ],
    )
}

/// Holds endpoints against deletion until commit, as the first statement of a transaction that
/// changes their deliveries (and maybe the endpoints' health): `endpoints` by id, and the
/// endpoints of `deliveries`. A delete takes the endpoint's row first and its deliveries' rows
/// next (the cascade, in its own order); a writer that took two of those deliveries, or a
/// delivery and then the endpoint (the health row's key-share lock on it), could deadlock with
/// it, and PostgreSQL would abort one after a second. With this key-share lock taken first, in
/// id order, the delete waits for the writer, or the writer for the delete (and then finds the
/// deliveries gone). `None` when there is nothing to hold.
pub(crate) fn hold_against_delete(
    endpoints: impl IntoIterator<Item = String>,
    deliveries: impl IntoIterator<Item = String>,
) -> Option<Write> {
    let mut endpoints: Vec<String> = endpoints.into_iter().collect();
    endpoints.sort_unstable();
    endpoints.dedup();
    let deliveries: Vec<String> = deliveries.into_iter().collect();
    (!endpoints.is_empty() || !deliveries.is_empty()).then(|| -> Write {
        (
            "SELECT 1 FROM endpoints WHERE id IN (SELECT unnest($1::text[])
             UNION SELECT endpoint_id FROM deliveries WHERE id = ANY($2::text[]))
             ORDER BY id FOR KEY SHARE",
            vec![Box::new(endpoints), Box::new(deliveries)],
        )
    })
}

/// Runs `writes` in order, sent together (pipelined: one round trip for all of them); returns
/// the rows each changed.
pub(crate) async fn run_writes(c: &impl GenericClient, writes: &[Write]) -> StoreResult<Vec<u64>> {
    let mut statements = Vec::with_capacity(writes.len());
    for (sql, _) in writes {
        // Cached after the first use: no round trip.
        statements.push(c.prepare_cached(sql).await?);
    }
    // The driver sends each statement when its future is first polled, and joining polls them
    // in order, so they reach the server (and run) in the order given.
    let calls = writes
        .iter()
        .zip(&statements)
        .map(|((_, params), stmt)| async move {
            let params: Vec<&(dyn ToSql + Sync)> = params
                .iter()
                .map(|p| p.as_ref() as &(dyn ToSql + Sync))
                .collect();
            c.execute(stmt, &params).await
        });
    Ok(futures::future::try_join_all(calls).await?)
}

/// Hands claimed deliveries back (only those still claimed: one recorded or re-queued meanwhile
/// keeps its newer state) and saves the health changes, in one transaction.
async fn defer(store: &PgStore, deferral: Deferral) -> StoreResult<()> {
    let mut client = store.db.client().await?;
    let tx = client.transaction().await?;
    // As in recording: the endpoints of the deliveries handed back, and of the health saved,
    // are held against deletion before any of their rows.
    let mut writes: Vec<Write> = hold_against_delete(
        deferral.health.iter().map(|h| h.endpoint_id.to_string()),
        deferral.deliveries.iter().map(|(id, _)| id.to_string()),
    )
    .into_iter()
    .collect();
    // One primary-key update per delivery (a plan that cannot turn into a scan of the table),
    // all sent together.
    writes.extend(deferral.deliveries.iter().map(|(id, due)| -> Write {
        (
            "UPDATE deliveries SET status = 1, next_attempt_at = $2
                 WHERE id = $1 AND status = 3",
            vec![Box::new(id.to_string()), Box::new(due.as_millis())],
        )
    }));
    writes.extend(deferral.health.iter().flat_map(health_writes));
    run_writes(&tx, &writes).await?;
    tx.commit().await?;
    Ok(())
}

#[async_trait]
impl EngineStore for PgStore {
    fn on_planned(&self, wake: crate::due::Wake) {
        self.due.set(wake);
    }
    async fn defer_deliveries(&self, deferral: Deferral) -> StoreResult<()> {
        if deferral.deliveries.is_empty() && deferral.health.is_empty() {
            return Ok(());
        }
        defer(self, deferral).await
    }

    async fn endpoint_health(&self, endpoint: &EndpointId) -> StoreResult<Option<EndpointHealth>> {
        let c = self.db.client().await?;
        let stmt = c
            .prepare_cached(&format!(
                "SELECT {HEALTH_COLUMNS} FROM endpoint_health h WHERE h.endpoint_id = $1"
            ))
            .await?;
        match c.query_opt(&stmt, &[&endpoint.as_str()]).await? {
            Some(row) => health_at(&row, 0, endpoint),
            None => Ok(None),
        }
    }

    async fn delivery_settings(&self, endpoint: &EndpointId) -> StoreResult<DeliverySettings> {
        let c = self.db.client().await?;
        let stmt = c
            .prepare_cached(&format!(
                "SELECT {SETTINGS_COLUMNS} FROM endpoint_delivery_settings s
                 WHERE s.endpoint_id = $1"
            ))
            .await?;
        match c.query_opt(&stmt, &[&endpoint.as_str()]).await? {
            Some(row) => settings_at(&row, 0),
            None => Ok(DeliverySettings::default()),
        }
    }

    async fn set_delivery_settings(
        &self,
        endpoint: &EndpointId,
        settings: DeliverySettings,
        now: Timestamp,
    ) -> StoreResult<DeliverySettings> {
        let c = self.db.client().await?;
        // Inserting from the locked endpoint row (not VALUES) makes a missing endpoint, or one
        // deleted concurrently, change nothing (NotFound) rather than fail the foreign key.
        let stmt = c
            .prepare_cached(
                "INSERT INTO endpoint_delivery_settings (endpoint_id, ordered, max_concurrency,
                 timeout_ms, retry_schedule, updated_at)
                 SELECT e.id, $2, $3, $4, $5, $6 FROM endpoints e WHERE e.id = $1 FOR KEY SHARE
                 ON CONFLICT (endpoint_id) DO UPDATE SET ordered = EXCLUDED.ordered,
                 max_concurrency = EXCLUDED.max_concurrency, timeout_ms = EXCLUDED.timeout_ms,
                 retry_schedule = EXCLUDED.retry_schedule, updated_at = EXCLUDED.updated_at",
            )
            .await?;
        let changed = c
            .execute(
                &stmt,
                &[
                    &endpoint.as_str(),
                    &settings.ordered,
                    &settings.max_concurrency.map(i64::from),
                    &settings.timeout.map(|t| t.as_millis() as i64),
                    &settings.retry_schedule.as_ref().map(schedule_to_json),
                    &now.as_millis(),
                ],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(settings)
    }

    async fn event_type_retry_schedule(
        &self,
        name: &EventTypeName,
    ) -> StoreResult<Option<RetrySchedule>> {
        let c = self.db.client().await?;
        let stmt = c
            .prepare_cached(
                "SELECT retry_schedule FROM event_type_retry_schedules WHERE event_type = $1",
            )
            .await?;
        match c.query_opt(&stmt, &[&name.as_str()]).await? {
            Some(row) => schedule_at(&row, 0),
            None => Ok(None),
        }
    }

    async fn set_event_type_retry_schedule(
        &self,
        name: &EventTypeName,
        schedule: Option<RetrySchedule>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let c = self.db.client().await?;
        let Some(schedule) = schedule else {
            let stmt = c
                .prepare_cached("DELETE FROM event_type_retry_schedules WHERE event_type = $1")
                .await?;
            c.execute(&stmt, &[&name.as_str()]).await?;
            return Ok(());
        };
        let stmt = c
            .prepare_cached(
                "INSERT INTO event_type_retry_schedules (event_type, retry_schedule, updated_at)
                 VALUES ($1, $2, $3) ON CONFLICT (event_type) DO UPDATE SET
                 retry_schedule = EXCLUDED.retry_schedule, updated_at = EXCLUDED.updated_at",
            )
            .await?;
        c.execute(
            &stmt,
            &[
                &name.as_str(),
                &schedule_to_json(&schedule),
                &now.as_millis(),
            ],
        )
        .await
        .map_err(|err| match StoreError::from(err) {
            // The only constraint that can fail is the event type's foreign key.
            StoreError::Conflict(_) => StoreError::NotFound,
            other => other,
        })?;
        Ok(())
    }

    async fn next_due_after(&self, now: Timestamp) -> StoreResult<Option<Timestamp>> {
        let c = self.db.client().await?;
        let stmt = c
            .prepare_cached(
                "SELECT MIN(next_attempt_at) FROM deliveries WHERE next_attempt_at > $1",
            )
            .await?;
        let row = c.query_one(&stmt, &[&now.as_millis()]).await?;
        row.opt_ts(0)
    }

    async fn queue_depth(&self, now: Timestamp) -> StoreResult<QueueDepth> {
        let c = self.db.client().await?;
        let stmt = c
            .prepare_cached(
                "SELECT COUNT(*) FILTER (WHERE next_attempt_at <= $1),
                        COUNT(*) FILTER (WHERE next_attempt_at > $1)
                 FROM deliveries WHERE next_attempt_at IS NOT NULL",
            )
            .await?;
        let row = c.query_one(&stmt, &[&now.as_millis()]).await?;
        Ok(QueueDepth {
            due: row.col::<i64>(0)?.max(0) as u64,
            scheduled: row.col::<i64>(1)?.max(0) as u64,
        })
    }
}
