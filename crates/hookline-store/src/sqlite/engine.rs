//! The delivery engine's extra storage: deferrals, endpoint health, settings, schedules.

use std::time::Duration;

use async_trait::async_trait;
use hookline_core::delivery::{CircuitState, DeliverySettings, EndpointHealth, RATE_LIMITED};
use hookline_core::retry::RetrySchedule;
use hookline_core::{EndpointId, EventTypeName, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, named_params};

use super::SqliteStore;
use crate::query::{Deferral, QueueDepth};
use crate::{EngineStore, StoreError, StoreResult};

/// Columns of `endpoint_delivery_settings s`, read by [`settings_at`].
pub(crate) const SETTINGS_COLUMNS: &str =
    "s.ordered, s.max_concurrency, s.timeout_ms, s.retry_schedule";
/// Columns of `endpoint_health h` (without the endpoint id), read by [`health_at`].
pub(crate) const HEALTH_COLUMNS: &str =
    "h.circuit, h.throttled_since, h.paused_until, h.reason, h.updated_at";

/// Serialises a schedule as a JSON array of milliseconds.
pub(crate) fn schedule_to_json(schedule: &RetrySchedule) -> String {
    let millis: Vec<u64> = schedule
        .delays()
        .iter()
        .map(|d| d.as_millis() as u64)
        .collect();
    serde_json::to_string(&millis).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads a schedule column (JSON array of milliseconds); `NULL` is no schedule.
pub(crate) fn schedule_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<RetrySchedule>> {
    let Some(text) = row.get::<_, Option<String>>(idx)? else {
        return Ok(None);
    };
    let millis: Vec<u64> = serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Some(RetrySchedule::from_delays(
        millis.into_iter().map(Duration::from_millis).collect(),
    )))
}

/// Reads [`SETTINGS_COLUMNS`] starting at `at`; a missing row (all `NULL`) gives the defaults.
pub(crate) fn settings_at(row: &Row<'_>, at: usize) -> rusqlite::Result<DeliverySettings> {
    Ok(DeliverySettings {
        ordered: row.get::<_, Option<bool>>(at)?.unwrap_or(false),
        max_concurrency: row.get(at + 1)?,
        timeout: row
            .get::<_, Option<i64>>(at + 2)?
            .map(|ms| Duration::from_millis(ms.max(0) as u64)),
        retry_schedule: schedule_at(row, at + 3)?,
    })
}

/// Reads [`HEALTH_COLUMNS`] starting at `at`; `None` when the endpoint has no health row.
pub(crate) fn health_at(
    row: &Row<'_>,
    at: usize,
    endpoint_id: &EndpointId,
) -> rusqlite::Result<Option<EndpointHealth>> {
    let Some(circuit) = row.get::<_, Option<String>>(at)? else {
        return Ok(None);
    };
    let ts = |idx: usize| -> rusqlite::Result<Option<Timestamp>> {
        Ok(row.get::<_, Option<i64>>(idx)?.map(Timestamp::from_millis))
    };
    Ok(Some(EndpointHealth {
        endpoint_id: endpoint_id.clone(),
        circuit: CircuitState::parse(&circuit),
        throttled_since: ts(at + 1)?,
        paused_until: ts(at + 2)?,
        reason: row.get(at + 3)?,
        updated_at: Timestamp::from_millis(row.get(at + 4)?),
    }))
}

/// Persists `health`; a `paused_until` also holds the endpoint's pending deliveries until then
/// (one index range update, so the claim does not walk over them while the endpoint is paused),
/// except for a rate limit, whose deliveries were each given their own time.
pub(crate) fn save_health(conn: &Connection, health: &EndpointHealth) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO endpoint_health (endpoint_id, circuit, throttled_since, paused_until, reason,
         updated_at) SELECT :id, :circuit, :since, :until, :reason, :at
         WHERE EXISTS (SELECT 1 FROM endpoints WHERE id = :id)
         ON CONFLICT (endpoint_id) DO UPDATE SET circuit = excluded.circuit,
         throttled_since = excluded.throttled_since, paused_until = excluded.paused_until,
         reason = excluded.reason, updated_at = excluded.updated_at",
    )?
    .execute(named_params! {
        ":id": health.endpoint_id.as_str(),
        ":circuit": health.circuit.as_str(),
        ":since": health.throttled_since.map(Timestamp::as_millis),
        ":until": health.paused_until.map(Timestamp::as_millis),
        ":reason": health.reason,
        ":at": health.updated_at.as_millis(),
    })?;
    let spreads_only = health.reason.as_deref() == Some(RATE_LIMITED);
    if let Some(until) = health.paused_until
        && !spreads_only
    {
        hold_endpoint(conn, &health.endpoint_id, until, None)?;
    }
    Ok(())
}

/// Moves the endpoint's pending deliveries due before `until` to `until`; with `after_delivery`,
/// only those accepted after that delivery (ordered endpoints). `status IN (1, 3)` repeats the
/// partial index's condition word for word: SQLite uses a partial index only then.
pub(crate) fn hold_endpoint(
    conn: &Connection,
    endpoint: &EndpointId,
    until: Timestamp,
    after_delivery: Option<&str>,
) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE deliveries INDEXED BY deliveries_endpoint_open SET next_attempt_at = :until
         WHERE endpoint_id = :ep AND status IN (1, 3) AND status = 1
         AND next_attempt_at IS NOT NULL
         AND next_attempt_at < :until
         AND (:after IS NULL OR rowid > (SELECT rowid FROM deliveries WHERE id = :after))",
    )?
    .execute(named_params! {
        ":until": until.as_millis(),
        ":ep": endpoint.as_str(),
        ":after": after_delivery,
    })?;
    Ok(())
}

fn defer(conn: &Connection, deferral: Deferral) -> StoreResult<()> {
    let mut update = conn.prepare_cached(
        "UPDATE deliveries SET status = 1, next_attempt_at = ?2 WHERE id = ?1 AND status = 3",
    )?;
    for (id, due) in &deferral.deliveries {
        update.execute(rusqlite::params![id.as_str(), due.as_millis()])?;
    }
    for health in &deferral.health {
        save_health(conn, health)?;
    }
    Ok(())
}

fn health(conn: &Connection, endpoint: &EndpointId) -> StoreResult<Option<EndpointHealth>> {
    let sql = format!("SELECT {HEALTH_COLUMNS} FROM endpoint_health h WHERE h.endpoint_id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([endpoint.as_str()], |row| health_at(row, 0, endpoint))
        .optional()?
        .flatten())
}

fn settings(conn: &Connection, endpoint: &EndpointId) -> StoreResult<DeliverySettings> {
    let sql = format!(
        "SELECT {SETTINGS_COLUMNS} FROM endpoint_delivery_settings s WHERE s.endpoint_id = ?1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([endpoint.as_str()], |row| settings_at(row, 0))
        .optional()?
        .unwrap_or_default())
}

fn set_settings(
    conn: &Connection,
    endpoint: &EndpointId,
    s: &DeliverySettings,
    now: Timestamp,
) -> StoreResult<()> {
    let changed = conn
        .prepare_cached(
            "INSERT INTO endpoint_delivery_settings (endpoint_id, ordered, max_concurrency,
             timeout_ms, retry_schedule, updated_at)
             SELECT :id, :ordered, :max, :timeout, :schedule, :at
             WHERE EXISTS (SELECT 1 FROM endpoints WHERE id = :id)
             ON CONFLICT (endpoint_id) DO UPDATE SET ordered = excluded.ordered,
             max_concurrency = excluded.max_concurrency, timeout_ms = excluded.timeout_ms,
             retry_schedule = excluded.retry_schedule, updated_at = excluded.updated_at",
        )?
        .execute(named_params! {
            ":id": endpoint.as_str(),
            ":ordered": s.ordered,
            ":max": s.max_concurrency,
            ":timeout": s.timeout.map(|t| t.as_millis() as i64),
            ":schedule": s.retry_schedule.as_ref().map(schedule_to_json),
            ":at": now.as_millis(),
        })?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(crate) fn event_type_schedule(
    conn: &Connection,
    name: &EventTypeName,
) -> StoreResult<Option<RetrySchedule>> {
    Ok(conn
        .prepare_cached(
            "SELECT retry_schedule FROM event_type_retry_schedules WHERE event_type = ?1",
        )?
        .query_row([name.as_str()], |row| schedule_at(row, 0))
        .optional()?
        .flatten())
}

fn set_event_type_schedule(
    conn: &Connection,
    name: &EventTypeName,
    schedule: Option<&RetrySchedule>,
    now: Timestamp,
) -> StoreResult<()> {
    let Some(schedule) = schedule else {
        conn.prepare_cached("DELETE FROM event_type_retry_schedules WHERE event_type = ?1")?
            .execute([name.as_str()])?;
        return Ok(());
    };
    conn.prepare_cached(
        "INSERT INTO event_type_retry_schedules (event_type, retry_schedule, updated_at)
         VALUES (?1, ?2, ?3) ON CONFLICT (event_type) DO UPDATE SET
         retry_schedule = excluded.retry_schedule, updated_at = excluded.updated_at",
    )?
    .execute(rusqlite::params![
        name.as_str(),
        schedule_to_json(schedule),
        now.as_millis()
    ])
    .map_err(|err| match StoreError::from(err) {
        StoreError::Conflict(_) => StoreError::NotFound,
        other => other,
    })?;
    Ok(())
}

fn queue_depth(conn: &Connection, now: Timestamp) -> StoreResult<QueueDepth> {
    let (due, scheduled): (i64, i64) = conn
        .prepare_cached(
            "SELECT COUNT(*) FILTER (WHERE next_attempt_at <= ?1),
                    COUNT(*) FILTER (WHERE next_attempt_at > ?1)
             FROM deliveries INDEXED BY deliveries_due WHERE next_attempt_at IS NOT NULL",
        )?
        .query_row([now.as_millis()], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(QueueDepth {
        due: due.max(0) as u64,
        scheduled: scheduled.max(0) as u64,
    })
}

#[async_trait]
impl EngineStore for SqliteStore {
    fn on_planned(&self, wake: crate::due::Wake) {
        self.due.set(wake);
    }
    async fn defer_deliveries(&self, deferral: Deferral) -> StoreResult<()> {
        // Plain updates that cannot conflict: no savepoint needed.
        self.writer.write_shared(move |c| defer(c, deferral)).await
    }
    async fn endpoint_health(&self, endpoint: &EndpointId) -> StoreResult<Option<EndpointHealth>> {
        let endpoint = endpoint.clone();
        self.readers.read(move |c| health(c, &endpoint)).await
    }
    async fn delivery_settings(&self, endpoint: &EndpointId) -> StoreResult<DeliverySettings> {
        let endpoint = endpoint.clone();
        self.readers.read(move |c| settings(c, &endpoint)).await
    }
    async fn set_delivery_settings(
        &self,
        endpoint: &EndpointId,
        settings: DeliverySettings,
        now: Timestamp,
    ) -> StoreResult<DeliverySettings> {
        let endpoint = endpoint.clone();
        self.writer
            .write(move |c| {
                set_settings(c, &endpoint, &settings, now)?;
                Ok(settings)
            })
            .await
    }
    async fn event_type_retry_schedule(
        &self,
        name: &EventTypeName,
    ) -> StoreResult<Option<RetrySchedule>> {
        let name = name.clone();
        self.readers
            .read(move |c| event_type_schedule(c, &name))
            .await
    }
    async fn set_event_type_retry_schedule(
        &self,
        name: &EventTypeName,
        schedule: Option<RetrySchedule>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let name = name.clone();
        self.writer
            .write(move |c| set_event_type_schedule(c, &name, schedule.as_ref(), now))
            .await
    }
    async fn next_due_after(&self, now: Timestamp) -> StoreResult<Option<Timestamp>> {
        self.readers
            .read(move |c| {
                let next: Option<i64> = c
                    .prepare_cached(
                        "SELECT MIN(next_attempt_at) FROM deliveries WHERE next_attempt_at > ?1",
                    )?
                    .query_row([now.as_millis()], |row| row.get(0))?;
                Ok(next.map(Timestamp::from_millis))
            })
            .await
    }
    async fn queue_depth(&self, now: Timestamp) -> StoreResult<QueueDepth> {
        self.readers.read(move |c| queue_depth(c, now)).await
    }
}
