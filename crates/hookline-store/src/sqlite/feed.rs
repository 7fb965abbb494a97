//! The feed and polling-endpoint consumers in SQLite.
//!
//! Positions come from `message_feed.seq`, assigned by a trigger inside the transaction that
//! inserts the message. One writer thread commits transactions one after another, so positions
//! become visible in increasing order; `AUTOINCREMENT` keeps them from ever being reused.

use async_trait::async_trait;
use hookline_core::{AppId, EndpointId, MessageId, Timestamp};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, named_params, params_from_iter};

use super::SqliteStore;
use super::inbound_events;
use super::rows::{self, MESSAGE_COLUMNS};
use super::writer::AfterCommit;
use crate::StoreResult;
use crate::feed::{
    ConsumerState, ConsumerVersion, FeedBatch, FeedCondition, FeedItem, FeedPosition, FeedQuery,
    FeedSignal, FeedStore, save_refused,
};

/// How many messages at or after a time are examined to find where that time starts in the
/// feed; messages created within the same few milliseconds can commit out of id order.
const SEEK_WINDOW: u32 = 1000;

/// The newest position ever assigned (deleted messages do not move it back).
pub(crate) fn head(conn: &Connection) -> StoreResult<FeedPosition> {
    let seq: Option<i64> = conn
        .prepare_cached("SELECT seq FROM sqlite_sequence WHERE name = 'message_feed'")?
        .query_row([], |row| row.get(0))
        .optional()?;
    Ok(FeedPosition::new(seq.unwrap_or(0).max(0) as u64))
}

/// The writer's after-commit step: announces new messages on `signal` whenever the feed's head
/// moved, so every way of adding messages wakes pull readers, with one tiny query per commit.
pub(crate) fn wake_on_append(conn: &Connection, signal: FeedSignal) -> StoreResult<AfterCommit> {
    let mut last = head(conn)?;
    Ok(Box::new(move |conn: &Connection| match head(conn) {
        Ok(now) if now > last => {
            last = now;
            signal.notify();
        }
        Ok(_) => {}
        Err(err) => {
            tracing::warn!(error = %err, "cannot read the feed head; waking feed readers anyway");
            signal.notify();
        }
    }))
}

pub(crate) fn read(conn: &Connection, query: &FeedQuery) -> StoreResult<FeedBatch> {
    // Read the head first: every position at or below it is already committed, so the rows
    // read next up to it are complete, whatever commits meanwhile.
    let head = head(conn)?;
    let mut sql = format!(
        "SELECT f.seq, {MESSAGE_COLUMNS} FROM message_feed f JOIN messages m ON m.id = f.msg_id
         WHERE f.seq > ? AND f.seq <= ?"
    );
    let mut params = vec![
        Value::Integer(query.after.get() as i64),
        Value::Integer(head.get() as i64),
    ];
    if let Some(app) = &query.app {
        sql.push_str(" AND f.app_id = ?");
        params.push(Value::Text(app.to_string()));
    } else {
        // The environment feed is the customers' events: internal applications (inbound
        // sources, operational webhooks) have their own logs.
        sql.push_str(" AND f.app_id IN (SELECT id FROM applications WHERE kind = 'customer')");
    }
    for condition in query.filter.conditions() {
        let values: Vec<Value> = match condition {
            FeedCondition::EventTypeIn(types) => {
                types.iter().map(|t| Value::Text(t.to_string())).collect()
            }
            FeedCondition::ChannelIn(channels) => channels
                .iter()
                .map(|c| Value::Text(c.to_string()))
                .collect(),
        };
        let marks = vec!["?"; values.len()].join(", ");
        match condition {
            FeedCondition::EventTypeIn(_) => {
                sql.push_str(&format!(" AND m.event_type IN ({marks})"))
            }
            FeedCondition::ChannelIn(_) => sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM json_each(m.channels) WHERE value IN ({marks}))"
            )),
        }
        params.extend(values);
    }
    sql.push_str(" ORDER BY f.seq LIMIT ?");
    params.push(Value::Integer(i64::from(query.limit) + 1));

    let mut items = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(params), |row| {
            let seq: i64 = row.get(0)?;
            Ok(FeedItem {
                position: FeedPosition::new(seq.max(0) as u64),
                message: rows::message_at(row, 1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let more = items.len() > query.limit as usize;
    items.truncate(query.limit as usize);
    // An inbound event's message keeps no payload text: pull readers get the body received.
    for item in items.iter_mut() {
        if item.message.payload.as_deref().is_none_or(str::is_empty)
            && let Some(body) = inbound_events::body_text(conn, &item.message.id)?
        {
            item.message.payload = Some(body);
        }
    }
    let next = match items.last() {
        Some(last) if more => last.position,
        _ => head.max(query.after),
    };
    Ok(FeedBatch {
        items,
        next,
        done: !more,
        head,
    })
}

pub(crate) fn position_at(
    conn: &Connection,
    app: Option<&AppId>,
    time: Timestamp,
) -> StoreResult<FeedPosition> {
    let floor = MessageId::floor_at(time.as_millis().max(0) as u64);
    let first: Option<i64> = match app {
        Some(app) => conn
            .prepare_cached(
                "SELECT min(f.seq) FROM (SELECT id FROM messages WHERE app_id = ?1 AND id >= ?2
                 ORDER BY id LIMIT ?3) x JOIN message_feed f ON f.msg_id = x.id",
            )?
            .query_row(
                rusqlite::params![app.as_str(), floor.as_str(), SEEK_WINDOW],
                |row| row.get(0),
            )?,
        None => conn
            .prepare_cached(
                "SELECT min(f.seq) FROM (SELECT id FROM messages WHERE id >= ?1
                 ORDER BY id LIMIT ?2) x JOIN message_feed f ON f.msg_id = x.id",
            )?
            .query_row(rusqlite::params![floor.as_str(), SEEK_WINDOW], |row| {
                row.get(0)
            })?,
    };
    match first {
        Some(seq) => Ok(FeedPosition::new((seq - 1).max(0) as u64)),
        None => head(conn),
    }
}

pub(crate) fn get_consumer(
    conn: &Connection,
    endpoint: &EndpointId,
    consumer_id: &str,
) -> StoreResult<Option<ConsumerState>> {
    Ok(conn
        .prepare_cached(
            "SELECT committed, leased_to, lease_expires_at, updated_at, version
             FROM poller_consumers WHERE endpoint_id = ?1 AND consumer_id = ?2",
        )?
        .query_row([endpoint.as_str(), consumer_id], |row| {
            let committed: i64 = row.get(0)?;
            let leased_to: Option<i64> = row.get(1)?;
            let expires: Option<i64> = row.get(2)?;
            Ok(ConsumerState {
                endpoint_id: endpoint.clone(),
                consumer_id: consumer_id.to_owned(),
                committed: FeedPosition::new(committed.max(0) as u64),
                leased_to: leased_to.map(|p| FeedPosition::new(p.max(0) as u64)),
                lease_expires_at: expires.map(Timestamp::from_millis),
                updated_at: Timestamp::from_millis(row.get(3)?),
                version: Some(ConsumerVersion::from_stored(row.get(4)?)),
            })
        })
        .optional()?)
}

/// Writes `state` if the stored consumer is still at `state.version` (absent for `None`): an
/// insert that skips an existing row, or an update guarded by the version; either changes no
/// row when another save came first. The writer thread runs saves one after another, so the
/// check and the write cannot be split by another save.
pub(crate) fn save_consumer(
    conn: &Connection,
    state: ConsumerState,
) -> StoreResult<ConsumerVersion> {
    let (endpoint_id, committed) = (state.endpoint_id.as_str(), state.committed.get() as i64);
    let leased_to = state.leased_to.map(|p| p.get() as i64);
    let expires = state.lease_expires_at.map(Timestamp::as_millis);
    let updated_at = state.updated_at.as_millis();
    let (next, saved) = match state.version {
        None => (
            ConsumerVersion::FIRST,
            conn.prepare_cached(
                "INSERT INTO poller_consumers (endpoint_id, consumer_id, committed, leased_to,
                 lease_expires_at, updated_at, version)
                 VALUES (:endpoint_id, :consumer_id, :committed, :leased_to, :expires,
                 :updated_at, :next)
                 ON CONFLICT (endpoint_id, consumer_id) DO NOTHING",
            )?
            .execute(named_params! {
                ":endpoint_id": endpoint_id,
                ":consumer_id": state.consumer_id,
                ":committed": committed,
                ":leased_to": leased_to,
                ":expires": expires,
                ":updated_at": updated_at,
                ":next": ConsumerVersion::FIRST.stored(),
            })?,
        ),
        Some(expected) => (
            expected.next(),
            conn.prepare_cached(
                "UPDATE poller_consumers SET committed = :committed, leased_to = :leased_to,
                 lease_expires_at = :expires, updated_at = :updated_at, version = :next
                 WHERE endpoint_id = :endpoint_id AND consumer_id = :consumer_id
                 AND version = :expected",
            )?
            .execute(named_params! {
                ":endpoint_id": endpoint_id,
                ":consumer_id": state.consumer_id,
                ":committed": committed,
                ":leased_to": leased_to,
                ":expires": expires,
                ":updated_at": updated_at,
                ":next": expected.next().stored(),
                ":expected": expected.stored(),
            })?,
        ),
    };
    match saved {
        1 => Ok(next),
        _ => Err(save_refused(&state)),
    }
}

#[async_trait]
impl FeedStore for SqliteStore {
    async fn read_feed(&self, query: FeedQuery) -> StoreResult<FeedBatch> {
        self.readers.read(move |c| read(c, &query)).await
    }
    async fn feed_head(&self) -> StoreResult<FeedPosition> {
        self.readers.read(head).await
    }
    async fn feed_position_at(
        &self,
        app: Option<&AppId>,
        time: Timestamp,
    ) -> StoreResult<FeedPosition> {
        let app = app.cloned();
        self.readers
            .read(move |c| position_at(c, app.as_ref(), time))
            .await
    }
    fn feed_signal(&self) -> FeedSignal {
        self.feed.clone()
    }
    async fn get_consumer(
        &self,
        endpoint: &EndpointId,
        consumer_id: &str,
    ) -> StoreResult<Option<ConsumerState>> {
        let (endpoint, consumer_id) = (endpoint.clone(), consumer_id.to_owned());
        self.readers
            .read(move |c| get_consumer(c, &endpoint, &consumer_id))
            .await
    }
    async fn save_consumer(&self, state: ConsumerState) -> StoreResult<ConsumerVersion> {
        self.writer.write(move |c| save_consumer(c, state)).await
    }
}
