//! The delivery engine's side of storage on PostgreSQL, for many nodes sharing one database:
//! claiming due work and recording outcomes (`../sqlite/deliveries.rs`).
//!
//! # Claims
//! A claim is one statement (one transaction): it walks the due index (`deliveries_due`) oldest
//! due first, locks what it takes with `FOR UPDATE SKIP LOCKED` (so two nodes never take the same
//! delivery and never wait for each other's rows), and moves each taken delivery's due time to
//! the end of its lease, as SQLite does: a node that dies mid-delivery loses its claims when the
//! lease runs out. A delivery changed since the statement's snapshot is re-checked on its newest
//! version by the row lock (recorded or deleted ones drop out). As on SQLite, deliveries whose
//! endpoint is disabled or whose payload expired are failed rather than claimed, and a delivery
//! to an ordered endpoint is skipped while an earlier one (lower `seq`) to it is still open.
//!
//! # Endpoint ownership
//! The engine keeps each endpoint's limits (concurrency, rate, ordering, circuit breaker) in the
//! memory of one node's lane. To keep them exact across nodes, an endpoint is delivered to by one
//! node at a time: its *owner* in `endpoint_owners` (`node_id`, `lease_until`).
//! - The claim only takes deliveries of endpoints this node owns, or that nobody owns or whose
//!   owner's lease has ended, and takes or extends ownership of every endpoint it claims for, in
//!   the same statement, until `now + lease + OWNERSHIP_MARGIN`. Ownership is taken with
//!   `INSERT ... ON CONFLICT DO UPDATE ... WHERE` (ours or expired): when two nodes race for a
//!   free endpoint, the second waits for the first's row and then finds it owned, so it leaves
//!   that endpoint's deliveries unclaimed (its row locks go with its commit). Endpoints are
//!   taken in id order, so two claims never wait for each other in a cycle.
//! - Ownership always outlives the node's delivery leases on that endpoint (it is renewed with
//!   every claim, and each claim's delivery lease ends `OWNERSHIP_MARGIN` earlier), so no other
//!   node can start an endpoint while its owner may still have a request in flight.
//! - Ownership is never given back explicitly: it lapses `OWNERSHIP_MARGIN` after the owner's
//!   last delivery lease on the endpoint, i.e. once the node has had nothing in flight there for
//!   a while. Handing it over the moment nothing is in flight would let lanes change hands
//!   between two attempts, resetting the circuit breaker's failure count, the slow-down streak
//!   and the rate limiter's pacing; an endpoint with steady traffic stays with one node.
//! - A node that dies stops renewing: its deliveries come back when their leases end and its
//!   endpoints go to whichever node claims next, `OWNERSHIP_MARGIN` later. State that must
//!   survive a change of owner (pauses, an open circuit, rate-limit turns) is in the database.
//! - Leases compare the claiming node's clock (`ClaimRequest::now`) with times other nodes wrote:
//!   node clocks must agree to well within `OWNERSHIP_MARGIN` (NTP does).
//!
//! # Recording
//! A batch of attempt records is one transaction, so a failed batch can be retried whole (the
//! engine's recorder does). Each record updates its delivery (skipped if the delivery was deleted
//! meanwhile), disables the endpoint on `410`, holds an ordered endpoint's later deliveries,
//! saves the endpoint's health and inserts the attempt with its headers; operational events are
//! planned in the same transaction. The statements are pipelined (sent together, run in order):
//! first every delivery's new state, then the rest for the deliveries that still exist, so a
//! batch costs a few round trips rather than a few per record. Unlike SQLite's record-by-record
//! order, a hold or pause of one record therefore also applies to another delivery of the same
//! endpoint recorded in the same batch, which is what the pause asks for.

use std::sync::LazyLock;
use std::time::Duration;

use hookline_core::Timestamp;
use hookline_core::model::DeliveryStatus;
use tokio_postgres::Row;

use super::engine::{self, HEALTH_COLUMNS, SETTINGS_COLUMNS, Write};
use super::list::Param;
use super::rows::{
    self, DELIVERY_COLUMNS, DELIVERY_WIDTH, ENDPOINT_COLUMNS, ENDPOINT_WIDTH, MESSAGE_COLUMNS,
    MESSAGE_WIDTH, RowExt,
};
use super::{PgStore, attempt_headers, operational};
use crate::StoreResult;
use crate::query::{AttemptRecord, ClaimRequest, DeliveryJob, ForwardedRequest};

/// How much longer than a claim's delivery lease the claiming node keeps owning the endpoint.
const OWNERSHIP_MARGIN: Duration = Duration::from_secs(10);

/// The claim: find, lock, judge, own, lease, read (see the module documentation).
///
/// `$1` now, `$2` limit, `$3` excluded endpoints, `$4` this node, `$5` the delivery lease's end,
/// `$6` the ownership lease's end. Every step touches only the rows it claims: the walk is the
/// due index in order, stopped by the limit; every other lookup is a primary-key probe per
/// claimed row (the `LATERAL ... LIMIT 1` subqueries and `= ANY(ARRAY(...))` keep them so, where
/// plain joins would let the planner hash whole tables for a batch of a few hundred rows). The
/// status literals keep the partial index `deliveries_endpoint_open` usable.
static CLAIM: LazyLock<String> = LazyLock::new(|| {
    let (pending, fail, sending) = (
        DeliveryStatus::Pending.code(),
        DeliveryStatus::Fail.code(),
        DeliveryStatus::Sending.code(),
    );
    format!(
        "WITH found AS (
            -- Due, not blocked by this node's lanes, free for this node (nobody owns the
            -- endpoint, this node does, or the owner's lease ended), not behind an open
            -- delivery of an ordered endpoint.
            SELECT d.id, d.endpoint_id, d.msg_id, d.next_attempt_at AS due
            FROM deliveries d
            WHERE d.next_attempt_at <= $1
            AND d.endpoint_id <> ALL($3::text[])
            AND COALESCE((
                SELECT o.node_id = $4::text OR o.lease_until <= $1
                FROM endpoint_owners o WHERE o.endpoint_id = d.endpoint_id), TRUE)
            AND NOT (COALESCE((
                SELECT s.ordered FROM endpoint_delivery_settings s
                WHERE s.endpoint_id = d.endpoint_id), FALSE)
                AND EXISTS (
                    SELECT 1 FROM deliveries p WHERE p.endpoint_id = d.endpoint_id
                    AND p.status IN ({pending}, {sending}) AND p.seq < d.seq))
            ORDER BY d.next_attempt_at
            LIMIT $2
            FOR UPDATE OF d SKIP LOCKED
        ), judged AS (
            -- Nothing to send when the endpoint was disabled or the payload expired.
            SELECT f.id, f.endpoint_id, f.due, x.dead
            FROM found f
            CROSS JOIN LATERAL (
                SELECT e.disabled OR m.payload IS NULL AS dead
                FROM endpoints e, messages m
                WHERE e.id = f.endpoint_id AND m.id = f.msg_id LIMIT 1) x
        ), free AS (
            -- The endpoints to own, held against deletion until commit (an endpoint being
            -- deleted is skipped, not waited for: its delete waits for our delivery locks).
            SELECT x.id
            FROM (SELECT DISTINCT endpoint_id FROM judged WHERE NOT dead) j
            CROSS JOIN LATERAL (
                SELECT e.id FROM endpoints e WHERE e.id = j.endpoint_id
                LIMIT 1 FOR KEY SHARE SKIP LOCKED) x
        ), owned AS (
            INSERT INTO endpoint_owners AS o (endpoint_id, node_id, lease_until)
            SELECT id, $4::text, $6::bigint FROM free ORDER BY id
            ON CONFLICT (endpoint_id) DO UPDATE
            SET node_id = EXCLUDED.node_id,
                lease_until = GREATEST(o.lease_until, EXCLUDED.lease_until)
            WHERE o.node_id = EXCLUDED.node_id OR o.lease_until <= $1
            RETURNING o.endpoint_id
        ), failed AS (
            UPDATE deliveries d
            SET status = {fail}, next_attempt_at = NULL, updated_at = $1
            WHERE d.id = ANY(ARRAY(SELECT id FROM judged WHERE dead))
        ), leased AS (
            UPDATE deliveries d
            SET status = {sending}, next_attempt_at = $5::bigint, updated_at = $1
            WHERE d.id = ANY(ARRAY(
                SELECT j.id FROM judged j JOIN owned o ON o.endpoint_id = j.endpoint_id
                WHERE NOT j.dead))
            RETURNING {DELIVERY_COLUMNS}, d.seq
        )
        SELECT {DELIVERY_COLUMNS}, {MESSAGE_COLUMNS}, {ENDPOINT_COLUMNS}, a.throttle_rate,
               {SETTINGS_COLUMNS}, r.retry_schedule, {HEALTH_COLUMNS},
               i.content_type, i.headers, i.body
        FROM leased d
        JOIN judged j ON j.id = d.id
        CROSS JOIN LATERAL (
            SELECT *, m.payload = '' AS maybe_inbound FROM messages m
            WHERE m.id = d.msg_id LIMIT 1) m
        CROSS JOIN LATERAL (
            SELECT * FROM endpoints e WHERE e.id = d.endpoint_id LIMIT 1) e
        CROSS JOIN LATERAL (
            SELECT a.throttle_rate FROM applications a WHERE a.id = e.app_id LIMIT 1) a
        LEFT JOIN LATERAL (
            SELECT * FROM endpoint_delivery_settings s
            WHERE s.endpoint_id = d.endpoint_id LIMIT 1) s ON TRUE
        LEFT JOIN LATERAL (
            SELECT r.retry_schedule FROM event_type_retry_schedules r
            WHERE r.event_type = m.event_type LIMIT 1) r ON TRUE
        LEFT JOIN LATERAL (
            SELECT * FROM endpoint_health h
            WHERE h.endpoint_id = d.endpoint_id LIMIT 1) h ON TRUE
        -- Inbound events are stored without payload text; their request is forwarded instead.
        LEFT JOIN LATERAL (
            SELECT i.content_type, i.headers, i.body FROM inbound_events i
            WHERE i.msg_id = d.msg_id AND m.maybe_inbound LIMIT 1) i ON TRUE
        ORDER BY j.due, d.seq"
    )
});

/// Claims due deliveries for this node (see the module documentation), oldest due first.
pub(crate) async fn claim_due(
    store: &PgStore,
    claim: ClaimRequest,
) -> StoreResult<Vec<DeliveryJob>> {
    if claim.limit == 0 {
        return Ok(Vec::new());
    }
    let now = claim.now.as_millis();
    let lease_until = claim.now.plus(claim.lease).as_millis();
    let owned_until = claim.now.plus(claim.lease + OWNERSHIP_MARGIN).as_millis();
    let exclude: Vec<&str> = claim.exclude.iter().map(|id| id.as_str()).collect();
    let c = store.db.client().await?;
    let stmt = c.prepare_cached(&CLAIM).await?;
    let found = c
        .query(
            &stmt,
            &[
                &now,
                &i64::from(claim.limit),
                &exclude,
                &&*store.node,
                &lease_until,
                &owned_until,
            ],
        )
        .await?;
    rows::all(found, job)
}

/// Reads one row of [`CLAIM`].
fn job(row: &Row) -> StoreResult<DeliveryJob> {
    let endpoint = rows::endpoint_at(row, DELIVERY_WIDTH + MESSAGE_WIDTH)?;
    let extra = DELIVERY_WIDTH + MESSAGE_WIDTH + ENDPOINT_WIDTH;
    let health = engine::health_at(row, extra + 6, &endpoint.id)?;
    let forward = match row.col::<Option<&str>>(extra + 12)? {
        Some(_) => Some(ForwardedRequest {
            content_type: row.col(extra + 11)?,
            headers: row.json(extra + 12)?,
            body: row.col(extra + 13)?,
        }),
        None => None,
    };
    Ok(DeliveryJob {
        delivery: rows::delivery_at(row, 0)?,
        message: rows::message_at(row, DELIVERY_WIDTH)?,
        app_throttle_rate: row.opt_int(extra)?,
        settings: engine::settings_at(row, extra + 1)?,
        event_type_schedule: engine::schedule_at(row, extra + 5)?,
        health,
        endpoint,
        forward,
    })
}

/// Records a batch of attempts in one transaction (see the module documentation), in three
/// round trips however large the batch: every delivery's new state; then, for each delivery that
/// still exists, its endpoint's disabling, holds and health, and the attempt with its headers;
/// then the operational events, when anyone receives them.
pub(crate) async fn record_attempts(
    store: &PgStore,
    records: Vec<AttemptRecord>,
) -> StoreResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let mut client = store.db.client().await?;
    let tx = client.transaction().await?;
    // The batch's endpoints are held against deletion first: a delete takes the endpoint and
    // then its deliveries, in its own order, so holding two of them (or a delivery and then the
    // endpoint's health) before the endpoint could deadlock with it.
    let held = engine::hold_against_delete(
        records.iter().map(|r| r.attempt.endpoint_id.to_string()),
        [],
    );
    let lock_count = usize::from(held.is_some());
    let moves: Vec<Write> = held
        .into_iter()
        .chain(records.iter().map(move_delivery))
        .collect();
    let moved = engine::run_writes(&tx, &moves).await?.split_off(lock_count);
    // The delivery may have been deleted with its endpoint while the request was in flight.
    let live: Vec<&AttemptRecord> = records
        .iter()
        .zip(moved)
        .filter(|(_, changed)| *changed > 0)
        .map(|(record, _)| record)
        .collect();
    let mut effects = Vec::new();
    let mut disables = Vec::new();
    for record in &live {
        let a = &record.attempt;
        if record.disable_endpoint {
            disables.push(effects.len());
            effects.push(disable_endpoint(record));
        }
        if record.ordered
            && let Some(next) = record.next_attempt_at
        {
            let after = Some(a.delivery_id.as_str());
            effects.push(engine::hold_endpoint(&a.endpoint_id, next, after));
        }
        if let Some(health) = &record.health {
            effects.extend(engine::health_writes(health));
        }
        effects.push(insert_attempt(record)?);
    }
    let done = engine::run_writes(&tx, &effects).await?;
    // Operational webhooks are looked for only when someone receives them.
    if operational::has_receivers(&tx).await? {
        let mut disabled = disables.into_iter().map(|at| done[at] > 0);
        let records: Vec<(&AttemptRecord, bool)> = live
            .into_iter()
            .map(|record| {
                let just_disabled = record.disable_endpoint && disabled.next().unwrap_or(false);
                (record, just_disabled)
            })
            .collect();
        let events = operational::for_attempts(&tx, &records).await?;
        operational::emit(&tx, events).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The delivery's new state after the attempt.
fn move_delivery(record: &AttemptRecord) -> Write {
    let a = &record.attempt;
    (
        "UPDATE deliveries SET status = $2, attempt_count = $3, next_attempt_at = $4,
         updated_at = $5 WHERE id = $1",
        vec![
            Box::new(a.delivery_id.to_string()),
            Box::new(record.delivery_status.code()),
            Box::new(i64::from(a.attempt_number)),
            Box::new(record.next_attempt_at.map(Timestamp::as_millis)),
            Box::new(a.created_at.as_millis()),
        ],
    )
}

/// Disabling the endpoint that answered `410 Gone` (one row changed if this record did it).
fn disable_endpoint(record: &AttemptRecord) -> Write {
    let a = &record.attempt;
    (
        "UPDATE endpoints SET disabled = TRUE, updated_at = $2 WHERE id = $1 AND NOT disabled",
        vec![
            Box::new(a.endpoint_id.to_string()),
            Box::new(a.created_at.as_millis()),
        ],
    )
}

/// Inserting the attempt, with its headers in the same statement when a request went out.
fn insert_attempt(record: &AttemptRecord) -> StoreResult<Write> {
    const ATTEMPT: &str = "INSERT INTO attempts (id, delivery_id, msg_id, endpoint_id, app_id,
        url, status, response_status_code, response, response_duration_ms, trigger_type,
        attempt_number, next_attempt_at, error_code, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
    const WITH_HEADERS: &str = "WITH a AS (INSERT INTO attempts (id, delivery_id, msg_id,
        endpoint_id, app_id, url, status, response_status_code, response, response_duration_ms,
        trigger_type, attempt_number, next_attempt_at, error_code, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id)
        INSERT INTO attempt_headers (attempt_id, sent, response, sensitive)
        SELECT a.id, $16, $17, $18 FROM a";
    let a = &record.attempt;
    let mut params: Vec<Param> = vec![
        Box::new(a.id.to_string()),
        Box::new(a.delivery_id.to_string()),
        Box::new(a.msg_id.to_string()),
        Box::new(a.endpoint_id.to_string()),
        Box::new(a.app_id.to_string()),
        Box::new(a.url.clone()),
        Box::new(a.status.code()),
        Box::new(i64::from(a.response_status_code)),
        Box::new(a.response.clone()),
        Box::new(a.response_duration_ms),
        Box::new(a.trigger_type.code()),
        Box::new(i64::from(a.attempt_number)),
        Box::new(a.next_attempt_at.map(Timestamp::as_millis)),
        Box::new(a.error_code.clone()),
        Box::new(a.created_at.as_millis()),
    ];
    match &record.headers {
        Some(headers) => {
            let (sent, response, sensitive) = attempt_headers::columns(headers)?;
            params.extend([
                Box::new(sent) as Param,
                Box::new(response),
                Box::new(sensitive),
            ]);
            Ok((WITH_HEADERS, params))
        }
        None => Ok((ATTEMPT, params)),
    }
}

/// When the earliest scheduled delivery is due, if any (the low end of the due index).
pub(crate) async fn next_due_at(store: &PgStore) -> StoreResult<Option<Timestamp>> {
    let c = store.db.client().await?;
    let stmt = c
        .prepare_cached(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE next_attempt_at IS NOT NULL",
        )
        .await?;
    c.query_one(&stmt, &[]).await?.opt_ts(0)
}
