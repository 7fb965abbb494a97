//! The delivery engine's side of storage: claiming due work and recording outcomes.

use std::collections::HashMap;

use hookline_core::delivery::{DeliverySettings, EndpointHealth};
use hookline_core::model::{DeliveryStatus, Endpoint};
use hookline_core::retry::RetrySchedule;
use hookline_core::{EndpointId, EventTypeName, Timestamp};
use rusqlite::{Connection, OptionalExtension, named_params};

use super::attempt_headers;
use super::engine::{self, HEALTH_COLUMNS, SETTINGS_COLUMNS};
use super::rows::{self, DELIVERY_COLUMNS, ENDPOINT_COLUMNS, ENDPOINT_WIDTH, MESSAGE_COLUMNS};
use crate::StoreResult;
use crate::query::{AttemptRecord, ClaimRequest, DeliveryJob};

const DELIVERY_WIDTH: usize = 9;

/// What a claimed delivery needs to know about its endpoint, read once per endpoint per claim
/// (a claim usually holds many deliveries to few endpoints).
#[derive(Clone)]
struct EndpointContext {
    endpoint: Endpoint,
    app_throttle_rate: Option<u16>,
    settings: DeliverySettings,
    health: Option<EndpointHealth>,
}

/// Finds claimable deliveries, oldest due first, on a read connection (so walking the due index
/// never holds up the writer): deliveries to excluded endpoints are skipped on the index, and so
/// is a delivery to an ordered endpoint while an earlier one to it is still open (pending or in
/// flight). [`lease`] then claims them. The per-row work is the due index, the delivery and its
/// message; endpoints, their settings and health, and event-type schedules are read once each.
pub(crate) fn find_due(conn: &Connection, claim: &ClaimRequest) -> StoreResult<Vec<DeliveryJob>> {
    let now = claim.now.as_millis();
    // Ordered endpoints are few: their ids are looked up once per claim, in memory.
    let mut select = conn.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS}, {MESSAGE_COLUMNS}
         FROM deliveries d INDEXED BY deliveries_due
         JOIN messages m ON m.id = d.msg_id
         WHERE d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= ?1
         AND d.endpoint_id NOT IN (SELECT value FROM json_each(?3))
         AND (d.endpoint_id NOT IN
                (SELECT endpoint_id FROM endpoint_delivery_settings WHERE ordered)
              OR NOT EXISTS (
                SELECT 1 FROM deliveries p INDEXED BY deliveries_endpoint_open
                WHERE p.endpoint_id = d.endpoint_id AND p.status IN (1, 3)
                AND p.rowid < d.rowid))
         ORDER BY d.next_attempt_at LIMIT ?2"
    ))?;
    let exclude: Vec<&str> = claim.exclude.iter().map(|id| id.as_str()).collect();
    let exclude = rows::to_json(&exclude);
    let found = select
        .query_map(rusqlite::params![now, claim.limit, exclude], |row| {
            Ok((
                rows::delivery_at(row, 0)?,
                rows::message_at(row, DELIVERY_WIDTH)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut endpoints: HashMap<EndpointId, Option<EndpointContext>> = HashMap::new();
    let mut schedules: HashMap<EventTypeName, Option<RetrySchedule>> = HashMap::new();
    let mut jobs = Vec::with_capacity(found.len());
    for (delivery, message) in found {
        let context = match endpoints.get(&delivery.endpoint_id) {
            Some(context) => context.clone(),
            None => {
                let context = endpoint_context(conn, &delivery.endpoint_id)?;
                endpoints.insert(delivery.endpoint_id.clone(), context.clone());
                context
            }
        };
        // The endpoint is gone (deleted with its deliveries after the rows were read).
        let Some(context) = context else { continue };
        let event_type_schedule = match schedules.get(&message.event_type) {
            Some(schedule) => schedule.clone(),
            None => {
                let schedule = engine::event_type_schedule(conn, &message.event_type)?;
                schedules.insert(message.event_type.clone(), schedule.clone());
                schedule
            }
        };
        jobs.push(DeliveryJob {
            delivery,
            message,
            endpoint: context.endpoint,
            app_throttle_rate: context.app_throttle_rate,
            settings: context.settings,
            event_type_schedule,
            health: context.health,
            forward: None,
        });
    }
    Ok(jobs)
}

/// The endpoint, its application's rate limit, its settings and its health; `None` if it is gone.
fn endpoint_context(
    conn: &Connection,
    endpoint: &EndpointId,
) -> StoreResult<Option<EndpointContext>> {
    let extra = ENDPOINT_WIDTH;
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ENDPOINT_COLUMNS}, a.throttle_rate, {SETTINGS_COLUMNS}, {HEALTH_COLUMNS}
             FROM endpoints e
             JOIN applications a ON a.id = e.app_id
             LEFT JOIN endpoint_delivery_settings s ON s.endpoint_id = e.id
             LEFT JOIN endpoint_health h ON h.endpoint_id = e.id
             WHERE e.id = ?1"
        ))?
        .query_row([endpoint.as_str()], |row| {
            let endpoint = rows::endpoint_at(row, 0)?;
            Ok(EndpointContext {
                app_throttle_rate: row.get(extra)?,
                settings: engine::settings_at(row, extra + 1)?,
                health: engine::health_at(row, extra + 5, &endpoint.id)?,
                endpoint,
            })
        })
        .optional()?)
}

/// Claims the deliveries [`find_due`] found by moving their due time to the end of the lease: if
/// this process dies mid-delivery, the delivery becomes due again when the lease runs out. A
/// delivery that changed since it was found (recorded, resent, deleted) is left alone.
pub(crate) fn lease(
    conn: &Connection,
    candidates: Vec<DeliveryJob>,
    claim: &ClaimRequest,
) -> StoreResult<Vec<DeliveryJob>> {
    let now = claim.now.as_millis();
    let lease_until = claim.now.plus(claim.lease).as_millis();
    let mut lease = conn.prepare_cached(
        "UPDATE deliveries SET status = ?2, next_attempt_at = ?3, updated_at = ?4
         WHERE id = ?1 AND status = ?5 AND next_attempt_at IS ?6",
    )?;
    let mut jobs = Vec::with_capacity(candidates.len());
    for mut job in candidates {
        let found = (
            job.delivery.status.code(),
            job.delivery.next_attempt_at.map(Timestamp::as_millis),
        );
        if job.endpoint.disabled || job.message.payload.is_none() {
            // Nothing to send: the endpoint was disabled or the payload expunged since planning.
            lease.execute(rusqlite::params![
                job.delivery.id.as_str(),
                DeliveryStatus::Fail.code(),
                Option::<i64>::None,
                now,
                found.0,
                found.1,
            ])?;
            continue;
        }
        let leased = lease.execute(rusqlite::params![
            job.delivery.id.as_str(),
            DeliveryStatus::Sending.code(),
            lease_until,
            now,
            found.0,
            found.1,
        ])?;
        if leased == 0 {
            continue;
        }
        job.delivery.status = DeliveryStatus::Sending;
        job.delivery.next_attempt_at = Some(Timestamp::from_millis(lease_until));
        jobs.push(job);
    }
    Ok(jobs)
}

pub(crate) fn record_attempts(conn: &Connection, records: Vec<AttemptRecord>) -> StoreResult<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO attempts (id, delivery_id, msg_id, endpoint_id, app_id, url, status,
         response_status_code, response, response_duration_ms, trigger_type, attempt_number,
         next_attempt_at, error_code, created_at)
         VALUES (:id, :delivery_id, :msg_id, :endpoint_id, :app_id, :url, :status,
         :response_status_code, :response, :response_duration_ms, :trigger_type, :attempt_number,
         :next_attempt_at, :error_code, :created_at)",
    )?;
    let mut update = conn.prepare_cached(
        "UPDATE deliveries SET status = ?2, attempt_count = ?3, next_attempt_at = ?4,
         updated_at = ?5 WHERE id = ?1",
    )?;
    // Operational webhooks are looked for only when someone receives them.
    let watched = super::operational::has_receivers(conn)?;
    let mut events = Vec::new();
    for record in records {
        let a = &record.attempt;
        // The delivery may have been deleted with its endpoint while the request was in flight.
        let exists = update.execute(rusqlite::params![
            a.delivery_id.as_str(),
            record.delivery_status.code(),
            a.attempt_number,
            record.next_attempt_at.map(Timestamp::as_millis),
            a.created_at.as_millis(),
        ])?;
        if exists == 0 {
            continue;
        }
        let mut just_disabled = false;
        if record.disable_endpoint {
            just_disabled = conn
                .prepare_cached(
                    "UPDATE endpoints SET disabled = 1, updated_at = ?2 WHERE id = ?1 AND disabled = 0",
                )?
                .execute(rusqlite::params![
                    a.endpoint_id.as_str(),
                    a.created_at.as_millis()
                ])?
                > 0;
        }
        if watched {
            events.extend(super::operational::for_attempt(
                conn,
                &record,
                just_disabled,
            )?);
        }
        if record.ordered
            && let Some(next) = record.next_attempt_at
        {
            engine::hold_endpoint(conn, &a.endpoint_id, next, Some(a.delivery_id.as_str()))?;
        }
        if let Some(health) = &record.health {
            engine::save_health(conn, health)?;
        }
        insert.execute(named_params! {
            ":id": a.id.as_str(),
            ":delivery_id": a.delivery_id.as_str(),
            ":msg_id": a.msg_id.as_str(),
            ":endpoint_id": a.endpoint_id.as_str(),
            ":app_id": a.app_id.as_str(),
            ":url": a.url,
            ":status": a.status.code(),
            ":response_status_code": a.response_status_code,
            ":response": a.response,
            ":response_duration_ms": a.response_duration_ms,
            ":trigger_type": a.trigger_type.code(),
            ":attempt_number": a.attempt_number,
            ":next_attempt_at": a.next_attempt_at.map(Timestamp::as_millis),
            ":error_code": a.error_code,
            ":created_at": a.created_at.as_millis(),
        })?;
        if let Some(headers) = &record.headers {
            attempt_headers::insert(conn, &a.id, headers)?;
        }
    }
    super::operational::emit(conn, events)?;
    Ok(())
}

pub(crate) fn next_due_at(conn: &Connection) -> StoreResult<Option<Timestamp>> {
    let next: Option<i64> = conn
        .prepare_cached(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE next_attempt_at IS NOT NULL",
        )?
        .query_row([], |row| row.get(0))?;
    Ok(next.map(Timestamp::from_millis))
}

/// After each commit, wakes the engine if deliveries were planned since the last one (the
/// highest delivery rowid grew: one b-tree descent). Covers every planner, e.g. operational
/// events planned while recording attempts, which no API call wakes the engine for.
pub(crate) fn wake_on_plan(
    conn: &Connection,
    due: crate::due::DueSignal,
) -> StoreResult<super::writer::AfterCommit> {
    fn newest(conn: &Connection) -> rusqlite::Result<i64> {
        conn.prepare_cached("SELECT COALESCE(MAX(rowid), 0) FROM deliveries")?
            .query_row([], |row| row.get(0))
    }
    let mut last = newest(conn)?;
    Ok(Box::new(move |conn: &Connection| match newest(conn) {
        Ok(now) if now > last => {
            last = now;
            due.wake();
        }
        Ok(_) => {}
        Err(err) => {
            tracing::warn!(error = %err, "cannot read the newest delivery; waking the engine anyway");
            due.wake();
        }
    }))
}
